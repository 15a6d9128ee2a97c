"""``python -m quiz bank ...``: build, export, import, stats.

Functions:
    register(subparsers)   adds the ``bank`` command and its sub-commands

Defaults are relative to the project root: sources ``question_bank/sources``, taxonomy
``question_bank/topics.yaml``, overrides ``question_bank/overrides.yaml``; the bank file is
``settings.bank_path``. ``bank build`` also writes the merges to ``question_bank/merges.md``
when it writes the default bank file.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from quiz.bank.builder import BuildReport

__all__ = ["register"]

DEFAULT_SOURCES = PROJECT_ROOT / "question_bank" / "sources"
DEFAULT_TAXONOMY = PROJECT_ROOT / "question_bank" / "topics.yaml"
DEFAULT_OVERRIDES = PROJECT_ROOT / "question_bank" / "overrides.yaml"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bank build|export|import|stats``."""
    bank = subparsers.add_parser("bank", help="Build, export, import and inspect the question bank.")
    commands = bank.add_subparsers(dest="bank_command", required=True)

    build = commands.add_parser("build", help="Parse the source files into the bank file.")
    build.add_argument("--sources", default=str(DEFAULT_SOURCES), help="Folder of source files.")
    build.add_argument("--output", default=None, help="Bank file to write (default: settings.bank_path).")
    build.add_argument("--taxonomy", default=str(DEFAULT_TAXONOMY), help="Topic taxonomy YAML.")
    build.add_argument("--overrides", default=str(DEFAULT_OVERRIDES), help="Overrides YAML.")
    build.add_argument("--merges", default=None, help="Where to write the merges list (markdown).")
    build.set_defaults(func=_build)

    export = commands.add_parser("export", help="Write the bank as jsonl, csv or json.")
    export.add_argument("--format", choices=("jsonl", "csv", "json"), default="jsonl")
    export.add_argument("--output", default=None, help="File to write (default: stdout).")
    export.set_defaults(func=_export)

    imp = commands.add_parser(
        "import", help="Merge your own question file (csv/tsv/json/jsonl/markdown) into the bank."
    )
    imp.add_argument("file", help="The file to import.")
    imp.add_argument("--output", default=None, help="Bank file to write (default: settings.bank_path).")
    imp.set_defaults(func=_import)

    stats = commands.add_parser("stats", help="Counts per source, topic and difficulty.")
    stats.set_defaults(func=_stats)


def merges_markdown(report: BuildReport) -> str:
    """The merges of a build as a markdown document."""
    merges = report.merges
    lines = [
        "# Merged questions",
        "",
        "Written by `python -m quiz bank build`. Each entry: the kept question (id, text, where it is",
        "asked) and the questions merged into it; `similar` = automatic (score >= threshold),",
        "`override` = listed under `merge:` in overrides.yaml, `identical` = same text.",
        "",
    ]
    for merge in merges:
        lines.append(f"- **{merge.kept}** [{merge.reason}, score {merge.score:.2f}]")
        lines.extend(f"    - {other}" for other in merge.merged)
    lines.append("")
    lines.append(f"{len(merges)} merges.")
    return "\n".join(lines) + "\n"


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from quiz.bank import build_bank, save_bank

    report = build_bank(args.sources, taxonomy_path=args.taxonomy, overrides_path=args.overrides)
    output = Path(args.output or settings.bank_path)
    save_bank(report.bank, output)
    for file in report.files:
        print(file.summary())
        for problem in file.problems:
            print(f"  problem: {problem}")
        for note in file.notes:
            print(f"  note: {note}")
    for message in report.messages:
        print(f"warning: {message}")
    print(f"merges ({len(report.merges)}):")
    for merge in report.merges:
        print(f"  {merge.describe()}")
    with_ref = sum(1 for q in report.bank if q.has_reference)
    items = sum(f.parsed for f in report.files)
    print(f"bank: {len(report.bank)} questions from {items} items ({with_ref} with a reference) -> {output}")
    merges_path = args.merges or (PROJECT_ROOT / "question_bank" / "merges.md" if args.output is None else None)
    if merges_path:
        Path(merges_path).write_text(merges_markdown(report), encoding="utf-8")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from quiz.bank import export_bank, load_bank

    text = export_bank(load_bank(settings.bank_path), args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from quiz.bank import import_file, load_bank, save_bank
    from quiz.bank.overrides import load_overrides

    bank = load_bank(settings.bank_path)
    new_bank, report = import_file(
        bank, args.file, taxonomy_path=DEFAULT_TAXONOMY, overrides=load_overrides(DEFAULT_OVERRIDES)
    )
    output = Path(args.output or settings.bank_path)
    save_bank(new_bank, output)
    print(report.summary())
    for problem in report.problems:
        print(f"  problem: {problem}")
    for note in report.notes:
        print(f"  note: {note}")
    print(f"bank: {len(bank)} -> {len(new_bank)} questions -> {output}")
    return 0


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from quiz.bank import load_bank

    bank = load_bank(settings.bank_path)
    with_ref = sum(1 for q in bank if q.has_reference)
    print(f"questions: {len(bank)}  with reference: {with_ref}  without: {len(bank) - with_ref}")
    sources = Counter(source for q in bank for source in {o.source for o in q.origins})
    print("per source (questions asked there):")
    for source, count in sorted(sources.items()):
        print(f"  {source}: {count}")
    topics = Counter(topic for q in bank for topic in q.topics)
    print("per topic:")
    for topic in bank.topics():
        print(f"  {topic} ({bank.topic_label(topic)}): {topics[topic]}")
    difficulty = Counter(q.difficulty.value for q in bank)
    print("per difficulty: " + ", ".join(f"{d}={difficulty.get(d, 0)}" for d in ("easy", "medium", "hard")))
    return 0
