"""Export and import: round trips through jsonl, csv and json, and importing a user's own files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quiz.bank import Bank, export_bank, import_file
from quiz.errors import BankError


def _essentials(bank: Bank, *, origins: bool = True) -> list[tuple]:
    return [
        (
            q.id,
            q.text,
            tuple((r.text, r.source) for r in q.references),
            q.topics,
            q.difficulty,
            q.origins if origins else (),
        )
        for q in bank
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_export_then_import_preserves_questions(
    built, tmp_path: Path, fmt: str, embedder, no_rubric, taxonomy_path
) -> None:
    path = tmp_path / f"export.{fmt}"
    path.write_text(export_bank(built.bank, fmt), encoding="utf-8")
    empty = Bank(questions=(), topic_labels=built.bank.topic_labels)
    restored, report = import_file(empty, path, taxonomy_path=taxonomy_path, embedder=embedder, rubric_fn=no_rubric)
    assert report.problems == () and report.parsed == len(built.bank)
    assert _essentials(restored, origins=fmt != "csv") == _essentials(built.bank, origins=fmt != "csv")
    # Importing the same export into the full bank adds nothing.
    again, _ = import_file(built.bank, path, taxonomy_path=taxonomy_path, embedder=embedder, rubric_fn=no_rubric)
    assert _essentials(again) == _essentials(built.bank)


def test_jsonl_lines_carry_the_documented_fields(built) -> None:
    lines = export_bank(built.bank, "jsonl").splitlines()
    assert len(lines) == len(built.bank)
    record = json.loads(lines[0])
    assert {"id", "question", "references", "topics", "difficulty", "has_reference"} <= set(record)
    assert set(record["references"][0]) >= {"source", "text"}
    with pytest.raises(BankError, match="unknown export format"):
        export_bank(built.bank, "xml")


def test_import_user_csv_with_header_dedupes_against_bank(
    built, tmp_path: Path, embedder, no_rubric, taxonomy_path
) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "question,answer,topic\n"
        "为什么transformers需要位置编码？,因为注意力本身与顺序无关。,transformer-attention\n"
        "什么是 KV cache？,推理时缓存历史 token 的 K 和 V。,efficiency-memory\n",
        encoding="utf-8",
    )
    bank, report = import_file(built.bank, path, taxonomy_path=taxonomy_path, embedder=embedder, rubric_fn=no_rubric)
    assert (report.format, report.parsed, report.problems) == ("csv", 2, ())
    assert len(bank) == len(built.bank) + 1
    kv = bank.resolve("什么是 KV cache？")
    assert kv.topics == ("efficiency-memory",) and kv.references[0].source == "mine.csv"
    # The positional-encoding question already has a 004 origin: a new file adds a third reference.
    pe = bank.resolve("为什么transformers需要位置编码？")
    assert [r.source for r in pe.references][-1] == "mine.csv" and len(pe.references) == 3


def test_import_headerless_tsv_and_markdown_user_file(
    built, tmp_path: Path, embedder, no_rubric, taxonomy_path
) -> None:
    tsv = tmp_path / "plain.tsv"
    tsv.write_text("什么是束搜索？\t保留若干最优候选序列。\n", encoding="utf-8")
    bank, report = import_file(built.bank, tsv, taxonomy_path=taxonomy_path, embedder=embedder, rubric_fn=no_rubric)
    assert report.format == "tsv" and bank.resolve("什么是束搜索").references[0].text == "保留若干最优候选序列。"
    notes = tmp_path / "x7f3"  # no extension: the content decides
    notes.write_text("- Q1 **什么是投机解码?**\n\n    用小模型起草, 大模型验证.\n", encoding="utf-8")
    bank2, report2 = import_file(bank, notes, taxonomy_path=taxonomy_path, embedder=embedder, rubric_fn=no_rubric)
    assert report2.format == "bullet_q" and len(bank2) == len(bank) + 1


def test_import_reports_bad_json_lines(built, tmp_path: Path, embedder, no_rubric, taxonomy_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"question": "好问题？", "answer": "好答案"}\n{broken\n{"answer": "no question"}\n', encoding="utf-8"
    )
    bank, report = import_file(built.bank, path, taxonomy_path=taxonomy_path, embedder=embedder, rubric_fn=no_rubric)
    assert [p.line for p in report.problems] == [2, 3]
    assert report.parsed == 1 and len(bank) == len(built.bank) + 1
