"""Hand corrections to the built bank (``question_bank/overrides.yaml``).

Classes:
    Overrides  -- parsed file: per-question fixes, forced merges, pairs kept apart

Functions:
    load_overrides(path)                   read and check the YAML (a missing file means no overrides)
    apply_overrides(questions, overrides)  fixed questions, and messages for unknown ids

File shape (every part optional)::

    questions:
      q-0123456789:                 # a question id (see `python -m quiz bank export`)
        topics: [rlhf-alignment]    # replaces the assigned topics
        difficulty: hard            # easy | medium | hard
        references:                 # rubric fixes; 'source' picks references of one file, none = all
          - source: 004_e41d677e71acf8a7.txt
            add_keywords: [{term: PPO, aliases: [近端策略优化]}]   # or plain strings
            replace_keywords: [...]
            add_key_points: ["..."]                                 # or {text, weight}
            replace_key_points: [...]
    merge:        # pairs (id or question text) that are the same question although the score says no
      - ["question text or id", "question text or id"]
    keep_apart:   # pairs the score would merge but that are different questions
      - ["...", "..."]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quiz.errors import BankError
from quiz.models import Difficulty, KeyPoint, Keyword, Question, Rubric

__all__ = ["Overrides", "apply_overrides", "load_overrides"]


@dataclass(frozen=True)
class Overrides:
    """Per-question fixes keyed by id, and pairs of question ids/texts to merge or keep apart."""

    questions: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    merge: tuple[tuple[str, str], ...] = ()
    keep_apart: tuple[tuple[str, str], ...] = ()


def _pairs(data: Any, name: str, path: str | Path) -> tuple[tuple[str, str], ...]:
    pairs = []
    for entry in data or ():
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            raise BankError(f"overrides {path}: each '{name}' entry must be a pair [a, b], got {entry!r}")
        pairs.append((str(entry[0]), str(entry[1])))
    return tuple(pairs)


def load_overrides(path: str | Path | None) -> Overrides:
    """Read the overrides file; a missing or empty file means no overrides. BankError on a bad shape."""
    import yaml

    if path is None or not Path(path).exists():
        return Overrides()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise BankError(f"overrides {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise BankError(f"overrides {path} must be a mapping")
    unknown = sorted(set(data) - {"questions", "merge", "keep_apart"})
    if unknown:
        raise BankError(f"overrides {path}: unknown section(s) {', '.join(unknown)}")
    questions = data.get("questions") or {}
    if not isinstance(questions, dict) or not all(isinstance(v, dict) for v in questions.values()):
        raise BankError(f"overrides {path}: 'questions' must map question ids to mappings")
    for qid, fix in questions.items():
        bad = sorted(set(fix) - {"topics", "difficulty", "references"})
        if bad:
            raise BankError(f"overrides {path}: question {qid}: unknown field(s) {', '.join(bad)}")
        if "difficulty" in fix and fix["difficulty"] not in {d.value for d in Difficulty}:
            raise BankError(f"overrides {path}: question {qid}: difficulty must be easy, medium or hard")
    return Overrides(
        questions={str(k): v for k, v in questions.items()},
        merge=_pairs(data.get("merge"), "merge", path),
        keep_apart=_pairs(data.get("keep_apart"), "keep_apart", path),
    )


def _key_points(values: Sequence[Any]) -> tuple[KeyPoint, ...]:
    return tuple(
        KeyPoint(text=str(v["text"]), weight=float(v.get("weight", 1.0)))
        if isinstance(v, dict)
        else KeyPoint(text=str(v))
        for v in values
    )


def _keywords(values: Sequence[Any]) -> tuple[Keyword, ...]:
    out = []
    for v in values:
        if isinstance(v, dict):
            out.append(
                Keyword(
                    term=str(v["term"]),
                    aliases=tuple(str(a) for a in v.get("aliases") or ()),
                    weight=float(v.get("weight", 1.0)),
                    required=bool(v.get("required", False)),
                )
            )
        else:
            out.append(Keyword(term=str(v)))
    return tuple(out)


def _fix_rubric(rubric: Rubric, fix: dict[str, Any]) -> Rubric:
    key_points = _key_points(fix["replace_key_points"]) if "replace_key_points" in fix else rubric.key_points
    keywords = _keywords(fix["replace_keywords"]) if "replace_keywords" in fix else rubric.keywords
    key_points += _key_points(fix.get("add_key_points") or ())
    added = _keywords(fix.get("add_keywords") or ())
    known = {k.term.casefold() for k in added}
    keywords = tuple(k for k in keywords if k.term.casefold() not in known) + added
    return Rubric(key_points=key_points, keywords=keywords)


def apply_overrides(
    questions: Sequence[Question], overrides: Overrides
) -> tuple[tuple[Question, ...], tuple[str, ...]]:
    """Apply per-question fixes. Returns the questions and one message per id or source that matched nothing."""
    by_id = {q.id: q for q in questions}
    messages = [
        f"overrides: unknown question id {qid} (no question in the bank has it; was its text changed?)"
        for qid in overrides.questions
        if qid not in by_id
    ]
    fixed: list[Question] = []
    for question in questions:
        fix = overrides.questions.get(question.id)
        if fix is None:
            fixed.append(question)
            continue
        references = list(question.references)
        for ref_fix in fix.get("references") or ():
            source = ref_fix.get("source")
            hits = [i for i, r in enumerate(references) if source is None or r.source == source]
            if not hits:
                messages.append(f"overrides: question {question.id} has no reference from {source}")
            for i in hits:
                references[i] = dataclasses.replace(references[i], rubric=_fix_rubric(references[i].rubric, ref_fix))
        fixed.append(
            dataclasses.replace(
                question,
                references=tuple(references),
                topics=tuple(fix["topics"]) if "topics" in fix else question.topics,
                difficulty=Difficulty(fix["difficulty"]) if "difficulty" in fix else question.difficulty,
            )
        )
    return tuple(fixed), tuple(messages)
