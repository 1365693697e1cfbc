"""Surveys as data: the model of an instrument, asking it question by question, scoring."""
