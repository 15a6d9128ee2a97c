"""FSRS spaced review: rating cut-offs, pure card updates, history replay and the due queue (clock injected)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from fsrs import Rating

from quiz.reports import review
from quiz.store.records import ReviewCardRecord


@pytest.mark.parametrize(
    ("score", "late", "expected"),
    [
        (None, False, Rating.Again),
        (0.0, False, Rating.Again),
        (44.9, False, Rating.Again),
        (45.0, False, Rating.Hard),
        (69.9, False, Rating.Hard),
        (70.0, False, Rating.Good),
        (84.9, False, Rating.Good),
        (85.0, False, Rating.Easy),
        (100.0, False, Rating.Easy),
        (100.0, True, Rating.Again),  # late never counts as knowing it
    ],
)
def test_rating_cut_offs(score, late, expected):
    assert review.rating_for(score, late) == expected


def test_update_card_is_pure_and_deterministic(now):
    first = review.update_card(None, 70.0, now)
    assert first == review.update_card(None, 70.0, now)
    card_json, due = first
    assert due > now
    assert json.loads(card_json)["last_review"].startswith("2025-03-15T12:00")
    again = review.update_card(card_json, 70.0, due)
    assert again[1] > due
    assert review.update_card(card_json, 70.0, due) == again  # the stored JSON was not changed


def test_better_grades_come_back_later(now):
    dues = [review.update_card(None, score, now)[1] for score in (10, 50, 75, 95)]
    assert dues == sorted(dues) and dues[0] < dues[2] < dues[3]  # Again and Hard may both mean "tomorrow"
    # A failed question is due within about a day: no minute-level learning steps.
    assert timedelta(hours=12) <= dues[0] - now <= timedelta(days=2)


def test_late_answer_is_scheduled_like_a_miss(now):
    assert review.update_card(None, 100, now, late=True) == review.update_card(None, 0, now)


def test_naive_datetimes_are_rejected(now):
    with pytest.raises(ValueError, match="timezone-aware"):
        review.update_card(None, 50, datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        review.review_queue([], datetime(2025, 1, 1))


def test_review_queue_orders_most_overdue_first(now):
    cards = [
        ("q-soon", "{}", now + timedelta(days=1)),  # not due yet
        ("q-hour", "{}", now - timedelta(hours=1)),
        ("q-exact", "{}", now),  # due at exactly now is due
        ("q-week", "{}", now - timedelta(days=7)),
        ("q-also-week", "{}", now - timedelta(days=7)),  # tie -> by id
    ]
    assert review.review_queue(cards, now) == ["q-also-week", "q-week", "q-hour", "q-exact"]
    assert review.review_queue(cards, now - timedelta(days=30)) == []
    assert review.review_queue(cards, now + timedelta(days=2))[-1] == "q-soon"
    records = [ReviewCardRecord(*c) for c in cards]  # what AttemptStore.review_cards returns
    assert review.review_queue(records, now) == review.review_queue(cards, now)


def test_rebuild_cards_replays_history_in_order(history, now):
    cards = review.rebuild_cards(history)
    assert set(cards) == {"q-attn", "q-kv", "q-lora", "q-misc", "q-gone"}
    # q-lora: the ungraded attempt is skipped, so its card is the single review of a7 (95 -> Easy).
    assert cards["q-lora"] == review.update_card(None, 95, now - timedelta(days=7))
    # q-attn in submission order: 40 (-14d), late 100 (-1d, Again), 80 (now).
    step = review.update_card(None, 40, now - timedelta(days=14))
    step = review.update_card(step[0], 100, now - timedelta(days=1), late=True)
    assert cards["q-attn"] == review.update_card(step[0], 80, now)
    assert cards == review.rebuild_cards(list(reversed(history)))  # input order does not matter


def test_queue_from_rebuilt_cards_with_injected_clock(history, now):
    entries = [(qid, card, due) for qid, (card, due) in review.rebuild_cards(history).items()]
    by_due = sorted(entries, key=lambda e: (e[2], e[0]))
    assert review.review_queue(entries, now) == [e[0] for e in by_due if e[2] <= now]
    far = now + timedelta(days=3650)
    assert review.review_queue(entries, far) == [e[0] for e in by_due]
    # q-misc (20, two weeks ago, due a day later) is overdue at NOW.
    assert "q-misc" in review.review_queue(entries, now)


def test_review_table_has_question_text(history, questions, now):
    entries = [(qid, card, due) for qid, (card, due) in review.rebuild_cards(history).items()]
    table = review.review_table(entries, questions, now)
    assert list(table["question_id"]) == review.review_queue(entries, now)
    row = table.set_index("question_id").loc["q-misc"]
    assert row["question"] == "Tell me about yourself." and row["overdue_days"] > 10
    assert len(review.review_table([], questions, now)) == 0


def test_rating_cut_offs_follow_the_grade_bands():
    from quiz.grading.bands import BAND_CUTOFFS
    from quiz.models import Band

    lows = dict(BAND_CUTOFFS)
    assert (review.HARD_MIN_SCORE, review.GOOD_MIN_SCORE, review.EASY_MIN_SCORE) == (
        lows[Band.PARTIAL], lows[Band.GOOD], lows[Band.EXCELLENT]
    )
