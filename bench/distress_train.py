"""Trains the distress scorer (flows/distress/scorer.py) of each shipped language from the
labelled corpus and writes content/distress/<language>.scores.json.

    .venv/bin/python bench/distress_train.py

Learns from tests/flows/distress/<language>.yaml (cries and worries: needs a person;
ordinary: nothing), from tests/flows/distress/train/<language>.yaml (more of the same,
written apart for the scorer; the patterns were only corrected on its look-alikes) and, as more
ordinary messages, the short answers the bot hears all day
(every option label of the catalog, numbers, yes and no). Never from
tests/flows/distress/unseen/: that set measures it. Rerun after changing the corpus or
content/distress/<language>.yaml (rewrites and stems change what the model sees); a test
fails until the scores file matches (its `corpus` hash).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.content import load_content  # noqa: E402
from flows.distress.corpus import corpus_hash, examples  # noqa: E402
from flows.distress.train import train  # noqa: E402

CORPUS = ROOT / "tests" / "flows" / "distress"
CONTENT = ROOT / "content" / "distress"


def labelled(language: str) -> dict[str, list[str]]:
    """The corpus of a language and its scorer-only training set, section by section."""
    merged: dict[str, list[str]] = {"cries": [], "worries": [], "ordinary": []}
    for path in (CORPUS / f"{language}.yaml", CORPUS / "train" / f"{language}.yaml"):
        if path.exists():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for section, texts in merged.items():
                texts.extend(str(t) for t in data.get(section) or ())
    return merged


def main() -> None:
    content = load_content()
    for language, reader in content.distress.languages.items():
        found = examples(reader, labelled(language), content.catalog, language)
        trained = train(found)
        scores = {"corpus": corpus_hash(found), **trained}
        scores = {
            "written_by": "bench/distress_train.py from tests/flows/distress; do not edit",
            **scores,
        }
        # JSON, not YAML: tens of thousands of weights parse in milliseconds, not seconds.
        path = CONTENT / f"{language}.scores.json"
        path.write_text(
            json.dumps(scores, ensure_ascii=False, indent=0, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        check = trained["cross_validated"]
        print(
            f"{language}: {len(found)} messages; review at {trained['review']['at']}, alert at"
            f" {trained['alert']['at']}; cross-validated: reviewed"
            f" {check['needing_a_person_reviewed']:.1%} of those needing a person and"
            f" {check['ordinary_reviewed']:.1%} of ordinary; alerted {check['cries_alerted']:.1%}"
            f" of cries, {check['worries_alerted']:.1%} of worries,"
            f" {check['ordinary_alerted']:.1%} of ordinary"
        )


if __name__ == "__main__":
    main()
