"""The stack-wide target bucket of S3 server access logs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import child_singleton, remember_child
from constructs_lib.compliance import acknowledge_findings

#: Days an access-log object is kept (PCI DSS 10.7 asks for one year of audit history).
ACCESS_LOG_RETENTION_DAYS = 365

_ACCESS_LOGS_ID = "ServerAccessLogsBucket"

#: The packs with S3 logging, KMS and replication rules.
_PACKS_WITH_S3_RULES = ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")

_REPLICATION_REASON = (
    "Cross-Region replication is a disaster-recovery decision per data set (it needs a "
    "bucket in a second Region); pass replication_rules to SecureBucket to enable it."
)


class ServerAccessLogsBucket(s3.Bucket):
    """The target of S3 server access logs for the secure buckets of one stack.

    S3 log delivery writes only to SSE-S3 buckets, and a log bucket cannot usefully log
    to itself, so those two findings are acknowledged on this bucket alone.
    """

    @classmethod
    def of(cls, stack: Stack) -> ServerAccessLogsBucket:
        """The stack's shared access-logs bucket, created on first call."""
        return child_singleton(stack, _ACCESS_LOGS_ID, cls, lambda: cls(stack, _ACCESS_LOGS_ID))

    @checked_arguments
    def __init__(self, scope: Construct, construct_id: str) -> None:
        """Create the bucket (use :meth:`of` to share one per stack)."""
        super().__init__(
            scope,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(ACCESS_LOG_RETENTION_DAYS),
                    noncurrent_version_expiration=Duration.days(1),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        remember_child(self, scope, construct_id)
        not_logged = (
            "This bucket is the target of S3 server access logs; logging it to itself "
            "would log every log delivery."
        )
        sse_s3_only = (
            "S3 server access log delivery supports only SSE-S3 on the target bucket "
            "(SSE-KMS is not supported for log delivery)."
        )
        findings = {"AwsSolutions-S1": not_logged}
        for pack in _PACKS_WITH_S3_RULES:
            findings[f"{pack}-S3BucketLoggingEnabled"] = not_logged
            findings[f"{pack}-S3DefaultEncryptionKMS"] = sse_s3_only
            findings[f"{pack}-S3BucketReplicationEnabled"] = _REPLICATION_REASON
        acknowledge_findings(self, findings)


def acknowledge_no_replication(bucket: s3.Bucket) -> None:
    """Acknowledge, on ``bucket`` only, the replication finding of the three packs that raise it."""
    acknowledge_findings(
        bucket,
        {
            f"{pack}-S3BucketReplicationEnabled": _REPLICATION_REASON
            for pack in _PACKS_WITH_S3_RULES
        },
    )
