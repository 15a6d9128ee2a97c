"""The LLM feedback client: the official ``openai`` SDK against any OpenAI-compatible endpoint.

Classes:
    LLMFeedbackClient  -- feedback (structured), stream_feedback (markdown chunks), phrase_followup,
                          closing_assessment, available_models; our own retries, messages and cache

Functions:
    build_openai_client(settings)  -- the real ``openai.OpenAI`` (imported here, lazily; SDK retries off)

Failures always surface as ``FeedbackUnavailable`` with a message meant for the user; the API key
never appears in a message, a repr or the cache. Retries (429, 5xx, timeouts, connection errors)
use exponential backoff from ``backoff_base_s`` or the server's ``Retry-After``, through an
injected ``sleep`` so tests run fast.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from quiz.errors import ConfigError, FeedbackUnavailable
from quiz.feedback import prompts
from quiz.feedback.cache import ReplyCache, cache_key
from quiz.feedback.parsing import feedback_from_reply
from quiz.feedback.records import LLMFeedback, parse_markdown_feedback

if TYPE_CHECKING:
    from quiz.models import GradeResult, Question
    from quiz.settings import Settings

__all__ = ["LLMFeedbackClient", "build_openai_client"]

# Structured output, best first; a 400 on one moves this client to the next for good.
RESPONSE_FORMATS: tuple[str | None, ...] = ("json_schema", "json_object", None)
FOLLOWUP_TIMEOUT_S = 15.0  # a follow-up is asked mid-interview: never make the candidate wait long
MAX_REPLY_CHARS = 600  # for follow-ups and assessments, which are meant to be short
_KEYLIKE = re.compile(r"\b(?:sk|pk|key|gsk|hf)[-_][A-Za-z0-9_\-*.]{6,}")
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)


class _Rejected(FeedbackUnavailable):
    """HTTP 400: the server refused the request as formed (e.g. it does not support response_format)."""


@dataclass(frozen=True)
class _Failure:
    retryable: bool
    message: str
    retry_after_s: float | None = None
    bad_request: bool = False


class _Secret:
    """Holds the API key for scrubbing messages; its repr never shows it."""

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "'***'" if self._value else "''"

    def scrub(self, text: str) -> str:
        if self._value and len(self._value) >= 4:
            text = text.replace(self._value, "***")
        return _KEYLIKE.sub("***", text)


def _display_url(url: str) -> str:
    """The endpoint without user:password or query string, safe to show."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the configured endpoint"
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) or "the configured endpoint"


def build_openai_client(settings: Settings) -> Any:
    """The real SDK client. ``max_retries=0``: retries are ours, so their messages and waits are testable.

    Servers without authentication (Ollama, a local vLLM) accept any key; the SDK insists on one,
    so an empty key is sent as a placeholder.
    """
    try:
        import openai  # heavy: imported only when an endpoint is configured
    except ImportError:
        raise FeedbackUnavailable("the openai package is not installed (pip install openai)") from None
    try:
        return openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout_s or None,
            max_retries=0,
        )
    except (openai.OpenAIError, ValueError, TypeError) as exc:
        message = _Secret(settings.llm_api_key).scrub(str(exc))[:200]
        where = _display_url(settings.llm_base_url)
        raise FeedbackUnavailable(f"cannot set up the LLM client for {where}: {message}") from None


class LLMFeedbackClient:
    """Asks an OpenAI-compatible endpoint for feedback on graded answers.

    Args:
        settings: the endpoint (``llm_base_url``, ``llm_model``, ``llm_api_key``), ``llm_timeout_s``
            and ``llm_max_retries``. ``llm_enabled`` must be true.
        openai_client: an ``openai.OpenAI`` (or compatible) object; built from ``settings`` when None.
        sleep: called with the seconds to wait between retries.
        cache: reply cache; a fresh in-memory one when None.
        backoff_base_s: first retry wait when the server gives no ``Retry-After``; doubles each retry.
        max_backoff_s: cap on any single wait (a long ``Retry-After`` becomes "unavailable" instead).

    Raises:
        ConfigError: the settings name no endpoint or model.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        openai_client: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
        cache: ReplyCache | None = None,
        backoff_base_s: float = 0.5,
        max_backoff_s: float = 30.0,
    ) -> None:
        if not settings.llm_enabled:
            raise ConfigError("LLM feedback needs both llm_base_url and llm_model")
        self.model = settings.llm_model
        self.base_url = settings.llm_base_url
        self.timeout_s = settings.llm_timeout_s
        self.max_retries = max(0, settings.llm_max_retries)
        self._secret = _Secret(settings.llm_api_key)
        self._client = openai_client if openai_client is not None else build_openai_client(settings)
        self._sleep = sleep
        self.cache = cache if cache is not None else ReplyCache()
        self.backoff_base_s = backoff_base_s
        self.max_backoff_s = max_backoff_s
        self._format_index = 0

    def __repr__(self) -> str:
        return f"LLMFeedbackClient(model={self.model!r}, base_url={_display_url(self.base_url)!r})"

    @property
    def response_format(self) -> str | None:
        """The structured-output mode this client currently uses ("json_schema", "json_object" or None)."""
        return RESPONSE_FORMATS[self._format_index]

    # -- public API -----------------------------------------------------------------------------

    def feedback(self, question: Question, answer: str, grade: GradeResult | None) -> LLMFeedback:
        """Structured feedback in the question's language.

        An unusable reply is asked for again once (with a reminder of the format); a second
        unusable reply raises. Identical requests are answered from the cache.

        Raises:
            FeedbackUnavailable: the endpoint failed, or the reply was not valid feedback twice.
        """
        messages = prompts.feedback_messages(question, answer, grade)
        language = prompts.question_language(question.text)
        key = self._key("feedback", messages)
        cached = self.cache.get(key)
        if cached is not None:
            record = feedback_from_reply(cached, language=language, model=self.model)
            if record is not None:
                return record
        conversation = list(messages)
        for attempt in range(2):
            text = self._complete_json(conversation)
            record = feedback_from_reply(text, language=language, model=self.model)
            if record is not None:
                self.cache.put(key, text)
                return record
            if attempt == 0:
                conversation = messages + [
                    {"role": "assistant", "content": text[:2000]},
                    {"role": "user", "content": "That was not the JSON object asked for. "
                     "Reply with the JSON object only: covered, missing, improved_answer, score."},
                ]
        raise FeedbackUnavailable(
            f"the model {self.model!r} did not return valid feedback JSON (asked twice); "
            "a larger or instruction-tuned model may work better"
        )

    def stream_feedback(self, question: Question, answer: str, grade: GradeResult | None) -> Iterator[str]:
        """Markdown feedback (the ``LLMFeedback.as_markdown`` layout) as it arrives, for ``st.write_stream``.

        Retries happen before the first chunk; a stream that breaks off raises. A finished reply
        is cached, and a cached one is yielded as a single chunk.

        Raises:
            FeedbackUnavailable: on iteration, when the endpoint fails or the reply is empty.
        """
        messages = prompts.stream_messages(question, answer, grade)
        key = self._key("stream", messages)
        cached = self.cache.get(key)
        if cached is not None:
            yield cached
            return
        try:
            stream = self._create(messages, stream=True)
        except _Rejected:
            # A server that refuses stream=True: one plain request, shown as a single chunk.
            text = self._content(self._create(messages))
            if not text.strip():
                raise FeedbackUnavailable(f"the model {self.model!r} returned an empty reply") from None
            self.cache.put(key, text)
            yield text
            return
        parts: list[str] = []
        try:
            for chunk in stream:
                choices = getattr(chunk, "choices", None) or []
                delta = getattr(choices[0].delta, "content", None) if choices else None
                if delta:
                    parts.append(delta)
                    yield delta
        except FeedbackUnavailable:
            raise
        except Exception as exc:  # the SDK raises its own errors or httpx ones mid-stream
            raise FeedbackUnavailable(f"the LLM reply broke off: {self._failure(exc).message}") from None
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        text = "".join(parts)
        if not text.strip():
            raise FeedbackUnavailable(f"the model {self.model!r} returned an empty reply")
        self.cache.put(key, text)

    def record_from_stream(self, text: str, question: Question) -> LLMFeedback | None:
        """The structured record of a streamed reply, or None when it lacks the expected headings."""
        language = prompts.question_language(question.text)
        return parse_markdown_feedback(_THINK.sub("", text), language=language, model=self.model)

    def phrase_followup(self, question: Question, answer: str, missed_key_points: list[str]) -> str:
        """One interviewer follow-up about the missed points, in the question's language ("" if the reply is empty).

        Used by the mock interview (``PhraseFollowup``); a short timeout and no retries, since the
        candidate is waiting and the template follow-up is a fine fallback.

        Raises:
            FeedbackUnavailable: the endpoint failed.
        """
        messages = prompts.followup_messages(question, answer, missed_key_points)
        return self._short_text("followup", messages)

    def closing_assessment(self, summary: str, language: str) -> str:
        """The rule-based closing assessment of a mock interview, rephrased ("" if the reply is empty).

        Raises:
            FeedbackUnavailable: the endpoint failed.
        """
        return self._short_text("assessment", prompts.assessment_messages(summary, language))

    def available_models(self) -> list[str]:
        """Model ids the endpoint lists (``GET /models``): a connection and key check for the settings page.

        Raises:
            FeedbackUnavailable: the endpoint cannot be reached or rejects the key.
        """
        try:
            page = self._client.models.list(timeout=self._timeout(FOLLOWUP_TIMEOUT_S))
            return sorted(str(getattr(m, "id", m)) for m in page)
        except Exception as exc:
            raise FeedbackUnavailable(self._failure(exc).message) from None

    # -- requests -------------------------------------------------------------------------------

    def _key(self, kind: str, messages: list[dict[str, str]]) -> str:
        return cache_key(kind, self.model, self.base_url, messages, {"temperature": 0})

    def _timeout(self, cap: float | None = None) -> float | None:
        timeout = self.timeout_s or None  # 0 means no limit
        if cap is not None:
            timeout = cap if timeout is None else min(timeout, cap)
        return timeout

    def _short_text(self, kind: str, messages: list[dict[str, str]]) -> str:
        key = self._key(kind, messages)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        response = self._create(messages, retries=0, timeout=self._timeout(FOLLOWUP_TIMEOUT_S))
        text = _THINK.sub("", self._content(response)).strip().strip('"“”「」').strip()
        text = text[:MAX_REPLY_CHARS].strip()
        if text:
            self.cache.put(key, text)
        return text

    def _complete_json(self, messages: list[dict[str, str]]) -> str:
        while True:
            try:
                return self._content(self._create(messages, response_format=self._format_param()))
            except _Rejected:
                if self.response_format is None:
                    raise
                # The server rejects this response_format (e.g. json_schema on DeepSeek, anything on
                # an old vLLM): remember it and fall back, ending with plain text + robust parsing.
                self._format_index += 1

    def _format_param(self) -> dict[str, Any] | None:
        mode = self.response_format
        if mode == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": "answer_feedback", "schema": prompts.FEEDBACK_SCHEMA, "strict": True},
            }
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    def _content(self, response: Any) -> str:
        try:
            content = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError):
            raise FeedbackUnavailable(f"the endpoint returned a response without a message ({self.model!r})") from None
        return content if isinstance(content, str) else ""

    def _create(
        self,
        messages: list[dict[str, str]],
        *,
        stream: bool = False,
        response_format: dict[str, Any] | None = None,
        retries: int | None = None,
        timeout: float | None = None,
    ) -> Any:
        """One chat completion with our retries; every failure becomes ``FeedbackUnavailable``."""
        retries = self.max_retries if retries is None else retries
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "timeout": timeout if timeout is not None else self._timeout(),
        }
        if response_format is not None:
            kwargs["response_format"] = response_format
        if stream:
            kwargs["stream"] = True
        attempt = 0
        while True:
            try:
                return self._client.chat.completions.create(**kwargs)
            except Exception as exc:
                failure = self._failure(exc)
                if failure.bad_request:
                    raise _Rejected(failure.message) from None
                if not failure.retryable or attempt >= retries:
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise FeedbackUnavailable(failure.message + tries) from None
                delay = self._backoff(attempt, failure.retry_after_s)
                if delay is None:
                    raise FeedbackUnavailable(failure.message + " (the server asked to wait too long)") from None
                self._sleep(delay)
                attempt += 1

    def _backoff(self, attempt: int, retry_after_s: float | None) -> float | None:
        if retry_after_s is not None:
            return retry_after_s if retry_after_s <= self.max_backoff_s else None
        return min(self.max_backoff_s, self.backoff_base_s * (2**attempt))

    def _failure(self, exc: BaseException) -> _Failure:
        """Classify an SDK error and phrase it for the user (never with the key, never the raw 401 text)."""
        import openai

        where = _display_url(self.base_url)
        if isinstance(exc, openai.APITimeoutError):
            limit = f" within {self.timeout_s:g} s" if self.timeout_s else ""
            return _Failure(True, f"the LLM endpoint at {where} did not answer{limit} (timeout)")
        if isinstance(exc, openai.APIConnectionError):
            return _Failure(True, f"cannot reach the LLM endpoint at {where}: is the server running and the URL right?")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = self._secret.scrub(_server_message(exc))[:200]
            if status == 401:
                return _Failure(False, f"the LLM endpoint rejected the API key (HTTP 401) at {where}: "
                                       "check llm_api_key / QUIZ_LLM_API_KEY")
            if status == 403:
                return _Failure(False, f"the API key may not use model {self.model!r} at {where} (HTTP 403)")
            if status == 404:
                return _Failure(False, f"model {self.model!r} not found at {where} (HTTP 404): check llm_model, "
                                       "and that the base URL ends in /v1 where the server expects it")
            if status == 400:
                return _Failure(False, f"the LLM endpoint rejected the request (HTTP 400): {detail}", bad_request=True)
            if status == 429:
                return _Failure(True, f"the LLM endpoint at {where} is rate-limiting requests (HTTP 429); "
                                      "try again later", _retry_after(exc))
            if status >= 500:
                return _Failure(True, f"the LLM endpoint at {where} failed (HTTP {status})", _retry_after(exc))
            return _Failure(False, f"the LLM endpoint answered HTTP {status}: {detail}")
        if isinstance(exc, FeedbackUnavailable):
            return _Failure(False, str(exc))
        name = type(exc).__name__
        return _Failure(False, f"the LLM request failed ({name}): {self._secret.scrub(str(exc))[:200]}")


def _server_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(body.get("message"), str):
            return body["message"]
    return str(getattr(exc, "message", "") or "")


def _retry_after(exc: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds form); HTTP dates fall back to backoff."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw) * scale
        except (TypeError, ValueError):
            continue
        if value >= 0:
            return value
    return None
