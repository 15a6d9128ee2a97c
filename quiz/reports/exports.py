"""Exports of one user's history: CSV, Excel, Markdown and (via ``html_report``) self-contained HTML.

Functions:
    to_csv(attempts, questions)                          bytes: one row per attempt (UTF-8 with BOM)
    to_xlsx(attempts, questions, now=None, cards=None)   bytes: sheets attempts, topics, weak_points,
                                                         questions, sessions
    to_markdown(attempts, questions, now=None, ...)      str: weakest topics, review queue, sessions
    export(attempts, questions, fmt, now=None, ...)      bytes in any of EXPORT_FORMATS (what the UI
                                                         feeds to st.download_button)

Exports hold attempt data and analytics only, never settings, so no API key can reach them.
Spreadsheet cells that start like a formula (``=``, ``+``, ``-``, ``@``) are defused: the CSV gets a
leading apostrophe (as spreadsheet programs expect), the XLSX stores them as plain text.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from quiz.models import Attempt
from quiz.reports import mastery
from quiz.reports.content import EMPTY_HINT, ReportContent, build_content, header_line

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXPORT_FORMATS", "export", "md_text", "to_csv", "to_markdown", "to_xlsx"]

EXPORT_FORMATS = ("csv", "xlsx", "md", "html")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cards = Iterable[tuple[str, str, datetime]] | None


def _defuse_csv(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(attempts: Sequence[Attempt], questions: Any) -> bytes:
    """One row per attempt, oldest first, UTF-8 with a BOM so spreadsheet programs read CJK text."""
    import pandas as pd

    frame = mastery.attempts_frame(attempts, questions)
    frame["submitted_at"] = frame["submitted_at"].map(lambda d: d.isoformat() if isinstance(d, datetime) else d)
    for column in frame.columns:
        # pandas 3 stores text as the "str" dtype, older versions as object: check both.
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_defuse_csv)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _cell_value(value: Any) -> Any:
    # Excel has no time zones: datetimes are written as naive UTC (column names say so).
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, float) and math.isnan(value):  # NaN -> empty cell
        return None
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _write_sheet(workbook: Any, title: str, frame: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = workbook.create_sheet(title)
    sheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        values = [_cell_value(v) for v in row]
        for i, value in enumerate(values):
            if isinstance(value, str) and value.startswith("="):
                # openpyxl would store user text such as "=HYPERLINK(...)" as a formula; keep it text.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                values[i] = cell
        sheet.append(values)


def weak_points_frame(weak: Sequence[mastery.WeakTopic]) -> pd.DataFrame:
    """Long table ``topic, kind (key point | keyword), text, misses`` in weakest-topic order."""
    import pandas as pd

    rows = [
        {"topic": t.topic, "kind": kind, "text": text, "misses": count}
        for t in weak
        for kind, items in (("key point", t.missed_points), ("keyword", t.missed_keywords))
        for text, count in items
    ]
    return pd.DataFrame(rows, columns=["topic", "kind", "text", "misses"])


def to_xlsx(
    attempts: Sequence[Attempt],
    questions: Any,
    now: datetime | None = None,
    cards: Cards = None,
    *,
    content: ReportContent | None = None,
) -> bytes:
    """An Excel workbook with sheets attempts, topics, weak_points, questions and sessions."""
    from openpyxl import Workbook

    content = content or build_content(attempts, questions, now, cards)
    workbook = Workbook(write_only=True)
    sessions = content.sessions.drop(columns=["started_at"])
    attempts_sheet = content.attempts.rename(columns={"submitted_at": "submitted_at_utc"})
    for title, frame in (
        ("attempts", attempts_sheet),
        ("topics", content.topics.rename(columns={"last_attempt_at": "last_attempt_at_utc"})),
        ("weak_points", weak_points_frame(content.weak_topics)),
        ("questions", content.questions.rename(columns={"last_attempt_at": "last_attempt_at_utc"})),
        ("sessions", sessions),
    ):
        _write_sheet(workbook, title, frame)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#"} | {"<": "&lt;", ">": "&gt;", "\n": " "})


def md_text(value: Any) -> str:
    """User or bank text made inert in Markdown: no emphasis, links, table breaks or raw HTML."""
    return str(value).translate(_MD_SPECIAL)


def _score(value: Any) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def _misses(items: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{md_text(text)} (×{count})" for text, count in items) or "none"


def to_markdown(
    attempts: Sequence[Attempt],
    questions: Any,
    now: datetime | None = None,
    cards: Cards = None,
    *,
    user: str | None = None,
    content: ReportContent | None = None,
) -> str:
    """A study report: weakest topics in order with what was missed, the review queue, session results."""
    content = content or build_content(attempts, questions, now, cards, user)
    title = f"# Study report{' — ' + md_text(content.user) if content.user else ''}"
    lines = [title, "", f"Generated for {content.now.astimezone(UTC):%Y-%m-%d %H:%M} UTC.", ""]
    if content.empty:
        return "\n".join([*lines, EMPTY_HINT, ""])
    lines += [header_line(content), "", "## Weakest topics first", ""]
    if not content.weak_topics:
        lines.append("No scored attempts yet (late and ungraded answers are not counted).")
    for i, topic in enumerate(content.weak_topics, 1):
        lines += [
            (
                f"{i}. **{md_text(topic.topic)}**: mastery {topic.mastery:.0f}/100 ({topic.status.value}), "
                f"{topic.attempts} counted attempts on {topic.questions} questions"
            ),
            f"   - Missed key points: {_misses(topic.missed_points)}",
            f"   - Missed keywords: {_misses(topic.missed_keywords)}",
        ]
    lines += ["", f"## Due for review ({len(content.due)})", ""]
    if len(content.due) == 0:
        lines.append("Nothing is due right now.")
    else:
        lines += ["| # | Question | Topics | Overdue (days) |", "|---|---|---|---|"]
        for i, row in enumerate(content.due.itertuples(index=False), 1):
            text = row.question or row.question_id
            lines.append(f"| {i} | {md_text(text)} | {md_text(row.topics)} | {row.overdue_days:.1f} |")
    lines += ["", "## Timed quizzes and mock interviews", ""]
    if len(content.sessions) == 0:
        lines.append("None yet.")
    else:
        lines += ["| Date | Kind | Questions | Mean score | Late |", "|---|---|---|---|---|"]
        for row in content.sessions.itertuples(index=False):
            lines.append(f"| {row.date} | {row.kind} | {row.questions} | {_score(row.mean_score)} | {row.late} |")
    lines += [
        "",
        "## How to read this",
        "",
        (
            f"Mastery is a recency-weighted mean score (half-life {mastery.HALF_LIFE_DAYS:g} days) over on-time, "
            f"graded attempts. *Mastered* needs at least {mastery.MASTERED_MIN_ATTEMPTS} counted attempts with "
            f"mastery and the latest score at or above {mastery.MASTERED_MIN_SCORE:g}. The review queue is "
            "scheduled with FSRS from your grades."
        ),
        "",
    ]
    return "\n".join(lines)


def export(
    attempts: Sequence[Attempt],
    questions: Any,
    fmt: str,
    now: datetime | None = None,
    cards: Cards = None,
    *,
    user: str | None = None,
) -> bytes:
    """The report in ``fmt`` (one of EXPORT_FORMATS) as bytes, ready for a file or a download button.

    Raises:
        ValueError: for an unknown format (a programming error: the UI and CLI offer only known ones).
    """
    if fmt == "csv":
        return to_csv(attempts, questions)
    if fmt == "xlsx":
        return to_xlsx(attempts, questions, now, cards)
    if fmt == "md":
        return to_markdown(attempts, questions, now, cards, user=user).encode("utf-8")
    if fmt == "html":
        from quiz.reports.html_report import to_html

        return to_html(attempts, questions, now, cards, user=user)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
