"""Code shared by the engine and the daemons.

Nothing here may import engine-only dependencies (storage, Klein routes,
scheduling): a sensor daemon on a Pi Zero imports this package too.
"""
