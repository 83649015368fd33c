"""Route phase: finding a request's route, and the exception layer around routing."""
