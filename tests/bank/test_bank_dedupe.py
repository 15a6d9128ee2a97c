"""The dedupe threshold, validated on hand-labelled pairs (tests/bank/data/duplicate_pairs.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quiz.bank.dedupe import MERGE_THRESHOLD, Candidate, group_duplicates, similarity_matrix
from quiz.bank.formats import parse_markdown, read_source_text
from quiz.bank.overrides import load_overrides
from quiz.bank.topics import load_taxonomy
from quiz.grading.normalize import match_key
from quiz.settings import PROJECT_ROOT

PAIRS = yaml.safe_load((Path(__file__).parent / "data" / "duplicate_pairs.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scored(embedder):
    candidates = []
    for path in sorted((PROJECT_ROOT / "question_bank" / "sources").iterdir()):
        text, _ = read_source_text(path)
        for item in parse_markdown(text, path.name)[1].items:
            candidates.append(Candidate(frozenset({path.name}), item.question, item.answer))
    taxonomy = load_taxonomy(PROJECT_ROOT / "question_bank" / "topics.yaml")
    scores = similarity_matrix(candidates, embedder, taxonomy.synonyms)
    index = {match_key(c.question): i for i, c in enumerate(candidates)}
    return candidates, scores, index


def pair_score(scored, pair) -> float:
    _, scores, index = scored
    return float(scores[index[match_key(pair["a"])], index[match_key(pair["b"])]])


def test_labelled_pairs_are_enough_to_validate() -> None:
    assert len(PAIRS["duplicates"]) >= 10 and len(PAIRS["different"]) >= 20


def test_threshold_merges_no_labelled_near_miss(scored) -> None:
    """Precision first: a wrong merge grades answers against the wrong reference."""
    different = sorted((pair_score(scored, p), p["a"]) for p in PAIRS["different"])
    assert different[-1][0] < MERGE_THRESHOLD, different[-1]


def test_threshold_has_margin_and_catches_the_clearest_duplicates(scored) -> None:
    duplicates = [pair_score(scored, p) for p in PAIRS["duplicates"]]
    different = [pair_score(scored, p) for p in PAIRS["different"]]
    auto = sum(score >= MERGE_THRESHOLD for score in duplicates)
    assert auto >= 2
    # On average a duplicate scores clearly above a near-miss; the threshold sits above every near-miss.
    assert sum(duplicates) / len(duplicates) > sum(different) / len(different) + 0.1
    assert MERGE_THRESHOLD - max(different) >= 0.004


def test_every_labelled_duplicate_is_merged_automatically_or_by_override(scored) -> None:
    overrides = load_overrides(PROJECT_ROOT / "question_bank" / "overrides.yaml")
    forced = {frozenset((match_key(a), match_key(b))) for a, b in overrides.merge}
    apart = {frozenset((match_key(a), match_key(b))) for a, b in overrides.keep_apart}
    for pair in PAIRS["duplicates"]:
        key = frozenset((match_key(pair["a"]), match_key(pair["b"])))
        assert pair_score(scored, pair) >= MERGE_THRESHOLD or key in forced, pair
    for pair in PAIRS["different"]:
        assert frozenset((match_key(pair["a"]), match_key(pair["b"]))) not in forced, pair
    assert not forced & apart


def test_identical_texts_merge_across_files_but_never_within_one(embedder) -> None:
    candidates = [
        Candidate(frozenset({"a.md"}), "什麼是位置編碼？"),
        Candidate(frozenset({"a.md"}), "什么是位置编码?"),
        Candidate(frozenset({"b.md"}), "什么是位置编码"),
    ]
    scores = similarity_matrix(candidates, embedder)
    assert scores[0, 1] == 1.0
    clusters = group_duplicates(candidates, scores)
    assert clusters == [[0, 2], [1]]
    assert group_duplicates(candidates, scores, forbidden=[(0, 2)]) == [[0], [1, 2]]
