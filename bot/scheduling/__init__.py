"""Shared scheduling: claiming due rows, pacing and the daily cap over every domain."""
