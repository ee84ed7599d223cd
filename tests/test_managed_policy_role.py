"""ManagedPolicyRole: grants land in managed policies, spilling over before IAM's size quota."""

from __future__ import annotations

import json
from collections.abc import Callable

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.managed_policy_role import (
    MANAGED_POLICIES_PER_ROLE,
    MANAGED_POLICY_SIZE_LIMIT,
    ManagedPolicyRole,
    batched_grant,
    estimated_allow_size,
    estimated_statement_size,
)
from tests.harness import Synthesis, new_app, synthesize

#: Literal ARNs of ~100 characters: sixty of them do not fit one managed policy.
_ARNS = [f"arn:aws:s3:::bucket-{i:03d}-{'x' * 60}/prefix/{i}/*" for i in range(60)]


def _read(role: iam.IGrantable, arn: str) -> None:
    iam.Grant.add_to_principal(grantee=role, actions=["s3:GetObject"], resource_arns=[arn])


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Roles")
    small = ManagedPolicyRole(stack, "Small", assumed_by=iam.AccountRootPrincipal())
    s3.Bucket.from_bucket_name(stack, "Data", "data-bucket").grant_read(small, "input/*")
    big = ManagedPolicyRole(stack, "Big", assumed_by=iam.AccountRootPrincipal())
    for arn in _ARNS:
        _read(big, arn)
    return synthesize(app, require_clean=False)


def _policies_of(synthesis: Synthesis, role_prefix: str) -> list[dict]:
    policies = synthesis.template("Roles").find_resources("AWS::IAM::ManagedPolicy")
    return [
        p for p in policies.values() if p["Properties"]["Roles"][0]["Ref"].startswith(role_prefix)
    ]


def test_grants_land_in_a_managed_policy_not_inline(synthesis: Synthesis) -> None:
    template = synthesis.template("Roles")
    template.resource_count_is("AWS::IAM::Policy", 0)
    (policy,) = _policies_of(synthesis, "Small")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any("s3:GetObject*" in s["Action"] for s in statements)


def test_spills_into_further_policies_each_under_the_quota(synthesis: Synthesis) -> None:
    policies = _policies_of(synthesis, "Big")
    assert len(policies) > 1
    granted = []
    for policy in policies:
        document = policy["Properties"]["PolicyDocument"]
        assert len(json.dumps(document, separators=(",", ":"))) <= MANAGED_POLICY_SIZE_LIMIT
        for statement in document["Statement"]:
            resources = statement["Resource"]
            granted += resources if isinstance(resources, list) else [resources]
    assert sorted(granted) == sorted(_ARNS)


def _statement(i: int) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        actions=["s3:GetObject"], resources=[f"arn:aws:s3:::b-{i:04d}-{'y' * 200}/*"]
    )


def _overflow(add: Callable[[int], object]) -> None:
    """Add 400 statements of ~230 characters: about fifteen policies' worth."""
    for i in range(400):
        add(i)


def test_refuses_more_policies_than_a_role_holds() -> None:
    app = new_app(compliance=False)
    role = ManagedPolicyRole(cdk.Stack(app, "S"), "R", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(EmrServerlessValidationError, match="at most 10 managed policies"):
        _overflow(lambda i: role.add_to_principal_policy(_statement(i)))
    assert len(role.policies) == MANAGED_POLICIES_PER_ROLE
    last = role.policies[-1].document.to_json()["Statement"]
    assert len(last) > 20, "refused before the tenth policy was full"


def test_refusal_through_a_javascript_grant_keeps_our_message() -> None:
    app = new_app(compliance=False)
    role = ManagedPolicyRole(cdk.Stack(app, "S"), "R", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(RuntimeError, match=r"at most 10 managed policies .* Fix: split"):
        _overflow(lambda i: _read(role, _statement(i).resources[0]))


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    assert not [f for f in synthesis.findings if "IAMNoInlinePolicy" in f.rule]


# --- the Python estimate of an Allow statement equals aws-cdk-lib's JSON's ------------------

_ACTIONS = st.sampled_from(["s3:GetObject", "s3:PutObject", "kms:Decrypt", "glue:GetTable"])
_RESOURCES = st.sampled_from(
    [
        "arn:aws:s3:::bucket/prefix/*",
        "*",
        f"arn:{cdk.Aws.PARTITION}:glue:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:catalog",
        "arn:aws:kms:eu-west-1:123456789012:key/1234",
    ]
)
_CONDITIONS = st.one_of(
    st.none(),
    st.just({"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}),
    st.just({"StringLike": {"s3:prefix": ["a/*", "b/*"]}, "Bool": {"aws:SecureTransport": "true"}}),
)


@settings(max_examples=60)
@given(
    actions=st.lists(_ACTIONS, min_size=1, max_size=5),
    resources=st.lists(_RESOURCES, min_size=1, max_size=5),
    conditions=_CONDITIONS,
)
def test_allow_size_in_python_equals_the_statements(
    actions: list[str], resources: list[str], conditions: dict | None
) -> None:
    statement = iam.PolicyStatement(actions=actions, resources=resources, conditions=conditions)
    assert estimated_allow_size(actions, resources, conditions) == estimated_statement_size(
        statement
    )


# --- batched(): statements added per policy at the end of the block -----------------------


def _document(role: ManagedPolicyRole, index: int) -> list[dict]:
    stack = cdk.Stack.of(role)
    document = stack.resolve(role.policies[index].document.to_json())
    return list(document.get("Statement", [])) if document else []


def _spy_on_add_statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of statements of each ``ManagedPolicy.add_statements`` call."""
    calls: list[int] = []
    original = iam.ManagedPolicy.add_statements

    def spy(self: iam.ManagedPolicy, *statements: iam.PolicyStatement) -> None:
        calls.append(len(statements))
        original(self, *statements)

    monkeypatch.setattr(iam.ManagedPolicy, "add_statements", spy)
    return calls


def test_batched_statements_are_added_together_when_the_block_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    role = ManagedPolicyRole(cdk.Stack(), "Batched", assumed_by=iam.AccountRootPrincipal())
    calls = _spy_on_add_statements(monkeypatch)
    with role.batched():
        for i in range(3):
            _read(role, f"arn:aws:s3:::batched-{i}/*")
        assert calls == []
        assert _document(role, 0) == []
    assert calls == [3]
    resources = [s["Resource"] for s in _document(role, 0)]
    assert resources == [f"arn:aws:s3:::batched-{i}/*" for i in range(3)]


def test_unbatched_statements_are_added_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    role = ManagedPolicyRole(cdk.Stack(), "Unbatched", assumed_by=iam.AccountRootPrincipal())
    calls = _spy_on_add_statements(monkeypatch)
    for i in range(3):
        _read(role, f"arn:aws:s3:::one-{i}/*")
    assert calls == [1, 1, 1]
    assert len(_document(role, 0)) == 3


def test_a_batch_that_spills_fills_each_policy_in_order() -> None:
    batched = ManagedPolicyRole(cdk.Stack(), "Spill", assumed_by=iam.AccountRootPrincipal())
    one_by_one = ManagedPolicyRole(cdk.Stack(), "Spill", assumed_by=iam.AccountRootPrincipal())
    with batched.batched(), batched.batched():  # nested: flushed once, at the outer end
        for arn in _ARNS:
            _read(batched, arn)
    for arn in _ARNS:
        _read(one_by_one, arn)
    assert len(batched.policies) == len(one_by_one.policies) > 1
    for index in range(len(batched.policies)):
        assert _document(batched, index) == _document(one_by_one, index)


def test_a_batch_ended_by_an_error_still_adds_what_was_placed() -> None:
    role = ManagedPolicyRole(cdk.Stack(), "Failing", assumed_by=iam.AccountRootPrincipal())

    def grant_then_fail() -> None:
        with role.batched():
            _read(role, "arn:aws:s3:::placed/*")
            raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        grant_then_fail()
    assert [s["Resource"] for s in _document(role, 0)] == ["arn:aws:s3:::placed/*"]


class _TwoGrants(ManagedPolicyRole):
    @batched_grant
    def grant_two(self, first: str, *, second: str) -> str:
        """Two statements."""
        _read(self, first)
        _read(self, second)
        return "granted"


def test_a_batched_grant_method_adds_its_statements_in_one_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    role = _TwoGrants(cdk.Stack(), "Two", assumed_by=iam.AccountRootPrincipal())
    calls = _spy_on_add_statements(monkeypatch)
    assert role.grant_two("arn:aws:s3:::a/*", second="arn:aws:s3:::b/*") == "granted"
    assert calls == [2]
    assert _TwoGrants.grant_two.__doc__ == "Two statements."
