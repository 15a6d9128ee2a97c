"""Importing quiz stays cheap and never pulls in the UI or heavy libraries."""

from __future__ import annotations

import subprocess
import sys


def test_import_quiz_does_not_import_streamlit_or_heavy_libraries() -> None:
    code = (
        "import sys, quiz, quiz.models, quiz.settings, quiz.errors;"
        "heavy = [m for m in ('streamlit', 'torch', 'sentence_transformers', 'openai', 'pandas') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_module_under_quiz_except_ui_imports_streamlit() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "quiz"
    offenders = []
    for path in root.rglob("*.py"):
        if "ui" in path.relative_to(root).parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "import streamlit" in text or "from streamlit" in text:
            offenders.append(str(path))
    assert offenders == []
