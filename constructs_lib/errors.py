"""The error every synth-time check in this library raises.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from typing import Any


class EmrServerlessValidationError(ValueError):
    """A configuration that EMR Serverless, CloudFormation or AWS would refuse, caught at synth.

    The message names the argument, the value, the rule (with the release or limit
    behind it) and the fix, so the first thing a user sees is what to change.
    """

    argument: str
    value: Any
    rule: str
    fix: str

    def __init__(self, *, argument: str, value: Any, rule: str, fix: str) -> None:
        self.argument = argument
        self.value = value
        self.rule = rule
        self.fix = fix
        super().__init__(f"{argument}={_show(value)}: {rule}. Fix: {fix}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
