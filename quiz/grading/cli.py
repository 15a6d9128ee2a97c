"""``python -m quiz grade | grade-batch | eval | bench``.

Functions:
    register(subparsers)   adds the four commands
    load_grader(settings, model=None)   the embedder named by settings (or ``model``) inside a ``Grader``

Contracts (used by outside checks):
    grade --question ID_OR_TEXT --answer TEXT [--json]
    grade-batch IN.jsonl --output OUT.jsonl
        in:  {"question": <id or question text>, "answer": <text>} per line
        out: one line per input line, same order: question, question_id, score (0..100 or null), band,
             flags, feedback, and ``error`` when the line cannot be graded (the batch goes on)
    eval DEV.jsonl      Spearman, pairwise accuracy and per-kind means, grader and baselines side by side
    bench               latency p50/p95, throughput, cold start, peak memory
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from quiz.errors import BankError, GradingError

if TYPE_CHECKING:
    from quiz.bank.bank import Bank
    from quiz.grading.grader import Grader
    from quiz.settings import Settings

__all__ = ["load_grader", "register"]

_BATCH = 64


def register(subparsers: argparse._SubParsersAction) -> None:
    grade = subparsers.add_parser("grade", help="Grade one answer to one question.")
    grade.add_argument("--question", required=True, help="Question id, or its text as written in a source file.")
    grade.add_argument("--answer", required=True, help="The answer text ('-' reads standard input).")
    grade.add_argument("--json", action="store_true", help="Print the full GradeResult as JSON.")
    grade.add_argument("--model", default=None, help="Embedding model (default: settings).")
    grade.set_defaults(func=_grade)

    batch = subparsers.add_parser("grade-batch", help="Grade a JSONL file of {question, answer} lines.")
    batch.add_argument("input", help="Input JSONL ('-' for standard input).")
    batch.add_argument("--output", default="-", help="Output JSONL (default: standard output).")
    batch.add_argument("--model", default=None, help="Embedding model (default: settings).")
    batch.set_defaults(func=_grade_batch)

    ev = subparsers.add_parser("eval", help="Compare grades with expert grades (and baselines).")
    ev.add_argument("dataset", help="JSONL of {question_id|question, answer, grade, kind}.")
    ev.add_argument("--model", default=None, help="Embedding model (default: settings).")
    ev.add_argument("--no-baselines", action="store_true", help="Skip the baselines.")
    ev.add_argument("--json", action="store_true", help="Print the metrics as JSON.")
    ev.set_defaults(func=_eval)

    bench = subparsers.add_parser("bench", help="Grading latency, throughput, cold start and memory.")
    bench.add_argument("--model", default=None, help="Embedding model (default: settings).")
    bench.add_argument("--answers", type=int, default=200, help="How many answers to time.")
    bench.set_defaults(func=_bench)


def load_grader(settings: Settings, model: str | None = None) -> Grader:
    from quiz.grading.embedders import load_embedder
    from quiz.grading.grader import Grader

    return Grader.from_settings(settings, load_embedder(model or settings.embedding_model))


def _bank(settings: Settings) -> Bank:
    from quiz.bank.bank import load_bank

    return load_bank(settings.bank_path)


def _grade(args: argparse.Namespace, settings: Settings) -> int:
    bank = _bank(settings)
    question = bank.resolve(args.question)
    answer = sys.stdin.read() if args.answer == "-" else args.answer
    result = load_grader(settings, args.model).grade(question, answer)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    score = "no score" if result.score is None else f"{result.score:.1f}/100"
    print(f"{question.id}  {score}  [{result.band.value}]  {question.text}")
    for point in result.key_points:
        mark = "✓" if point.covered else "✗"
        print(f"  {mark} {point.similarity:.2f}  {point.key_point[:70]}")
    if result.keywords:
        hit = ", ".join(k.term for k in result.keywords if k.matched) or "-"
        miss = ", ".join(k.term for k in result.keywords if not k.matched) or "-"
        print(f"  keywords matched: {hit}\n  keywords missing: {miss}")
    if result.flags:
        print(f"  flags: {', '.join(result.flags)}")
    print(f"  {result.feedback}")
    return 0


def _open_out(path: str) -> TextIO:
    if path == "-":
        return sys.stdout
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the caller


def _grade_batch(args: argparse.Namespace, settings: Settings) -> int:
    bank = _bank(settings)
    grader = load_grader(settings, args.model)
    try:
        source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise GradingError(f"cannot read {args.input}: {exc.strerror}") from None
    rows: list[dict[str, Any]] = []
    pending: list[tuple[int, Any, str]] = []  # (row index, question, answer)
    errors = 0
    with source:
        try:
            lines = list(source)
        except UnicodeDecodeError as exc:
            raise GradingError(f"{args.input} is not UTF-8 text: {exc.reason}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue  # blank lines carry nothing to answer; they produce no output line
        row: dict[str, Any] = {"question": None, "question_id": None, "score": None, "band": None}
        rows.append(row)
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("each line must be a JSON object")
            asked = data.get("question", data.get("question_id"))
            if not isinstance(asked, str) or not asked.strip():
                raise ValueError('missing "question" (an id or the question text)')
            row["question"] = asked
            answer = data.get("answer", "")
            if not isinstance(answer, str):
                raise ValueError('"answer" must be a string')
            question = bank.resolve(asked)
            row["question_id"] = question.id
            pending.append((len(rows) - 1, question, answer))
        except (ValueError, BankError) as exc:
            row["error"] = f"line {number}: {exc}"
            errors += 1
    for start in range(0, len(pending), _BATCH):
        chunk = pending[start : start + _BATCH]
        for (index, _, _), result in zip(chunk, grader.grade_many([(q, a) for _, q, a in chunk]), strict=True):
            rows[index].update(
                score=result.score,
                band=result.band.value,
                flags=list(result.flags),
                feedback=result.feedback,
                reason=result.reason,
            )
    out = _open_out(args.output)
    try:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"graded {len(rows) - errors} of {len(rows)} lines; {errors} errors", file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from quiz.grading.evaluation import baseline_scorers, evaluate, load_labeled

    bank = _bank(settings)
    items = load_labeled(args.dataset, bank.resolve)
    if not items:
        raise GradingError(f"{args.dataset} has no evaluation lines")
    grader = load_grader(settings, args.model)
    results = grader.grade_many([(i.question, i.answer) for i in items])
    table = {f"grader ({grader.model})": evaluate(items, [r.score for r in results])}
    if not args.no_baselines:
        for name, scorer in baseline_scorers(grader.embedder).items():
            table[name] = evaluate(items, scorer(items))
    if args.json:
        print(json.dumps({k: vars(m) for k, m in table.items()}, ensure_ascii=False, indent=2))
        return 0
    kinds = sorted({i.kind for i in items})
    names = list(table)
    width = max(14, *(len(n) for n in names))
    print(f"{len(items)} answers to {len({i.question.id for i in items})} questions ({args.dataset})")
    print("metric".ljust(22) + "".rjust(width + 2) + "".join(n.rjust(width + 2) for n in names))
    for label, attr in (("spearman", "spearman"), ("pairwise accuracy", "pairwise")):
        cells = [f"{getattr(table[n], attr):.3f}" for n in names]
        print(label.ljust(22) + "".rjust(width + 2) + "".join(c.rjust(width + 2) for c in cells))
    expert = {k: sum(i.grade for i in items if i.kind == k) / sum(1 for i in items if i.kind == k) for k in kinds}
    print("mean score by kind".ljust(22) + "expert".rjust(width + 2))
    for kind in kinds:
        cells = [f"{expert[kind]:.1f}"] + [f"{table[n].kind_means.get(kind, 0.0):.1f}" for n in names]
        print(f"  {kind}".ljust(22) + "".join(c.rjust(width + 2) for c in cells))
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from quiz.grading.bench import run_bench

    for line in run_bench(settings, model=args.model, answers=args.answers, bank=_bank(settings)):
        print(line)
    return 0
