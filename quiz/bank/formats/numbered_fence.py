"""Format "numbered_fence": numbered question headings, each followed by a fenced answer.

Example::

    ##### 1. 每次向 GPT 提问，回答注意力的权重都是不一样的吗？
    ```text
    答：不一样，...
    ```

The leading ``答：`` of the answer is dropped; a follow-up ``问：…答：…`` exchange inside the
same fence stays part of that answer. Other text (chapter titles, empty topic headings, lists
that are not questions) is not an item. A numbered heading with no fence after it is a question
without an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from quiz.bank.formats.base import (
    NUMBERED_HEADING,
    ParsedItem,
    ParseOutcome,
    block_text,
    count_labels,
    find_fence_end,
    next_nonblank,
    open_fence,
    question_plain,
)
from quiz.errors import QuestionParseError

NAME = "numbered_fence"

HEADING = NUMBERED_HEADING
_ANSWER_PREFIX = re.compile(r"^\s*答\s*[:：]\s*")


def detect(lines: Sequence[str]) -> int:
    """Number of numbered headings whose next non-blank line opens a fence."""
    return count_labels(lines, HEADING, fenced=True)


def parse(lines: Sequence[str], path: str) -> ParseOutcome:
    """Parse every numbered heading and its fenced answer; problems are collected, never raised."""
    items: list[ParsedItem] = []
    problems: list[QuestionParseError] = []
    skipped = 0
    index = 0
    while index < len(lines):
        match = HEADING.match(lines[index])
        if not match:
            index += 1
            continue
        heading = index
        question = question_plain(match.group(2))
        fence_line = next_nonblank(lines, heading + 1)
        marker = open_fence(lines[fence_line]) if fence_line is not None else None
        if fence_line is None or marker is None:
            items.append(ParsedItem(question=question, answer=None, line_start=heading + 1, line_end=heading + 1))
            index = heading + 1
            continue
        end = find_fence_end(lines, fence_line, marker, stop=lambda line: bool(HEADING.match(line)))
        if end is None:
            problems.append(
                QuestionParseError(
                    path, fence_line + 1, f"unterminated code fence {marker} in the answer to question {match.group(1)}"
                )
            )
            skipped += 1
            index = fence_line + 1
            continue
        answer = _ANSWER_PREFIX.sub("", block_text(lines[fence_line + 1 : end]), count=1)
        items.append(ParsedItem(question=question, answer=answer or None, line_start=heading + 1, line_end=end + 1))
        index = end + 1
    return ParseOutcome(items=tuple(items), problems=tuple(problems), skipped=skipped)
