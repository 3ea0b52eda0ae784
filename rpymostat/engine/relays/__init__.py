"""The engine's side of the relays: the registry of what control daemons report, and the commander.

The registry keeps each relay's last reported state, its assigned function
and the state the engine wants, in the store's generic documents, and its
history in an append-only log. The commander sends signed commands to the
daemons and re-asserts the desired states as their keep-alive; the
interlock module holds the rules no single daemon can apply (which relay may
heat or cool, and heat and cool kept apart across daemons). The liveness
module says when a silent daemon's relays are off for certain, and the
restore module what the equipment's state is when the engine starts.
"""
