"""Peer-support groups: the rules and the conversations (bot/groups/ does the rest)."""
