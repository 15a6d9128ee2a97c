"""Rubric extraction (quiz.bank.rubric): key points, keywords, aliases, caps, determinism.

Expected key points below were written by reading the reference texts, not copied from the output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.bank import load_bank
from quiz.bank.builder import default_rubric_fn
from quiz.bank.rubric import (
    MAX_KEY_POINTS,
    MAX_KEYWORDS,
    MAX_REQUIRED,
    alias_key,
    extract_rubric,
    load_aliases,
)
from quiz.errors import BankError
from quiz.models import KeyPoint, Rubric
from quiz.settings import PROJECT_ROOT

ALIASES_PATH = PROJECT_ROOT / "question_bank" / "aliases.yaml"
BANK_PATH = PROJECT_ROOT / "question_bank" / "bank.json"


@pytest.fixture(scope="module")
def aliases() -> dict[str, tuple[str, ...]]:
    return load_aliases(ALIASES_PATH)


@pytest.fixture(scope="module")
def bank():  # the checked-in bank holds the reference texts exactly as parsed from the sources
    return load_bank(BANK_PATH)


def reference(bank, question_id: str, source_prefix: str) -> tuple[str, str]:
    question = bank.get(question_id)
    ref = next(r for r in question.references if r.source.startswith(source_prefix))
    return ref.text, question.text


SYNTHETIC = """答：**自注意力机制（Self-Attention）** 是 Transformer 的核心，它让每个位置直接关注序列中的所有位置。

![Untitled](img.png)

- 计算步骤
    - 先把输入映射为 Query、Key 和 Value 三个向量。
    - 用 softmax 把点积分数归一化为注意力权重。
- 优点：可以并行计算，并且能捕捉长距离依赖。
    - 相比 RNN，训练速度更快。

```python
scores = q @ k.T
```

$$\\text{softmax}(QK^T/\\sqrt{d})V$$
"""


def test_synthetic_reference_key_points(aliases) -> None:
    rubric = extract_rubric(SYNTHETIC, "什么是自注意力？", aliases=aliases)
    assert rubric.key_points == (
        KeyPoint("自注意力机制（Self-Attention） 是 Transformer 的核心，它让每个位置直接关注序列中的所有位置。", 1.0),
        KeyPoint("计算步骤：先把输入映射为 Query、Key 和 Value 三个向量；用 softmax 把点积分数归一化为注意力权重", 1.0),
        KeyPoint("优点：可以并行计算，并且能捕捉长距离依赖；相比 RNN，训练速度更快", 1.0),
    )


def test_synthetic_reference_keywords(aliases) -> None:
    rubric = extract_rubric(SYNTHETIC, "什么是自注意力？", aliases=aliases)
    terms = {k.term for k in rubric.keywords}
    assert {"自注意力机制", "softmax", "注意力权重", "Transformer"} <= terms
    assert not terms & {"scores", "text", "Untitled", "img", "python"}  # code, LaTeX and images are not terms
    required = {k.term for k in rubric.keywords if k.required}
    assert "自注意力机制" in required and required <= {"自注意力机制", "Transformer"}
    attention = next(k for k in rubric.keywords if k.term == "自注意力机制")
    assert {"self-attention", "自注意力機制", "Self-Attention"} <= set(attention.aliases)
    assert attention.weight == max(k.weight for k in rubric.keywords) == 1.0


@pytest.mark.parametrize(
    ("question_id", "source", "expected"),
    [
        (  # 004, one table cell with <br> breaks: one point per paragraph
            "q-9ed09068b1",
            "004",
            (
                "温度系数是gpt类模型文本生成的一个采样超参数。它作用于最后一层的输出层，输出的逻辑词进行softmax之前，"
                "平均都除以温度系数，再进行指数计算。这样会改变原有的概率分布。",
                "温度系数越低，原来概率大的词会变得更大，概率小的只会变得更小。分布会更加陡峭。采样的多样性会低。",
                "相反温度系数高，分布会更平坦，采样多样性会更高",
            ),
        ),
        (  # 001, classroom transcript: "答：" and the remark about the teacher go, the answer "不算是" stays
            "q-97a87c78b6",
            "001",
            (
                "不算是。encoder-decoder attention从编码器中能关注到特定的位置，self-attention是模型内部的自注意力机制，"
                "可以关注到输入序列中的所有位置。",
            ),
        ),
        (  # 004, a single sentence of comma-separated measures
            "q-27a05df1bd",
            "004",
            ("增加训练数据的多样性、清洗高质量无大量重复的数据、提高模型推理采样温度、训练数据随机引入噪声。",),
        ),
    ],
)
def test_key_points_of_real_references(bank, aliases, question_id: str, source: str, expected: tuple[str, ...]) -> None:
    text, question = reference(bank, question_id, source)
    rubric = extract_rubric(text, question, aliases=aliases)
    assert tuple(k.text for k in rubric.key_points) == expected
    assert all(k.weight == 1.0 for k in rubric.key_points)


def test_bold_labelled_bullets_become_points_and_labels_do_not(bank, aliases) -> None:
    text, question = reference(bank, "q-2357db84d6", "003")  # Transformer architecture, traditional script
    points = [k.text for k in extract_rubric(text, question, aliases=aliases).key_points]
    for expected in (
        "計算效率：Transformer 可以並行處理序列中的每個元素，而不像 RNN 需要逐步處理。這大大提高了計算效率，特別是在處理長序列時。",
        "可擴展性：Transformer 的設計使得它可以輕鬆擴展到更深的網絡和更大的數據集，這是 LLM 所需的特性。",
        "位置編碼（Positional Encoding）：由於 Transformer 沒有循環結構，使用位置編碼來引入序列中的位置信息。",
    ):
        assert expected in points
    assert not any(p.startswith(("Transformer 模型架構", "為什麼 Transformer 是 LLM 的基礎")) for p in points)


def test_follow_up_question_in_a_transcript_is_not_a_key_point(bank, aliases) -> None:
    text, question = reference(bank, "q-98f7e746ec", "001")
    points = " ".join(k.text for k in extract_rubric(text, question, aliases=aliases).key_points)
    assert "企业中后台" not in points and "力大砖飞" not in points
    assert "就选Bert" in points and "就选GPT" in points


def test_sub_bullets_weigh_less_than_top_level_points(bank, aliases) -> None:
    text, question = reference(bank, "q-1e5a6a4c8e", "003")  # LLM vs traditional LMs: numbered items with sub-bullets
    rubric = extract_rubric(text, question, aliases=aliases)
    weights = {k.text.split("：")[0]: k.weight for k in rubric.key_points}
    assert weights["規模和參數量"] == 1.0
    sub = [k for k in rubric.key_points if k.text.startswith("傳統語言模型如 N-gram")]
    assert sub and 0.5 <= sub[0].weight <= 0.7


@pytest.mark.parametrize(
    ("question_id", "source", "required", "present", "absent"),
    [
        ("q-9ed09068b1", "004", {"温度系数"}, {"温度系数", "softmax", "概率分布"}, {"的", "模型", "gpt类"}),
        ("q-2357db84d6", "003", {"Transformer"}, {"編碼器", "解碼器", "位置編碼", "自注意力機制"}, {"架構", "計算效率"}),
        ("q-6ad2e368f4", "002", {"LoRA"}, {"LoRA", "低秩矩阵", "微调", "冻结"}, {"训练", "方法"}),
        ("q-426c93a160", "004", {"预训练"}, {"幻觉问题", "偏见", "强化学习"}, {"其次"}),
    ],
)
def test_keywords_of_real_references(
    bank, aliases, question_id: str, source: str, required: set[str], present: set[str], absent: set[str]
) -> None:
    text, question = reference(bank, question_id, source)
    keywords = extract_rubric(text, question, aliases=aliases).keywords
    terms = {k.term for k in keywords}
    assert present <= terms
    assert not absent & terms
    assert required <= {k.term for k in keywords if k.required}


@pytest.mark.parametrize(
    ("text", "term", "expected_aliases"),
    [
        ("**自注意力機制（Self-Attention）** 讓每個位置關注所有位置。", "自注意力機制", {"自注意力机制", "self-attention"}),
        ("模型的**幻觉**是指生成了虚假的信息。", "幻觉", {"幻覺", "hallucination"}),
        ("通过 **RLHF** 对齐模型，训练奖励模型打分。", "RLHF", {"人类反馈强化学习", "reinforcement learning from human feedback"}),
        ("预训练之后再做**微调**，让模型适应下游任务。", "微调", {"微調", "fine-tuning", "finetune"}),
        ("**位置编码**给每个位置一个向量，再加到词嵌入上。", "位置编码", {"位置編碼", "positional encoding", "position embedding"}),
    ],
)
def test_aliases_cross_scripts_and_languages(aliases, text: str, term: str, expected_aliases: set[str]) -> None:
    keywords = {k.term: k for k in extract_rubric(text, "题目", aliases=aliases).keywords}
    assert term in keywords
    assert expected_aliases <= set(keywords[term].aliases)
    assert term not in keywords[term].aliases


def test_script_counterpart_without_a_group_and_local_pairs() -> None:
    rubric = extract_rubric("**氣候變遷**會影響農業。梯度裁剪（Gradient Clipping）可以防止梯度爆炸。", "题目", aliases=None)
    keywords = {k.term: k for k in rubric.keywords}
    assert "气候变迁" in keywords["氣候變遷"].aliases  # OpenCC, no alias table at all
    clipping = next(k for k in rubric.keywords if "Gradient Clipping" in (k.term, *k.aliases))
    assert {clipping.term, *clipping.aliases} >= {"梯度裁剪", "Gradient Clipping"}


def test_question_terms_are_dropped_unless_central(aliases) -> None:
    text = "剪枝会去掉不重要的权重。剪枝也能减少显存，和量化一样。"
    without = {k.term for k in extract_rubric(text, "什么是量化？", aliases=aliases).keywords}
    assert "剪枝" in without and "量化" not in without  # named once, in passing, and in the question
    central = "**量化**把权重从FP32变为INT8。量化减少显存，量化也加快推理。"
    assert "量化" in {k.term for k in extract_rubric(central, "什么是量化？", aliases=aliases).keywords}


@pytest.mark.parametrize(
    "markdown",
    ["", "   \n\n", "```python\nprint(1)\n```", "![Untitled](LLM/Untitled.png)", "$$x^2 + y^2$$", "---\n|---|---|", "答："],
)
def test_empty_or_markup_only_reference_gives_an_empty_rubric(aliases, markdown: str) -> None:
    assert extract_rubric(markdown, "题目", aliases=aliases) == Rubric()


def test_caps_and_ranges_over_the_whole_bank(bank, aliases) -> None:
    count = 0
    for question in bank:
        for ref in question.references:
            rubric = extract_rubric(ref.text, question.text, aliases=aliases)
            count += 1
            assert 1 <= len(rubric.key_points) <= MAX_KEY_POINTS
            assert 1 <= len(rubric.keywords) <= MAX_KEYWORDS
            assert sum(k.required for k in rubric.keywords) <= MAX_REQUIRED
            assert all(8 <= len(k.text) <= 170 and 0 < k.weight <= 1 for k in rubric.key_points)
            assert all(0 < k.weight <= 1 for k in rubric.keywords)
            assert len({alias_key(k.term) for k in rubric.keywords}) == len(rubric.keywords)  # no duplicates
            assert not any("```" in k.text or "![" in k.text or "http" in k.text for k in rubric.key_points)
    assert count >= 70


def test_extraction_is_deterministic(bank, aliases) -> None:
    refs = [(r.text, q.text) for q in bank for r in q.references]
    first = [extract_rubric(t, q, aliases=aliases) for t, q in refs]
    again = [extract_rubric(t, q, aliases=dict(aliases)) for t, q in reversed(refs)]
    assert first == list(reversed(again))


def test_alias_table_is_large_and_consistent(aliases) -> None:
    groups = set(aliases.values())
    assert len(groups) >= 80
    for key, members in aliases.items():
        assert key in {alias_key(m) for m in members}
    for expected in (["自注意力", "self-attention", "自注意力機制"], ["大语言模型", "LLM", "大型語言模型"], ["检索增强生成", "RAG"]):
        assert len({aliases[alias_key(t)] for t in expected}) == 1


def test_load_aliases_reports_bad_files(tmp_path: Path) -> None:
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text("groups:\n  - [微调, fine-tuning]\n  - [精调, Fine Tuning]\n", encoding="utf-8")
    with pytest.raises(BankError, match="already in group"):
        load_aliases(duplicate)
    broken = tmp_path / "broken.yaml"
    broken.write_text("groups: [unclosed\n", encoding="utf-8")
    with pytest.raises(BankError, match="not valid YAML"):
        load_aliases(broken)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("- [a, b]\n", encoding="utf-8")
    with pytest.raises(BankError, match="groups"):
        load_aliases(wrong)
    with pytest.raises(BankError, match="cannot be read"):
        load_aliases(tmp_path / "missing.yaml")


def test_default_rubric_fn_uses_the_alias_table(tmp_path: Path) -> None:
    rubric = default_rubric_fn()("模型的**幻觉**是指生成了虚假的信息。", "题目")
    assert "hallucination" in rubric.keywords[0].aliases
    custom = tmp_path / "aliases.yaml"
    custom.write_text("groups:\n  - [幻觉, 胡说八道]\n", encoding="utf-8")
    rubric = default_rubric_fn(custom)("模型的**幻觉**是指生成了虚假的信息。", "题目")
    assert "胡说八道" in rubric.keywords[0].aliases and "hallucination" not in rubric.keywords[0].aliases
    with pytest.raises(BankError):
        default_rubric_fn(tmp_path / "missing.yaml")
