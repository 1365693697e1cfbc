"""Bringing in the people a field office already registered, from a CSV or XLSX file: the
columns mapped to fields (guessed from their headings, content/import.yaml), every row checked
before anything is written (a bad phone number, an unknown district, a duplicate), then the
rows written in chunks. Re-running the same file changes nothing: a row whose phone number is
already someone's is left as it is.

Consent recorded elsewhere is kept only with its date, version and who took it. A row without
it keeps nothing but the phone number and language, and that person is invited through the
consent flow (the bot's first message); nothing else is sent to them, and the rest of the row
is not kept until they agree."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from flows.choices import Option, match_choice
from flows.content import Content
from flows.text import normalize

FIELDS = (
    "display_name", "phone", "language", "role", "district", "return_date", "gender",
    "age_band", "sector", "consent_date", "consent_version", "consent_by", "consent_surveys",
)  # fmt: skip
# Fields chosen from an option set (content/options.yaml).
OPTION_FIELDS = {"role": "role", "district": "district", "gender": "gender",
                 "age_band": "age_band", "sector": "sector"}  # fmt: skip
CONSENT = ("consent_date", "consent_version", "consent_by")
MAX_ROWS = 50_000


class ImportFileError(ValueError):
    """The file cannot be read as a table; `key` words it."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]


def read_table(data: bytes, filename: str) -> Table:
    """The file's first sheet (XLSX) or its rows (CSV, in UTF-8 with or without a BOM, or
    Latin-1; comma, semicolon or tab separated), as text."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(data)
    raise ImportFileError("import.error.format")


def _read_csv(data: bytes) -> Table:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise ImportFileError("import.error.encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [tuple(cell.strip() for cell in row) for row in csv.reader(io.StringIO(text), dialect)]
    return _table(rows)


def _read_xlsx(data: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ImportFileError("import.error.unreadable") from error
    try:
        sheet = book.worksheets[0]
        rows = [tuple(_cell(v) for v in row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number
    return str(value).strip()


def _table(rows: list[tuple[str, ...]]) -> Table:
    rows = [r for r in rows if any(cell for cell in r)]
    if not rows:
        raise ImportFileError("import.error.empty")
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError("import.error.too_many")
    headers, body = rows[0], rows[1:]
    width = len(headers)
    return Table(tuple(headers), [tuple((list(r) + [""] * width)[:width]) for r in body])


def guess_mapping(headers: Iterable[str], synonyms: dict[str, list[str]]) -> dict[int, str]:
    """Column index -> field, from the headings (each field taken once, first match)."""
    known = {normalize(word): name for name, words in synonyms.items() for word in words}
    known.update({normalize(name.replace("_", " ")): name for name in FIELDS})
    mapping: dict[int, str] = {}
    for index, heading in enumerate(headers):
        name = known.get(normalize(heading))
        if name is not None and name not in mapping.values():
            mapping[index] = name
    return mapping


@dataclass
class CheckedRow:
    line: int  # as the spreadsheet numbers it (the headings are line 1)
    values: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # message keys
    status: str = "new"  # new, exists (left as it is), invalid

    @property
    def consented(self) -> bool:
        return all(self.values.get(k) for k in CONSENT)


def check_rows(
    table: Table, mapping: dict[int, str], content: Content, normalize_phone, today: date,
    language_words: dict[str, list[str]] | None = None,
) -> list[CheckedRow]:  # fmt: skip
    """Every row checked on its own and against the others (a phone number twice)."""
    seen: dict[str, int] = {}
    extra = content.imports.get("values") or {}
    options = {
        name: [
            Option(o.value, (o.value, o.value.replace("_", " "), *o.labels,
                             *extra.get(option_set, {}).get(o.value, ())))
            for o in content.options(option_set)
        ]
        for name, option_set in OPTION_FIELDS.items()
    }  # fmt: skip
    words = language_words or {}
    languages = [
        Option(code, (code, content.catalog.text(code, "language.name"), *words.get(code, ())))
        for code in content.languages
    ]
    checked = []
    for number, raw in enumerate(table.rows, start=2):
        row = CheckedRow(number)
        cells = {name: raw[index] for index, name in mapping.items() if index < len(raw)}
        _check(row, cells, content, options, languages, normalize_phone, today)
        phone = row.values.get("phone")
        if phone and phone in seen:
            row.problems.append("import.error.duplicate_in_file")
        elif phone:
            seen[phone] = number
        row.status = "invalid" if row.problems else "new"
        checked.append(row)
    return checked


def _check(row, cells, content, options, languages, normalize_phone, today) -> None:
    lexicon = content.lexicon
    name = cells.get("display_name", "").strip()
    if name:
        row.values["display_name"] = name[:80]
    raw_phone = cells.get("phone", "").strip()
    if raw_phone:
        phone = normalize_phone(raw_phone)
        if phone is None:
            row.problems.append("import.error.phone")
        else:
            row.values["phone"] = phone
    language = cells.get("language", "").strip()
    if language:
        chosen = match_choice(language, languages, lexicon)
        if chosen is None:
            row.problems.append("import.error.language")
        row.values["language"] = chosen
    for name_, opts in options.items():
        said = cells.get(name_, "").strip()
        if not said:
            continue
        chosen = match_choice(said, opts, lexicon)
        if chosen is None:
            row.problems.append(f"import.error.{name_}")
        else:
            row.values[name_] = chosen
    for name_ in ("return_date", "consent_date"):
        said = cells.get(name_, "").strip()
        if not said:
            continue
        day = _date(said)
        if day is None or day > today:
            row.problems.append(f"import.error.{name_}")
        else:
            row.values[name_] = day
    for name_ in ("consent_version", "consent_by"):
        said = cells.get(name_, "").strip()
        if said:
            row.values[name_] = said[:64]
    surveys = cells.get("consent_surveys", "").strip()
    if surveys:
        row.values["consent_surveys"] = (
            match_choice(surveys, content.options("yesno"), lexicon) == "yes"
        )
    given = [k for k in CONSENT if row.values.get(k)]
    if given and len(given) < len(CONSENT):
        row.problems.append("import.error.consent_incomplete")
    if not raw_phone and not (given and row.consented):
        # Nobody to invite, and nothing to keep without consent.
        row.problems.append("import.error.no_phone")
    if row.consented and not row.values.get("display_name"):
        row.problems.append("import.error.name")


def _date(text: str) -> date | None:
    """ISO (2026-03-14) or day first (14/03/2026, 14.03.2026, 14-03-2026)."""
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    for separator in ("/", ".", "-"):
        parts = text.split(separator)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            day, month, year = (int(p) for p in parts)
            if year < 100:
                year += 2000
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def iter_chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
