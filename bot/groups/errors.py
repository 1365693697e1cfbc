"""What staff asked that cannot be done, with the words the admin shows."""

from __future__ import annotations


class GroupError(ValueError):
    """A change staff asked for that cannot be made; `key` words it in the admin, and
    `warnings` are the rules a placement goes against (an override reason answers them)."""

    def __init__(self, key: str, warnings: tuple[str, ...] = ()):
        super().__init__(key)
        self.key = key
        self.warnings = warnings
