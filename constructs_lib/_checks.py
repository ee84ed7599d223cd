"""Small checks the application rules share: a pattern, a range, a count.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Sized
from dataclasses import dataclass

from constructs_lib.errors import EmrServerlessValidationError


def fullmatch(
    pattern: re.Pattern[str], value: str, *, argument: str, rule: str, fix: str
) -> re.Match[str]:
    """The match of ``pattern`` on all of ``value``; refuse ``value`` when there is none."""
    match = pattern.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise EmrServerlessValidationError(argument=argument, value=value, rule=rule, fix=fix)
    return match


def check_range(value: int, low: int, high: int, *, argument: str, unit: str, source: str) -> None:
    """Refuse ``value`` outside ``low``-``high`` ``unit`` (the limit comes from ``source``)."""
    if not low <= value <= high:
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule=f"{low:,}-{high:,} {unit} ({source})",
            fix=f"use a value from {low:,} to {high:,} {unit}",
        )


def check_at_most(items: Sized, maximum: int, *, argument: str, rule: str, fix: str) -> None:
    """Refuse more than ``maximum`` ``items``; ``rule`` says what holds at most how many."""
    if len(items) > maximum:
        raise EmrServerlessValidationError(
            argument=argument, value=f"{len(items)} items", rule=rule, fix=fix
        )


@dataclass(frozen=True)
class PatternRule:
    """A text argument that must match ``pattern`` in full."""

    pattern: re.Pattern[str]
    argument: str
    rule: str
    fix: str

    def check(self, value: str) -> None:
        """Refuse ``value`` unless it matches."""
        fullmatch(self.pattern, value, argument=self.argument, rule=self.rule, fix=self.fix)
