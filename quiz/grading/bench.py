"""Grading benchmark behind ``python -m quiz bench``: it prints numbers, it asserts nothing.

Functions:
    run_bench(settings, *, model, answers, bank) -> lines of a table

Measured:
    cold start        a fresh Python process: import, load the model, calibrate, grade one answer
    prepare           embedding every reference key point of the bank (cache empty), then again (cache warm)
    latency p50/p95   one answer at a time, warm, over answers built from the bank's references
    throughput        answers per second through ``grade_many`` in batches of 64
    bank size         latency against the same questions inside a bank 100 times larger
    peak memory       the process's maximum resident set size
"""

from __future__ import annotations

import dataclasses
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING

from quiz.grading.normalize import split_sentences, strip_markdown

if TYPE_CHECKING:
    from quiz.bank.bank import Bank
    from quiz.models import Question
    from quiz.settings import Settings

__all__ = ["run_bench"]

_COLD_START = """
import json, sys, time
t0 = time.perf_counter()
from quiz.bank.bank import load_bank
from quiz.grading.embedders import load_embedder
from quiz.grading.grader import Grader
bank = load_bank(sys.argv[1])
t1 = time.perf_counter()
grader = Grader(load_embedder(sys.argv[2]), cache_dir=sys.argv[3])
t2 = time.perf_counter()
question = next(q for q in bank.questions if q.has_reference)
grader.grade(question, "这是一个用来测冷启动的回答。")
t3 = time.perf_counter()
print(json.dumps({"import_and_bank": t1 - t0, "model_and_calibration": t2 - t1, "first_grade": t3 - t2}))
"""


def _answers(questions: list[Question], count: int, rng: random.Random) -> list[tuple[Question, str]]:
    """Realistic answers: 2–6 sentences drawn from the question's reference, sometimes with another's mixed in."""
    out = []
    for _ in range(count):
        question = rng.choice(questions)
        own = split_sentences(strip_markdown(question.references[0].text)) or [question.text]
        other = split_sentences(strip_markdown(rng.choice(questions).references[0].text)) or [""]
        picked = rng.sample(own, min(len(own), rng.randint(2, 6)))
        if rng.random() < 0.3:
            picked.append(rng.choice(other))
        out.append((question, "".join(picked)))
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def run_bench(settings: Settings, *, model: str | None, answers: int, bank: Bank) -> list[str]:
    from quiz.bank.bank import Bank as BankType
    from quiz.grading.cli import load_grader

    name = model or settings.embedding_model
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as cache:
        cold = subprocess.run(
            [sys.executable, "-c", _COLD_START, settings.bank_path, name, cache],
            capture_output=True, text=True, check=False,
        )
        if cold.returncode == 0:
            parts = json.loads(cold.stdout.strip().splitlines()[-1])
            rows.append(("cold start: import + load bank", _ms(parts["import_and_bank"])))
            rows.append(("cold start: model + calibration", _ms(parts["model_and_calibration"])))
            rows.append(("cold start: first grade (cache empty)", _ms(parts["first_grade"])))
            rows.append(("cold start: total", _ms(sum(parts.values()))))
        else:
            rows.append(("cold start", f"failed: {cold.stderr.strip().splitlines()[-1:]}"))

        grader = load_grader(dataclasses.replace(settings, cache_dir=cache), name)
        questions = [q for q in bank.questions if q.has_reference]
        start = time.perf_counter()
        embedded = grader.prepare(questions)
        rows.append((f"prepare bank ({len(questions)} questions, {embedded} texts embedded)", _ms(time.perf_counter() - start)))
        start = time.perf_counter()
        again = grader.prepare(questions)
        rows.append((f"prepare again (warm cache, {again} embedded)", _ms(time.perf_counter() - start)))

        rng = random.Random(7)
        sample = _answers(questions, answers, rng)
        for question, text in sample[:5]:
            grader.grade(question, text)  # warm-up
        timings = []
        for question, text in sample:
            start = time.perf_counter()
            grader.grade(question, text)
            timings.append(time.perf_counter() - start)
        timings.sort()
        rows.append((f"latency p50 (one answer, warm, n={len(timings)})", _ms(statistics.median(timings))))
        rows.append(("latency p95", _ms(timings[int(0.95 * (len(timings) - 1))])))
        mean_chars = statistics.mean(len(t) for _, t in sample)
        rows.append(("mean answer length", f"{mean_chars:.0f} chars"))

        start = time.perf_counter()
        for i in range(0, len(sample), 64):
            grader.grade_many(sample[i : i + 64])
        elapsed = time.perf_counter() - start
        rows.append(("batch throughput (grade_many, 64 per batch)", f"{len(sample) / elapsed:.0f} answers/s"))

        big = BankType(tuple(_renamed(q, n) for n in range(100) for q in questions))
        big_questions = [big.get(f"{q.id}-{7}") for q in questions]
        before = grader.cache.encoded
        timings = []
        for question, text in sample:
            target = big_questions[questions.index(question)]
            start = time.perf_counter()
            grader.grade(target, text)
            timings.append(time.perf_counter() - start)
        rows.append(
            (f"latency p50 in a {len(big)}-question bank", _ms(statistics.median(timings)))
        )
        rows.append(("reference texts embedded while grading it", str(grader.cache.encoded - before)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory (max RSS of this process)", f"{peak:.0f} MB"))

    width = max(len(k) for k, _ in rows) + 2
    lines = [f"grading benchmark: model {grader.model}, bank {settings.bank_path}"]
    lines += [f"{k.ljust(width)}{v}" for k, v in rows]
    return lines


def _renamed(question: Question, n: int) -> Question:
    from quiz.models import QuestionId

    return dataclasses.replace(question, id=QuestionId(f"{question.id}-{n}"), origins=())
