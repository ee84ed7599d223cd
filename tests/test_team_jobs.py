"""Team stacks build their declared jobs, and blame a job's refusal at its key in the config."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

import app as reference
from constructs_lib.job_outputs import job_request_output_key, job_state_machine_output_key
from constructs_lib.platform_config import (
    PlatformConfigError,
    load_platform_config,
    parse_platform_config,
)
from stacks import TeamStack
from tests.harness import Synthesis, new_app

SHIPPED: dict[str, Any] = yaml.safe_load(Path(reference.DEFAULT_CONFIG).read_text())


def _build(document: dict[str, Any]) -> list[cdk.Stack]:
    source = str(Path(reference.DEFAULT_CONFIG))
    config = parse_platform_config(yaml.safe_dump(document), source=source)
    return reference.build_app(new_app(compliance=False), config=config)


def _changed(team: int, job: int, **changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(SHIPPED)
    document["teams"][team]["jobs"][job].update(changes)
    return document


@pytest.mark.parametrize(
    ("where", "changes", "release", "key", "fragment"),
    [
        ((0, 1), {"timeout_minutes": 0}, "emr-7.11.0", "teams[0].jobs[1].timeout_minutes=0", "off"),
        (
            (0, 1),
            {"timeout_minutes": 10_081},
            "emr-7.12.0",
            "teams[0].jobs[1].timeout_minutes",
            "10,080",
        ),
        ((1, 0), {"retries": 1}, "emr-7.0.0", "teams[1].jobs[0].retries", "retry policies need"),
        ((0, 0), {"project": "jobs/none"}, None, "teams[0].jobs[0].project", "is a folder"),
    ],
)
def test_a_jobs_refusal_is_reported_at_its_key(
    where: tuple[int, int], changes: dict[str, Any], release: str | None, key: str, fragment: str
) -> None:
    team, job = where
    document = _changed(team, job, **changes)
    if release is not None:
        document["teams"][team]["application"]["release_label"] = release
        document["environments"]["prod"]["teams"].pop("analytics", None)
    with pytest.raises(PlatformConfigError) as refused:
        _build(document)
    message = str(refused.value)
    assert f"platform.yaml: {key}" in message
    assert fragment in message


def test_jobs_that_cannot_fit_the_maximum_capacity_are_blamed_on_it() -> None:
    document = copy.deepcopy(SHIPPED)
    document["teams"][0]["application"]["maximum_capacity"] = {"vcpu": 5, "memory_gb": 40}
    document["environments"]["prod"]["teams"].pop("analytics")
    with pytest.raises(PlatformConfigError) as refused:
        _build(document)
    message = str(refused.value)
    assert "platform.yaml: teams[0].application.maximum_capacity" in message
    assert "need 6 vCPU and the application allows 5" in message
    document["teams"][0]["application"]["maximum_capacity"]["vcpu"] = 6
    assert _build(document)


def test_the_valid_neighbours_build() -> None:
    document = _changed(0, 1, timeout_minutes=10_080)
    document["teams"][0]["application"]["release_label"] = "emr-7.12.0"
    document["environments"]["prod"]["teams"].pop("analytics")
    assert _build(document)


def test_each_team_stack_has_its_jobs_workflows_and_schedules(reference_app: Synthesis) -> None:
    for environment in reference.platform_config(reference_app.app).environments:
        for team in environment.teams:
            stack = reference_app.app.node.find_child(environment.team_stack_name(team.name))
            assert isinstance(stack, TeamStack)
            assert sorted(stack.jobs) == sorted(job.name for job in team.jobs)
            assert sorted(stack.workflows) == sorted(stack.jobs)
            assert sorted(stack.schedules) == sorted(j.name for j in team.jobs if j.schedule)
            outputs = reference_app.templates[stack.stack_name]["Outputs"]
            for job in team.jobs:
                assert job_request_output_key(team.name, job.name) in outputs
                assert job_state_machine_output_key(team.name, job.name) in outputs
                workflow = stack.workflows[job.name]
                assert workflow.notification_topic is stack.monitoring.topic


def test_a_project_job_runs_its_packaged_code(reference_app: Synthesis) -> None:
    stack = reference_app.app.node.find_child("EmrAnalytics-Dev-Team-Analytics")
    assert isinstance(stack, TeamStack)
    job = stack.jobs["nightly-wordcount"]
    assert job.code is not None
    assert job.code.dependencies is None  # the reference project has no requirements
    properties = job.request["configurationOverrides"]["applicationConfiguration"][0]["properties"]
    assert "spark.submit.pyFiles" in properties
    assert job.request["retryPolicy"] == {"maxAttempts": 2}
    # the team's cost-allocation tags (runs do not inherit the application's), and the job
    dev = load_platform_config(reference.DEFAULT_CONFIG).environment("dev")
    assert job.request["tags"] == {**dev.team_tags("analytics"), "job": "nightly-wordcount"}
    # sized like the team's workers already, at the application: nothing repeated per job
    assert not [key for key in properties if key.startswith("spark.executor.")]


def test_a_hive_job_reads_its_query_from_the_scripts_location(reference_app: Synthesis) -> None:
    template = reference_app.templates["EmrAnalytics-Dev-Team-Reporting"]
    output = template["Outputs"]["ReportingJobDailyReportRequest"]["Value"]
    text = json.dumps(output)
    assert "/scripts/reports/daily.sql" in text
    assert '\\"hive\\"' in text
