from __future__ import annotations

import pytest

from quiz.grading.bands import BAND_CUTOFFS, band_for
from quiz.models import Band


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, Band.EXCELLENT), (85, Band.EXCELLENT), (84.9, Band.GOOD), (70, Band.GOOD), (69.9, Band.PARTIAL),
     (45, Band.PARTIAL), (44.9, Band.WEAK), (20, Band.WEAK), (19.9, Band.MISS), (0, Band.MISS), (None, Band.UNGRADED)],
)
def test_band_for(score: float | None, band: Band) -> None:
    assert band_for(score) is band


def test_cutoffs_descend() -> None:
    lows = [low for _, low in BAND_CUTOFFS]
    assert lows == sorted(lows, reverse=True) and lows[-1] == 0
