"""End to end in headless Chromium: start ``streamlit run``, answer a practice question, see the grade.

Uses Debian's ``/usr/bin/chromium`` through Playwright (no browser download). When Chromium is
missing the test fails with a clear message, because CI installs it. Screenshots of every page go
to ``$UI_SCREENS_DIR`` (default: the test's tmp dir).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # streamlit_server.py, shared with scripts/

from streamlit_server import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402

PAGES = ["practice", "timed_quiz", "mock_interview", "history", "reports", "question_bank", "settings"]


@pytest.fixture
def app_url(tmp_path: Path, ui_bank_path: Path) -> Iterator[str]:
    env = {
        "QUIZ_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
        "QUIZ_EMBEDDING_MODEL": "hashing",
        "QUIZ_CACHE_DIR": str(tmp_path / "cache"),
        "QUIZ_BANK_PATH": str(ui_bank_path),
    }
    with run_streamlit(env, tmp_path / "streamlit.log") as url:
        yield url


@pytest.mark.browser
def test_practice_answer_shows_grade_in_chromium(app_url: str, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run browser tests"
    )
    from playwright.sync_api import expect, sync_playwright

    screens = Path(os.environ.get("UI_SCREENS_DIR", str(tmp_path / "screens")))
    screens.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(app_url + "/")  # Practice is the default page, served at the root
            expect(page.get_by_role("heading", name="Practice")).to_be_visible(timeout=30_000)
            box = page.get_by_label("Your answer (English or 中文)")
            expect(box).to_be_visible(timeout=30_000)
            box.fill(
                "自注意力通过查询、键和值计算权重，对序列中所有位置加权求和。Self-attention weighs every position."
            )
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_text("Score").first).to_be_visible(timeout=60_000)
            expect(page.get_by_text("/ 100").first).to_be_visible(timeout=60_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(screens / "practice_graded.png"), full_page=True)
            for name in PAGES:
                page.goto(f"{app_url}/{'' if name == 'practice' else name}")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1500)
                assert not page.get_by_text("Traceback").count(), f"traceback on {name}"
                page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
            # the graded practice attempt is in the history
            page.goto(f"{app_url}/history")
            expect(page.get_by_test_id("stMetricValue").first).to_have_text("1", timeout=30_000)
        finally:
            browser.close()
    from quiz.store import AttemptStore

    stored = AttemptStore(f"sqlite:///{tmp_path / 'e2e.db'}").attempts(user="guest")
    assert len(stored) == 1 and stored[0].answer.startswith("自注意力") and stored[0].grade is not None
