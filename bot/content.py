"""Loads content/ (YAML files) into the Content that flows read."""

from __future__ import annotations

import gc
import json
from functools import lru_cache
from pathlib import Path

import yaml

from flows.content import Catalog, Content
from flows.distress.detect import Detector
from flows.followup.plan import plans_from_dict
from flows.groups.rules import GroupRules
from flows.groups.rules import rules_from_dict as group_rules
from flows.lexicon import Lexicon, missing_sections
from flows.mentoring.rules import MentoringRules, rules_from_dict
from flows.optout import TIERS
from flows.savings.constitution import SavingsRules
from flows.savings.constitution import rules_from_dict as savings_rules
from flows.survey.model import survey_from_dict

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


def _read(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _values(option_set: str, values: list) -> tuple[str, ...]:
    for value in values:
        # YAML reads an unquoted yes/no as a boolean: the stored value would be "True".
        if isinstance(value, bool):
            raise ValueError(f"options.yaml, {option_set}: put {value!r} in quotes")
    return tuple(str(v) for v in values)


def _distress(root: Path, languages: tuple[str, ...]) -> Detector:
    """distress/<language>.yaml for every shipped language: a language without one would
    leave cries in it unheard, so it is an error."""
    folder = root / "distress"
    missing = [language for language in languages if not (folder / f"{language}.yaml").exists()]
    if missing and folder.exists():
        raise ValueError(f"content/distress: no file for {', '.join(missing)}")
    read = {language: _read(folder / f"{language}.yaml") for language in languages if not missing}
    for language, data in read.items():
        # The learned scorer's weights (bench/distress_train.py), when trained.
        scores = folder / f"{language}.scores.json"
        if scores.exists():
            data["scores"] = json.loads(scores.read_text(encoding="utf-8"))
    return Detector.from_dicts(read)


def _optout(root: Path, languages: tuple[str, ...], distress: Path) -> Detector:
    """optout/<language>.yaml for every shipped language, read with the SMS spellings of
    distress/<language>.yaml (one list of them per language)."""
    folder = root / "optout"
    if not folder.exists():
        return Detector()
    read = {}
    for language in languages:
        path = folder / f"{language}.yaml"
        if not path.exists():
            raise ValueError(f"content/optout: no file for {language}")
        data = _read(path)
        spellings = distress / f"{language}.yaml"
        shared = (_read(spellings).get("rewrites") or {}) if spellings.exists() else {}
        data["rewrites"] = {**shared, **(data.get("rewrites") or {})}
        for name, concept in (data.get("concepts") or {}).items():
            tier = str(concept.get("tier"))
            if tier not in TIERS:
                raise ValueError(
                    f"content/optout/{language}.yaml: {name}: tier is clear or unclear"
                )
            concept["tier"] = TIERS[tier]
        read[language] = data
    return Detector.from_dicts(read)


def _lexicon(root: Path, languages: tuple[str, ...]) -> Lexicon:
    """words/common.yaml, then words/<language>.yaml for every shipped language."""
    folder = root / "words"
    names = ["common", *languages]
    sources = {}
    for name in names:
        path = folder / f"{name}.yaml"
        if not path.exists():
            needed = (
                "every programme" if name == "common" else f"language {name!r} (programme.yaml)"
            )
            raise ValueError(f"content/words/{name}.yaml is missing: {needed} needs its words")
        words = _read(path)
        missing = missing_sections(words) if name != "common" else ()
        if missing:
            raise ValueError(f"content/words/{name}.yaml lacks {', '.join(missing)}")
        sources[f"content/words/{name}.yaml"] = words
    return Lexicon.from_words(sources)


@lru_cache(maxsize=8)
def load_content(directory: str | None = None) -> Content:
    root = Path(directory) if directory else DEFAULT_CONTENT_DIR
    programme = _read(root / "programme.yaml")
    languages = tuple(programme["languages"])
    texts = {}
    for language in languages:
        raw = _read(root / "messages" / f"{language}.yaml")
        texts[language] = {str(k): str(v) for k, v in raw.items()}
    variables = {
        "programme": str(programme["name"]),
        "sms_name": str(programme.get("sms_name", programme["name"])),
        "help_contact": str(programme["help_contact"]),
        "emergency_contact": str(programme.get("emergency_contact", programme["help_contact"])),
        "months": str(programme.get("duration_months", 12)),
    }
    sensitive = root / "sensitive.yaml"
    catalog = Catalog(
        languages,
        texts,
        frozenset(programme.get("rtl_languages", [])),
        variables,
        frozenset(str(k) for k in (_read(sensitive).get("keys") or ()))
        if sensitive.exists()
        else frozenset(),
    )
    option_sets = {k: _values(k, vs) for k, vs in _read(root / "options.yaml").items()}
    surveys = {}
    for path in sorted((root / "flows").glob("*.yaml")):
        survey = survey_from_dict(_read(path))
        surveys[survey.id] = survey
    plans = plans_from_dict(_read(root / "plans.yaml")) if (root / "plans.yaml").exists() else None
    distress = _distress(root, languages)
    optout = _optout(root, languages, root / "distress")
    for plan in plans.plans.values() if plans else ():
        for step in plan.steps:
            if step.instrument and step.instrument not in surveys:
                raise ValueError(
                    f"plans.yaml: {plan.name}/{step.key} uses unknown instrument {step.instrument}"
                )
    lexicon = _lexicon(root, languages)
    mentoring, groups = root / "mentoring.yaml", root / "groups.yaml"
    savings = root / "savings.yaml"
    content = Content(
        catalog,
        option_sets,
        surveys,
        programme,
        plans,
        distress=distress,
        lexicon=lexicon,
        optout=optout,
        mentoring=rules_from_dict(_read(mentoring)) if mentoring.exists() else MentoringRules(),
        groups=group_rules(_read(groups)) if groups.exists() else GroupRules(),
        savings=savings_rules(_read(savings)) if savings.exists() else SavingsRules(),
        imports=_read(root / "import.yaml") if (root / "import.yaml").exists() else {},
    )
    # Loaded once and kept for the life of the process (cached): the ~150,000 objects of
    # patterns, scorer weights and flows are never garbage, and without this every full
    # collection walks them again (firing a day of prompts went ~15% slower).
    gc.freeze()
    return content
