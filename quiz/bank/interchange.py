"""Exporting the bank, and importing a user's own question file into it.

Functions:
    export_bank(bank, format)    'jsonl' | 'csv' | 'json' text
    read_import_file(path)       items or full records from CSV/TSV, JSON, JSONL or any markdown format
    import_file(bank, path, ...) the bank with the file merged in (same dedupe as the build), and a FileReport

Export shapes:
    jsonl  one question per line: the full record (id, text, references with rubric, topics, difficulty,
           origins, has_reference) plus ``question`` (= text) and ``references[*].source``.
    json   ``{"format": "quiz-bank", "version": 1, "topics": [...], "questions": [...]}`` (the bank file).
    csv    one row per reference (a question without one has one row with an empty answer):
           id, question, answer, source, topics (";"-joined), difficulty, has_reference.
Importing an export gives back the same questions (CSV loses rubrics, which are extracted again).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.bank.bank import BANK_FORMAT, Bank, bank_to_json
from quiz.bank.builder import FileReport, RubricFn, aliases_beside, default_rubric_fn, merge_items, parse_source_file
from quiz.bank.formats import ParsedItem
from quiz.bank.overrides import Overrides, load_overrides
from quiz.bank.topics import load_taxonomy
from quiz.errors import BankError, QuestionParseError
from quiz.models import Difficulty, Question, QuestionId, Reference

if TYPE_CHECKING:
    from quiz.protocols import Embedder

__all__ = ["EXPORT_FORMATS", "export_bank", "import_file", "read_import_file"]

EXPORT_FORMATS = ("jsonl", "csv", "json")
CSV_COLUMNS = ("id", "question", "answer", "source", "topics", "difficulty", "has_reference")
_QUESTION_NAMES = {"question", "问题", "問題", "text", "题目", "題目"}
_ANSWER_NAMES = {"answer", "答案", "回答", "reference"}


def export_bank(bank: Bank, format: str) -> str:
    """The bank as text in ``format`` ('jsonl', 'csv' or 'json'). Raises BankError on another format."""
    if format == "json":
        return bank_to_json(bank)
    if format == "jsonl":
        lines = []
        for q in bank.questions:
            record = q.to_dict()
            record["question"] = q.text
            lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
        return "\n".join(lines) + ("\n" if lines else "")
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for q in bank.questions:
            common = (";".join(q.topics), q.difficulty.value, str(q.has_reference).lower())
            if not q.references:
                source = q.origins[0].source if q.origins else ""
                writer.writerow((q.id, q.text, "", source, *common))
            for ref in q.references:
                writer.writerow((q.id, q.text, ref.text, ref.source, *common))
        return out.getvalue()
    raise BankError(f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}")


def _record_from_export(data: dict[str, Any]) -> Question | None:
    """A full Question when ``data`` is one of our exported records, else None."""
    if "id" in data and "references" in data and "topics" in data and ("text" in data or "question" in data):
        data = dict(data)
        data.setdefault("text", data.get("question"))
        return Question.from_dict(data)
    return None


def _item_from_object(data: Any, name: str, line: int) -> ParsedItem:
    if not isinstance(data, dict):
        raise QuestionParseError(name, line, "expected an object with 'question' and 'answer'")
    question = next((str(data[k]).strip() for k in data if str(k).casefold() in _QUESTION_NAMES and data[k]), "")
    if not question:
        raise QuestionParseError(name, line, "object has no 'question' text")
    answer = next((str(data[k]).strip() for k in data if str(k).casefold() in _ANSWER_NAMES and data[k]), "")
    topics = data.get("topics", data.get("topic", ()))
    topics = (topics,) if isinstance(topics, str) else tuple(str(t) for t in topics or ())
    return ParsedItem(question=question, answer=answer or None, line_start=line, line_end=line, topics=topics)


def _read_json(text: str, name: str) -> tuple[str, list[ParsedItem], list[Question], list[QuestionParseError]]:
    data = json.loads(text)
    if isinstance(data, dict) and data.get("format") == BANK_FORMAT:
        return "json", [], list(Bank.from_dict(data).questions), []
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        data = data["questions"]
    if not isinstance(data, list):
        return "json", [], [], [QuestionParseError(name, 1, "JSON must be a list of question objects or a bank export")]
    items, records, problems = [], [], []
    for number, obj in enumerate(data, start=1):
        try:
            record = _record_from_export(obj) if isinstance(obj, dict) else None
            if record is not None:
                records.append(record)
            else:
                items.append(_item_from_object(obj, name, number))
        except QuestionParseError as problem:
            problems.append(QuestionParseError(name, None, f"item #{number}: {problem.message}"))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(QuestionParseError(name, None, f"item #{number}: malformed record ({exc})"))
    return "json", items, records, problems


def _read_jsonl(text: str, name: str) -> tuple[str, list[ParsedItem], list[Question], list[QuestionParseError]]:
    items, records, problems = [], [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            record = _record_from_export(obj) if isinstance(obj, dict) else None
            if record is not None:
                records.append(record)
            else:
                items.append(_item_from_object(obj, name, number))
        except json.JSONDecodeError as exc:
            problems.append(QuestionParseError(name, number, f"not valid JSON: {exc.msg}"))
        except QuestionParseError as problem:
            problems.append(problem)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(QuestionParseError(name, number, f"malformed record ({exc})"))
    return "jsonl", items, records, problems


def _read_csv(
    text: str, name: str, delimiter: str
) -> tuple[str, list[ParsedItem], list[Question], list[QuestionParseError]]:
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    fmt = "tsv" if delimiter == "\t" else "csv"
    if not rows:
        return fmt, [], [], [QuestionParseError(name, None, "file is empty")]
    header = [cell.strip().casefold() for cell in rows[0]]
    has_header = any(h in _QUESTION_NAMES for h in header)
    q_col = next((i for i, h in enumerate(header) if h in _QUESTION_NAMES), 0) if has_header else 0
    a_col = next((i for i, h in enumerate(header) if h in _ANSWER_NAMES), 1) if has_header else 1
    t_col = (
        next((i for i, h in enumerate(header) if h in {"topic", "topics", "主题", "主題"}), None) if has_header else 2
    )
    id_col = header.index("id") if has_header and "id" in header else None
    s_col = header.index("source") if has_header and "source" in header else None
    d_col = header.index("difficulty") if has_header and "difficulty" in header else None
    items: list[ParsedItem] = []
    problems: list[QuestionParseError] = []
    grouped: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows[1:] if has_header else rows, start=2 if has_header else 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(q_col, a_col if a_col is not None else 0) and len(row) < 1:
            problems.append(QuestionParseError(name, number, "row has too few columns"))
            continue
        question = row[q_col].strip() if q_col < len(row) else ""
        if not question:
            problems.append(QuestionParseError(name, number, "row has an empty question"))
            continue
        answer = row[a_col].strip() if a_col < len(row) else ""
        topics = tuple(
            t for t in (row[t_col].split(";") if t_col is not None and t_col < len(row) else ()) if t.strip()
        )
        if id_col is not None and row[id_col].strip():
            # One of our CSV exports: rows of one id are the references of one question.
            entry = grouped.setdefault(
                row[id_col].strip(), {"text": question, "refs": [], "topics": topics, "row": row}
            )
            if answer:
                source = row[s_col].strip() if s_col is not None and s_col < len(row) else name
                entry["refs"].append(Reference(text=answer, source=source or name, line_start=number, line_end=number))
            continue
        items.append(
            ParsedItem(question=question, answer=answer or None, line_start=number, line_end=number, topics=topics)
        )
    records = []
    for qid, entry in grouped.items():
        row = entry["row"]
        difficulty = row[d_col].strip() if d_col is not None and d_col < len(row) else "medium"
        records.append(
            Question(
                id=QuestionId(qid),
                text=entry["text"],
                references=tuple(entry["refs"]),
                topics=entry["topics"],
                difficulty=Difficulty(difficulty) if difficulty in {d.value for d in Difficulty} else Difficulty.MEDIUM,
            )
        )
    return fmt, items, records, problems


def read_import_file(path: str | Path) -> tuple[FileReport, list[ParsedItem], list[Question]]:
    """Read a user's file. The kind is decided from the content (a .csv/.tsv name only picks the delimiter)."""
    target = Path(path)
    from quiz.bank.formats import read_source_text

    try:
        text, warnings = read_source_text(target)
    except QuestionParseError as problem:
        return FileReport(target.name, None, 0, 0, (problem,)), [], []
    stripped = text.lstrip()
    first_line = stripped.splitlines()[0] if stripped else ""
    result = None
    if stripped[:1] in "[{":
        try:
            result = _read_json(text, target.name)
        except json.JSONDecodeError:
            result = _read_jsonl(text, target.name) if stripped.startswith("{") else None
        except BankError as exc:
            result = ("json", [], [], [QuestionParseError(target.name, None, str(exc))])
    elif (
        target.suffix.lower() in {".csv", ".tsv"}
        or ("\t" in first_line or "," in first_line)
        and any(n in first_line.casefold() for n in _QUESTION_NAMES)
    ):
        delimiter = "\t" if target.suffix.lower() == ".tsv" or "\t" in first_line else ","
        result = _read_csv(text, target.name, delimiter)
    if result is None:
        report, items = parse_source_file(target)
        return report, list(items), []
    fmt, items, records, problems = result
    report = FileReport(target.name, fmt, len(items) + len(records), len(problems), tuple(problems), warnings)
    return report, items, records


def import_file(
    bank: Bank,
    path: str | Path,
    *,
    taxonomy_path: str | Path | None = None,
    overrides: Overrides | None = None,
    embedder: Embedder | None = None,
    rubric_fn: RubricFn | None = None,
) -> tuple[Bank, FileReport]:
    """Merge a user's question file into ``bank`` with the build's dedupe.

    Items become new questions unless they duplicate one already in the bank (then they add a
    reference and an origin to it). Exported records keep their ids, rubrics and topics. Without
    ``rubric_fn``, rubrics use the alias table next to the taxonomy file, as ``build_bank`` does.
    """
    from quiz.settings import PROJECT_ROOT

    report, items, records = read_import_file(path)
    taxonomy_file = Path(taxonomy_path or PROJECT_ROOT / "question_bank" / "topics.yaml")
    taxonomy = load_taxonomy(taxonomy_file)
    name = Path(path).name
    known = {q.id for q in bank.questions}
    fresh_records = [r for r in records if r.id not in known]
    updates = [r for r in records if r.id in known]
    if updates:  # the same question exported earlier: keep what the bank has, add what is new
        merged = []
        for record in updates:
            current = bank.get(record.id)
            refs = current.references + tuple(
                r for r in record.references if r.text not in {x.text for x in current.references}
            )
            merged.append(
                Question(
                    current.id,
                    current.text,
                    refs,
                    current.topics,
                    current.difficulty,
                    current.origins + tuple(o for o in record.origins if o not in current.origins),
                )
            )
        bank = bank.with_questions(merged)
    if not items and not fresh_records:
        return bank, report
    extract = rubric_fn or default_rubric_fn(aliases_beside(taxonomy_file))
    fresh_records = [
        dataclasses.replace(
            record,
            references=tuple(
                r
                if (r.rubric.key_points or r.rubric.keywords)
                else dataclasses.replace(r, rubric=extract(r.text, record.text))
                for r in record.references
            ),
        )
        for record in fresh_records
    ]
    new_bank, _merges, _messages = merge_items(
        bank,
        [(name, item) for item in items],
        fresh_records,
        taxonomy=taxonomy,
        overrides=overrides or Overrides(),
        embedder=embedder,
        rubric_fn=extract,
    )
    return new_bank, report


def load_default_overrides() -> Overrides:
    """The project's overrides file (used by the CLI import)."""
    from quiz.settings import PROJECT_ROOT

    return load_overrides(PROJECT_ROOT / "question_bank" / "overrides.yaml")
