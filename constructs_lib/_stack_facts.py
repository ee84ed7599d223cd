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
from functools import cached_property
from typing import Any

from aws_cdk import Aws, Stack
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
    def path(self) -> str:
        """The stack's construct path."""
        return path_of(self.stack)


_BY_SCOPE: dict[str, StackFacts] = {}
_BY_STACK: dict[str, StackFacts] = {}
_PATHS: dict[str, str] = {}


def _ref(construct: Any) -> str | None:
    reference = getattr(construct, "__jsii_ref__", None)
    return getattr(reference, "ref", None)


def stack_facts(scope: IConstruct) -> StackFacts:
    """The facts of the stack ``scope`` is in (``Stack.of(scope)``)."""
    key = _ref(scope)
    facts = _BY_SCOPE.get(key) if key is not None else None
    if facts is not None:
        return facts
    stack = Stack.of(scope)
    stack_key = _ref(stack)
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
    key = _ref(construct)
    if key is None:
        return construct.node.path
    path = _PATHS.get(key)
    if path is None:
        path = _PATHS[key] = construct.node.path
    return path


_ATTRIBUTES: dict[tuple[str, str], Any] = {}


def read_once(construct: Any, attribute: str) -> Any:
    """``getattr(construct, attribute)`` for an attribute that never changes once the
    object exists (a bucket's ARN, name or key, a key's ARN, a resource's ``env``), read
    once per JavaScript object."""
    key = _ref(construct)
    if key is None:
        return getattr(construct, attribute)
    try:
        return _ATTRIBUTES[(key, attribute)]
    except KeyError:
        value = _ATTRIBUTES[(key, attribute)] = getattr(construct, attribute)
        return value


@functools.cache
def pseudo(name: str) -> str:
    """``getattr(Aws, name)`` (``"PARTITION"``, ``"URL_SUFFIX"``, ...): aws-cdk-lib's
    pseudo-parameter tokens are constants, read once per process."""
    value: str = getattr(Aws, name)
    return value
