"""Reports page: weak topics, the spaced-review queue and downloads (CSV, XLSX, Markdown, HTML).

Functions:
    render()   the page

The analytics live in ``quiz.reports``; this page only lays them out.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from quiz.errors import StorageError
from quiz.ui import components, context, resources

__all__ = ["render"]

EXPORTS = (
    ("csv", "CSV", "text/csv", ":material/table:"),
    ("xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ":material/grid_on:"),
    ("md", "Markdown", "text/markdown", ":material/description:"),
    ("html", "HTML", "text/html", ":material/public:"),
)


def _reports() -> Any:
    """``quiz.reports``, or None when this install lacks the analytics (the page then says so)."""
    try:
        from quiz import reports
    except ImportError:
        return None
    needed = ("weak_topics", "review_queue", "export")
    return reports if all(hasattr(reports, name) for name in needed) else None


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
            cards = list(store.review_cards(user))
        except StorageError as exc:
            st.error(f"Reports are unavailable: {exc}", icon=":material/database:")
            return
        if not attempts:
            st.info(f"No attempts yet for **{components.md_escape(user)}** — practise first, then come back.")
            return
        reports = _reports()
        if reports is None:
            st.info("The analytics module (quiz.reports) is not available in this install.")
            return
        now = context.now()
        tab_weak, tab_review, tab_export = st.tabs(["Weak topics", "Review queue", "Download"])
        with tab_weak:
            weak = reports.weak_topics(attempts, bank)
            st.caption("Topics ordered from weakest; only counted attempts (on time, graded) are used.")
            st.dataframe(weak, hide_index=True, width="stretch")
        with tab_review:
            queue = reports.review_queue(cards, bank, now=now)
            if len(queue) == 0:
                st.success("Nothing is due for review right now.")
            else:
                st.dataframe(queue, hide_index=True, width="stretch")
                st.page_link(
                    context.page("practice"),
                    label="Practise the due questions (choose “Due for review”)",
                    icon=":material/edit_note:",
                )
        with tab_export:
            st.caption("Your attempts and per-topic summary. Secrets (API keys) are never included.")
            cols = st.columns(len(EXPORTS))
            for col, (fmt, label, mime, icon) in zip(cols, EXPORTS, strict=True):
                data = reports.export(attempts, bank, fmt)
                col.download_button(
                    label,
                    data=data,
                    file_name=f"quiz-report-{user}.{fmt}",
                    mime=mime,
                    icon=icon,
                    key=f"dl_{fmt}",
                    width="stretch",
                )
