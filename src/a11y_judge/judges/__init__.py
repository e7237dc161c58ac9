"""Jury members, one module per judge, behind one protocol (see base.py)."""

from a11y_judge.judges.base import Judge, available_providers, create_judge, register

__all__ = ["Judge", "available_providers", "create_judge", "register"]
