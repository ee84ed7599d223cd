"""What every command-line tool shares: our errors as one line and exit 2, checked numbers.

A tool wraps its work in :func:`exit_on_validation_error` (or calls :func:`run_cli`): an
:class:`~constructs_lib.errors.EmrServerlessValidationError` (a config error included)
prints ``<prog>: error: <message>`` on stderr, one line per problem, with no traceback,
and exits with status 2. Any other exception is a bug and keeps its traceback.

:func:`whole_number` and :func:`finite_number` are ``argparse`` types that refuse what is
not a number in range (``nan``, ``inf``, ``1e999``, 5,000 digits) with the range in the
message.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

from constructs_lib.config_reader import one_line
from constructs_lib.errors import EmrServerlessValidationError, show

#: The exit status of a command refused for its input (as ``argparse`` uses for usage errors).
USAGE_ERROR = 2

_T = TypeVar("_T")

#: A whole number as a command line writes it: ASCII digits, an optional sign, no more
#: digits than any limit needs (so a 5,000-digit argument is refused before it is parsed).
_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")
#: A decimal number: digits with an optional fraction and exponent (no ``nan``, ``inf``).
_DECIMAL = re.compile(
    r"[+-]?(?:[0-9]{1,18}(?:\.[0-9]{0,18})?|\.[0-9]{1,18})(?:[eE][+-]?[0-9]{1,3})?"
)


def error_lines(prog: str, error: EmrServerlessValidationError) -> list[str]:
    """``<prog>: error: ...`` lines for ``error``: one per line of its message, printable."""
    return [f"{prog}: error: {one_line(line.strip())}" for line in str(error).splitlines()]


@contextmanager
def exit_on_validation_error(prog: str, *, stderr: TextIO | None = None) -> Iterator[None]:
    """Turn our validation errors into one line per problem on stderr and exit status 2.

    ``with exit_on_validation_error("emr-serverless-subnet-plan"): ...``

    :raises SystemExit: with :data:`USAGE_ERROR`, for an ``EmrServerlessValidationError``.
        Other exceptions pass through unchanged (a bug keeps its traceback).
    """
    try:
        yield
    except EmrServerlessValidationError as error:
        stream = stderr if stderr is not None else sys.stderr
        for line in error_lines(prog, error):
            print(line, file=stream)
        raise SystemExit(USAGE_ERROR) from None


def run_cli(main: Callable[[], _T], *, prog: str, stderr: TextIO | None = None) -> _T:
    """``main()``, with our validation errors printed as one line each and exit status 2."""
    with exit_on_validation_error(prog, stderr=stderr):
        return main()


def whole_number(minimum: int, maximum: int) -> Callable[[str], int]:
    """An ``argparse`` type: a whole number from ``minimum`` to ``maximum``, nothing else."""

    def parse(text: str) -> int:
        if _WHOLE.fullmatch(text.strip()):
            value = int(text)
            if minimum <= value <= maximum:
                return value
        raise argparse.ArgumentTypeError(
            f"{show(text)} is not a whole number from {minimum:,} to {maximum:,}"
        )

    parse.__name__ = "whole number"
    return parse


def finite_number(
    minimum: float, maximum: float, *, above_minimum: bool = False
) -> Callable[[str], float]:
    """An ``argparse`` type: a finite decimal number from ``minimum`` to ``maximum``.

    With ``above_minimum``, ``minimum`` itself is refused (e.g. a poll interval of 0).
    Refuses ``nan``, ``inf``, numbers that overflow (``1e999``) and hexadecimal floats.
    """
    low = "more than" if above_minimum else "from"
    high = "and at most" if above_minimum else "to"

    def parse(text: str) -> float:
        if _DECIMAL.fullmatch(text.strip()):
            value = float(text)
            in_range = (value > minimum if above_minimum else value >= minimum) and (
                value <= maximum
            )
            if math.isfinite(value) and in_range:
                return value
        raise argparse.ArgumentTypeError(
            f"{show(text)} is not a number {low} {_figure(minimum)} {high} {_figure(maximum)}"
        )

    parse.__name__ = "number"
    return parse


def _figure(value: float) -> str:
    """``value`` for a message: whole numbers with thousands separators."""
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"
