"""Storage: one small interface, an embedded SQLite backend and a MongoDB backend."""
