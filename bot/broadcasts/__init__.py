"""Broadcasts: one message from staff to many people, a text per language."""
