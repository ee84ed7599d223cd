"""ApplicationMonitoring: dashboard, alarms and notifications of one application on one topic."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_logs import ApplicationLogs
from constructs_lib.application_monitoring import ApplicationMonitoring
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.monitoring_rules import JobRunState
from constructs_lib.prometheus_workspace import PrometheusWorkspace
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_role import JobRuntimeRole
from tests.harness import Synthesis, new_app, synthesize
from tests.monitoring_support import (
    ACCOUNT,
    EXISTING_APP,
    REGION,
    STACK_ENV,
    existing_application,
    refusal_stack,
)

BUILT: dict[str, Any] = {}


def _everything(stack: cdk.Stack) -> None:
    """The whole story: logs and metrics before the application, monitoring after it."""
    app_logs = ApplicationLogs(stack, "Logs")
    metrics = PrometheusWorkspace(stack, "Metrics", spark_alert_rules=True)
    application = EmrServerlessApplication(
        stack,
        "App",
        release=ReleaseLabel.EMR_7_12_0,
        monitoring=app_logs.monitoring_configuration(prometheus=metrics.remote_write),
    )
    runtime = JobRuntimeRole(stack, "Runtime")
    app_logs.grant_write(runtime)
    metrics.grant_remote_write(runtime)
    BUILT["everything"] = ApplicationMonitoring(stack, "Monitoring", application=application)


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    env = STACK_ENV
    _everything(cdk.Stack(app, "Everything", env=env))
    quiet = cdk.Stack(app, "Quiet", env=env)
    BUILT["quiet"] = ApplicationMonitoring(
        quiet,
        "Monitoring",
        application=EmrServerlessApplication.from_application_id(quiet, "App", EXISTING_APP),
        topic=sns.Topic.from_topic_arn(quiet, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"),
        alarms=False,
        job_states=[JobRunState.FAILED],
        account_vcpu_quota=None,
        dashboard_name="quiet",
    )
    tuned = cdk.Stack(app, "Tuned", env=env)
    BUILT["tuned"] = ApplicationMonitoring(
        tuned,
        "Monitoring",
        application=EmrServerlessApplication.from_application_id(tuned, "App", EXISTING_APP),
        failed_jobs_threshold=3,
        application_vcpu_threshold_percent=None,
    )
    return synthesize(app)


def _count(template: dict[str, Any], resource_type: str) -> int:
    return sum(1 for r in template["Resources"].values() if r["Type"] == resource_type)


def test_one_topic_for_alarms_and_notifications(synthesis: Synthesis) -> None:
    template = synthesis.templates["Everything"]
    assert _count(template, "AWS::SNS::Topic") == 1
    (topic_id,) = [n for n, r in template["Resources"].items() if r["Type"] == "AWS::SNS::Topic"]
    alarm_actions = [
        r["Properties"]["AlarmActions"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]
    assert alarm_actions == [[{"Ref": topic_id}]] * 4
    (rule,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": topic_id}
    monitoring = BUILT["everything"]
    assert monitoring.alarms.topic is monitoring.topic is monitoring.notifications.topic


def test_dashboard_ends_with_the_alarms(synthesis: Synthesis) -> None:
    template = synthesis.templates["Everything"]
    (dashboard,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"
    ]
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    last = json.loads("".join(p if isinstance(p, str) else "X" for p in parts))["widgets"][-1]
    assert (last["type"], last["properties"]["title"]) == ("alarm", "Alarms")
    assert len(last["properties"]["alarms"]) == 4


def test_without_alarms_and_with_a_topic_of_your_own(synthesis: Synthesis) -> None:
    template = synthesis.templates["Quiet"]
    quiet = BUILT["quiet"]
    assert quiet.alarms is None
    assert _count(template, "AWS::CloudWatch::Alarm") == 0
    assert _count(template, "AWS::SNS::Topic") == 0
    (rule,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    assert rule["Properties"]["EventPattern"]["detail"]["state"] == ["FAILED"]
    (dashboard,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"
    ]
    assert dashboard["Properties"]["DashboardName"] == "quiet"
    assert '"type":"alarm"' not in json.dumps(dashboard["Properties"]["DashboardBody"])


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()
    assert {f.path for f in synthesis.warnings()} == {"Quiet/Monitoring/JobStates"}


def test_refusals_name_the_part_that_refused() -> None:
    stack = refusal_stack()
    application = existing_application(stack)
    with pytest.raises(EmrServerlessValidationError) as error:
        ApplicationMonitoring(stack, "Monitoring", application=application, job_states=[])
    assert error.value.argument == "states"
    with pytest.raises(EmrServerlessValidationError) as error:
        ApplicationMonitoring(stack, "Other", application=application, account_vcpu_quota=0)
    assert error.value.argument == "account_vcpu_quota"
    ApplicationMonitoring(stack, "Fine", application=application)


def test_alarm_thresholds_pass_through(synthesis: Synthesis) -> None:
    alarms = [
        r["Properties"]
        for r in synthesis.templates["Tuned"]["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]
    failed = [a for a in alarms if a.get("MetricName") == "FailedJobs"]
    assert [a["Threshold"] for a in failed] == [3]
    assert "CPUAllocated" not in json.dumps(alarms)
    default_alarms = [
        r["Properties"]
        for r in synthesis.templates["Everything"]["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]
    assert len(alarms) == len(default_alarms) - 1
    assert "CPUAllocated" in json.dumps(default_alarms)
