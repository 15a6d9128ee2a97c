"""Golden tests of the five source-format parsers, written from reading the files by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.bank.formats import detect_format, parse_markdown, read_source_text
from quiz.settings import PROJECT_ROOT

SOURCES = PROJECT_ROOT / "question_bank" / "sources"


def parse(name: str):
    text, notes = read_source_text(SOURCES / name)
    assert notes == ()
    return parse_markdown(text, name)


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("000_eacf6cba681218f2.txt", "qa_fenced", 6),
        ("001_172dd7619ae4346b.txt", "numbered_fence", 9),
        ("002_960aae5ed1c2f91c.txt", "bullet_q", 30),
        ("003_778db2d469dd41ce.txt", "heading_sections", 20),
        ("004_e41d677e71acf8a7.txt", "table", 11),
    ],
)
def test_each_source_parses_completely(name: str, fmt: str, count: int) -> None:
    detected, outcome = parse(name)
    assert detected == fmt
    assert len(outcome.items) == count
    assert outcome.skipped == 0 and outcome.problems == ()


def test_qa_fenced_golden() -> None:
    _, out = parse("000_eacf6cba681218f2.txt")
    first = out.items[0]
    assert first.question == "transformer模型中，Q、K、V究竟是指什么？能结合例子描述一下吗？"
    assert first.answer.startswith("在Transformer模型中，Q、K、V代表着Query、Key和Value")
    assert first.answer.endswith("从而更好地捕捉序列之间的依赖关系和语义信息。")
    assert (first.line_start, first.line_end) == (5, 30)
    assert out.items[4].question == "那么如果也不考虑训练时间（例如硬件足够强大），也不考虑内存需求（内存足够大）呢？"
    assert (out.items[5].line_start, out.items[5].line_end) == (134, 154)


def test_numbered_fence_golden_keeps_follow_up_exchange() -> None:
    _, out = parse("001_172dd7619ae4346b.txt")
    assert out.items[0].question == "每次向 GPT 提问，回答注意力的权重都是不一样的吗？"
    assert out.items[0].answer.startswith("不一样，GPT自注意力模型")  # the leading 答： is dropped
    seventh = out.items[6]
    assert seventh.question.startswith("当前gpt3.5的语义识别和bert哪个强")
    assert "问：比如企业中后台做一些运维操作" in seventh.answer
    assert seventh.answer.rstrip().endswith("而且这个baseline起点不低。")
    assert (seventh.line_start, seventh.line_end) == (38, 51)
    # The classroom analogies after the last question are not questions.
    assert not any("同学间互相传话" in item.question for item in out.items)


def test_bullet_q_golden_unanswered_and_nested_q_lines() -> None:
    _, out = parse("002_960aae5ed1c2f91c.txt")
    by_q = {item.question: item for item in out.items}
    assert "LLM是如何预训练的?" in by_q
    q14 = by_q["Wordpiece与BPE之间有什么区别?"]
    assert q14.answer.startswith("- WordPiece与BPE的最大区别在于")
    assert (q14.line_start, q14.line_end) == (347, 349)
    unanswered = [item.question for item in out.items if item.answer is None]
    assert unanswered == [
        "RLHF过程中RM随着训练过程得分越来越高, 效果就一定好吗? 有没有极端情况?",
        "解释P-tuning 的工作原理, 并说明它与传统的 fine-tuning方法的不同之处.",
    ]
    q20 = by_q["gguf文件都有哪些量化?"]
    assert "- Q2, Q3, Q4, Q5: 这些数字代表了量化的比特数" in q20.answer  # indented Q-lines stay in the answer
    assert (q20.line_start, q20.line_end) == (427, 453)
    assert "Word2Vec的原理是什么?" in by_q  # backticks stripped from the question
    assert "| **维度** | **Token** |" in by_q["解释LLM中Token, 词表, 语义空间的概念."].answer  # tables kept


def test_heading_sections_golden_table_of_contents_not_items() -> None:
    _, out = parse("003_778db2d469dd41ce.txt")
    questions = [item.question for item in out.items]
    assert "基本概念與理論" not in questions
    assert questions.count("什麼是大型語言模型（LLM）？它們與傳統語言模型有什麼區別？") == 1
    assert questions[0] == "什麼是大型語言模型（LLM）？它們與傳統語言模型有什麼區別？"
    assert (out.items[0].line_start, out.items[0].line_end) == (11, 32)
    assert out.items[5].question.startswith("什麼是掩碼語言建模（Masked Language Modeling, MLM）")
    assert (out.items[5].line_start, out.items[5].line_end) == (106, 116)  # runs up to the next heading
    assert questions[6] == "什麼是大型語言模型（LLM），為什麼它們能夠在自然語言處理中表現出色？"
    assert out.items[-1].answer.startswith("大型語言模型雖然能夠從預訓練數據中學習到大量的知識")
    assert any("list of 6 questions" in note for note in out.notes)


def test_table_golden_irregular_rows() -> None:
    _, out = parse("004_e41d677e71acf8a7.txt")
    assert out.items[0].question == "说一下 ChatGPT的优缺点"
    assert out.items[9].question == "为什么transformers需要位置编码？"  # "|10为什么..." with no space
    assert out.items[10].question == "如何缓解 LLMs 复读机问题？"
    assert (
        out.items[10].answer
        == "增加训练数据的多样性、清洗高质量无大量重复的数据、提高模型推理采样温度、训练数据随机引入噪声。"
    )
    assert "<br>" not in out.items[1].answer and "\n\n编码器部分由多个相同的层堆叠" in out.items[1].answer
    assert all(item.line_start == item.line_end == number + 3 for number, item in enumerate(out.items))


@pytest.mark.parametrize("name", sorted(p.name for p in SOURCES.iterdir()))
def test_format_detected_from_content_not_name(tmp_path: Path, name: str) -> None:
    original = (SOURCES / name).read_bytes()
    renamed = tmp_path / "my_questions_export.dat"
    renamed.write_bytes(original)
    text, _ = read_source_text(renamed)
    expected, _ = parse(name)
    detected, outcome = parse_markdown(text, renamed.name)
    assert detected == expected
    assert len(outcome.items) == len(parse(name)[1].items)


def test_unknown_format_is_a_problem_not_a_crash() -> None:
    assert detect_format(["just some prose", "without questions"]) is None
    fmt, outcome = parse_markdown("just some prose\n", "notes.md")
    assert fmt is None and outcome.items == ()
    assert outcome.problems[0].path == "notes.md"
