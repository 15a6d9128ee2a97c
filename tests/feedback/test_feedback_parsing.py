"""Reading JSON out of model replies: plain, fenced, inside prose, after <think>; and validating it."""

from __future__ import annotations

import json

import pytest

from quiz.feedback.parsing import extract_json_object, feedback_from_reply

GOOD = {"covered": ["a"], "missing": ["b"], "improved_answer": "c", "score": 70}


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(GOOD),
        "```json\n" + json.dumps(GOOD, indent=2) + "\n```",
        "Sure, here you go:\n```\n" + json.dumps(GOOD) + "\n```\nHope it helps.",
        "My assessment: " + json.dumps(GOOD) + " -- end.",
        "<think>The user wants {json}... let me think {about} it.</think>\n" + json.dumps(GOOD),
        "Prefix {not json} then " + json.dumps(GOOD),
    ],
)
def test_extract_json_object_finds_the_object(text: str) -> None:
    assert extract_json_object(text) == GOOD


def test_braces_inside_strings_do_not_confuse_the_scanner() -> None:
    data = {"covered": ["uses {braces} and \"quotes\""], "missing": [], "improved_answer": "x = {a: 1}", "score": 5}
    assert extract_json_object("Result: " + json.dumps(data) + " trailing }") == data


@pytest.mark.parametrize("text", ["", "no json here", "[1, 2, 3]", "{broken: json", "```json\n{oops\n```"])
def test_extract_json_object_none(text: str) -> None:
    assert extract_json_object(text) is None


@pytest.mark.parametrize(
    ("data", "expected_score"),
    [
        (GOOD, 70.0),
        ({**GOOD, "score": "85/100"}, 85.0),
        ({**GOOD, "score": 0}, 0.0),
        ({"covered": "- a\n- b", "missing": [], "improved_answer": "c"}, None),  # list as text; no score
        ({"covered": [{"point": "a"}], "missing": [], "improved_answer": "c", "llm_score": 33.5}, 33.5),
    ],
)
def test_feedback_from_reply_valid(data: dict[str, object], expected_score: float | None) -> None:
    record = feedback_from_reply(json.dumps(data), language="en", model="m")
    assert record is not None
    assert record.llm_score == expected_score
    assert record.covered and record.covered[0] == "a"


@pytest.mark.parametrize(
    "data",
    [
        {"answer": "hello"},  # none of the expected keys
        {**GOOD, "score": 150},
        {**GOOD, "score": -3},
        {**GOOD, "score": "excellent"},
        {**GOOD, "score": True},
        {**GOOD, "covered": 5},
        {**GOOD, "improved_answer": ["not", "a", "string"]},
    ],
)
def test_feedback_from_reply_invalid(data: dict[str, object]) -> None:
    assert feedback_from_reply(json.dumps(data), language="en", model="m") is None
