"""LLMFeedback records, their markdown form, and the score blend."""

from __future__ import annotations

import math

import pytest

from quiz.feedback import LLMFeedback, blended_score
from quiz.feedback.records import parse_markdown_feedback, section_titles


@pytest.mark.parametrize(
    ("local", "llm", "blend", "expected"),
    [
        (60.0, 80.0, 0.0, 60.0),  # default: shown beside only
        (60.0, 80.0, 0.25, 65.0),
        (60.0, 80.0, 0.5, 70.0),
        (60.0, 80.0, 1.0, 80.0),
        (60.0, None, 0.5, 60.0),  # no LLM score: the local score stands
        (None, 80.0, 0.5, None),  # no reference, no score: the LLM does not invent one
        (100.0, 100.0, 0.3, 100.0),
        (0.0, 0.0, 0.7, 0.0),
        (40.0, float("nan"), 0.5, 40.0),
    ],
)
def test_blended_score(local: float | None, llm: float | None, blend: float, expected: float | None) -> None:
    result = blended_score(local, llm, blend)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize("blend", [-0.1, 1.5, float("nan")])
def test_blended_score_rejects_bad_blend(blend: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        blended_score(50.0, 50.0, blend)


def test_blended_score_clamps_to_scale() -> None:
    assert blended_score(100.0, 150.0, 0.5) == 100.0
    assert not math.isnan(blended_score(10.0, 20.0, 0.5) or math.nan)


RECORDS = [
    LLMFeedback(("uses softmax", "mentions variance"), ("no sqrt(d_k) reason",), "Dot products grow…", 72.0, "en", "m"),
    LLMFeedback(("提到了 softmax",), ("没有说明方差",), "点积的方差随维度增大……\n\n第二段。", 40.0, "zh", "qwen"),
    LLMFeedback((), ("everything",), "", None, "en", "m"),
]


@pytest.mark.parametrize("record", RECORDS)
def test_dict_round_trip(record: LLMFeedback) -> None:
    assert LLMFeedback.from_dict(record.to_dict()) == record


@pytest.mark.parametrize("record", RECORDS)
def test_markdown_round_trip(record: LLMFeedback) -> None:
    text = record.as_markdown()
    assert text.startswith("### " + section_titles(record.language)[0])
    assert parse_markdown_feedback(text, language=record.language, model=record.model) == record


def test_markdown_is_in_the_feedback_language() -> None:
    text = RECORDS[1].as_markdown()
    for title in section_titles("zh"):
        assert f"### {title}" in text
    assert "40/100" in text


def test_parse_markdown_tolerates_model_variations() -> None:
    text = (
        "Here is my review.\n\n## **What you got right:**\n* softmax\n1. variance\n\n"
        "## What is missing or wrong\n- none\n\n### A stronger answer\nScale by sqrt(d_k).\n\n"
        "### LLM score\nScore: 85 / 100\n"
    )
    record = parse_markdown_feedback(text, language="en", model="m")
    assert record == LLMFeedback(("softmax", "variance"), (), "Scale by sqrt(d_k).", 85.0, "en", "m")


@pytest.mark.parametrize("text", ["", "Just prose without headings.", "### Something else\n- a"])
def test_parse_markdown_without_sections_is_none(text: str) -> None:
    assert parse_markdown_feedback(text, language="en", model="m") is None


def test_out_of_range_markdown_score_is_dropped() -> None:
    text = "### What you got right\n- a\n### LLM score\n250/100\n"
    record = parse_markdown_feedback(text, language="en", model="m")
    assert record is not None and record.llm_score is None
