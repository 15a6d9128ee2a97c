"""Optional LLM feedback through the ``openai`` SDK, against any OpenAI-compatible endpoint.

Modules:
    records  -- ``LLMFeedback`` (frozen record, markdown form) and ``blended_score``
    prompts  -- the prompts; the candidate's answer is delimited data, never instructions
    parsing  -- robust reading of JSON replies (plain, fenced, inside prose)
    cache    -- in-memory LRU of replies, optionally on disk under ``settings.cache_dir``
    client   -- ``LLMFeedbackClient``: retries, backoff, clear failure messages, streaming

Functions:
    feedback_client_from_settings(settings)   -- a client, or None when no endpoint is configured
    followup_phraser_from_settings(settings)  -- a mock-interview ``phrase_followup`` hook, or None

Importing this package does not import ``openai``; the SDK loads when a client is built.
The offline grade never depends on anything here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.feedback.cache import ReplyCache
from quiz.feedback.client import LLMFeedbackClient
from quiz.feedback.records import LLMFeedback, blended_score

if TYPE_CHECKING:
    from quiz.models import Question
    from quiz.settings import Settings

__all__ = [
    "LLMFeedback",
    "LLMFeedbackClient",
    "blended_score",
    "feedback_client_from_settings",
    "followup_phraser_from_settings",
]

CACHE_SUBDIR = "llm_replies"


def feedback_client_from_settings(
    settings: Settings, *, sleep: Callable[[float], None] = time.sleep, disk_cache: bool = True
) -> LLMFeedbackClient | None:
    """The client for ``settings``' endpoint, or None when ``settings.llm_enabled`` is false.

    Replies are cached in memory and, with ``disk_cache``, under ``<cache_dir>/llm_replies``
    (reply text only: no key, no settings).
    """
    if not settings.llm_enabled:
        return None
    directory = Path(settings.cache_dir) / CACHE_SUBDIR if disk_cache and settings.cache_dir else None
    return LLMFeedbackClient(settings, sleep=sleep, cache=ReplyCache(directory=directory))


def followup_phraser_from_settings(settings: Settings) -> Callable[[Question, str, list[str]], str] | None:
    """A ``phrase_followup(question, answer, missed_key_points) -> str`` hook, or None without an endpoint.

    The hook raises ``FeedbackUnavailable`` (a ``QuizError``) or returns "" on failure, so the
    mock interview falls back to its template follow-up.
    """
    client = feedback_client_from_settings(settings)
    return client.phrase_followup if client is not None else None
