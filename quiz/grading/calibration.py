"""Calibration of raw cosine similarities into 0..1 "coverage strength", per embedding model.

Classes:
    Calibration               ``floor`` (what unrelated text scores) and ``ceiling`` (what a paraphrase scores)

Functions:
    calibrate(embedder)       measure both on the built-in anchor pairs below

Models disagree wildly about absolute cosines (USE puts unrelated sentences near 0.05, MiniLM
near 0.1, e5-style models near 0.75), so fixed thresholds would only fit one model. Instead each
model is measured once on a fixed set of anchor pairs from the interview domain: paraphrases
(same idea, other words, sometimes other language or script) and unrelated pairs (same domain,
different idea). Strength is then ``(cos - floor) / (ceiling - floor)`` clipped to 0..1, which
means the same thing for every model.
"""

from __future__ import annotations

from dataclasses import dataclass

from quiz.protocols import Embedder

__all__ = ["PARAPHRASE_PAIRS", "UNRELATED_PAIRS", "Calibration", "calibrate"]

PARAPHRASE_PAIRS: tuple[tuple[str, str], ...] = (
    ("自注意力让每个位置根据查询和键的相似度对所有值加权求和", "每个token用Q和K算相关性，再用softmax后的权重加权V"),
    ("RLHF包括监督微调、训练奖励模型、用PPO强化学习三个步骤", "RLHF分三步：先SFT，再训练奖励模型，最后用PPO优化策略"),
    ("BERT是双向的编码器，适合理解类任务", "BERT 用 encoder，能同时看左右两边的上下文，擅长理解任务"),
    ("GPT是自回归的解码器，从左到右逐词生成", "GPT only looks at previous tokens and generates text left to right"),
    ("LoRA冻结原始权重，只训练低秩分解的增量矩阵", "LoRA 不改原模型参数，而是加两个小的低秩矩阵来学习权重的变化"),
    ("位置编码给模型提供词在序列中的顺序信息", "因为注意力本身不区分顺序，所以要加入位置编码表示token的位置"),
    ("量化把权重从FP16降到INT8或INT4以减少显存", "Quantization stores weights in fewer bits, such as 8-bit integers, to save memory"),
    ("幻觉是指模型生成看似合理但与事实不符的内容", "模型一本正经地胡说八道，编造不存在的事实，这就是幻觉"),
    ("RAG先检索相关文档，再把它们作为上下文交给模型生成答案", "檢索增強生成會先找出相關資料，再放進提示詞讓模型回答"),
    ("多头注意力让模型在不同子空间中关注不同的信息", "multi-head attention lets each head attend to different aspects in its own subspace"),
    ("预训练在大规模无标注语料上学习通用语言知识", "先用海量没有标签的文本训练，让模型学会语言的一般规律"),
    ("KV cache缓存之前token的键和值，避免重复计算", "推理时把算过的 K 和 V 存起来，下一个 token 直接复用，省去重算"),
    ("缩放点积注意力除以根号d_k，防止softmax进入梯度很小的区域", "除以 sqrt(dk) 是为了让点积不要太大，否则 softmax 太尖、梯度消失"),
    ("温度越高，采样越随机，输出越多样", "A higher temperature flattens the distribution, so sampling becomes more diverse"),
    ("指令微调用指令和回答的数据对让模型学会遵循指令", "用很多“指令-答案”样本做微调，模型就更会听从人的指示"),
    ("模型规模变大后会出现小模型没有的涌现能力", "當參數量大到一定程度，模型會突然具備小模型沒有的能力，稱為湧現"),
)

UNRELATED_PAIRS: tuple[tuple[str, str], ...] = (
    ("自注意力让每个位置根据查询和键的相似度对所有值加权求和", "LoRA冻结原始权重，只训练低秩分解的增量矩阵"),
    ("RLHF包括监督微调、训练奖励模型、用PPO强化学习三个步骤", "位置编码给模型提供词在序列中的顺序信息"),
    ("BERT是双向的编码器，适合理解类任务", "量化把权重从FP16降到INT8或INT4以减少显存"),
    ("GPT是自回归的解码器，从左到右逐词生成", "RAG先检索相关文档，再把它们作为上下文交给模型生成答案"),
    ("LoRA冻结原始权重，只训练低秩分解的增量矩阵", "幻觉是指模型生成看似合理但与事实不符的内容"),
    ("位置编码给模型提供词在序列中的顺序信息", "温度越高，采样越随机，输出越多样"),
    ("量化把权重从FP16降到INT8或INT4以减少显存", "指令微调用指令和回答的数据对让模型学会遵循指令"),
    ("幻觉是指模型生成看似合理但与事实不符的内容", "KV cache缓存之前token的键和值，避免重复计算"),
    ("RAG先检索相关文档，再把它们作为上下文交给模型生成答案", "缩放点积注意力除以根号d_k，防止softmax进入梯度很小的区域"),
    ("多头注意力让模型在不同子空间中关注不同的信息", "预训练在大规模无标注语料上学习通用语言知识"),
    ("预训练在大规模无标注语料上学习通用语言知识", "GPT only looks at previous tokens and generates text left to right"),
    ("KV cache缓存之前token的键和值，避免重复计算", "模型规模变大后会出现小模型没有的涌现能力"),
    ("缩放点积注意力除以根号d_k，防止softmax进入梯度很小的区域", "RLHF分三步：先SFT，再训练奖励模型，最后用PPO优化策略"),
    ("温度越高，采样越随机，输出越多样", "BERT 用 encoder，能同时看左右两边的上下文，擅长理解任务"),
    ("指令微调用指令和回答的数据对让模型学会遵循指令", "Quantization stores weights in fewer bits, such as 8-bit integers, to save memory"),
    ("模型规模变大后会出现小模型没有的涌现能力", "推理时把算过的 K 和 V 存起来，下一个 token 直接复用，省去重算"),
)


@dataclass(frozen=True)
class Calibration:
    """Cosine ``floor`` maps to strength 0, ``ceiling`` to strength 1 (linear in between, clipped)."""

    floor: float
    ceiling: float

    def strength(self, cosine: float) -> float:
        span = max(self.ceiling - self.floor, 1e-6)
        return min(1.0, max(0.0, (cosine - self.floor) / span))


def calibrate(embedder: Embedder) -> Calibration:
    """Measure ``embedder`` on the anchor pairs.

    The floor sits a little above the typical unrelated pair (mean + one standard deviation), so
    same-domain but different ideas earn nothing; the ceiling is the mean paraphrase similarity,
    so an ordinary rewording already counts as fully covered.
    """
    import numpy as np

    def cosines(pairs: tuple[tuple[str, str], ...]) -> np.ndarray:
        left = embedder.encode([a for a, _ in pairs])
        right = embedder.encode([b for _, b in pairs])
        return np.sum(left * right, axis=1)

    unrelated = cosines(UNRELATED_PAIRS)
    paraphrase = cosines(PARAPHRASE_PAIRS)
    floor = float(unrelated.mean() + unrelated.std())
    ceiling = float(paraphrase.mean())
    if ceiling <= floor + 0.05:  # a model that cannot tell them apart still gets a usable (if coarse) scale
        ceiling = floor + 0.05
    return Calibration(floor=round(floor, 4), ceiling=round(ceiling, 4))
