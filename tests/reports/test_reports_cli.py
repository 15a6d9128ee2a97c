"""``python -m quiz report`` against a real SQLite store in tmp_path and a real bank file."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from quiz.bank import Bank, save_bank
from quiz.cli import main
from quiz.store import AttemptStore


@pytest.fixture
def setup(tmp_path: Path, history, questions) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'quiz.db'}"
    store = AttemptStore(url)
    for attempt in history:
        store.record(attempt)
    store.close()
    bank_path = tmp_path / "bank.json"
    save_bank(Bank(tuple(questions)), bank_path)
    return url, str(bank_path)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_report_markdown_to_stdout(setup, capsys):
    url, bank = setup
    code, out, _ = _run(
        ["report", "--user", "ann", "--format", "md", "--database-url", url, "--bank", bank,
         "--now", "2025-03-15T12:00:00+00:00"], capsys,
    )  # fmt: skip
    assert code == 0
    assert out.startswith("# Study report — ann")
    assert out.index("**(untagged)**") < out.index("**attention**") < out.index("**fine-tuning**")
    assert "10 attempts (8 counted) on 5 questions in 5 topics" in out


def test_report_csv_and_html_to_stdout(setup, capsys):
    url, bank = setup
    code, out, _ = _run(["report", "--user", "ann", "--format", "csv", "--database-url", url, "--bank", bank], capsys)
    assert code == 0
    assert len(pd.read_csv(io.StringIO(out))) == 10
    code, out, _ = _run(["report", "--user", "ann", "--format", "html", "--database-url", url, "--bank", bank], capsys)
    assert code == 0 and out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")


def test_report_xlsx_needs_output(setup, capsys, tmp_path):
    url, bank = setup
    code, out, err = _run(["report", "--user", "ann", "--format", "xlsx", "--database-url", url], capsys)
    assert code == 2 and out == "" and "--output" in err
    target = tmp_path / "r.xlsx"
    code, _, err = _run(
        ["report", "--user", "ann", "--format", "xlsx", "--database-url", url, "--bank", bank, "--output",
         str(target)], capsys,
    )  # fmt: skip
    assert code == 0 and "wrote" in err
    assert len(pd.read_excel(target, sheet_name="attempts")) == 10


def test_report_for_user_without_attempts(setup, capsys):
    url, bank = setup
    code, out, _ = _run(["report", "--user", "bob", "--format", "md", "--database-url", url, "--bank", bank], capsys)
    assert code == 0 and "Nothing to report yet" in out


def test_report_without_bank_still_works(setup, capsys, tmp_path):
    url, _ = setup
    code, out, err = _run(
        ["report", "--user", "ann", "--database-url", url, "--bank", str(tmp_path / "missing.json")], capsys
    )
    assert code == 0 and "warning" in err and "(not in bank)" in out


def test_report_uses_stored_review_cards(setup, capsys, now):
    url, bank = setup
    store = AttemptStore(url)
    store.save_review_card("ann", "q-lora", "{}", now.replace(year=2024))
    store.close()
    code, out, _ = _run(["report", "--user", "ann", "--database-url", url, "--bank", bank,
                         "--now", "2025-03-15T12:00:00+00:00"], capsys)  # fmt: skip
    assert code == 0 and "## Due for review (1)" in out and "What is LoRA?" in out


def test_python_dash_m_quiz_report(setup, tmp_path):
    url, bank = setup
    target = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "quiz", "report", "--user", "ann", "--format", "html", "--database-url", url,
         "--bank", bank, "--output", str(target)],
        check=False, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"<!DOCTYPE html>")
