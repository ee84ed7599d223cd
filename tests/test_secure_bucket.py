"""SecureBucket and the shared ServerAccessLogsBucket: every security setting, in the template."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from constructs_lib.secure_bucket import (
    ACCESS_LOGS_BUCKET_POLICY_FLAG,
    S3_LOGGING_PRINCIPAL,
    SecureBucket,
)
from constructs_lib.server_access_logs_bucket import (
    ACCESS_LOG_RETENTION_DAYS,
    ServerAccessLogsBucket,
)
from tests.harness import Synthesis, new_app, synthesize


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Buckets")
    SecureBucket(stack, "Plain")
    key = kms.Key(stack, "SharedKey", enable_key_rotation=True)
    SecureBucket(stack, "WithKey", encryption_key=key, removal_policy=cdk.RemovalPolicy.DESTROY)
    # The same buckets where aws-cdk-lib's flag has its default (off): the context of a stack
    # overrides the app's for everything in it.
    without_flag = cdk.Stack(app, "BucketsWithoutFlag")
    without_flag.node.set_context(ACCESS_LOGS_BUCKET_POLICY_FLAG, False)
    SecureBucket(without_flag, "Plain")
    key = kms.Key(without_flag, "SharedKey", enable_key_rotation=True)
    SecureBucket(
        without_flag, "WithKey", encryption_key=key, removal_policy=cdk.RemovalPolicy.DESTROY
    )
    return synthesize(app)


@pytest.fixture(scope="module")
def template(synthesis: Synthesis) -> Template:
    return synthesis.template("Buckets")


def _bucket(template: Template, logical_prefix: str) -> dict:
    buckets = template.find_resources("AWS::S3::Bucket")
    (name,) = [n for n in buckets if n.startswith(logical_prefix)]
    return buckets[name]


def test_kms_encrypted_with_bucket_key(template: Template) -> None:
    rule = _bucket(template, "Plain")["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ][0]
    assert rule["BucketKeyEnabled"] is True
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "Fn::GetAtt" in rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]


def test_created_key_rotates_and_is_retained(template: Template) -> None:
    keys = template.find_resources("AWS::KMS::Key")
    created = keys[next(n for n in keys if n.startswith("PlainKey"))]
    assert created["Properties"]["EnableKeyRotation"] is True
    assert created["DeletionPolicy"] == "Retain"


def test_versioned_private_and_owner_enforced(template: Template) -> None:
    props = _bucket(template, "Plain")["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_denies_plain_http_and_old_tls(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
                            }
                        ),
                    ]
                )
            }
        },
    )


def test_access_logs_go_to_one_shared_bucket(template: Template) -> None:
    logs = template.find_resources("AWS::S3::Bucket")
    (logs_bucket,) = [n for n in logs if n.startswith("ServerAccessLogsBucket")]
    for prefix in ("Plain", "WithKey"):
        logging = _bucket(template, prefix)["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == {"Ref": logs_bucket}
        assert logging["LogFilePrefix"] == f"{prefix}/"


def test_access_logs_bucket_is_sse_s3_expiring_and_retained(template: Template) -> None:
    bucket = _bucket(template, "ServerAccessLogsBucket")
    rule = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    (lifecycle,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert lifecycle["ExpirationInDays"] == ACCESS_LOG_RETENTION_DAYS
    assert bucket["DeletionPolicy"] == "Retain"


def test_retained_by_default_and_destroyed_on_opt_in(template: Template) -> None:
    assert _bucket(template, "Plain")["DeletionPolicy"] == "Retain"
    assert _bucket(template, "WithKey")["DeletionPolicy"] == "Delete"


def test_passed_key_is_used(template: Template) -> None:
    rule = _bucket(template, "WithKey")["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ][0]
    key_ref = rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]
    assert key_ref.startswith("SharedKey")


def test_only_the_documented_findings_are_acknowledged(synthesis: Synthesis) -> None:
    by_path: dict[str, set[str]] = {}
    for path, rule, _reason in synthesis.acknowledgements():
        by_path.setdefault(path, set()).add(rule)
    replication = {
        f"{p}-S3BucketReplicationEnabled"
        for p in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
    }
    assert by_path["Buckets/Plain"] == replication
    assert by_path["Buckets/ServerAccessLogsBucket"] == replication | {"AwsSolutions-S1"} | {
        f"{p}-{r}"
        for p in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
        for r in ("S3BucketLoggingEnabled", "S3DefaultEncryptionKMS")
    }


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_no_warnings()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_cfn_lint_clean()


def _log_delivery_statements(template: dict) -> list[dict]:
    return [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::S3::BucketPolicy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": S3_LOGGING_PRINCIPAL}
    ]


def test_log_delivery_is_granted_by_bucket_policy_for_each_bucket(synthesis: Synthesis) -> None:
    template = synthesis.templates["Buckets"]
    (logs,) = [
        name
        for name, resource in template["Resources"].items()
        if name.startswith("ServerAccessLogsBucket") and resource["Type"] == "AWS::S3::Bucket"
    ]
    statements = _log_delivery_statements(template)
    assert len(statements) == 2
    for statement in statements:
        assert statement["Action"] == "s3:PutObject"
        assert statement["Effect"] == "Allow"
        assert statement["Resource"]["Fn::Join"][1][0] == {"Fn::GetAtt": [logs, "Arn"]}
        assert set(statement["Condition"]) == {"ArnLike", "StringEquals"}


def test_without_the_flag_the_buckets_are_the_same(synthesis: Synthesis) -> None:
    """With aws-cdk-lib's default (flag off) the bucket grants log delivery itself, exactly as
    aws-cdk-lib does with the flag on: no ACL, no object-writer ownership."""
    with_flag = synthesis.templates["Buckets"]
    without_flag = synthesis.templates["BucketsWithoutFlag"]
    assert _log_delivery_statements(without_flag) == _log_delivery_statements(with_flag)
    renamed = json.dumps(without_flag["Resources"]).replace("BucketsWithoutFlag", "Buckets")
    assert json.loads(renamed) == with_flag["Resources"]


def test_without_the_flag_nothing_is_left_to_the_user(synthesis: Synthesis) -> None:
    assert [f for f in synthesis.findings if f.path.startswith("BucketsWithoutFlag")] == []
    for bucket in (
        synthesis.template("BucketsWithoutFlag").find_resources("AWS::S3::Bucket").values()
    ):
        assert "AccessControl" not in bucket["Properties"]
        assert bucket["Properties"]["OwnershipControls"] == {
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
        }


def test_the_flag_off_is_read_where_the_logs_bucket_is() -> None:
    app = new_app(compliance=False, **{ACCESS_LOGS_BUCKET_POLICY_FLAG: False})
    stack = cdk.Stack(app, "S")
    SecureBucket(stack, "Bucket")
    assert stack.node.try_find_child("BucketAccessLogs") is not None


def test_the_flag_on_leaves_the_grant_to_aws_cdk_lib() -> None:
    app = new_app(compliance=False, **{ACCESS_LOGS_BUCKET_POLICY_FLAG: True})
    stack = cdk.Stack(app, "S")
    SecureBucket(stack, "Bucket")
    assert stack.node.try_find_child("BucketAccessLogs") is None


def test_log_delivery_across_stacks_is_limited_to_the_account() -> None:
    """Across stacks aws:SourceArn would make the stacks reference each other; the account
    condition, a value of the logs bucket's own stack, stays (S3 delivers access logs only
    between buckets of one account)."""
    app = new_app(compliance=False, **{ACCESS_LOGS_BUCKET_POLICY_FLAG: False})
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    logs_stack = cdk.Stack(app, "Logs", env=env)
    SecureBucket(logs_stack, "Local")
    data_stack = cdk.Stack(app, "Data", env=env)
    logs_bucket = ServerAccessLogsBucket.of(logs_stack)
    SecureBucket(data_stack, "Remote", server_access_logs_bucket=logs_bucket)
    template = app.synth().get_stack_by_name("Logs").template
    statements = _log_delivery_statements(template)
    assert len(statements) == 2
    by_prefix = {s["Resource"]["Fn::Join"][1][1]: s for s in statements}
    assert by_prefix["/Remote/*"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "111111111111"}
    }
    assert set(by_prefix["/Local/*"]["Condition"]) == {"ArnLike", "StringEquals"}
    assert by_prefix["/Local/*"]["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "111111111111"
    }
