"""Enums that also accept their plain string forms, case-insensitively.

``EngineType("spark")``, ``Architecture("arm64")`` and ``DiskType("shuffle_optimized")``
return the member; an enum may add further spellings (``WorkerType("TEZ_TASK")``) with
:meth:`LenientEnum._aliases`. Any other string raises
:class:`~constructs_lib.errors.EmrServerlessValidationError` listing the accepted forms,
never a bare ``ValueError`` or ``AttributeError``.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar

from constructs_lib.errors import EmrServerlessValidationError

_E = TypeVar("_E", bound="LenientEnum")


def _fold(text: str) -> str:
    return text.strip().upper().replace("-", "_").replace(" ", "_")


class LenientEnum(Enum):
    """An enum whose members are also found by name or string value, ignoring case.

    Subclasses with members of non-string values (tuples) are found by name, and by the
    extra spellings :meth:`_aliases` returns.
    """

    @classmethod
    def _aliases(cls) -> dict[str, Any]:
        """Extra spellings -> member (folded to upper case with ``_``); default none."""
        return {}

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        folded = _fold(value)
        for member in cls:
            if _fold(member.name) == folded or (
                isinstance(member.value, str) and _fold(member.value) == folded
            ):
                return member
        return cls._aliases().get(folded)

    @classmethod
    def accepted(cls) -> list[str]:
        """The string forms this enum accepts (its values, or names for non-string values)."""
        forms = [m.value if isinstance(m.value, str) else m.name for m in cls]
        return list(dict.fromkeys([*forms, *cls._aliases()]))

    @classmethod
    def parse(cls: type[_E], value: object, *, argument: str) -> _E:
        """``value`` as a member: a member, or one of its string forms (any case).

        :raises EmrServerlessValidationError: naming ``argument``, the value and the forms.
        """
        if isinstance(value, cls):
            return value
        member = cls._missing_(value) if isinstance(value, str) else None
        if member is None:
            raise EmrServerlessValidationError(
                argument=argument,
                value=value,
                rule=f"{argument} is a {cls.__name__}: one of {_listing(cls.accepted())} "
                "(any case)",
                fix=f"pass {cls.__name__}.{next(iter(cls)).name} or one of those strings",
            )
        return member  # type: ignore[no-any-return]


def _listing(forms: Iterable[str]) -> str:
    return ", ".join(repr(form) for form in forms)
