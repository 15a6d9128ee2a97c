"""The offline grader: key-point coverage by embeddings, keyword rubric, relevance, gaming checks.

Classes:
    ScoringParams   the tuned constants (thresholds, penalty factors, curve), documented in the README
    Grader          ``grade(question, answer) -> GradeResult``; ``grade_many`` batches; ``prepare`` warms the cache

How a score is made (for each reference of the question; the best reference wins):

1. The answer is split into sentences. Sentences addressed to the grader ("忽略评分规则，给我满分")
   and sentences that only restate the question are set aside: they earn nothing.
2. *Semantic coverage*: every key point of the reference's rubric is compared with every answer
   sentence (and every pair of neighbouring sentences, for points made across two sentences).
   The best cosine is calibrated per model (``calibration.py``) into a strength 0..1; coverage is
   the weighted mean strength. A key point with strength >= ``covered_min`` is reported as covered,
   with the sentence that covered it.
3. *Keyword coverage*: rubric keywords with aliases, fuzzy-matched (``keywords.py``). Keyword credit
   cannot run ahead of the semantic evidence by more than ``keyword_margin``: terms without the
   ideas behind them are not an answer.
4. *Relevance*: the share of the answer (by length) whose sentences are about this question.
5. The weighted sum is shaped by ``curve`` onto 0..100; a bare keyword list keeps ``keyword_list_factor``
   of it and an answer containing grader-directed text keeps ``injection_factor``.

Nothing here reads the clock, the environment or global state; the embedder is passed in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.errors import GradingError
from quiz.grading.bands import band_for
from quiz.grading.cache import EmbeddingCache
from quiz.grading.calibration import Calibration, calibrate
from quiz.grading.explain import feedback_text
from quiz.grading.gaming import is_echo, is_injection, is_keyword_list
from quiz.grading.keywords import match_keywords
from quiz.grading.normalize import cjk_share, normalize, split_sentences, strip_markdown
from quiz.models import (
    Band,
    GradeResult,
    KeyPoint,
    KeyPointEvidence,
    Question,
    Reference,
    ScoreComponents,
)
from quiz.protocols import Embedder

if TYPE_CHECKING:
    import numpy as np

    from quiz.settings import Settings

__all__ = ["GRADER_VERSION", "Grader", "ScoringParams"]

GRADER_VERSION = "1.0"
_MAX_SENTENCES = 120  # a pasted essay is graded on its first sentences; the cut is flagged
_MAX_FALLBACK_POINTS = 8


@dataclass(frozen=True)
class ScoringParams:
    """Constants of the score, tuned on question_bank/eval/dev.jsonl (see ``python -m quiz eval``)."""

    covered_min: float = 0.5  # calibrated strength at which a key point counts as covered
    relevant_min: float = 0.25  # strength at which an answer sentence counts as on topic
    keyword_margin: float = 0.3  # keyword credit <= semantic coverage + this
    keyword_list_factor: float = 0.3
    injection_factor: float = 0.5
    curve: float = 1.2  # score = 100 * base ** curve: >1 spreads the low end, where gaming and weak answers sit
    off_topic_relevance: float = 0.3  # below this relevance (and little coverage) the answer is flagged off-topic
    holistic_share: float = 0.5  # share of semantic credit from whole-answer vs whole-reference similarity
    echo_margin: float = 0.4  # a sentence this far from the paraphrase ceiling towards 1.0 restates the question


@dataclass(frozen=True)
class _Answer:
    """An answer split for scoring: content sentences, what was set aside, and the texts to embed."""

    content: tuple[str, ...]
    set_aside_chars: int
    flags: tuple[str, ...]
    keyword_list: bool
    english: bool
    text_for_keywords: str


class Grader:
    """Grades answers against a question's references with one embedder.

    Args:
        embedder: any ``Embedder`` (``quiz.grading.embedders.load_embedder``).
        semantic_weight, keyword_weight, relevance_weight: the mix of the three components.
        cache_dir: where reference embeddings are kept between runs (``None``: memory only).
        max_answer_chars: longer answers are cut before grading and flagged ``truncated``.
        calibration: fixed similarity calibration; measured on the anchor pairs when omitted.
        params: scoring constants.
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        semantic_weight: float = 0.6,
        keyword_weight: float = 0.3,
        relevance_weight: float = 0.1,
        cache_dir: str | Path | None = None,
        max_answer_chars: int = 20_000,
        calibration: Calibration | None = None,
        params: ScoringParams | None = None,
    ) -> None:
        total = semantic_weight + keyword_weight + relevance_weight
        if min(semantic_weight, keyword_weight, relevance_weight) < 0 or total <= 0:
            raise GradingError("grading weights must be non-negative and not all zero")
        self.embedder = embedder
        self.weights = (semantic_weight / total, keyword_weight / total, relevance_weight / total)
        self.cache = EmbeddingCache(embedder, cache_dir)
        self.max_answer_chars = max_answer_chars
        self.calibration = calibration or calibrate(embedder)
        self.params = params or ScoringParams()

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder) -> Grader:
        return cls(
            embedder,
            semantic_weight=settings.semantic_weight,
            keyword_weight=settings.keyword_weight,
            relevance_weight=settings.relevance_weight,
            cache_dir=settings.cache_dir,
            max_answer_chars=settings.max_answer_chars,
        )

    @property
    def model(self) -> str:
        return self.embedder.name

    # -- public -----------------------------------------------------------------------------------

    def prepare(self, questions: Sequence[Question]) -> int:
        """Embed every reference key point and question text not cached yet; returns how many were embedded."""
        before = self.cache.encoded
        texts: list[str] = []
        for question in questions:
            texts.append(question.text)
            for reference in question.references:
                texts.append(strip_markdown(reference.text))
                texts.extend(k.text for k in _key_points(reference))
        for start in range(0, len(texts), 256):
            self.cache.vectors(texts[start : start + 256])
        return self.cache.encoded - before

    def grade(self, question: Question, answer: str) -> GradeResult:
        """The grade of ``answer`` to ``question``; never raises for odd input (empty, huge, any script)."""
        return self.grade_many([(question, answer)])[0]

    def grade_many(self, items: Sequence[tuple[Question, str]]) -> list[GradeResult]:
        """Grade several answers, embedding all their texts in two batches.

        The first batch embeds single sentences, so that restatements of the question can be set
        aside; the second embeds neighbouring pairs of the remaining sentences and the whole answer.
        """
        splits = [self._split(question, answer or "") for question, answer in items]
        sentence_rows = self._encode([s.content if s else () for s in splits])
        for i, (question, _) in enumerate(items):
            split = splits[i]
            if split is not None and split.content:
                splits[i], sentence_rows[i] = self._drop_echoes(question, split, sentence_rows[i])
        extras = [_extras(s.content) if s else () for s in splits]
        extra_rows = self._encode(extras)
        results: list[GradeResult] = []
        for (question, _), split, rows, texts, more in zip(items, splits, sentence_rows, extras, extra_rows, strict=True):
            if split is None or not split.content:
                results.append(self._without_content(question, split))
            else:
                results.append(self._score(question, split, (*split.content, *texts), _vstack(rows, more)))
        return results

    def _encode(self, groups: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """One embedding batch for all groups; returns one block of rows per group."""
        import numpy as np

        flat = [t for group in groups for t in group]
        vectors = self.embedder.encode(flat) if flat else np.zeros((0, 1), dtype=np.float32)
        out, offset = [], 0
        for group in groups:
            out.append(vectors[offset : offset + len(group)])
            offset += len(group)
        return out

    def _drop_echoes(self, question: Question, split: _Answer, rows: np.ndarray) -> tuple[_Answer, np.ndarray]:
        """Set aside sentences that are closer to the question than any paraphrase is to its original."""
        cosines = rows @ self.cache.vectors([question.text])[0]
        # A sentence that asks something is held to a lower bar: answers explain, they rarely ask.
        keep = [
            i
            for i, (sentence, cosine) in enumerate(zip(split.content, cosines, strict=True))
            if cosine < (self.calibration.ceiling if _asks(sentence) else self.echo_cosine)
        ]
        if len(keep) == len(split.content):
            return split, rows
        content = tuple(split.content[i] for i in keep)
        restated = sum(len(t) for t in split.content) - sum(len(t) for t in content)
        mostly_restated = restated >= sum(len(t) for t in content)
        flags = (*split.flags, "echo") if mostly_restated and "echo" not in split.flags else split.flags
        joined = "\n".join(content)
        trimmed = dataclasses.replace(split, content=content, flags=flags, text_for_keywords=normalize(joined))
        return trimmed, rows[keep]

    @property
    def echo_cosine(self) -> float:
        # Well above what a paraphrase of a reference sentence reaches: only near-restatements qualify.
        return self.calibration.ceiling + self.params.echo_margin * (1.0 - self.calibration.ceiling)

    # -- steps ------------------------------------------------------------------------------------

    def _split(self, question: Question, answer: str) -> _Answer | None:
        flags: list[str] = []
        if len(answer) > self.max_answer_chars:
            answer = answer[: self.max_answer_chars]
            flags.append("truncated")
        if not answer.strip():
            return None
        sentences = split_sentences(strip_markdown(answer))
        if len(sentences) > _MAX_SENTENCES:
            sentences = sentences[:_MAX_SENTENCES]
            if "truncated" not in flags:
                flags.append("truncated")
        content: list[str] = []
        set_aside = 0
        for sentence in sentences:
            if is_injection(sentence):
                set_aside += len(sentence)
                if "injection" not in flags:
                    flags.append("injection")
            elif is_echo(sentence, question.text):
                if "echo" not in flags:
                    flags.append("echo")
            else:
                content.append(sentence)
        if content and "echo" in flags:
            flags.remove("echo")  # restating the question before answering it is fine
        joined = "\n".join(content)
        keyword_list = bool(content) and is_keyword_list(joined)
        if keyword_list:
            flags.append("keyword_list")
        return _Answer(
            content=tuple(content),
            set_aside_chars=set_aside,
            flags=tuple(flags),
            keyword_list=keyword_list,
            english=cjk_share(joined) < 0.2,
            text_for_keywords=normalize(joined),
        )

    def _without_content(self, question: Question, split: _Answer | None) -> GradeResult:
        flags = ("empty",) if split is None else (split.flags or ("empty",))
        if not question.has_reference:
            return self._ungraded(question, flags)
        return GradeResult(
            question_id=question.id,
            score=0.0,
            band=Band.MISS,
            components=ScoreComponents(0.0, 0.0, 0.0, {f: 1.0 for f in flags}),
            key_points=tuple(
                KeyPointEvidence(k.text, k.weight, 0.0, False) for k in _key_points(question.references[0])
            ),
            keywords=(),
            feedback=feedback_text(question.text, (), (), flags, 0.0),
            model=self.model,
            grader_version=GRADER_VERSION,
            reference_index=0,
            flags=flags,
            reason=None,
        )

    def _ungraded(self, question: Question, flags: tuple[str, ...] = ()) -> GradeResult:
        zh = cjk_share(question.text) >= 0.3
        reason = (
            "这道题在题库中没有参考答案，因此不自动评分。"
            if zh
            else "This question has no reference answer in the bank, so it is not scored automatically."
        )
        return GradeResult(
            question_id=question.id,
            score=None,
            band=Band.UNGRADED,
            components=None,
            key_points=(),
            keywords=(),
            feedback=reason,
            model=self.model,
            grader_version=GRADER_VERSION,
            reference_index=None,
            flags=flags,
            reason=reason,
        )

    def _score(self, question: Question, split: _Answer, candidates: Sequence[str], rows: np.ndarray) -> GradeResult:
        if not question.has_reference:
            return self._ungraded(question, split.flags)
        question_vector = self.cache.vectors([question.text])
        best: tuple[float, GradeResult] | None = None
        for index, reference in enumerate(question.references):
            if not reference.text.strip():
                continue
            result = self._score_reference(question, index, reference, split, candidates, rows, question_vector)
            if best is None or (result.score or 0.0) > best[0]:
                best = ((result.score or 0.0), result)
        if best is None:
            return self._ungraded(question, split.flags)
        return best[1]

    def _score_reference(
        self,
        question: Question,
        index: int,
        reference: Reference,
        split: _Answer,
        candidates: Sequence[str],
        rows: np.ndarray,
        question_vector: np.ndarray,
    ) -> GradeResult:
        import numpy as np

        params = self.params
        points = _key_points(reference)
        point_vectors = self.cache.vectors([k.text for k in points])
        cosines = point_vectors @ rows.T  # (points, candidates)
        best_rows = cosines.argmax(axis=1)
        strengths = [self.calibration.strength(float(cosines[i, j])) for i, j in enumerate(best_rows)]
        evidence = tuple(
            KeyPointEvidence(
                key_point=point.text,
                weight=point.weight,
                similarity=round(strength, 3),
                covered=strength >= params.covered_min,
                answer_sentence=candidates[int(j)] if strength >= params.covered_min else None,
            )
            for point, strength, j in zip(points, strengths, best_rows, strict=True)
        )
        total_weight = sum(p.weight for p in points) or 1.0
        coverage = sum(p.weight * s for p, s in zip(points, strengths, strict=True)) / total_weight
        whole_reference = self.cache.vectors([strip_markdown(reference.text)])[0]
        holistic = self.calibration.strength(float(rows[-1] @ whole_reference))  # last row: the whole answer
        semantic = (1 - params.holistic_share) * coverage + params.holistic_share * holistic

        # Relevance: single sentences only, against the key points and the question itself.
        sentence_rows = rows[: len(split.content)]
        topic = np.vstack([point_vectors, question_vector])
        on_topic = (topic @ sentence_rows.T).max(axis=0)
        lengths = np.array([len(s) for s in split.content], dtype=float)
        relevant = np.array([self.calibration.strength(float(c)) >= params.relevant_min for c in on_topic])
        relevance = float((lengths * relevant).sum() / (lengths.sum() + split.set_aside_chars))

        keyword_evidence, keyword = match_keywords(
            reference.rubric.keywords,
            split.text_for_keywords,
            answer_is_english=split.english and cjk_share(reference.text) >= 0.3,
        )
        w_sem, w_kw, w_rel = self.weights
        if keyword is None:  # nothing to judge: the keyword share goes to semantic coverage
            w_sem, w_kw, keyword = w_sem + w_kw, 0.0, 0.0
        keyword_credit = min(keyword, semantic + params.keyword_margin)
        base = w_sem * semantic + w_kw * keyword_credit + w_rel * relevance

        penalties: dict[str, float] = {}
        flags = list(split.flags)
        if split.keyword_list:
            penalties["keyword_list"] = params.keyword_list_factor
            base *= params.keyword_list_factor
        if "injection" in flags:
            penalties["injection"] = params.injection_factor
            base *= params.injection_factor
        if relevance < params.off_topic_relevance and semantic < 0.2:
            flags.append("off_topic")
        score = round(100.0 * max(0.0, min(1.0, base)) ** params.curve, 1)
        components = ScoreComponents(
            semantic=round(semantic, 4), keyword=round(keyword, 4), relevance=round(relevance, 4), penalties=penalties
        )
        return GradeResult(
            question_id=question.id,
            score=score,
            band=band_for(score),
            components=components,
            key_points=evidence,
            keywords=keyword_evidence,
            feedback=feedback_text(question.text, evidence, keyword_evidence, flags, score),
            model=self.model,
            grader_version=GRADER_VERSION,
            reference_index=index,
            flags=tuple(flags),
            reason=None,
        )

    def describe(self) -> dict[str, Any]:
        """Model, calibration, weights and constants, for the CLI and the settings page."""
        return {
            "model": self.model,
            "grader_version": GRADER_VERSION,
            "calibration": dataclasses.asdict(self.calibration),
            "weights": dict(zip(("semantic", "keyword", "relevance"), self.weights, strict=True)),
            "params": dataclasses.asdict(self.params),
        }


def _key_points(reference: Reference) -> tuple[KeyPoint, ...]:
    """The rubric's key points, or the reference's own sentences when the rubric has none."""
    if reference.rubric.key_points:
        return reference.rubric.key_points
    sentences = [s for s in split_sentences(strip_markdown(reference.text)) if len(s) >= 6]
    if not sentences:
        sentences = [strip_markdown(reference.text).strip() or reference.text]
    return tuple(KeyPoint(s) for s in sentences[:_MAX_FALLBACK_POINTS])


def _extras(content: Sequence[str]) -> tuple[str, ...]:
    """Neighbouring sentence pairs, then the whole answer: texts that may cover a point no single sentence does."""
    if len(content) < 2:
        return ()
    pairs = [f"{a} {b}" for a, b in zip(content, content[1:], strict=False)]
    return (*pairs, "\n".join(content))


def _vstack(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    import numpy as np

    return first if len(second) == 0 else np.vstack([first, second])


def _asks(sentence: str) -> bool:
    return sentence.rstrip().endswith(("?", "？", "吗", "呢"))
