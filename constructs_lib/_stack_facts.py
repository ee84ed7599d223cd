"""What the library reads of a construct's stack and path, read once per object.

``Stack.of(scope)``, a stack's ``region``/``account``/``partition``/``stack_name`` and a
construct's ``node.path`` each cost a request into aws-cdk-lib's JavaScript runtime, and
none of them changes once the construct exists; constructs, grants and checks read them
again and again. The values are kept per JavaScript object (its jsii reference, which
stays the same when jsii hands out a new Python proxy for the object), for the life of
the process, as jsii itself keeps every object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from aws_cdk import Aws, Stack, Stage
from constructs import IConstruct


class StackFacts:
    """A stack and its attributes that never change, each read on first use."""

    def __init__(self, stack: Stack) -> None:
        #: The stack.
        self.stack = stack

    @cached_property
    def region(self) -> str:
        """``stack.region`` (a token for a Region-agnostic stack)."""
        return self.stack.region

    @cached_property
    def account(self) -> str:
        """``stack.account`` (a token for an account-agnostic stack)."""
        return self.stack.account

    @cached_property
    def partition(self) -> str:
        """``stack.partition``."""
        return self.stack.partition

    @cached_property
    def url_suffix(self) -> str:
        """``stack.url_suffix``."""
        return self.stack.url_suffix

    @cached_property
    def stack_name(self) -> str:
        """``stack.stack_name``."""
        return self.stack.stack_name

    @cached_property
    def stage(self) -> Stage | None:
        """``Stage.of(stack)``: the stage of every construct in the stack."""
        return Stage.of(self.stack)

    @cached_property
    def path(self) -> str:
        """The stack's construct path."""
        return path_of(self.stack)


_BY_SCOPE: dict[str, StackFacts] = {}
#: Constructs of this library by jsii reference: their scope and id (:func:`remember_child`).
_CHILDREN: dict[str, tuple[IConstruct, str]] = {}
_BY_STACK: dict[str, StackFacts] = {}
_PATHS: dict[str, str] = {}


def jsii_reference(construct: Any) -> str | None:
    """The jsii reference of a JavaScript object (the same for every Python proxy of it);
    ``None`` for an object implemented in Python and never passed to aws-cdk-lib."""
    reference = getattr(construct, "__jsii_ref__", None)
    return getattr(reference, "ref", None)


def jsii_key(construct: Any) -> str:
    """A key for ``construct`` that survives jsii's new Python proxies: its
    :func:`jsii_reference`, or its ``id`` for a Python object without one."""
    return jsii_reference(construct) or f"python:{id(construct)}"


def stack_facts(scope: IConstruct) -> StackFacts:
    """The facts of the stack ``scope`` is in (``Stack.of(scope)``)."""
    key = jsii_reference(scope)
    facts = _BY_SCOPE.get(key) if key is not None else None
    if facts is not None:
        return facts
    parent = _CHILDREN.get(key) if key is not None else None
    if parent is not None and key is not None:
        facts = _BY_SCOPE[key] = stack_facts(parent[0])
        return facts
    stack = Stack.of(scope)
    stack_key = jsii_reference(stack)
    facts = _BY_STACK.get(stack_key) if stack_key is not None else None
    if facts is None:
        facts = StackFacts(stack)
        if stack_key is not None:
            _BY_STACK[stack_key] = facts
    if key is not None:
        _BY_SCOPE[key] = facts
    return facts


def stack_of(scope: IConstruct) -> Stack:
    """``Stack.of(scope)``, looked up once per construct."""
    return stack_facts(scope).stack


def path_of(construct: IConstruct) -> str:
    """``construct.node.path``, read once per construct."""
    key = jsii_reference(construct)
    if key is None:
        return construct.node.path
    path = _PATHS.get(key)
    if path is None:
        parent = _CHILDREN.get(key)
        path = child_path(*parent) if parent is not None else construct.node.path
        _PATHS[key] = path
    return path


_ATTRIBUTES: dict[tuple[str, str], Any] = {}


def read_once(construct: Any, attribute: str, read: Callable[[], Any] | None = None) -> Any:
    """``getattr(construct, attribute)`` for an attribute that never changes once the
    object exists (a bucket's ARN, name or key, a key's ARN, a resource's ``env``), read
    once per JavaScript object.

    :param read: how to read a value that is not an attribute (kept under ``attribute``).
        Default: ``getattr(construct, attribute)``.
    """
    key = jsii_reference(construct)
    if key is None:
        return read() if read is not None else getattr(construct, attribute)
    try:
        return _ATTRIBUTES[(key, attribute)]
    except KeyError:
        value = read() if read is not None else getattr(construct, attribute)
        _ATTRIBUTES[(key, attribute)] = value
        return value


@functools.cache
def pseudo(name: str) -> str:
    """``getattr(Aws, name)`` (``"PARTITION"``, ``"URL_SUFFIX"``, ...): aws-cdk-lib's
    pseudo-parameter tokens are constants, read once per process."""
    value: str = getattr(Aws, name)
    return value


def child_path(scope: IConstruct, construct_id: str) -> str:
    """The construct path of ``scope``'s child ``construct_id`` (``child.node.path``)."""
    parent = path_of(scope)
    return f"{parent}/{construct_id}" if parent else construct_id


_CONTEXT: dict[tuple[str, str], Any] = {}


def context_of(scope: IConstruct, key: str) -> Any:
    """``scope.node.try_get_context(key)``, read once per construct and key.

    Only for a ``scope`` that already has a child (e.g. the scope of a construct being
    built): ``constructs`` refuses ``set_context`` on a node with children, so neither its
    context nor its ancestors' can change any more.
    """
    reference = jsii_reference(scope)
    if reference is None:
        return scope.node.try_get_context(key)
    try:
        return _CONTEXT[(reference, key)]
    except KeyError:
        value = _CONTEXT[(reference, key)] = scope.node.try_get_context(key)
        return value


_T = TypeVar("_T")
_SINGLETONS: dict[tuple[str, str], Any] = {}


def child_singleton(
    scope: IConstruct, construct_id: str, kind: type[_T], create: Callable[[], _T]
) -> _T:
    """``scope``'s child ``construct_id`` of type ``kind``, made by ``create`` if it has
    none; looked up in the construct tree once per scope and id."""
    reference = jsii_reference(scope)
    found: _T | None = _SINGLETONS.get((reference, construct_id)) if reference else None
    if found is None:
        existing = scope.node.try_find_child(construct_id)
        found = existing if isinstance(existing, kind) else create()
        if reference is not None:
            _SINGLETONS[(reference, construct_id)] = found
    return found


def remember_child(construct: IConstruct, scope: IConstruct, construct_id: str) -> None:
    """Record that ``construct`` (not a stack) is ``scope``'s new child ``construct_id``:
    its stack and its path are then known from ``scope``'s, without a read."""
    key = jsii_reference(construct)
    if key is not None:
        _CHILDREN[key] = (scope, construct_id)
