"""The control daemon: owns the relays wired to the heating and cooling.

It switches them only when its engine says so, and keeps the equipment safe
on its own (interlock, minimum off time, failsafe) whatever the engine does.
"""
