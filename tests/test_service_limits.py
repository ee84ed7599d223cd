"""IAM and CloudFormation quotas a config can reach: our error at its key, before jsii.

The pure rules first (exact limit accepted, one past refused), then where a config reaches
them: a team's Glue databases fill its runtime role's managed policies, and the teams of
a platform fill the images stack. Refusals build only the constructs (no synth).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_iam as iam
from hypothesis import given
from hypothesis import strategies as st

import app as reference
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.platform_config import PlatformConfigError, parse_platform_config
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.service_limits import (
    CLOUDFORMATION_QUOTAS,
    IAM_QUOTAS,
    MANAGED_POLICIES_CONTEXT,
    MANAGED_POLICIES_PER_ROLE,
    MANAGED_POLICY_SIZE,
    MAX_MANAGED_POLICIES_PER_ROLE,
    OUTPUTS_PER_STACK,
    RESOURCES_PER_STACK,
    PolicyCapacityError,
    check_stack_outputs,
    check_stack_resources,
    managed_policies_per_role,
    place_statement,
)
from stacks.images_stack import ImagesStack
from tests.harness import new_app
from tests.hostile_configs import many_teams

OVERHEAD = 40


def place(sizes: list[int], size: int, **limits: int) -> int:
    return place_statement(sizes, size, argument="r", value="s", overhead=OVERHEAD, **limits)


# ---------------------------------------------------------------- the pure rules


def test_a_statement_that_fills_the_policy_exactly_stays_in_it() -> None:
    assert place([MANAGED_POLICY_SIZE - 100], 100) == 0
    assert place([OVERHEAD, MANAGED_POLICY_SIZE - 100], 100) == 1


def test_one_character_more_starts_a_new_policy() -> None:
    assert place([MANAGED_POLICY_SIZE - 100], 101) == 1


def test_the_tenth_policy_is_the_last() -> None:
    full = [MANAGED_POLICY_SIZE] * (MANAGED_POLICIES_PER_ROLE - 1)
    assert place(full, 10) == MANAGED_POLICIES_PER_ROLE - 1
    with pytest.raises(PolicyCapacityError) as refused:
        place([*full, MANAGED_POLICY_SIZE - 9], 10)
    assert refused.value.argument == "r"
    assert f"at most {MANAGED_POLICIES_PER_ROLE} managed policies" in refused.value.rule
    assert IAM_QUOTAS in refused.value.rule
    assert place([*full, MANAGED_POLICY_SIZE - 10], 10) == MANAGED_POLICIES_PER_ROLE - 1


def test_a_raised_quota_allows_more_policies() -> None:
    full = [MANAGED_POLICY_SIZE] * MANAGED_POLICIES_PER_ROLE
    assert place(full, 10, policies=MANAGED_POLICIES_PER_ROLE + 1) == MANAGED_POLICIES_PER_ROLE


def test_a_statement_larger_than_a_policy_is_refused() -> None:
    assert place([OVERHEAD], MANAGED_POLICY_SIZE - OVERHEAD) == 0
    with pytest.raises(PolicyCapacityError, match="more than a managed policy holds"):
        place([OVERHEAD], MANAGED_POLICY_SIZE - OVERHEAD + 1)


@given(
    sizes=st.lists(st.integers(min_value=OVERHEAD, max_value=MANAGED_POLICY_SIZE), min_size=1),
    size=st.integers(min_value=1, max_value=MANAGED_POLICY_SIZE - OVERHEAD),
)
def test_placement_never_overfills_a_policy(sizes: list[int], size: int) -> None:
    try:
        index = place(sizes, size, policies=len(sizes) + 1)
    except PolicyCapacityError:  # pragma: no cover - there is always a new policy here
        pytest.fail("refused with room for a new policy")
    if index < len(sizes):
        assert (index, sizes[index] + size <= MANAGED_POLICY_SIZE) == (len(sizes) - 1, True)
    else:
        assert sizes[-1] + size > MANAGED_POLICY_SIZE


def test_stack_resources() -> None:
    check_stack_resources(RESOURCES_PER_STACK, argument="a", value=1, fix="f")
    with pytest.raises(EmrServerlessValidationError) as refused:
        check_stack_resources(RESOURCES_PER_STACK + 1, argument="a", value=1, fix="f")
    assert f"a stack holds at most {RESOURCES_PER_STACK}" in refused.value.rule
    assert CLOUDFORMATION_QUOTAS in refused.value.rule


def test_stack_outputs() -> None:
    check_stack_outputs(OUTPUTS_PER_STACK, argument="a", value=1, fix="f")
    with pytest.raises(EmrServerlessValidationError) as refused:
        check_stack_outputs(OUTPUTS_PER_STACK + 1, argument="a", value=1, fix="f")
    assert f"a stack holds at most {OUTPUTS_PER_STACK}" in refused.value.rule


# ---------------------------------------------------------------- the runtime role


def _role() -> JobRuntimeRole:
    return JobRuntimeRole(cdk.Stack(new_app(compliance=False), "S"), "Role")


def _fill(role: JobRuntimeRole) -> int:
    """Grant Glue databases until the role refuses; return how many fit."""
    for count in range(1000):
        try:
            role.grant_glue_read(f"db_{count:03d}", all_tables=True)
        except PolicyCapacityError:
            return count
    raise AssertionError("never refused")


def test_a_full_role_refuses_in_python_not_through_jsii() -> None:
    role = _role()
    fitted = _fill(role)
    assert len(role.policies) == MANAGED_POLICIES_PER_ROLE
    again = _role()
    for count in range(fitted):  # the valid neighbour: exactly as many databases fit
        again.grant_glue_read(f"db_{count:03d}", all_tables=True)
    assert len(again.policies) == MANAGED_POLICIES_PER_ROLE


@pytest.mark.parametrize("quota", [MANAGED_POLICIES_PER_ROLE + 1, "12"])
def test_a_raised_quota_in_the_context_lets_a_role_hold_more(quota: object) -> None:
    fitted = _fill(_role())
    app = new_app(compliance=False)
    app.node.set_context(MANAGED_POLICIES_CONTEXT, quota)
    raised = JobRuntimeRole(cdk.Stack(app, "S"), "Role")
    assert _fill(raised) > fitted
    assert len(raised.policies) == int(str(quota))


@pytest.mark.parametrize("quota", [0, MAX_MANAGED_POLICIES_PER_ROLE + 1, "ten", True, 10.5])
def test_a_quota_beyond_what_iam_allows_is_refused(quota: object) -> None:
    assert managed_policies_per_role(MAX_MANAGED_POLICIES_PER_ROLE) == 20
    app = new_app(compliance=False)
    app.node.set_context(MANAGED_POLICIES_CONTEXT, quota)
    with pytest.raises(EmrServerlessValidationError) as refused:
        JobRuntimeRole(cdk.Stack(app, "S"), "Role")
    assert refused.value.argument == MANAGED_POLICIES_CONTEXT
    assert IAM_QUOTAS in refused.value.rule


def test_check_room_refuses_before_anything_is_added() -> None:
    role = _role()
    _fill(role)
    arns = [f"arn:aws:s3:::bucket-{i:02d}/{'p' * 80}/*" for i in range(40)]
    statement = iam.PolicyStatement(actions=["s3:GetObject"], resources=arns)
    before = len(role.policies[-1].document.to_json()["Statement"])
    with pytest.raises(PolicyCapacityError) as refused:
        role.check_room(statement)
    assert refused.value.argument == "S/Role statement"
    assert "<statement s3:GetObject on 40 resources>" in str(refused.value)
    assert len(role.policies[-1].document.to_json()["Statement"]) == before


# ---------------------------------------------------------------- from the platform file

SHIPPED: dict[str, Any] = yaml.safe_load(Path(reference.DEFAULT_CONFIG).read_text())


def _one_team_with(databases: int) -> dict[str, Any]:
    document = copy.deepcopy(SHIPPED)
    document["environments"] = {"dev": {}}
    document["teams"] = document["teams"][:1]
    document["teams"][0]["glue_databases"] = {"read": [f"db_{i:03d}" for i in range(databases)]}
    return document


def _build(document: dict[str, Any]) -> list[cdk.Stack]:
    config = parse_platform_config(yaml.safe_dump(document), source="platform.yaml")
    return reference.build_app(new_app(compliance=False), config=config)


def test_too_many_glue_databases_are_refused_at_the_config_key() -> None:
    with pytest.raises(PlatformConfigError) as refused:
        _build(_one_team_with(80))
    (problem,) = refused.value.problems
    message = str(problem)
    assert message.startswith("platform.yaml: teams[0].glue_databases.read[")
    assert "Token" not in message
    fitted = int(message.split("read[", 1)[1].split("]", 1)[0])
    assert f"; {fitted} Glue databases fit beside the team's other grants" in message
    assert f"Fix: list at most {fitted} Glue databases for this team" in message
    assert "*" not in problem.fix  # the config forbids wildcards: never suggested
    # The valid neighbour: the databases that fitted build.
    stacks = _build(_one_team_with(fitted))
    team = next(stack for stack in stacks if "Team" in stack.stack_name)
    assert team.runtime_role.policies[-1] is not None
    assert len(team.runtime_role.policies) == MANAGED_POLICIES_PER_ROLE


def test_more_teams_than_the_images_stack_holds_are_refused_at_teams() -> None:
    config = parse_platform_config(many_teams(RESOURCES_PER_STACK + 1))
    with pytest.raises(PlatformConfigError) as refused:
        ImagesStack(new_app(compliance=False), "Images", platform=config)
    assert str(refused.value).startswith(
        f"platform.yaml: teams: makes a stack of {RESOURCES_PER_STACK + 1} resources; "
        f"a stack holds at most {RESOURCES_PER_STACK}"
    )
    assert "split the teams across config files (platforms) of at most 500 teams" in str(
        refused.value
    )


def test_version_reporting_keeps_a_resource_for_the_cdk_metadata() -> None:
    config = parse_platform_config(many_teams(RESOURCES_PER_STACK))
    app = new_app(compliance=False, **{"aws:cdk:version-reporting": True})
    with pytest.raises(PlatformConfigError, match="of at most 499 teams"):
        ImagesStack(app, "Images", platform=config)
