"""The engine's side of scheduling: stored rules, their settings and the cached timeline."""
