"""How well opt-out in people's own words is understood: per language, the share of clear
requests that stop at once, of all requests that stop or are asked, and of ordinary
sentences wrongly read as either.

    .venv/bin/python bench/optout.py [--corpus DIR] [--show]

The corpus (tests/flows/optout/<language>.yaml: clear, unclear, ordinary) was written apart
by someone who never saw the patterns. The last line is machine-readable:

    optout clear=<share> reached=<share> false_positive=<share>
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.content import load_content  # noqa: E402
from flows.distress.detect import ALERT  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "flows" / "optout"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show", action="store_true", help="list misses and false positives")
    args = parser.parse_args()
    detector = load_content().optout
    totals = {"clear": [0, 0], "reached": [0, 0], "ordinary": [0, 0]}
    for path in sorted(args.corpus.glob("*.yaml")):
        language = path.stem
        corpus = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = {
            section: [(s, detector.detect(s, language)) for s in corpus.get(section) or ()]
            for section in ("clear", "unclear", "ordinary")
        }
        clear = sum(1 for _, f in found["clear"] if f is not None and f.tier == ALERT)
        asked = found["clear"] + found["unclear"]
        reached = sum(1 for _, f in asked if f is not None)
        wrong = [(s, f) for s, f in found["ordinary"] if f is not None]
        for key, (hit, of) in (
            ("clear", (clear, len(found["clear"]))),
            ("reached", (reached, len(asked))),
            ("ordinary", (len(wrong), len(found["ordinary"]))),
        ):
            totals[key][0] += hit
            totals[key][1] += of
        print(
            f"{language}: clear {clear}/{len(found['clear'])} stop at once; "
            f"{reached}/{len(asked)} stop or are asked; "
            f"ordinary read as opt-out {len(wrong)}/{len(found['ordinary'])}"
        )
        if args.show:
            for s, f in found["clear"]:
                if f is None or f.tier != ALERT:
                    print(f"  clear, {'asked' if f else 'missed'}: {s}")
            for s, f in found["unclear"]:
                if f is None:
                    print(f"  unclear, missed: {s}")
            for s, f in wrong:
                print(f"  ordinary, {'stopped' if f.tier == ALERT else 'asked'} [{f.said}]: {s}")
    share = {key: hit / of if of else 0.0 for key, (hit, of) in totals.items()}
    print(
        f"optout clear={share['clear']:.3f} reached={share['reached']:.3f}"
        f" false_positive={share['ordinary']:.3f}"
    )


if __name__ == "__main__":
    main()
