"""Handling one inbound message, and the registry of effect handlers domains add to."""
