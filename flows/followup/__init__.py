"""Twelve months of follow-up, decided: plans, the prompt flow, answers taken by staff."""
