"""ApplicationLogs: key policy, bucket, log group, the application's configuration, grants."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_logs import KEY_POLICY_WARNING, ApplicationLogs
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_configuration import CloudWatchLogging
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.workers import EngineType, LogType, WorkerType
from tests.harness import Synthesis, new_app, synthesize
from tests.iam_checks import (
    Environment,
    Request,
    attached_policies,
    identity_policies,
    is_allowed,
    render,
    resource_type_problems,
)
from tests.monitoring_support import (
    ACCOUNT,
    EXISTING_APP,
    REGION,
    STACK_ENV,
    existing_application,
    one,
    refusal_stack,
)
from tests.monitoring_support import RENDER_ENV as ENV

BUILT: dict[str, Any] = {}


def _defaults(stack: cdk.Stack) -> None:
    """Every default: a new key, bucket and log group; a role that writes; a submitter."""
    app_logs = ApplicationLogs(
        stack,
        "Logs",
        log_stream_prefix="etl",
        log_types={WorkerType.SPARK_DRIVER: [LogType.STDOUT, LogType.STDERR]},
    )
    application = EmrServerlessApplication(
        stack, "App", monitoring=app_logs.monitoring_configuration()
    )
    role = JobRuntimeRole(stack, "Runtime")
    BUILT["grant"] = app_logs.grant_write(role)
    submitter = ManagedPolicyRole(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    application.grant_start_job_run(submitter, role)
    BUILT["logs"] = app_logs


def _narrow(stack: cdk.Stack) -> None:
    """Your bucket and key, no CloudWatch, no managed storage, one existing application."""
    key = kms.Key(stack, "TeamKey", enable_key_rotation=True)
    bucket = s3.Bucket.from_bucket_name(stack, "TeamBucket", "team-logs")
    existing = existing_application(stack)
    narrow = ApplicationLogs(
        stack,
        "Narrow",
        bucket=bucket,
        prefix="emr/etl/",
        encryption_key=key,
        source_applications=[existing],
        cloudwatch_logging=False,
        managed_persistence=False,
        retention=logs.RetentionDays.TWO_YEARS,
    )
    EmrServerlessApplication(
        stack,
        "NarrowApp",
        engine=EngineType.HIVE,
        monitoring=narrow.monitoring_configuration(),
        lifecycle=False,  # the stack has no log group but the lifecycle's otherwise
    )
    narrow.grant_write(JobRuntimeRole(stack, "NarrowRuntime"))
    BUILT["narrow"] = narrow


def _imported_key(stack: cdk.Stack) -> None:
    key = kms.Key.from_key_arn(
        stack,
        "SharedKey",
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    ApplicationLogs(stack, "Logs", encryption_key=key)


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    env = STACK_ENV
    _defaults(cdk.Stack(app, "Logs", env=env))
    _narrow(cdk.Stack(app, "Narrow", env=env))
    _imported_key(cdk.Stack(app, "ImportedKey", env=env))
    agnostic = cdk.Stack(app, "Agnostic")
    agnostic_logs = ApplicationLogs(agnostic, "Logs", retention=logs.RetentionDays.TEN_YEARS)
    EmrServerlessApplication(agnostic, "App", monitoring=agnostic_logs.monitoring_configuration())
    return synthesize(app)


def _key_statements(template: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    _, key = one(template, "AWS::KMS::Key", prefix)
    statements = render(key["Properties"]["KeyPolicy"], template, ENV)["Statement"]
    return {s.get("Sid", "account"): s for s in statements}


def test_key_lets_emr_serverless_encrypt_logs_for_this_accounts_applications(
    synthesis: Synthesis,
) -> None:
    statements = _key_statements(synthesis.templates["Logs"], "LogsKey")
    assert statements["EmrServerlessLogs"] == {
        "Sid": "EmrServerlessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "emr-serverless.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {
            "StringLike": {
                "aws:SourceArn": [f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/*"]
            }
        },
    }


def test_key_lets_cloudwatch_logs_encrypt_this_log_group_only(synthesis: Synthesis) -> None:
    template = synthesis.templates["Logs"]
    _, group = one(template, "AWS::Logs::LogGroup")
    name = group["Properties"]["LogGroupName"]
    assert name.startswith("/aws/emr-serverless/")
    statement = _key_statements(template, "LogsKey")["CloudWatchLogsLogGroup"]
    assert statement == {
        "Sid": "CloudWatchLogsLogGroup",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": (
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
                )
            }
        },
    }


def test_key_has_only_the_account_and_the_two_services(synthesis: Synthesis) -> None:
    statements = _key_statements(synthesis.templates["Logs"], "LogsKey")
    assert set(statements) == {"account", "EmrServerlessLogs", "CloudWatchLogsLogGroup"}
    assert statements["account"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def test_key_rotates_and_everything_stateful_is_retained(synthesis: Synthesis) -> None:
    template = synthesis.templates["Logs"]
    _, key = one(template, "AWS::KMS::Key", "LogsKey")
    assert key["Properties"]["EnableKeyRotation"] is True
    for resource_type, prefix in (
        ("AWS::KMS::Key", "LogsKey"),
        ("AWS::S3::Bucket", "LogsBucket"),
        ("AWS::Logs::LogGroup", "LogsLogGroup"),
    ):
        _, resource = one(template, resource_type, prefix)
        assert resource["DeletionPolicy"] == "Retain", resource_type


def test_log_group_is_encrypted_and_kept_a_year(synthesis: Synthesis) -> None:
    template = synthesis.templates["Logs"]
    key_id, _ = one(template, "AWS::KMS::Key", "LogsKey")
    _, group = one(template, "AWS::Logs::LogGroup")
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert group["Properties"]["RetentionInDays"] == 365


def test_bucket_uses_the_log_key_and_expires_logs_with_the_group(synthesis: Synthesis) -> None:
    template = synthesis.templates["Logs"]
    key_id, _ = one(template, "AWS::KMS::Key", "LogsKey")
    _, bucket = one(template, "AWS::S3::Bucket", "LogsBucket")
    (encryption,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert (rule["Prefix"], rule["ExpirationInDays"]) == ("logs/", 365)


def test_application_logs_to_s3_cloudwatch_and_managed_storage(synthesis: Synthesis) -> None:
    template = synthesis.templates["Logs"]
    key_arn = {"Fn::GetAtt": [one(template, "AWS::KMS::Key", "LogsKey")[0], "Arn"]}
    bucket_id, _ = one(template, "AWS::S3::Bucket", "LogsBucket")
    group_id, _ = one(template, "AWS::Logs::LogGroup")
    _, application = one(template, "AWS::EMRServerless::Application")
    monitoring = application["Properties"]["MonitoringConfiguration"]
    assert monitoring == {
        "S3MonitoringConfiguration": {
            "LogUri": {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/logs/"]]},
            "EncryptionKeyArn": key_arn,
        },
        "CloudWatchLoggingConfiguration": {
            "Enabled": True,
            "LogGroupName": {"Ref": group_id},
            "LogStreamNamePrefix": "etl",
            "LogTypeMap": [{"Key": "SPARK_DRIVER", "Value": ["STDOUT", "STDERR"]}],
        },
        "ManagedPersistenceMonitoringConfiguration": {"Enabled": True, "EncryptionKeyArn": key_arn},
    }


def _env(template: dict[str, Any]) -> Environment:
    """ENV, with each log group under its literal name (what ``Ref`` returns)."""
    groups = {
        name: r["Properties"]["LogGroupName"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::Logs::LogGroup"
    }
    return Environment(account=ACCOUNT, region=REGION, names=groups)


def _role_documents(template: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    role_id, _ = one(template, "AWS::IAM::Role", prefix)
    documents = identity_policies(template, _env(template))
    return [documents[policy] for policy in attached_policies(template, role_id)]


def _names(template: dict[str, Any]) -> dict[str, str]:
    return {
        "bucket": ENV.name_of(one(template, "AWS::S3::Bucket", "LogsBucket")[0]),
        "key": ENV.name_of(one(template, "AWS::KMS::Key", "LogsKey")[0]),
        "group": one(template, "AWS::Logs::LogGroup")[1]["Properties"]["LogGroupName"],
    }


def test_runtime_role_writes_logs_and_nothing_else(synthesis: Synthesis) -> None:
    template = synthesis.templates["Logs"]
    documents = _role_documents(template, "Runtime")
    names = _names(template)
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{names['key']}"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{names['group']}"
    allowed = [
        Request("s3:PutObject", f"arn:aws:s3:::{names['bucket']}/logs/applications/a/jobs/j"),
        Request("kms:GenerateDataKey", key),
        Request("kms:Decrypt", key),
        Request("logs:CreateLogStream", f"{group}:log-stream:etl/driver"),
        Request("logs:PutLogEvents", f"{group}:log-stream:etl/driver"),
        Request(
            "logs:DescribeLogGroups", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group::log-stream:"
        ),
    ]
    denied = [
        Request("s3:PutObject", f"arn:aws:s3:::{names['bucket']}/other/k"),
        Request("s3:GetObject", f"arn:aws:s3:::{names['bucket']}/logs/k"),
        Request("s3:DeleteObject", f"arn:aws:s3:::{names['bucket']}/logs/k"),
        Request("logs:AssociateKmsKey", group),
        Request("logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:other:*"),
        Request("kms:Encrypt", key),
        Request(
            "logs:DescribeLogGroups", f"arn:aws:logs:{REGION}:210987654321:log-group::log-stream:"
        ),
    ]
    assert [r for r in allowed if not is_allowed(documents, r)] == []
    assert [r for r in denied if is_allowed(documents, r)] == []
    assert BUILT["grant"].success


def test_submitter_may_use_the_log_key(synthesis: Synthesis) -> None:
    template = synthesis.templates["Logs"]
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{_names(template)['key']}"
    documents = _role_documents(template, "Submitter")
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        assert is_allowed(documents, Request(action, key))


def test_existing_applications_narrow_the_key_policy(synthesis: Synthesis) -> None:
    statements = _key_statements(synthesis.templates["Narrow"], "TeamKey")
    arn = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{EXISTING_APP}"
    assert statements["EmrServerlessLogs"]["Condition"] == {
        "StringLike": {"aws:SourceArn": [arn, f"{arn}/jobruns/*"]}
    }
    assert "CloudWatchLogsLogGroup" not in statements


def test_without_cloudwatch_or_managed_storage(synthesis: Synthesis) -> None:
    template = synthesis.templates["Narrow"]
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::Logs::LogGroup"]
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
    _, application = one(template, "AWS::EMRServerless::Application", "NarrowApp")
    monitoring = application["Properties"]["MonitoringConfiguration"]
    assert set(monitoring) == {
        "S3MonitoringConfiguration",
        "ManagedPersistenceMonitoringConfiguration",
    }
    assert monitoring["ManagedPersistenceMonitoringConfiguration"] == {"Enabled": False}
    assert monitoring["S3MonitoringConfiguration"]["LogUri"] == "s3://team-logs/emr/etl/"
    assert BUILT["narrow"].log_group is None


def test_your_bucket_and_prefix_are_granted(synthesis: Synthesis) -> None:
    documents = _role_documents(synthesis.templates["Narrow"], "NarrowRuntime")
    assert is_allowed(documents, Request("s3:PutObject", "arn:aws:s3:::team-logs/emr/etl/x"))
    assert not is_allowed(documents, Request("s3:PutObject", "arn:aws:s3:::team-logs/emr/x"))
    assert not any(
        action.startswith("logs:")
        for document in documents
        for statement in document["Statement"]
        for action in statement["Action"]
    )


def test_a_key_defined_elsewhere_is_reported_not_changed(synthesis: Synthesis) -> None:
    warned = {
        f.rule.removeprefix("Annotation::")
        for f in synthesis.warnings(KEY_POLICY_WARNING)
        if f.path.startswith("ImportedKey/")
    }
    assert warned == {
        f"{KEY_POLICY_WARNING}:EmrServerlessLogs",
        f"{KEY_POLICY_WARNING}:CloudWatchLogsLogGroup",
    }
    assert not [f for f in synthesis.warnings() if not f.path.startswith("ImportedKey/")]


def test_environment_agnostic_stack_builds_the_arns_from_pseudo_parameters(
    synthesis: Synthesis,
) -> None:
    template = synthesis.templates["Agnostic"]
    _, key = one(template, "AWS::KMS::Key", "LogsKey")
    assert {"Ref": "AWS::Region"} in str_parts(key["Properties"]["KeyPolicy"])
    statements = _key_statements(template, "LogsKey")
    assert statements["EmrServerlessLogs"]["Condition"]["StringLike"]["aws:SourceArn"] == [
        f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/*"
    ]
    assert statements["CloudWatchLogsLogGroup"]["Principal"] == {
        "Service": f"logs.{REGION}.amazonaws.com"
    }


def test_retention_applies_to_the_log_group_and_the_bucket(synthesis: Synthesis) -> None:
    template = synthesis.templates["Agnostic"]
    _, bucket = one(template, "AWS::S3::Bucket", "LogsBucket")
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    _, group = one(template, "AWS::Logs::LogGroup")
    assert rule["ExpirationInDays"] == group["Properties"]["RetentionInDays"] == 3653


def str_parts(node: Any) -> list[Any]:
    """Every dict and string inside ``node``."""
    if isinstance(node, dict):
        return [node, *[p for value in node.values() for p in str_parts(value)]]
    if isinstance(node, list):
        return [p for item in node for p in str_parts(item)]
    return [node]


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()
    for name, template in synthesis.templates.items():
        assert resource_type_problems(template, ENV, every_pair=False) == [], name


# --- Refusals (construct only) --------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "logs", "/logs/", "logs/*/", "a/../b/"])
def test_prefixes_that_are_not_a_folder_are_refused(prefix: str) -> None:
    with pytest.raises(EmrServerlessValidationError) as error:
        ApplicationLogs(refusal_stack(), "Logs", prefix=prefix)
    assert error.value.argument == "prefix"


def test_a_folder_prefix_passes() -> None:
    assert ApplicationLogs(refusal_stack(), "Logs", prefix="teams/etl/").prefix == "teams/etl/"


@pytest.mark.parametrize(
    "setting",
    [
        {"log_group_name": "/aws/emr-serverless/etl"},
        {"log_stream_prefix": "etl"},
        {"log_types": {WorkerType.SPARK_DRIVER: [LogType.STDOUT]}},
    ],
)
def test_log_group_settings_without_cloudwatch_are_refused(setting: dict[str, Any]) -> None:
    with pytest.raises(EmrServerlessValidationError, match="only with CloudWatch logging") as error:
        ApplicationLogs(refusal_stack(), "Logs", cloudwatch_logging=False, **setting)
    assert error.value.argument == next(iter(setting))


def test_cloudwatch_off_without_its_settings_passes() -> None:
    assert ApplicationLogs(refusal_stack(), "Logs", cloudwatch_logging=False).log_group is None


def test_log_group_names_are_checked() -> None:
    with pytest.raises(EmrServerlessValidationError, match="log group name"):
        ApplicationLogs(refusal_stack(), "Logs", log_group_name="/aws/emr serverless")
    named = ApplicationLogs(refusal_stack(), "Logs", log_group_name="/aws/emr-serverless/etl")
    assert named.log_group is not None


def test_log_stream_prefixes_are_checked() -> None:
    with pytest.raises(EmrServerlessValidationError, match="no ':' or '\\*'"):
        ApplicationLogs(refusal_stack(), "Logs", log_stream_prefix="etl:jobs")
    ApplicationLogs(refusal_stack(), "Logs", log_stream_prefix="etl/jobs")


def test_no_source_applications_is_refused_and_one_passes() -> None:
    with pytest.raises(EmrServerlessValidationError, match="no application") as error:
        ApplicationLogs(refusal_stack(), "Logs", source_applications=[])
    assert error.value.argument == "source_applications"
    stack = refusal_stack()
    existing = existing_application(stack)
    ApplicationLogs(stack, "Logs", source_applications=[existing])


def test_an_application_already_using_the_key_is_refused_as_a_source() -> None:
    stack = refusal_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    first = ApplicationLogs(stack, "First", encryption_key=key)
    application = EmrServerlessApplication(
        stack, "App", monitoring=first.monitoring_configuration()
    )
    with pytest.raises(EmrServerlessValidationError, match="dependency cycle"):
        ApplicationLogs(stack, "Second", encryption_key=key, source_applications=[application])
    existing = existing_application(stack)
    ApplicationLogs(stack, "Third", encryption_key=key, source_applications=[existing])


def test_log_types_are_checked_against_the_engine_when_the_application_binds() -> None:
    stack = refusal_stack()
    hive_types = ApplicationLogs(stack, "Logs", log_types={WorkerType.TEZ_TASK: [LogType.STDERR]})
    with pytest.raises(EmrServerlessValidationError):
        EmrServerlessApplication(stack, "Spark", monitoring=hive_types.monitoring_configuration())
    EmrServerlessApplication(
        stack, "Hive", engine=EngineType.HIVE, monitoring=hive_types.monitoring_configuration()
    )


def test_configuration_blocks_are_the_library_types() -> None:
    app_logs = ApplicationLogs(refusal_stack(), "Logs")
    configuration = app_logs.monitoring_configuration()
    assert isinstance(configuration.cloudwatch_logging, CloudWatchLogging)
    assert configuration.cloudwatch_logging.encryption_key is None
    assert configuration.encryption_keys == (app_logs.encryption_key, app_logs.encryption_key)
    assert configuration.prometheus is None


def test_logs_kept_forever_are_refused_and_ten_years_pass() -> None:
    with pytest.raises(EmrServerlessValidationError, match="compliance packs") as error:
        ApplicationLogs(refusal_stack(), "Logs", retention=logs.RetentionDays.INFINITE)
    assert error.value.argument == "retention"
    ApplicationLogs(refusal_stack(), "Logs", retention=logs.RetentionDays.TEN_YEARS)


def test_every_retention_has_a_number_of_days() -> None:
    from constructs_lib.monitoring_rules import RETENTION_DAYS  # noqa: PLC0415

    assert {member.name for member in logs.RetentionDays} == set(RETENTION_DAYS)
