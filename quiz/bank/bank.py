"""The built question bank: an immutable collection of questions, and its JSON file.

Classes:
    Bank  -- questions in a stable order, lookup by id or by question text, a content fingerprint

Functions:
    question_id(text)        stable id: "q-" + first 10 hex of sha1(match_key(text))
    bank_to_json(bank)       the canonical JSON text (sorted keys, fixed order) that is saved
    load_bank(path)          read a bank file (BankError when missing, corrupt or the wrong shape)
    save_bank(bank, path)    atomic write (temp file + os.replace)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quiz.errors import BankError, QuestionNotFound
from quiz.grading.normalize import match_key
from quiz.models import Question, QuestionId

__all__ = ["BANK_FORMAT", "BANK_VERSION", "Bank", "bank_to_json", "load_bank", "question_id", "save_bank"]

BANK_FORMAT = "quiz-bank"
BANK_VERSION = 1
FUZZY_RESOLVE_MIN = 90.0  # rapidfuzz ratio (0..100) on match keys for a text that is not an exact match


def question_id(text: str) -> QuestionId:
    """Stable id of a question text; unchanged by script, width, punctuation or markdown differences."""
    return QuestionId("q-" + hashlib.sha1(match_key(text).encode("utf-8")).hexdigest()[:10])


@dataclass(frozen=True)
class Bank:
    """Questions in stable order (first source file, then line). ``topic_labels``: (id, zh, en) triples."""

    questions: tuple[Question, ...]
    topic_labels: tuple[tuple[str, str, str], ...] = ()
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Question] = {}
        by_key: dict[str, Question] = {}
        for question in self.questions:
            if question.id in by_id:
                raise BankError(f"duplicate question id {question.id}")
            by_id[question.id] = question
            for text in (question.text, *(o.question_text for o in question.origins)):
                by_key.setdefault(match_key(text), question)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_key", by_key)

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def get(self, question_id: str) -> Question:
        """The question with this id. Raises QuestionNotFound."""
        try:
            return self._by_id[question_id]
        except KeyError:
            raise QuestionNotFound(f"no question with id {question_id!r} in the bank ({len(self)} questions)") from None

    def resolve(self, id_or_text: str) -> Question:
        """A question by id, or by its text as written in any source file.

        Text matching ignores markdown markers, whitespace, punctuation, full-/half-width and
        traditional/simplified differences (``match_key``); failing an exact key match, the closest
        text with a fuzzy ratio of at least 90 wins. Raises QuestionNotFound, naming close candidates.
        """
        wanted = id_or_text.strip()
        if wanted in self._by_id:
            return self._by_id[wanted]
        key = match_key(wanted)
        if not key:
            raise QuestionNotFound("empty question id or text")
        if key in self._by_key:
            return self._by_key[key]
        from rapidfuzz import fuzz, process

        found = process.extract(key, list(self._by_key), scorer=fuzz.ratio, limit=3)
        if found and found[0][1] >= FUZZY_RESOLVE_MIN:
            return self._by_key[found[0][0]]
        hints = "; ".join(f"{self._by_key[k].id} {self._by_key[k].text[:40]!r}" for k, _, _ in found)
        raise QuestionNotFound(f"no question matches {id_or_text[:60]!r}" + (f" (closest: {hints})" if hints else ""))

    def topics(self) -> tuple[str, ...]:
        """Topic ids used by the questions, in taxonomy order where known, else first use."""
        used: dict[str, None] = {}
        for question in self.questions:
            for topic in question.topics:
                used.setdefault(topic, None)
        order = {topic_id: position for position, (topic_id, _, _) in enumerate(self.topic_labels)}
        return tuple(sorted(used, key=lambda t: (order.get(t, len(order)), list(used).index(t))))

    def topic_label(self, topic_id: str, language: str = "zh") -> str:
        """Human label of a topic id (the id itself when unknown)."""
        for known, zh, en in self.topic_labels:
            if known == topic_id:
                return zh if language == "zh" else en
        return topic_id

    def with_questions(self, questions: Iterable[Question]) -> Bank:
        """A bank with these questions added (or replacing those with the same id), order kept."""
        merged = {q.id: q for q in self.questions}
        order = [q.id for q in self.questions]
        for question in questions:
            if question.id not in merged:
                order.append(question.id)
            merged[question.id] = question
        return Bank(questions=tuple(merged[i] for i in order), topic_labels=self.topic_labels)

    @property
    def fingerprint(self) -> str:
        """sha256 of the canonical JSON: changes whenever any question, reference or rubric changes."""
        return hashlib.sha256(bank_to_json(self).encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": BANK_FORMAT,
            "version": BANK_VERSION,
            "topics": [{"id": i, "zh": zh, "en": en} for i, zh, en in self.topic_labels],
            "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Bank:
        if (
            not isinstance(data, dict)
            or data.get("format") != BANK_FORMAT
            or not isinstance(data.get("questions"), list)
        ):
            raise BankError(
                f"not a question bank: expected an object with format '{BANK_FORMAT}' and a 'questions' list"
            )
        try:
            questions = tuple(Question.from_dict(q) for q in data["questions"])
            labels = tuple(
                (str(t["id"]), str(t.get("zh", t["id"])), str(t.get("en", t["id"]))) for t in data.get("topics", ())
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BankError(f"question bank has a malformed record: {exc!r}") from None
        return cls(questions=questions, topic_labels=labels)


def bank_to_json(bank: Bank) -> str:
    """Canonical text of a bank file: sorted keys, one-space indent, real UTF-8, trailing newline."""
    return json.dumps(bank.to_dict(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def load_bank(path: str | Path) -> Bank:
    """Read a bank file. Raises BankError with the path when it is missing, corrupt or the wrong shape."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(f"question bank {path} does not exist; build it with `python -m quiz bank build`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(f"cannot read question bank {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BankError(f"question bank {path} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
    try:
        return Bank.from_dict(data)
    except BankError as exc:
        raise BankError(f"{path}: {exc}") from None


def save_bank(bank: Bank, path: str | Path) -> None:
    """Write the bank atomically: a temp file in the same folder, then os.replace."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(bank_to_json(bank))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)  # mkstemp makes 0600; a bank file is meant to be shared
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
