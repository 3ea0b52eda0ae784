"""A simulated house, for the demo, closed-loop tests and the control benchmark."""
