"""Format "bullet_q": top-level bullets ``- Qn **question**`` with an indented markdown answer.

Example::

    - Q1 **语言模型的工作机理是什么?**

        - 生成式语言模型的输出是所有可能标记的概率分布.
        ...

Only a bullet at column 0 starts a question: indented lines such as ``    - Q2, Q3, Q4: ...``
belong to the answer above them. An answer runs to the next question bullet (or the end of the
file); nested bullets, tables, LaTeX, code fences and images are kept as written (dedented). A
question with nothing under it has no answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from quiz.bank.formats.base import ParsedItem, ParseOutcome, block_text, find_fence_end, open_fence, question_plain
from quiz.errors import QuestionParseError

NAME = "bullet_q"

MARKER = re.compile(r"^[-*+]\s+Q\s*(\d{1,3})[.:：)]?\s+(\S.*?)\s*$")


def detect(lines: Sequence[str]) -> int:
    """Number of column-0 ``- Qn`` bullets."""
    return sum(1 for line in lines if MARKER.match(line))


def parse(lines: Sequence[str], path: str) -> ParseOutcome:
    """Parse every question bullet and the block under it; problems are collected, never raised."""
    starts = [index for index, line in enumerate(lines) if MARKER.match(line)]
    # A column-0 marker inside a *closed* code fence is code, not a question.
    fenced: set[int] = set()
    problems: list[QuestionParseError] = []
    bad_items: set[int] = set()
    index = 0
    while index < len(lines):
        marker = open_fence(lines[index])
        if marker is None:
            index += 1
            continue
        end = find_fence_end(lines, index, marker, stop=lambda line: bool(MARKER.match(line)))
        if end is None:
            problems.append(QuestionParseError(path, index + 1, f"unterminated code fence {marker} (never closed)"))
            owner = max((s for s in starts if s < index), default=None)
            if owner is not None:
                bad_items.add(owner)
            index += 1
            continue
        fenced.update(range(index, end + 1))
        index = end + 1
    starts = [s for s in starts if s not in fenced]

    items: list[ParsedItem] = []
    skipped = 0
    for position, start in enumerate(starts):
        stop = starts[position + 1] if position + 1 < len(starts) else len(lines)
        if start in bad_items:
            skipped += 1
            continue
        match = MARKER.match(lines[start])
        assert match is not None
        question = question_plain(match.group(2))
        if not question:
            problems.append(QuestionParseError(path, start + 1, f"question Q{match.group(1)} has no text"))
            skipped += 1
            continue
        body = list(lines[start + 1 : stop])
        while body and not body[-1].strip():
            body.pop()
        answer = block_text(body)
        end = start + len(body)
        items.append(ParsedItem(question=question, answer=answer or None, line_start=start + 1, line_end=end + 1))
    problems.sort(key=lambda p: p.line or 0)
    return ParseOutcome(items=tuple(items), problems=tuple(problems), skipped=skipped)
