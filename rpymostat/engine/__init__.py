"""The engine: HTTP API, storage, scheduling, decisions and discovery in one process."""
