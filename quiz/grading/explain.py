"""Feedback a candidate can act on, written from the grade's evidence without any LLM.

Functions:
    feedback_text(question_text, key_points, keywords, flags, score)
        "You explained X. You did not mention Y. Terms to use: A, B." in the question's language.
"""

from __future__ import annotations

from collections.abc import Sequence

from quiz.grading.normalize import cjk_share, strip_markdown
from quiz.models import KeyPointEvidence, KeywordEvidence

__all__ = ["feedback_text", "shorten"]

_MAX_POINTS = 3
_MAX_TERMS = 5

_FLAG_NOTES = {
    "zh": {
        "empty": "没有作答：请用自己的话写出你的回答。",
        "injection": "答案里写给评分器的话已被忽略，不计分，也会扣分；只有对问题的解释才能得分。",
        "echo": "只是复述了题目，没有回答。",
        "keyword_list": "只罗列了术语：请解释它们是什么、为什么、怎么起作用。",
        "off_topic": "回答的内容与这道题关系不大，请先确认题目问的是什么。",
        "truncated": "答案过长，只评了前面的部分。",
    },
    "en": {
        "empty": "No answer: write your answer in your own words.",
        "injection": "Text addressed to the grader was ignored and costs points; only explanations of the topic earn credit.",
        "echo": "This restates the question without answering it.",
        "keyword_list": "This lists terms without explaining them: say what they are, why and how they work.",
        "off_topic": "Most of this answer is about something else; check what the question asks.",
        "truncated": "The answer was too long; only its beginning was graded.",
    },
}


def shorten(text: str, limit: int = 48) -> str:
    """One line of at most ``limit`` characters, markdown removed."""
    flat = " ".join(strip_markdown(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def feedback_text(
    question_text: str,
    key_points: Sequence[KeyPointEvidence],
    keywords: Sequence[KeywordEvidence],
    flags: Sequence[str],
    score: float | None,
) -> str:
    """Two to four short sentences in the question's language: what was covered, what was missing, what to add."""
    zh = cjk_share(question_text) >= 0.3
    notes = _FLAG_NOTES["zh" if zh else "en"]
    parts = [notes[f] for f in flags if f in notes]
    if "empty" in flags:
        return " ".join(parts)
    covered = sorted((k for k in key_points if k.covered), key=lambda k: -k.similarity)[:_MAX_POINTS]
    missed = sorted((k for k in key_points if not k.covered), key=lambda k: (-k.weight, k.similarity))[:_MAX_POINTS]
    missing_terms = [k.term for k in keywords if not k.matched][:_MAX_TERMS]
    sep = "；" if zh else "; "
    if covered:
        listed = sep.join(shorten(k.key_point) for k in covered)
        parts.append(f"你讲到了：{listed}。" if zh else f"You explained: {listed}.")
    if missed:
        listed = sep.join(shorten(k.key_point) for k in missed)
        parts.append(f"还没有讲到：{listed}。" if zh else f"You did not cover: {listed}.")
    if missing_terms:
        listed = "、".join(missing_terms) if zh else ", ".join(missing_terms)
        parts.append(f"可以用上这些关键术语：{listed}。" if zh else f"Use these key terms: {listed}.")
    if not missed and not missing_terms and score is not None and score >= 85:
        parts.append("覆盖完整，继续保持。" if zh else "Complete answer; keep it up.")
    return " ".join(parts)
