"""ApplicationAlarms: each alarm's metric, threshold and window; actions to the topic; refusals."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_alarms import ApplicationAlarms
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.notification_topic import POLICY_WARNING, NotificationTopic
from constructs_lib.releases import ReleaseLabel
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


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    env = STACK_ENV
    defaults = cdk.Stack(app, "Defaults", env=env)
    application = EmrServerlessApplication(
        defaults, "App", application_name="etl", release=ReleaseLabel.EMR_7_12_0
    )
    BUILT["defaults"] = ApplicationAlarms(defaults, "Alarms", application=application)

    tuned = cdk.Stack(app, "Tuned", env=env)
    existing = EmrServerlessApplication.from_application_id(tuned, "Existing", EXISTING_APP)
    topic = NotificationTopic(tuned, "OpsTopic")
    BUILT["tuned"] = ApplicationAlarms(
        tuned,
        "Alarms",
        application=existing,
        topic=topic,
        failed_jobs_threshold=3,
        application_vcpu_threshold_percent=90,
        account_vcpu_quota=64,
        account_vcpu_threshold_percent=75,
        pending_creation_timeout=cdk.Duration.minutes(30),
    )
    BUILT["some"] = ApplicationAlarms(
        tuned,
        "SomeAlarms",
        application=existing,
        topic=topic,
        application_vcpu_threshold_percent=None,
        account_vcpu_quota=None,
        pending_creation_timeout=None,
    )

    imported = cdk.Stack(app, "ImportedTopic", env=env)
    BUILT["imported"] = ApplicationAlarms(
        imported,
        "Alarms",
        application=EmrServerlessApplication.from_application_id(imported, "App", EXISTING_APP),
        topic=sns.Topic.from_topic_arn(imported, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"),
        account_vcpu_quota=None,
    )
    return synthesize(app)


def _alarms(template: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    return {
        name.removeprefix(prefix)[:-8]: r["Properties"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm" and name.startswith(prefix)
    }


def _logical_id(template: dict[str, Any], resource_type: str, prefix: str) -> str:
    found: str
    (found,) = [
        name
        for name, r in template["Resources"].items()
        if r["Type"] == resource_type and name.startswith(prefix)
    ]
    return found


def _common(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        key: properties[key]
        for key in ("ComparisonOperator", "TreatMissingData", "EvaluationPeriods", "Threshold")
    } | {"DatapointsToAlarm": properties["DatapointsToAlarm"]}


def test_four_alarms_by_default(synthesis: Synthesis) -> None:
    alarms = _alarms(synthesis.templates["Defaults"], "Alarms")
    assert sorted(alarms) == ["AccountVcpu", "ApplicationVcpu", "FailedJobs", "PendingCreation"]
    assert len(BUILT["defaults"].alarms) == 4


def test_failed_jobs_alarm(synthesis: Synthesis) -> None:
    template = synthesis.templates["Defaults"]
    alarm = _alarms(template, "Alarms")["FailedJobs"]
    app = _logical_id(template, "AWS::EMRServerless::Application", "App")
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == (
        "AWS/EMRServerless",
        "FailedJobs",
        "Sum",
        300,
    )
    assert alarm["Dimensions"] == [
        {"Name": "ApplicationId", "Value": {"Fn::GetAtt": [app, "ApplicationId"]}},
        {"Name": "ApplicationName", "Value": "etl"},
    ]
    assert _common(alarm) == {
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": 1,
    }


def test_application_vcpu_alarm_divides_allocated_by_maximum(synthesis: Synthesis) -> None:
    alarm = _alarms(synthesis.templates["Defaults"], "Alarms")["ApplicationVcpu"]
    expression, *metrics = alarm["Metrics"]
    assert expression["Expression"] == "100 * allocated / maximum"
    assert {m["Id"]: m["MetricStat"]["Metric"]["MetricName"] for m in metrics} == {
        "allocated": "CPUAllocated",
        "maximum": "MaxCPUAllowed",
    }
    assert {m["MetricStat"]["Period"] for m in metrics} == {300}
    assert {m["Id"]: m["MetricStat"]["Stat"] for m in metrics} == {
        "allocated": "Average",
        "maximum": "Maximum",
    }
    assert _common(alarm)["Threshold"] == 80
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (3, 3)


def test_account_vcpu_alarm_uses_the_usage_metric_and_the_default_quota(
    synthesis: Synthesis,
) -> None:
    alarm = _alarms(synthesis.templates["Defaults"], "Alarms")["AccountVcpu"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "AWS/Usage",
        "ResourceCount",
        "Maximum",
    )
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {
        "Service": "EMR Serverless",
        "Type": "Resource",
        "Resource": "vCPU",
        "Class": "None",
    }
    assert alarm["Threshold"] == pytest.approx(12.8)
    assert (alarm["Period"], alarm["EvaluationPeriods"]) == (300, 3)


def test_pending_creation_alarm_needs_a_pending_worker_every_minute(synthesis: Synthesis) -> None:
    alarm = _alarms(synthesis.templates["Defaults"], "Alarms")["PendingCreation"]
    assert (alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == (
        "PendingCreationWorkerCount",
        "Minimum",
        60,
    )
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (
        1,
        15,
        15,
    )


def test_every_alarm_notifies_the_new_encrypted_topic(synthesis: Synthesis) -> None:
    template = synthesis.templates["Defaults"]
    topic = _logical_id(template, "AWS::SNS::Topic", "AlarmsTopic")
    for name, alarm in _alarms(template, "Alarms").items():
        assert alarm["AlarmActions"] == [{"Ref": topic}], name
        assert "FailedJobs" in name or alarm.get("AlarmDescription")
    properties = template["Resources"][topic]["Properties"]
    key = _logical_id(template, "AWS::KMS::Key", "AlarmsTopicKey")
    assert properties["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}


def test_topic_policy_lets_cloudwatch_publish_for_these_alarms_only(synthesis: Synthesis) -> None:
    template = synthesis.templates["Defaults"]
    topic = _logical_id(template, "AWS::SNS::Topic", "AlarmsTopic")
    policy = template["Resources"][_logical_id(template, "AWS::SNS::TopicPolicy", "AlarmsTopic")]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (ssl_only,) = [s for s in statements if s["Effect"] == "Deny"]
    assert ssl_only["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (cloudwatch,) = [s for s in statements if s["Effect"] == "Allow"]
    alarm_ids = sorted(
        n for n, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"
    )
    sources = cloudwatch["Condition"]["ArnLike"].pop("aws:SourceArn")
    assert sorted(sources, key=str) == [{"Fn::GetAtt": [a, "Arn"]} for a in alarm_ids]
    assert cloudwatch == {
        "Sid": cloudwatch["Sid"],
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": {"Ref": topic},
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {},
        },
    }


def test_topic_key_lets_cloudwatch_encrypt_for_this_accounts_alarms(synthesis: Synthesis) -> None:
    template = synthesis.templates["Defaults"]
    key = template["Resources"][_logical_id(template, "AWS::KMS::Key", "AlarmsTopicKey")]
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert statements[1:] == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:*"},
            },
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Resource": "*",
        }
    ]
    assert key["Properties"]["EnableKeyRotation"] is True


def test_tuned_thresholds(synthesis: Synthesis) -> None:
    alarms = _alarms(synthesis.templates["Tuned"], "Alarms")
    assert alarms["FailedJobs"]["Threshold"] == 3
    assert alarms["ApplicationVcpu"]["Threshold"] == 90
    assert alarms["AccountVcpu"]["Threshold"] == 48
    assert "48 vCPU or more (75% of the 64 vCPU quota" in alarms["AccountVcpu"]["AlarmDescription"]
    assert (
        alarms["PendingCreation"]["EvaluationPeriods"],
        alarms["PendingCreation"]["Period"],
    ) == (
        30,
        60,
    )
    assert alarms["FailedJobs"]["Dimensions"] == [{"Name": "ApplicationId", "Value": EXISTING_APP}]


def test_alarms_left_out_are_not_created(synthesis: Synthesis) -> None:
    some = BUILT["some"]
    assert (some.application_vcpu, some.account_vcpu, some.pending_creation) == (None, None, None)
    assert some.alarms == (some.failed_jobs,)
    assert sorted(_alarms(synthesis.templates["Tuned"], "SomeAlarms")) == ["FailedJobs"]


def test_a_shared_topic_gets_each_groups_statement_and_one_key_statement(
    synthesis: Synthesis,
) -> None:
    template = synthesis.templates["Tuned"]
    assert len([r for r in template["Resources"].values() if r["Type"] == "AWS::SNS::Topic"]) == 1
    policy = template["Resources"][_logical_id(template, "AWS::SNS::TopicPolicy", "OpsTopic")]
    allows = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    ]
    assert [len(s["Condition"]["ArnLike"]["aws:SourceArn"]) for s in allows] == [4, 1]
    key = template["Resources"][_logical_id(template, "AWS::KMS::Key", "OpsTopicKey")]
    assert len(key["Properties"]["KeyPolicy"]["Statement"]) == 2


def test_a_topic_defined_elsewhere_is_reported_not_changed(synthesis: Synthesis) -> None:
    warned = synthesis.warnings(POLICY_WARNING)
    assert [f.path for f in warned] == ["ImportedTopic/Alarms"]
    assert "cloudwatch.amazonaws.com" in warned[0].description
    assert "aws:SourceArn" in warned[0].description


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()


# --- Refusals (construct only) --------------------------------------------------------------


def _alarms_on(**settings: Any) -> ApplicationAlarms:
    stack = refusal_stack()
    return ApplicationAlarms(stack, "Alarms", application=existing_application(stack), **settings)


@pytest.mark.parametrize(
    ("setting", "refused", "accepted"),
    [
        ("failed_jobs_threshold", 0, 1),
        ("application_vcpu_threshold_percent", 0, 100),
        ("application_vcpu_threshold_percent", 100.5, 0.5),
        ("account_vcpu_quota", 0, 1),
        ("account_vcpu_threshold_percent", 101, 100),
        ("pending_creation_timeout", cdk.Duration.minutes(1441), cdk.Duration.minutes(1440)),
        ("pending_creation_timeout", cdk.Duration.seconds(90), cdk.Duration.minutes(1)),
        ("pending_creation_timeout", cdk.Duration.seconds(0), cdk.Duration.seconds(60)),
    ],
)
def test_each_limit_refuses_past_it_and_accepts_at_it(
    setting: str, refused: object, accepted: object
) -> None:
    with pytest.raises(EmrServerlessValidationError) as error:
        _alarms_on(**{setting: refused})
    assert error.value.argument == setting
    assert _alarms_on(**{setting: accepted}).alarms


def test_a_token_timeout_is_refused() -> None:
    stack = refusal_stack()
    minutes = cdk.CfnParameter(stack, "Minutes", type="Number").value_as_number
    with pytest.raises(EmrServerlessValidationError, match="known at synth"):
        ApplicationAlarms(
            stack,
            "Alarms",
            application=existing_application(stack),
            pending_creation_timeout=cdk.Duration.minutes(minutes),
        )
