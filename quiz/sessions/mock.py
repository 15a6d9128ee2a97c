"""Mock interview: ask, grade, maybe one follow-up, next question, and a summary without any LLM.

Classes:
    Phase          -- ask | follow_up | done
    MockTurn       -- one question's answers, scores and follow-up
    MockStep       -- what one ``answer`` call produced (new interview, attempt to store, follow-up text)
    TopicScore     -- mean final score of one topic
    MockSummary    -- per-question scores, strongest/weakest topics, verdict and assessment sentence
    MockInterview  -- the frozen state machine, with a ``transcript`` of (role, text) turns for a chat UI

Functions:
    pick_questions(questions, n, rng) -- n gradable questions spanning as many topics as possible
    template_followup(question, grade) -- the built-in follow-up text (Chinese for Chinese questions)

Flow: ASK -> the candidate answers -> graded; if the score is below ``followup_threshold`` and key
points were missed, ONE follow-up about the most important missed point is asked -> the follow-up
answer is graded by regrading the question with the original and follow-up answers combined (the
improvement is recorded) -> next question ... -> DONE with ``summary()``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from quiz.errors import QuizError
from quiz.models import Attempt, GradeResult, Question, QuestionId, SessionKind
from quiz.sessions.common import GradeFn, build_attempt, dt_parse, dt_text, is_chinese, new_id, require_aware

__all__ = [
    "DEFAULT_FOLLOWUP_THRESHOLD",
    "MockInterview",
    "MockStep",
    "MockSummary",
    "MockTurn",
    "Phase",
    "PhraseFollowup",
    "TopicScore",
    "pick_questions",
    "template_followup",
]

PhraseFollowup = Callable[[Question, str, list[str]], str]
DEFAULT_FOLLOWUP_THRESHOLD = 70.0
# Verdict cut-offs on the mean final score (0..100): (minimum, English, Chinese).
VERDICTS: tuple[tuple[float, str, str], ...] = (
    (80.0, "hire", "建议录用"),
    (65.0, "lean hire", "倾向录用"),
    (50.0, "lean no", "倾向不录用"),
    (0.0, "no", "不建议录用"),
)
_CLAUSE_BREAK = re.compile(r"[，。；：！？,;:!?（(]")


class Phase(StrEnum):
    ASK = "ask"
    FOLLOW_UP = "follow_up"
    DONE = "done"


def pick_questions(questions: Iterable[Question], n: int, rng: random.Random) -> list[Question]:
    """Pick ``n`` gradable questions, each time one adding the most not-yet-covered topics (ties at random)."""
    pool = [q for q in questions if q.has_reference]
    rng.shuffle(pool)
    chosen: list[Question] = []
    covered: set[str] = set()
    while pool and len(chosen) < n:
        if all(not set(q.topics) - covered for q in pool):
            covered = set()  # every topic seen once: start a second round across topics
        gains = [len(set(q.topics) - covered) for q in pool]
        best = max(gains)
        candidates = [q for q, g in zip(pool, gains, strict=True) if g == best]
        pick = rng.choice(candidates)
        pool.remove(pick)
        chosen.append(pick)
        covered |= set(pick.topics)
    return chosen


def _shorten(text: str, chinese: bool) -> str:
    text = text.strip().strip("。.；;，,")
    if chinese:
        head = _CLAUSE_BREAK.split(text, maxsplit=1)[0].strip()
        text = head if len(head) >= 4 else text
        return text if len(text) <= 20 else text[:20] + "…"
    words = text.split()
    return text if len(words) <= 8 else " ".join(words[:8]) + "…"


def template_followup(question: Question, grade: GradeResult) -> str:
    """A follow-up about the most important missed key point, acknowledging one covered point if any."""
    chinese = is_chinese(question.text)
    missed = max(grade.missed_key_points, key=lambda k: k.weight)  # first of the heaviest
    covered = grade.covered_key_points
    point = _shorten(missed.key_point, chinese)
    if chinese:
        opening = f"你提到了「{_shorten(covered[0].key_point, True)}」。" if covered else "好的。"
        return f"{opening}能再具体说说「{point}」吗？"
    opening = f'You mentioned "{_shorten(covered[0].key_point, False)}". ' if covered else "Thanks. "
    return f'{opening}Could you say more about "{point}"?'


@dataclass(frozen=True)
class MockTurn:
    """One question of the interview as it went."""

    question_id: QuestionId
    answer: str
    score: float | None
    attempt_id: str
    followup: str | None = None
    followup_answer: str | None = None
    followup_score: float | None = None  # the regrade of answer + follow-up answer
    followup_attempt_id: str | None = None

    @property
    def final_score(self) -> float | None:
        scores = [s for s in (self.score, self.followup_score) if s is not None]
        return max(scores) if scores else None

    @property
    def improvement(self) -> float | None:
        if self.score is None or self.followup_score is None:
            return None
        return self.followup_score - self.score

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MockTurn:
        return cls(**{**data, "question_id": QuestionId(data["question_id"])})


@dataclass(frozen=True)
class MockStep:
    """The result of one answer: the new interview, the attempt to store, and the follow-up asked (if any)."""

    interview: MockInterview
    attempt: Attempt
    followup: str | None = None
    improvement: float | None = None


@dataclass(frozen=True)
class TopicScore:
    topic: str
    score: float
    questions: int


@dataclass(frozen=True)
class MockSummary:
    turns: tuple[MockTurn, ...]
    topics: tuple[TopicScore, ...]  # best first
    strongest_topics: tuple[str, ...]
    weakest_topics: tuple[str, ...]
    overall: float | None
    verdict: str  # hire | lean hire | lean no | no
    assessment: str


@dataclass(frozen=True)
class MockInterview:
    """A mock interview. Every method returns new state; the UI stores each attempt it is handed."""

    id: str
    user: str
    questions: tuple[Question, ...]
    started_at: datetime
    asked_at: datetime
    index: int = 0
    phase: Phase = Phase.ASK
    turns: tuple[MockTurn, ...] = ()
    transcript: tuple[tuple[str, str], ...] = ()
    followup_threshold: float = DEFAULT_FOLLOWUP_THRESHOLD

    kind = SessionKind.MOCK

    @classmethod
    def start(
        cls, questions: Iterable[Question], *, n: int, rng: random.Random, user: str, now: datetime,
        session_id: str | None = None, followup_threshold: float = DEFAULT_FOLLOWUP_THRESHOLD,
    ) -> MockInterview:
        """Pick ``n`` questions across topics and ask the first. Raises ValueError when none is gradable."""
        require_aware(now, "now")
        picked = pick_questions(questions, n, rng)
        if not picked:
            raise ValueError("no question with a reference answer to interview on")
        return cls(
            id=session_id or new_id(rng), user=user, questions=tuple(picked), started_at=now, asked_at=now,
            transcript=(("interviewer", picked[0].text),), followup_threshold=followup_threshold,
        )

    @property
    def current_question(self) -> Question | None:
        return None if self.phase is Phase.DONE else self.questions[self.index]

    @property
    def is_finished(self) -> bool:
        return self.phase is Phase.DONE

    def answer(
        self, text: str, *, grade: GradeFn, now: datetime,
        phrase_followup: PhraseFollowup | None = None, attempt_id: str | None = None,
    ) -> MockStep:
        """Take the candidate's answer to the current question or follow-up."""
        require_aware(now, "now")
        question = self.current_question
        if question is None:
            raise ValueError(f"mock interview {self.id} is finished")
        said = self.transcript + (("candidate", text),)
        if self.phase is Phase.ASK:
            result = grade(question, text)
            attempt = self._attempt(question, text, result, now, attempt_id)
            turn = MockTurn(question.id, text, result.score, attempt.id)
            if self._needs_followup(result):
                followup = self._phrase(question, text, result, phrase_followup)
                state = replace(self, phase=Phase.FOLLOW_UP, asked_at=now, turns=self.turns + (turn,),
                                transcript=said + (("interviewer", followup),))
                return MockStep(state, attempt, followup=followup)
            return MockStep(replace(self, turns=self.turns + (turn,), transcript=said)._advance(now), attempt)
        turn = self.turns[-1]
        combined = f"{turn.answer}\n\n{text}"
        result = grade(question, combined)
        attempt = self._attempt(question, combined, result, now, attempt_id)
        turn = replace(turn, followup_answer=text, followup_score=result.score, followup_attempt_id=attempt.id)
        state = replace(self, turns=self.turns[:-1] + (turn,), transcript=said)._advance(now)
        return MockStep(state, attempt, improvement=turn.improvement)

    def finish(self, now: datetime) -> MockInterview:
        """End the interview now (questions not reached are left out of the summary)."""
        if self.phase is Phase.DONE:
            return self
        return replace(self, index=len(self.questions) - 1, phase=Phase.ASK)._advance(now)

    def _needs_followup(self, result: GradeResult) -> bool:
        return result.score is not None and result.score < self.followup_threshold and bool(result.missed_key_points)

    @staticmethod
    def _phrase(question: Question, answer: str, result: GradeResult, hook: PhraseFollowup | None) -> str:
        if hook is not None:
            try:
                phrased = hook(question, answer, [k.key_point for k in result.missed_key_points])
                if phrased and phrased.strip():
                    return phrased.strip()
            except QuizError:
                pass  # the LLM is optional: the template always works
        return template_followup(question, result)

    def _attempt(self, question: Question, text: str, result: GradeResult, now: datetime,
                 attempt_id: str | None) -> Attempt:
        return build_attempt(
            attempt_id=attempt_id or new_id(), user=self.user, question_id=question.id, answer=text, grade=result,
            started_at=min(self.asked_at, now), submitted_at=now, kind=SessionKind.MOCK, session_id=self.id,
        )

    def _advance(self, now: datetime) -> MockInterview:
        index = self.index + 1
        if index < len(self.questions):
            return replace(self, index=index, phase=Phase.ASK, asked_at=now,
                           transcript=self.transcript + (("interviewer", self.questions[index].text),))
        done = replace(self, index=len(self.questions), phase=Phase.DONE, asked_at=now)
        return replace(done, transcript=done.transcript + (("interviewer", done.summary().assessment),))

    # -- summary --------------------------------------------------------------------------------

    def _chinese(self) -> bool:
        return sum(is_chinese(q.text) for q in self.questions) * 2 > len(self.questions)

    def summary(self) -> MockSummary:
        """Scores per question and topic, and a verdict computed from the scores alone."""
        topics_of = {q.id: q.topics or ("general",) for q in self.questions}
        by_topic: dict[str, list[float]] = {}
        for turn in self.turns:
            if turn.final_score is not None:
                for topic in topics_of[turn.question_id]:
                    by_topic.setdefault(topic, []).append(turn.final_score)
        topics = sorted(
            (TopicScore(t, sum(s) / len(s), len(s)) for t, s in by_topic.items()), key=lambda t: (-t.score, t.topic)
        )
        k = min(2, (len(topics) + 1) // 2)
        strongest = tuple(t.topic for t in topics[:k])
        weakest = tuple(t.topic for t in reversed(topics[k:]))[:2]
        finals = [t.final_score for t in self.turns if t.final_score is not None]
        overall = sum(finals) / len(finals) if finals else None
        verdict_en, verdict_zh = next((en, zh) for cut, en, zh in VERDICTS if (overall or 0.0) >= cut)
        return MockSummary(
            turns=self.turns, topics=tuple(topics), strongest_topics=strongest, weakest_topics=weakest,
            overall=overall, verdict=verdict_en,
            assessment=self._assessment(overall, len(finals), verdict_en, verdict_zh, strongest, weakest),
        )

    def _assessment(self, overall: float | None, answered: int, verdict_en: str, verdict_zh: str,
                    strongest: Sequence[str], weakest: Sequence[str]) -> str:
        if self._chinese():
            if overall is None:
                return "没有可评分的回答，无法给出建议：不建议录用。"
            text = f"综合得分 {overall:.0f}/100（{answered} 题）：{verdict_zh}。"
            if strongest:
                text += f"优势：{'、'.join(strongest)}。"
            if weakest:
                text += f"需加强：{'、'.join(weakest)}。"
            return text
        if overall is None:
            return "No gradable answers, so no basis for a recommendation: no."
        text = f"Overall {overall:.0f}/100 over {answered} question{'s' if answered != 1 else ''}: {verdict_en}."
        if strongest:
            text += f" Strongest: {', '.join(strongest)}."
        if weakest:
            text += f" Needs work: {', '.join(weakest)}."
        return text

    # -- persistence ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "questions": [q.to_dict() for q in self.questions],
            "started_at": dt_text(self.started_at),
            "asked_at": dt_text(self.asked_at),
            "index": self.index,
            "phase": self.phase.value,
            "turns": [t.to_dict() for t in self.turns],
            "transcript": [list(t) for t in self.transcript],
            "followup_threshold": self.followup_threshold,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MockInterview:
        started, asked = dt_parse(data["started_at"]), dt_parse(data["asked_at"])
        assert started is not None and asked is not None
        return cls(
            id=data["id"],
            user=data["user"],
            questions=tuple(Question.from_dict(q) for q in data["questions"]),
            started_at=started,
            asked_at=asked,
            index=int(data["index"]),
            phase=Phase(data["phase"]),
            turns=tuple(MockTurn.from_dict(t) for t in data.get("turns", ())),
            transcript=tuple((str(r), str(t)) for r, t in data.get("transcript", ())),
            followup_threshold=float(data.get("followup_threshold", DEFAULT_FOLLOWUP_THRESHOLD)),
        )
