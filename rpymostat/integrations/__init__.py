"""Optional bridges from the engine to other systems (Home Assistant, metrics, databases, message brokers)."""
