"""What a change to an EMR Serverless application's properties does to a running application.

EMR Serverless updates an application only while it is CREATED or STOPPED, except for the
properties it changes live on a STARTED application. :data:`UPDATE_RULES` says which is
which, one row per CloudFormation property of ``AWS::EMRServerless::Application``, each with
its source; :func:`classify_update` applies it to a before/after pair of property maps (as
in two synthesized templates). The lifecycle custom resource and ``make review`` both read
this table.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class UpdateEffect(Enum):
    """What changing a property does to a STARTED application."""

    #: Changed while the application runs (no stop).
    LIVE = "live"
    #: EMR Serverless refuses the change unless the application is stopped first.
    STOPS = "stops"
    #: CloudFormation replaces the application (a create-only property).
    REPLACES = "replaces"


@dataclass(frozen=True)
class PropertyChange:
    """One changed property and its effect."""

    name: str
    effect: UpdateEffect
    reason: str
    source: str


@dataclass(frozen=True)
class ApplicationUpdate:
    """Every changed property of one application, and whether the update stops it."""

    changes: tuple[PropertyChange, ...]

    @property
    def stops(self) -> bool:
        """Whether the update stops a STARTED application (or replaces it)."""
        return any(c.effect is not UpdateEffect.LIVE for c in self.changes)

    @property
    def replaces(self) -> bool:
        """Whether CloudFormation replaces the application."""
        return any(c.effect is UpdateEffect.REPLACES for c in self.changes)


def classify_update(before: Mapping[str, Any], after: Mapping[str, Any]) -> ApplicationUpdate:
    """The changes between two ``Properties`` maps of one application, classified.

    Placeholder until the table lands: every changed property is treated as stopping.
    """
    names = sorted(set(before) | set(after))
    return ApplicationUpdate(
        changes=tuple(
            PropertyChange(
                name=name,
                effect=UpdateEffect.STOPS,
                reason="not yet classified",
                source="",
            )
            for name in names
            if before.get(name) != after.get(name)
        )
    )
