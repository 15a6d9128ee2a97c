"""AppTest flows with LLM feedback on: the app talks real HTTP to the fake OpenAI-compatible server."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ holds fake_openai_server.py

from fake_openai_server import FakeOpenAIServer, start_fake_openai_server  # noqa: E402

from quiz.bank.bank import Bank, question_id, save_bank  # noqa: E402
from quiz.models import Difficulty, KeyPoint, Keyword, Question, Reference, Rubric  # noqa: E402
from quiz.store import AttemptStore  # noqa: E402

API_KEY = "sk-ui-test-SECRET-9876543210"
QUESTION = "Why is attention scaled by sqrt(d_k) in the Transformer?"
REFERENCE = (
    "Dot products of queries and keys grow with the dimension d_k. Large logits push softmax into saturated "
    "regions where gradients are tiny. Dividing by sqrt(d_k) keeps the variance of the logits at 1."
)
ANSWER = "Because dot products grow with the dimension, softmax saturates, so we divide by sqrt(d_k)."


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    srv = start_fake_openai_server()
    yield srv
    srv.stop()


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, app_env: Path, tmp_path: Path, server: FakeOpenAIServer) -> Path:
    """The app on a one-question bank with LLM feedback pointed at the fake server; returns the db path."""
    rubric = Rubric(
        key_points=(KeyPoint("dot products grow with d_k"), KeyPoint("softmax saturates, gradients vanish"),
                    KeyPoint("scaling keeps variance at 1")),
        keywords=(Keyword("softmax", required=True), Keyword("variance")),
    )
    question = Question(question_id(QUESTION), QUESTION, (Reference(REFERENCE, "llm.md", 1, 3, rubric),),
                        ("attention",), Difficulty.MEDIUM)
    bank_path = tmp_path / "llm_bank.json"
    save_bank(Bank((question,)), bank_path)
    monkeypatch.setenv("QUIZ_BANK_PATH", str(bank_path))
    monkeypatch.setenv("QUIZ_LLM_BASE_URL", server.url)
    monkeypatch.setenv("QUIZ_LLM_MODEL", "fake-model")
    monkeypatch.setenv("QUIZ_LLM_API_KEY", API_KEY)
    monkeypatch.setenv("QUIZ_LLM_MAX_RETRIES", "1")
    return app_env


def _submit(at: AppTest) -> AppTest:
    box = next(t for t in at.text_area if t.key and t.key.startswith("practice_answer_"))
    box.set_value(ANSWER).run()
    return at.button(key="practice_submit").click().run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _everything_shown(at: AppTest) -> str:
    parts = [e.value for kind in (at.markdown, at.caption, at.info, at.warning, at.error) for e in kind]
    return "\n".join(str(p) for p in parts) + "\n".join(m.value for m in at.metric)


def test_practice_shows_streamed_llm_feedback_beside_the_offline_grade(
    make_app: Callable[..., AppTest], llm_env: Path, server: FakeOpenAIServer
) -> None:
    at = _submit(make_app())
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = _metrics(at)
    assert metrics["Score"].endswith("/ 100")  # the offline grade, drawn first
    assert metrics["Offline score"] == metrics["Score"]
    assert metrics["LLM score"] == "62 / 100"
    shown = _everything_shown(at)
    assert "What you got right" in shown and "What is missing or wrong" in shown
    assert "sqrt(d\\_k)" in shown or "sqrt(d_k)" in shown
    (request,) = server.chat_requests  # one streamed request; its markdown held the score
    assert request.body is not None and request.body["stream"] is True
    assert request.header("Authorization") == f"Bearer {API_KEY}"
    assert ANSWER in request.body["messages"][1]["content"]

    at.run()  # a rerun shows the kept feedback without asking again
    assert _metrics(at)["LLM score"] == "62 / 100" and len(server.chat_requests) == 1

    stored = AttemptStore(f"sqlite:///{llm_env}").attempts(user="guest")
    assert len(stored) == 1 and stored[0].score is not None
    assert f"{stored[0].score:.0f} / 100" == metrics["Score"]  # the LLM never changes the offline grade
    assert stored[0].llm_score == 62.0 and "### What you got right" in (stored[0].llm_feedback or "")
    assert API_KEY not in shown
    for path in llm_env.parent.rglob("*"):
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes(), path


def test_model_text_is_escaped_on_screen_but_stored_as_written(
    make_app: Callable[..., AppTest], llm_env: Path, server: FakeOpenAIServer
) -> None:
    server.text_reply = server.text_reply.replace(
        "- Does not mention", "- ![x](http://evil.example/x.png) <img src=x> Does not mention"
    )
    at = _submit(make_app())
    assert not at.exception and _metrics(at)["LLM score"] == "62 / 100"
    (shown,) = [m.value for m in at.markdown if m.value.startswith("### What you got right")]
    assert "!\\[x\\](http" in shown and "\\<img src=x\\>" in shown
    assert not re.search(r"(?<!\\)[<\[]", shown)  # no unescaped bracket: no image, link or HTML
    (stored,) = AttemptStore(f"sqlite:///{llm_env}").attempts(user="guest")
    assert "- ![x](http://evil.example/x.png) <img src=x> Does not mention" in (stored.llm_feedback or "")


def test_llm_failure_keeps_the_offline_grade_and_says_why(
    make_app: Callable[..., AppTest], llm_env: Path, server: FakeOpenAIServer
) -> None:
    server.mode = "500"
    at = _submit(make_app())
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = _metrics(at)
    assert metrics["Score"].endswith("/ 100") and "LLM score" not in metrics
    unavailable = [c.value for c in at.caption if c.value.startswith("LLM feedback unavailable")]
    assert len(unavailable) == 1 and "HTTP 500" in unavailable[0] and "after 2 attempts" in unavailable[0]
    assert len(server.chat_requests) == 2
    (stored,) = AttemptStore(f"sqlite:///{llm_env}").attempts(user="guest")
    assert stored.score is not None and stored.llm_score is None and stored.llm_feedback is None

    at.run()  # the failure is remembered: no new request on rerun
    assert len(server.chat_requests) == 2

    server.mode = "ok"  # the endpoint recovers; the user retries
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("llm_retry_"))).click().run()
    assert not at.exception
    assert _metrics(at)["LLM score"] == "62 / 100"


def test_no_llm_section_without_an_endpoint(
    make_app: Callable[..., AppTest], llm_env: Path, monkeypatch: pytest.MonkeyPatch, server: FakeOpenAIServer
) -> None:
    monkeypatch.delenv("QUIZ_LLM_BASE_URL")
    at = _submit(make_app())
    assert not at.exception and "LLM score" not in _metrics(at)
    assert not any("LLM feedback" in m.value for m in at.markdown)
    assert server.requests == []
