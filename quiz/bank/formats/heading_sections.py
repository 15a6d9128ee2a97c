"""Format "heading_sections": numbered headings ``## N. question`` with the answer as the section body.

Example::

    ### 1. **什麼是大型語言模型（LLM）？它們與傳統語言模型有什麼區別？**

    **大型語言模型（LLM）的定義：**
    - ...

    ## 1. 什麼是大型語言模型（LLM），為什麼它們能夠在自然語言處理中表現出色？

A section runs to the next numbered heading of any level. A section whose body is only a bullet
list (a table of contents, e.g. ``### 1. **基本概念與理論**`` listing six questions) is not a
question itself: bullets that repeat a heading of the same file are noted and dropped (the heading
carries the answer); bullets that do not are kept as questions without an answer. A body counts
as a table of contents only when it is all bullets and at least half of them repeat a heading, so
an ordinary answer written as a bullet list stays an answer.
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
    open_fence,
    question_plain,
)
from quiz.errors import QuestionParseError
from quiz.grading.normalize import match_key

NAME = "heading_sections"

HEADING = NUMBERED_HEADING
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(\S.*?)\s*$")


def detect(lines: Sequence[str]) -> int:
    """Number of numbered headings whose section does not start with a code fence."""
    return count_labels(lines, HEADING, fenced=False)


def _is_table_of_contents(nonblank: Sequence[str], heading_keys: set[str]) -> bool:
    """A body made only of bullets, at least half of which repeat a numbered heading of the file.

    (A real answer that happens to be a bullet list does not repeat the file's other questions.)
    """
    bullets = [_BULLET.match(line) for line in nonblank]
    if not bullets or not all(bullets):
        return False
    repeated = sum(1 for b in bullets if b and match_key(question_plain(b.group(1))) in heading_keys)
    return repeated * 2 >= len(bullets)


def parse(lines: Sequence[str], path: str) -> ParseOutcome:
    """Parse every numbered section; problems are collected, never raised."""
    starts: list[int] = []
    problems: list[QuestionParseError] = []
    index = 0
    while index < len(lines):  # headings inside closed code fences are code
        if HEADING.match(lines[index]):
            starts.append(index)
        marker = open_fence(lines[index])
        if marker is not None:
            end = find_fence_end(lines, index, marker, stop=lambda line: bool(HEADING.match(line)))
            if end is None:
                problems.append(QuestionParseError(path, index + 1, f"unterminated code fence {marker} (never closed)"))
            else:
                index = end
        index += 1

    sections = []
    for position, start in enumerate(starts):
        stop = starts[position + 1] if position + 1 < len(starts) else len(lines)
        body = list(lines[start + 1 : stop])
        while body and not body[-1].strip():
            body.pop()
        sections.append((start, body))
    heading_keys = {match_key(question_plain(HEADING.match(lines[s]).group(2))) for s, _ in sections}  # type: ignore[union-attr]

    bad_lines = {p.line for p in problems}
    items: list[ParsedItem] = []
    notes: list[str] = []
    skipped = 0
    for start, body in sections:
        match = HEADING.match(lines[start])
        assert match is not None
        question = question_plain(match.group(2))
        if any(start + 1 < (line or 0) <= start + 1 + len(body) for line in bad_lines):
            skipped += 1
            continue
        nonblank = [line for line in body if line.strip()]
        if _is_table_of_contents(nonblank, heading_keys):
            # A table of contents: list its questions, keep only those not answered by a heading.
            repeated = 0
            for offset, line in enumerate(body):
                bullet = _BULLET.match(line)
                if not bullet:
                    continue
                text = question_plain(bullet.group(1))
                if match_key(text) in heading_keys:
                    repeated += 1
                else:
                    line_no = start + 2 + offset
                    items.append(ParsedItem(question=text, answer=None, line_start=line_no, line_end=line_no))
            notes.append(
                f"{path}:{start + 1}: '{question}' is a list of {len(nonblank)} questions, not a question; "
                f"{repeated} of them are answered under their own headings"
            )
            continue
        if not question:
            problems.append(QuestionParseError(path, start + 1, "heading has no question text"))
            skipped += 1
            continue
        answer = block_text(body)
        items.append(
            ParsedItem(question=question, answer=answer or None, line_start=start + 1, line_end=start + 1 + len(body))
        )
    items.sort(key=lambda item: item.line_start)
    return ParseOutcome(items=tuple(items), problems=tuple(problems), skipped=skipped, notes=tuple(notes))
