"""Golden files: a transcript is compared with the reviewed copy kept beside its test.

A missing golden file fails: a transcript nobody has read proves nothing. Set
HOMECOMING_UPDATE_GOLDEN=1 to write missing files and rewrite changed ones, then read
every file that changed (`git diff tests/`) as you would review a changed screen.
"""

from __future__ import annotations

import difflib
import os
import warnings
from pathlib import Path

import pytest

UPDATE_VARIABLE = "HOMECOMING_UPDATE_GOLDEN"


class GoldenWritten(UserWarning):
    """A golden file was written or rewritten: it needs a reader before it is committed."""


def updating() -> bool:
    return os.environ.get(UPDATE_VARIABLE) == "1"


def assert_golden(path: Path, text: str) -> None:
    """Fails unless `text` equals the golden file at `path` (see the module docstring)."""
    if not path.exists():
        if not updating():
            pytest.fail(
                f"golden file {path} is missing. Run the test with {UPDATE_VARIABLE}=1 to "
                "write it, then read it before committing it.",
                pytrace=False,
            )
        _write(path, text, "written (it was missing)")
        return
    expected = path.read_text(encoding="utf-8")
    if text == expected:
        return
    if updating():
        _write(path, text, "rewritten (it had changed)")
        return
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{path} (golden)",
            tofile=f"{path} (this run)",
        )
    )
    pytest.fail(
        f"transcript differs from golden file {path}:\n{diff}\n"
        f"If the change is intended, run with {UPDATE_VARIABLE}=1 and review the new file.",
        pytrace=False,
    )


def _write(path: Path, text: str, what: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    message = f"golden file {path} {what} because {UPDATE_VARIABLE}=1: review it"
    print(message)
    warnings.warn(GoldenWritten(message), stacklevel=3)
