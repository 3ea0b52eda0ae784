"""The engine's HTTP API (versioned under ``/v1``)."""
