"""People: contacts, consents, profile fields, who may be written to, assignment, filters."""
