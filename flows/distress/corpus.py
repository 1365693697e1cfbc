"""The scorer's training messages, as features: the labelled corpus of one language and the
short answers the bot hears all day (option labels, numbers, yes and no), which must never
sound like danger. Pure: the caller reads the files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from flows.distress.scorer import features
from flows.distress.train import CRY, ORDINARY, SHORT, WORRY, Example

# What people answer in every language besides the options: numbers, dates, greetings.
SHORT_ANSWERS = (
    *(str(n) for n in range(0, 31)),
    "03/2026", "12/2025", "last month", "3 months ago", "il y a 3 mois", "le mois dernier",
    "منذ 3 أشهر", "الشهر الماضي", "ok", "okay", "d'accord", "merci", "thanks", "thank you",
    "شكرا", "hi", "hello", "bonjour", "salut", "salam", "السلام عليكم", "مرحبا", "skip",
    "passer", "menu", "yes", "no", "oui", "non", "نعم", "لا",
)  # fmt: skip


def examples(language, labelled: Mapping[str, Any], catalog, code: str) -> list[Example]:
    """`language`: a flows.distress.detect.Language (its reader turns text into words)."""
    found: list[Example] = []

    def add(text: str, kind: str) -> None:
        words = language.reader.words(text)
        if words:
            found.append(Example(frozenset(features(words)), kind))

    for section, kind in (("cries", CRY), ("worries", WORRY), ("ordinary", ORDINARY)):
        for text in labelled.get(section) or ():
            add(str(text), kind)
    options = sorted(v for k, v in catalog.texts.get(code, {}).items() if k.startswith("option."))
    for text in (*options, *SHORT_ANSWERS):
        add(text, SHORT)
    return found


def corpus_hash(found: Sequence[Example]) -> str:
    """What the model learned from, exactly (features and labels), so a test can tell that
    the shipped weights still match the corpus and the way text is read."""
    rows = sorted((sorted(e.features), e.kind) for e in found)
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:16]
