"""Every action the service writes to the audit log reads as a sentence in every language,
and falls under one of the "What" filter's kinds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from admin.i18n import LANGUAGES, catalog
from admin.pages.audit import KINDS

ROOT = Path(__file__).resolve().parents[2]
# Actions written with a variable part, spelled out: the values that part takes.
VARIANTS = {
    "'followup.paused' if paused else 'followup.resumed'": ["followup.paused", "followup.resumed"],
    "f'mentoring.cycle_{outcome}'": [f"mentoring.cycle_{o}" for o in ("continue", "rematch", "close")],
    "f'mentoring.declined_by_{role}'": [f"mentoring.declined_by_{r}" for r in ("mentor", "mentee")],
    "f'mentoring.expired_{role}'": [f"mentoring.expired_{r}" for r in ("mentor", "mentee")],
}  # fmt: skip


def audited_actions() -> set[str]:
    actions: set[str] = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "admin").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and len(node.args) >= 3):
                continue
            if getattr(node.func, "id", getattr(node.func, "attr", None)) != "audit":
                continue
            action = node.args[2]
            if isinstance(action, ast.Constant):
                actions.add(action.value)
            else:
                written = ast.unparse(action)
                assert written in VARIANTS, f"{path}: spell out the actions of {written}"
                actions.update(VARIANTS[written])
    return actions


def test_the_scan_finds_the_actions():
    found = audited_actions()
    assert {"person.viewed", "savings.record", "mentoring.cycle_close", "staff.login"} <= found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_audited_action_has_a_sentence(language):
    words = catalog(language)
    missing = sorted(a for a in audited_actions() if f"audit.did.{a}" not in words)
    assert missing == []


def test_every_action_falls_under_a_kind_of_the_filter():
    for action in audited_actions():
        assert action.partition(".")[0] in KINDS, action
