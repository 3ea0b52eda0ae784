"""Finding schedule and decision plugins through their entry-point groups."""
