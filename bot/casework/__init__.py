"""What staff do about a person: corrections, assisted enrolment, alerts, inbox threads,
and erasure (a registry every domain adds its eraser to)."""
