"""Pure helpers of the UI: markdown escaping, bank search, the history frame."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quiz.bank.bank import load_bank
from quiz.models import Attempt, Band, GradeResult, QuestionId, SessionKind
from quiz.ui.bank_browser import search
from quiz.ui.components import md_escape
from quiz.ui.history import attempts_frame

UI_BANK = Path(__file__).resolve().parent / "data" / "ui_bank.json"


@pytest.mark.parametrize(
    ("text", "must_not_contain"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ("![x](http://evil/x.png)", "!["),
        ("[click](javascript:alert(1))", "]("),
        (":red[shout] :material/home:", ":red["),
        ("**bold** _it_ `code`", "**"),
        ("$x^2$", "$x^2$"),
    ],
)
def test_md_escape_disarms_markdown_html_and_directives(text: str, must_not_contain: str) -> None:
    assert must_not_contain not in md_escape(text)


def test_md_escape_keeps_letters_emoji_rtl_and_chinese() -> None:
    text = "注意力 🙂 مرحبا abc"
    assert md_escape(text) == text


@pytest.mark.parametrize(
    ("query", "in_refs", "expected"),
    [
        ("微调", False, ["大模型微調時如何防止災難性遺忘？"]),
        ("災難", False, ["大模型微調時如何防止災難性遺忘？"]),
        ("SELF attention", False, ["什么是自注意力机制（Self-Attention）？"]),
        ("softmax", False, []),
        ("softmax", True, ["什么是自注意力机制（Self-Attention）？"]),
        ("", False, None),  # empty query: everything
    ],
)
def test_search_matches_across_scripts(query: str, in_refs: bool, expected: list[str] | None) -> None:
    bank = load_bank(UI_BANK)
    found = [q.text for q in search(bank.questions, query, in_references=in_refs)]
    assert found == (expected if expected is not None else [q.text for q in bank.questions])


def test_search_filters_by_topic_and_source() -> None:
    bank = load_bank(UI_BANK)
    assert [q.topics for q in search(bank.questions, "", topics=["fine-tuning"])] == [("fine-tuning",)]
    assert all("001_sample.md" in q.sources for q in search(bank.questions, "", sources=["001_sample.md"]))


def test_attempts_frame_has_one_row_per_attempt_newest_first() -> None:
    bank = load_bank(UI_BANK)
    qid = bank.questions[0].id
    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def attempt(i: int, score: float | None, late: bool = False) -> Attempt:
        grade = GradeResult(
            question_id=QuestionId(qid),
            score=score,
            band=Band.GOOD if score else Band.UNGRADED,
            components=None,
            key_points=(),
            keywords=(),
            feedback="",
            model="m",
            grader_version="1",
        )
        return Attempt(
            id=f"a{i}",
            user="u",
            question_id=QuestionId(qid),
            answer="x" * 500,
            grade=grade,
            started_at=t0 + timedelta(days=i),
            submitted_at=t0 + timedelta(days=i, minutes=1),
            session_kind=SessionKind.PRACTICE,
            late=late,
        )

    unknown = Attempt(
        id="gone",
        user="u",
        question_id=QuestionId("q-missing"),
        answer="",
        grade=None,
        started_at=t0,
        submitted_at=t0,
        session_kind=SessionKind.CLI,
    )
    frame = attempts_frame([attempt(0, 40.0), attempt(1, 80.0, late=True), unknown], bank)
    assert list(frame["id"]) == ["a1", "a0", "gone"]
    assert list(frame["counted"]) == [False, True, False]
    assert frame.loc[0, "answer"] == "x" * 200
    assert "not in the current bank" in frame.loc[2, "question"]
    json.dumps(frame.drop(columns=["submitted"]).to_dict(orient="records"))  # plain values only
