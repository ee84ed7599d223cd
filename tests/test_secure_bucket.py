"""SecureBucket and the shared ServerAccessLogsBucket: every security setting, in the template."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.secure_bucket import ACCESS_LOGS_BUCKET_POLICY_FLAG, SecureBucket
from constructs_lib.server_access_logs_bucket import ACCESS_LOG_RETENTION_DAYS
from tests.harness import Synthesis, new_app, synthesize


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Buckets")
    SecureBucket(stack, "Plain")
    key = kms.Key(stack, "SharedKey", enable_key_rotation=True)
    SecureBucket(stack, "WithKey", encryption_key=key, removal_policy=cdk.RemovalPolicy.DESTROY)
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


def test_refuses_an_app_that_would_grant_log_delivery_by_acl() -> None:
    app = new_app(compliance=False, **{ACCESS_LOGS_BUCKET_POLICY_FLAG: False})
    with pytest.raises(EmrServerlessValidationError, match="serverAccessLogsUseBucketPolicy"):
        SecureBucket(cdk.Stack(app, "S"), "Bucket")


def test_accepts_the_flag_on() -> None:
    app = new_app(compliance=False, **{ACCESS_LOGS_BUCKET_POLICY_FLAG: True})
    assert SecureBucket(cdk.Stack(app, "S"), "Bucket").node.id == "Bucket"
