"""Question bank page: search (Chinese or English, traditional or simplified), filter, read references and rubrics.

Functions:
    render()                              the page
    search(questions, query, topics, sources, in_references)   the matching questions (pure, testable)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import streamlit as st

from quiz.grading.normalize import match_key
from quiz.models import Question
from quiz.ui import components, context, resources

__all__ = ["render", "search"]

PAGE_SIZE = 20


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    return match_key(text)


def search(
    questions: Sequence[Question],
    query: str,
    *,
    topics: Sequence[str] = (),
    sources: Sequence[str] = (),
    in_references: bool = False,
) -> list[Question]:
    """Questions whose text (and optionally references) contain every word of ``query``.

    Matching uses ``match_key`` on both sides, so script (繁/简), width, case and punctuation do not matter.
    """
    words = [k for k in (_key(w) for w in query.split()) if k]
    wanted_topics, wanted_sources = set(topics), set(sources)
    found = []
    for q in questions:
        if wanted_topics and not wanted_topics.intersection(q.topics):
            continue
        if wanted_sources and not wanted_sources.intersection(q.sources):
            continue
        if words:
            haystack = _key(q.text)
            if in_references:
                haystack += "\n" + "\n".join(_key(r.text) for r in q.references)
            if not all(w in haystack for w in words):
                continue
        found.append(q)
    return found


def _show_rubric(question: Question) -> None:
    for i, ref in enumerate(question.references):
        rubric = ref.rubric
        if not rubric.key_points and not rubric.keywords:
            continue
        st.markdown(f"**Rubric {i + 1}** · {components.md_escape(ref.source)}")
        if rubric.key_points:
            st.markdown(
                "\n".join(f"- {components.md_escape(k.text)} :gray[(×{k.weight:g})]" for k in rubric.key_points)
            )
        if rubric.keywords:
            rows = [
                {
                    "keyword": k.term,
                    "aliases": ", ".join(k.aliases),
                    "weight": k.weight,
                    "required": k.required,
                }
                for k in rubric.keywords
            ]
            st.dataframe(rows, hide_index=True, width="stretch")


def _downloads(bank: Any) -> None:
    from quiz.bank.interchange import EXPORT_FORMATS, export_bank

    with st.popover("Download the bank", icon=":material/download:"):
        for fmt in EXPORT_FORMATS:
            st.download_button(
                fmt.upper(),
                data=export_bank(bank, fmt).encode("utf-8"),
                file_name=f"question-bank.{fmt}",
                mime={"csv": "text/csv", "json": "application/json"}.get(fmt, "application/x-ndjson"),
                key=f"bank_dl_{fmt}",
            )


def render() -> None:
    st.title("Question bank")
    with context.guard("The Question bank page"):
        bank = resources.bank(context.settings())
        questions = list(bank.questions)
        topics = sorted({t for q in questions for t in q.topics})
        sources = sorted({s for q in questions for s in q.sources})
        c1, c2, c3 = st.columns([3, 2, 2])
        query = c1.text_input("Search", placeholder="e.g. 注意力 / attention / 損失函數", key="bank_query")
        chosen_topics = c2.multiselect(
            "Topics", topics, key="bank_topics", placeholder="All topics", format_func=bank.topic_label
        )
        chosen_sources = c3.multiselect("Sources", sources, key="bank_sources", placeholder="All sources")
        in_refs = st.checkbox("Also search the reference answers", key="bank_in_refs")
        found = search(questions, query, topics=chosen_topics, sources=chosen_sources, in_references=in_refs)
        with_ref = sum(1 for q in questions if q.has_reference)
        st.caption(
            f"{len(found)} of {len(questions)} questions match · {with_ref} of {len(questions)} have a reference answer"
        )
        _downloads(bank)
        if not found:
            st.info("No question matches. Try fewer words or another script (繁/简 both work).")
            return
        pages = max(1, (len(found) + PAGE_SIZE - 1) // PAGE_SIZE)
        page = (
            st.number_input(
                f"Page (of {pages}, {PAGE_SIZE} per page)", min_value=1, max_value=pages, value=1, key="bank_page"
            )
            if pages > 1
            else 1
        )
        for q in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            label = q.text if len(q.text) <= 120 else q.text[:117] + "…"
            with st.expander(f"{label}  ·  {', '.join(bank.topic_label(t) for t in q.topics) or 'no topic'}"):
                st.caption(f"id `{q.id}` · difficulty {q.difficulty.value} · sources: {', '.join(q.sources) or '—'}")
                if len(q.text) > 120:
                    st.markdown(q.text)
                tab_ref, tab_rubric, tab_origin = st.tabs(["Reference", "Rubric", "Where asked"])
                with tab_ref:
                    components.show_references(q, flat=True)
                with tab_rubric:
                    _show_rubric(q)
                with tab_origin:
                    for o in q.origins:
                        st.caption(f"{o.source}:{o.line_start}-{o.line_end}")
                        st.text(o.question_text)
