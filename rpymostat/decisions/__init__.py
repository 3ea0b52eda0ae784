"""Turning an instruction, a temperature and the equipment's state into what to run."""
