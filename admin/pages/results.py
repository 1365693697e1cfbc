"""Admin pages: results. Aggregates for every role (read from one snapshot row, suppressed
where a bucket is small), the long-format export for casework roles only.

- GET  /admin/results                        overview: waves, response rates, trajectories
- GET  /admin/results/{instrument}/{wave}    distributions, dimension scores, ?by= breakdown
- POST /admin/results/refresh                recompute the snapshot now (admin, facilitator)
- GET  /admin/results/export.csv             answers in long format (admin: all; facilitator:
                                             their own people, no anonymous rows)
- GET  /admin/results/dictionary.csv         what every column and question means
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from typing import Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, StreamingResponse

from admin import charts
from admin.deps import AnyStaff, Casework, NotFound, StaffContext, services
from admin.i18n import format_number
from admin.options import staff_label
from admin.render import render
from admin.scope import people_condition
from bot import results
from bot.audit import audit, staff_actor
from bot.db import read_only, transaction
from bot.mentoring import review
from bot.results import export as results_export
from bot.results.aggregates import MIN_CELL
from flows.content import Content
from flows.survey.model import Question

router = APIRouter(prefix="/admin")
_REFRESHING = threading.Lock()


# -- words: the staff member's language for everything the content defines ----------------


class Words:
    def __init__(self, content: Content, ctx: StaffContext):
        self.content, self.t, self.language = content, ctx.t, ctx.language

    def _own(self, key: str, fallback: str) -> str:
        text = self.t(key)
        return fallback if text == key else text

    def _catalog(self, key: str | None, fallback: str) -> str:
        if not key:
            return fallback
        try:
            return self.content.catalog.text(self.language, key)
        except KeyError:
            return fallback

    def instrument(self, name: str) -> str:
        return self._own(f"results.instrument.{name}", name)

    def wave(self, wave: str) -> str:
        if wave == results.NO_WAVE:
            return self.t("results.wave.adhoc")
        if wave == "intake":
            return self.t("results.wave.intake")
        if wave[:1] == "m" and wave[1:].isdigit():
            return self.t("results.wave.month", number=wave[1:])
        return wave

    def dimension(self, name: str) -> str:
        return self._own(f"results.dimension.{name}", name)

    def breakdown(self, by: str) -> str:
        return self._own(f"results.by.{by}", by)

    def bucket(self, by: str, value: str) -> str:
        if value == results.UNKNOWN:
            return self.t("results.unknown")
        if by == "cohort":
            return value
        return staff_label(self.t, self.content, self.language, by, value)

    def ordered(self, by: str, buckets) -> list[str]:
        """Buckets in the order of the option set (cohorts by month), "not known" last."""
        options = list(self.content.option_sets.get(by, ())) if by != "cohort" else []

        def key(bucket: str):
            if bucket == results.UNKNOWN:
                return (2, 0, bucket)
            return (0, options.index(bucket), bucket) if bucket in options else (1, 0, bucket)

        return sorted(buckets, key=key)

    def question(self, instrument: str, question_id: str) -> str:
        found = self.find(instrument, question_id)
        return self._catalog(found.prompt if found else None, question_id)

    def find(self, instrument: str, question_id: str) -> Question | None:
        survey = self.content.surveys.get(instrument)
        return results.find_question(survey, question_id)

    def value(self, question: Question | None, value: str) -> str:
        if question is None or question.type in ("scale", "number"):
            return value
        option_set = "yesno" if question.type == "yesno" else question.options
        return self._catalog(f"option.{option_set}.{value}", value)

    def values(self, question: Question | None, seen: dict[str, int]) -> list[str]:
        """Every possible value in the instrument's order, then any other value seen."""
        known: list[str] = []
        if question is not None:
            if question.type == "yesno":
                known = ["yes", "no"]
            elif question.type == "choice" and question.options:
                known = list(self.content.option_sets.get(question.options, ()))
            elif question.type == "scale" and question.maximum is not None:
                known = [str(v) for v in range((question.minimum or 1), question.maximum + 1)]
        extra = sorted((v for v in seen if v not in known), key=_number_first)
        return known + extra

    def questions(self, instrument: str, present: dict[str, Any]) -> list[str]:
        survey = self.content.surveys.get(instrument)
        ordered = [q.id for q in survey.questions] if survey else []
        return ordered + sorted(q for q in present if q not in ordered)


def _number_first(value: str):
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _percent(part: float, whole: float, language: str) -> str:
    """As the language writes a share: 12%, 12 %, ٪12 or 12‎%."""
    return format_percent(part / whole, locale=language) if whole else "—"


def _score(value: float | None, language: str) -> str:
    return "—" if value is None else format_decimal(value, format="0.00", locale=language)


# -- the snapshot ----------------------------------------------------------------------------


async def _snapshot(request: Request) -> results.Snapshot:
    svc = services(request)

    def load():
        with transaction(svc.engine) as session:
            found = results.load_snapshot(session)
        # No snapshot yet (a new install, or a new format): compute one on this first view.
        return found or results.refresh(svc.engine, svc.content, svc.clock)

    return await run_in_threadpool(load)


def _by(value: str) -> str:
    return value if value in results.BREAKDOWNS else ""


def _page(ctx: StaffContext, snapshot: results.Snapshot, **values) -> dict[str, Any]:
    return {
        "computed_at": snapshot.computed_at,
        "min_cell": snapshot.data.get("min_cell", results.MIN_CELL),
        "breakdowns": results.BREAKDOWNS,
        "can_refresh": ctx.staff.role in ("admin", "facilitator"),
        "can_export": ctx.staff.role in ("admin", "facilitator"),
        **values,
    }


# -- the overview ----------------------------------------------------------------------------


@router.get("/results")
async def overview(request: Request, ctx: AnyStaff, by: str = ""):
    svc = services(request)
    snapshot = await _snapshot(request)
    words, by = Words(svc.content, ctx), _by(by)
    items = []
    for name in snapshot.data["order"]:
        item = snapshot.data["instruments"][name]
        rows = []
        for wave in item["waves"]:
            cell = item["cells"][wave]
            rate = cell["rate"]
            overall = cell["overall"]
            composite = None if overall.get("suppressed") else overall["composite"]["mean"]
            rows.append(
                {
                    "wave": wave,
                    "label": words.wave(wave),
                    "url": f"/admin/results/{name}/{wave}",
                    "n": cell["n"],
                    "anonymous": cell["anonymous"],
                    "fired": rate["fired"],
                    "answered": rate["answered"],
                    "rate": _percent(rate["answered"], rate["fired"], ctx.language),
                    "suppressed": bool(overall.get("suppressed")) and cell["n"] > 0,
                    "composite": _score(composite, ctx.language) if item["dimensions"] else None,
                }
            )
        items.append(
            {
                "id": name,
                "label": words.instrument(name),
                "rows": rows,
                "scored": bool(item["dimensions"]),
                "chart": _trajectory(ctx, words, name, item, by),
            }
        )

    def mentoring():
        with read_only(svc.engine) as session:
            return review.summary(session, MIN_CELL)

    return render(
        request,
        ctx,
        "results.html",
        **_page(ctx, snapshot, instruments=items, by=by),
        mentoring=await run_in_threadpool(mentoring),
    )


def _trajectory(ctx, words: Words, name: str, item: dict, by: str):
    """Mean scores per wave: composite and dimensions, or the composite per bucket of `by`."""
    waves = [w for w in item["waves"] if item["cells"][w]["n"]]
    if not item["dimensions"] or not waves:
        return None
    labels = [words.wave(w) for w in waves]
    if not by:
        series = [("composite", words.t("results.composite"))] + [
            (d, words.dimension(d)) for d in item["dimensions"]
        ]
        lines = []
        for key, label in series:
            values = []
            for wave in waves:
                overall = item["cells"][wave]["overall"]
                if overall.get("suppressed"):
                    values.append(None)
                elif key == "composite":
                    values.append(overall["composite"]["mean"])
                else:
                    values.append(overall["dimensions"].get(key, {}).get("mean"))
            lines.append(_line(ctx, label, values))
        title = ctx.t("results.trajectory", instrument=words.instrument(name))
    else:
        buckets = words.ordered(by, {b for w in waves for b in item["cells"][w]["breakdowns"][by]})
        lines = []
        for bucket in buckets:
            values = []
            for wave in waves:
                stats = item["cells"][wave]["breakdowns"][by].get(bucket)
                hidden = stats is None or stats.get("suppressed")
                values.append(None if hidden else stats["composite"]["mean"])
            if any(v is not None for v in values):
                lines.append(_line(ctx, words.bucket(by, bucket), values))
        title = ctx.t(
            "results.trajectory_by", instrument=words.instrument(name), by=words.breakdown(by)
        )
        if not lines:
            return {"chart": None, "legend": None, "title": title}
    chart = charts.line_chart(
        f"trajectory-{name}", title, labels, lines, ctx.t, ctx.rtl, ctx.t("results.series")
    )
    return {"chart": chart, "legend": charts.legend([line.label for line in lines], True)}


def _line(ctx, label: str, values: list[float | None]) -> charts.Line:
    texts = tuple(ctx.t("results.hidden") if v is None else _score(v, ctx.language) for v in values)
    return charts.Line(label, tuple(values), texts)


# -- one instrument, one wave ----------------------------------------------------------------


@router.get("/results/{instrument}/{wave}")
async def wave_page(request: Request, ctx: AnyStaff, instrument: str, wave: str, by: str = ""):
    svc = services(request)
    snapshot = await _snapshot(request)
    item = snapshot.data["instruments"].get(instrument)
    if item is None or wave not in item["cells"]:
        raise NotFound()
    cell = item["cells"][wave]
    words, by = Words(svc.content, ctx), _by(by)
    overall = cell["overall"]
    hidden = bool(overall.get("suppressed"))
    buckets: list[dict] = []
    visible: list[tuple[str, dict]] = []
    if by:
        for bucket in words.ordered(by, cell["breakdowns"][by]):
            stats = cell["breakdowns"][by][bucket]
            shown = not stats.get("suppressed")
            buckets.append(
                {
                    "label": words.bucket(by, bucket),
                    "n": stats["n"] if shown else None,
                    "reason": ""
                    if shown
                    else ("complement" if stats.get("complement") else "small"),
                }
            )
            if shown:
                visible.append((words.bucket(by, bucket), stats))
    page = {
        "instrument": instrument,
        "instrument_label": words.instrument(instrument),
        "wave": wave,
        "wave_label": words.wave(wave),
        "cell": cell,
        "rate": _percent(cell["rate"]["answered"], cell["rate"]["fired"], ctx.language),
        "hidden": hidden,
        "by": by,
        "by_label": words.breakdown(by) if by else "",
        "buckets": buckets,
        "visible": [label for label, _ in visible],
        "scores": None,
        "questions": [],
        "base": f"/admin/results/{instrument}/{wave}",
    }
    if not hidden:
        page["scores"] = _scores_chart(ctx, words, instrument, wave, item, overall, visible)
        page["questions"] = _question_charts(ctx, words, instrument, wave, overall, visible)
    return render(request, ctx, "results_wave.html", **_page(ctx, snapshot, **page))


def _scores_chart(ctx, words: Words, instrument, wave, item, overall, visible):
    names = [d for d in item["dimensions"] if d in overall["dimensions"]]
    if not names:
        return None
    keys = [("composite", ctx.t("results.composite"))] + [(d, words.dimension(d)) for d in names]

    def mean(stats, key):
        found = stats["composite"] if key == "composite" else stats["dimensions"].get(key)
        return found["mean"] if found else None

    title = ctx.t("results.scores_chart")
    chart_id = f"scores-{instrument}-{wave}"
    if not visible:
        bars = [
            charts.Bar(label, mean(overall, key), _score(mean(overall, key), ctx.language))
            for key, label in keys
        ]
        head = (ctx.t("results.dimension"), ctx.t("results.mean_score"))
        return {"chart": charts.bar_chart(chart_id, title, bars, ctx.t, ctx.rtl, head)}
    groups = [
        charts.Group(
            label,
            tuple(
                charts.Bar(name, mean(stats, key), _score(mean(stats, key), ctx.language))
                for name, stats in visible
            ),
        )
        for key, label in keys
    ]
    series = [name for name, _ in visible]
    chart = charts.grouped_bar_chart(
        chart_id, title, groups, series, ctx.t, ctx.rtl, ctx.t("results.dimension")
    )
    return {"chart": chart, "legend": charts.legend(series)}


def _question_charts(ctx, words: Words, instrument, wave, overall, visible) -> list[dict]:
    found = []
    for number, qid in enumerate(words.questions(instrument, overall["questions"])):
        stats = overall["questions"].get(qid)
        question = words.find(instrument, qid)
        entry = {
            "id": qid,
            "text": words.question(instrument, qid),
            "answered": stats["answered"] if stats else 0,
            "chart": None,
            "legend": None,
        }
        found.append(entry)
        counted = question is None or question.type in results.DISTRIBUTED
        if not stats or not counted or not stats["answered"]:
            continue
        values = words.values(question, stats["values"])
        chart_id = f"q{number}-{instrument}-{wave}"
        if not visible:
            total = stats["answered"]
            top = max(stats["values"].values(), default=0) or 1
            bars = [
                charts.Bar(
                    words.value(question, v),
                    stats["values"].get(v, 0) / top,
                    f"{format_number(stats['values'].get(v, 0), ctx.language)} ({_percent(stats['values'].get(v, 0), total, ctx.language)})",
                )
                for v in values
            ]
            head = (ctx.t("results.answer"), ctx.t("results.count"))
            entry["chart"] = charts.bar_chart(chart_id, entry["text"], bars, ctx.t, ctx.rtl, head)
            continue
        groups = []
        for v in values:
            bars = []
            for name, bucket in visible:
                own = bucket["questions"].get(qid) or {"answered": 0, "values": {}}
                count, total = own["values"].get(v, 0), own["answered"]
                share = count / total if total else None
                bars.append(charts.Bar(name, share, _percent(count, total, ctx.language)))
            groups.append(charts.Group(words.value(question, v), tuple(bars)))
        series = [name for name, _ in visible]
        entry["chart"] = charts.grouped_bar_chart(
            chart_id, entry["text"], groups, series, ctx.t, ctx.rtl, ctx.t("results.answer")
        )
        entry["legend"] = charts.legend(series)
    return found


# -- refresh, export, dictionary -------------------------------------------------------------


@router.post("/results/refresh")
async def refresh_now(request: Request, ctx: Casework):
    svc = services(request)
    pressed = svc.clock()

    def recompute() -> None:
        # One computation at a time, however many press the button (it reads every answer):
        # whoever waited gets the one that finished after they pressed.
        with _REFRESHING:
            with transaction(svc.engine) as session:
                found = results.load_snapshot(session)
            if found is None or found.computed_at <= pressed:
                results.refresh(svc.engine, svc.content, svc.clock)

    await run_in_threadpool(recompute)
    form = await request.form()
    back = str(form.get("back") or "")
    if not back.startswith("/admin/results") or "//" in back or "\\" in back:
        back = "/admin/results"
    return RedirectResponse(back, status_code=303)


def _csv(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@router.get("/results/export.csv")
async def export(request: Request, ctx: Casework):
    svc = services(request)
    now = svc.clock()
    key = svc.settings.signing_key()

    def prepare() -> results_export.ExportPlan:
        with transaction(svc.engine) as session:
            plan = results_export.plan_export(session, people_condition(ctx.staff), ctx.is_admin)
            audit(session, staff_actor(ctx.staff.id), "results.export", None, now, rows=plan.rows)
            return plan

    plan = await run_in_threadpool(prepare)

    def lines() -> Iterator[str]:  # a sync generator: Starlette reads it in a worker thread
        yield _csv([results_export.EXPORT_COLUMNS])
        batch: list[tuple[str, ...]] = []
        for row in results_export.export_rows(svc.engine, plan, key):
            batch.append(row)
            if len(batch) >= 500:
                yield _csv(batch)
                batch = []
        if batch:
            yield _csv(batch)

    name = f"results-{now:%Y-%m-%d}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/results/dictionary.csv")
async def dictionary(request: Request, ctx: Casework):
    svc = services(request)

    def seen() -> set[str]:  # instruments with answers but no longer in a plan, if any
        with transaction(svc.engine) as session:
            found = results.load_snapshot(session)
        return set(found.data["order"]) if found else set()

    rows = results_export.dictionary_rows(svc.content, await run_in_threadpool(seen))
    return StreamingResponse(
        iter([_csv(rows)]),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="results-dictionary.csv"'},
    )
