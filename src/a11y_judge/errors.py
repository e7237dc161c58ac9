"""Errors meant for people: each says what went wrong and what to do."""

from __future__ import annotations


class A11yJudgeError(Exception):
    """Base class for errors shown to users as one line."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}. {self.hint}" if self.hint else self.message


class IngestError(A11yJudgeError):
    """A file could not be read or understood."""

    def __init__(self, filename: str, message: str, *, hint: str = "") -> None:
        super().__init__(f"{filename}: {message}", hint=hint)
        self.filename = filename


class RubricError(A11yJudgeError):
    """The rubric file is missing or invalid."""


class JudgeConfigError(A11yJudgeError):
    """A judge spec is unknown or lacks what it needs (e.g. an API key)."""


class HistoryError(A11yJudgeError):
    """The history database cannot be used."""


class RunNotFoundError(HistoryError):
    """No run with that id."""
