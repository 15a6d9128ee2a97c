"""Source-format parsers, one module per markdown format, chosen by looking at the content.

Modules (each has ``NAME``, ``detect(lines) -> int`` and ``parse(lines, path) -> ParseOutcome``):
    qa_fenced         ``Question:`` / ``Answer:`` labels with fenced blocks
    numbered_fence    ``##### N. question`` followed by a fenced answer
    bullet_q          ``- Qn **question**`` with an indented answer
    heading_sections  ``## N. question`` with the section body as the answer
    table             a ``| 问题 | 答案 |`` table

Functions:
    detect_format(lines)       name of the best-matching format, or None
    parse_markdown(text, path) detect and parse; returns (format name, ParseOutcome)
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from quiz.bank.formats import bullet_q, heading_sections, numbered_fence, qa_fenced, table
from quiz.bank.formats.base import ParsedItem, ParseOutcome, read_source_text
from quiz.errors import QuestionParseError

__all__ = ["FORMATS", "ParseOutcome", "ParsedItem", "detect_format", "parse_markdown", "read_source_text"]

# Order breaks ties: a file matching several formats equally well gets the earlier one.
FORMATS: tuple[ModuleType, ...] = (qa_fenced, numbered_fence, bullet_q, table, heading_sections)


def detect_format(lines: Sequence[str]) -> ModuleType | None:
    """The format whose item markers occur most often in ``lines``; None when no format matches."""
    best: ModuleType | None = None
    best_count = 0
    for module in FORMATS:
        count = module.detect(lines)
        if count > best_count:
            best, best_count = module, count
    return best


def parse_markdown(text: str, path: str) -> tuple[str | None, ParseOutcome]:
    """Detect the format of ``text`` and parse it. ``path`` is only used in messages."""
    lines = text.splitlines()
    module = detect_format(lines)
    if module is None:
        problem = QuestionParseError(
            path,
            None,
            "no question format recognised (expected Question:/Answer: fences, '## N. question' headings, "
            "'- Qn **question**' bullets or a '| 问题 | 答案 |' table)",
        )
        return None, ParseOutcome(items=(), problems=(problem,))
    return module.NAME, module.parse(lines, path)
