"""API version 1 (``/v1``): its resources, one module each."""
