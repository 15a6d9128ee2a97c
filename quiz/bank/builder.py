"""Building the bank from source files, and merging new items into an existing bank.

Classes:
    FileReport   -- per source file: detected format, items parsed/skipped, problems, notes
    BuildReport  -- the built bank, the file reports, the merges and other messages

Functions:
    build_bank(sources_dir, *, taxonomy_path, overrides_path, embedder=None, rubric_fn=None)
    aliases_beside(taxonomy_path)              the alias table next to a taxonomy file, if there is one
    merge_items(bank, entries, records, ...)   the dedupe-and-assemble step shared with imports
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.bank.bank import Bank, question_id
from quiz.bank.dedupe import Candidate, Merge, default_embedder, group_duplicates, similarity_matrix
from quiz.bank.formats import ParsedItem, parse_markdown, read_source_text
from quiz.bank.overrides import Overrides, apply_overrides, load_overrides
from quiz.bank.topics import Taxonomy, assign_topics, estimate_difficulty, load_taxonomy
from quiz.errors import BankError, QuestionParseError
from quiz.grading.normalize import match_key
from quiz.models import Origin, Question, QuestionId, Reference, Rubric

if TYPE_CHECKING:
    from quiz.protocols import Embedder

__all__ = [
    "ALIASES_FILE",
    "BuildReport",
    "FileReport",
    "RubricFn",
    "aliases_beside",
    "build_bank",
    "default_rubric_fn",
    "merge_items",
]

RubricFn = Callable[[str, str], Rubric]
ALIASES_FILE = "aliases.yaml"
SOURCE_SUFFIXES = (".txt", ".md", ".markdown")


@dataclass(frozen=True)
class FileReport:
    """What happened to one file: format detected, items parsed and skipped, every problem found."""

    source: str
    format: str | None
    parsed: int
    skipped: int
    problems: tuple[QuestionParseError, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        return f"{self.source}: format={self.format or '-'} parsed={self.parsed} skipped={self.skipped} problems={len(self.problems)}"


@dataclass(frozen=True)
class BuildReport:
    """Result of ``build_bank``: the bank, one report per file, the merges made, other messages."""

    bank: Bank
    files: tuple[FileReport, ...]
    merges: tuple[Merge, ...]
    messages: tuple[str, ...] = ()

    @property
    def problems(self) -> tuple[QuestionParseError, ...]:
        return tuple(p for f in self.files for p in f.problems)


def default_rubric_fn(aliases_path: str | Path | None = None) -> RubricFn:
    """``quiz.bank.rubric.extract_rubric`` bound to a synonym table.

    Args:
        aliases_path: the alias table (see ``quiz.bank.rubric.load_aliases``). None means
            ``question_bank/aliases.yaml`` beside the default taxonomy and overrides, used if it exists.

    Raises:
        BankError: the rubric module cannot be imported, or the alias file is unusable.
    """
    import functools

    try:
        from quiz.bank.rubric import extract_rubric, load_aliases
    except ImportError as exc:
        raise BankError(f"rubric extraction is not available (quiz.bank.rubric): {exc}") from None
    if aliases_path is None:
        from quiz.settings import PROJECT_ROOT

        default = PROJECT_ROOT / "question_bank" / "aliases.yaml"
        aliases_path = default if default.exists() else None
    aliases = load_aliases(aliases_path) if aliases_path is not None else {}
    return functools.partial(extract_rubric, aliases=aliases)


def aliases_beside(taxonomy_path: str | Path) -> Path | None:
    """``aliases.yaml`` in the taxonomy file's folder when it exists, else None.

    A bank folder (sources, topics.yaml, overrides.yaml, aliases.yaml) carries its own synonym
    table: building or importing with its taxonomy uses it. With None, ``default_rubric_fn``
    falls back to the project's ``question_bank/aliases.yaml``.
    """
    candidate = Path(taxonomy_path).with_name(ALIASES_FILE)
    return candidate if candidate.is_file() else None


def parse_source_file(path: Path) -> tuple[FileReport, tuple[ParsedItem, ...]]:
    """Read and parse one markdown-like source file; never raises for bad content."""
    try:
        text, warnings = read_source_text(path)
    except QuestionParseError as problem:
        return FileReport(source=path.name, format=None, parsed=0, skipped=0, problems=(problem,)), ()
    fmt, outcome = parse_markdown(text, path.name)
    report = FileReport(
        source=path.name,
        format=fmt,
        parsed=len(outcome.items),
        skipped=outcome.skipped,
        problems=outcome.problems,
        notes=warnings + outcome.notes,
    )
    return report, outcome.items


def _unique_id(text: str, taken: set[str]) -> QuestionId:
    base = question_id(text)
    candidate, number = base, 2
    while candidate in taken:  # identical question texts within one file are kept apart
        candidate, number = QuestionId(f"{base}-{number}"), number + 1
    taken.add(candidate)
    return candidate


def _resolve_pairs(
    pairs: Sequence[tuple[str, str]],
    candidates: Sequence[Candidate],
    ids: Sequence[str],
    messages: list[str],
    kind: str,
) -> list[tuple[int, int]]:
    def find(ref: str) -> int | None:
        key = match_key(ref)
        for index, cand in enumerate(candidates):
            if ids[index] == ref.strip() or match_key(cand.question) == key:
                return index
        return None

    out = []
    for a, b in pairs:
        ia, ib = find(a), find(b)
        if ia is None or ib is None:
            missing = a if ia is None else b
            messages.append(f"overrides: {kind} entry names an unknown question {missing[:50]!r}")
            continue
        out.append((ia, ib))
    return out


def merge_items(
    bank: Bank,
    entries: Sequence[tuple[str, ParsedItem]],
    records: Sequence[Question] = (),
    *,
    taxonomy: Taxonomy,
    overrides: Overrides,
    embedder: Embedder | None,
    rubric_fn: RubricFn,
) -> tuple[Bank, tuple[Merge, ...], tuple[str, ...]]:
    """Dedupe new items (``(source name, item)``) and whole records against each other and the bank.

    Bank questions never merge with each other (they were deduped when built); two units sharing
    a source file never merge. Existing questions keep their ids and order; new ones follow.
    """
    units: list[Question | tuple[str, ParsedItem]] = [*bank.questions, *records, *entries]
    candidates: list[Candidate] = []
    for unit in units:
        if isinstance(unit, Question):
            tag = "@bank" if unit.id in bank else "@import"
            first_ref = unit.references[0].text if unit.references else None
            others = tuple(o.question_text for o in unit.origins)
            candidates.append(
                Candidate(
                    groups=frozenset({tag, *unit.sources}), question=unit.text, answer=first_ref, other_texts=others
                )
            )
        else:
            source, item = unit
            candidates.append(Candidate(groups=frozenset({source}), question=item.question, answer=item.answer))
    messages: list[str] = []
    ids = [u.id if isinstance(u, Question) else question_id(u[1].question) for u in units]
    forced = _resolve_pairs(overrides.merge, candidates, ids, messages, "merge")
    forbidden = _resolve_pairs(overrides.keep_apart, candidates, ids, messages, "keep_apart")
    new_count = len(records) + len(entries)
    if new_count == 0:
        clusters = [[i] for i in range(len(units))]
        scores = None
    else:
        scores = similarity_matrix(candidates, embedder or default_embedder(), taxonomy.synonyms)
        clusters = group_duplicates(candidates, scores, forced=forced, forbidden=forbidden)

    taken: set[str] = {q.id for q in bank.questions}
    built: dict[int, Question] = {}
    merges: list[Merge] = []
    forced_set = {frozenset(p) for p in forced}
    for cluster in clusters:
        base_index = cluster[0]
        base = units[base_index]
        origins: list[Origin] = []
        references: list[Reference] = []
        for index in cluster:
            unit = units[index]
            if isinstance(unit, Question):
                origins.extend(o for o in unit.origins if o not in origins)
                references.extend(r for r in unit.references if r not in references)
            else:
                source, item = unit
                origins.append(Origin(source, item.line_start, item.line_end, item.question))
                if item.answer:
                    rubric = rubric_fn(item.answer, item.question)
                    references.append(Reference(item.answer, source, item.line_start, item.line_end, rubric))
        if isinstance(base, Question):
            question = dataclasses.replace(base, origins=tuple(origins), references=tuple(references))
        else:
            source, item = base
            hinted = tuple(t for t in item.topics if taxonomy.get(t) is not None)
            topics = hinted or assign_topics(item.question, references, taxonomy)
            question = Question(
                id=_unique_id(item.question, taken),
                text=item.question,
                references=tuple(references),
                topics=topics,
                difficulty=estimate_difficulty(references, topics, item.question),
                origins=tuple(origins),
            )
        built[base_index] = question
        if len(cluster) > 1 and scores is not None:
            others = cluster[1:]
            link = min(float(scores[base_index, j]) for j in others)
            reason = "override" if any(frozenset((base_index, j)) in forced_set for j in others) else "similar"
            if all(candidates[j].keys() & candidates[base_index].keys() for j in others):
                reason = "identical"
            merges.append(
                Merge(
                    kept=f"{question.id} {question.text} ({_where(units[base_index])})",
                    merged=tuple(f"{candidates[j].question} ({_where(units[j])})" for j in others),
                    score=link,
                    reason=reason,
                )
            )
    ordered = [built[c[0]] for c in sorted(clusters, key=lambda c: c[0])]
    fixed, override_messages = apply_overrides(ordered, overrides)
    result = Bank(questions=fixed, topic_labels=bank.topic_labels or tuple((t.id, t.zh, t.en) for t in taxonomy.topics))
    return result, tuple(merges), tuple(messages) + override_messages


def _where(unit: Question | tuple[str, ParsedItem]) -> str:
    if isinstance(unit, Question):
        return ", ".join(f"{o.source}:{o.line_start}" for o in unit.origins) or unit.id
    source, item = unit
    return f"{source}:{item.line_start}"


def build_bank(
    sources_dir: str | Path,
    *,
    taxonomy_path: str | Path,
    overrides_path: str | Path | None,
    embedder: Embedder | None = None,
    rubric_fn: RubricFn | None = None,
) -> BuildReport:
    """Parse every source file (sorted by name), dedupe, assign topics/difficulty, apply overrides.

    Without ``rubric_fn``, rubrics come from ``default_rubric_fn`` with the alias table next to
    the taxonomy (``Path(taxonomy_path).with_name("aliases.yaml")``) when that file exists.
    A file with problems is reported, never fatal: its good items still go in. Raises BankError
    only when the folder, the taxonomy, the overrides or the alias file cannot be used.
    """
    folder = Path(sources_dir)
    if not folder.is_dir():
        raise BankError(f"sources folder {folder} does not exist")
    taxonomy = load_taxonomy(taxonomy_path)
    overrides = load_overrides(overrides_path)
    # Resolved before parsing so that an unusable alias file fails the build up front.
    rubric_fn = rubric_fn or default_rubric_fn(aliases_beside(taxonomy_path))
    reports: list[FileReport] = []
    entries: list[tuple[str, ParsedItem]] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        report, items = parse_source_file(path)
        reports.append(report)
        entries.extend((path.name, item) for item in items)
    bank, merges, messages = merge_items(
        Bank(questions=()),
        entries,
        taxonomy=taxonomy,
        overrides=overrides,
        embedder=embedder,
        rubric_fn=rubric_fn,
    )
    return BuildReport(bank=bank, files=tuple(reports), merges=merges, messages=messages)
