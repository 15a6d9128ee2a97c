"""Fixtures for the LLM feedback tests: a fake OpenAI-compatible server, sample questions and grades."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ holds fake_openai_server.py

from fake_openai_server import FakeOpenAIServer, start_fake_openai_server  # noqa: E402

from quiz.feedback import LLMFeedbackClient  # noqa: E402
from quiz.feedback.cache import ReplyCache  # noqa: E402
from quiz.models import (  # noqa: E402
    Band,
    Difficulty,
    GradeResult,
    KeyPoint,
    KeyPointEvidence,
    Keyword,
    KeywordEvidence,
    Question,
    QuestionId,
    Reference,
    Rubric,
    ScoreComponents,
)
from quiz.settings import Settings  # noqa: E402

API_KEY = "sk-test-SECRET-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    srv = start_fake_openai_server()
    yield srv
    srv.stop()


@pytest.fixture
def settings(server: FakeOpenAIServer, tmp_path: Path) -> Settings:
    return Settings(
        llm_base_url=server.url,
        llm_model="fake-model",
        llm_api_key=API_KEY,
        llm_timeout_s=5.0,
        llm_max_retries=2,
        cache_dir=str(tmp_path / "cache"),
    )


class SleepRecorder:
    """Records the waits a client asks for, without waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(settings: Settings, sleeps: SleepRecorder) -> Callable[..., LLMFeedbackClient]:
    """A real client (real openai SDK, real HTTP) against the fake server; keyword changes go to Settings."""

    def make(cache: ReplyCache | None = None, **changes: object) -> LLMFeedbackClient:
        return LLMFeedbackClient(settings.replace(**changes), sleep=sleeps, cache=cache)

    return make


def _question(qid: str, text: str, reference: str, points: tuple[str, ...], keywords: tuple[str, ...]) -> Question:
    rubric = Rubric(
        key_points=tuple(KeyPoint(p, 1.0) for p in points),
        keywords=tuple(Keyword(k, required=i == 0) for i, k in enumerate(keywords)),
    )
    return Question(
        id=QuestionId(qid),
        text=text,
        references=(Reference(reference, "sample.md", 1, 5, rubric),),
        topics=("attention",),
        difficulty=Difficulty.MEDIUM,
    )


@pytest.fixture
def question_en() -> Question:
    return _question(
        "q-attn-en",
        "Why is attention scaled by sqrt(d_k) in the Transformer?",
        "Dot products grow with d_k, which pushes softmax into saturated regions with tiny gradients; "
        "dividing by sqrt(d_k) keeps the variance at 1.",
        ("dot products grow with dimension", "softmax saturates and gradients vanish", "scaling keeps variance at 1"),
        ("softmax", "variance"),
    )


@pytest.fixture
def question_zh() -> Question:
    return _question(
        "q-attn-zh",
        "为什么 Transformer 的注意力要除以根号 d_k？",
        "点积的方差随维度增大，softmax 进入饱和区，梯度很小；除以根号 d_k 使方差保持为 1。",
        ("点积方差随维度增大", "softmax 饱和导致梯度消失", "缩放使方差为 1"),
        ("softmax", "方差"),
    )


@pytest.fixture
def grade_en(question_en: Question) -> GradeResult:
    points = question_en.references[0].rubric.key_points
    return GradeResult(
        question_id=question_en.id,
        score=55.0,
        band=Band.PARTIAL,
        components=ScoreComponents(semantic=0.5, keyword=0.5, relevance=0.9),
        key_points=(
            KeyPointEvidence(points[0].text, 1.0, 0.8, True, "dot products get large"),
            KeyPointEvidence(points[1].text, 1.0, 0.3, False),
            KeyPointEvidence(points[2].text, 1.0, 0.2, False),
        ),
        keywords=(KeywordEvidence("softmax", True, True, "softmax", 1.0), KeywordEvidence("variance", False)),
        feedback="Partly covered.",
        model="hashing",
        grader_version="test",
        reference_index=0,
    )
