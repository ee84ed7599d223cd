"""The output naming contract between the platform stacks and the job-submission command."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.stack_outputs import (
    MAX_OUTPUTS_PER_TEMPLATE,
    REQUIRED_FIELDS,
    MissingOutputError,
    OutputField,
    TeamOutputs,
    images_stack_name,
    network_stack_name,
    output_description,
    output_key,
    pascal_case,
    platform_stack_name,
    team_stack_name,
    teams_in_outputs,
)

_TEAM = st.from_regex(r"\A[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,3}\Z")


def outputs_of(team: str, fields: set[OutputField] | None = None) -> dict[str, str]:
    return {output_key(team, f): f"{f.value}-of-{team}" for f in fields or set(OutputField)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("analytics", "Analytics"), ("data-science", "DataScience"), ("team-2b", "Team2b")],
)
def test_pascal_case(name: str, expected: str) -> None:
    assert pascal_case(name) == expected


@given(team=_TEAM)
def test_output_keys_are_valid_logical_ids_and_distinct(team: str) -> None:
    keys = [output_key(team, field) for field in OutputField]
    assert all(re.fullmatch(r"[A-Za-z0-9]{1,255}", key) for key in keys)
    assert len(set(keys)) == len(keys)


def test_a_team_stack_stays_far_below_the_outputs_quota() -> None:
    assert len(OutputField) * 10 <= MAX_OUTPUTS_PER_TEMPLATE


def test_stack_names() -> None:
    assert platform_stack_name("emr-analytics", "prod") == "EmrAnalytics-Prod-Platform"
    assert network_stack_name("emr-analytics", "prod") == "EmrAnalytics-Prod-Network"
    assert images_stack_name("emr-analytics") == "EmrAnalytics-Images"
    assert (
        team_stack_name("emr-analytics", "prod", "data-science")
        == "EmrAnalytics-Prod-Team-DataScience"
    )


@given(team=_TEAM)
def test_team_stacks_never_clash_with_shared_stacks(team: str) -> None:
    shared = {network_stack_name("p", "dev"), platform_stack_name("p", "dev")}
    assert team_stack_name("p", "dev", team) not in shared


@given(team=_TEAM)
def test_team_outputs_round_trip(team: str) -> None:
    outputs = outputs_of(team) | outputs_of(f"{team}-other")
    read = TeamOutputs.from_stack_outputs(team, outputs)
    assert read == TeamOutputs(
        team=team,
        application_id=f"ApplicationId-of-{team}",
        runtime_role_arn=f"RuntimeRoleArn-of-{team}",
        application_arn=f"ApplicationArn-of-{team}",
        application_type=f"ApplicationType-of-{team}",
        log_uri=f"LogUri-of-{team}",
        log_group_name=f"LogGroupName-of-{team}",
        log_encryption_key_arn=f"LogEncryptionKeyArn-of-{team}",
        submitter_role_arn=f"SubmitterRoleArn-of-{team}",
    )


def test_optional_outputs_may_be_missing() -> None:
    read = TeamOutputs.from_stack_outputs("a", outputs_of("a", set(REQUIRED_FIELDS)))
    assert (read.log_uri, read.log_group_name, read.application_type) == (None, None, None)


@pytest.mark.parametrize("missing", sorted(REQUIRED_FIELDS))
def test_missing_required_output_is_named(missing: OutputField) -> None:
    outputs = outputs_of("analytics", set(OutputField) - {missing})
    with pytest.raises(MissingOutputError, match=f"Analytics{missing.value}"):
        TeamOutputs.from_stack_outputs("analytics", outputs)


def test_empty_output_counts_as_missing() -> None:
    outputs = outputs_of("a") | {output_key("a", OutputField.APPLICATION_ID): ""}
    with pytest.raises(MissingOutputError):
        TeamOutputs.from_stack_outputs("a", outputs)


def test_teams_are_found_by_their_descriptions() -> None:
    descriptions = {
        output_key(team, field): output_description(team, field)
        for team in ("reporting", "data-science")
        for field in OutputField
    }
    descriptions["SomethingElseApplicationId"] = "not ours"
    assert teams_in_outputs(descriptions) == ["data-science", "reporting"]


def test_no_field_ends_another_so_teams_cannot_share_a_key() -> None:
    fields = [field.value for field in OutputField]
    assert not [(a, b) for a in fields for b in fields if a != b and a.endswith(b)]
