"""`python -m quiz bank export|stats` against a bank file given by QUIZ_BANK_PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from quiz.bank import save_bank
from quiz.settings import PROJECT_ROOT


def run_quiz(*args: str, bank_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZ_")}
    env["QUIZ_BANK_PATH"] = str(bank_path)
    return subprocess.run(
        [sys.executable, "-m", "quiz", "bank", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_export_and_stats(built, tmp_path: Path) -> None:
    bank_path = tmp_path / "bank.json"
    save_bank(built.bank, bank_path)
    out = run_quiz("export", "--format", "jsonl", bank_path=bank_path)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in records] == [q.id for q in built.bank]
    target = tmp_path / "bank.csv"
    assert run_quiz("export", "--format", "csv", "--output", str(target), bank_path=bank_path).returncode == 0
    assert target.read_text(encoding="utf-8").startswith("id,question,answer,source,topics,difficulty,has_reference")
    stats = run_quiz("stats", bank_path=bank_path)
    assert stats.returncode == 0
    assert "questions: 66  with reference: 64  without: 2" in stats.stdout
    assert "003_778db2d469dd41ce.txt: 20" in stats.stdout


def test_missing_bank_file_is_a_clear_error(tmp_path: Path) -> None:
    out = run_quiz("stats", bank_path=tmp_path / "none.json")
    assert out.returncode == 2 and "does not exist" in out.stderr
