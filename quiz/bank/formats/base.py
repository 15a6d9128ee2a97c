"""Shared pieces of the source-format parsers.

Classes:
    ParsedItem    -- one question (and its answer, if any) as found in a source file
    ParseOutcome  -- what a parser returns: items, problems, skipped count, notes

Functions:
    read_source_text(path)   decode a source file (utf-8/utf-8-sig; gb18030 or utf-16 with a warning)
    question_plain(text)     a question line without markdown markers or leading numbering
    open_fence(line)         the fence marker a line opens, if any
    find_fence_end(...)      index of the line closing a fence, or None when it never closes
    block_text(lines)        dedented, blank-trimmed markdown of an answer block
    next_nonblank(lines, i)  index of the first non-blank line at or after ``i``
    count_labels(lines, label, fenced=)  labels whose next non-blank line opens (or does not open) a fence

Constants:
    NUMBERED_HEADING         a markdown heading "N. text" / "N、text" (groups: number, text)
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from quiz.errors import QuestionParseError
from quiz.grading.normalize import strip_markdown

__all__ = [
    "NUMBERED_HEADING",
    "count_labels",
    "next_nonblank",
    "ParseOutcome",
    "ParsedItem",
    "block_text",
    "find_fence_end",
    "open_fence",
    "question_plain",
    "read_source_text",
]


@dataclass(frozen=True)
class ParsedItem:
    """One question as found in a file: plain question text, answer markdown (None = unanswered), 1-based span."""

    question: str
    answer: str | None
    line_start: int
    line_end: int
    topics: tuple[str, ...] = ()  # hints from the file itself (e.g. a CSV "topic" column)


@dataclass(frozen=True)
class ParseOutcome:
    """Result of parsing one file. ``skipped`` counts items that were seen but could not be parsed."""

    items: tuple[ParsedItem, ...]
    problems: tuple[QuestionParseError, ...] = ()
    skipped: int = 0
    notes: tuple[str, ...] = ()


def read_source_text(path: str | Path) -> tuple[str, tuple[str, ...]]:
    """Read a source file as text.

    UTF-8 (with or without BOM) is expected. A UTF-16 file (it has a BOM) and a GB18030/GBK file are
    decoded too, with a warning in the returned notes, because such files are common exports of
    Chinese editors and their content is unambiguous. Binary files (NUL bytes outside UTF-16) and
    bytes that decode under none of these raise ``QuestionParseError`` naming the file.

    Returns:
        The text and a tuple of warnings.
    """
    name = Path(path).name
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise QuestionParseError(name, None, f"cannot read file: {exc.strerror or exc}") from None
    if not raw.strip():
        raise QuestionParseError(name, None, "file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), (f"{name}: decoded as UTF-16 (expected UTF-8)",)
        except UnicodeDecodeError:
            raise QuestionParseError(
                name, None, "file starts with a UTF-16 byte-order mark but is not valid UTF-16"
            ) from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise QuestionParseError(name, line, "binary file (NUL byte): not a text question bank")
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise QuestionParseError(
                name,
                bad_line,
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}) and not GB18030 either; save it as UTF-8",
            ) from None
        return text, (f"{name}:{bad_line}: not valid UTF-8; decoded as GB18030/GBK instead",)


_LEADING_NUMBER = re.compile(r"^\s*(?:Q\s*)?\d{1,3}(?:\s*[.、．:：)）]\s*|(?=[\u4e00-\u9fff]))")


def question_plain(text: str, *, drop_number: bool = False) -> str:
    """The question as a person reads it: markdown markers removed, whitespace collapsed.

    With ``drop_number`` a leading "3." / "10" / "Q3" item number is removed.
    """
    out = strip_markdown(text)
    out = " ".join(out.split())
    if drop_number:
        out = _LEADING_NUMBER.sub("", out, count=1)
    return out.strip()


_FENCE_OPEN = re.compile(r"^\s{0,12}(`{3,}|~{3,})(.*)$")


def open_fence(line: str) -> str | None:
    """The marker (e.g. ``` or ~~~~) if ``line`` opens a code fence, else None."""
    match = _FENCE_OPEN.match(line)
    if not match:
        return None
    marker, info = match.group(1), match.group(2)
    if marker[0] == "`" and "`" in info:  # ```x``` on one line is inline code, not a fence
        return None
    return marker


def _closes(line: str, marker: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and set(stripped) == {marker[0]} and len(stripped) >= len(marker)


def find_fence_end(
    lines: Sequence[str], open_index: int, marker: str, *, stop: Callable[[str], bool] | None = None
) -> int | None:
    """Index of the line that closes the fence opened at ``open_index``.

    Returns None when the fence never closes: at the end of the file, or at a line for which
    ``stop`` is true (a new item's marker inside a fence means the fence was left open).
    """
    for index in range(open_index + 1, len(lines)):
        line = lines[index]
        if _closes(line, marker):
            return index
        if stop is not None and stop(line):
            return None
    return None


def block_text(lines: Sequence[str]) -> str:
    """Join answer lines: common indentation removed, leading/trailing blank lines and spaces dropped."""
    text = textwrap.dedent("\n".join(line.rstrip() for line in lines))
    return text.strip("\n").rstrip()


NUMBERED_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(\d{1,3})\s*[.、．]\s*(\S.*?)\s*#*\s*$")


def next_nonblank(lines: Sequence[str], start: int) -> int | None:
    """Index of the first non-blank line at or after ``start``, or None."""
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def count_labels(lines: Sequence[str], label: re.Pattern[str], *, fenced: bool) -> int:
    """How many lines match ``label`` and are followed (``fenced=True``) or not followed by a code fence.

    Format detection scores a file by this count, so two formats that share a label (a numbered
    heading) are told apart by what comes right after it.
    """
    count = 0
    for index, line in enumerate(lines):
        if label.match(line):
            following = next_nonblank(lines, index + 1)
            opens = following is not None and open_fence(lines[following]) is not None
            if opens is fenced:
                count += 1
    return count
