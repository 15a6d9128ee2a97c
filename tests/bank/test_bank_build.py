"""The built bank: every source item present, merges, ids, topics, difficulty, overrides, determinism."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.bank import build_bank, load_bank, question_id
from quiz.bank.overrides import Overrides, apply_overrides
from quiz.models import Difficulty
from quiz.settings import PROJECT_ROOT

EXPECTED_ITEMS = {
    "000_eacf6cba681218f2.txt": 6,
    "001_172dd7619ae4346b.txt": 9,
    "002_960aae5ed1c2f91c.txt": 30,
    "003_778db2d469dd41ce.txt": 20,
    "004_e41d677e71acf8a7.txt": 11,
}


def test_every_source_item_is_in_the_bank_once(built) -> None:
    origins = [o for q in built.bank for o in q.origins]
    assert len(origins) == 76
    for source, count in EXPECTED_ITEMS.items():
        assert sum(1 for o in origins if o.source == source) == count
    assert len({(o.source, o.line_start) for o in origins}) == 76
    assert [(f.source, f.parsed, f.skipped) for f in built.files] == [(s, n, 0) for s, n in EXPECTED_ITEMS.items()]


def test_merges_join_files_never_within_one(built) -> None:
    assert len(built.bank) == 76 - 10
    for question in built.bank:
        sources = [o.source for o in question.origins]
        assert len(sources) == len(set(sources)), question.text
    merged = {q.text: {o.question_text for o in q.origins[1:]} for q in built.bank if len(q.origins) > 1}
    assert merged["GPT和BERT的区别是什么?"] == {"BERT 和 GPT 系列模型有什麼區別？它們各自的應用場景是什麼？"}
    assert merged["什麼是位置編碼（Positional Encoding），為什麼在 Transformer 模型中需要它？"] == {
        "为什么transformers需要位置编码？"
    }
    near_miss = built.bank.resolve("能否解釋一下語言模型中的預訓練和微調（fine-tuning）步驟？")
    assert len(near_miss.origins) == 1
    assert len(built.merges) == 10


def test_unanswered_questions_have_no_reference(built) -> None:
    unanswered = [q for q in built.bank if not q.has_reference]
    assert [q.text for q in unanswered] == [
        "RLHF过程中RM随着训练过程得分越来越高, 效果就一定好吗? 有没有极端情况?",
        "解释P-tuning 的工作原理, 并说明它与传统的 fine-tuning方法的不同之处.",
    ]


def test_merged_question_keeps_references_from_each_file(built) -> None:
    q = built.bank.resolve("GPT和BERT的区别是什么?")
    assert [r.source for r in q.references] == ["002_960aae5ed1c2f91c.txt", "003_778db2d469dd41ce.txt"]
    assert (q.references[0].line_start, q.references[0].line_end) == (286, 345)
    assert q.references[1].text.startswith("**BERT（Bidirectional Encoder Representations from Transformers）：**")


def test_ids_come_from_the_first_origin_text_and_are_stable(built) -> None:
    for q in built.bank:
        assert q.id == question_id(q.origins[0].question_text)
    assert question_id("GPT和BERT的区别是什么?") == question_id("**GPT 和 BERT 的區別是什麼？**")
    assert built.bank.resolve("GPT和BERT的区别是什么?").id == "q-3a2f0c60f6"


def test_every_question_has_topics_and_difficulty(built) -> None:
    known = {t for t, _, _ in built.bank.topic_labels}
    for q in built.bank:
        assert q.topics and set(q.topics) <= known
        assert isinstance(q.difficulty, Difficulty)
    assert set(built.bank.topics()) >= {"transformer-attention", "rlhf-alignment", "evaluation", "llm-basics"}


def test_overrides_applied_and_unknown_ids_reported(built) -> None:
    assert built.bank.get("q-3a2f0c60f6").topics == ("pretraining-objectives", "transformer-attention")
    rlhf = built.bank.get("q-49a8994e25")
    assert all(any(k.term == "奖励模型" and k.required for k in r.rubric.keywords) for r in rlhf.references)
    _, messages = apply_overrides(built.bank.questions, Overrides(questions={"q-0000000000": {"difficulty": "hard"}}))
    assert messages and "q-0000000000" in messages[0]


def test_checked_in_bank_is_what_the_build_writes(tmp_path: Path) -> None:
    """`python -m quiz bank build` reproduces question_bank/bank.json byte for byte."""
    if importlib.util.find_spec("quiz.bank.rubric") is None:
        pytest.fail("quiz.bank.rubric (extract_rubric) is missing: the bank cannot be built")
    output = tmp_path / "bank.json"
    run = subprocess.run(
        [sys.executable, "-m", "quiz", "bank", "build", "--output", str(output), "--merges", str(tmp_path / "m.md")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "merges (10):" in run.stdout
    checked_in = PROJECT_ROOT / "question_bank" / "bank.json"
    assert output.read_bytes() == checked_in.read_bytes()
    assert (tmp_path / "m.md").read_text(encoding="utf-8") == (PROJECT_ROOT / "question_bank" / "merges.md").read_text(
        encoding="utf-8"
    )
    bank = load_bank(checked_in)
    assert len(bank) == 66 and bank.fingerprint == load_bank(output).fingerprint


def test_missing_sources_folder_is_a_bank_error(tmp_path: Path, taxonomy_path: Path) -> None:
    from quiz.errors import BankError

    with pytest.raises(BankError, match="does not exist"):
        build_bank(tmp_path / "nope", taxonomy_path=taxonomy_path, overrides_path=None)
