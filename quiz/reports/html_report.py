"""Self-contained HTML study report: inline CSS and SVG, no scripts, readable offline and printable.

Functions:
    to_html(attempts, questions, now=None, cards=None, *, user=None, content=None) -> bytes (UTF-8)

The page is XHTML-compatible (every element closed, only XML entities) so tests parse it with
``xml.etree``; all user and bank text goes through ``html.escape``, so an answer such as
``<script>…</script>`` is shown as text and never run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from quiz.models import Attempt
from quiz.reports import charts, mastery
from quiz.reports.content import EMPTY_HINT, ReportContent, build_content, header_line

__all__ = ["to_html"]

TREND_SERIES = 4  # weakest topics drawn beside the overall line
RECENT_ATTEMPTS = 50  # rows of the "recent answers" table

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:960px;
padding:0 1rem;color:#111827;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #e5e7eb}
.muted{color:#6b7280}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f9fafb}
td.num{text-align:right;white-space:nowrap}.status{font-weight:600}
.learning{fill:#dc2626;color:#b91c1c}.shaky{fill:#d97706;color:#b45309}.solid{fill:#2563eb;color:#1d4ed8}
.mastered{fill:#16a34a;color:#15803d}.new{fill:#9ca3af;color:#6b7280}
.chart{max-width:100%;height:auto}.chart .grid{stroke:#e5e7eb}.chart .tick,.chart .value{font-size:11px;fill:#6b7280}
.chart .label{font-size:12px;fill:#111827}ol.weak li{margin-bottom:.6rem}.answer{white-space:pre-wrap;max-width:28rem}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}tr,li,svg{break-inside:avoid}
a{color:inherit;text-decoration:none}}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _num(value: Any, digits: int = 0) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: frozenset[int] = frozenset()) -> str:
    """``rows`` hold already-escaped cell HTML; columns in ``numeric`` are right-aligned."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _misses(items: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{_e(text)} (×{count})" for text, count in items) or '<span class="muted">none</span>'


def _weak_section(content: ReportContent) -> str:
    if not content.weak_topics:
        return "<p>No scored attempts yet (late and ungraded answers are not counted).</p>"
    bars = charts.bar_chart([(t.topic, t.mastery, t.status.value) for t in content.weak_topics])
    items = "".join(
        f"<li><strong>{_e(t.topic)}</strong>: mastery {t.mastery:.0f}/100 "
        f'<span class="status {_e(t.status.value)}">{_e(t.status.value)}</span>, '
        f"{t.attempts} counted attempts on {t.questions} questions"
        f"<br/>Missed key points: {_misses(t.missed_points)}"
        f"<br/>Missed keywords: {_misses(t.missed_keywords)}</li>"
        for t in content.weak_topics
    )
    return f'{bars}<ol class="weak">{items}</ol>'


def _trend_chart(content: ReportContent) -> str:
    trend = content.trend
    series: dict[str, list[tuple[Any, float]]] = {}
    if len(trend):
        weighted = (trend["mean_score"] * trend["attempts"]).groupby(trend["period"]).sum()
        totals = trend.groupby("period")["attempts"].sum()
        # Attempts with several topics count once per topic here; the overall line is still a fair average.
        series["all topics"] = [(p, float(weighted[p] / totals[p])) for p in totals.index]
        for topic in [t.topic for t in content.weak_topics[:TREND_SERIES]]:
            rows = trend[trend["topic"] == topic]
            series[topic] = list(zip(rows["period"], rows["mean_score"].astype(float), strict=True))
    return charts.line_chart(series, title="Mean score per week")


def _due_section(content: ReportContent) -> str:
    if len(content.due) == 0:
        return "<p>Nothing is due right now.</p>"
    rows = (
        (str(i), _e(r.question or r.question_id), _e(r.topics), _num(r.overdue_days, 1))
        for i, r in enumerate(content.due.itertuples(index=False), 1)
    )
    return _table(("#", "Question", "Topics", "Overdue (days)"), rows, frozenset({0, 3}))


def _sessions_section(content: ReportContent) -> str:
    if len(content.sessions) == 0:
        return "<p>None yet.</p>"
    rows = (
        (_e(r.date), _e(r.kind), str(r.questions), _num(r.mean_score), str(r.late))
        for r in content.sessions.itertuples(index=False)
    )
    return _table(("Date", "Kind", "Questions", "Mean score", "Late"), rows, frozenset({2, 3, 4}))


def _recent_section(content: ReportContent) -> str:
    recent = content.attempts.tail(RECENT_ATTEMPTS).iloc[::-1]
    rows = (
        (
            _e(r.submitted_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
            _e(r.question or r.question_id),
            _num(r.score),
            _e(r.band) + (" (late)" if r.late else ""),
            f'<div class="answer">{_e(r.answer)}</div>',
        )
        for r in recent.itertuples(index=False)
    )
    return _table(("Submitted (UTC)", "Question", "Score", "Band", "Answer"), rows, frozenset({2}))


def to_html(
    attempts: Sequence[Attempt],
    questions: Any,
    now: datetime | None = None,
    cards: Iterable[tuple[str, str, datetime]] | None = None,
    *,
    user: str | None = None,
    content: ReportContent | None = None,
) -> bytes:
    """The whole report as one UTF-8 HTML document (see the module docstring)."""
    content = content or build_content(attempts, questions, now, cards, user)
    who = f" — {_e(content.user)}" if content.user else ""
    parts = [
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>Study report{who}</title><style>{_CSS}</style></head><body>",
        f"<h1>Study report{who}</h1>",
        f'<p class="muted">Generated for {content.now.astimezone(UTC):%Y-%m-%d %H:%M} UTC.</p>',
    ]
    if content.empty:
        parts.append(f"<p>{_e(EMPTY_HINT)}</p>")
    else:
        parts += [
            f"<p>{_e(header_line(content))}</p>",
            "<h2>Weakest topics first</h2>",
            _weak_section(content),
            "<h2>Trend</h2>",
            _trend_chart(content),
            f"<h2>Due for review ({len(content.due)})</h2>",
            _due_section(content),
            "<h2>Timed quizzes and mock interviews</h2>",
            _sessions_section(content),
            f"<h2>Recent answers (last {min(RECENT_ATTEMPTS, len(content.attempts))})</h2>",
            _recent_section(content),
            (
                f'<p class="muted">Mastery is a recency-weighted mean score (half-life {mastery.HALF_LIFE_DAYS:g} days) '
                f"over on-time, graded attempts; mastered needs at least {mastery.MASTERED_MIN_ATTEMPTS} counted "
                f"attempts with mastery and the latest score at or above {mastery.MASTERED_MIN_SCORE:g}. "
                "Review dates come from FSRS.</p>"
            ),
        ]
    parts.append("</body></html>\n")
    return "".join(parts).encode("utf-8")
