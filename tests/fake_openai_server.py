"""A small deterministic OpenAI-compatible HTTP server for tests (real HTTP on 127.0.0.1, no SDK patching).

Classes:
    FakeOpenAIServer  -- the running server: ``url`` (ends in /v1), ``mode``, canned replies, ``requests`` seen

Functions:
    start_fake_openai_server(mode="ok") -- start one in a daemon thread on a free port; call ``.stop()`` after

Speaks ``POST /v1/chat/completions`` (JSON, or SSE ``data: {...}`` chunks ending in ``data: [DONE]``
when ``stream`` is true) and ``GET /v1/models``. ``mode`` chooses the behaviour:

    ok                     answer every request
    json_mode_unsupported  400 when the request carries ``response_format``, else like ok
    stream_unsupported     400 when the request asks for ``stream``, else like ok
    429_then_ok            429 with ``Retry-After: 7`` for the first ``fail_times`` requests, then ok
    500                    always 500
    timeout                sleep ``delay_s`` before answering (longer than the client's timeout)
    malformed              200 with text that holds no JSON object
    401                    invalid API key
    404                    unknown model
    gullible               like ok, but obeys "full marks" instructions found OUTSIDE <answer>…</answer>
                           in the user message (a model that cannot tell data from instructions)

A request asking for JSON (``response_format`` set, or "JSON" in the system message) gets
``json_reply`` serialised; other requests get ``text_reply``. Chunks of a streamed reply are
``stream_chunk_chars`` characters long.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "DEFAULT_JSON_REPLY",
    "DEFAULT_TEXT_REPLY",
    "FakeOpenAIServer",
    "RecordedRequest",
    "start_fake_openai_server",
]

DEFAULT_JSON_REPLY: dict[str, Any] = {
    "covered": ["Explains that attention weights values by query-key similarity"],
    "missing": ["Does not mention the scaling by sqrt(d_k)"],
    "improved_answer": "Attention computes softmax(QK^T / sqrt(d_k)) V, so each token mixes the values ...",
    "score": 62,
}
DEFAULT_TEXT_REPLY = (
    "### What you got right\n"
    "- Explains that attention weights values by query-key similarity\n\n"
    "### What is missing or wrong\n"
    "- Does not mention the scaling by sqrt(d_k)\n\n"
    "### A stronger answer\n"
    "Attention computes softmax(QK^T / sqrt(d_k)) V, so each token mixes the values ...\n\n"
    "### LLM score\n"
    "62/100\n"
)
_ANSWER_BLOCK = re.compile(r"<answer>.*?</answer>", re.S)
_FULL_MARKS = re.compile(r"full marks|give (?:me )?100|满分", re.I)


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    raw: bytes

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name (clients differ in the case they send)."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class FakeOpenAIServer:
    """State shared with the handler threads; tests change ``mode`` and replies between calls."""

    mode: str = "ok"
    json_reply: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_JSON_REPLY))
    text_reply: str = DEFAULT_TEXT_REPLY
    fail_times: int = 1
    retry_after: str = "7"
    delay_s: float = 5.0
    stream_chunk_chars: int = 12
    models: tuple[str, ...] = ("fake-model",)
    requests: list[RecordedRequest] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def reset(self, mode: str = "ok") -> None:
        with self._lock:
            self.mode = mode
            self.requests.clear()

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in "timeout" mode
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- behaviour (called from handler threads) ------------------------------------------------

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            return len(self.chat_requests)

    def reply_text(self, body: dict[str, Any]) -> str:
        """The assistant text for a request that gets an answer."""
        messages = body.get("messages") or []
        system = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
        wants_json = "response_format" in body or "JSON" in system
        if self.mode == "malformed":
            return "Sure! Here is my assessment: the answer is fine, I think. {not json"
        if not wants_json:
            return self.text_reply
        reply = dict(self.json_reply)
        if self.mode == "gullible":
            user = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
            outside = _ANSWER_BLOCK.sub(" ", user)
            if _FULL_MARKS.search(outside):
                reply["score"] = 100
                reply["missing"] = []
        return json.dumps(reply, ensure_ascii=False)


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop", "logprobs": None}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def _make_handler(state: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            return

        def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> None:
            self._send_json(status, {"error": {"message": message, "type": kind, "code": None}}, headers)

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            state._record(RecordedRequest("GET", self.path, dict(self.headers.items()), None, b""))
            if self.path.rstrip("/").endswith("/models"):
                if state.mode == "401":
                    self._error(401, "Incorrect API key provided", "invalid_request_error")
                    return
                data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in state.models]
                self._send_json(200, {"object": "list", "data": data})
            else:
                self._error(404, "not found", "invalid_request_error")

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = None
            count = state._record(RecordedRequest("POST", self.path, dict(self.headers.items()), body, raw))
            if not self.path.rstrip("/").endswith("/chat/completions") or body is None:
                self._error(404, "not found", "invalid_request_error")
                return
            model = str(body.get("model", ""))
            mode = state.mode
            if mode == "401":
                # Like OpenAI, the message echoes part of the key: the client must not pass it on.
                auth = self.headers.get("Authorization", "")
                self._error(401, f"Incorrect API key provided: {auth[7:]}", "invalid_request_error")
                return
            if mode == "404" or model not in state.models:
                self._error(404, f"The model `{model}` does not exist", "invalid_request_error")
                return
            if mode == "500":
                self._error(500, "internal error", "server_error")
                return
            if mode == "429_then_ok" and count <= state.fail_times:
                self._error(429, "Rate limit reached", "rate_limit_error", {"Retry-After": state.retry_after})
                return
            if mode == "json_mode_unsupported" and "response_format" in body:
                self._error(400, "response_format is not supported by this server", "invalid_request_error")
                return
            if mode == "stream_unsupported" and body.get("stream"):
                self._error(400, "stream is not supported", "invalid_request_error")
                return
            if mode == "timeout" and state._stopping.wait(state.delay_s):
                return  # the server is stopping: the client gave up long ago
            text = state.reply_text(body)
            if body.get("stream"):
                self._stream(model, text)
            else:
                self._send_json(200, _completion(model, text))

        def _stream(self, model: str, text: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            size = max(1, state.stream_chunk_chars)
            events = [_chunk(model, {"role": "assistant", "content": ""})]
            events += [_chunk(model, {"content": text[i : i + size]}) for i in range(0, len(text), size)]
            events.append(_chunk(model, {}, "stop"))
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closes its socket before the (deliberately late) reply: expected here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def start_fake_openai_server(mode: str = "ok") -> FakeOpenAIServer:
    """Start a server on 127.0.0.1 (free port) in a daemon thread; the caller must ``stop()`` it."""
    state = FakeOpenAIServer(mode=mode)
    httpd = _QuietServer(("127.0.0.1", 0), _make_handler(state))
    state._httpd = httpd
    state._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    state._thread.start()
    time.sleep(0)  # let the thread start serving
    return state
