"""The decision loop: the engine's heartbeat that turns instructions into equipment states."""
