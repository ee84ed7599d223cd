"""Grants the constructs share, for any principal, in customer-managed policies.

aws-cdk-lib writes a grant into the grantee's inline ``DefaultPolicy`` (or, for an
imported role, into a new inline ``AWS::IAM::Policy``), which the NIST 800-53 R5, HIPAA
Security and PCI DSS packs refuse (``IAMNoInlinePolicy``). Every grant of this library
goes through :func:`add_to_principal`/:func:`policy_grantee` instead: a role, user or
group that is not already a :class:`ManagedPolicyRole` gets the statements in a
customer-managed policy of ours (``<principal>/EmrServerlessGrants/Policy``, attached to
it), and the wildcards the statements need are acknowledged on that policy, one ARN at a
time, with the reason. A user's app therefore needs no acknowledgement for a grant it asks
this library for, whether the principal is defined in the app or imported by ARN.

A principal imported from another account than its stack's (``iam.Role.from_role_arn``
with an ARN of account 222222222222 in a stack of account 111111111111) gets no policy of
ours: it would be created and attached in the stack's account, where that role, user or
group does not exist (or is another one of the same name). Its own account must grant it
the actions. A role is passed to aws-cdk-lib as it is, which adds nothing to it (its
``ImmutableRole``) and reports the statement as added, and still writes the resource-policy
half of a grant that has one (``key.grant`` names the other account in the key policy).
A user or group gets a stand-in that adds nothing either, with the same result (aws-cdk-lib
would write an inline policy for it into the stack's account).

An imported principal of the stack's own account, or of an account that is a token, gets
the managed policy, like any role, user or group. That includes a role imported with
``mutable=False`` (or ``add_grants_to_resources=True``): in Python it reaches this module
as the same jsii proxy as a mutable one (aws-cdk-lib's ``ImmutableRole`` only differs by
the construct ids aws-cdk-lib happens to give it), so it is not told apart. Pass such a
role's ARN to the resource's own policy instead of granting it through this library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, DependencyGroup, IConstruct

from constructs_lib._stack_facts import path_of, read_once, remember_child, stack_facts
from constructs_lib.compliance import acknowledge_wildcard_resource
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.iam_actions import (
    EMR_SERVERLESS_PRINCIPAL,
    JOB_RUN_ACTIONS,
    JOB_SUBMIT_APPLICATION_ACTIONS,
    LOG_KEY_SUBMITTER_ACTIONS,
    PASS_ROLE_ACTIONS,
)
from constructs_lib.managed_policy_role import ManagedPolicies, ManagedPolicyRole
from constructs_lib.tokens import is_unresolved

#: Id of the construct that holds a principal's grants from this library.
GRANTS_ID = "EmrServerlessGrants"

_JOB_RUNS_REASON = (
    "Job run ids are generated when a run starts, so job-run actions are scoped to this one "
    "application's runs (<application ARN>/jobruns/*), the narrowest ARN."
)


def job_runs_arn(application_arn: str) -> str:
    """The ARN pattern of every job run of one application (run ids are generated per run)."""
    return f"{application_arn}/jobruns/*"


def add_to_principal(
    grantee: iam.IGrantable,
    *,
    actions: Sequence[str],
    resource_arns: Sequence[str],
    conditions: Mapping[str, Any] | None = None,
) -> iam.Grant:
    """``iam.Grant.add_to_principal``, with the statement in a customer-managed policy."""
    return iam.Grant.add_to_principal(
        grantee=policy_grantee(grantee),
        actions=list(actions),
        resource_arns=list(resource_arns),
        conditions=dict(conditions) if conditions is not None else None,
    )


def policy_grantee(grantee: iam.IGrantable) -> iam.IGrantable:
    """``grantee``, or a stand-in that puts its statements into a managed policy of ours.

    Pass the result to any aws-cdk-lib grant (``key.grant(policy_grantee(role), ...)``).
    A :class:`ManagedPolicyRole` and principals without a policy of their own (service and
    account principals) are returned as they are. Of principals imported from another
    account than their stack's, a role is returned as it is too (aws-cdk-lib adds nothing
    to it), and a user or group gets a stand-in that adds nothing to it (see the module's
    description).
    """
    principal: iam.IPrincipal = read_once(grantee, "grant_principal")
    if _of_another_account(principal):
        if "roles" in (_attachment(principal) or {}):
            return grantee  # aws-cdk-lib's ImmutableRole: nothing is added to it
        return Grantee(_PolicyPrincipal(principal, None))
    holder = _holder(grantee, create=True)
    return grantee if holder is None else holder.grantee


def statements_holder(grantee: iam.IGrantable) -> IConstruct | None:
    """The construct whose policies hold ``grantee``'s statements (for acknowledgements)."""
    principal: iam.IPrincipal = read_once(grantee, "grant_principal")
    if isinstance(principal, ManagedPolicyRole):
        return principal
    holder = _holder(grantee, create=False)
    if holder is not None:
        return holder
    return principal if isinstance(principal, Construct) else None


def acknowledge_grant_wildcard(grantee: iam.IGrantable, arn: str, reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for ``arn`` where ``grantee``'s statements are."""
    holder = statements_holder(grantee)
    if holder is not None:
        acknowledge_wildcard_resource(holder, arn, reason)


def grant_job_submission(
    grantee: iam.IGrantable,
    *,
    application_arn: str,
    runtime_roles: Sequence[iam.IRole],
    log_encryption_keys: Sequence[kms.IKey] = (),
) -> iam.Grant:
    """Let ``grantee`` start, follow and cancel job runs on one application with given roles.

    The one implementation behind every ``grant_start_job_run``:

    - ``StartJobRun`` and ``ListJobRuns`` on the application;
    - ``GetJobRun``, ``CancelJobRun``, ``GetDashboardForJobRun`` and ``ListJobRunAttempts``
      on the application's job runs;
    - ``iam:PassRole`` on exactly ``runtime_roles``, only towards EMR Serverless
      (``iam:PassedToService``);
    - ``kms:GenerateDataKey`` and ``kms:Decrypt`` on the application's log encryption keys:
      EMR Serverless refuses a job run whose submitter cannot use them (guide L4924-4960).
    """
    if not runtime_roles:
        raise EmrServerlessValidationError(
            argument="runtime_roles",
            value=list(runtime_roles),
            rule="a job submitter must be able to pass at least one runtime role",
            fix="pass the runtime role(s) the submitter's jobs run as",
        )
    target = policy_grantee(grantee)
    with _batched(target):
        return _grant_job_submission(
            grantee, target, application_arn, runtime_roles, log_encryption_keys
        )


def _batched(target: iam.IGrantable) -> AbstractContextManager[None]:
    """Batch the statements granted to ``target`` when they go to managed policies of ours."""
    if isinstance(target, ManagedPolicyRole):
        return target.batched()
    if isinstance(target, Grantee):
        principal = target.grant_principal
        if isinstance(principal, _PolicyPrincipal) and principal.policies is not None:
            return principal.policies.batched()
    return nullcontext()


def _grant_job_submission(
    grantee: iam.IGrantable,
    target: iam.IGrantable,
    application_arn: str,
    runtime_roles: Sequence[iam.IRole],
    log_encryption_keys: Sequence[kms.IKey],
) -> iam.Grant:
    grant = iam.Grant.add_to_principal(
        grantee=target,
        actions=list(JOB_SUBMIT_APPLICATION_ACTIONS),
        resource_arns=[application_arn],
    )
    on_runs = iam.Grant.add_to_principal(
        grantee=target,
        actions=list(JOB_RUN_ACTIONS),
        resource_arns=[job_runs_arn(application_arn)],
    )
    grant = grant.combine(on_runs).combine(
        iam.Grant.add_to_principal(
            grantee=target,
            actions=list(PASS_ROLE_ACTIONS),
            resource_arns=[role.role_arn for role in runtime_roles],
            conditions={"StringEquals": {"iam:PassedToService": EMR_SERVERLESS_PRINCIPAL}},
        )
    )
    for key in log_encryption_keys:
        grant = grant.combine(key.grant(target, *LOG_KEY_SUBMITTER_ACTIONS))
    if on_runs.principal_statement is not None:
        acknowledge_grant_wildcard(grantee, job_runs_arn(application_arn), _JOB_RUNS_REASON)
    return grant


# --- managed policies for principals that are not ManagedPolicyRoles ----------------------


class _GrantsHolder(Construct):
    """The managed policies holding one principal's grants from this library."""

    def __init__(
        self, scope: Construct, construct_id: str, principal: iam.IPrincipal, attach: dict[str, Any]
    ) -> None:
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        self.policies = ManagedPolicies(
            self,
            attach=attach,
            description=f"EMR Serverless grants of {path_of(principal)}",  # type: ignore[arg-type]
            # This holder is new and has no children yet; its scope has (this holder).
            context_scope=scope,
        )
        self.grantee = Grantee(_PolicyPrincipal(principal, self.policies))


def _holder(grantee: iam.IGrantable, *, create: bool) -> _GrantsHolder | None:
    principal: iam.IPrincipal = read_once(grantee, "grant_principal")
    if isinstance(principal, (ManagedPolicyRole, _PolicyPrincipal)):
        return None
    if _of_another_account(principal):
        return None
    attach = _attachment(principal)
    if attach is None:
        return None
    scope: Construct
    if isinstance(principal, Construct):
        scope, construct_id = principal, GRANTS_ID
    else:  # an imported principal: a jsii proxy, which cannot be a scope
        scope = _construct_ancestor(principal)
        construct_id = f"{principal.node.id}{GRANTS_ID}"  # type: ignore[attr-defined]
    existing = scope.node.try_find_child(construct_id)
    if isinstance(existing, _GrantsHolder):
        return existing
    return _GrantsHolder(scope, construct_id, principal, attach) if create else None


def _attachment(principal: iam.IPrincipal) -> dict[str, Any] | None:
    """``roles``/``users``/``groups`` of an ``iam.ManagedPolicy`` for ``principal``."""
    if not hasattr(principal, "node"):
        return None
    for attribute, argument in (("role_name", "roles"), ("user_name", "users")):
        if _has(principal, attribute):
            return {argument: [principal]}
    if _has(principal, "group_name"):
        return {"groups": [principal]}
    return None


def _of_another_account(principal: iam.IPrincipal) -> bool:
    """Whether ``principal`` is imported (not a construct of this app) from an account known
    to differ from its stack's (``Token.compare_strings(...) == TokenComparison.DIFFERENT``,
    decided in Python: jsii's ``TokenComparison`` values do not compare equal in Python)."""
    if isinstance(principal, Construct) or _attachment(principal) is None:
        return False
    account = principal.principal_account
    stack_account = stack_facts(_construct_ancestor(principal)).account
    return (
        account is not None
        and not is_unresolved(account)
        and not is_unresolved(stack_account)
        and account != stack_account
    )


def _has(principal: iam.IPrincipal, attribute: str) -> bool:
    try:
        return getattr(principal, attribute, None) is not None
    except Exception:  # jsii: the property does not exist on this object
        return False


def _construct_ancestor(node_owner: Any) -> Construct:
    scope = node_owner.node.scope
    while scope is not None and not isinstance(scope, Construct):
        scope = scope.node.scope
    if scope is None:
        raise EmrServerlessValidationError(
            argument="grantee",
            value=node_owner.node.path,
            rule="a grant needs a principal that belongs to a stack",
            fix="import the role, user or group inside a stack",
        )
    return scope


class _PolicyPrincipal(iam.PrincipalBase):
    """``principal``, except that statements go into ``policies``; with ``None``, nowhere.

    ``None`` is for a principal of another account: like aws-cdk-lib's ``ImmutableRole``,
    its statements are added nowhere (``statement_added`` with nothing to depend on), as
    its own account grants them.
    """

    def __init__(self, principal: iam.IPrincipal, policies: ManagedPolicies | None) -> None:
        super().__init__()
        self._principal = principal
        self._policies = policies

    @property
    def policies(self) -> ManagedPolicies | None:
        """Where the statements go (``None``: nowhere, another account's principal)."""
        return self._policies

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        """The wrapped principal's fragment (statements name the real principal)."""
        return self._principal.policy_fragment

    @property
    def principal_account(self) -> str | None:
        """The wrapped principal's account (aws-cdk-lib compares it for cross-account)."""
        return self._principal.principal_account

    @property
    def assume_role_action(self) -> str:
        """The wrapped principal's assume-role action."""
        return self._principal.assume_role_action

    def dedupe_string(self) -> str | None:
        """No de-duplication across principals."""
        return None

    def add_to_principal_policy(
        self, statement: iam.PolicyStatement
    ) -> iam.AddToPrincipalPolicyResult:
        """Add ``statement`` to the managed policies (nowhere without them)."""
        if self._policies is None:
            return iam.AddToPrincipalPolicyResult(
                statement_added=True, policy_dependable=DependencyGroup()
            )
        policy = self._policies.place(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=policy)


@jsii.implements(iam.IGrantable)
class Grantee:
    """A principal as a grantee (for APIs that take an ``IPrincipal``, not an ``IGrantable``)."""

    def __init__(self, principal: iam.IPrincipal) -> None:
        self._principal = principal

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The principal."""
        return self._principal
