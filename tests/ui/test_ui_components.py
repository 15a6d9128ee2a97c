"""Pure display helpers: evidence excerpts, flag names, the weak-topic and settings tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quiz.reports.mastery import MasteryStatus, WeakTopic
from quiz.settings import Settings
from quiz.ui.components import evidence_excerpt, flag_label
from quiz.ui.reports_page import weak_topics_rows
from quiz.ui.settings_page import settings_rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        ("", ""),
        ("one sentence.", "one sentence."),
        ("first.\nsecond.", "first. (+1 more sentence)"),
        ("first.\n\nsecond.\nthird.", "first. (+2 more sentences)"),
        ("注" * 200, "注" * 89 + "…"),
    ],
)
def test_evidence_excerpt_is_one_short_line(text: str | None, expected: str) -> None:
    assert evidence_excerpt(text) == expected


@pytest.mark.parametrize(
    ("flag", "label"),
    [("keyword_list", "only a list of terms"), ("off_topic", "mostly off topic"), ("new_flag", "new flag")],
)
def test_flags_have_reader_names(flag: str, label: str) -> None:
    assert flag_label(flag) == label


def test_weak_topic_rows_use_labels_and_keep_order() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    weak = [
        WeakTopic("attention", 12.34, MasteryStatus.LEARNING, 2, 1, (("softmax", 2),), (("Q", 1),), when),
        WeakTopic("fine-tuning", 80.0, MasteryStatus.SOLID, 3, 2, (), (), when),
    ]
    labels = {"attention": "注意力机制"}
    rows = weak_topics_rows(weak, lambda t: labels.get(t, t))
    assert rows == [
        {"topic": "注意力机制", "mastery": 12.3, "status": "learning", "attempts": 2, "questions": 1},
        {"topic": "fine-tuning", "mastery": 80.0, "status": "solid", "attempts": 3, "questions": 2},
    ]


def test_settings_rows_never_hold_the_api_key() -> None:
    rows = settings_rows(Settings(llm_api_key="sk-do-not-show", llm_base_url="http://x/v1", llm_model="m"))
    assert {r["setting"] for r in rows} >= {"embedding_model", "llm_base_url"}
    assert "llm_api_key" not in {r["setting"] for r in rows}
    assert all("sk-do-not-show" not in r["value"] for r in rows)
    assert all(r["meaning"] for r in rows)
