"""The quiz package's exceptions: one small tree, caught by the UI as ``QuizError``.

::

    QuizError
    ├── ConfigError            a setting has a bad value
    ├── QuestionParseError     a source file (or part of one) could not be read
    ├── BankError              the built bank is missing, corrupt or inconsistent
    │   └── QuestionNotFound   a question id or text does not resolve
    ├── GradingError           an answer could not be graded (model failed to load, ...)
    ├── FeedbackUnavailable    the optional LLM feedback could not be produced
    └── StorageError           the attempt store cannot be read or written
"""

from __future__ import annotations

__all__ = [
    "BankError",
    "ConfigError",
    "FeedbackUnavailable",
    "GradingError",
    "QuestionNotFound",
    "QuestionParseError",
    "QuizError",
    "StorageError",
]


class QuizError(Exception):
    """Root of every error the quiz package raises on purpose."""


class ConfigError(QuizError):
    """A setting has a value that cannot be used."""


class QuestionParseError(QuizError):
    """A source file, or one item in it, could not be parsed.

    ``path`` names the file and ``line`` the 1-based line where the problem starts
    (``None`` when it concerns the whole file).
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class BankError(QuizError):
    """The question bank file is missing, corrupt or inconsistent."""


class QuestionNotFound(BankError):
    """A question id or question text does not resolve to a bank question."""


class GradingError(QuizError):
    """An answer could not be graded (for example the embedding model failed to load)."""


class FeedbackUnavailable(QuizError):
    """The optional LLM feedback could not be produced; the offline grade still stands."""


class StorageError(QuizError):
    """The attempt store cannot be opened, read or written."""
