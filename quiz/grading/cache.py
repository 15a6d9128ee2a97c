"""Embeddings of reference texts, computed once per (model, text) and kept in memory and on disk.

Classes:
    EmbeddingCache    ``vectors(texts)`` returns rows for texts, encoding only the ones never seen before

A reference key point is embedded once per model, ever: later runs read it from
``<cache_dir>/embeddings/<model>/<hash>.npy``. Keys hash the model name and the normalised text, so a
rebuilt bank reuses every unchanged key point and grading never re-embeds the bank. Files are written
to a temporary name and renamed, so concurrent app replicas never read half a file; an unreadable
file is treated as missing and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.grading.normalize import normalize
from quiz.protocols import Embedder

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EmbeddingCache"]


class EmbeddingCache:
    """Memory (LRU, ``max_items``) in front of an optional directory of ``.npy`` files, for one embedder."""

    def __init__(self, embedder: Embedder, cache_dir: str | Path | None = None, *, max_items: int = 50_000) -> None:
        self.embedder = embedder
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder.name)[:80]
        self.directory = Path(cache_dir) / "embeddings" / slug if cache_dir else None
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._max_items = max_items
        self._lock = threading.Lock()
        self.encoded = 0  # texts this cache had to embed (for benchmarks and tests)

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.embedder.name}\0{normalize(text)}".encode()).hexdigest()

    def _read(self, key: str) -> np.ndarray | None:
        if self.directory is None:
            return None
        import numpy as np

        path = self.directory / f"{key}.npy"
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None

    def _write(self, key: str, vector: np.ndarray) -> None:
        if self.directory is None:
            return
        import numpy as np

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                np.save(handle, vector, allow_pickle=False)
            os.replace(tmp, self.directory / f"{key}.npy")
        except OSError:
            pass  # a read-only or full disk only costs speed: the vector stays in memory

    def _remember(self, key: str, vector: np.ndarray) -> None:
        self._memory[key] = vector
        self._memory.move_to_end(key)
        while len(self._memory) > self._max_items:
            self._memory.popitem(last=False)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Rows (unit vectors) for ``texts`` in order; unseen texts are embedded in one batch and stored."""
        import numpy as np

        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        missing: dict[str, str] = {}
        with self._lock:
            for key, text in zip(keys, texts, strict=True):
                if key in found or key in missing:
                    continue
                vector = self._memory.get(key)
                if vector is None:
                    vector = self._read(key)
                    if vector is not None:
                        self._remember(key, vector)
                if vector is None:
                    missing[key] = text
                else:
                    found[key] = vector
        if missing:
            encoded = self.embedder.encode(list(missing.values()))
            with self._lock:
                self.encoded += len(missing)
                for key, vector in zip(missing, encoded, strict=True):
                    vector = np.ascontiguousarray(vector, dtype=np.float32)
                    found[key] = vector
                    self._remember(key, vector)
                    self._write(key, vector)
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([found[k] for k in keys])
