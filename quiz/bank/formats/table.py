"""Format "table": a markdown table ``| 问题 | 答案 |`` with one question per row.

Example::

    | 问题 | 答案 |
    |------|------|
    | 1. 说一下 ChatGPT的优缺点 | ChatGPT优经过了预训练 ... |

The header names the question and answer columns (问题/問題/question, 答案/answer; an optional
topic column 主题/topic); without recognisable names the first two columns are used. Leading and
trailing pipes are optional, ``\\|`` is a literal pipe, ``<br>`` inside a cell becomes a paragraph
break, and a leading item number ("1. ", "10") is dropped from the question. A row whose number of
cells differs from the header's is reported and skipped. The table ends at the first line that is
not a row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from quiz.bank.formats.base import ParsedItem, ParseOutcome, question_plain
from quiz.errors import QuestionParseError

NAME = "table"

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)
_QUESTION_NAMES = {"问题", "問題", "question", "questions", "q", "题目", "題目"}
_ANSWER_NAMES = {"答案", "answer", "answers", "a", "回答", "参考答案", "參考答案", "reference"}
_TOPIC_NAMES = {"主题", "主題", "topic", "topics", "分类", "分類", "category"}


def _first_nonblank(lines: Sequence[str]) -> int | None:
    for index, line in enumerate(lines):
        if line.strip():
            return index
    return None


def split_row(line: str) -> list[str]:
    """Cells of a table row; leading/trailing pipes optional, ``\\|`` kept as a literal pipe."""
    body = line.strip()
    body = body.removeprefix("|")
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(body)]


def detect(lines: Sequence[str]) -> int:
    """Number of table rows when the file *starts* with a table (header + separator), else 0."""
    first = _first_nonblank(lines)
    if first is None or "|" not in lines[first] or first + 1 >= len(lines) or not _SEPARATOR.match(lines[first + 1]):
        return 0
    return sum(1 for line in lines[first + 2 :] if "|" in line)


def parse(lines: Sequence[str], path: str) -> ParseOutcome:
    """Parse every row of the leading table; problems are collected, never raised."""
    first = _first_nonblank(lines)
    if first is None or first + 1 >= len(lines) or not _SEPARATOR.match(lines[first + 1]):
        line = (first or 0) + 1
        return ParseOutcome(items=(), problems=(QuestionParseError(path, line, "no table header and separator row"),))
    header = [cell.casefold() for cell in split_row(lines[first])]
    q_col = next((i for i, name in enumerate(header) if name in _QUESTION_NAMES), 0)
    a_col = next((i for i, name in enumerate(header) if name in _ANSWER_NAMES), 1 if q_col != 1 else 0)
    t_col = next((i for i, name in enumerate(header) if name in _TOPIC_NAMES), None)
    if len(header) < 2:
        return ParseOutcome(
            items=(), problems=(QuestionParseError(path, first + 1, "a question table needs at least 2 columns"),)
        )

    items: list[ParsedItem] = []
    problems: list[QuestionParseError] = []
    skipped = 0
    notes: list[str] = []
    for index in range(first + 2, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        if "|" not in line:
            notes.append(f"{path}:{index + 1}: table ends here; the remaining text is not part of any question")
            break
        cells = split_row(line)
        if len(cells) != len(header):
            problems.append(
                QuestionParseError(path, index + 1, f"table row has {len(cells)} cells, the header has {len(header)}")
            )
            skipped += 1
            continue
        question = question_plain(_BREAK.sub(" ", cells[q_col]), drop_number=True)
        if not question:
            problems.append(QuestionParseError(path, index + 1, "table row has an empty question cell"))
            skipped += 1
            continue
        answer = _BREAK.sub("\n\n", cells[a_col]).strip()
        topics = tuple(t.strip() for t in re.split(r"[,，;；]", cells[t_col]) if t.strip()) if t_col is not None else ()
        items.append(
            ParsedItem(
                question=question, answer=answer or None, line_start=index + 1, line_end=index + 1, topics=topics
            )
        )
    return ParseOutcome(items=tuple(items), problems=tuple(problems), skipped=skipped, notes=tuple(notes))
