"""How well cries for help are understood: recall and false positives per language.

    .venv/bin/python bench/distress.py [--corpus tests/flows/distress] [--show]

Reads labelled sentences (<corpus>/<language>.yaml: `cries` must be an alert, `worries` at
least a review, `ordinary` nothing) and runs the detector the service runs (content/distress)
on each, in the person's language as chosen. Prints, per language and overall, recall at the
alert tier, recall counting review, how many worries reach a person, and the false-positive
rate; then the detector's speed as a ratio against normalising the same text (flows/text.py),
the least any reading must do. `--show` lists every miss and false positive. The last line
is machine-readable:

    distress recall_alert=<r> recall_any=<r> worries_any=<r> false_positive=<r> vs_normalize=<x>
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.content import load_content  # noqa: E402
from flows.distress.detect import ALERT  # noqa: E402
from flows.text import normalize  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "flows" / "distress"


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show", action="store_true", help="list misses and false positives")
    args = parser.parse_args()
    detector = load_content().distress
    totals = {"cries": 0, "alert": 0, "any": 0, "worries": 0, "worried": 0, "ordinary": 0, "fp": 0}
    texts: list[str] = []
    for path in sorted(args.corpus.glob("*.yaml")):
        language = path.stem
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        cries, worries, ordinary = (
            list(data.get(k) or []) for k in ("cries", "worries", "ordinary")
        )
        texts += cries + worries + ordinary
        found = {s: detector.detect(s, language) for s in cries + worries + ordinary}
        alert = [s for s in cries if found[s] is not None and found[s].tier == ALERT]
        reached = [s for s in cries if found[s] is not None]
        worried = [s for s in worries if found[s] is not None]
        wrong = [s for s in ordinary if found[s] is not None]
        print(
            f"{language}: cries {len(alert)}/{len(cries)} alert ({_rate(len(alert), len(cries)):.1%}),"
            f" {len(reached)}/{len(cries)} counting review ({_rate(len(reached), len(cries)):.1%});"
            f" worries {len(worried)}/{len(worries)} reach a person;"
            f" false positives {len(wrong)}/{len(ordinary)} ({_rate(len(wrong), len(ordinary)):.1%})"
        )
        if args.show:
            for s in cries:
                if s not in alert:
                    print(f"  missed cry ({found[s].tier if found[s] else 'nothing'}): {s}")
            for s in worries:
                if s not in worried:
                    print(f"  missed worry: {s}")
            for s in wrong:
                print(
                    f"  false positive ({found[s].tier} {found[s].concept}: {found[s].said}): {s}"
                )
        for key, value in (
            ("cries", cries), ("alert", alert), ("any", reached), ("worries", worries),
            ("worried", worried), ("ordinary", ordinary), ("fp", wrong),
        ):  # fmt: skip
            totals[key] += len(value)
    # Speed: the detector against the floor of reading the same texts, in the same process.
    rounds = 5
    began = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            normalize(text)
    floor = time.perf_counter() - began
    began = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            detector.detect(text)
    ours = time.perf_counter() - began
    per_second = rounds * len(texts) / ours
    print(f"speed: {per_second:,.0f} messages/s, {ours / floor:.1f}x the time of normalising alone")
    recall_alert = _rate(totals["alert"], totals["cries"])
    recall_any = _rate(totals["any"], totals["cries"])
    worries_any = _rate(totals["worried"], totals["worries"])
    false_positive = _rate(totals["fp"], totals["ordinary"])
    print(
        f"all: recall {recall_alert:.1%} at the alert tier (target >= 95%), {recall_any:.1%}"
        f" counting review (target 100%); false positives {false_positive:.1%} (target <= 3%)"
    )
    print(
        f"distress recall_alert={recall_alert:.3f} recall_any={recall_any:.3f}"
        f" worries_any={worries_any:.3f} false_positive={false_positive:.3f}"
        f" vs_normalize={ours / floor:.1f}"
    )


if __name__ == "__main__":
    main()
