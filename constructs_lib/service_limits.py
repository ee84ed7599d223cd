"""IAM and CloudFormation quotas a configuration can reach, checked before aws-cdk-lib sees it.

A quota reached inside aws-cdk-lib surfaces as a jsii error with a token for a value and
no key path; checked here first, it is our error at the argument (or config key) behind
it. Data with its source per quota.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from constructs_lib.errors import EmrServerlessValidationError

#: IAM and AWS STS quotas (policy sizes, managed policies per role).
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
#: CloudFormation quotas (resources and outputs per stack).
CLOUDFORMATION_QUOTAS = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"
)

#: Characters in one customer-managed policy document, white space not counted (IAM_QUOTAS).
MANAGED_POLICY_SIZE = 6144
#: Managed policies attached to one role: the default quota (IAM_QUOTAS).
MANAGED_POLICIES_PER_ROLE = 10
#: The most that quota can be raised to (IAM_QUOTAS: adjustable, at most 20).
MAX_MANAGED_POLICIES_PER_ROLE = 20
#: Context key for an account whose quota of managed policies per role was raised.
MANAGED_POLICIES_CONTEXT = "emr-serverless:managedPoliciesPerRole"
#: Resources declared in one stack's template (CLOUDFORMATION_QUOTAS).
RESOURCES_PER_STACK = 500
#: Outputs declared in one stack's template (CLOUDFORMATION_QUOTAS).
OUTPUTS_PER_STACK = 200


class PolicyCapacityError(EmrServerlessValidationError):
    """A statement that no managed policy of the role has room for."""


def place_statement(
    sizes: Sequence[int],
    size: int,
    *,
    argument: str,
    value: Any,
    overhead: int,
    policy_size: int = MANAGED_POLICY_SIZE,
    policies: int = MANAGED_POLICIES_PER_ROLE,
) -> int:
    """Which managed policy a statement of ``size`` characters goes to: the last one, or a new one.

    :param sizes: the characters each of the role's policies holds so far (the last is filled).
    :param size: the statement's characters, its separating comma included.
    :param overhead: the characters of an empty policy document.
    :returns: the index of the policy (``len(sizes)`` for a new one).
    :raises PolicyCapacityError: when a new policy is needed and the role has ``policies``
        already, or when the statement alone is larger than a policy.
    """
    if overhead + size > policy_size:
        raise PolicyCapacityError(
            argument=argument,
            value=value,
            rule=f"one statement of {size:,} characters is more than a managed policy holds "
            f"({policy_size:,} characters, {IAM_QUOTAS})",
            fix="grant fewer resources or conditions in one call",
        )
    if sizes and sizes[-1] + size <= policy_size:
        return len(sizes) - 1
    if len(sizes) >= policies:
        raise PolicyCapacityError(
            argument=argument,
            value=value,
            rule=f"a role holds at most {policies} managed policies of {policy_size:,} "
            f"characters each ({IAM_QUOTAS})",
            fix="split the grants across roles, or grant whole prefixes instead of many small "
            f"ones (if your account's quota was raised, set the context key "
            f"{MANAGED_POLICIES_CONTEXT} to it)",
        )
    return len(sizes)


def managed_policies_per_role(value: Any) -> int:
    """The quota of managed policies per role: ``value`` of :data:`MANAGED_POLICIES_CONTEXT`.

    ``None`` (not set): the default, :data:`MANAGED_POLICIES_PER_ROLE`.
    :raises EmrServerlessValidationError: unless a whole number from 1 to
        :data:`MAX_MANAGED_POLICIES_PER_ROLE`.
    """
    if value is None:
        return MANAGED_POLICIES_PER_ROLE
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # -c key=value on the command line gives a string
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (1 <= value <= MAX_MANAGED_POLICIES_PER_ROLE)
    ):
        raise EmrServerlessValidationError(
            argument=MANAGED_POLICIES_CONTEXT,
            value=value,
            rule=f"the quota of managed policies per role is a whole number up to "
            f"{MAX_MANAGED_POLICIES_PER_ROLE} ({IAM_QUOTAS})",
            fix=f"set it to your account's quota (default {MANAGED_POLICIES_PER_ROLE}), or "
            "remove it",
        )
    return value


def check_stack_resources(count: int, *, argument: str, value: Any, fix: str) -> None:
    """Refuse a stack of more than :data:`RESOURCES_PER_STACK` resources; ``fix`` says how."""
    if count > RESOURCES_PER_STACK:
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule=f"makes a stack of {count:,} resources; a stack holds at most "
            f"{RESOURCES_PER_STACK} ({CLOUDFORMATION_QUOTAS})",
            fix=fix,
        )


def check_stack_outputs(count: int, *, argument: str, value: Any, fix: str) -> None:
    """Refuse a stack of more than :data:`OUTPUTS_PER_STACK` outputs; ``fix`` says how."""
    if count > OUTPUTS_PER_STACK:
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule=f"makes a stack of {count:,} outputs; a stack holds at most "
            f"{OUTPUTS_PER_STACK} ({CLOUDFORMATION_QUOTAS})",
            fix=fix,
        )
