"""Golden tests of the mastery analytics on the hand-written history in conftest.py (numbers worked by hand)."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import date, timedelta

import pytest

from quiz.models import SessionKind
from quiz.reports import mastery
from quiz.reports.mastery import NOT_IN_BANK, UNTAGGED, MasteryStatus, mastery_status, recency_weight


def test_recency_weight_halves_every_half_life(now):
    assert recency_weight(now, now) == 1.0
    assert recency_weight(now - timedelta(days=14), now) == pytest.approx(0.5)
    assert recency_weight(now - timedelta(days=28), now) == pytest.approx(0.25)
    assert recency_weight(now + timedelta(days=3), now) == 1.0  # a clock skew never weighs more than today


@pytest.mark.parametrize(
    ("mastery_value", "counted", "last", "expected"),
    [
        (None, 0, None, MasteryStatus.NEW),
        (100.0, 1, 100.0, MasteryStatus.SOLID),  # one lucky answer is not mastery
        (95.0, 2, 95.0, MasteryStatus.SOLID),
        (90.0, 3, 90.0, MasteryStatus.MASTERED),
        (90.0, 3, 60.0, MasteryStatus.SOLID),  # the latest answer slipped
        (84.9, 5, 90.0, MasteryStatus.SOLID),
        (70.0, 1, 70.0, MasteryStatus.SOLID),
        (69.9, 4, 69.9, MasteryStatus.SHAKY),
        (50.0, 1, 50.0, MasteryStatus.SHAKY),
        (49.9, 9, 49.9, MasteryStatus.LEARNING),
    ],
)
def test_mastery_status_rule(mastery_value, counted, last, expected):
    assert mastery_status(mastery_value, counted, last) is expected


def test_question_mastery_golden(history, questions, now):
    frame = mastery.question_mastery(history, questions, now)
    assert list(frame["question_id"]) == ["q-misc", "q-gone", "q-attn", "q-kv", "q-lora"]
    rows = frame.set_index("question_id")
    # q-attn: 40 two weeks ago (weight 0.5) and 80 now (weight 1); the late 100 is ignored.
    assert rows.loc["q-attn", "mastery"] == pytest.approx((0.5 * 40 + 80) / 1.5)
    assert rows.loc["q-attn", ["attempts", "total_attempts"]].tolist() == [2, 3]
    assert rows.loc["q-attn", "status"] == "shaky"
    assert rows.loc["q-kv", "mastery"] == pytest.approx(90.0)
    assert rows.loc["q-kv", "status"] == "mastered"
    assert rows.loc["q-lora", ["attempts", "total_attempts"]].tolist() == [1, 2]  # the ungraded one is listed only
    assert rows.loc["q-lora", "status"] == "solid"
    assert rows.loc["q-misc", "status"] == "learning"
    assert rows.loc["q-gone", "topics"] == NOT_IN_BANK
    assert rows.loc["q-misc", "topics"] == UNTAGGED
    assert rows.loc["q-attn", "question"] == "What is attention?"


def test_topic_mastery_golden_weakest_first(history, questions, now):
    frame = mastery.topic_mastery(history, questions, now)
    assert list(frame["topic"]) == [UNTAGGED, NOT_IN_BANK, "attention", "efficiency", "fine-tuning"]
    rows = frame.set_index("topic")
    # A topic's mastery is the mean of its questions' masteries: (66.67 + 90) / 2.
    assert rows.loc["attention", "mastery"] == pytest.approx(((0.5 * 40 + 80) / 1.5 + 90) / 2)
    assert rows.loc["attention", ["attempts", "total_attempts", "questions"]].tolist() == [5, 6, 2]
    assert rows.loc["attention", "last_score"] == 80.0  # a2, at NOW, is the latest counted one
    assert rows.loc["attention", "status"] == "solid"
    assert rows.loc["efficiency", "mastery"] == pytest.approx(90.0)
    assert rows.loc["efficiency", "status"] == "mastered"
    assert rows.loc["fine-tuning", "mastery"] == pytest.approx(95.0)
    assert rows.loc["fine-tuning", "status"] == "solid"
    assert rows.loc[UNTAGGED, "mastery"] == pytest.approx(20.0)


def test_weak_topics_golden_missed_points_and_keywords(history, questions, now):
    weak = mastery.weak_topics(history, questions, now)
    assert [t.topic for t in weak] == [UNTAGGED, NOT_IN_BANK, "attention", "efficiency", "fine-tuning"]
    attention = weak[2]
    assert attention.mastery == pytest.approx(78.3333, abs=1e-3)
    assert attention.status is MasteryStatus.SOLID
    assert (attention.attempts, attention.questions) == (5, 2)
    # Counted attempts only (the late a3 missed "late-only point"); ties in alphabetical order.
    assert attention.missed_points == (
        ("weighted sum of values", 2),
        ("cache grows with sequence length", 1),
        ("softmax of scaled dot products", 1),
    )
    assert attention.missed_keywords == (("kv cache", 2), ("query", 2), ("softmax", 1))
    assert weak[3].missed_points == (("cache grows with sequence length", 1),)
    assert weak[3].missed_keywords == (("kv cache", 2),)
    assert weak[4].missed_points == ()
    assert [t.topic for t in mastery.weak_topics(history, questions, now, limit=2)] == [UNTAGGED, NOT_IN_BANK]
    assert mastery.weak_topics(history, questions, now, top_misses=1)[2].missed_points == (
        ("weighted sum of values", 2),
    )


def test_mastery_decays_with_injected_clock(history, questions, now):
    later = now + timedelta(days=14)
    frame = mastery.question_mastery(history, questions, later).set_index("question_id")
    # Weights become 0.25 (40, 28 days old) and 0.5 (80, 14 days old): the ratio, hence the mean, is unchanged.
    assert frame.loc["q-attn", "mastery"] == pytest.approx((0.25 * 40 + 0.5 * 80) / 0.75)
    # When now is omitted, the latest submission is used.
    default = mastery.question_mastery(history, questions).set_index("question_id")
    assert default.loc["q-attn", "mastery"] == pytest.approx((0.5 * 40 + 80) / 1.5)


def test_topic_trend_weekly_and_daily(history, questions):
    weekly = mastery.topic_trend(history, questions, "W")
    attention = weekly[weekly["topic"] == "attention"]
    assert list(attention["period"]) == [date(2025, 2, 10), date(2025, 2, 24), date(2025, 3, 10)]  # Mondays
    assert list(attention["mean_score"]) == pytest.approx([90.0, 65.0, 85.0])
    assert list(attention["attempts"]) == [1, 2, 2]
    daily = mastery.topic_trend(history, questions, "D")
    lora = daily[daily["topic"] == "fine-tuning"]
    assert list(lora["period"]) == [date(2025, 3, 8)] and list(lora["mean_score"]) == [95.0]
    with pytest.raises(ValueError, match="freq"):
        mastery.topic_trend(history, questions, "M")


def test_session_summaries(history):
    frame = mastery.session_summaries(history)
    assert list(frame["session_id"]) == ["t1", "m1"]  # oldest first
    t1, m1 = frame.to_dict("records")
    assert (t1["kind"], t1["date"], t1["questions"], t1["counted"], t1["late"], t1["ungraded"]) == (
        "timed",
        "2025-03-14",
        2,
        0,
        1,
        1,
    )
    assert math.isnan(t1["mean_score"])
    assert (m1["kind"], m1["date"], m1["questions"], m1["late"]) == ("mock", "2025-03-15", 3, 0)
    assert m1["mean_score"] == pytest.approx((80 + 90 + 60) / 3)
    assert len(mastery.session_summaries(history, kinds=(SessionKind.PRACTICE,))) == 0


def test_attempts_frame_one_row_per_attempt(history, questions):
    frame = mastery.attempts_frame(history, questions)
    assert len(frame) == len(history)
    assert list(frame["attempt_id"])[:2] == ["a4", "a1"]  # oldest first (a1 and a5 tie on time; ids order them)
    row = frame.set_index("attempt_id").loc["a1"]
    assert row["missed_key_points"] == "softmax of scaled dot products | weighted sum of values"
    assert row["missed_keywords"] == "softmax, query"
    assert row["time_taken_s"] == 60.0 and bool(row["counted"]) is True
    assert not any("key" in c and "api" in c for c in frame.columns)


def test_empty_history_gives_empty_frames(questions, now):
    assert len(mastery.attempts_frame([], questions)) == 0
    assert list(mastery.attempts_frame([], questions).columns)[:3] == ["attempt_id", "user", "submitted_at"]
    assert len(mastery.question_mastery([], questions, now)) == 0
    assert len(mastery.topic_mastery([], questions)) == 0
    assert mastery.weak_topics([], questions, now) == []
    assert len(mastery.topic_trend([], questions)) == 0
    assert len(mastery.session_summaries([])) == 0


def test_single_attempt_is_not_mastered(attempt_factory, questions, now):
    only = [attempt_factory("x", "q-lora", 100, now)]
    weak = mastery.weak_topics(only, questions, now)
    assert [(t.topic, t.mastery, t.status, t.attempts) for t in weak] == [
        ("fine-tuning", 100.0, MasteryStatus.SOLID, 1)
    ]


def test_only_uncounted_attempts_show_as_new(attempt_factory, questions, now):
    late_only = [attempt_factory("x", "q-attn", 90, now, late=True)]
    topics = mastery.topic_mastery(late_only, questions, now)
    assert topics.to_dict("records")[0]["status"] == "new" and math.isnan(topics.to_dict("records")[0]["mastery"])
    assert mastery.weak_topics(late_only, questions, now) == []


def test_questions_accepted_as_bank_mapping_or_sequence(history, questions, now):
    from quiz.bank import Bank

    by_id = {q.id: q for q in questions}
    expected = mastery.topic_mastery(history, questions, now)
    for form in (Bank(questions), by_id, list(questions)):
        assert mastery.topic_mastery(history, form, now).equals(expected)


def test_import_quiz_reports_is_light():
    code = (
        "import sys, quiz.reports, quiz.reports.cli, quiz.reports.bench;"
        "print([m for m in ('pandas', 'openpyxl', 'fsrs', 'streamlit') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
