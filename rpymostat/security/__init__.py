"""API keys and roles: who may read and change what."""
