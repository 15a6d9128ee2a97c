"""Format "qa_fenced": ``Question:`` and ``Answer:`` labels, each followed by a fenced block.

Example (``## QAn`` headings are optional)::

    ## QA1
    Question:
    ```
    transformer模型中，Q、K、V究竟是指什么？
    ```
    Answer:
    ```
    ...
    ```

An item spans from its ``Question:`` line to the fence closing its answer. A question with no
``Answer:`` block is kept without an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from quiz.bank.formats.base import (
    ParsedItem,
    ParseOutcome,
    count_labels,
    find_fence_end,
    next_nonblank,
    open_fence,
    question_plain,
)
from quiz.errors import QuestionParseError

NAME = "qa_fenced"

_QUESTION = re.compile(r"^\s*(?:question|问题|問題)\s*[:：]\s*$", re.IGNORECASE)
_ANSWER = re.compile(r"^\s*(?:answer|答案|回答)\s*[:：]\s*$", re.IGNORECASE)


def detect(lines: Sequence[str]) -> int:
    """Number of ``Question:`` labels followed by a fence (0 = not this format)."""
    return count_labels(lines, _QUESTION, fenced=True)


def _read_block(lines: Sequence[str], label_index: int, path: str) -> tuple[str | None, int, QuestionParseError | None]:
    """The fenced block after a label: (text, index of its last line, problem)."""
    start = next_nonblank(lines, label_index + 1)
    marker = open_fence(lines[start]) if start is not None else None
    if start is None or marker is None:
        return (
            None,
            label_index,
            QuestionParseError(path, label_index + 1, "label is not followed by a ``` fenced block"),
        )
    end = find_fence_end(lines, start, marker, stop=lambda line: bool(_QUESTION.match(line)))
    if end is None:
        return None, start, QuestionParseError(path, start + 1, f"unterminated code fence {marker} (never closed)")
    # The fenced body is plain text, not markdown: indented paragraphs would render as code blocks.
    return "\n".join(line.strip() for line in lines[start + 1 : end]).strip(), end, None


def parse(lines: Sequence[str], path: str) -> ParseOutcome:
    """Parse every Question/Answer pair; problems are collected, never raised."""
    items: list[ParsedItem] = []
    problems: list[QuestionParseError] = []
    skipped = 0
    index = 0
    while index < len(lines):
        if not _QUESTION.match(lines[index]):
            index += 1
            continue
        q_line = index
        question, q_end, problem = _read_block(lines, q_line, path)
        if problem is not None or not question:
            problems.append(problem or QuestionParseError(path, q_line + 1, "empty question"))
            skipped += 1
            index = max(q_end, q_line) + 1
            continue
        answer: str | None = None
        end = q_end
        a_label = next_nonblank(lines, q_end + 1)
        if a_label is not None and _ANSWER.match(lines[a_label]):
            answer, a_end, problem = _read_block(lines, a_label, path)
            if problem is not None:
                problems.append(problem)
                skipped += 1
                index = a_end + 1
                continue
            end = a_end
        items.append(
            ParsedItem(
                question=question_plain(question), answer=answer or None, line_start=q_line + 1, line_end=end + 1
            )
        )
        index = end + 1
    return ParseOutcome(items=tuple(items), problems=tuple(problems), skipped=skipped)
