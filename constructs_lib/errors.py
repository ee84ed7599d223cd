"""The error every synth-time check in this library raises.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import reprlib
from typing import Any

from constructs_lib.sources import cite

#: At most this many characters of a value are shown in a message.
MAX_SHOWN_VALUE = 200


class EmrServerlessValidationError(ValueError):
    """A configuration that EMR Serverless, CloudFormation or AWS would refuse, caught at synth.

    The message names the argument, the value, the rule (with the address of the AWS
    documentation page behind it) and the fix, so the first thing a user sees is what to
    change.
    """

    argument: str
    value: Any
    rule: str
    fix: str

    def __init__(self, *, argument: str, value: Any, rule: str, fix: str) -> None:
        self.argument = argument
        self.value = value
        self.rule = cite(rule)
        self.fix = fix
        super().__init__(f"{argument}={show(value)}: {self.rule}. Fix: {fix}")


class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if (
            x.bit_length() > 128
        ):  # formatting a huge integer is slow (and refused past 4,300 digits)
            return f"<a {x.bit_length()}-bit integer>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()
_SHORT.maxstring = MAX_SHOWN_VALUE
_SHORT.maxother = MAX_SHOWN_VALUE
_SHORT.maxlong = 40
_SHORT.maxlevel = 3
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 8


def show(value: Any) -> str:
    """``repr(value)`` cut short, bounded in time and memory whatever the value.

    Strings, numbers and containers are cut *before* they are formatted (``reprlib``), so a
    huge or deeply nested value costs no more than a small one.
    """
    text = _SHORT.repr(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 3] + "..."
