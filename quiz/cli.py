"""Command line: ``python -m quiz …``.

Each area registers its own sub-commands (``quiz/bank/cli.py``, ``quiz/grading/cli.py``,
``quiz/reports/cli.py``); this module only builds the parser, reads ``Settings`` from the
environment and turns ``QuizError`` into a clear message and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from quiz.errors import QuizError
from quiz.settings import Settings

# Modules that define ``register(subparsers) -> None``; each sub-command sets ``func(args, settings) -> int``.
_COMMAND_MODULES = ("quiz.bank.cli", "quiz.grading.cli", "quiz.reports.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m quiz", description="Interview-practice quiz tools.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # an area not built yet
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings) or 0)
    except QuizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `python -m quiz bank export | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
