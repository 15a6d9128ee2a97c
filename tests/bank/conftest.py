"""Fixtures for the bank tests: the real sources, the real offline embedder (loaded once), a build."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.settings import PROJECT_ROOT

SOURCES = PROJECT_ROOT / "question_bank" / "sources"
TAXONOMY = PROJECT_ROOT / "question_bank" / "topics.yaml"
OVERRIDES = PROJECT_ROOT / "question_bank" / "overrides.yaml"


def empty_rubric(reference_markdown: str, question_text: str):
    from quiz.models import Rubric

    return Rubric()


@pytest.fixture()
def no_rubric():
    """A rubric extractor that returns an empty rubric (parsers and dedupe do not depend on it)."""
    return empty_rubric


@pytest.fixture(scope="session")
def embedder():
    from quiz.bank.dedupe import default_embedder

    return default_embedder()


@pytest.fixture(scope="session")
def built(embedder):
    from quiz.bank import build_bank

    return build_bank(
        SOURCES, taxonomy_path=TAXONOMY, overrides_path=OVERRIDES, embedder=embedder, rubric_fn=empty_rubric
    )


@pytest.fixture()
def taxonomy_path() -> Path:
    return TAXONOMY


@pytest.fixture()
def overrides_path() -> Path:
    return OVERRIDES


@pytest.fixture()
def sources_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for path in SOURCES.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder
