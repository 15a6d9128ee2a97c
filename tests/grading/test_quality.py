"""Quality floor of the real default grader on the labelled sets (question_bank/eval/).

The numbers are what ``python -m quiz eval`` printed when the grader was tuned, minus a small
margin: this test fails when a change makes grading rank answers worse than an expert would.
The dev set was used for tuning; the test set was not.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from quiz.bank.bank import Bank
from quiz.grading.evaluation import LabeledAnswer, baseline_scorers, evaluate, load_labeled
from quiz.grading.grader import Grader

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "question_bank" / "eval" / "dev.jsonl"
TEST = ROOT / "question_bank" / "eval" / "test.jsonl"


FLOORS = {"dev": (0.88, 0.89), "test": (0.88, 0.86)}  # (spearman, pairwise accuracy)
GAMING = ("echo", "injection", "keyword_list", "off_topic", "empty")


@pytest.fixture(scope="module", params=["dev", "test"])
def labelled(request: pytest.FixtureRequest, bank: Bank, real_grader: Grader) -> tuple[str, list[LabeledAnswer], list[float]]:
    path = {"dev": DEV, "test": TEST}[request.param]
    items = load_labeled(path, bank.resolve)
    scores = [r.score or 0.0 for r in real_grader.grade_many([(i.question, i.answer) for i in items])]
    return request.param, items, scores


def test_ranks_answers_like_the_expert(labelled: tuple[str, list[LabeledAnswer], list[float]]) -> None:
    name, items, scores = labelled
    metrics = evaluate(items, scores)
    spearman_floor, pairwise_floor = FLOORS[name]
    assert metrics.spearman >= spearman_floor, metrics
    assert metrics.pairwise >= pairwise_floor, metrics


def test_beats_the_raw_cosine_baseline_clearly(
    labelled: tuple[str, list[LabeledAnswer], list[float]], real_grader: Grader
) -> None:
    _, items, scores = labelled
    baseline = evaluate(items, baseline_scorers(real_grader.embedder)["raw-cosine"](items))
    ours = evaluate(items, scores)
    assert ours.spearman >= baseline.spearman + 0.03
    assert ours.pairwise >= baseline.pairwise + 0.02


def test_every_gaming_attempt_stays_below_the_partial_band(labelled: tuple[str, list[LabeledAnswer], list[float]]) -> None:
    _, items, scores = labelled
    high = [(i.kind, s, i.answer[:60]) for i, s in zip(items, scores, strict=True) if i.kind in GAMING and s >= 45]
    assert not high


def test_reference_copies_score_at_the_top(labelled: tuple[str, list[LabeledAnswer], list[float]]) -> None:
    _, items, scores = labelled
    assert min(s for i, s in zip(items, scores, strict=True) if i.kind == "reference_copy") >= 90


def test_mean_scores_follow_the_quality_kinds(labelled: tuple[str, list[LabeledAnswer], list[float]]) -> None:
    _, items, scores = labelled
    by_kind: dict[str, list[float]] = defaultdict(list)
    for item, score in zip(items, scores, strict=True):
        by_kind[item.kind].append(score)
    mean = {k: sum(v) / len(v) for k, v in by_kind.items()}
    assert mean["reference_copy"] > mean["excellent"] > mean["partial"] > mean["weak"] > mean["keyword_list"]
    # Language and script are not penalised: within 10 points of what the expert gave.
    expert = {k: sum(i.grade for i in items if i.kind == k) / len(by_kind[k]) for k in ("english", "traditional")}
    for kind, value in expert.items():
        assert abs(mean[kind] - value) <= 10, (kind, mean[kind], value)
