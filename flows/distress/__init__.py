"""Distress: cries for help understood in any wording (detect), read per language (text)."""
