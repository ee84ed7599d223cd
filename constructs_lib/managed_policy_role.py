"""An IAM role whose grants land in customer-managed policies instead of an inline one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from constructs_lib._stack_facts import child_path, context_of, remember_child
from constructs_lib.service_limits import (
    MANAGED_POLICIES_CONTEXT,
    MANAGED_POLICIES_PER_ROLE,
    MANAGED_POLICY_SIZE,
    PolicyCapacityError,
    managed_policies_per_role,
    place_statement,
)

#: IAM quota: characters in one customer-managed policy document (white space not counted).
MANAGED_POLICY_SIZE_LIMIT = MANAGED_POLICY_SIZE

__all__ = [
    "MANAGED_POLICIES_PER_ROLE",
    "MANAGED_POLICY_SIZE_LIMIT",
    "ManagedPolicies",
    "ManagedPolicyRole",
    "PolicyCapacityError",
    "estimated_statement_size",
]

#: Characters assumed for values CloudFormation fills in at deploy time: the longest a
#: pseudo parameter can be, and a generous length for any other value (an ARN or a name),
#: so that the size estimate errs on the safe side.
_PSEUDO_PARAMETER_LENGTHS = {
    "AWS::AccountId": 12,
    "AWS::Partition": 10,
    "AWS::Region": 14,
    "AWS::URLSuffix": 16,
}
_ARN_LENGTH = 110

#: A token as aws-cdk-lib encodes it in a string; group 1 is its name (``AWS.Region.7``).
_ENCODED_TOKEN = re.compile(r"\$\{Token\[([^\]]+)\]\}")

#: Characters of ``{"Version":"2012-10-17","Statement":[]}`` around the statements.
_DOCUMENT_OVERHEAD = 40


class ManagedPolicies:
    """Customer-managed policies attached to one principal, filled in turn as they fill up.

    Statements go into the last policy until the next one could overflow IAM's 6,144
    characters (estimated with generous lengths for deploy-time values); then a new policy
    is created (``Policy``, ``Policy2``, ``Policy3``, ... under ``scope``). More than the
    account's quota of managed policies per role (IAM's default 10; the context key
    ``emr-serverless:managedPoliciesPerRole`` for a raised one, up to 20) is refused at synth,
    by :func:`~constructs_lib.service_limits.place_statement`, the one place for that rule.

    :param scope: the construct the policies are created in.
    :param attach: the ``roles``/``users``/``groups`` argument of ``iam.ManagedPolicy``.
    :param description: each policy's description.
    :param start_empty: create the first policy now, before any statement (it must get
        one before synthesis). Default: ``False``, created with the first statement.
    :param context_scope: where the quota's context key is read: a construct that already
        has children (see :func:`~constructs_lib._stack_facts.context_of`). Default:
        ``scope``.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        attach: dict[str, Any],
        description: str,
        start_empty: bool = False,
        context_scope: IConstruct | None = None,
    ) -> None:
        self._scope = scope
        self._attach = attach
        self._description = description
        #: The account's quota of managed policies per role (context key, default 10).
        self._quota = managed_policies_per_role(
            context_of(context_scope or scope, MANAGED_POLICIES_CONTEXT)
        )
        self.policies: list[iam.ManagedPolicy] = []
        self._sizes: list[int] = []
        #: Statements placed inside :meth:`batched`, added to their policies at its end.
        self._pending: list[tuple[iam.ManagedPolicy, iam.PolicyStatement]] = []
        self._batch_depth = 0
        if start_empty:
            self._start_policy()

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Add the statements placed inside the block to their policies when it ends (also
        on an error): one call into aws-cdk-lib per policy instead of one per statement.

        Where each statement goes, and the policy returned for it, are decided as it is
        placed, so the result is the same as adding each at once; only reading a policy's
        document inside the block would see the difference.
        """
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth:
                self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        by_policy: dict[int, tuple[iam.ManagedPolicy, list[iam.PolicyStatement]]] = {}
        for policy, statement in pending:
            by_policy.setdefault(id(policy), (policy, []))[1].append(statement)
        for policy, statements in by_policy.values():
            policy.add_statements(*statements)

    def place(self, statement: iam.PolicyStatement, size: int | None = None) -> iam.ManagedPolicy:
        """Add ``statement`` to the policy with room for it; return that policy.

        :param size: the statement's estimated size when the caller knows it
            (:func:`estimated_allow_size`). Default: estimated from the statement (a call
            into aws-cdk-lib).
        """
        if size is None:
            size = estimated_statement_size(statement)
        if self._slot(_Statement(statement), size + 1) == len(self.policies):
            self._start_policy()
        policy = self.policies[-1]
        if self._batch_depth:
            self._pending.append((policy, statement))
        else:
            policy.add_statements(statement)
        self._sizes[-1] += size + 1
        return policy

    def check_room(self, statement: iam.PolicyStatement) -> None:
        """Raise, in Python, if no policy has room for ``statement`` (nothing is added).

        :raises PolicyCapacityError: when it would need a policy past the quota.
        """
        self._slot(_Statement(statement), estimated_statement_size(statement) + 1)

    def check_room_for(self, size: int, shown: object) -> None:
        """:meth:`check_room` for a statement of known ``size``, named ``shown`` in errors."""
        self._slot(shown, size + 1)

    def _slot(self, shown: object, size: int) -> int:
        if self._sizes and self._sizes[-1] + size <= MANAGED_POLICY_SIZE_LIMIT:
            return len(self._sizes) - 1  # the usual case, without naming the scope
        return place_statement(
            self._sizes,
            size,
            argument=f"{self._scope.node.path} statement",
            value=shown,
            overhead=_DOCUMENT_OVERHEAD,
            policies=self._quota,
        )

    def _start_policy(self) -> iam.ManagedPolicy:
        """Start a new, empty policy: the first, or one that ``place_statement`` (which
        refuses one past the quota) has found a statement needs."""
        construct_id = "Policy" if not self.policies else f"Policy{len(self.policies) + 1}"
        policy = iam.ManagedPolicy(
            self._scope, construct_id, description=self._description, **self._attach
        )
        self.policies.append(policy)
        self._sizes.append(_DOCUMENT_OVERHEAD)
        return policy


class ManagedPolicyRole(iam.Role):
    """An ``iam.Role`` that keeps every granted statement in customer-managed policies.

    aws-cdk-lib writes grants into an inline ``DefaultPolicy``; the NIST 800-53 R5,
    HIPAA Security and PCI DSS packs refuse inline policies (``IAMNoInlinePolicy``).
    This role routes ``add_to_principal_policy`` (which every ``grant_*`` method of
    aws-cdk-lib and of this library calls) into an ``AWS::IAM::ManagedPolicy`` with id
    ``Policy``, attached to the role, so grants read the same and comply.

    A managed policy holds at most 6,144 characters. When the next statement could
    overflow it (estimated with generous lengths for deploy-time values), the
    statement goes to a new policy (``Policy2``, ``Policy3``, ...). More than the 10
    managed policies IAM attaches to a role by default is refused at synth with
    :class:`~constructs_lib.service_limits.PolicyCapacityError`. A grant made through
    aws-cdk-lib's JavaScript side (e.g. ``bucket.grant_read(role)``) reaches the role in a
    callback, where jsii re-raises the error as a ``RuntimeError``: call
    :meth:`check_room` with the statement first to get our error in Python.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        """Create the role; ``kwargs`` are those of :class:`aws_cdk.aws_iam.Role`."""
        super().__init__(scope, construct_id, **kwargs)
        remember_child(self, scope, construct_id)
        self._managed = ManagedPolicies(
            self,
            attach={"roles": [self]},
            description=f"Grants of role {child_path(scope, construct_id)}",
            start_empty=True,
            # The role's context is its scope's: the role is new, the scope has a child.
            context_scope=scope,
        )
        #: The first managed policy (always there).
        self.policy = self._managed.policies[0]
        #: Every managed policy of the role, in the order they fill.
        self.policies: list[iam.ManagedPolicy] = self._managed.policies

    def batched(self) -> AbstractContextManager[None]:
        """Statements granted inside the block are added to the role's policies when it ends:
        one call into aws-cdk-lib per policy (see :meth:`ManagedPolicies.batched`)."""
        return self._managed.batched()

    def add_to_principal_policy(
        self, statement: iam.PolicyStatement
    ) -> iam.AddToPrincipalPolicyResult:
        """Add ``statement`` to the role's managed policies (not to an inline policy)."""
        size, self._next_size = self._next_size, None
        policy = self._managed.place(statement, size)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=policy)

    _next_size: int | None = None

    def grant_allow(
        self,
        actions: Sequence[str],
        resources: Sequence[str],
        conditions: Mapping[str, Any] | None = None,
    ) -> iam.Grant:
        """Grant this role ``actions`` on ``resources``: one ``Allow`` statement.

        The statement is sized and checked in Python (:func:`estimated_allow_size`), so a
        full role is refused with our error before aws-cdk-lib sees the grant, and adding it
        costs no call into aws-cdk-lib beyond the grant itself.

        :raises PolicyCapacityError: when the role has no room left for the statement.
        """
        size = estimated_allow_size(actions, resources, conditions)
        self._managed.check_room_for(size, _Allow(actions, resources))
        self._next_size = size
        try:
            return iam.Grant.add_to_principal(
                grantee=self,
                actions=list(actions),
                resource_arns=list(resources),
                conditions=dict(conditions) if conditions is not None else None,
            )
        finally:
            self._next_size = None

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        """Add ``statement`` to the role's managed policies; always ``True``."""
        self._managed.place(statement)
        return True

    def check_room(self, statement: iam.PolicyStatement) -> None:
        """Raise, in Python, if the role has no room left for ``statement``.

        :raises PolicyCapacityError: when adding it would need an 11th managed policy.
        """
        self._managed.check_room(statement)


_P = ParamSpec("_P")
_R = TypeVar("_R")
_Role = TypeVar("_Role", bound=ManagedPolicyRole)


def batched_grant(
    method: Callable[Concatenate[_Role, _P], _R],
) -> Callable[Concatenate[_Role, _P], _R]:
    """Run a grant method of a :class:`ManagedPolicyRole` inside ``self.batched()``: its
    statements are added to each policy in one call."""

    def batched(self: _Role, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self.batched():
            return method(self, *args, **kwargs)

    batched.__name__, batched.__doc__ = method.__name__, method.__doc__
    return batched


class _Allow:
    """An ``Allow`` statement shown in an error by its actions and resources."""

    def __init__(self, actions: Sequence[str], resources: Sequence[str]) -> None:
        self._actions = actions
        self._resources = resources

    def __repr__(self) -> str:
        return f"<statement {', '.join(self._actions)} on {len(self._resources)} resources>"


class _Statement:
    """A statement shown in an error by its actions and resources (tokens as they are)."""

    def __init__(self, statement: iam.PolicyStatement) -> None:
        self._statement = statement

    def __repr__(self) -> str:
        actions = ", ".join(self._statement.actions)
        return f"<statement {actions} on {len(self._statement.resources)} resources>"


def estimated_statement_size(statement: iam.PolicyStatement) -> int:
    """Characters ``statement`` takes in a policy document, deploy-time values counted long.

    Works on the statement's JSON with tokens still encoded (``${Token[AWS.Region.7]}``),
    in Python, so that adding a statement costs one call into aws-cdk-lib.
    """
    return _size(statement.to_statement_json())


def estimated_allow_size(
    actions: Sequence[str],
    resources: Sequence[str],
    conditions: Mapping[str, Any] | None = None,
) -> int:
    """:func:`estimated_statement_size` of an ``Allow`` statement, computed in Python.

    The statement's JSON as aws-cdk-lib writes it: actions and resources each without
    repeats, a single one as a string rather than a list, the conditions when any.
    """
    document: dict[str, Any] = {"Action": _one_or_many(actions)}
    if conditions:
        document["Condition"] = dict(conditions)
    document["Effect"] = "Allow"
    document["Resource"] = _one_or_many(resources)
    return _size(document)


def _one_or_many(values: Sequence[str]) -> str | list[str]:
    unique = list(dict.fromkeys(values))
    return unique[0] if len(unique) == 1 else unique


def _size(node: Any) -> int:
    """Characters of ``node`` as compact JSON once CloudFormation has filled in its values."""
    if isinstance(node, dict):
        keys = len(json.dumps(dict.fromkeys(node, ""), separators=(",", ":")))
        return keys + sum(_size(value) - 2 for value in node.values())
    if isinstance(node, list):
        return 2 + sum(_size(item) for item in node) + max(len(node) - 1, 0)
    if isinstance(node, str):
        return len(json.dumps(_ENCODED_TOKEN.sub(_deploy_time_value, node)))
    return len(json.dumps(node))


def _deploy_time_value(match: re.Match[str]) -> str:
    name = match.group(1)
    for pseudo, length in _PSEUDO_PARAMETER_LENGTHS.items():
        if name.startswith(pseudo.replace("::", ".")):
            return "x" * length
    return "x" * _ARN_LENGTH
