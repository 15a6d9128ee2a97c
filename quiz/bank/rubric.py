"""Rubric extraction: the key points and keywords a reference answer expects.

Functions:
    extract_rubric(answer_markdown, question_text, *, aliases=None) -> Rubric
        key points from the reference's bullets, numbered items, table rows and sentences; keywords
        from bold terms, English technical terms and jieba-segmented Chinese terms, with aliases
    load_aliases(path) -> dict[str, tuple[str, ...]]
        the synonym table (``question_bank/aliases.yaml``): alias key -> every member of its group
    alias_key(term) -> str
        the form under which terms are compared (simplified, case-folded, no spaces or hyphens)

Constants:
    MAX_KEY_POINTS, MAX_KEYWORDS, MAX_REQUIRED, KEY_POINT_MAX_CHARS

Extraction is pure and deterministic: the same markdown, question and alias table always give the
same rubric. Key points keep the reference's own script (the grader normalises); keyword aliases add
the other script (OpenCC) and the other members of the keyword's synonym group.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quiz.errors import BankError
from quiz.grading.normalize import split_sentences, strip_markdown, to_simplified
from quiz.models import KeyPoint, Keyword, Rubric

__all__ = [
    "KEY_POINT_MAX_CHARS",
    "MAX_KEYWORDS",
    "MAX_KEY_POINTS",
    "MAX_REQUIRED",
    "alias_key",
    "extract_rubric",
    "load_aliases",
]

MAX_KEY_POINTS = 8
MAX_KEYWORDS = 10
MAX_REQUIRED = 3
KEY_POINT_MAX_CHARS = 120
KEY_POINT_MIN_CHARS = 8
# A sentence piece shorter than this is not an idea on its own; it is joined to its neighbour.
_MIN_PIECE = 20
# Prose paragraphs are split into sentence-sized points once a point has this many characters.
_PROSE_SOFT = 40

# Sub-bullets matter, but less than the point they elaborate.
_DEPTH_WEIGHTS = (1.0, 0.6, 0.5)

# Terms of the domain that jieba's general dictionary would cut apart (预训练 -> 预 / 训练); the CJK
# members of the alias table are added too.
DOMAIN_TERMS = (
    "自注意力", "自注意力机制", "注意力机制", "多头注意力", "交叉注意力", "跨注意力", "位置编码", "旋转位置编码",
    "预训练", "微调", "监督微调", "指令微调", "幻觉", "量化", "词嵌入", "词向量", "词表", "语义空间",
    "奖励模型", "强化学习", "人类反馈", "编码器", "解码器", "前馈神经网络", "残差连接", "层归一化",
    "掩码", "掩码语言模型", "因果语言模型", "自回归", "下一句预测", "大语言模型", "大模型", "语言模型",
    "检索增强生成", "知识图谱", "向量数据库", "温度系数", "概率分布", "注意力权重", "上下文窗口",
    "长距离依赖", "梯度消失", "梯度检查点", "混合精度", "半精度", "显存", "涌现", "缩放定律",
    "低秩矩阵", "低秩自适应", "零样本", "少样本", "软提示", "硬提示", "提示词", "分词器", "子词",
    "未登录词", "余弦相似度", "复读机", "外推性", "参数量", "计算资源", "线性变换", "全连接层",
    "多模态", "跨语言", "生成式", "判别器", "生成器", "对抗训练", "知识蒸馏", "优势函数", "评论家模型",
)

# Words too general in this domain to be worth a keyword on their own (simplified script).
GENERIC_TERMS = frozenset(
    """
    模型 语言 方法 方式 问题 任务 数据 信息 能力 过程 时候 情况 部分 作用 目标 结果 效果 特点 优点 缺点
    例子 因素 方面 领域 场景 应用 系统 技术 概念 原理 输入 输出 内容 文本 单词 词语 句子 表示 计算 性能
    资源 时间 大小 阶段 步骤 基础 核心 关键 一种 老师 同学 答案 回答 区别 关系 方向 程度 形式 结构 特定
    用户 东西 意思 定义 原因 作者 基本 主要 常见 需求 要求 质量 成本 速度 规律 知识 机制 架构 工作 类型
    单元 功能 问答 样本 思想 层次 中文 英文 语料 模式 关联 情感 事实 对象 个数 数量 长度 维度 环境 设备
    训练 生成 全部 利用 大量 实际 传统 目的 专门 比例 预测 人类 理论 机器 学术 意味着 人工 评估 错误 下一个 办法 策略 选项 例如 比如 可能 部署 前后 左右 来说 而言 文章 书籍 网站 网页 互联网 任何 代码
    """.split()
)

_ENGLISH_STOP = frozenset(
    """
    a an and are as at be by can for from has have i if in is it its of on or that the then this to
    we with you your not all one which our their these those they he she was were will would should
    e.g i.e etc vs via per also each other more most such only than so do does use used using
    example summary untitled note step input output class text love cats apples movie great
    """.split()
)

_FLUFF = re.compile(r"老师|今晚|课上|课堂|没太听懂|大家指正|我讲讲|收音机|你问\w{0,8}相同问题")
_INTERJECTION = re.compile(r"^(?:嗯|哦|啊|好的|是的|是这样的)[，,、。\s]*")
_ANSWER_PREFIX = re.compile(r"^\s*(?:答|A|Answer)\s*[:：]\s*", re.IGNORECASE)
_QUESTION_PREFIX = re.compile(r"^\s*(?:问|Q|Question)\s*[:：]", re.IGNORECASE)
_EXAMPLE = re.compile(r"例如|比如|举个例子|举例|舉例|假设|假設|以\S{1,8}为例|以\S{1,8}為例|e\.g\.|for example", re.IGNORECASE)
_DEFINITION = re.compile(r"是指|指的是|是一种|是一種|是一個|是一个|定义|定義|\bis an?\b|\brefers to\b", re.IGNORECASE)
_DEPENDENT = re.compile(r"^(?:这|這|此|因此|从而|從而)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d{1,2}[.)、])\s+(.*)$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_CITATION = re.compile(r"^\s*(?:[-*]\s*)?(?:引用|参考|參考|参考资料|来源|來源|references?|source)\s*[:：]?\s*$", re.IGNORECASE)
_MATH = re.compile(r"\$\$?[^$]*\$\$?|\\\(.*?\\\)|\\\[.*?\\\]")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+|[_^]\{[^}]*\}")
_BOLD_ONLY = re.compile(r"^\s*\*\*([^*]+)\*\*\s*[:：]?\s*$")
_LEADING_NUMBER = re.compile(r"^\d{1,2}(?:[.、)]\s*|\s+)(?=\D)")
_SENTENCE_PUNCT = re.compile(r"[。！？；;!?，,]|[.](?=\s|$)")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORDISH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]")


# ---------------------------------------------------------------------------------------------- aliases


def alias_key(term: str) -> str:
    """Comparison form of a term: NFKC, traditional -> simplified, case-folded, no spaces/hyphens/underscores."""
    out = to_simplified(unicodedata.normalize("NFKC", term)).casefold()
    return re.sub(r"[\s\-_·/]+", "", out)


def load_aliases(path: str | Path) -> dict[str, tuple[str, ...]]:
    """Read the synonym table: every member's ``alias_key`` -> all members of its group, as written.

    Raises:
        BankError: the file is missing, not YAML, not ``groups: [[...], ...]``, or a member is in two groups.
    """
    import yaml

    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise BankError(f"aliases {file}: cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise BankError(f"aliases {file} is not valid YAML: {exc}") from None
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise BankError(f"aliases {file}: expected a mapping with a 'groups' list")
    table: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    for number, group in enumerate(groups, start=1):
        if not isinstance(group, list) or not group:
            problems.append(f"group {number} must be a non-empty list of terms, got {group!r}")
            continue
        members = tuple(dict.fromkeys(str(m).strip() for m in group if str(m).strip()))
        keys: dict[str, None] = {}
        for member in members:
            key = alias_key(member)
            if key in table:
                problems.append(f"group {number}: {member!r} is already in group {table[key]!r}")
            keys[key] = None
        for key in keys:
            table.setdefault(key, members)
    if problems:  # report every problem at once, like the source parsers
        raise BankError(f"aliases {file}: " + "; ".join(problems))
    return table


@functools.lru_cache(maxsize=1)
def _s2t():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2t")


@functools.lru_cache(maxsize=4096)
def _to_traditional(text: str) -> str:
    if not _CJK.search(text):
        return text
    return _s2t().convert(text)


# ---------------------------------------------------------------------------------------------- jieba


@functools.lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table, read directly: importing jieba.analyse leaks an open file (ResourceWarning)."""
    import jieba

    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


@functools.lru_cache(maxsize=4)
def _segmenter(user_terms: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A private jieba POS tokenizer with the domain terms added (the global jieba.dt is left alone)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr
    tokenizer = jieba.Tokenizer()
    for term in user_terms:
        tokenizer.add_word(term, freq=max(2000, 500 * len(term)), tag="nz")
    return jieba.posseg.POSTokenizer(tokenizer)


def _user_terms(table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    terms: dict[str, None] = dict.fromkeys(DOMAIN_TERMS)
    for members in table.values():
        for member in members:
            simple = to_simplified(member)
            if _CJK.search(simple) and len(simple) >= 2 and not re.search(r"[\s\-A-Za-z]", simple):
                terms[simple] = None
    return tuple(sorted(terms))


# ---------------------------------------------------------------------------------------------- structure


@dataclass
class _Node:
    raw: str
    indent: int
    kind: str  # bullet | line | heading | row
    children: list[_Node] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    text: str
    weight: float
    section: int
    order: int
    example: bool = False  # inside a paragraph that opens as an example ("以机器翻译为例")


def _clean_lines(markdown: str) -> list[str]:
    """Source lines without code blocks, images, LaTeX-only lines, table rules and follow-up questions."""
    text = re.sub(r"<br\s*/?>", "\n", markdown, flags=re.IGNORECASE).replace("\t", "    ")
    lines: list[str] = []
    in_fence = False
    in_question = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or _TABLE_RULE.match(line):
            continue
        # A classroom transcript may carry a follow-up question ("问：...") before the next "答：".
        if _QUESTION_PREFIX.match(line):
            in_question = True
            continue
        if _ANSWER_PREFIX.match(line):
            in_question = False
            line = _ANSWER_PREFIX.sub("", line)
        elif in_question:
            continue
        line = _URL.sub("", _IMAGE.sub("", line)).replace("\\_", "_")
        if _CITATION.match(line):
            continue
        if not line.strip():
            lines.append("")
            continue
        without_math = _LATEX_COMMAND.sub("", _MATH.sub("", line))
        if len(_WORDISH.findall(without_math)) < 3:
            continue
        lines.append(line.rstrip())
    return lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _parse_tree(lines: list[str]) -> list[_Node]:
    """Nest bullets and indented lines under the item above them; headings own what follows."""
    root = _Node("", -2, "root")
    stack: list[_Node] = [root]
    header_pending = False
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        if line.lstrip().startswith("|"):
            next_line = lines[number + 1] if number + 1 < len(lines) else ""
            if header_pending:
                header_pending = False
            node = _Node(line.strip(), _indent(line), "row")
            # The header row of a table is followed by its rule, which _clean_lines removed; a row whose
            # cells are all bold or short labels and that starts the table is taken as the header.
            previous = lines[number - 1] if number > 0 else ""
            if not previous.lstrip().startswith("|") and next_line.lstrip().startswith("|"):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if all(len(strip_markdown(c).strip()) <= 8 for c in cells):
                    continue
        elif match := _HEADING.match(line):
            node = _Node(match.group(1), -1, "heading")
        elif match := _BULLET.match(line):
            node = _Node(match.group(2), len(match.group(1)), "bullet")
        elif _indent(line) == 0 and _BOLD_ONLY.match(line):
            node = _Node(line.strip(), -1, "heading")
        else:
            node = _Node(line.strip(), _indent(line), "line")
            last = stack[-1]
            # A sentence broken across a blank line in the source ("...中的一" / "個核心組件...") is rejoined.
            if (
                last.kind in {"bullet", "line"}
                and len(last.raw) > 20
                and _CJK.match(last.raw[-1])
                and _CJK.match(node.raw[:1])
                and node.indent <= max(last.indent, 0) + 2
            ):
                last.raw += node.raw
                continue
        while stack[-1].indent >= node.indent and len(stack) > 1:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return root.children


def _plain(node: _Node) -> str:
    if node.kind == "row":
        cells = [strip_markdown(c).strip() for c in node.raw.strip().strip("|").split("|")]
        cells = [c for c in cells if c]
        if not cells:
            return ""
        return cells[0] if len(cells) == 1 else f"{cells[0]}：{'；'.join(cells[1:])}"
    text = strip_markdown(_protect_math(node.raw)).replace("\x00", "_").strip()
    text = _LEADING_NUMBER.sub("", text)
    text = _INTERJECTION.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


_LATEX_SYMBOLS = {"\\times": "×", "\\cdot": "·", "\\Delta": "Δ", "\\approx": "≈", "\\leq": "≤", "\\geq": "≥"}


def _protect_math(raw: str) -> str:
    """Readable inline maths: "$d_{model} \\times T$" -> "d_model × T" (underscores kept from emphasis stripping)."""

    def clean(match: re.Match[str]) -> str:
        inner = match.group(0).strip("$")
        inner = re.sub(r"^\\[(\[]|\\[)\]]$", "", inner)
        for command, symbol in _LATEX_SYMBOLS.items():
            inner = inner.replace(command, symbol)
        inner = re.sub(r"\\(?:mathbf|mathrm|text|mathit|hat|bar|vec)\{([^{}]*)\}", r"\1", inner)
        inner = re.sub(r"\\[A-Za-z]+|\\[()\[\]{}]", "", inner)
        return re.sub(r"\{([^{}]*)\}", r"\1", inner)

    out = _MATH.sub(clean, raw)
    out = re.sub(r"_\{(\w+)\}", "\x00\\1", out)
    return re.sub(r"(?<=\w)_(?=\w)", "\x00", out)


def _is_label(node: _Node, plain: str) -> bool:
    """A heading or label ("训练过程:", "**定义：**", "目标") that introduces content rather than stating it."""
    if node.kind == "heading" or _BOLD_ONLY.match(node.raw):
        return True
    if node.kind == "row":
        return False
    stripped = plain.rstrip(" :：")
    if plain.endswith((":", "：")) and len(plain) <= 40:
        return True
    bare = re.sub(r"[（(][^）)]*[）)]", "", stripped)  # "微调(SFT, Supervised Fine-Tuning)" is still a title
    if not _SENTENCE_PUNCT.search(bare) and len(stripped) <= 40 and (node.children or len(stripped) <= 6):
        return True
    return False


def _pieces(text: str) -> list[str]:
    """Sentences of a text, very long ones cut at commas, fluff sentences dropped."""
    out: list[str] = []
    for sentence in split_sentences(text):
        if _FLUFF.search(sentence):
            # Drop only the classroom clause ("这个今晚彭老师着重讲过"), keep the answer around it ("不算是").
            clauses = [c for c in re.split(r"(?<=[，,])", sentence) if not _FLUFF.search(c)]
            sentence = "".join(clauses).strip(" ，,")
            if len(sentence) < 2:
                continue
        if len(sentence) <= KEY_POINT_MAX_CHARS + 10:
            out.append(sentence)
            continue
        current = ""
        for part in re.split(r"(?<=[，,、：:])", sentence):
            if current and len(current) + len(part) > KEY_POINT_MAX_CHARS:
                out.append(current.strip())
                current = ""
            current += part
        if current.strip():
            out.append(current.strip())
    return out


def _pack(pieces: list[str], soft: int) -> list[str]:
    """Join sentence pieces into points: a new point starts once the current one has ``soft`` characters."""
    chunks: list[str] = []
    for piece in pieces:
        if chunks and (
            len(chunks[-1]) < soft
            and len(chunks[-1]) + len(piece) <= KEY_POINT_MAX_CHARS
            or len(piece) < _MIN_PIECE
            and len(chunks[-1]) + len(piece) <= KEY_POINT_MAX_CHARS + 30
            or _DEPENDENT.match(piece)
            and len(chunks[-1]) + len(piece) <= KEY_POINT_MAX_CHARS + 30
        ):
            chunks[-1] = _join(chunks[-1], piece)
        else:
            chunks.append(piece)
    if len(chunks) > 1 and len(chunks[0]) < _MIN_PIECE:
        chunks[1] = _join(chunks[0], chunks[1])
        del chunks[0]
    return chunks


def _join(left: str, right: str) -> str:
    if not left:
        return right
    if re.search(r"[。！？；，、：]$", left):
        glue = ""
    elif re.search(r"[;!?.,:]$", left):
        glue = " "
    else:
        glue = "。" if _CJK.search(left[-1:]) else ". "
    return f"{left}{glue}{right}"


def _candidates(nodes: list[_Node]) -> list[_Candidate]:
    out: list[_Candidate] = []
    order = 0

    def emit(texts: Iterable[str], depth: int, section: int, example: bool = False) -> None:
        nonlocal order
        weight = _DEPTH_WEIGHTS[min(depth, len(_DEPTH_WEIGHTS) - 1)]
        for text in texts:
            text = text.strip(" \t-*•:：,，")
            if len(text) >= KEY_POINT_MIN_CHARS:
                out.append(_Candidate(text, weight, section, order, example))
                order += 1

    def leaf_texts(children: list[_Node], longest: int = 40) -> list[str] | None:
        """Plain texts of short, childless children (which read best as one point), else None."""
        texts = [_plain(c) for c in children]
        if any(c.children for c in children) or any(len(t) > longest for t in texts):
            return None
        return [t.rstrip("。.;；") for t in texts if t and not _FLUFF.search(t)]

    def visit(node: _Node, depth: int, section: int) -> None:
        plain = _plain(node)
        if not plain and not node.children:
            return
        if _is_label(node, plain):
            label = plain.rstrip(" :：")
            # A titled step with a few explaining lines ("1 预训练" + two bullets) is one idea.
            short = leaf_texts(node.children, KEY_POINT_MAX_CHARS) if node.children else None
            combined = f"{label}：{'；'.join(short)}" if short else ""
            if short and len(combined) <= KEY_POINT_MAX_CHARS + 40:
                emit([combined], depth, section)
                return
            for child in node.children:
                visit(child, depth, section)
            return
        prose = node.kind == "line" and node.indent == 0 and depth == 0
        pieces = _pieces(plain)
        intro = plain.endswith((":", "：")) and len(pieces) > 1
        if intro:
            pieces = pieces[:-1]  # "...常用的指标包括：" only introduces what follows
        whole = len(plain) <= KEY_POINT_MAX_CHARS and not _FLUFF.search(plain) and not intro
        if whole and not (prose and len(plain) > _PROSE_SOFT):
            texts = [plain]
        else:
            texts = _pack(pieces, _PROSE_SOFT if prose else KEY_POINT_MAX_CHARS)
        example = bool(_EXAMPLE.search(plain[:16]))
        short = leaf_texts(node.children) if node.children else None
        if short and texts and len(texts[-1]) + sum(len(s) for s in short) <= KEY_POINT_MAX_CHARS:
            texts[-1] = texts[-1].rstrip("。.;；") + "；" + "；".join(short)
            emit(texts, depth, section, example)
            return
        emit(texts, depth, section, example)
        for child in node.children:
            visit(child, depth + 1, section)

    for section, node in enumerate(nodes):
        visit(node, 0, section)
    return out


def _substance(candidate: _Candidate, terms: list[str], first: bool) -> float:
    text = candidate.text
    score = candidate.weight * min(1.0, len(text) / 60) ** 0.5
    if candidate.example or _EXAMPLE.search(text):
        score *= 0.55
    digits = sum(ch.isdigit() for ch in text)
    if digits / max(1, len(text)) > 0.08:
        score *= 0.5
    if "?" in text or "？" in text:
        score *= 0.7
    simple = to_simplified(text).casefold()
    hits = sum(1 for t in terms if t and t in simple)
    score *= 1 + 0.08 * min(hits, 3)
    if _DEFINITION.search(text[:40]):
        score *= 1.25  # a definition is what an interviewer checks first
    if first:
        score *= 1.15  # references usually open with the definition or the direct answer
    return score


def _select_key_points(candidates: list[_Candidate], terms: list[str]) -> tuple[KeyPoint, ...]:
    unique: list[_Candidate] = []
    seen: set[str] = set()
    for cand in candidates:
        key = re.sub(r"\W+", "", to_simplified(cand.text).casefold())
        if key in seen or any(key in other for other in seen if len(key) > 12):
            continue
        seen.add(key)
        unique.append(cand)
    scores = {c.order: _substance(c, terms, i == 0) for i, c in enumerate(unique)}
    chosen: list[_Candidate] = []
    per_section: dict[int, int] = {}
    pool = list(unique)
    while pool and len(chosen) < MAX_KEY_POINTS:
        # Greedy with a diversity discount, so one long section does not crowd out the others.
        best = max(pool, key=lambda c: (scores[c.order] * 0.8 ** per_section.get(c.section, 0), -c.order))
        chosen.append(best)
        per_section[best.section] = per_section.get(best.section, 0) + 1
        pool.remove(best)
    chosen.sort(key=lambda c: c.order)
    return tuple(KeyPoint(text=c.text, weight=c.weight) for c in chosen)


# ---------------------------------------------------------------------------------------------- keywords


@dataclass
class _Term:
    key: str  # alias_key of the group's representative
    forms: dict[str, int] = field(default_factory=dict)  # surface form -> occurrences
    members: tuple[str, ...] = ()  # alias-table group, if any
    partners: list[str] = field(default_factory=list)  # local aliases from "中文（English）"
    count: int = 0
    first: int = 10**9
    bold: bool = False
    english: bool = False
    idf: float = 0.0


_EN_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.+][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_PAREN = re.compile(r"([A-Za-z][A-Za-z0-9\- ]{0,30}[A-Za-z0-9]|[\u4e00-\u9fff]{1,20})\s*[（(]([^（）()]{1,60})[）)]")
_BOLD = re.compile(r"\*\*([^*\n]{1,40}?)\*\*")
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|「[^」\n]*」|\[[^\]\n]*\]")


def _keyword_text(markdown: str) -> str:
    """Reference text for keyword search: markdown stripped, examples in quotes and lists removed."""
    lines = [ln for ln in _clean_lines(markdown) if ln.strip()]
    text = "\n".join(lines)
    # Quoted English strings and [...] lists are example inputs ("I love cats"), not terms.
    text = _QUOTED.sub(lambda m: m.group(0) if _CJK.search(m.group(0)) and "[" not in m.group(0)[:1] else " ", text)
    text = _MATH.sub(" ", text)
    return strip_markdown(text)


def _english_terms(text: str, table: Mapping[str, tuple[str, ...]]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for match in _EN_TOKEN.finditer(text):
        token = match.group(0).rstrip(".")
        low = token.casefold()
        if low in _ENGLISH_STOP or len(token) < 2:
            continue
        if sum(ch.isdigit() for ch in token) * 2 > len(token):
            continue
        uppers = sum(ch.isupper() for ch in token)
        if alias_key(token) in table or uppers >= 2:
            found.append((token, match.start()))
    return found


def _cjk_head(run: str, segmenter: Any) -> str:
    """The noun phrase at the end of a Chinese run ("它们是在自注意力机制" -> "自注意力机制")."""
    words = list(segmenter.cut(to_simplified(run), HMM=False))
    taken: list[str] = []
    length = 0
    for word in reversed(words):
        # The head is a suffix of the run, so stop at the first function word ("的", "是", "在", ...).
        if word.flag[:1] in {"u", "p", "c", "d", "r", "m", "q", "f", "x"} or word.flag in {"vshi", "vyou"}:
            break
        if length + len(word.word) > 10:
            break
        taken.insert(0, word.word)
        length += len(word.word)
    head = "".join(taken)
    return run[len(run) - len(head) :] if head and len(run) >= len(head) else head


def _paren_pairs(text: str, segmenter: Any) -> list[tuple[str, list[str], int]]:
    """("中文", ["English", "ACR"], position) from "中文（English, ACR）" and "ACR (Spelled Out)"."""
    pairs: list[tuple[str, list[str], int]] = []
    for match in _PAREN.finditer(text):
        outside, inside = match.group(1).strip(), match.group(2).strip(" `")
        if re.match(r"^(?:如|例如|比如|即|可以|也|或|包括|e\.g|i\.e|such)", inside, re.IGNORECASE):
            continue
        parts = [p.strip(" `") for p in re.split(r"[,，、/]", inside) if p.strip(" `")]
        if _CJK.match(outside):
            head = _cjk_head(outside, segmenter)
            if len(head) < 2 or not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9\- ]{0,60}", p) for p in parts):
                continue
            if any(len(p.split()) > 6 for p in parts):
                continue
            pairs.append((head, parts, match.start(1) + len(outside) - len(head)))
        else:
            words = outside.split()
            acronym = words[-1] if words else ""
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]*", acronym) or sum(ch.isupper() for ch in acronym) < 2:
                continue
            spelled = [p for p in parts if re.fullmatch(r"[A-Za-z][A-Za-z0-9\- ]{3,60}", p) and len(p.split()) <= 6]
            if spelled:
                pairs.append((acronym, spelled, match.start(1) + len(outside) - len(acronym)))
    return pairs


def _extract_keywords(
    markdown: str, question_text: str, table: Mapping[str, tuple[str, ...]], first_sentence: str
) -> tuple[Keyword, ...]:
    text = _keyword_text(markdown)
    if not text.strip():
        return ()
    segmenter = _segmenter(_user_terms(table))
    idf, median_idf = _idf()
    simple = to_simplified(text)
    terms: dict[str, _Term] = {}
    key_of: dict[str, str] = {}  # alias_key of any form -> key of its _Term

    def group_key(form: str) -> str:
        key = alias_key(form)
        members = table.get(key)
        if members:  # the hand-written table wins over pairs guessed from the text
            return alias_key(members[0])
        return key_of.get(key, key)

    def add(
        form: str, position: int, *, bold: bool = False, partners: Iterable[str] = (), key: str | None = None
    ) -> None:
        form = form.strip(" `'\"：:，,。.()（）")
        if len(form) < 2 or len(form) > 40:
            return
        key = key or group_key(form)
        term = terms.get(key)
        if term is None:
            members = table.get(alias_key(form), ())
            term = terms[key] = _Term(key=key, members=table.get(key, members))
            for member in members:
                key_of[alias_key(member)] = key
        key_of[alias_key(form)] = key
        term.forms[form] = term.forms.get(form, 0) + 1
        term.first = min(term.first, position)
        term.bold = term.bold or bold
        term.english = term.english or not _CJK.search(form)
        for partner in partners:
            if alias_key(partner) != alias_key(form) and partner not in term.partners:
                term.partners.append(partner)
                key_of.setdefault(alias_key(partner), key)

    # 1. "中文（English）" pairs: the reference's own aliases.
    for head, parts, position in _paren_pairs(text, segmenter):
        forms = [head, *parts]
        known = [group_key(f) for f in forms if alias_key(f) in table]
        if len(set(known)) > 1:
            continue  # the pair joins two different table groups: trust the table, not the guess
        key = known[0] if known else group_key(head)
        for form in forms:
            add(form, position, partners=[f for f in forms if f != form], key=key)
    # 2. Bold terms (short ones; long bold spans are labels or sentences).
    for match in _BOLD.finditer(markdown):
        raw_inner = strip_markdown(match.group(1)).strip(" ：:")
        inner = re.sub(r"[（(][^）)]*[）)]", "", raw_inner).strip()
        # "**訓練方法**：..." is a label; a labelled term counts only when it is a known or glossed term.
        is_label = bool(re.match(r"\s*[:：]", markdown[match.end() :])) or match.group(1).rstrip().endswith(("：", ":"))
        if is_label and alias_key(inner) not in table and inner == raw_inner:
            continue
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        line_end = markdown.find("\n", match.end())
        whole_line = markdown[line_start : line_end if line_end >= 0 else len(markdown)].strip(" -*：:")
        if (whole_line == match.group(1).strip(" ：:") or "的" in inner) and alias_key(inner) not in table:
            continue  # a bold heading or phrase, not a term
        if 2 <= len(inner) <= 12 and not _SENTENCE_PUNCT.search(inner) and alias_key(inner) not in GENERIC_TERMS:
            position = simple.find(to_simplified(inner))
            add(inner, position if position >= 0 else len(simple), bold=True)
    # 3. English technical terms and acronyms.
    for token, position in _english_terms(text, table):
        add(token, position)
    # 4. Alias-table members written in the text (multi-word English, Chinese compounds).
    for key, members in table.items():
        for member in members:
            if alias_key(member) != key or len(alias_key(member)) < 2:
                continue
            if _CJK.search(member):
                position = simple.find(to_simplified(member))
                if position >= 0:
                    add(text[position : position + len(member)] if len(text) == len(simple) else member, position)
            elif " " in member or "-" in member:
                pattern = r"(?<![A-Za-z0-9])" + r"[\s\-]*".join(map(re.escape, re.split(r"[\s\-]+", member))) + r"(?![A-Za-z0-9])"
                found = re.search(pattern, text, re.IGNORECASE)
                if found:
                    add(found.group(0), found.start())
    # 5. jieba nouns (TF-IDF below).
    position = 0
    # HMM off: guessed "new words" across a traditional-to-simplified text are mostly wrong cuts (中词, 将词).
    for word in segmenter.cut(simple, HMM=False):
        w, flag = word.word, word.flag
        if (
            flag in {"n", "nz", "vn", "nt", "nrt"}
            and len(w) >= 2
            and _CJK.search(w)
            and w not in GENERIC_TERMS
            and not _FLUFF.search(w)
            and not re.match(r"[每各该此这那其]", w)
        ):
            original = text[position : position + len(w)] if len(text) == len(simple) else w
            add(original, position)
        position += len(w)

    # Count occurrences, longest forms first, so "注意力" inside "自注意力机制" is not counted twice.
    forms = sorted(
        ((to_simplified(f), k) for k, t in terms.items() for f in [*t.forms, *t.members, *t.partners]),
        key=lambda fk: (-len(fk[0]), fk[0]),
    )
    covered = [False] * len(simple)
    for form, key in forms:
        if len(alias_key(form)) < 2:
            continue
        if _CJK.search(form):
            pattern = re.escape(form)
        else:
            pattern = r"(?<![A-Za-z0-9])" + r"[\s\-]*".join(map(re.escape, re.split(r"[\s\-]+", form))) + r"(?![A-Za-z0-9])"
        for match in re.finditer(pattern, simple, re.IGNORECASE):
            if any(covered[match.start() : match.end()]):
                continue
            for i in range(match.start(), match.end()):
                covered[i] = True
            terms[key].count += 1

    question_keys = alias_key(question_text)
    first_keys = alias_key(first_sentence)
    scored: list[tuple[float, _Term, bool]] = []
    echoed: list[tuple[float, _Term, bool]] = []
    for term in terms.values():
        if term.count == 0:
            continue
        display = _display_form(term)
        if alias_key(display) in GENERIC_TERMS or display.casefold() in _ENGLISH_STOP:
            continue
        idf_value = 10.0 if term.english or term.members else idf.get(to_simplified(display), median_idf)
        score = (1 + math.log(term.count)) * idf_value
        if term.bold:
            score *= 1.5
        if term.members:
            score *= 1.3
        if term.partners:
            score *= 1.2
        keys = {alias_key(display), *(alias_key(m) for m in term.members), *(alias_key(p) for p in term.partners)}
        in_first = any(k and k in first_keys for k in keys)
        if in_first:
            score *= 1.3
        if any(k and k in question_keys for k in keys):
            glossed = term.bold or term.english or bool(term.members) or bool(term.partners)
            central = in_first and (term.count >= 2 or glossed) or term.count >= 3 and glossed
            score *= 0.7  # naming the question's own term proves little
            if not central:
                echoed.append((score, term, in_first))
                continue
        scored.append((score, term, in_first))
    if len(scored) < 3:  # a one-line answer may say little beyond the question's own terms
        scored += echoed
    scored.sort(key=lambda s: (-s[0], s[1].first, s[1].key))
    top = scored[:MAX_KEYWORDS]
    if not top:
        return ()
    best = top[0][0]
    plain_len = len(text)
    limit = 1 if plain_len < 150 else 2 if plain_len < 600 else MAX_REQUIRED
    required_keys = [
        t.key
        for s, t, in_first in top
        if in_first and (t.bold or t.english or t.members or t.partners) and s >= 0.5 * best
    ][:limit]
    keywords = []
    for score, term, _ in sorted(top, key=lambda s: (s[1].first, s[1].key)):
        display = _display_form(term)
        keywords.append(
            Keyword(
                term=display,
                aliases=_aliases_for(display, term),
                weight=round(max(0.2, score / best), 2),
                required=term.key in required_keys,
            )
        )
    return tuple(keywords)


def _display_form(term: _Term) -> str:
    """The form the reference itself uses most (ties: the longer, then the first seen)."""
    forms = list(term.forms.items())
    return max(forms, key=lambda f: (f[1], len(f[0]) if _CJK.search(f[0]) else 0, -forms.index(f)))[0]


def _aliases_for(display: str, term: _Term) -> tuple[str, ...]:
    key = alias_key(display)
    out: dict[str, None] = {}
    candidates = [
        *term.members,
        *term.partners,
        *(f for f in term.forms if f != display),
        to_simplified(display),
        _to_traditional(display),
    ]
    for alias in candidates:
        if alias != display and alias not in out and (alias_key(alias) != key or alias.casefold() != display.casefold()):
            out[alias] = None
    return tuple(out)


# ---------------------------------------------------------------------------------------------- entry point


def extract_rubric(
    answer_markdown: str, question_text: str, *, aliases: Mapping[str, tuple[str, ...]] | None = None
) -> Rubric:
    """Key points and keywords of one reference answer.

    Args:
        answer_markdown: the reference answer as written in the source (markdown).
        question_text: the question; terms it already names are kept only when central to the answer.
        aliases: synonym table from ``load_aliases`` (None: only script variants and the reference's own
            "中文（English）" pairs become aliases).

    Returns:
        A Rubric with at most MAX_KEY_POINTS key points (original script, markdown stripped, weight 1.0 for
        top-level points and less for sub-points) and at most MAX_KEYWORDS keywords (weight = salience
        relative to the strongest, at most MAX_REQUIRED marked required). Empty for an empty reference.
    """
    table = aliases or {}
    lines = _clean_lines(answer_markdown or "")
    if not any(line.strip() for line in lines):
        return Rubric()
    candidates = _candidates(_parse_tree(lines))
    first_sentence = next(iter(split_sentences(candidates[0].text)), "") if candidates else ""
    keywords = _extract_keywords(answer_markdown, question_text, table, first_sentence)
    key_points = _select_key_points(candidates, [to_simplified(k.term).casefold() for k in keywords])
    return Rubric(key_points=key_points, keywords=keywords)
