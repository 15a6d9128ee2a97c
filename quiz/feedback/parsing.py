"""Robust reading of the LLM's structured reply: JSON as such, in ```json fences, or inside prose.

Functions:
    extract_json_object(text)              -- the first JSON object found in ``text``, or None
    feedback_from_reply(text, language, model) -- an ``LLMFeedback``, or None when the reply is unusable
"""

from __future__ import annotations

import json
import re
from typing import Any

from quiz.feedback.records import LLMFeedback

__all__ = ["extract_json_object", "feedback_from_reply"]

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)  # reasoning models (DeepSeek-R1, Qwen3) prepend this
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_SCORE_KEYS = ("score", "llm_score", "rating", "评分", "分数")


def _loads_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _balanced_objects(text: str) -> list[str]:
    """Candidate ``{...}`` spans with balanced braces, skipping braces inside JSON strings."""
    spans = []
    start = text.find("{")
    while start != -1:
        depth, in_string, escaped = 0, False, False
        for index in range(start, len(text)):
            char = text[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    spans.append(text[start : index + 1])
                    break
        start = text.find("{", start + 1)
    return spans


def extract_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text``: the whole text, a fenced block, or a balanced ``{...}`` inside prose."""
    text = _THINK.sub("", text or "").strip()
    if not text:
        return None
    found = _loads_object(text)
    if found is not None:
        return found
    for block in _FENCE.findall(text):
        found = _loads_object(block.strip())
        if found is not None:
            return found
    for span in _balanced_objects(text):
        found = _loads_object(span)
        if found is not None:
            return found
    return None


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        lines = [line.strip().lstrip("-*• ").strip() for line in value.splitlines()]
        return tuple(line for line in lines if line)
    if isinstance(value, list | tuple):
        items = []
        for item in value:
            if isinstance(item, dict):  # some models wrap items: {"point": "..."}
                item = next((v for v in item.values() if isinstance(v, str)), "")
            text = str(item).strip()
            if text:
                items.append(text)
        return tuple(items)
    return None


def _score(data: dict[str, Any]) -> tuple[bool, float | None]:
    """(valid, score): a missing score is valid (None); a present one must be a number in 0..100."""
    raw = next((data[k] for k in _SCORE_KEYS if k in data), None)
    if raw is None:
        return True, None
    if isinstance(raw, bool):
        return False, None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        match = _NUMBER.search(str(raw))
        if not match:
            return False, None
        value = float(match.group(0))
    if value != value or not 0.0 <= value <= 100.0:  # NaN or out of range
        return False, None
    return True, value


def feedback_from_reply(text: str, *, language: str, model: str) -> LLMFeedback | None:
    """Turn the model's reply into ``LLMFeedback``; None when it holds no usable JSON object.

    Usable means: a JSON object with at least one of covered / missing / improved_answer, list
    fields that are lists or strings, and a score (if any) that is a number within 0..100.
    """
    data = extract_json_object(text)
    if data is None:
        return None
    if not any(k in data for k in ("covered", "missing", "improved_answer")):
        return None
    covered, missing = _strings(data.get("covered")), _strings(data.get("missing"))
    improved = data.get("improved_answer", "")
    valid, score = _score(data)
    if covered is None or missing is None or not isinstance(improved, str) or not valid:
        return None
    return LLMFeedback(
        covered=covered,
        missing=missing,
        improved_answer=improved.strip(),
        llm_score=score,
        language=language,
        model=model,
    )
