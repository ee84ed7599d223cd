"""Run a pattern rule on a literal argument, or record that a token was not checked."""

from __future__ import annotations

from constructs import IConstruct

from constructs_lib._checks import PatternRule
from constructs_lib.tokens import is_unresolved, warn_unchecked


def check_literal(scope: IConstruct, value: str, rule: PatternRule) -> None:
    """``rule.check(value)``; for a token, a warning on ``scope`` names the skipped rule."""
    if is_unresolved(value):
        warn_unchecked(scope, argument=rule.argument, rule=rule.rule)
    else:
        rule.check(value)
