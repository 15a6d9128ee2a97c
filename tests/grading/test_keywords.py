"""Keyword rubric matching: aliases, scripts, languages, typos, word boundaries."""

from __future__ import annotations

import pytest

from quiz.grading.keywords import match_keyword, match_keywords
from quiz.grading.normalize import normalize
from quiz.models import Keyword


@pytest.mark.parametrize(
    ("keyword", "answer", "matched"),
    [
        (Keyword("Query"), "每个词先算出 query、key 和 value", True),
        (Keyword("Query"), "先算 Quarry 和 Key 的点积", True),  # typo
        (Keyword("Transformer"), "trasnformer 的核心是注意力", True),  # transposed letters
        (Keyword("自注意力机制"), "自注意力機制讓每個位置看到全部位置", True),  # traditional script
        (Keyword("自注意力", ("self-attention",)), "Self-Attention lets every token look at all others", True),
        (Keyword("self-attention", ("自注意力",)), "它用self attention计算", True),  # hyphen vs space
        (Keyword("位置编码", ("positional encoding",)), "we add a positional encoding to each token", True),
        (Keyword("RAG"), "数据存储 storage 很重要", False),  # no match inside a longer word
        (Keyword("RAG"), "RAG先检索再生成", True),
        (Keyword("奖励模型"), "训练一个打分模型", False),
        (Keyword("梯度消失"), "容易出现梯度消失的问题", True),
        (Keyword("人类反馈强化学习"), "基于人类反溃强化学习", True),  # one wrong character in an 8-character term
        (Keyword("自注意力"), "多头注意力把输入投影到多个子空间", False),  # 3 of 4 characters is another term
        (Keyword("LoRA"), "lora 只训练低秩矩阵", True),
        (Keyword("LoRA"), "Flora 是一种花", False),
        (Keyword("ＢＥＲＴ"), "bert 是编码器", True),  # full-width term
    ],
)
def test_match_keyword(keyword: Keyword, answer: str, matched: bool) -> None:
    found = match_keyword(keyword, normalize(answer))
    assert found.matched is matched
    assert (found.score > 0) is matched
    if matched:
        assert found.matched_text


def test_exact_matches_score_one_and_typos_less() -> None:
    exact = match_keyword(Keyword("Query"), normalize("query"))
    typo = match_keyword(Keyword("Query"), normalize("quarry"))
    assert exact.score == 1.0
    assert 0.7 <= typo.score < 1.0


def test_weighted_coverage_counts_required_terms_more() -> None:
    keywords = (Keyword("自注意力", required=True), Keyword("softmax"), Keyword("多头"))
    _, only_required = match_keywords(keywords, normalize("自注意力就是加权求和"))
    _, only_optional = match_keywords(keywords, normalize("先softmax"))
    assert only_required is not None and only_optional is not None
    assert only_required > only_optional


def test_english_answers_are_not_judged_on_chinese_only_terms() -> None:
    keywords = (Keyword("加权求和"), Keyword("softmax"))
    evidence, coverage = match_keywords(keywords, normalize("apply softmax to the scores"), answer_is_english=True)
    assert [e.term for e in evidence] == ["softmax"]
    assert coverage == 1.0


def test_no_judgeable_keywords_gives_none() -> None:
    evidence, coverage = match_keywords((Keyword("加权求和"),), normalize("weighted sum"), answer_is_english=True)
    assert evidence == () and coverage is None
