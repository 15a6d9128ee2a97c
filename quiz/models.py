"""Records shared by every layer: frozen dataclasses with a JSON round-trip.

Classes:
    Difficulty, Band, SessionKind  -- enums with stable stored values
    Origin                         -- where a question's text appears in a source file
    KeyPoint, Keyword, Rubric      -- what a good answer covers
    Reference                      -- one reference answer with its own rubric
    Question                       -- a bank question with one or more references
    KeyPointEvidence, KeywordEvidence, ScoreComponents, GradeResult
                                   -- the outcome of grading one answer
    Attempt                        -- one answer by one user, with its grade and timing

Every record has ``to_dict()`` returning plain JSON types and a ``from_dict()``
classmethod; ``from_dict(x.to_dict()) == x`` holds for all of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

__all__ = [
    "Attempt",
    "Band",
    "Difficulty",
    "GradeResult",
    "KeyPoint",
    "KeyPointEvidence",
    "Keyword",
    "KeywordEvidence",
    "Origin",
    "Question",
    "QuestionId",
    "Reference",
    "Rubric",
    "ScoreComponents",
    "SessionKind",
]

QuestionId = NewType("QuestionId", str)


class Difficulty(StrEnum):
    """How hard a question is; stored by value."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Band(StrEnum):
    """Coarse verdict for a score; cut-offs live in ``quiz.grading.bands``."""

    EXCELLENT = "excellent"
    GOOD = "good"
    PARTIAL = "partial"
    WEAK = "weak"
    MISS = "miss"
    UNGRADED = "ungraded"  # no reference answer, so no score


class SessionKind(StrEnum):
    """Which kind of session produced an attempt."""

    PRACTICE = "practice"
    TIMED = "timed"
    MOCK = "mock"
    CLI = "cli"


def _dt_to_str(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt_from_str(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Origin:
    """Where a question's text appears: source file name, 1-based inclusive line span, text as written."""

    source: str
    line_start: int
    line_end: int
    question_text: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Origin:
        return cls(
            source=data["source"],
            line_start=int(data["line_start"]),
            line_end=int(data["line_end"]),
            question_text=data["question_text"],
        )


@dataclass(frozen=True)
class KeyPoint:
    """One idea a good answer should contain (plain text, markdown stripped)."""

    text: str
    weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeyPoint:
        return cls(text=data["text"], weight=float(data.get("weight", 1.0)))


@dataclass(frozen=True)
class Keyword:
    """A term a good answer uses; any alias (other script, other language) counts as the term."""

    term: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0
    required: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "aliases": list(self.aliases), "weight": self.weight, "required": self.required}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Keyword:
        return cls(
            term=data["term"],
            aliases=tuple(data.get("aliases", ())),
            weight=float(data.get("weight", 1.0)),
            required=bool(data.get("required", False)),
        )


@dataclass(frozen=True)
class Rubric:
    """Key points and keywords that a reference answer expects."""

    key_points: tuple[KeyPoint, ...] = ()
    keywords: tuple[Keyword, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_points": [k.to_dict() for k in self.key_points],
            "keywords": [k.to_dict() for k in self.keywords],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rubric:
        return cls(
            key_points=tuple(KeyPoint.from_dict(k) for k in data.get("key_points", ())),
            keywords=tuple(Keyword.from_dict(k) for k in data.get("keywords", ())),
        )


@dataclass(frozen=True)
class Reference:
    """One reference answer: markdown text as in the source, where it came from, and its rubric."""

    text: str
    source: str
    line_start: int
    line_end: int
    rubric: Rubric = field(default_factory=Rubric)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source": self.source,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "rubric": self.rubric.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reference:
        return cls(
            text=data["text"],
            source=data["source"],
            line_start=int(data["line_start"]),
            line_end=int(data["line_end"]),
            rubric=Rubric.from_dict(data.get("rubric", {})),
        )


@dataclass(frozen=True)
class Question:
    """A bank question. ``origins`` lists every place it is asked (several after a merge)."""

    id: QuestionId
    text: str
    references: tuple[Reference, ...]
    topics: tuple[str, ...]
    difficulty: Difficulty
    origins: tuple[Origin, ...] = ()

    @property
    def has_reference(self) -> bool:
        return bool(self.references)

    @property
    def sources(self) -> tuple[str, ...]:
        """Distinct source file names, in order of first appearance."""
        seen: dict[str, None] = {}
        for origin in self.origins:
            seen.setdefault(origin.source, None)
        for ref in self.references:
            seen.setdefault(ref.source, None)
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "references": [r.to_dict() for r in self.references],
            "topics": list(self.topics),
            "difficulty": self.difficulty.value,
            "has_reference": self.has_reference,
            "origins": [o.to_dict() for o in self.origins],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(
            id=QuestionId(data["id"]),
            text=data["text"],
            references=tuple(Reference.from_dict(r) for r in data.get("references", ())),
            topics=tuple(data.get("topics", ())),
            difficulty=Difficulty(data.get("difficulty", Difficulty.MEDIUM.value)),
            origins=tuple(Origin.from_dict(o) for o in data.get("origins", ())),
        )


@dataclass(frozen=True)
class KeyPointEvidence:
    """How well one key point was covered, and by which answer sentence."""

    key_point: str
    weight: float
    similarity: float  # calibrated 0..1
    covered: bool
    answer_sentence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeyPointEvidence:
        return cls(
            key_point=data["key_point"],
            weight=float(data["weight"]),
            similarity=float(data["similarity"]),
            covered=bool(data["covered"]),
            answer_sentence=data.get("answer_sentence"),
        )


@dataclass(frozen=True)
class KeywordEvidence:
    """Whether one rubric keyword was found in the answer, and as what text."""

    term: str
    matched: bool
    required: bool = False
    matched_text: str | None = None
    score: float = 0.0  # fuzzy match strength 0..1

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeywordEvidence:
        return cls(
            term=data["term"],
            matched=bool(data["matched"]),
            required=bool(data.get("required", False)),
            matched_text=data.get("matched_text"),
            score=float(data.get("score", 0.0)),
        )


@dataclass(frozen=True)
class ScoreComponents:
    """The parts a score is made of, each 0..1, and the penalties applied (name -> points taken off)."""

    semantic: float
    keyword: float
    relevance: float
    penalties: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "semantic": self.semantic,
            "keyword": self.keyword,
            "relevance": self.relevance,
            "penalties": dict(self.penalties),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoreComponents:
        return cls(
            semantic=float(data["semantic"]),
            keyword=float(data["keyword"]),
            relevance=float(data["relevance"]),
            penalties={str(k): float(v) for k, v in data.get("penalties", {}).items()},
        )


@dataclass(frozen=True)
class GradeResult:
    """The offline grade of one answer.

    ``score`` is 0..100, or ``None`` when the question has no reference (``reason`` says why).
    ``reference_index`` is the index of the best-matching reference in ``Question.references``.
    """

    question_id: QuestionId
    score: float | None
    band: Band
    components: ScoreComponents | None
    key_points: tuple[KeyPointEvidence, ...]
    keywords: tuple[KeywordEvidence, ...]
    feedback: str
    model: str
    grader_version: str
    reference_index: int | None = None
    flags: tuple[str, ...] = ()  # e.g. "empty", "echo", "keyword_list", "injection", "off_topic"
    reason: str | None = None

    @property
    def covered_key_points(self) -> tuple[KeyPointEvidence, ...]:
        return tuple(k for k in self.key_points if k.covered)

    @property
    def missed_key_points(self) -> tuple[KeyPointEvidence, ...]:
        return tuple(k for k in self.key_points if not k.covered)

    @property
    def missed_keywords(self) -> tuple[KeywordEvidence, ...]:
        return tuple(k for k in self.keywords if not k.matched)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "score": self.score,
            "band": self.band.value,
            "components": self.components.to_dict() if self.components else None,
            "key_points": [k.to_dict() for k in self.key_points],
            "keywords": [k.to_dict() for k in self.keywords],
            "feedback": self.feedback,
            "model": self.model,
            "grader_version": self.grader_version,
            "reference_index": self.reference_index,
            "flags": list(self.flags),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeResult:
        components = data.get("components")
        return cls(
            question_id=QuestionId(data["question_id"]),
            score=None if data.get("score") is None else float(data["score"]),
            band=Band(data["band"]),
            components=ScoreComponents.from_dict(components) if components else None,
            key_points=tuple(KeyPointEvidence.from_dict(k) for k in data.get("key_points", ())),
            keywords=tuple(KeywordEvidence.from_dict(k) for k in data.get("keywords", ())),
            feedback=data.get("feedback", ""),
            model=data.get("model", ""),
            grader_version=data.get("grader_version", ""),
            reference_index=data.get("reference_index"),
            flags=tuple(data.get("flags", ())),
            reason=data.get("reason"),
        )


@dataclass(frozen=True)
class Attempt:
    """One answer by one user to one question, with its grade and timing.

    Datetimes are timezone-aware (UTC). ``late`` is True when the answer arrived after
    the deadline; a late attempt is kept but not counted in scores.
    """

    id: str
    user: str
    question_id: QuestionId
    answer: str
    grade: GradeResult | None
    started_at: datetime
    submitted_at: datetime
    session_kind: SessionKind
    session_id: str | None = None
    time_limit_s: float | None = None
    late: bool = False
    llm_feedback: str | None = None
    llm_score: float | None = None

    @property
    def score(self) -> float | None:
        return self.grade.score if self.grade is not None else None

    @property
    def counted(self) -> bool:
        """True when this attempt counts towards scores and mastery."""
        return not self.late and self.score is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "question_id": self.question_id,
            "answer": self.answer,
            "grade": self.grade.to_dict() if self.grade else None,
            "started_at": _dt_to_str(self.started_at),
            "submitted_at": _dt_to_str(self.submitted_at),
            "session_kind": self.session_kind.value,
            "session_id": self.session_id,
            "time_limit_s": self.time_limit_s,
            "late": self.late,
            "llm_feedback": self.llm_feedback,
            "llm_score": self.llm_score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attempt:
        grade = data.get("grade")
        started = _dt_from_str(data["started_at"])
        submitted = _dt_from_str(data["submitted_at"])
        assert started is not None and submitted is not None
        return cls(
            id=data["id"],
            user=data["user"],
            question_id=QuestionId(data["question_id"]),
            answer=data["answer"],
            grade=GradeResult.from_dict(grade) if grade else None,
            started_at=started,
            submitted_at=submitted,
            session_kind=SessionKind(data["session_kind"]),
            session_id=data.get("session_id"),
            time_limit_s=data.get("time_limit_s"),
            late=bool(data.get("late", False)),
            llm_feedback=data.get("llm_feedback"),
            llm_score=data.get("llm_score"),
        )
