"""Evaluation of graders against expert grades, next to simple baselines.

Classes:
    LabeledAnswer    one line of an evaluation file: question id, answer, expert grade 0..100, kind
    Metrics          Spearman, within-question pairwise ordering accuracy, mean score per kind

Functions:
    load_labeled(path, bank)             read a JSONL evaluation file (bad lines raise with their line number)
    spearman(xs, ys)                     rank correlation with average ranks for ties
    pairwise_accuracy(items, scores)     share of same-question pairs with different expert grades ordered right
    evaluate(items, scores)              -> Metrics
    baseline_scorers(embedder)           raw whole-text cosine, char TF-IDF cosine, rapidfuzz ratio
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from quiz.errors import BankError, GradingError
from quiz.grading.normalize import normalize
from quiz.models import Question
from quiz.protocols import Embedder

__all__ = [
    "LabeledAnswer",
    "Metrics",
    "baseline_scorers",
    "evaluate",
    "load_labeled",
    "pairwise_accuracy",
    "spearman",
]


@dataclass(frozen=True)
class LabeledAnswer:
    question: Question
    answer: str
    grade: float
    kind: str


@dataclass(frozen=True)
class Metrics:
    spearman: float
    pairwise: float
    pairs: int
    kind_means: dict[str, float]
    count: int


def load_labeled(path: str | Path, resolve: Callable[[str], Question]) -> list[LabeledAnswer]:
    """Read ``{"question_id"|"question", "answer", "grade", "kind"}`` lines; ``resolve`` maps id or text to a Question."""
    items: list[LabeledAnswer] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GradingError(f"cannot read evaluation file {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = resolve(str(row.get("question_id") or row["question"]))
            items.append(LabeledAnswer(question, str(row.get("answer") or ""), float(row["grade"]), str(row.get("kind", ""))))
        except (ValueError, KeyError, TypeError, BankError) as exc:
            raise GradingError(f"{path}:{number}: bad evaluation line: {exc}") from None
    return items


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rho (Pearson correlation of average ranks); 0.0 when either side is constant."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("spearman needs two sequences of the same length >= 2")
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return 0.0 if vx == 0 or vy == 0 else cov / (vx * vy) ** 0.5


def pairwise_accuracy(items: Sequence[LabeledAnswer], scores: Sequence[float]) -> tuple[float, int]:
    """Within each question, the share of answer pairs (different expert grades) the scores order the same way.

    A tie in the scores counts half. Returns (accuracy, number of pairs).
    """
    by_question: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_question[item.question.id].append(i)
    right = 0.0
    pairs = 0
    for indices in by_question.values():
        for a_pos, a in enumerate(indices):
            for b in indices[a_pos + 1 :]:
                if items[a].grade == items[b].grade:
                    continue
                pairs += 1
                expert = items[a].grade - items[b].grade
                ours = scores[a] - scores[b]
                right += 0.5 if ours == 0 else float(expert * ours > 0)
    return (right / pairs if pairs else 0.0), pairs


def evaluate(items: Sequence[LabeledAnswer], scores: Sequence[float | None]) -> Metrics:
    """Metrics of ``scores`` (None counts as 0) against the expert grades of ``items``."""
    values = [0.0 if s is None else float(s) for s in scores]
    kinds: dict[str, list[float]] = defaultdict(list)
    for item, value in zip(items, values, strict=True):
        kinds[item.kind].append(value)
    accuracy, pairs = pairwise_accuracy(items, values)
    return Metrics(
        spearman=spearman([i.grade for i in items], values),
        pairwise=accuracy,
        pairs=pairs,
        kind_means={k: sum(v) / len(v) for k, v in sorted(kinds.items())},
        count=len(items),
    )


Scorer = Callable[[Sequence[LabeledAnswer]], list[float]]


def baseline_scorers(embedder: Embedder) -> dict[str, Scorer]:
    """The baselines the grader must beat, each scoring against the best of a question's references.

    - ``raw-cosine``: cosine of the whole answer and the whole reference with ``embedder``;
    - ``char-tfidf``: cosine of character 1–3-gram TF-IDF vectors (idf from the references);
    - ``rapidfuzz``: ``fuzz.ratio`` of the normalised texts.
    """

    def references(item: LabeledAnswer) -> list[str]:
        return [normalize(r.text) for r in item.question.references if r.text.strip()] or [""]

    def raw_cosine(items: Sequence[LabeledAnswer]) -> list[float]:
        answers = embedder.encode([normalize(i.answer) for i in items])
        out = []
        for item, vector in zip(items, answers, strict=True):
            refs = embedder.encode(references(item))
            out.append(100.0 * float((refs @ vector).max()))
        return out

    def char_tfidf(items: Sequence[LabeledAnswer]) -> list[float]:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        corpus = sorted({r for item in items for r in references(item)})
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit(corpus)
        out = []
        for item in items:
            refs = vectorizer.transform(references(item))
            answer = vectorizer.transform([normalize(item.answer)])
            out.append(100.0 * float(np.max((refs @ answer.T).toarray())))
        return out

    def fuzzy_ratio(items: Sequence[LabeledAnswer]) -> list[float]:
        from rapidfuzz import fuzz

        return [max(fuzz.ratio(normalize(i.answer), r) for r in references(i)) for i in items]

    return {"raw-cosine": raw_cosine, "char-tfidf": char_tfidf, "rapidfuzz": fuzzy_ratio}
