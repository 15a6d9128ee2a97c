"""Topic taxonomy (``question_bank/topics.yaml``), topic assignment and the difficulty heuristic.

Classes:
    Topic     -- id, Chinese and English labels, trigger keywords
    Taxonomy  -- the topics, the fallback topic id and dedupe's bilingual synonym groups

Functions:
    load_taxonomy(path)                                read and check the YAML file
    assign_topics(question, references, taxonomy)      topic ids for one question (at least one)
    estimate_difficulty(references, topics, question)  easy / medium / hard (rule in its docstring;
                                                       applied before overrides)
    difficulty_points(references, topics, question)    the points behind it
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quiz.errors import BankError
from quiz.grading.normalize import normalize
from quiz.models import Difficulty, Reference

__all__ = [
    "ADVANCED_TERMS",
    "ADVANCED_TOPICS",
    "REASONING_CUES",
    "Taxonomy",
    "Topic",
    "assign_topics",
    "difficulty_points",
    "estimate_difficulty",
    "load_taxonomy",
]

ADVANCED_TOPICS = frozenset({"efficiency-memory", "rlhf-alignment", "scaling-emergence"})
# Advanced techniques whose topic (fine-tuning, Transformer) is otherwise basic: a question naming
# one of them expects knowledge beyond the fundamentals. Latin terms match as whole words only
# (so "rope" does not fire inside "property"); the question text is normalised first.
ADVANCED_TERMS = (
    "lora",
    "qlora",
    "peft",
    "p-tuning",
    "prefix tuning",
    "prefix-tuning",
    "rope",
    "旋转位置",
    "alibi",
    "flash attention",
    "flashattention",
    "moe",
    "混合专家",
    "蒸馏",
    "distillation",
    "剪枝",
    "pruning",
    "投机采样",
    "speculative decoding",
)
# What kind of reasoning a question asks for beyond "what is X" (normalised, simplified Chinese
# and English). Each kind present adds to the expected depth of the answer.
REASONING_CUES: dict[str, tuple[str, ...]] = {
    "mechanism": ("原理", "机制", "机理", "如何", "怎么", "怎样", "实现", "how does", "how do"),
    "why": ("为什么", "为何", "why"),
    "comparison": ("区别", "相比", "比较", "优势", "局限", "不同", "difference", "compare", " vs"),
    "process": ("过程", "步骤", "流程", "怎么计算", "如何计算", "steps", "process"),
}
DEPTH_CHARS = 400  # plain characters of reference per point of depth
DEPTH_CAP_CHARS = 1200  # a 7,000-character study note is not harder to ask than a 1,200-character answer
NO_REFERENCE_DEPTH = 1.0  # unknown answer length: assume a typical (400-character) answer
EASY_BELOW = 1.25
HARD_FROM = 2.5
MAX_TOPICS = 3


@dataclass(frozen=True)
class Topic:
    """One topic of the taxonomy."""

    id: str
    zh: str
    en: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """All topics, the fallback id and the synonym groups used by dedupe."""

    topics: tuple[Topic, ...]
    fallback: str
    synonyms: tuple[tuple[str, ...], ...] = ()

    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def get(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read the taxonomy YAML. Raises BankError naming the file on a missing file or a bad shape."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BankError(f"cannot read topic taxonomy {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise BankError(f"topic taxonomy {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise BankError(f"topic taxonomy {path} must be a mapping with a 'topics' list")
    topics = []
    for number, entry in enumerate(data["topics"], start=1):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise BankError(f"topic taxonomy {path}: topic #{number} needs an 'id'")
        topics.append(
            Topic(
                id=str(entry["id"]),
                zh=str(entry.get("zh", entry["id"])),
                en=str(entry.get("en", entry["id"])),
                keywords=tuple(str(k) for k in entry.get("keywords") or ()),
            )
        )
    ids = [t.id for t in topics]
    if len(set(ids)) != len(ids):
        raise BankError(f"topic taxonomy {path}: duplicate topic ids")
    fallback = str(data.get("fallback", "llm-basics"))
    if fallback not in ids:
        raise BankError(f"topic taxonomy {path}: fallback topic '{fallback}' is not one of the topics")
    synonyms = tuple(tuple(str(term) for term in group) for group in data.get("synonyms") or () if group)
    return Taxonomy(topics=tuple(topics), fallback=fallback, synonyms=synonyms)


def _hits(text: str, topic: Topic) -> int:
    return sum(1 for keyword in topic.keywords if normalize(keyword) in text)


def assign_topics(question: str, references: Sequence[Reference], taxonomy: Taxonomy) -> tuple[str, ...]:
    """Topics whose keywords occur in the question (most hits first, at most 3).

    With none, the topics whose keywords occur most in the references (at least 2 distinct
    keywords); otherwise the fallback topic. Ties keep the taxonomy's order.
    """
    plain_question = normalize(question)
    scored = [(_hits(plain_question, topic), position, topic.id) for position, topic in enumerate(taxonomy.topics)]
    chosen = [topic_id for hits, _, topic_id in sorted(scored, key=lambda s: (-s[0], s[1])) if hits > 0]
    if chosen:
        # The generic fallback adds nothing when a specific topic matched.
        specific = [t for t in chosen if t != taxonomy.fallback]
        return tuple((specific or chosen)[:MAX_TOPICS])
    plain_refs = normalize("\n".join(r.text for r in references))
    scored = [(_hits(plain_refs, topic), position, topic.id) for position, topic in enumerate(taxonomy.topics)]
    best = sorted(scored, key=lambda s: (-s[0], s[1]))
    if best and best[0][0] >= 2:
        return (best[0][2],)
    return (taxonomy.fallback,)


def _names_advanced_term(plain_question: str) -> bool:
    for term in ADVANCED_TERMS:
        if term.isascii():
            if re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", plain_question):
                return True
        elif term in plain_question:
            return True
    return False


def _reasoning_kinds(plain_question: str) -> int:
    return sum(1 for cues in REASONING_CUES.values() if any(cue in plain_question for cue in cues))


def estimate_difficulty(references: Sequence[Reference], topics: Sequence[str], question: str = "") -> Difficulty:
    """Easy / medium / hard from what the question asks for, not from how its rubric was extracted.

    The rule (points; thresholds chosen on the 66-question bank for a split of roughly
    35% easy / 40% medium / 25% hard, before overrides)::

        points = depth + advanced + 0.5 * reasoning
        depth     = plain characters of the longest reference / 400, capped at 3 (1200 characters);
                    1 when there is no reference (assume a typical answer)
        advanced  = 1 if a topic is advanced (efficiency & memory, RLHF & alignment, scaling &
                    emergence) or the question names an advanced technique (ADVANCED_TERMS:
                    LoRA, P-tuning, RoPE, MoE, distillation, ...), else 0
        reasoning = how many kinds of reasoning the question asks for, at most 2: mechanism
                    (how / 原理 / 如何), why, comparison (区别 / 相比 / 局限), process (步骤 /
                    过程 / how to compute) -- "what is X" asks for none
        easy: points < 1.25   medium: 1.25 <= points < 2.5   hard: points >= 2.5

    So a short definitional answer is easy; a few paragraphs, or a short answer on an advanced
    topic, is medium; a long answer on an advanced topic, or a long answer to a how/why/compare
    question, is hard. Rubric key points are deliberately not counted: their number is capped
    by the extractor and changes whenever extraction changes, which reshuffled difficulty.
    Individual questions are corrected with ``difficulty:`` in ``question_bank/overrides.yaml``.

    Args:
        references: all references of the question (after merging).
        topics: its topic ids.
        question: the question text (traditional or simplified, any markdown).

    Returns:
        The difficulty (``difficulty_points`` gives the points behind it).
    """
    points = difficulty_points(references, topics, question)
    if points < EASY_BELOW:
        return Difficulty.EASY
    if points >= HARD_FROM:
        return Difficulty.HARD
    return Difficulty.MEDIUM


def difficulty_points(references: Sequence[Reference], topics: Sequence[str], question: str = "") -> float:
    """The points ``estimate_difficulty`` thresholds (see its docstring), rounded to 4 places."""
    if references:
        longest = max(len(normalize(r.text)) for r in references)
        depth = min(longest, DEPTH_CAP_CHARS) / DEPTH_CHARS
    else:
        depth = NO_REFERENCE_DEPTH
    plain_question = normalize(question)
    advanced = any(topic in ADVANCED_TOPICS for topic in topics) or _names_advanced_term(plain_question)
    points = depth + (1.0 if advanced else 0.0) + 0.5 * min(_reasoning_kinds(plain_question), 2)
    # Rounded so that a sum landing on a threshold (e.g. 2.5) cannot flip with float noise.
    return round(points, 4)
