"""Twelve months of follow-up, done: plans as rows, firing prompts, reminders and misses,
outcomes, feedback rounds and stored answers."""
