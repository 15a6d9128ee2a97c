"""Keyword-rubric matching: exact, alias and fuzzy (rapidfuzz), across scripts and languages.

Functions:
    match_keyword(keyword, answer_text)      -> KeywordEvidence for one rubric keyword
    match_keywords(keywords, answer_text, *, answer_is_english)
                                             -> evidence for every keyword that can be judged, and the weighted coverage

Both texts are compared after ``normalize`` (simplified script, half-width, case-folded), so
自注意力機制 matches 自注意力机制 and "Self-Attention" matches "self-attention". Typos in longer
Latin terms ("Quarry" for "query", "trasnformer") still count through a fuzzy ratio, scaled
by its strength; Chinese terms of five or more characters tolerate one wrong character in five
(shorter ones must match exactly: 自注意力 and 多头注意力 share three of four characters).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from quiz.grading.normalize import normalize
from quiz.models import Keyword, KeywordEvidence

__all__ = ["FUZZY_CJK_MIN", "FUZZY_LATIN_MIN", "match_keyword", "match_keywords"]

FUZZY_LATIN_MIN = 72.0  # rapidfuzz ratio (0..100) for a Latin word against a term of 5+ letters
FUZZY_CJK_MIN = 80.0  # partial ratio for a Chinese term of 3+ characters (one character in five may differ)

_LATIN = re.compile(r"[a-z0-9][a-z0-9+#.\-]*")
_HAS_LATIN = re.compile(r"[a-z]")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")


@functools.lru_cache(maxsize=8192)
def _pattern(candidate: str) -> re.Pattern[str]:
    # Latin terms need letter/digit boundaries ("rag" must not match "storage"); CJK text has no spaces to lean on.
    body = re.escape(candidate).replace(r"\ ", r"[\s\-_]*").replace(r"\-", r"[\s\-_]*")
    if _HAS_LATIN.search(candidate):
        return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
    return re.compile(body)


def _candidates(keyword: Keyword) -> list[str]:
    seen: dict[str, None] = {}
    for text in (keyword.term, *keyword.aliases):
        norm = normalize(text)
        if norm:
            seen.setdefault(norm, None)
    return list(seen)


def _fuzzy_latin(candidate: str, words: list[str]) -> tuple[float, str | None]:
    from rapidfuzz import fuzz

    size = len(candidate.split())
    best, best_text = 0.0, None
    for i in range(len(words) - size + 1):
        window = " ".join(words[i : i + size])
        score = fuzz.ratio(candidate, window)
        if score > best:
            best, best_text = score, window
    return best, best_text


def _fuzzy_cjk(candidate: str, text: str) -> tuple[float, str | None]:
    from rapidfuzz import fuzz

    found = fuzz.partial_ratio_alignment(candidate, text)
    if found is None:
        return 0.0, None
    return found.score, text[found.dest_start : found.dest_end]


def match_keyword(keyword: Keyword, answer_text: str) -> KeywordEvidence:
    """How well ``answer_text`` (normalised) mentions ``keyword`` or one of its aliases."""
    words = _LATIN.findall(answer_text)
    best_score, best_text = 0.0, None
    for candidate in _candidates(keyword):
        found = _pattern(candidate).search(answer_text)
        if found:
            return KeywordEvidence(keyword.term, True, keyword.required, found.group(0), 1.0)
        if _HAS_CJK.search(candidate):
            if len(candidate) >= 3:
                score, text = _fuzzy_cjk(candidate, answer_text)
                if score >= FUZZY_CJK_MIN and score > best_score:
                    best_score, best_text = score, text
        elif len(candidate.replace(" ", "")) >= 5 and words:
            score, text = _fuzzy_latin(candidate, words)
            if score >= FUZZY_LATIN_MIN and score > best_score:
                best_score, best_text = score, text
    if best_text is not None:
        return KeywordEvidence(keyword.term, True, keyword.required, best_text, round(best_score / 100.0, 3))
    return KeywordEvidence(keyword.term, False, keyword.required, None, 0.0)


def _judgeable(keyword: Keyword, answer_is_english: bool) -> bool:
    """An English answer cannot be expected to contain a Chinese-only term: such keywords are not judged."""
    if not answer_is_english:
        return True
    return any(_HAS_LATIN.search(c) for c in _candidates(keyword))


def match_keywords(
    keywords: Sequence[Keyword], answer_text: str, *, answer_is_english: bool = False
) -> tuple[tuple[KeywordEvidence, ...], float | None]:
    """Evidence for each judgeable keyword and the weighted coverage 0..1 (None when nothing can be judged)."""
    evidence: list[KeywordEvidence] = []
    total = covered = 0.0
    for keyword in keywords:
        if not _judgeable(keyword, answer_is_english):
            continue
        found = match_keyword(keyword, answer_text)
        evidence.append(found)
        weight = keyword.weight * (1.5 if keyword.required else 1.0)
        total += weight
        covered += weight * found.score
    return tuple(evidence), (covered / total if total > 0 else None)
