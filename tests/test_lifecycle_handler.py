"""The lifecycle handler against botocore's Stubber: every entry state and path, no AWS call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from constructs_lib.lifecycle import DATA_PATH, handler, handler_asset

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/team/0f1e2d3c"
LOGICAL = "AppF1B96344"
APP = "00fabcdefghij012"
OTHER_APP = "00fzyxwvutsrq987"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team:v2"

APPLICATION = {
    "Architecture": "X86_64",
    "AutoStartConfiguration": {"Enabled": "true"},
    "AutoStopConfiguration": {"Enabled": "true", "IdleTimeoutMinutes": "15"},
    "MaximumCapacity": {"Cpu": "400vCPU", "Memory": "3200GB"},
    "Name": "team-app",
    "ReleaseLabel": "emr-7.12.0",
    "Type": "SPARK",
}
WARM = {
    **APPLICATION,
    "InitialCapacity": [
        {
            "Key": "DRIVER",
            "Value": {
                "WorkerCount": "1",
                "WorkerConfiguration": {"Cpu": "2vCPU", "Memory": "4GB"},
            },
        }
    ],
}
#: The disk encryption the API-only setting asks for, as GetApplication shows it.
DISK_SETTING = {"encryptionKeyArn": KEY_ARN, "encryptionContext": {"team": "data"}}
DISK = {
    "DiskEncryptionConfiguration": {
        "Path": ["diskEncryptionConfiguration"],
        "Value": DISK_SETTING,
        "Clear": {},
    }
}


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Aws:
    """Stubbed EMR Serverless and CloudFormation clients, and the handler's clock and sleeps."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.emr = boto3.client("emr-serverless", region_name=REGION)
        self.cfn = boto3.client("cloudformation", region_name=REGION)
        self.emr_stub = Stubber(self.emr)
        self.cfn_stub = Stubber(self.cfn)
        self.clock = Clock()
        self.sleeps: list[float] = []
        clients = handler.Clients(emr=self.emr, cloudformation=self.cfn)
        monkeypatch.setattr(handler, "make_clients", lambda: clients)
        monkeypatch.setattr(handler, "clock", self.clock)
        monkeypatch.setattr(handler, "sleep", self.sleeps.append)

    # --- CloudFormation ---------------------------------------------------------------

    def stack_status(self, status: str) -> None:
        self.cfn_stub.add_response(
            "describe_stacks",
            {"Stacks": [{"StackName": "team", "CreationTime": NOW, "StackStatus": status}]},
            {"StackName": STACK_ID},
        )

    def resource(self, physical_id: str | None) -> None:
        if physical_id is None:
            self.cfn_stub.add_client_error(
                "describe_stack_resource",
                service_error_code="ValidationError",
                service_message=f"Resource {LOGICAL} does not exist for stack team",
                http_status_code=400,
                expected_params={"StackName": STACK_ID, "LogicalResourceId": LOGICAL},
            )
            return
        self.cfn_stub.add_response(
            "describe_stack_resource",
            {
                "StackResourceDetail": {
                    "LogicalResourceId": LOGICAL,
                    "PhysicalResourceId": physical_id,
                    "ResourceType": "AWS::EMRServerless::Application",
                    "LastUpdatedTimestamp": NOW,
                    "ResourceStatus": "UPDATE_COMPLETE",
                }
            },
            {"StackName": STACK_ID, "LogicalResourceId": LOGICAL},
        )

    def template(self, *logical_ids: str) -> None:
        body = json.dumps({"Resources": {i: {"Type": "AWS::SNS::Topic"} for i in logical_ids}})
        self.cfn_stub.add_response(
            "get_template",
            {"TemplateBody": body},
            {"StackName": STACK_ID, "TemplateStage": "Processed"},
        )

    # --- EMR Serverless ---------------------------------------------------------------

    def application(self, state: str, app: str = APP, **fields: Any) -> None:
        self.emr_stub.add_response(
            "get_application",
            {"application": _application(app, state, **fields)},
            {"applicationId": app},
        )

    def missing(self, app: str = APP) -> None:
        self.emr_stub.add_client_error(
            "get_application",
            service_error_code="ResourceNotFoundException",
            service_message=f"Application {app} does not exist",
            http_status_code=404,
            expected_params={"applicationId": app},
        )

    def jobs(self, *runs: tuple[str, str], app: str = APP) -> None:
        self.emr_stub.add_response(
            "list_job_runs",
            {"jobRuns": [_job_run(app, job_id, state) for job_id, state in runs]},
            {"applicationId": app, "states": list(handler.ACTIVE_JOB_STATES)},
        )

    def call(self, operation: str, app: str = APP, **params: Any) -> None:
        responses = {
            "update_application": {"application": _application(app, "STOPPED")},
            "cancel_job_run": {"applicationId": app, "jobRunId": params.get("jobRunId", "")},
        }
        self.emr_stub.add_response(
            operation, responses.get(operation, {}), {"applicationId": app, **params}
        )

    def fail(self, operation: str, code: str, message: str = "refused", **params: Any) -> None:
        self.emr_stub.add_client_error(
            operation,
            service_error_code=code,
            service_message=message,
            http_status_code=400,
            expected_params=params or None,
        )

    def done(self) -> None:
        self.emr_stub.assert_no_pending_responses()
        self.cfn_stub.assert_no_pending_responses()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    stubs = Aws(monkeypatch)
    with stubs.emr_stub, stubs.cfn_stub:
        yield stubs


def _application(app: str, state: str, **fields: Any) -> dict[str, Any]:
    return {
        "applicationId": app,
        "name": "team-app",
        "arn": f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{app}",
        "releaseLabel": "emr-7.12.0",
        "type": "SPARK",
        "state": state,
        "createdAt": NOW,
        "updatedAt": NOW,
        **fields,
    }


def _job_run(app: str, job_id: str, state: str) -> dict[str, Any]:
    return {
        "applicationId": app,
        "id": job_id,
        "arn": f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{app}/jobruns/{job_id}",
        "createdBy": f"arn:aws:iam::{ACCOUNT}:role/submitter",
        "createdAt": NOW,
        "updatedAt": NOW,
        "executionRole": f"arn:aws:iam::{ACCOUNT}:role/runtime",
        "state": state,
        "stateDetails": state.lower(),
        "releaseLabel": "emr-7.12.0",
    }


def _properties(step: str, application: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:framework",
        "Step": step,
        "ApplicationLogicalId": LOGICAL,
        "Application": application,
        "ApiOnlySettings": {},
        "RunningJobs": "WAIT",
        "RunningJobsTimeoutMinutes": "5",
        **extra,
    }


def _event(
    request: str,
    properties: dict[str, Any],
    old: dict[str, Any] | None = None,
    physical_id: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "RequestType": request,
        "StackId": STACK_ID,
        "RequestId": "5d3f-request",
        "LogicalResourceId": "AppLifecycle",
        "ResourceType": "Custom::EmrServerless",
        "ResourceProperties": properties,
    }
    if old is not None:
        event["OldResourceProperties"] = old
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    return event


def _before_update(old: dict[str, Any], new: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return _event(
        "Update",
        _properties(handler.BEFORE, new, **extra),
        _properties(handler.BEFORE, old, **extra),
        f"{LOGICAL}:kept:earlier-request",
    )


def _after(
    request: str,
    application: dict[str, Any],
    *,
    old: dict[str, Any] | None = None,
    marker: str = "kept",
    app: str = APP,
    **extra: Any,
) -> dict[str, Any]:
    properties = _properties(
        handler.AFTER,
        application,
        ApplicationId=app,
        Marker=f"{LOGICAL}:{marker}:r1",
        **extra,
    )
    physical_id = None if request == "Create" else f"{LOGICAL}:state"
    return _event(request, properties, old, physical_id)


def _start(aws: Aws, event: dict[str, Any]) -> dict[str, Any]:
    """``on_event``, then the event ``is_complete`` receives."""
    result = handler.on_event(event)
    return {**event, **result}


def _poll(event: dict[str, Any]) -> bool:
    return bool(handler.is_complete(event)["IsComplete"])


def _plan(event: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(event["Data"]["Plan"]))


RELEASE_CHANGE = {**APPLICATION, "ReleaseLabel": "emr-7.11.0"}


# --- BeforeUpdate: every entry state ---------------------------------------------------


@pytest.mark.parametrize(
    ("state", "marker", "polls"),
    [
        ("CREATED", "kept", [("CREATED", False, True)]),
        ("STOPPED", "kept", [("STOPPED", False, True)]),
        ("TERMINATED", "kept", [("TERMINATED", False, True)]),
        ("STOPPING", "kept", [("STOPPING", False, False), ("STOPPED", False, True)]),
        (
            "STARTED",
            "stopped",
            [("STARTED", True, False), ("STOPPING", False, False), ("STOPPED", False, True)],
        ),
        (
            "STARTING",
            "stopped",
            [
                ("STARTING", False, False),
                ("STARTED", True, False),
                ("STOPPING", False, False),
                ("STOPPED", False, True),
            ],
        ),
    ],
)
def test_a_stopping_change_stops_the_application_from_every_state(
    aws: Aws, state: str, marker: str, polls: list[tuple[str, bool, bool]]
) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application(state)
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION))
    assert event["PhysicalResourceId"] == f"{LOGICAL}:{marker}:5d3f-request"
    assert _plan(event)["stop"] is True
    for seen, stops, complete in polls:
        aws.application(seen)
        if stops:
            aws.jobs()
            aws.call("stop_application")
        assert _poll(event) is complete
    aws.done()


def test_a_stop_that_takes_several_polls_completes_only_when_stopped(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION))
    aws.application("STARTED")
    aws.jobs()
    aws.call("stop_application")
    results = [_poll(event)]
    for _ in range(4):
        aws.application("STOPPING")
        results.append(_poll(event))
    aws.application("STOPPED")
    results.append(_poll(event))
    assert results == [False] * 5 + [True]
    aws.done()


@pytest.mark.parametrize(
    "new",
    [
        {**APPLICATION, "MaximumCapacity": {"Cpu": "200vCPU", "Memory": "1600GB"}},
        {**APPLICATION, "SchedulerConfiguration": {"MaxConcurrentRuns": "20"}},
    ],
)
def test_a_live_change_does_not_touch_the_application(aws: Aws, new: dict[str, Any]) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    event = _start(aws, _before_update(APPLICATION, new))
    assert event["PhysicalResourceId"] == f"{LOGICAL}:kept:5d3f-request"
    assert _plan(event) == {**_plan(event), "app": None, "stop": False}
    assert _poll(event) is True
    aws.done()


def test_a_new_stack_has_no_application_to_stop(aws: Aws) -> None:
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.resource(None)
    event = _start(aws, _event("Create", _properties(handler.BEFORE, APPLICATION)))
    assert event["PhysicalResourceId"] == f"{LOGICAL}:kept:5d3f-request"
    assert _poll(event) is True
    aws.done()


def test_adding_the_lifecycle_to_an_existing_application_stops_it_once(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _event("Create", _properties(handler.BEFORE, APPLICATION)))
    assert event["PhysicalResourceId"] == f"{LOGICAL}:stopped:5d3f-request"
    aws.application("STARTED")
    aws.jobs()
    aws.call("stop_application")
    assert _poll(event) is False
    aws.done()


# --- running job runs ------------------------------------------------------------------


def test_wait_lets_running_jobs_finish_then_stops(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION))
    aws.application("STARTED")
    aws.jobs(("00job1", "RUNNING"), ("00job2", "QUEUED"))
    assert _poll(event) is False
    aws.clock.now += 120
    aws.application("STARTED")
    aws.jobs()
    aws.call("stop_application")
    assert _poll(event) is False
    aws.application("STOPPED")
    assert _poll(event) is True
    aws.done()


def test_a_wait_past_the_bound_fails_naming_the_job_runs(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION))
    aws.application("STARTED")
    aws.jobs(("00job1", "RUNNING"))
    assert _poll(event) is False
    aws.clock.now += 5 * 60 + 1
    aws.application("STARTED")
    aws.jobs(("00job1", "RUNNING"), ("00job2", "PENDING"))
    with pytest.raises(handler.LifecycleError) as raised:
        _poll(event)
    message = str(raised.value)
    assert "00job1 (RUNNING)" in message
    assert "00job2 (PENDING)" in message
    assert APP in message
    assert "5 minutes" in message
    assert "RunningJobs.CANCEL" in message
    aws.done()


def test_the_bound_is_the_policys(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION, RunningJobsTimeoutMinutes="30"))
    aws.clock.now += 29 * 60
    aws.application("STARTED")
    aws.jobs(("00job1", "RUNNING"))
    assert _poll(event) is False
    aws.clock.now += 61
    aws.application("STARTED")
    aws.jobs(("00job1", "RUNNING"))
    with pytest.raises(handler.LifecycleError, match="after 30 minutes"):
        _poll(event)
    aws.done()


def test_cancel_cancels_active_job_runs_then_stops(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION, RunningJobs="CANCEL"))
    aws.application("STARTED")
    aws.jobs(("00job1", "RUNNING"), ("00job2", "CANCELLING"))
    aws.call("cancel_job_run", jobRunId="00job1")
    assert _poll(event) is False
    aws.application("STARTED")
    aws.jobs(("00job1", "CANCELLING"), ("00job2", "CANCELLING"))
    assert _poll(event) is False
    aws.application("STARTED")
    aws.jobs()
    aws.call("stop_application")
    assert _poll(event) is False
    aws.application("STOPPED")
    assert _poll(event) is True
    aws.done()


def test_cancellation_past_the_bound_fails_naming_the_job_runs(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION, RunningJobs="CANCEL"))
    aws.clock.now += 6 * 60
    aws.application("STARTED")
    aws.jobs(("00job1", "CANCELLING"))
    with pytest.raises(handler.LifecycleError, match=r"00job1 \(CANCELLING\)"):
        _poll(event)
    aws.done()


def test_a_refused_stop_is_tried_again_until_the_bound(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.application("STARTED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION))
    aws.application("STARTED")
    aws.jobs()
    aws.fail("stop_application", "ValidationException", "a job run was just submitted")
    assert _poll(event) is False
    aws.clock.now += 5 * 60 + 1
    aws.application("STARTED")
    aws.jobs()
    aws.fail("stop_application", "ValidationException", "a job run was just submitted")
    with pytest.raises(handler.LifecycleError, match="just submitted"):
        _poll(event)
    aws.done()


# --- throttling, permissions -----------------------------------------------------------


def test_throttling_is_retried_with_back_off(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    aws.fail("get_application", "ThrottlingException", "Rate exceeded")
    aws.fail("get_application", "TooManyRequestsException", "Rate exceeded")
    aws.application("STOPPED")
    event = _start(aws, _before_update(RELEASE_CHANGE, APPLICATION))
    assert aws.sleeps == [2, 4]
    assert event["PhysicalResourceId"] == f"{LOGICAL}:kept:5d3f-request"
    aws.done()


def test_throttling_that_does_not_end_reaches_cloudformation(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.resource(APP)
    for _ in range(handler.MAX_ATTEMPTS):
        aws.fail("get_application", "ThrottlingException", "Rate exceeded")
    with pytest.raises(handler.ClientError, match="Rate exceeded"):
        handler.on_event(_before_update(RELEASE_CHANGE, APPLICATION))
    assert len(aws.sleeps) == handler.MAX_ATTEMPTS - 1
    aws.done()


def test_access_denied_right_after_the_policy_changed_is_polled_again(aws: Aws) -> None:
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED")
    event = _start(aws, _after("Create", APPLICATION))
    aws.fail("get_application", "AccessDeniedException", "not authorized")
    assert _poll(event) is False
    aws.clock.now += handler.IAM_PROPAGATION_SECONDS + 1
    aws.fail("get_application", "AccessDeniedException", "not authorized")
    with pytest.raises(handler.ClientError, match="not authorized"):
        _poll(event)
    aws.done()


# --- AfterUpdate: state afterwards -----------------------------------------------------


def test_the_application_is_started_again_when_before_update_stopped_it(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.application("STOPPED")
    event = _start(aws, _after("Update", RELEASE_CHANGE, old=APPLICATION, marker="stopped"))
    assert _plan(event)["start"] is True
    aws.application("STOPPED")
    aws.application("STOPPED")
    aws.call("start_application")
    assert _poll(event) is False
    aws.application("STARTING")
    aws.application("STARTING")
    assert _poll(event) is False
    aws.application("STARTED")
    aws.application("STARTED")
    assert _poll(event) is True
    aws.done()


def test_a_stopped_application_stays_stopped(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.application("STOPPED")
    event = _start(aws, _after("Update", RELEASE_CHANGE, old=APPLICATION))
    assert _plan(event)["start"] is False
    aws.application("STOPPED")
    assert _poll(event) is True
    aws.done()


def test_warm_capacity_with_auto_start_is_started(aws: Aws) -> None:
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED")
    event = _start(aws, _after("Create", WARM))
    assert _plan(event)["start"] is True
    aws.application("CREATED")
    aws.application("CREATED")
    aws.call("start_application")
    assert _poll(event) is False
    aws.application("STARTED")
    aws.application("STARTED")
    assert _poll(event) is True
    aws.done()


def test_warm_capacity_without_auto_start_is_left_stopped(aws: Aws) -> None:
    manual = {**WARM, "AutoStartConfiguration": {"Enabled": "false"}}
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED")
    event = _start(aws, _after("Create", manual))
    assert _plan(event)["start"] is False
    aws.done()


def test_starting_a_terminated_application_fails(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.application("STOPPED")
    event = _start(aws, _after("Update", RELEASE_CHANGE, old=APPLICATION, marker="stopped"))
    aws.application("TERMINATED")
    aws.application("TERMINATED")
    with pytest.raises(handler.LifecycleError, match="TERMINATED"):
        _poll(event)
    aws.done()


# --- API-only settings -----------------------------------------------------------------


def test_api_only_settings_are_applied_after_create(aws: Aws) -> None:
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED")
    event = _start(aws, _after("Create", APPLICATION, ApiOnlySettings=DISK))
    aws.application("CREATED")
    aws.call("update_application", diskEncryptionConfiguration=DISK_SETTING)
    assert _poll(event) is False
    aws.application("CREATED", diskEncryptionConfiguration=DISK_SETTING)
    assert _poll(event) is True
    aws.done()


def test_settings_that_never_show_fail_naming_them(aws: Aws) -> None:
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED")
    event = _start(aws, _after("Create", APPLICATION, ApiOnlySettings=DISK))
    aws.clock.now += 5 * 60 + handler.SETTINGS_SECONDS + 1
    aws.application("CREATED")
    with pytest.raises(handler.LifecycleError, match="diskEncryptionConfiguration"):
        _poll(event)
    aws.done()


def test_settings_still_within_the_bound_are_sent_again(aws: Aws) -> None:
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED")
    event = _start(aws, _after("Create", APPLICATION, ApiOnlySettings=DISK))
    aws.clock.now += 5 * 60 + handler.SETTINGS_SECONDS - 1
    aws.application("CREATED")
    aws.call("update_application", diskEncryptionConfiguration=DISK_SETTING)
    assert _poll(event) is False
    aws.done()


def test_settings_already_in_place_need_no_update(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.application("STARTED", diskEncryptionConfiguration=DISK_SETTING)
    event = _start(aws, _after("Update", RELEASE_CHANGE, old=APPLICATION, ApiOnlySettings=DISK))
    assert _plan(event)["start"] is False
    aws.application("STARTED", diskEncryptionConfiguration=DISK_SETTING)
    assert _poll(event) is True
    aws.done()


def test_a_removed_setting_is_cleared(aws: Aws) -> None:
    current = {"encryptionKeyArn": KEY_ARN}
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.application("STOPPED", diskEncryptionConfiguration=current)
    old = _properties(handler.AFTER, APPLICATION, ApiOnlySettings=DISK)
    event = _start(aws, _after("Update", APPLICATION, old=old, marker="stopped"))
    aws.application("STOPPED", diskEncryptionConfiguration=current)
    aws.call("update_application", diskEncryptionConfiguration={})
    assert _poll(event) is False
    aws.application("STOPPED")
    aws.application("STOPPED")
    aws.call("start_application")
    assert _poll(event) is False
    aws.done()


def test_settings_on_a_started_application_stop_it_apply_and_start_it(aws: Aws) -> None:
    cost = {
        "JobLevelCostAllocationConfiguration": {
            "Path": ["jobLevelCostAllocationConfiguration"],
            "Value": {"enabled": "true"},
            "Clear": {"enabled": "false"},
        }
    }
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.application("STARTED")
    event = _start(aws, _after("Update", APPLICATION, old=APPLICATION, ApiOnlySettings=cost))
    assert _plan(event)["start"] is True
    aws.application("STARTED")
    aws.application("STARTED")
    aws.jobs()
    aws.call("stop_application")
    assert _poll(event) is False
    aws.application("STOPPED")
    aws.call("update_application", jobLevelCostAllocationConfiguration={"enabled": True})
    assert _poll(event) is False
    aws.application("STOPPED", jobLevelCostAllocationConfiguration={"enabled": True})
    aws.application("STOPPED", jobLevelCostAllocationConfiguration={"enabled": True})
    aws.call("start_application")
    assert _poll(event) is False
    aws.done()


def test_digest_resolution_keeps_the_image_uri(aws: Aws) -> None:
    digest = {
        "ImageConfiguration.ApplicationLevelDigestResolution": {
            "Path": ["imageConfiguration", "applicationLevelDigestResolution"],
            "Value": "false",
            "Clear": "true",
        }
    }
    image = {
        "imageUri": IMAGE,
        "resolvedImageDigest": "sha256:" + "a" * 64,
        "applicationLevelDigestResolution": True,
    }
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED", imageConfiguration=image)
    event = _start(aws, _after("Create", APPLICATION, ApiOnlySettings=digest))
    aws.application("CREATED", imageConfiguration=image)
    aws.call(
        "update_application",
        imageConfiguration={"imageUri": IMAGE, "applicationLevelDigestResolution": False},
    )
    assert _poll(event) is False
    aws.done()


def test_digest_resolution_reaches_every_worker_types_image(aws: Aws) -> None:
    digest = {
        "ImageConfiguration.ApplicationLevelDigestResolution": {
            "Path": ["imageConfiguration", "applicationLevelDigestResolution"],
            "Value": "true",
            "Clear": "true",
        }
    }
    workers = {
        "Driver": {"imageConfiguration": {"imageUri": IMAGE}},
        "Executor": {"imageConfiguration": {"imageUri": IMAGE + "-executor"}},
    }
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED", workerTypeSpecifications=workers)
    event = _start(aws, _after("Create", APPLICATION, ApiOnlySettings=digest))
    aws.application("CREATED", workerTypeSpecifications=workers)
    aws.call(
        "update_application",
        workerTypeSpecifications={
            "Driver": {
                "imageConfiguration": {"imageUri": IMAGE, "applicationLevelDigestResolution": True}
            },
            "Executor": {
                "imageConfiguration": {
                    "imageUri": IMAGE + "-executor",
                    "applicationLevelDigestResolution": True,
                }
            },
        },
    )
    assert _poll(event) is False
    aws.done()


def test_user_background_sessions_keep_the_identity_center_instance(aws: Aws) -> None:
    instance = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
    sessions = {
        "IdentityCenterConfiguration.UserBackgroundSessionsEnabled": {
            "Path": ["identityCenterConfiguration", "userBackgroundSessionsEnabled"],
            "Value": "true",
            "Clear": "false",
        }
    }
    current = {
        "identityCenterInstanceArn": instance,
        "identityCenterApplicationArn": "arn:aws:sso::123456789012:application/ssoins-1/apl-1",
    }
    aws.stack_status("CREATE_IN_PROGRESS")
    aws.application("CREATED", identityCenterConfiguration=current)
    event = _start(aws, _after("Create", APPLICATION, ApiOnlySettings=sessions))
    aws.application("CREATED", identityCenterConfiguration=current)
    aws.call(
        "update_application",
        identityCenterConfiguration={
            "identityCenterInstanceArn": instance,
            "userBackgroundSessionsEnabled": True,
        },
    )
    assert _poll(event) is False
    aws.done()


def test_a_failing_update_starts_the_application_again_and_reaches_cloudformation(
    aws: Aws,
) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    aws.application("STOPPED")
    event = _start(
        aws,
        _after("Update", RELEASE_CHANGE, old=APPLICATION, marker="stopped", ApiOnlySettings=DISK),
    )
    assert _plan(event)["start"] is True
    aws.application("STOPPED")
    aws.fail(
        "update_application",
        "ValidationException",
        "The KMS key is not accessible",
        applicationId=APP,
        diskEncryptionConfiguration=ANY,
    )
    aws.call("start_application")
    with pytest.raises(handler.LifecycleError, match="The KMS key is not accessible"):
        _poll(event)
    aws.done()


# --- deletion --------------------------------------------------------------------------


def test_deleting_the_stack_stops_the_application(aws: Aws) -> None:
    aws.stack_status("DELETE_IN_PROGRESS")
    event = _start(aws, _after("Delete", APPLICATION))
    assert _plan(event)["stop"] is True
    aws.application("STARTED")
    aws.jobs()
    aws.call("stop_application")
    assert _poll(event) is False
    aws.application("STOPPED")
    assert _poll(event) is True
    aws.done()


def test_a_deleted_application_is_already_stopped(aws: Aws) -> None:
    aws.stack_status("DELETE_IN_PROGRESS")
    event = _start(aws, _after("Delete", APPLICATION))
    aws.missing()
    assert _poll(event) is True
    aws.done()


def test_a_failed_stack_creation_stops_the_application_it_deletes(aws: Aws) -> None:
    aws.stack_status("ROLLBACK_IN_PROGRESS")
    event = _start(aws, _after("Delete", APPLICATION))
    assert _plan(event)["stop"] is True
    aws.done()


def test_removing_the_application_from_the_stack_stops_it(aws: Aws) -> None:
    aws.stack_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    aws.template("Other")
    event = _start(aws, _after("Delete", APPLICATION))
    assert _plan(event)["stop"] is True
    aws.done()


def test_turning_the_lifecycle_off_leaves_the_application_alone(aws: Aws) -> None:
    aws.stack_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    aws.template(LOGICAL, "Other")
    event = _start(aws, _after("Delete", APPLICATION))
    assert _plan(event)["stop"] is False
    assert _poll(event) is True
    aws.done()


def test_before_update_deletion_does_nothing(aws: Aws) -> None:
    aws.stack_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    event = _start(
        aws,
        _event(
            "Delete", _properties(handler.BEFORE, APPLICATION), physical_id=f"{LOGICAL}:stopped:r0"
        ),
    )
    assert event["PhysicalResourceId"] == f"{LOGICAL}:stopped:r0"
    assert _poll(event) is True
    aws.done()


# --- rollback --------------------------------------------------------------------------


def test_rollback_stops_before_the_application_rolls_back(aws: Aws) -> None:
    aws.stack_status("UPDATE_ROLLBACK_IN_PROGRESS")
    event = _start(
        aws, _after("Update", APPLICATION, old=_properties(handler.AFTER, RELEASE_CHANGE))
    )
    plan = _plan(event)
    assert (plan["stop"], plan["start"]) == (True, False)
    aws.application("STARTED")
    aws.jobs()
    aws.call("stop_application")
    assert _poll(event) is False
    aws.done()


def test_rollback_of_a_replacement_stops_the_new_application(aws: Aws) -> None:
    aws.stack_status("UPDATE_ROLLBACK_IN_PROGRESS")
    failed = _properties(handler.AFTER, {**APPLICATION, "Name": "renamed"}, ApplicationId=OTHER_APP)
    event = _start(aws, _after("Update", APPLICATION, old=failed))
    assert _plan(event)["stopAlso"] == [OTHER_APP]
    aws.application("STARTED", app=OTHER_APP)
    aws.jobs(app=OTHER_APP)
    aws.call("stop_application", app=OTHER_APP)
    assert _poll(event) is False
    aws.done()


@pytest.mark.parametrize(
    ("request_type", "status"),
    [
        ("Update", "UPDATE_ROLLBACK_IN_PROGRESS"),
        ("Delete", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
    ],
)
def test_rollback_starts_again_what_before_update_stopped(
    aws: Aws, request_type: str, status: str
) -> None:
    aws.stack_status(status)
    aws.resource(APP)
    properties = _properties(handler.BEFORE, APPLICATION)
    event = _start(
        aws,
        _event(request_type, properties, properties, physical_id=f"{LOGICAL}:stopped:r1"),
    )
    assert event["PhysicalResourceId"] == f"{LOGICAL}:stopped:r1"
    aws.application("STOPPED")
    aws.call("start_application")
    assert _poll(event) is False
    aws.application("STARTED")
    assert _poll(event) is True
    aws.done()


def test_rollback_leaves_alone_what_before_update_did_not_stop(aws: Aws) -> None:
    aws.stack_status("UPDATE_ROLLBACK_IN_PROGRESS")
    properties = _properties(handler.BEFORE, APPLICATION)
    event = _start(aws, _event("Update", properties, properties, physical_id=f"{LOGICAL}:kept:r1"))
    assert _poll(event) is True
    aws.done()


def test_unknown_step_is_refused(aws: Aws) -> None:
    aws.stack_status("UPDATE_IN_PROGRESS")
    with pytest.raises(handler.LifecycleError, match="unknown lifecycle step"):
        handler.on_event(_event("Create", _properties("Sideways", APPLICATION)))
    aws.done()


def test_marker_reads_before_updates_physical_id() -> None:
    assert handler.marker(f"{LOGICAL}:stopped:r1") == "stopped"
    assert handler.marker(f"{LOGICAL}:kept:r1") == "kept"
    assert handler.marker("5d3f-request") is None
    assert handler.marker(None) is None


# --- the function's code ---------------------------------------------------------------


def test_the_code_runs_without_the_library_and_knows_the_new_fields(tmp_path: Path) -> None:
    asset = handler_asset()
    assert sorted(p.name for p in asset.iterdir()) == [
        "application_updates.py",
        "handler.py",
        "models",
    ]
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["constructs_lib"] = None  # as in the Lambda function: no library
        sys.path.insert(0, {str(asset)!r})
        import boto3, handler
        assert handler.classify_update.__module__ == "application_updates"
        client = boto3.client("emr-serverless", region_name="eu-west-1")
        model = client.meta.service_model.operation_model("UpdateApplication")
        members = model.input_shape.members
        new = {{"diskEncryptionConfiguration", "jobLevelCostAllocationConfiguration"}}
        print(sorted(set(members) & new))
        print(sorted(members["imageConfiguration"].members))
        """
    )
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_DATA_PATH": str(asset / "models"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-B", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=environment,
    )
    fields, image = result.stdout.splitlines()
    assert fields == "['diskEncryptionConfiguration', 'jobLevelCostAllocationConfiguration']"
    assert "applicationLevelDigestResolution" in image
    assert DATA_PATH == "/var/task/models"
