"""``python -m quiz report``: one user's study report as CSV, XLSX, Markdown or HTML.

Functions:
    register(subparsers)   adds the ``report`` command

Attempts come from the store (``--database-url``, default ``settings.database_url``) and topics
from the bank (``--bank``, default ``settings.bank_path``). Stored review cards are used when the
user has any; otherwise the review queue is rebuilt from the history. Text formats go to stdout
unless ``--output`` is given; ``xlsx`` needs ``--output``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from quiz.settings import Settings

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report --user NAME --format csv|xlsx|md|html [--output FILE] [--database-url URL]``."""
    from quiz.reports.exports import EXPORT_FORMATS

    report = subparsers.add_parser("report", help="Write a user's study report (weak topics, review queue).")
    report.add_argument("--user", default=None, help="User profile (default: settings.user_name).")
    report.add_argument("--format", choices=EXPORT_FORMATS, default="md", help="Output format (default: md).")
    report.add_argument("--output", default=None, help="File to write (default: stdout; required for xlsx).")
    report.add_argument("--database-url", default=None, help="Attempt store URL (default: settings.database_url).")
    report.add_argument("--bank", default=None, help="Bank file for topics (default: settings.bank_path).")
    report.add_argument(
        "--now", default=None, type=_aware_datetime, help="Report time, ISO 8601 (default: the current time)."
    )
    report.set_defaults(func=_report)


def _aware_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from quiz.bank import load_bank
    from quiz.errors import BankError
    from quiz.reports.exports import export
    from quiz.store import AttemptStore

    if args.format == "xlsx" and not args.output:
        print("error: --format xlsx needs --output FILE (a workbook is not written to a terminal)", file=sys.stderr)
        return 2
    user = args.user or settings.user_name
    try:
        questions = load_bank(args.bank or settings.bank_path).questions
    except BankError as exc:
        # A report is still useful without topics; say why they are missing.
        print(f"warning: {exc}; topics are left out", file=sys.stderr)
        questions = ()
    store = AttemptStore(args.database_url or settings.database_url)
    try:
        attempts = store.attempts(user=user)
        cards = [(c[0], c[1], c[2]) for c in store.review_cards(user)] or None
    finally:
        store.close()
    now = args.now or datetime.now(UTC)
    data = export(attempts, questions, args.format, now, cards, user=user)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(data)} bytes, {len(attempts)} attempts of {user})", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
        sys.stdout.flush()
    return 0
