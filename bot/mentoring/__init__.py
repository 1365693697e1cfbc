"""The mentor network, done: the registry of mentors, matching runs (rows → flows → rows),
pairing and pulses. Decisions live in flows/mentoring/."""
