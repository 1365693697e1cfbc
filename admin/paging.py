"""Pages of a long list: a page number from the query, bounded, and what the pager shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def page_number(raw: str | None, limit: int = 100_000) -> int:
    """Forgiving: "2", " 2 ", junk or 0 all give a page that exists to ask for."""
    try:
        number = int(str(raw or "1").strip())
    except ValueError:
        return 1
    return min(max(1, number), limit)


def link_query(values: dict[str, object]):
    """The pager's links: these filters (the empty ones left out) with a page number."""
    from urllib.parse import urlencode

    def query(**changes) -> str:
        merged = {**values, **changes}
        return urlencode({k: str(v) for k, v in merged.items() if v not in (None, "", False)})

    return query
