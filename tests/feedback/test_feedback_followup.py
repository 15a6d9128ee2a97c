"""The mock interview's follow-up hook and the closing assessment, through the fake server."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fake_openai_server import FakeOpenAIServer

from quiz.errors import FeedbackUnavailable
from quiz.feedback import LLMFeedbackClient, followup_phraser_from_settings
from quiz.models import GradeResult, Question
from quiz.sessions.mock import MockInterview, template_followup
from quiz.settings import Settings

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_no_phraser_without_an_endpoint() -> None:
    assert followup_phraser_from_settings(Settings()) is None


def test_phraser_returns_the_llm_question(
    server: FakeOpenAIServer, settings: Settings, question_zh: Question
) -> None:
    server.text_reply = "「能再讲讲 softmax 饱和时梯度为什么会变小吗？」\n"
    phrase = followup_phraser_from_settings(settings)
    assert phrase is not None
    text = phrase(question_zh, "因为点积很大。", ["softmax 饱和导致梯度消失"])
    assert text == "能再讲讲 softmax 饱和时梯度为什么会变小吗？"
    body = server.chat_requests[-1].body
    assert body is not None
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "Simplified Chinese" in system and "ONE" in system
    assert "- softmax 饱和导致梯度消失" in user and user.count("<answer>") == 1


def test_phraser_failure_raises_feedback_unavailable_without_retrying(
    server: FakeOpenAIServer, settings: Settings, question_en: Question
) -> None:
    server.mode = "500"
    phrase = followup_phraser_from_settings(settings.replace(llm_max_retries=5))
    assert phrase is not None
    with pytest.raises(FeedbackUnavailable, match="HTTP 500"):
        phrase(question_en, "answer", ["softmax saturates"])
    assert len(server.chat_requests) == 1  # the candidate is waiting: no retries for a follow-up


def test_empty_reply_gives_empty_string(server: FakeOpenAIServer, settings: Settings, question_en: Question) -> None:
    server.text_reply = "  <think>hmm</think>  "
    phrase = followup_phraser_from_settings(settings)
    assert phrase is not None and phrase(question_en, "answer", ["x"]) == ""


def _interview(question: Question) -> MockInterview:
    return MockInterview.start([question], n=1, rng=random.Random(1), user="ann", now=NOW, session_id="s1")


@pytest.mark.parametrize(("mode", "uses_llm"), [("ok", True), ("500", False), ("401", False)])
def test_mock_interview_uses_llm_follow_up_or_falls_back_to_template(
    server: FakeOpenAIServer,
    settings: Settings,
    question_en: Question,
    grade_en: GradeResult,
    mode: str,
    uses_llm: bool,
) -> None:
    server.mode = mode
    server.text_reply = "How does the softmax behave when the logits get very large?"
    grade: Callable[[Question, str], GradeResult] = lambda q, text: grade_en  # noqa: E731
    step = _interview(question_en).answer(
        "Dot products get large.", grade=grade, now=NOW, phrase_followup=followup_phraser_from_settings(settings)
    )
    expected = server.text_reply if uses_llm else template_followup(question_en, grade_en)
    assert step.followup == expected
    assert step.attempt.grade == grade_en  # the local grade is what the interview records


def test_closing_assessment_keeps_to_the_facts(server: FakeOpenAIServer, settings: Settings) -> None:
    server.text_reply = "Overall 72/100 over 3 questions: lean hire. Strong on attention; work on decoding."
    client = LLMFeedbackClient(settings)
    summary = "Overall 72/100 over 3 questions: lean hire. Strongest: attention. Needs work: decoding."
    assert client.closing_assessment(summary, "en") == server.text_reply
    body = server.chat_requests[-1].body
    assert body is not None and "Keep every number" in body["messages"][0]["content"]
    assert summary in body["messages"][1]["content"]
