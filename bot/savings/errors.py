"""What cannot be done to a savings group, with the words the admin (or the chat) shows."""

from __future__ import annotations


class SavingsError(ValueError):
    """`key` is a message key; `values` fill its placeholders."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values
