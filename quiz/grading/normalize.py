"""Text normalisation shared by the bank (dedupe, matching) and the grader.

Functions:
    to_simplified(text)      traditional -> simplified Chinese (OpenCC t2s)
    strip_markdown(text)     remove markdown syntax, keep the words
    normalize(text)          t2s + NFKC width folding + markdown stripped + case-folded + spaces collapsed
    match_key(text)          normalize() and drop all punctuation and spaces: for matching question texts
    split_sentences(text)    split Chinese/English prose, bullets and table cells into sentences
    cjk_share(text)          share of letters that are CJK ideographs (0..1)
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["cjk_share", "match_key", "normalize", "split_sentences", "strip_markdown", "to_simplified"]


@functools.lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc  # opencc-python-reimplemented: pure Python, no native library needed

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified; other text is unchanged."""
    if not text or not re.search(r"[\u4e00-\u9fff]", text):
        return text
    return _t2s().convert(text)


_FENCE = re.compile(r"^\s*(```|~~~)[^\n]*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_QUOTE = re.compile(r"^\s*>\s?", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"`([^`]*)`")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$", re.MULTILINE)
_MATH = re.compile(r"\$\$?([^$]*)\$\$?")


def strip_markdown(text: str) -> str:
    """Remove markdown markup (fences, emphasis, links, images, headings, bullets, tables, <br>) keeping words.

    Line structure is kept so that bullets and table rows still split into sentences.
    """
    out = _HTML_BREAK.sub("\n", text)
    out = _FENCE.sub("", out)
    out = _IMAGE.sub(lambda m: m.group(1) if m.group(1).lower() != "untitled" else "", out)
    out = _LINK.sub(r"\1", out)
    out = _HTML_TAG.sub("", out)
    out = _TABLE_RULE.sub("", out)
    out = _HEADING.sub("", out)
    out = _QUOTE.sub("", out)
    out = _BULLET.sub("", out)
    for _ in range(2):  # nested emphasis such as **`term`**
        out = _EMPHASIS.sub(r"\2", out)
    out = _INLINE_CODE.sub(r"\1", out)
    out = _MATH.sub(r"\1", out)
    out = out.replace("|", " ")
    return out


_SPACES = re.compile(r"[ \t\u3000]+")


def normalize(text: str) -> str:
    """Script-, width- and case-folded plain text, used before embedding and matching."""
    out = unicodedata.normalize("NFKC", text)  # full-width letters/digits/punctuation -> half-width
    out = strip_markdown(out)
    out = to_simplified(out)
    out = out.casefold()
    out = _SPACES.sub(" ", out)
    out = re.sub(r"\s*\n\s*", "\n", out)
    return out.strip()


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def match_key(text: str) -> str:
    """A key for comparing question texts: normalised, with punctuation and whitespace removed."""
    return _NOT_WORD.sub("", normalize(text))


# Sentence ends: Chinese full stops/semicolons always; English '.', '!' or '?' only before a space/end so that
# "3.5", "e.g." inside words and version numbers survive reasonably.
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])|(?<=[.])(?=\s|$)")


def split_sentences(text: str, *, min_chars: int = 2) -> list[str]:
    """Split normalised-or-raw text into sentences on line breaks and sentence punctuation.

    Pieces shorter than ``min_chars`` (after stripping) are dropped; no piece is lost otherwise.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        for piece in _SENTENCE_END.split(line):
            piece = piece.strip(" \t-*•:：,，")
            if len(piece) >= min_chars:
                sentences.append(piece)
    return sentences


def cjk_share(text: str) -> float:
    """Share of letter characters that are CJK ideographs; 0.0 for text without letters."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    cjk = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    return cjk / len(letters)
