"""Bands: the score ranges a candidate reads instead of a bare number.

Constants:
    BAND_CUTOFFS    (band, lowest score) pairs, best first: excellent 85, good 70, partial 45, weak 20, miss 0

Functions:
    band_for(score) the band of a 0..100 score; ``Band.UNGRADED`` for ``None``

The cut-offs follow the scale of the labelled evaluation set (question_bank/eval/README.md):
an expert gives 85+ to a complete answer, 70+ to one with minor gaps, 45+ to about half the key
points, 20+ to a single relevant point, and less to wrong, off-topic or empty answers.
"""

from __future__ import annotations

from quiz.models import Band

__all__ = ["BAND_CUTOFFS", "band_for"]

BAND_CUTOFFS: tuple[tuple[Band, float], ...] = (
    (Band.EXCELLENT, 85.0),
    (Band.GOOD, 70.0),
    (Band.PARTIAL, 45.0),
    (Band.WEAK, 20.0),
    (Band.MISS, 0.0),
)


def band_for(score: float | None) -> Band:
    """The band whose range holds ``score`` (0..100), or ``Band.UNGRADED`` when there is no score."""
    if score is None:
        return Band.UNGRADED
    for band, lowest in BAND_CUTOFFS:
        if score >= lowest:
            return band
    return Band.MISS
