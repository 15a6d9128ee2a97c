"""Malformed input: every problem is reported with file and line, and the rest of the bank still builds."""

from __future__ import annotations

from pathlib import Path

from quiz.bank import build_bank
from quiz.bank.formats import parse_markdown


def problems_of(text: str, name: str = "f.md"):
    return parse_markdown(text, name)[1]


def test_unterminated_fence_in_qa_fenced_reports_line_and_keeps_next_item() -> None:
    text = "Question:\n```\nQ one?\n```\nAnswer:\n```\nnever closed\n\nQuestion:\n```\nQ two?\n```\nAnswer:\n```\nA two\n```\n"
    out = problems_of(text)
    assert [(p.path, p.line) for p in out.problems] == [("f.md", 6)]
    assert "unterminated" in out.problems[0].message
    assert [i.question for i in out.items] == ["Q two?"] and out.skipped == 1


def test_unterminated_fence_in_numbered_fence() -> None:
    text = "##### 1. 第一个问题？\n```text\n答：没有结束\n##### 2. 第二个问题？\n```text\n答：好的\n```\n"
    out = problems_of(text)
    assert [p.line for p in out.problems] == [2]
    assert [i.question for i in out.items] == ["第二个问题？"]


def test_unterminated_fence_in_bullet_q_skips_only_that_item() -> None:
    text = "- Q1 **第一?**\n\n    ```python\n    x = 1\n\n- Q2 **第二?**\n\n    answer two\n"
    out = problems_of(text)
    assert [p.line for p in out.problems] == [3]
    assert [i.question for i in out.items] == ["第二?"] and out.skipped == 1


def test_table_row_with_wrong_cell_count() -> None:
    text = "| 问题 | 答案 |\n|---|---|\n| 1. 好问题 | 好答案 |\n| 2. 坏行 | 多 | 一格 |\n| 3. 又一个 | 答 |\n"
    out = problems_of(text)
    assert [(p.line, p.message) for p in out.problems] == [(4, "table row has 3 cells, the header has 2")]
    assert [i.question for i in out.items] == ["好问题", "又一个"] and out.skipped == 1


def test_bad_files_are_reported_and_the_rest_builds(
    sources_copy: Path, embedder, no_rubric, taxonomy_path: Path, overrides_path: Path
) -> None:
    (sources_copy / "empty.md").write_bytes(b"")
    (sources_copy / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (sources_copy / "latin.md").write_bytes("- Q1 **caf\xe9?**\n".encode("latin-1") + b"\xff\xfe\xfd")
    (sources_copy / "gbk.md").write_bytes("##### 1. 什么是注意力机制？\n```text\n答：加权求和。\n```\n".encode("gbk"))
    (sources_copy / "broken.md").write_text(
        "| 问题 | 答案 |\n|---|---|\n| 好问题 | 好答案 |\n| 坏 | 行 | 多 |\n", encoding="utf-8"
    )
    report = build_bank(
        sources_copy, taxonomy_path=taxonomy_path, overrides_path=overrides_path, rubric_fn=no_rubric, embedder=embedder
    )
    files = {f.source: f for f in report.files}
    assert files["empty.md"].problems[0].message == "file is empty"
    assert (
        "binary file" in files["image.md"].problems[0].message and files["image.md"].problems[0].line == 3
    )  # the PNG header has two newlines before its NUL
    latin = files["latin.md"].problems[0]
    assert latin.path == "latin.md" and latin.line == 1 and "not valid UTF-8" in latin.message
    assert files["gbk.md"].parsed == 1 and any("GB18030" in n for n in files["gbk.md"].notes)
    assert files["broken.md"].parsed == 1 and files["broken.md"].skipped == 1
    assert files["broken.md"].problems[0].line == 4
    # All 76 items of the real sources are still in the bank, plus the two good new ones.
    origins = [o for q in report.bank for o in q.origins]
    assert sum(1 for o in origins if o.source.startswith("00")) == 76
    assert {"gbk.md", "broken.md"} <= {o.source for o in origins}


def test_utf16_file_is_decoded_with_a_warning(tmp_path: Path) -> None:
    from quiz.bank.formats import read_source_text

    path = tmp_path / "u16.md"
    path.write_bytes("| 问题 | 答案 |\n|---|---|\n| 甲？ | 乙 |\n".encode("utf-16"))
    text, notes = read_source_text(path)
    assert text.startswith("| 问题") and "UTF-16" in notes[0]
