"""Validation of the labelled evaluation sets in question_bank/eval/ (dev.jsonl, test.jsonl).

Holds checks on the file format, on the link to bank.json, on the split (dev and test share no question),
on coverage (questions, kinds, topics, source files) and on label consistency (each kind's grade band).
It never runs the grader: the sets must stay independent of it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pytest

from quiz.settings import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT / "question_bank" / "eval"
BANK_PATH = PROJECT_ROOT / "question_bank" / "bank.json"
SPLITS = ("dev", "test")
KEYS = ["question_id", "answer", "grade", "kind"]

# Expert grade band of each kind (inclusive). english / traditional / typo are graded by content, so any grade.
KIND_BANDS: dict[str, tuple[int, int]] = {
    "reference_copy": (95, 100),
    "excellent": (85, 95),
    "good": (70, 84),
    "partial": (45, 69),
    "weak": (20, 44),
    "wrong": (5, 25),
    "off_topic": (0, 10),
    "keyword_list": (5, 15),
    "echo": (0, 10),
    "injection": (0, 15),
    "empty": (0, 0),
    "english": (0, 100),
    "traditional": (0, 100),
    "typo": (0, 100),
}
MIN_QUESTIONS = {"dev": 36, "test": 14}
MIN_PER_KIND = {"dev": 15, "test": 5}
ANSWERS_PER_QUESTION = (8, 10)
# Short fixed phrases aimed at the grader may repeat across questions and splits; nothing else may.
REPEATABLE_KINDS = {"empty", "injection"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Row:
    """One labelled answer: which question, the text, the expert grade and the kind of answer."""

    question_id: str
    answer: str
    grade: int
    kind: str
    line: int


@cache
def bank_questions() -> dict[str, dict]:
    """The bank's questions by id (read once; the file is large)."""
    bank = json.loads(BANK_PATH.read_text(encoding="utf-8"))
    return {q["id"]: q for q in bank["questions"]}


@cache
def load_split(split: str) -> tuple[Row, ...]:
    """Parse one JSONL file strictly: key order, types and line numbers are checked here."""
    path = EVAL_DIR / f"{split}.jsonl"
    rows = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert raw.strip(), f"{path.name}:{number}: blank line"
        obj = json.loads(raw)
        assert isinstance(obj, dict) and list(obj) == KEYS, f"{path.name}:{number}: keys {list(obj)}"
        assert isinstance(obj["question_id"], str) and isinstance(obj["answer"], str), f"{path.name}:{number}"
        # bool is an int subclass; a grade of true/false is a data error.
        assert type(obj["grade"]) is int, f"{path.name}:{number}: grade {obj['grade']!r}"
        rows.append(Row(obj["question_id"], obj["answer"], obj["grade"], obj["kind"], number))
    return tuple(rows)


def shingles(text: str, n: int = 6) -> set[str]:
    """Character n-grams of text with whitespace and markdown punctuation removed."""
    flat = re.sub(r"[\s*`#|$>\-_]", "", text)
    return {flat[i : i + n] for i in range(max(len(flat) - n + 1, 1))}


@pytest.mark.parametrize("split", SPLITS)
def test_rows_are_well_formed(split: str) -> None:
    rows = load_split(split)
    assert rows
    for row in rows:
        where = f"{split}:{row.line}"
        assert row.kind in KIND_BANDS, f"{where}: unknown kind {row.kind!r}"
        assert 0 <= row.grade <= 100, where
        if row.kind == "empty":
            assert not row.answer.strip(), where
        else:
            assert row.answer.strip(), f"{where}: blank answer labelled {row.kind}"


@pytest.mark.parametrize("split", SPLITS)
def test_questions_exist_and_have_references(split: str) -> None:
    questions = bank_questions()
    for row in load_split(split):
        assert row.question_id in questions, f"{split}:{row.line}: unknown id {row.question_id}"
        question = questions[row.question_id]
        assert question["has_reference"] and question["references"], f"{split}:{row.line}: no reference"


@pytest.mark.parametrize("split", SPLITS)
def test_grades_fall_in_each_kinds_band(split: str) -> None:
    for row in load_split(split):
        low, high = KIND_BANDS[row.kind]
        assert low <= row.grade <= high, f"{split}:{row.line}: {row.kind} graded {row.grade}"


def test_dev_and_test_share_no_question() -> None:
    dev = {row.question_id for row in load_split("dev")}
    test = {row.question_id for row in load_split("test")}
    assert not dev & test


def test_no_answer_is_reused() -> None:
    seen: dict[str, str] = {}
    for split in SPLITS:
        for row in load_split(split):
            if row.kind in REPEATABLE_KINDS:
                continue
            assert row.answer not in seen, f"{split}:{row.line} repeats {seen.get(row.answer)}"
            seen[row.answer] = f"{split}:{row.line}"


@pytest.mark.parametrize("split", SPLITS)
def test_question_and_kind_counts(split: str) -> None:
    rows = load_split(split)
    per_question = Counter(row.question_id for row in rows)
    assert len(per_question) >= MIN_QUESTIONS[split]
    low, high = ANSWERS_PER_QUESTION
    assert all(low <= n <= high for n in per_question.values()), per_question
    kinds = Counter(row.kind for row in rows)
    short = {kind: kinds[kind] for kind in KIND_BANDS if kinds[kind] < MIN_PER_KIND[split]}
    assert not short, short


@pytest.mark.parametrize("split", SPLITS)
def test_every_question_has_the_core_ladder(split: str) -> None:
    kinds_of: dict[str, set[str]] = {}
    for row in load_split(split):
        kinds_of.setdefault(row.question_id, set()).add(row.kind)
    for question_id, kinds in kinds_of.items():
        assert {"reference_copy", "partial", "weak"} <= kinds, question_id
        assert kinds & {"excellent", "good"}, question_id
        assert kinds & {"wrong", "off_topic"}, question_id
        # A spread of grades per question is what makes the set useful for ranking metrics.
        assert len(kinds) >= 8, question_id


def test_dev_spans_all_topics_and_source_files() -> None:
    questions = bank_questions()
    dev_ids = {row.question_id for row in load_split("dev")}
    with_reference = [q for q in questions.values() if q["has_reference"]]
    all_topics = {t for q in with_reference for t in q["topics"]}
    all_sources = {r["source"] for q in with_reference for r in q["references"]}
    dev_topics = {t for i in dev_ids for t in questions[i]["topics"]}
    dev_sources = {r["source"] for i in dev_ids for r in questions[i]["references"]}
    assert dev_topics == all_topics
    assert dev_sources == all_sources


@pytest.mark.parametrize("split", SPLITS)
def test_reference_copies_come_from_the_reference(split: str) -> None:
    questions = bank_questions()
    for row in load_split(split):
        if row.kind != "reference_copy":
            continue
        answer = shingles(row.answer)
        best = max(
            len(answer & shingles(ref["text"])) / len(answer) for ref in questions[row.question_id]["references"]
        )
        assert best >= 0.9, f"{split}:{row.line}: only {best:.2f} of the text is in a reference"


@pytest.mark.parametrize("split", SPLITS)
def test_script_and_language_kinds_are_what_they_claim(split: str) -> None:
    import opencc  # light, pure Python; imported here so collecting the module stays cheap

    to_simplified = opencc.OpenCC("t2s")
    for row in load_split(split):
        where = f"{split}:{row.line}"
        if row.kind == "english":
            assert not CJK.search(row.answer), f"{where}: Chinese characters in an english answer"
        elif row.kind == "traditional":
            changed = sum(a != b for a, b in zip(row.answer, to_simplified.convert(row.answer)))
            assert changed >= 3, f"{where}: does not read as traditional script"


@pytest.mark.parametrize("split", SPLITS)
def test_off_topic_answers_do_not_copy_this_questions_reference(split: str) -> None:
    questions = bank_questions()
    for row in load_split(split):
        if row.kind not in {"off_topic", "keyword_list", "echo"}:
            continue
        answer = shingles(row.answer, n=8)
        references = questions[row.question_id]["references"]
        overlap = max(len(answer & shingles(r["text"], n=8)) / len(answer) for r in references)
        assert overlap < 0.5, f"{split}:{row.line}: {row.kind} overlaps the reference ({overlap:.2f})"


def test_eval_readme_counts_match_the_files() -> None:
    readme = (EVAL_DIR / "README.md").read_text(encoding="utf-8")
    for split in SPLITS:
        rows = load_split(split)
        questions = len({row.question_id for row in rows})
        assert f"{split}.jsonl: {len(rows)} answers, {questions} questions" in readme

