"""Warnings the pure rules give, for the construct that called them to record.

A rule that finds something the service accepts but the guide advises against (or that
this library cannot check) calls :func:`advise`. The advice is returned, and recorded in
the innermost :func:`collecting` block, where the construct turns each one into
``Annotations.of(scope).add_warning_v2("emr-serverless:<id>", text)``. Outside such a
block the advice is only returned.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    """One warning: its id (``emr-serverless:<id>``) and its text."""

    id: str
    text: str


_SINK: ContextVar[list[Advice] | None] = ContextVar("emr_serverless_advice", default=None)


def advise(advice_id: str, text: str) -> Advice:
    """Record ``text`` under ``advice_id`` in the active :func:`collecting` block; return it."""
    advice = Advice(advice_id, text)
    sink = _SINK.get()
    if sink is not None and advice not in sink:
        sink.append(advice)
    return advice


@contextlib.contextmanager
def collecting() -> Iterator[list[Advice]]:
    """Collect the advice given inside the block, in order, without duplicates."""
    sink: list[Advice] = []
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)
