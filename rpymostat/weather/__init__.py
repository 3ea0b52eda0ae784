"""Outdoor temperature ahead: the forecast interface and the built-in forecasts."""
