"""Topic taxonomy (``question_bank/topics.yaml``), topic assignment and the difficulty heuristic.

Classes:
    Topic     -- id, Chinese and English labels, trigger keywords
    Taxonomy  -- the topics, the fallback topic id and dedupe's bilingual synonym groups

Functions:
    load_taxonomy(path)                            read and check the YAML file
    assign_topics(question, references, taxonomy)  topic ids for one question (at least one)
    estimate_difficulty(references, topics)        easy / medium / hard

Difficulty heuristic (documented here, applied before overrides):
    * no reference: medium;
    * otherwise, from the longest reference: points = plain characters / 400 + key points / 3
      (key points from its rubric), + 1 if a topic is one of the "advanced" topics
      (efficiency & memory, RLHF & alignment, scaling & emergence);
    * points < 1.5 -> easy, points >= 4 -> hard, else medium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quiz.errors import BankError
from quiz.grading.normalize import normalize
from quiz.models import Difficulty, Reference

__all__ = ["ADVANCED_TOPICS", "Taxonomy", "Topic", "assign_topics", "estimate_difficulty", "load_taxonomy"]

ADVANCED_TOPICS = frozenset({"efficiency-memory", "rlhf-alignment", "scaling-emergence"})
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


def estimate_difficulty(references: Sequence[Reference], topics: Sequence[str]) -> Difficulty:
    """The heuristic in the module docstring."""
    if not references:
        return Difficulty.MEDIUM
    longest = max(references, key=lambda r: len(r.text))
    points = len(normalize(longest.text)) / 400 + len(longest.rubric.key_points) / 3
    if any(topic in ADVANCED_TOPICS for topic in topics):
        points += 1
    if points < 1.5:
        return Difficulty.EASY
    if points >= 4:
        return Difficulty.HARD
    return Difficulty.MEDIUM
