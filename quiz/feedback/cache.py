"""A cache of LLM replies: in-memory LRU, optionally backed by JSON files on disk.

Classes:
    ReplyCache  -- ``get(key)`` / ``put(key, text)``; thread-safe; keys come from ``cache_key``

Functions:
    cache_key(kind, model, base_url, messages, options) -- sha256 of everything that shapes a reply

The key holds no secret (the API key is not part of it); the value is the model's reply text.
Disk entries live in ``<directory>/<key>.json``; an unreadable or unwritable directory only
disables the disk layer, never the feedback.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

__all__ = ["ReplyCache", "cache_key"]

CACHE_FORMAT = 1  # bump when prompts or parsing change so stale replies are not reused


def cache_key(kind: str, model: str, base_url: str, messages: list[dict[str, str]], options: dict[str, Any]) -> str:
    """A stable hex digest of the request: kind, model, endpoint, the full prompt and sampling options."""
    payload = json.dumps(
        {"v": CACHE_FORMAT, "kind": kind, "model": model, "base_url": base_url.rstrip("/"),
         "messages": messages, "options": options},
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ReplyCache:
    """LRU of reply texts (``max_entries`` in memory), with an optional disk directory behind it."""

    def __init__(self, max_entries: int = 256, directory: str | Path | None = None) -> None:
        self.max_entries = max(1, max_entries)
        self.directory = Path(directory) if directory else None
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> str | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        text = self._read_disk(key)
        if text is not None:
            self._remember(key, text)
        return text

    def put(self, key: str, text: str) -> None:
        self._remember(key, text)
        self._write_disk(key, text)

    def _remember(self, key: str, text: str) -> None:
        with self._lock:
            self._entries[key] = text
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _path(self, key: str) -> Path | None:
        return self.directory / f"{key}.json" if self.directory is not None else None

    def _read_disk(self, key: str) -> str | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        text = data.get("reply") if isinstance(data, dict) else None
        return text if isinstance(text, str) else None

    def _write_disk(self, key: str, text: str) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps({"reply": text}, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)  # atomic, so a concurrent reader never sees half a file
        except OSError:
            return  # the disk layer is a nicety; memory still caches
