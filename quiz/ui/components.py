"""Small rendering helpers shared by the pages.

Functions:
    md_escape(text)                    escape user text so markdown/HTML in it is shown literally
    md_safe(text)                      escape links, images, HTML and math in generated text, keep light markdown
    band_badge(band)                   a coloured badge for a grade band
    show_user_text(text, label)        show an answer exactly as typed (never interpreted)
    prepare_answer(text, settings)     validate an answer: (text for grading, notices) or None when empty
    show_grade(grade, question)        score, band, flags, evidence (feedback text where no evidence is shown)
    flag_label(flag)                   a reader's name for a grading flag ("keyword_list" -> "only a list of terms")
    evidence_excerpt(text)             one readable line of the answer passage that matched a key point
    show_references(question, ...)     the reference answer(s) as markdown, one expander per source
    question_header(question)          question text, topics, difficulty
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from quiz.models import Band, GradeResult, Question
from quiz.settings import Settings

__all__ = [
    "BAND_COLORS",
    "band_badge",
    "evidence_excerpt",
    "flag_label",
    "md_escape",
    "md_safe",
    "prepare_answer",
    "question_header",
    "show_grade",
    "show_references",
    "show_user_text",
]


BAND_COLORS: dict[Band, str] = {
    Band.EXCELLENT: "green",
    Band.GOOD: "blue",
    Band.PARTIAL: "orange",
    Band.WEAK: "red",
    Band.MISS: "red",
    Band.UNGRADED: "gray",
}

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all also
# disarms Streamlit's own directives (":red[...]", ":material/...:") and "$" math.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@/])")


def md_escape(text: str) -> str:
    """Escape ``text`` so ``st.markdown`` shows it literally (no links, images, HTML, emphasis, math)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\n", "  \n")


# Only what lets text pull in links, images, raw HTML or math; headings, lists and emphasis still render.
_MD_LINKS_HTML = re.compile(r"([\\\[\]<>$])")


def md_safe(text: str) -> str:
    """Escape the link, image, HTML and math syntax of generated text while keeping its light markdown."""
    return _MD_LINKS_HTML.sub(r"\\\1", text)


def band_badge(band: Band) -> str:
    """Markdown for a coloured badge naming the band."""
    return f":{BAND_COLORS.get(band, 'gray')}-badge[{band.value.upper()}]"


def show_user_text(text: str, label: str = "Your answer", *, max_chars: int = 4000) -> None:
    """Show an answer exactly as typed; long ones are cut for display with a note (the stored text is full)."""
    shown = text if len(text) <= max_chars else text[:max_chars]
    st.caption(label)
    st.text(shown)
    if len(text) > max_chars:
        st.caption(f"… {len(text) - max_chars:,} more characters not shown.")


def prepare_answer(text: str, settings: Settings) -> tuple[str, list[str]] | None:
    """Return (text to grade, notices), or None when the answer is empty (a warning is shown)."""
    if not text or not text.strip():
        st.warning(
            "Your answer is empty — type something before submitting. Nothing was graded.", icon=":material/edit:"
        )
        return None
    notices: list[str] = []
    graded = text
    if len(text) > settings.max_answer_chars:
        graded = text[: settings.max_answer_chars]
        notices.append(
            f"Your answer has {len(text):,} characters; only the first {settings.max_answer_chars:,} were graded "
            "(the full text is saved)."
        )
    return graded, notices


def question_header(question: Question, *, number: str | None = None, topic_label: Callable[[str], str] = str) -> None:
    """The question text (as markdown from the bank) with its topics and difficulty."""
    prefix = f"{number} " if number else ""
    st.markdown(f"#### {prefix}{question.text}")
    tags = " ".join(f":violet-badge[{md_escape(topic_label(t))}]" for t in question.topics)
    st.markdown(
        f"{tags} :gray-badge[{question.difficulty.value}]"
        + ("" if question.has_reference else " :orange-badge[no reference]")
    )


def show_grade(grade: GradeResult, question: Question | None = None, *, compact: bool = False) -> None:
    """Score and band, then the evidence: covered/missed key points, keywords and feedback."""
    cols = st.columns([1, 3])
    with cols[0]:
        if grade.score is None:
            st.metric("Score", "—")
        else:
            st.metric("Score", f"{grade.score:.0f} / 100")
    with cols[1]:
        st.markdown(band_badge(grade.band))
        if grade.components is not None:
            c = grade.components
            st.caption(
                f"key points {c.semantic:.0%} · keywords {c.keyword:.0%} · on topic {c.relevance:.0%}"
                + ("".join(f" · −{v:.0f} {k}" for k, v in c.penalties.items()) if c.penalties else "")
            )
        if grade.reason:
            st.caption(md_escape(grade.reason))
    if grade.flags:
        st.markdown(" ".join(f":orange-badge[:material/flag: {md_escape(flag_label(f))}]" for f in grade.flags))
    covered, missed = grade.covered_key_points, grade.missed_key_points
    # The feedback text restates the evidence shown below; alone it matters when there is no evidence
    # to show (compact views, flagged or empty answers), where it carries the flag's advice.
    if grade.feedback and (compact or grade.flags or not (covered or missed)):
        st.info(md_escape(grade.feedback), icon=":material/lightbulb:")
    if compact:
        return
    if covered or missed:
        left, right = st.columns(2)
        with left:
            st.markdown(f"**Covered key points ({len(covered)})**")
            for kp in covered:
                st.markdown(f":green[✔] {md_escape(kp.key_point)}")
                excerpt = evidence_excerpt(kp.answer_sentence)
                st.caption(f"{kp.similarity:.0%}" + (f" · matched by “{md_escape(excerpt)}”" if excerpt else ""))
        with right:
            st.markdown(f"**Missing key points ({len(missed)})**")
            for kp in missed:
                st.markdown(f":red[✘] {md_escape(kp.key_point)}")
                st.caption(f"best match {kp.similarity:.0%}")
    if grade.keywords:
        matched = [k.term for k in grade.keywords if k.matched]
        missing = [k.term + (" (required)" if k.required else "") for k in grade.missed_keywords]
        st.markdown(
            "**Keywords** — used: "
            + (", ".join(f":green[{md_escape(t)}]" for t in matched) or "none")
            + " · missing: "
            + (", ".join(f":red[{md_escape(t)}]" for t in missing) or "none")
        )


FLAG_LABELS = {
    "empty": "empty answer",
    "echo": "restates the question",
    "keyword_list": "only a list of terms",
    "injection": "instructions to the grader (ignored)",
    "off_topic": "mostly off topic",
    "truncated": "only the beginning was graded",
}


def flag_label(flag: str) -> str:
    """A reader's name for a grading flag (unknown flags are shown with spaces for underscores)."""
    return FLAG_LABELS.get(flag, flag.replace("_", " "))


EVIDENCE_CHARS = 90


def evidence_excerpt(text: str | None, limit: int = EVIDENCE_CHARS) -> str:
    """The start of the answer passage that matched a key point, on one line.

    The grader may match a pair of sentences or the whole answer; the first sentence and a count of
    the rest keep the evidence readable beside the key point.
    """
    if not text:
        return ""
    parts = [p.strip() for p in re.split(r"\n+", text.strip()) if p.strip()]
    first = parts[0] if parts else ""
    if len(first) > limit:
        first = first[: limit - 1].rstrip() + "…"
    more = len(parts) - 1
    return first + (f" (+{more} more sentence{'s' if more > 1 else ''})" if more else "")


def show_references(
    question: Question, *, best_index: int | None = None, expanded: bool = False, flat: bool = False
) -> None:
    """Each reference answer rendered as markdown, in its own expander titled by source and lines.

    ``flat`` draws bordered containers instead, for use inside another expander (Streamlit forbids nesting).
    """
    if not question.references:
        st.caption("This question has no reference answer in the bank.")
        return
    for i, ref in enumerate(question.references):
        title = f"Reference answer — {ref.source}:{ref.line_start}-{ref.line_end}"
        if best_index == i and len(question.references) > 1:
            title += " (closest to your answer)"
        if flat:
            with st.container(border=True):
                st.caption(title)
                st.markdown(ref.text)
        else:
            with st.expander(title, expanded=expanded):
                st.markdown(ref.text)
