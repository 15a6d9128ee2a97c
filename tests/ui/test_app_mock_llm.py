"""AppTest: the mock interview's follow-ups and closing assessment from the fake OpenAI-compatible server.

The scores and the recommendation stay offline; the LLM only words them, and a failing endpoint
leaves the rule-based text in place.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ holds fake_openai_server.py

from fake_openai_server import FakeOpenAIServer, start_fake_openai_server  # noqa: E402

REPLY = "Solid basics ![x](http://evil.example/x.png) <b>but</b> the scaling step was missing."


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    srv = start_fake_openai_server()
    srv.text_reply = REPLY
    yield srv
    srv.stop()


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, app_env: Path, server: FakeOpenAIServer) -> Path:
    monkeypatch.setenv("QUIZ_LLM_BASE_URL", server.url)
    monkeypatch.setenv("QUIZ_LLM_MODEL", "fake-model")
    monkeypatch.setenv("QUIZ_LLM_API_KEY", "sk-mock-test")
    return app_env


def _interview(at: AppTest, goto: Callable[[AppTest, str], AppTest]) -> AppTest:
    """One question, always followed up; answer it and the follow-up."""
    at = goto(at, "mock_interview")
    at.number_input[0].set_value(1)
    at.slider[0].set_value(100)
    at.button(key="FormSubmitter:mock_setup-Start the interview").click().run()
    at.chat_input[0].set_value("I am not sure.").run()
    at.chat_input[0].set_value("Something about the encoder.").run()
    assert not at.exception, at.exception
    return at


def _assistant_texts(at: AppTest) -> list[str]:
    return [" ".join(m.value for m in msg.markdown) for msg in at.chat_message if msg.name == "assistant"]


def test_llm_words_the_follow_up_and_the_closing_assessment(
    make_app: Callable[..., AppTest],
    llm_env: Path,
    server: FakeOpenAIServer,
    goto: Callable[[AppTest, str], AppTest],
) -> None:
    at = _interview(make_app(), goto)
    question, followup, closing = _assistant_texts(at)
    escaped = "Solid basics !\\[x\\](http://evil.example/x.png) \\<b\\>but\\</b\\> the scaling step was missing."
    assert followup == escaped and closing == escaped  # shown, but no image, link or HTML
    assert any(m.label == "Overall" for m in at.metric)  # the offline score is still the score
    assert any("rewording of the offline scores" in c.value for c in at.caption)
    kinds = [r.body["messages"][0]["content"] for r in server.chat_requests if r.body]
    assert len(kinds) == 2 and "closing assessment" in kinds[1]
    at.run()  # a rerun does not ask again
    assert len(server.chat_requests) == 2


def test_failing_endpoint_falls_back_to_the_rule_based_texts(
    make_app: Callable[..., AppTest],
    llm_env: Path,
    server: FakeOpenAIServer,
    goto: Callable[[AppTest, str], AppTest],
) -> None:
    server.mode = "500"
    at = _interview(make_app(), goto)
    _question, followup, closing = _assistant_texts(at)
    assert REPLY[:12] not in followup and REPLY[:12] not in closing
    assert "/100" in closing  # the rule-based assessment ("Overall 12/100 …" or "综合得分 12/100 …")
    (note,) = [c.value for c in at.caption if c.value.startswith("LLM assessment unavailable")]
    assert "500" in note
    assert any(m.label == "Overall" for m in at.metric)
