"""Mentoring, decided: who may mentor whom, how good a match is, the optimal matching."""
