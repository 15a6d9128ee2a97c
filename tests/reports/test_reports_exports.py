"""Exports parse back: CSV and XLSX through pandas, HTML through xml.etree, Markdown in weakest-first order."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pandas as pd
import pytest

from quiz.reports import exports, to_html
from quiz.reports.mastery import NOT_IN_BANK, UNTAGGED

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
VOID = {"meta", "br", "link", "img", "input", "hr"}


def parse_html(data: bytes) -> ET.Element:
    """The report is XHTML-compatible: drop the doctype and parse it as XML."""
    text = data.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    return ET.fromstring(text.removeprefix("<!DOCTYPE html>"))


class _TagBalance(HTMLParser):
    """A second, HTML-level check: every non-void tag is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>, open: {self.stack[-3:]}"
        self.stack.pop()


def check_balanced(data: bytes) -> set[str]:
    parser = _TagBalance()
    parser.feed(data.decode("utf-8"))
    parser.close()
    assert parser.stack == []
    return parser.tags


def test_csv_parses_back(history, questions):
    data = exports.to_csv(history, questions)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so spreadsheet programs read UTF-8
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(frame) == len(history)
    assert set(frame["attempt_id"]) == {a.id for a in history}
    rows = frame.set_index("attempt_id")
    assert rows.loc["a2", "score"] == 80.0 and rows.loc["a3", "late"]
    assert pd.isna(rows.loc["a8", "score"]) and rows.loc["a8", "band"] == "ungraded"
    assert rows.loc["a1", "topics"] == "attention" and rows.loc["a10", "topics"] == NOT_IN_BANK
    assert rows.loc["a1", "submitted_at"] == "2025-03-01T12:00:00+00:00"


def test_xlsx_parses_back(history, questions, now):
    data = exports.to_xlsx(history, questions, now)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == ["attempts", "topics", "weak_points", "questions", "sessions"]
    assert len(sheets["attempts"]) == len(history)
    assert list(sheets["topics"]["topic"]) == [UNTAGGED, NOT_IN_BANK, "attention", "efficiency", "fine-tuning"]
    assert sheets["topics"]["mastery"].tolist()[2] == pytest.approx(78.3333, abs=1e-3)
    weak = sheets["weak_points"]
    attention = weak[weak["topic"] == "attention"]
    assert attention[attention["kind"] == "key point"][["text", "misses"]].values.tolist()[0] == [
        "weighted sum of values",
        2,
    ]
    assert list(sheets["sessions"]["session_id"]) == ["t1", "m1"]
    assert str(sheets["attempts"]["submitted_at_utc"].dtype).startswith("datetime64")


def test_formula_like_answers_stay_text(attempt_factory, questions, now):
    evil = '=HYPERLINK("http://example.invalid","click")'
    attempts = [attempt_factory("x", "q-attn", 50, now, answer=evil)]
    csv_frame = pd.read_csv(io.BytesIO(exports.to_csv(attempts, questions)), encoding="utf-8-sig")
    assert csv_frame.loc[0, "answer"] == "'" + evil
    xlsx = pd.read_excel(io.BytesIO(exports.to_xlsx(attempts, questions, now)), sheet_name="attempts")
    assert xlsx.loc[0, "answer"] == evil


def test_markdown_lists_weakest_topics_in_order(history, questions, now):
    text = exports.to_markdown(history, questions, now)
    assert text.startswith("# Study report — ann")
    order = [f"**{t}**" for t in (r"\(untagged\)", r"\(not in bank\)", "attention", "efficiency", "fine-tuning")]
    order = [o.replace(r"\(", "(").replace(r"\)", ")") for o in order]
    positions = [text.index(o) for o in order]
    assert positions == sorted(positions)
    assert "1. **(untagged)**: mastery 20/100 (learning)" in text
    assert "weighted sum of values (×2)" in text and "kv cache (×2); query (×2); softmax (×1)" in text
    assert "## Due for review" in text and "Tell me about yourself." in text
    assert "| 2025-03-15 | mock | 3 | 77 | 0 |" in text


def test_html_is_well_formed_and_escapes_answers(attempt_factory, history, questions, now):
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)> & </div>'
    attempts = [*history, attempt_factory("evil", "q-attn", 30, now, answer=nasty, missed_points=["<b>bold</b>"])]
    data = to_html(attempts, questions, now)
    root = parse_html(data)
    tags = check_balanced(data)
    assert "script" not in tags and "img" not in tags
    assert not any(el.tag in (f"{XHTML}script", f"{SVG}script") for el in root.iter())
    text = data.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt; (×1)" in text
    # Self-contained: inline CSS, inline SVG charts, nothing fetched.
    assert root.find(f"{XHTML}head/{XHTML}style") is not None
    assert len(root.findall(f".//{SVG}svg")) == 2
    assert "@media print" in text
    assert "<link" not in text and "@import" not in text and 'src="http' not in text


def test_html_weak_topics_in_order(history, questions, now):
    root = parse_html(to_html(history, questions, now))
    items = root.findall(f".//{XHTML}ol/{XHTML}li/{XHTML}strong")
    assert [i.text for i in items] == [UNTAGGED, NOT_IN_BANK, "attention", "efficiency", "fine-tuning"]


def test_exports_hold_no_secrets(attempt_factory, questions, now):
    attempts = [attempt_factory("x", "q-kv", 75, now, answer="A harmless answer about caching.")]
    for fmt in exports.EXPORT_FORMATS:
        data = exports.export(attempts, questions, fmt, now)
        assert isinstance(data, bytes) and data
        if fmt != "xlsx":
            assert b"api_key" not in data.lower()
    frame = pd.read_csv(io.BytesIO(exports.export(attempts, questions, "csv")), encoding="utf-8-sig")
    assert not [c for c in frame.columns if "api" in c.lower() or "secret" in c.lower()]
    for name, sheet in pd.read_excel(io.BytesIO(exports.export(attempts, questions, "xlsx")), sheet_name=None).items():
        assert not [c for c in sheet.columns if "api" in str(c).lower()], name
        assert "api_key" not in sheet.astype(str).to_string().lower()


def test_empty_history_reports_say_how_to_start(questions, now):
    md = exports.to_markdown([], questions, now)
    assert "Nothing to report yet" in md and "Practice page" in md
    html = to_html([], questions, now)
    parse_html(html)
    assert b"Nothing to report yet" in html
    csv_frame = pd.read_csv(io.BytesIO(exports.to_csv([], questions)), encoding="utf-8-sig")
    assert len(csv_frame) == 0 and "answer" in csv_frame.columns
    sheets = pd.read_excel(io.BytesIO(exports.to_xlsx([], questions, now)), sheet_name=None)
    assert all(len(s) == 0 for s in sheets.values()) and "topic" in sheets["topics"].columns


def test_single_attempt_reports(attempt_factory, questions, now):
    only = [attempt_factory("x", "q-lora", 88, now, missed_keywords=["rank"])]
    md = exports.to_markdown(only, questions, now)
    assert "1 attempts (1 counted) on 1 questions in 1 topics" in md
    assert "**fine-tuning**: mastery 88/100 (solid)" in md and "rank (×1)" in md
    parse_html(to_html(only, questions, now))
    assert len(pd.read_excel(io.BytesIO(exports.to_xlsx(only, questions, now)), sheet_name="attempts")) == 1


def test_stored_cards_drive_the_review_section(history, questions, now):
    cards = [("q-lora", "{}", now - __import__("datetime").timedelta(days=2))]
    md = exports.to_markdown(history, questions, now, cards)
    assert "## Due for review (1)" in md and "What is LoRA?" in md


def test_markdown_escapes_user_text(attempt_factory, questions, now):
    attempts = [attempt_factory("x", "q-attn", 10, now, missed_points=["<script>x</script> | *bold* [l](u)"])]
    md = exports.to_markdown(attempts, questions, now)
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert r"\| \*bold\* \[l\](u)" in md


def test_unknown_format_is_rejected(history, questions):
    with pytest.raises(ValueError, match="unknown export format"):
        exports.export(history, questions, "pdf")
