"""Bank lookup, resolve() tolerance, and the bank file (load errors, atomic save, fingerprint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.bank import Bank, load_bank, save_bank
from quiz.errors import BankError, QuestionNotFound


@pytest.mark.parametrize(
    "asked",
    [
        "GPT和BERT的区别是什么?",  # as written in 002
        "**GPT和BERT的区别是什么?**",  # with the bold markers of the source line
        "GPT和BERT的區別是什麼？",  # traditional script, full-width question mark
        "  GPT 和 BERT 的区别是什么  ",  # extra spaces, no punctuation
        "ｇｐｔ和ＢＥＲＴ的区别是什么？",  # full-width letters
        "BERT 和 GPT 系列模型有什麼區別？它們各自的應用場景是什麼？",  # the merged 003 wording
        "bert 和 gpt 系列模型有什么区别它们各自的应用场景是什么",
    ],
)
def test_resolve_tolerates_script_width_spacing_and_markdown(built, asked: str) -> None:
    assert built.bank.resolve(asked).id == "q-3a2f0c60f6"


def test_resolve_by_id_and_fuzzy_text(built) -> None:
    q = built.bank.resolve("q-3a2f0c60f6")
    assert built.bank.get(q.id) is q
    assert built.bank.resolve("Transformer推理的缓存计算都有那些").text == "Transformer推理的缓存计算都有哪些?"


def test_resolve_unknown_names_close_candidates(built) -> None:
    with pytest.raises(QuestionNotFound, match="closest"):
        built.bank.resolve("如何烤面包？")
    with pytest.raises(QuestionNotFound):
        built.bank.get("q-does-not-exist")


def test_save_and_load_round_trip(built, tmp_path: Path) -> None:
    path = tmp_path / "sub" / "bank.json"
    save_bank(built.bank, path)
    loaded = load_bank(path)
    assert loaded == built.bank and loaded.fingerprint == built.bank.fingerprint
    assert len(loaded) == len(built.bank) and next(iter(loaded)) == built.bank.questions[0]
    assert [p.name for p in path.parent.iterdir()] == ["bank.json"]  # no temp file left behind


def test_load_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="does not exist"):
        load_bank(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BankError, match="not valid JSON"):
        load_bank(bad)
    bad.write_text('{"questions": 3}', encoding="utf-8")
    with pytest.raises(BankError, match="not a question bank"):
        load_bank(bad)
    bad.write_text('{"format": "quiz-bank", "questions": [{"text": "no id"}]}', encoding="utf-8")
    with pytest.raises(BankError, match="malformed"):
        load_bank(bad)


def test_fingerprint_changes_with_content(built) -> None:
    smaller = Bank(questions=built.bank.questions[1:], topic_labels=built.bank.topic_labels)
    assert smaller.fingerprint != built.bank.fingerprint
    assert len(built.bank.fingerprint) == 64
