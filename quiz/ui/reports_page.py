"""Reports page: weak topics, the spaced-review queue and downloads (CSV, XLSX, Markdown, HTML).

Functions:
    render()                              the page
    weak_topics_rows(weak, topic_label)   the weak-topic table as plain rows (pure)

The analytics live in ``quiz.reports``; this page only lays them out. The review queue comes from
the FSRS cards the store keeps (updated after every graded attempt); a history recorded before
cards existed is replayed with ``rebuild_cards`` so the queue is never silently empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from quiz.errors import StorageError
from quiz.ui import components, context, resources

__all__ = ["render", "weak_topics_rows"]

EXPORTS = (
    ("csv", "CSV", "text/csv", ":material/table:"),
    ("xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ":material/grid_on:"),
    ("md", "Markdown", "text/markdown", ":material/description:"),
    ("html", "HTML", "text/html", ":material/public:"),
)


def weak_topics_rows(weak: Sequence[Any], topic_label: Callable[[str], str]) -> list[dict[str, Any]]:
    """One row per ``WeakTopic``: label, mastery, status and counts, weakest first."""
    return [
        {
            "topic": topic_label(t.topic),
            "mastery": round(t.mastery, 1),
            "status": str(t.status),
            "attempts": t.attempts,
            "questions": t.questions,
        }
        for t in weak
    ]


MISSES_SHOWN = 3  # topics whose most-missed points are listed under the table
MISS_CHARS = 100


def _missed_points(weak: Sequence[Any], topic_label: Callable[[str], str]) -> None:
    """What the weakest topics' answers missed most: key points (shortened) and keywords."""
    shown = [t for t in weak if t.missed_points or t.missed_keywords][:MISSES_SHOWN]
    if not shown:
        return
    st.markdown("**What you missed most**")
    for t in shown:
        lines = [f"**{components.md_escape(topic_label(t.topic))}**"]
        for text, count in t.missed_points:
            short = text if len(text) <= MISS_CHARS else text[: MISS_CHARS - 1] + "…"
            lines.append(f"- {components.md_escape(short)} :gray[×{count}]")
        if t.missed_keywords:
            terms = ", ".join(components.md_escape(text) for text, _ in t.missed_keywords)
            lines.append(f"- :gray[keywords:] {terms}")
        st.markdown("\n".join(lines))


def _upcoming(cards: Sequence[tuple[str, str, Any]], bank: Any, now: Any, limit: int = 10) -> None:
    """The next reviews that are not due yet, soonest first."""
    later = sorted((due, qid) for qid, _card, due in cards if due > now)[:limit]
    if not later:
        return
    rows = [{"due": due, "question": bank.get(qid).text if qid in bank else qid} for due, qid in later]
    st.caption("Coming up")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"due": st.column_config.DatetimeColumn("due", format="YYYY-MM-DD HH:mm")},
    )


def _safe_name(user: str) -> str:
    """The profile name as a file-name part (profile names are free text)."""
    return re.sub(r"[^\w.-]+", "_", user).strip("._") or "user"


def _cards(store: Any, user: str, attempts: Sequence[Any]) -> list[tuple[str, str, Any]]:
    """The user's stored review cards; replayed from the history when none were stored yet."""
    from quiz.reports import rebuild_cards

    cards = [tuple(c) for c in store.review_cards(user)]
    if cards or not attempts:
        return cards
    return [(qid, card, due) for qid, (card, due) in rebuild_cards(attempts).items()]


def render() -> None:
    st.title("Reports")
    with context.guard("The Reports page"):
        settings = context.settings()
        bank = resources.bank(settings)
        store = resources.store(settings)
        if store is None:
            st.error(f"Reports need the attempt store: {resources.store_error()}", icon=":material/database:")
            return
        user = context.user()
        try:
            attempts = list(store.attempts(user=user))
            cards = _cards(store, user, attempts)
        except StorageError as exc:
            st.error(f"Reports are unavailable: {exc}", icon=":material/database:")
            return
        if not attempts:
            st.info(f"No attempts yet for **{components.md_escape(user)}** — practise first, then come back.")
            return
        from quiz import reports

        now = context.now()
        tab_weak, tab_review, tab_export = st.tabs(["Weak topics", "Review queue", "Download"])
        with tab_weak:
            weak = reports.weak_topics(attempts, bank, now)
            st.caption(
                "Topics ordered from weakest. Mastery weighs recent counted attempts (on time, graded) more."
            )
            if not weak:
                st.info("No graded attempt yet — weak topics appear after your first scored answer.")
            else:
                st.dataframe(
                    weak_topics_rows(weak, bank.topic_label),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "mastery": st.column_config.ProgressColumn(
                            "mastery", min_value=0, max_value=100, format="%.0f"
                        ),
                    },
                )
                _missed_points(weak, bank.topic_label)
        with tab_review:
            queue = reports.review_table(cards, bank, now)
            if queue.empty:
                st.success("Nothing is due for review right now.")
            else:
                st.caption(f"{len(queue)} question(s) due, most overdue first (spaced repetition with FSRS).")
                st.dataframe(
                    queue.drop(columns=["question_id"]),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "due_at": st.column_config.DatetimeColumn("due", format="YYYY-MM-DD HH:mm"),
                        "overdue_days": st.column_config.NumberColumn("overdue (days)", format="%.1f"),
                    },
                )
                st.page_link(
                    context.page("practice"),
                    label="Practise the due questions (choose “Due for review” under Choose questions)",
                    icon=":material/edit_note:",
                )
            _upcoming(cards, bank, now)
        with tab_export:
            st.caption("Your attempts and per-topic summary. Secrets (API keys) are never included.")
            cols = st.columns(len(EXPORTS))
            for col, (fmt, label, mime, icon) in zip(cols, EXPORTS, strict=True):
                data = reports.export(attempts, bank, fmt, now=now, cards=cards, user=user)
                col.download_button(
                    label,
                    data=data,
                    file_name=f"quiz-report-{_safe_name(user)}.{fmt}",
                    mime=mime,
                    icon=icon,
                    key=f"dl_{fmt}",
                    width="stretch",
                )
