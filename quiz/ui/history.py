"""History & progress page: every attempt with filters, per-topic averages over time.

Functions:
    render()                          the page
    attempts_frame(attempts, bank)    one row per attempt (pure, testable)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import streamlit as st

from quiz.errors import QuestionNotFound, StorageError
from quiz.models import Attempt, Band, SessionKind
from quiz.ui import components, context, resources

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["attempts_frame", "render"]

# Shown columns, score first: a wide table is cut on the right, so what matters most comes first.
TABLE_COLUMNS = ["submitted", "score", "band", "question", "topic", "kind", "late", "counted", "answer"]


def attempts_frame(attempts: Sequence[Attempt], bank: Any) -> pd.DataFrame:
    """Attempts as a DataFrame: when, question, topics, kind, score, band, late, counted, answer preview."""
    import pandas as pd

    rows = []
    for a in attempts:
        try:
            question = bank.get(a.question_id)
            text, topics = question.text, list(question.topics)
        except QuestionNotFound:
            text, topics = f"(not in the current bank: {a.question_id})", []
        rows.append(
            {
                "id": a.id,
                "submitted": a.submitted_at,
                "question": text,
                "topics": topics,
                "topic": ", ".join(bank.topic_label(t) for t in topics) or "—",
                "kind": a.session_kind.value,
                "score": a.score,
                "band": a.grade.band.value if a.grade else Band.UNGRADED.value,
                "late": a.late,
                "counted": a.counted,
                "answer": a.answer[:200],
            }
        )
    columns = ["id", "submitted", "question", "topics", "topic", "kind", "score", "band", "late", "counted", "answer"]
    frame = pd.DataFrame(rows, columns=columns)
    if not frame.empty:
        frame = frame.sort_values("submitted", ascending=False, ignore_index=True)
    return frame


def _charts(frame: pd.DataFrame, bank: Any) -> None:
    counted = frame[frame["counted"]].explode("topics")
    counted = counted[counted["topics"].notna()]
    if counted.empty:
        st.caption("No scored attempts yet — charts appear after your first graded answer.")
        return
    import altair as alt

    counted = counted.assign(topic_label=counted["topics"].map(bank.topic_label), day=counted["submitted"].dt.date)
    left, right = st.columns(2)
    with left:
        st.markdown("**Average score by topic**")
        means = counted.groupby("topic_label", as_index=False)["score"].mean()
        bars = (
            alt.Chart(means)
            .mark_bar()
            .encode(
                x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="average score"),
                y=alt.Y("topic_label:N", sort="x", title=None, axis=alt.Axis(labelLimit=220)),
                tooltip=["topic_label:N", alt.Tooltip("score:Q", format=".0f")],
            )
            .properties(height=300)
        )
        st.altair_chart(bars, width="stretch")
    with right:
        st.markdown("**Average score by day and topic**")

        daily = counted.groupby(["day", "topic_label"], as_index=False)["score"].mean()
        daily["day"] = daily["day"].astype(str)
        chart = (
            alt.Chart(daily)
            .mark_line(point=True)
            .encode(
                x=alt.X("day:T", title=None),
                y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 100])),
                color=alt.Color("topic_label:N", title="topic"),
                tooltip=["day:T", "topic_label:N", alt.Tooltip("score:Q", format=".0f")],
            )
            .properties(height=300)
        )
        st.altair_chart(chart, width="stretch")


def render() -> None:
    st.title("History & progress")
    with context.guard("The History page"):
        settings = context.settings()
        bank = resources.bank(settings)
        store = resources.store(settings)
        if store is None:
            st.error(f"History is unavailable: {resources.store_error()}", icon=":material/database:")
            return
        try:
            attempts = list(store.attempts(user=context.user()))
        except StorageError as exc:
            st.error(f"History is unavailable: {exc}", icon=":material/database:")
            return
        st.page_link(context.page("reports"), label="Weak topics and review queue →", icon=":material/insights:")
        if not attempts:
            st.info(
                f"No attempts yet for **{components.md_escape(context.user())}**. Answer a question on the Practice page."
            )
            return
        frame = attempts_frame(attempts, bank)
        with st.container(border=True):
            c1, c2, c3, c4 = st.columns([2, 2, 2, 3])
            topics = sorted({t for ts in frame["topics"] for t in ts})
            chosen_topics = c1.multiselect(
                "Topic", topics, format_func=bank.topic_label, key="hist_topics", placeholder="All topics"
            )
            kinds = c2.multiselect("Kind", [k.value for k in SessionKind], key="hist_kinds", placeholder="All kinds")
            bands = c3.multiselect("Band", [b.value for b in Band], key="hist_bands", placeholder="All bands")
            first, last = frame["submitted"].min().date(), frame["submitted"].max().date()
            dates = c4.date_input("Dates", value=(first, last), key="hist_dates")
        shown = frame
        if chosen_topics:
            shown = shown[shown["topics"].map(lambda ts: bool(set(ts) & set(chosen_topics)))]
        if kinds:
            shown = shown[shown["kind"].isin(kinds)]
        if bands:
            shown = shown[shown["band"].isin(bands)]
        if isinstance(dates, tuple) and len(dates) == 2:
            start, end = dates
            day = shown["submitted"].dt.date
            shown = shown[(day >= start) & (day <= end)]
        counted = shown[shown["counted"]]
        m1, m2, m3 = st.columns(3)
        m1.metric("Attempts", len(shown))
        m2.metric("Average score", "—" if counted.empty else f"{counted['score'].mean():.0f}")
        m3.metric("Questions practised", shown["question"].nunique())
        _charts(shown, bank)
        st.dataframe(
            shown[TABLE_COLUMNS],
            hide_index=True,
            width="stretch",
            column_config={
                "submitted": st.column_config.DatetimeColumn("submitted", format="YYYY-MM-DD HH:mm"),
                "score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.0f"),
                "question": st.column_config.TextColumn("question", width="large"),
                "answer": st.column_config.TextColumn("answer (start)", width="medium"),
            },
        )
        if not shown.empty:
            chosen = st.selectbox(
                "Look at one attempt",
                shown["id"].tolist(),
                format_func=lambda i: _attempt_label(shown, i),
                key="hist_attempt",
            )
            attempt = next(a for a in attempts if a.id == chosen)
            with st.container(border=True):
                components.show_user_text(attempt.answer)
                if attempt.late:
                    st.warning("Submitted after the deadline: kept, but not counted.")
                if attempt.grade is not None:
                    components.show_grade(attempt.grade)


def _attempt_label(frame: pd.DataFrame, attempt_id: str) -> str:
    row = frame[frame["id"] == attempt_id].iloc[0]
    score = "—" if row["score"] is None or row["score"] != row["score"] else f"{row['score']:.0f}"
    when = row["submitted"] + timedelta(0)
    return f"{when:%Y-%m-%d %H:%M} · {score} · {row['question'][:60]}"
