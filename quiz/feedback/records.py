"""The LLM feedback record, its markdown form, and the score blend.

Classes:
    LLMFeedback  -- what the LLM said about one answer (frozen; JSON round-trip; markdown for storage)

Functions:
    blended_score(local, llm, blend)   -- the shown score when ``llm_score_blend`` is above 0
    parse_markdown_feedback(text, ...) -- read an ``LLMFeedback`` back from its markdown form (streamed text)
    section_titles(language)           -- the four markdown headings in "zh" or "en"
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["LLMFeedback", "blended_score", "parse_markdown_feedback", "section_titles"]

# Headings of the markdown form. The streaming prompt asks the model for exactly these, and
# ``parse_markdown_feedback`` reads them back, so streamed text and stored text look the same.
_TITLES: dict[str, tuple[str, str, str, str]] = {
    "en": ("What you got right", "What is missing or wrong", "A stronger answer", "LLM score"),
    "zh": ("答对的要点", "遗漏或错误", "改进后的回答", "LLM 评分"),
}
_SCORE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:/\s*100|分)?")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)、])\s+")
_NONE_ITEMS = {"none", "(none)", "n/a", "-", "无", "（无）", "(无)", "没有"}


def section_titles(language: str) -> tuple[str, str, str, str]:
    """Headings for covered, missing, improved answer and score, in ``language`` ("zh" or "en")."""
    return _TITLES["zh" if language == "zh" else "en"]


def blended_score(local: float | None, llm: float | None, blend: float) -> float | None:
    """The score to show when the LLM score is blended in.

    ``blended = (1 - blend) * local + blend * llm``, clamped to 0..100. The local score is returned
    unchanged when ``blend`` is 0 or there is no LLM score, and ``None`` when there is no local
    score (a question without a reference is never scored, not even by the LLM). The stored grade
    is never changed: this is only the number shown beside it.

    Args:
        local: the offline grade, 0..100, or None.
        llm: the LLM's score, 0..100, or None.
        blend: ``Settings.llm_score_blend``, 0..1.

    Raises:
        ValueError: ``blend`` is outside 0..1 or not a number.
    """
    if not (isinstance(blend, int | float) and 0.0 <= blend <= 1.0):
        raise ValueError(f"blend must be between 0 and 1, got {blend!r}")
    if local is None:
        return None
    if llm is None or blend == 0.0 or math.isnan(llm):
        return float(local)
    value = (1.0 - blend) * float(local) + blend * float(llm)
    return min(100.0, max(0.0, value))


@dataclass(frozen=True)
class LLMFeedback:
    """What the LLM said about one answer. ``llm_score`` is 0..100 or None; it never replaces the offline grade."""

    covered: tuple[str, ...]
    missing: tuple[str, ...]
    improved_answer: str
    llm_score: float | None
    language: str  # "zh" or "en": the question's language, which the feedback is written in
    model: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "covered": list(self.covered),
            "missing": list(self.missing),
            "improved_answer": self.improved_answer,
            "llm_score": self.llm_score,
            "language": self.language,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LLMFeedback:
        score = data.get("llm_score")
        return cls(
            covered=tuple(str(x) for x in data.get("covered", ())),
            missing=tuple(str(x) for x in data.get("missing", ())),
            improved_answer=str(data.get("improved_answer", "")),
            llm_score=None if score is None else float(score),
            language=str(data.get("language", "en")),
            model=str(data.get("model", "")),
        )

    def as_markdown(self) -> str:
        """Markdown for display and for ``Attempt.llm_feedback`` (headings in the feedback's language)."""
        right, missing, better, score = section_titles(self.language)
        none = "（无）" if self.language == "zh" else "(none)"
        parts = [f"### {right}", *(f"- {c}" for c in self.covered or (none,)), ""]
        parts += [f"### {missing}", *(f"- {m}" for m in self.missing or (none,)), ""]
        if self.improved_answer:
            parts += [f"### {better}", self.improved_answer.strip(), ""]
        if self.llm_score is not None:
            parts += [f"### {score}", f"{self.llm_score:.0f}/100", ""]
        return "\n".join(parts).strip() + "\n"


def _which_section(heading: str) -> int | None:
    text = heading.strip().strip("*_: ：").lower()
    for titles in _TITLES.values():
        for index, title in enumerate(titles):
            if text.startswith(title.lower()):
                return index
    return None


def parse_markdown_feedback(text: str, *, language: str, model: str) -> LLMFeedback | None:
    """Read the markdown form (as written by ``as_markdown`` or a model following it) back into a record.

    Returns None when the text does not have the expected headings, so the caller can fall back
    to a structured request.
    """
    sections: dict[int, list[str]] = {}
    current: int | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = _which_section(heading.group(1))
            if current is not None:
                sections.setdefault(current, [])
            continue
        if current is not None:
            sections[current].append(line)
    if 0 not in sections and 1 not in sections:
        return None

    def items(index: int) -> tuple[str, ...]:
        found = []
        for line in sections.get(index, []):
            item = _BULLET.sub("", line).strip()
            if item and item.lower() not in _NONE_ITEMS:
                found.append(item)
        return tuple(found)

    score: float | None = None
    match = _SCORE.search(" ".join(sections.get(3, [])))
    if match:
        value = float(match.group(1))
        score = value if 0.0 <= value <= 100.0 else None
    return LLMFeedback(
        covered=items(0),
        missing=items(1),
        improved_answer="\n".join(sections.get(2, [])).strip(),
        llm_score=score,
        language=language,
        model=model,
    )
