"""Check (and where unambiguous, convert) a public call's arguments against its type hints.

``@checked_arguments`` on a construct's ``__init__`` or a public method makes a wrongly
typed argument fail with :class:`~constructs_lib.errors.EmrServerlessValidationError`
naming the argument, the value and the type it takes, before the body runs, instead of
an ``AttributeError``/``TypeError`` from deep inside the library or a jsii error. String
forms of enum arguments are converted (``engine="spark"``, see
:class:`~constructs_lib._enums.LenientEnum`), inside sequences and mapping keys too.

Checks are structural and run in Python only (no call into aws-cdk-lib's JavaScript
runtime): a jsii interface type (``ec2.IVpc``) cannot be checked exactly in Python, so any
object that is not a plain value (string, number, list, mapping) passes for it.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
import typing
from collections import abc
from collections.abc import Callable
from enum import Enum
from typing import Any, ParamSpec, TypeVar

from constructs_lib._enums import LenientEnum
from constructs_lib.errors import EmrServerlessValidationError

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: aws-cdk-lib encodes a number token as a double near -1.89e289; no real setting is that big.
_TOKEN_DOUBLE_MAGNITUDE = 1e288
_PLAIN = (str, bytes, int, float, bool, list, tuple, dict, set, frozenset)


class _MismatchError(Exception):
    def __init__(self, argument: str, value: Any, expected: str, fix: str | None = None) -> None:
        super().__init__(argument)
        self.argument = argument
        self.value = value
        self.expected = expected
        self.fix = fix


def checked_arguments(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorate ``function`` so its arguments are checked and converted by their type hints."""
    signature = inspect.signature(function)
    hints: dict[str, Any] | None = None

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        nonlocal hints
        if hints is None:
            hints = _hints(function, signature)
        bound = signature.bind_partial(*args, **kwargs)
        for name, value in list(bound.arguments.items()):
            hint = hints.get(name)
            if hint is None:
                continue
            try:
                bound.arguments[name] = _convert(value, hint, name)
            except _MismatchError as mismatch:
                raise EmrServerlessValidationError(
                    argument=mismatch.argument,
                    value=mismatch.value,
                    rule=f"{mismatch.argument} takes {mismatch.expected}",
                    fix=mismatch.fix or f"pass {mismatch.expected}",
                ) from None
        return function(*bound.args, **bound.kwargs)

    return wrapper


def _hints(function: Callable[..., Any], signature: inspect.Signature) -> dict[str, Any]:
    """Each checkable parameter's hint, resolved in ``function``'s module."""
    module = sys.modules.get(function.__module__)
    namespace = dict(vars(module)) if module else {}
    resolved: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        if name in ("self", "cls") or parameter.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ):
            continue
        annotation = parameter.annotation
        if annotation is inspect.Parameter.empty:
            continue
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, namespace)
            except Exception:  # a name imported only for type checking: not checked
                continue
        resolved[name] = annotation
    return resolved


def _convert(value: Any, hint: Any, argument: str) -> Any:
    """``value`` checked against ``hint``; enum strings become members."""
    if hint is Any or hint is object or isinstance(hint, TypeVar):
        return value
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union(value, typing.get_args(hint), argument, hint)
    if origin is typing.Literal:
        if value in typing.get_args(hint):
            return value
        raise _MismatchError(argument, value, f"one of {list(typing.get_args(hint))!r}")
    if origin is not None:
        return _generic(value, origin, typing.get_args(hint), argument, hint)
    if hint is type(None):
        if value is None:
            return None
        raise _MismatchError(argument, value, "None")
    if isinstance(hint, type):
        return _instance(value, hint, argument)
    return value


def _union(value: Any, arms: tuple[Any, ...], argument: str, hint: Any) -> Any:
    if value is None and type(None) in arms:
        return None
    others = [arm for arm in arms if arm is not type(None)]
    for arm in others:  # an exact match first, so that a str arm keeps a string as it is
        if isinstance(arm, type) and not issubclass(arm, Enum) and _exact(value, arm):
            return value
    first: _MismatchError | None = None
    for arm in others:
        try:
            return _convert(value, arm, argument)
        except _MismatchError as mismatch:
            first = first or mismatch
    if len(others) == 1 and first is not None:
        raise first
    raise _MismatchError(argument, value, _describe(hint))


def _exact(value: Any, arm: type) -> bool:
    try:
        return _instance(value, arm, "") is value
    except _MismatchError:
        return False


_SEQUENCES = (abc.Sequence, abc.Collection, abc.Iterable, list, tuple, abc.Set, set, frozenset)


def _generic(value: Any, origin: Any, args: tuple[Any, ...], argument: str, hint: Any) -> Any:
    if origin in (abc.Mapping, abc.MutableMapping, dict):
        return _mapping(value, args, argument, hint)
    if origin in _SEQUENCES:
        return _sequence(value, origin, args, argument, hint)
    if origin is abc.Callable:
        if callable(value):
            return value
        raise _MismatchError(argument, value, "a callable")
    if origin is type and not isinstance(value, type):
        raise _MismatchError(argument, value, _describe(hint))
    return value


def _mapping(value: Any, args: tuple[Any, ...], argument: str, hint: Any) -> Any:
    if not isinstance(value, abc.Mapping):
        raise _MismatchError(argument, value, _describe(hint))
    key_hint, value_hint = args if len(args) == 2 else (Any, Any)
    converted = {}
    for key, item in value.items():
        where = f"{argument}[{key!r}]"
        converted[_convert(key, key_hint, where)] = _convert(item, value_hint, where)
    return converted


def _sequence(value: Any, origin: Any, args: tuple[Any, ...], argument: str, hint: Any) -> Any:
    if isinstance(value, str | bytes) or not isinstance(value, abc.Iterable):
        raise _MismatchError(argument, value, _describe(hint))
    items = list(value)
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        if len(args) != len(items):  # a fixed-length tuple
            raise _MismatchError(argument, value, _describe(hint))
        item_hints = list(args)
    else:
        item_hints = [args[0] if args else Any] * len(items)
    converted = [
        _convert(item, item_hint, f"{argument}[{index}]")
        for index, (item, item_hint) in enumerate(zip(items, item_hints, strict=True))
    ]
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return type(value)(converted)
    return converted


def _instance(value: Any, hint: type, argument: str) -> Any:
    if issubclass(hint, Enum):
        return _enum(value, hint, argument)
    if _number_or_flag_matches(value, hint) or _object_matches(value, hint):
        return value
    raise _MismatchError(argument, value, _describe(hint))


def _number_or_flag_matches(value: Any, hint: type) -> bool:
    not_bool = not isinstance(value, bool)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        # a number token (a huge negative double) is checked where it resolves
        token = isinstance(value, float) and abs(value) > _TOKEN_DOUBLE_MAGNITUDE
        return (isinstance(value, int) and not_bool) or token
    if hint is float:
        return isinstance(value, int | float) and not_bool
    return False


def _object_matches(value: Any, hint: type) -> bool:
    if hint in (bool, int, float):
        return False
    if getattr(hint, "_is_protocol", False):
        try:
            return isinstance(value, hint)
        except TypeError:  # a jsii interface: no runtime check in Python
            return value is not None and not isinstance(value, _PLAIN)
    return isinstance(value, hint)


def _enum(value: Any, hint: type[Enum], argument: str) -> Any:
    if isinstance(value, hint):
        return value
    if issubclass(hint, LenientEnum):
        if isinstance(value, str):
            return hint.parse(value, argument=argument)
        raise _MismatchError(
            argument,
            value,
            f"a {hint.__name__} or one of its names, {', '.join(map(repr, hint.accepted()))}",
        )
    if isinstance(value, str):
        for member in hint:
            if value.upper() in (member.name, str(member.value).upper()):
                return member
    accepted = ", ".join(repr(m.name) for m in hint)
    raise _MismatchError(argument, value, f"a {hint.__name__} ({accepted})")


def _describe(hint: Any) -> str:
    """``hint`` in words, e.g. ``a Duration or None``."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        arms = [a for a in args if a is not type(None)]
        text = " or ".join(_describe(a) for a in arms)
        return f"{text} or None" if len(arms) < len(args) else text
    if origin in (abc.Mapping, abc.MutableMapping, dict):
        key, value = args if len(args) == 2 else (Any, Any)
        return f"a mapping, each key {_plain(key)} and each value {_plain(value)}"
    if origin in (abc.Sequence, abc.Collection, abc.Iterable, list, tuple, abc.Set, set, frozenset):
        return f"a list, each {_plain(args[0]) if args else 'any value'}"
    if hint is type(None):
        return "None"
    return _plain(hint)


def _plain(hint: Any) -> str:
    if typing.get_origin(hint) is not None or hint is type(None):
        return _describe(hint)
    if hint is Any:
        return "any value"
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return f"a {hint.__name__}"
        names = {bool: "True or False", int: "a whole number", float: "a number", str: "a string"}
        if hint in names:
            return names[hint]
        module = hint.__module__.split(".")
        qualifier = f"{module[1]}." if module[0] == "aws_cdk" and len(module) > 1 else ""
        return f"a {qualifier}{hint.__name__}"
    return str(hint)


_C = TypeVar("_C", bound=type)


def checked_fields(cls: _C) -> _C:
    """Class decorator for a dataclass: its fields are checked like :func:`checked_arguments`.

    Put it above ``@dataclass``.
    """
    cls.__init__ = checked_arguments(cls.__init__)  # type: ignore[misc]
    return cls
