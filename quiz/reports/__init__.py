"""Reports: "what should I study tonight?" answered from attempt history. Plain functions, no Streamlit.

Modules:
    mastery      per-question / per-topic mastery, weak topics, trend, session summaries (pandas)
    review       FSRS spaced review: grade -> rating, card updates, the due queue
    content      ReportContent: the analytics every export shows, computed once
    exports      CSV, XLSX, Markdown and the ``export(attempts, questions, fmt)`` dispatcher
    html_report  self-contained HTML report (inline CSS + SVG from ``charts``)
    charts       inline SVG bar and line charts
    cli          ``python -m quiz report``
    bench        ``python -m quiz.reports.bench``: timing on a synthetic 10,000-attempt history

``questions`` arguments accept a ``Bank``, a mapping question_id -> Question, or a sequence of questions.
pandas, openpyxl and fsrs are imported inside the functions that need them.
"""

from __future__ import annotations

from quiz.reports.exports import EXPORT_FORMATS, export, to_csv, to_markdown, to_xlsx
from quiz.reports.html_report import to_html
from quiz.reports.mastery import (
    HALF_LIFE_DAYS,
    MasteryStatus,
    WeakTopic,
    attempts_frame,
    mastery_status,
    question_mastery,
    session_summaries,
    topic_mastery,
    topic_trend,
    weak_topics,
)
from quiz.reports.review import rating_for, rebuild_cards, review_queue, review_table, update_card

__all__ = [
    "EXPORT_FORMATS",
    "HALF_LIFE_DAYS",
    "MasteryStatus",
    "WeakTopic",
    "attempts_frame",
    "export",
    "mastery_status",
    "question_mastery",
    "rating_for",
    "rebuild_cards",
    "review_queue",
    "review_table",
    "session_summaries",
    "to_csv",
    "to_html",
    "to_markdown",
    "to_xlsx",
    "topic_mastery",
    "topic_trend",
    "update_card",
    "weak_topics",
]
