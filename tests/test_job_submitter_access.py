"""The job-submitter role may make every call ``emr-serverless-jobs`` makes, and no other.

The reference app's team stack is rendered for one account and Region; its outputs feed
the command (through botocore's Stubber, as ``DescribeStacks`` returns them); every AWS
call the command then makes is recorded and turned into the IAM requests it needs
(action, resource, condition keys); the submitter role's rendered policies must allow
each of them, and deny the same calls on another stack, application or role.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

import app as reference
from constructs_lib.jobs import Runtime, run
from constructs_lib.platform_config import load_platform_config
from constructs_lib.stack_outputs import OutputField, output_key
from tests.harness import Synthesis
from tests.iam_checks import (
    Environment,
    Request,
    attached_policies,
    identity_policies,
    is_allowed,
    stack_outputs,
)

REGION, ACCOUNT = "eu-west-1", "123456789012"
ENV = Environment(region=REGION, account=ACCOUNT)
CONFIG = load_platform_config(reference.DEFAULT_CONFIG)
STACK = CONFIG.environment("dev").team_stack_name("analytics")
OTHER_STACK = CONFIG.environment("dev").team_stack_name("reporting")
JOB_RUN = "00fjob987zyx6543"
TOKEN = "token-1"


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/nonexistent/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="module")
def rendered(reference_app: Synthesis) -> dict[str, Any]:
    """The team stack's outputs and the submitter's policies, for one account and Region."""
    template = reference_app.templates[STACK]
    # values from the shared stacks (workspace, subnets) stand in as placeholders: the
    # submitter's policies and the outputs the command reads do not use them
    imported = re.findall(r'"(?:OutputName|Fn::ImportValue)": "([^"]+)"', json.dumps(template))
    env = Environment(
        region=REGION, account=ACCOUNT, names={name: f"imported-{name}" for name in imported}
    )
    outputs = {
        name: value
        for name, value in stack_outputs({STACK: template}, env).items()
        if name in template["Outputs"]
    }
    role_id = next(
        k
        for k, r in template["Resources"].items()
        if k.startswith("JobSubmitterRole") and r["Type"] == "AWS::IAM::Role"
    )
    policies = identity_policies(template, env)
    documents = [policies[p] for p in attached_policies(template, role_id)]
    assert documents
    return {"outputs": outputs, "documents": documents}


class Recorder:
    """Stubbed clients that record every call the command makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.clients = {
            name: boto3.client(name, region_name=REGION)
            for name in ("cloudformation", "emr-serverless")
        }
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}
        for name, client in self.clients.items():
            client.meta.events.register(
                "provide-client-params.*.*", self._recorder(name), unique_id=f"record-{name}"
            )
            self.stubs[name].activate()
        self.region_name = REGION

    def _recorder(self, service: str) -> Any:
        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            self.calls.append((service, model.name, dict(params)))

        return record

    def client(self, service: str) -> Any:
        return self.clients[service]

    def factory(self, profile: str | None, region: str | None) -> Recorder:
        return self


def _describe(outputs: dict[str, str]) -> dict[str, Any]:
    return {
        "Stacks": [
            {
                "StackName": STACK,
                "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
                "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            }
        ]
    }


def _job_run(application_id: str, state: str) -> dict[str, Any]:
    return {
        "jobRun": {
            "applicationId": application_id,
            "jobRunId": JOB_RUN,
            "arn": f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/"
            f"{application_id}/jobruns/{JOB_RUN}",
            "createdBy": f"arn:aws:iam::{ACCOUNT}:user/someone",
            "createdAt": datetime(2026, 1, 1, tzinfo=UTC),
            "updatedAt": datetime(2026, 1, 1, tzinfo=UTC),
            "executionRole": f"arn:aws:iam::{ACCOUNT}:role/runtime",
            "state": state,
            "stateDetails": "details",
            "releaseLabel": "emr-7.6.0",
            "jobDriver": {"sparkSubmit": {"entryPoint": "/a.py"}},
        }
    }


def calls_of(argv: list[str], outputs: dict[str, str], *, waits: int = 0) -> Recorder:
    recorder = Recorder()
    application_id = outputs[output_key("analytics", OutputField.APPLICATION_ID)]
    recorder.stubs["cloudformation"].add_response("describe_stacks", _describe(outputs))
    if argv[0] == "submit":
        recorder.stubs["emr-serverless"].add_response(
            "start_job_run",
            {
                "applicationId": application_id,
                "jobRunId": JOB_RUN,
                "arn": f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/"
                f"{application_id}/jobruns/{JOB_RUN}",
            },
        )
    for state in ["RUNNING"] * waits + (["SUCCESS"] if waits or argv[0] == "status" else []):
        recorder.stubs["emr-serverless"].add_response(
            "get_job_run", _job_run(application_id, state)
        )
    stdout, stderr = io.StringIO(), io.StringIO()
    runtime = Runtime(
        session=recorder.factory,
        sleep=lambda _: None,
        new_token=lambda: TOKEN,
        stdout=stdout,
        stderr=stderr,
    )
    code = run(argv, runtime)
    assert code == 0, stderr.getvalue()
    for stub in recorder.stubs.values():
        stub.assert_no_pending_responses()
    return recorder


def iam_requests(
    calls: list[tuple[str, str, dict[str, Any]]], application_keys: list[str]
) -> Iterator[Request]:
    """The IAM authorizations each recorded call needs.

    A submission needs the application's log keys too (guide L4924-4960): its logs are
    encrypted with them whether or not the request names them.
    """
    for service, operation, params in calls:
        if (service, operation) == ("cloudformation", "DescribeStacks"):
            name = params["StackName"]
            yield Request(
                "cloudformation:DescribeStacks",
                f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/"
                "0e0e0e0e-1111-2222-3333-444444444444",
            )
        elif service == "emr-serverless" and operation == "StartJobRun":
            application = (
                f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{params['applicationId']}"
            )
            yield Request("emr-serverless:StartJobRun", application)
            yield Request(
                "iam:PassRole",
                params["executionRoleArn"],
                {"iam:PassedToService": "emr-serverless.amazonaws.com"},
            )
            monitoring = params.get("configurationOverrides", {}).get("monitoringConfiguration", {})
            keys = {b["encryptionKeyArn"] for b in monitoring.values() if "encryptionKeyArn" in b}
            for key in sorted(keys | set(application_keys)):
                for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                    yield Request(action, key)
        elif service == "emr-serverless" and operation == "GetJobRun":
            yield Request(
                "emr-serverless:GetJobRun",
                f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/"
                f"{params['applicationId']}/jobruns/{params['jobRunId']}",
            )
        else:
            raise AssertionError(f"an unmapped call: {service} {operation}")


def _keys(rendered: dict[str, Any]) -> list[str]:
    return [rendered["outputs"][output_key("analytics", OutputField.LOG_ENCRYPTION_KEY_ARN)]]


COMMANDS = {
    "submit a declared job and wait": (
        ["submit", "--stack", STACK, "--team", "analytics", "--job", "nightly-wordcount", "--wait"],
        2,
    ),
    "submit a script": (
        [
            "submit",
            "--stack",
            STACK,
            "--team",
            "analytics",
            "--entry-point",
            "s3://lake-jobs/a.py",
            "--",
            "x",
        ],
        0,
    ),
    "status": (["status", "--stack", STACK, "--team", "analytics", JOB_RUN], 0),
    "wait": (["wait", "--stack", STACK, "--team", "analytics", JOB_RUN], 1),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_submitter_may_make_every_call_of_the_command(
    rendered: dict[str, Any], command: str
) -> None:
    argv, waits = COMMANDS[command]
    recorder = calls_of(argv, rendered["outputs"], waits=waits)
    requests = list(iam_requests(recorder.calls, _keys(rendered)))
    assert requests
    denied = [r for r in requests if not is_allowed(rendered["documents"], r)]
    assert denied == []


def test_the_declared_job_sends_its_stacks_request(rendered: dict[str, Any]) -> None:
    argv, waits = COMMANDS["submit a declared job and wait"]
    recorder = calls_of(argv, rendered["outputs"], waits=waits)
    ((_, _, sent),) = [c for c in recorder.calls if c[1] == "StartJobRun"]
    declared = json.loads(rendered["outputs"]["AnalyticsJobNightlyWordcountRequest"])
    assert sent == {**declared, "clientToken": TOKEN}
    assert sent["retryPolicy"] == {"maxAttempts": 2}
    assert sent["executionTimeoutMinutes"] == 120


def test_the_submitter_may_not_reach_beyond_its_team(rendered: dict[str, Any]) -> None:
    argv, waits = COMMANDS["submit a declared job and wait"]
    calls = calls_of(argv, rendered["outputs"], waits=waits).calls
    requests = list(iam_requests(calls, _keys(rendered)))
    documents = rendered["documents"]

    def elsewhere(request: Request) -> list[Request]:
        resource = request.resource
        variants = []
        if request.action == "cloudformation:DescribeStacks":
            variants.append(resource.replace(STACK, OTHER_STACK))
        elif request.action.startswith("emr-serverless:"):
            variants.append(resource.replace("/applications/", "/applications/other"))
        elif request.action == "iam:PassRole":
            variants.append(resource + "other")
        elif request.action.startswith("kms:"):
            variants.append(resource[:-4] + "0000")
        return [Request(request.action, v, request.context) for v in variants]

    others = [variant for request in requests for variant in elsewhere(request)]
    assert {r.action for r in others} >= {
        "cloudformation:DescribeStacks",
        "emr-serverless:StartJobRun",
        "emr-serverless:GetJobRun",
        "iam:PassRole",
        "kms:Decrypt",
    }
    assert [r for r in others if is_allowed(documents, r)] == []
    pass_role = next(r for r in requests if r.action == "iam:PassRole")
    to_ec2 = Request(
        "iam:PassRole", pass_role.resource, {"iam:PassedToService": "ec2.amazonaws.com"}
    )
    assert not is_allowed(documents, to_ec2)
    for action in ("cloudformation:UpdateStack", "cloudformation:DeleteStack"):
        describe = next(r for r in requests if r.action == "cloudformation:DescribeStacks")
        assert not is_allowed(documents, Request(action, describe.resource))
