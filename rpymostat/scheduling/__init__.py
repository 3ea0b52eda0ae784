"""Schedules, overrides and instant adjustments, resolved into a timeline."""
