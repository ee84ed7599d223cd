"""The reference app: every gate on every stack, and a snapshot per stack as a change detector."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from syrupy.assertion import SnapshotAssertion

import app as reference
from constructs_lib.job_outputs import job_request_output_key
from constructs_lib.platform_config import JOB_TAG, EnvironmentConfig, load_platform_config
from constructs_lib.stack_outputs import OutputField, images_stack_name, output_key
from constructs_lib.subnet_planning import WORKER_GROUP, workers_for
from stacks import NetworkStack
from tests.harness import Synthesis
from tests.tag_checks import taggable_resources, tags_of, untagged

CONFIG = load_platform_config(reference.DEFAULT_CONFIG)

#: Every stack the platform file implies: the images stack, and per environment a network
#: stack, a shared platform stack and a stack per team.
EXPECTED_STACKS = sorted(
    [
        images_stack_name(CONFIG.name),
        *(
            name
            for environment in CONFIG.environments
            for name in [
                environment.network_stack_name,
                environment.stack_name,
                *(environment.team_stack_name(team.name) for team in environment.teams),
            ]
        ),
    ]
)


def test_one_network_one_shared_and_one_stack_per_team_in_each_environment(
    reference_app: Synthesis,
) -> None:
    assert sorted(reference_app.templates) == EXPECTED_STACKS
    assert len(CONFIG.environments) == 2


def test_without_accounts_the_stacks_keep_their_place_and_names() -> None:
    # No stages: a stage would change every construct path, and with them logical ids and
    # descriptions of an already deployed platform (docs/deploying.md).
    assert not CONFIG.uses_stages
    assert all(environment.target is None for environment in CONFIG.environments)


def test_every_taggable_resource_carries_the_platform_tags(reference_app: Synthesis) -> None:
    assert untagged(reference_app.templates, ["platform", "environment"]) == []


@pytest.mark.parametrize("environment", CONFIG.environments, ids=lambda e: e.name)
def test_team_stacks_carry_their_teams_tags(
    reference_app: Synthesis, environment: EnvironmentConfig
) -> None:
    for team in environment.teams:
        name = environment.team_stack_name(team.name)
        for _, logical_id, resource in taggable_resources({name: reference_app.templates[name]}):
            expected = environment.team_tags(team.name)
            assert tags_of(resource).items() >= expected.items(), logical_id


def _literal_json(value: dict[str, Any]) -> dict[str, Any]:
    """The JSON an output's ``Fn::Join`` renders, each token read as ``"<token>"`` text."""
    parts = value["Fn::Join"][1]
    text = "".join(part if isinstance(part, str) else "<token>" for part in parts)
    parsed: dict[str, Any] = json.loads(text)
    return parsed


@pytest.mark.parametrize("environment", CONFIG.environments, ids=lambda e: e.name)
def test_declared_job_runs_carry_the_teams_tags_and_the_jobs_name(
    reference_app: Synthesis, environment: EnvironmentConfig
) -> None:
    # EMR Serverless does not pass an application's tags on to its job runs.
    jobs = [(team, job) for team in environment.teams for job in team.jobs]
    assert jobs
    for team, job in jobs:
        template = reference_app.templates[environment.team_stack_name(team.name)]
        output = template["Outputs"][job_request_output_key(team.name, job.name)]
        request = _literal_json(output["Value"])
        assert request["tags"] == {**environment.team_tags(team.name), JOB_TAG: job.name}


def test_tagging_a_deployed_platform_replaces_nothing(reference_app: Synthesis) -> None:
    # Tags reach resources of a platform deployed before them: no type may take Tags only
    # on creation (CloudFormation would replace the resource).
    for _, logical_id, resource in taggable_resources(reference_app.templates):
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource["Type"]).schema
        assert "/properties/Tags" not in schema.get("createOnlyProperties", []), logical_id


def test_nag_packs_report_nothing_unacknowledged(reference_app: Synthesis) -> None:
    reference_app.assert_nag_clean()


def test_no_construct_warnings(reference_app: Synthesis) -> None:
    reference_app.assert_no_warnings()


def test_acknowledgements_are_per_resource_and_finding(reference_app: Synthesis) -> None:
    reference_app.assert_acknowledgements_specific()


def test_cfn_lint_clean(reference_app: Synthesis) -> None:
    reference_app.assert_cfn_lint_clean()


def test_iam_actions_exist(reference_app: Synthesis) -> None:
    reference_app.assert_iam_actions_exist()


def test_environment_agnostic(reference_app: Synthesis) -> None:
    text = json.dumps(reference_app.templates)
    assert not re.search(r"\b\d{12}\b", text), "an account id is baked into a template"
    assert not re.search(r"\b(us|eu|ap|sa|ca|me|af)-[a-z]+-\d\b", text), "a region is baked in"


@pytest.mark.parametrize("environment", CONFIG.environments, ids=lambda e: e.name)
def test_worker_subnets_hold_every_teams_peak_together(
    reference_app: Synthesis, environment: EnvironmentConfig
) -> None:
    stack = reference_app.app.node.find_child(environment.network_stack_name)
    assert isinstance(stack, NetworkStack)
    plan = stack.network.plan
    assert plan is not None
    peak = sum(workers_for(t.max_vcpu, t.worker_vcpu) for t in environment.workloads())
    workers = [s for s in plan.subnets if s.group == WORKER_GROUP]
    assert len(workers) == environment.network.availability_zones
    assert all(s.required >= peak for s in workers)
    template = reference_app.templates[environment.network_stack_name]
    cidrs = {
        r["Properties"]["CidrBlock"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    }
    assert {s.cidr for s in workers} <= cidrs


@pytest.mark.parametrize("environment", CONFIG.environments, ids=lambda e: e.name)
def test_team_stacks_export_what_the_job_command_reads(
    reference_app: Synthesis, environment: EnvironmentConfig
) -> None:
    for team in environment.teams:
        outputs = reference_app.templates[environment.team_stack_name(team.name)]["Outputs"]
        for field in (OutputField.APPLICATION_ID, OutputField.RUNTIME_ROLE_ARN):
            assert output_key(team.name, field) in outputs


@pytest.mark.parametrize("stack", EXPECTED_STACKS)
def test_snapshot(reference_app: Synthesis, stack: str, snapshot: SnapshotAssertion) -> None:
    assert reference_app.templates[stack] == snapshot


def test_prod_runs_the_image_the_team_pushed(reference_app: Synthesis) -> None:
    prod = CONFIG.environment("prod")
    (analytics,) = [t for t in prod.teams if t.application.image_tag]
    template = reference_app.templates[prod.team_stack_name(analytics.name)]
    (application,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::EMRServerless::Application"
    ]
    uri = json.dumps(application["Properties"]["ImageConfiguration"]["ImageUri"])
    assert uri.endswith(f':{analytics.application.image_tag}"]]}}')


def test_teams_with_prometheus_write_to_the_shared_workspace(reference_app: Synthesis) -> None:
    for environment in CONFIG.environments:
        shared = reference_app.templates[environment.stack_name]["Resources"]
        assert [r for r in shared.values() if r["Type"] == "AWS::APS::Workspace"]
        for team in environment.teams:
            template = reference_app.templates[environment.team_stack_name(team.name)]
            (application,) = [
                r
                for r in template["Resources"].values()
                if r["Type"] == "AWS::EMRServerless::Application"
            ]
            monitoring = application["Properties"]["MonitoringConfiguration"]
            assert ("PrometheusMonitoringConfiguration" in monitoring) is team.prometheus
