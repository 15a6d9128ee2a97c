"""The difficulty rule (quiz.bank.topics.estimate_difficulty): cases, independence from rubrics, spread."""

from __future__ import annotations

from collections import Counter

import pytest

from quiz.bank import load_bank
from quiz.bank.topics import difficulty_points, estimate_difficulty
from quiz.models import Difficulty, KeyPoint, Reference, Rubric
from quiz.settings import PROJECT_ROOT


def ref(chars: int, rubric: Rubric | None = None) -> Reference:
    """A reference of ``chars`` plain characters (CJK, so normalisation keeps the length)."""
    return Reference("字" * chars, "t.md", 1, 2, rubric or Rubric())


@pytest.mark.parametrize(
    ("question", "chars", "topics", "points", "expected"),
    [
        # Short definitional answer on a basic topic.
        ("在GPT模型中，什么是温度系数？", 160, ("decoding-generation",), 0.4, Difficulty.EASY),
        # A why-question with a one-line answer stays easy.
        ("为什么transformers需要位置编码？", 80, ("transformer-attention",), 0.7, Difficulty.EASY),
        # Named advanced technique (RoPE) lifts a short answer to medium.
        ("什么是旋转位置编码（ROPE）？", 106, ("transformer-attention",), 1.265, Difficulty.MEDIUM),
        # A few paragraphs comparing two things.
        ("LLM中的因果语言建模CLM与屏蔽语言建模MLM有什么区别?", 400, ("pretraining-objectives",), 1.5, Difficulty.MEDIUM),
        # Advanced topic, long answer.
        ("Scaling Law是什么?", 1800, ("scaling-emergence",), 4.0, Difficulty.HARD),
        # Long answer to a how-question on a basic topic.
        ("Word2Vec的原理是什么?", 1800, ("tokenization-embeddings",), 3.5, Difficulty.HARD),
        # Traditional script: cues (如何) and the advanced topic still count.
        (
            "什麼是梯度檢查點（Gradient Checkpointing），它如何幫助在訓練大型模型時節省內存？",
            620,
            ("efficiency-memory",),
            3.05,
            Difficulty.HARD,
        ),
        # No reference (depth 1); two kinds of reasoning at most: why + mechanism + comparison counts as 2.
        ("為什麼使用多頭注意力機制，它如何工作，優勢是什麼？", 0, ("transformer-attention",), 2.0, Difficulty.MEDIUM),
    ],
)
def test_rule_cases(question: str, chars: int, topics: tuple[str, ...], points: float, expected: Difficulty) -> None:
    references = (ref(chars),) if chars else ()
    assert difficulty_points(references, topics, question) == pytest.approx(points)
    assert estimate_difficulty(references, topics, question) is expected


def test_no_reference_assumes_a_typical_answer() -> None:
    # 1 (typical depth) + 1 (RLHF) + 0.5 (asks about a process) = 2.5
    rm = "RLHF过程中RM随着训练过程得分越来越高, 效果就一定好吗? 有没有极端情况?"
    assert difficulty_points((), ("rlhf-alignment",), rm) == 2.5
    assert estimate_difficulty((), ("rlhf-alignment",), rm) is Difficulty.HARD
    assert estimate_difficulty((), ("llm-basics",), "什么是大模型？") is Difficulty.EASY


def test_depth_is_capped_so_long_study_notes_do_not_dominate() -> None:
    topics = ("tokenization-embeddings",)
    assert difficulty_points((ref(1200),), topics) == difficulty_points((ref(7000),), topics) == 3.0
    # The longest of several references counts.
    assert difficulty_points((ref(100), ref(800)), topics) == difficulty_points((ref(800),), topics) == 2.0


def test_latin_advanced_terms_match_whole_words_only() -> None:
    topics = ("llm-basics",)
    assert difficulty_points((ref(100),), topics, "What is RoPE?") == 1.25
    assert difficulty_points((ref(100),), topics, "What is a property of attention?") == 0.25
    assert difficulty_points((ref(100),), topics, "LoRA微调的局限性") == 1.75  # advanced + comparison cue


def test_rubric_key_points_do_not_change_difficulty() -> None:
    """Difficulty must not move when rubric extraction changes (it did: 18/21/27 after rubrics were filled in)."""
    full = Rubric(key_points=tuple(KeyPoint(f"要点{i}") for i in range(8)))
    question = "LLM是如何预训练的?"
    assert difficulty_points((ref(546, full),), ("pretraining-objectives",), question) == difficulty_points(
        (ref(546),), ("pretraining-objectives",), question
    )


def test_built_bank_spread_and_known_questions(built) -> None:
    """Golden spread of the 66 questions (after overrides); every level holds 20-45% of the bank."""
    counts = Counter(q.difficulty for q in built.bank)
    assert counts == {Difficulty.EASY: 22, Difficulty.MEDIUM: 27, Difficulty.HARD: 17}
    assert all(0.2 <= n / len(built.bank) <= 0.45 for n in counts.values())
    level = {q.text: q.difficulty for q in built.bank}
    assert level["RLHF完整训练过程是什么?"] is Difficulty.HARD
    assert level["大模型推理和训练占用的显存怎么计算?"] is Difficulty.HARD
    assert level["LoRA是什么? LoRA微调方法的局限性"] is Difficulty.HARD
    assert level["LLM中的因果语言建模CLM与屏蔽语言建模MLM有什么区别?"] is Difficulty.MEDIUM
    assert level["什么是旋转位置编码（ROPE）？"] is Difficulty.MEDIUM
    assert level["什么是NSP预训练任务"] is Difficulty.EASY
    assert level["Encoder-Decoder Attention 是 Self-Attention 吗？"] is Difficulty.EASY
    # The override in overrides.yaml still wins over the rule.
    assert built.bank.get("q-f5e224242b").difficulty is Difficulty.MEDIUM


def test_checked_in_bank_has_the_same_difficulties_as_a_build_without_rubrics(built) -> None:
    """``built`` extracts no rubrics; bank.json has full ones. The same levels show rubrics play no part."""
    checked_in = load_bank(PROJECT_ROOT / "question_bank" / "bank.json")
    assert {q.id: q.difficulty for q in checked_in} == {q.id: q.difficulty for q in built.bank}
