"""Peer-support groups: forming, polls, meetings, attendance (flows/groups/ decides)."""
