"""build_bank and import_file use the alias table next to the taxonomy file (question_bank/aliases.yaml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quiz.bank import Bank, build_bank, import_file
from quiz.bank.bank import bank_to_json
from quiz.bank.builder import aliases_beside
from quiz.errors import BankError
from quiz.models import Keyword, Question
from quiz.settings import PROJECT_ROOT

TAXONOMY = PROJECT_ROOT / "question_bank" / "topics.yaml"

SOURCE = """| 问题 | 答案 |
|------|------|
| 1. 什么是自注意力机制？ | 自注意力（Self-Attention）让每个词关注序列中的所有词，从而捕捉长距离依赖。它通过查询和键的点积计算注意力权重。 |
| 2. 什么是温度系数？ | 温度系数是采样超参数，在 softmax 之前把 logits 除以温度，温度越低分布越陡峭。 |
"""
CUSTOM_ALIASES = "groups:\n  - [自注意力, 自注意力机制, self-attention, zz-custom-alias]\n"


@pytest.fixture()
def bank_dir(tmp_path: Path) -> Path:
    """A self-contained bank folder: sources/, topics.yaml and (per test) aliases.yaml."""
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "mine.md").write_text(SOURCE, encoding="utf-8")
    shutil.copy(TAXONOMY, tmp_path / "topics.yaml")
    return tmp_path


def keyword(question: Question, term: str) -> Keyword:
    return next(k for r in question.references for k in r.rubric.keywords if k.term == term)


def build(folder: Path, embedder) -> Bank:
    return build_bank(
        folder / "sources", taxonomy_path=folder / "topics.yaml", overrides_path=None, embedder=embedder
    ).bank


def test_aliases_beside_finds_the_file_only_when_it_exists(bank_dir: Path) -> None:
    assert aliases_beside(bank_dir / "topics.yaml") is None
    (bank_dir / "aliases.yaml").write_text(CUSTOM_ALIASES, encoding="utf-8")
    assert aliases_beside(bank_dir / "topics.yaml") == bank_dir / "aliases.yaml"
    assert aliases_beside(TAXONOMY) == TAXONOMY.with_name("aliases.yaml")


def test_build_uses_the_alias_table_next_to_the_taxonomy(bank_dir: Path, embedder) -> None:
    (bank_dir / "aliases.yaml").write_text(CUSTOM_ALIASES, encoding="utf-8")
    bank = build(bank_dir, embedder)
    attention = keyword(bank.resolve("什么是自注意力机制？"), "自注意力")
    assert "zz-custom-alias" in attention.aliases
    # Only the folder's table: the project's groups (e.g. 自注意力機制, 注意力权重 = attention weights) are not used.
    assert "自注意力機制" not in attention.aliases
    assert "attention weights" not in keyword(bank.resolve("什么是自注意力机制？"), "注意力权重").aliases


def test_build_without_a_table_beside_falls_back_to_the_project_table(bank_dir: Path, embedder) -> None:
    bank = build(bank_dir, embedder)
    attention = keyword(bank.resolve("什么是自注意力机制？"), "自注意力")
    assert "自注意力機制" in attention.aliases and "zz-custom-alias" not in attention.aliases


def test_build_with_the_table_is_deterministic(bank_dir: Path, embedder) -> None:
    (bank_dir / "aliases.yaml").write_text(CUSTOM_ALIASES, encoding="utf-8")
    assert bank_to_json(build(bank_dir, embedder)) == bank_to_json(build(bank_dir, embedder))


def test_unusable_table_beside_the_taxonomy_fails_the_build(bank_dir: Path, embedder) -> None:
    (bank_dir / "aliases.yaml").write_text("groups: [[自注意力], [自注意力]]\n", encoding="utf-8")
    with pytest.raises(BankError, match="aliases.yaml"):
        build(bank_dir, embedder)


def test_import_uses_the_alias_table_next_to_the_taxonomy(bank_dir: Path, embedder) -> None:
    (bank_dir / "aliases.yaml").write_text(CUSTOM_ALIASES, encoding="utf-8")
    new_bank, report = import_file(
        Bank(questions=()), bank_dir / "sources" / "mine.md", taxonomy_path=bank_dir / "topics.yaml", embedder=embedder
    )
    assert report.problems == () and len(new_bank) == 2
    assert "zz-custom-alias" in keyword(new_bank.resolve("什么是自注意力机制？"), "自注意力").aliases
    # The same file imported with the project's taxonomy gets the project's table.
    project, _ = import_file(Bank(questions=()), bank_dir / "sources" / "mine.md", embedder=embedder)
    assert "自注意力機制" in keyword(project.resolve("什么是自注意力机制？"), "自注意力").aliases
