"""Finding schedule, decision and weather plugins through their entry-point groups."""
