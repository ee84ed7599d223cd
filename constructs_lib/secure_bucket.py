"""An S3 bucket that is safe by default: KMS, versioning, private, TLS only, access logs."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import FeatureFlags, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.server_access_logs_bucket import (
    ServerAccessLogsBucket,
    acknowledge_no_replication,
)


class SecureBucket(s3.Bucket):
    """An S3 bucket with the settings every compliance pack of cdk-nag asks for.

    - SSE-KMS with a customer-managed key (rotation on) and an S3 bucket key;
    - versioning, all public access blocked, ACLs disabled, TLS 1.2+ only;
    - server access logs to a shared, stack-wide logs bucket (created on first use);
    - retained on stack deletion unless ``removal_policy`` says otherwise.

    Replication is not configured by default (it needs a second Region); that one
    finding is acknowledged on this bucket with its reason.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey | None = None,
        server_access_logs_bucket: s3.IBucket | None = None,
        server_access_logs_prefix: str | None = None,
        lifecycle_rules: Sequence[s3.LifecycleRule] = (),
        replication_rules: Sequence[s3.ReplicationRule] = (),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the bucket.

        :param encryption_key: key for SSE-KMS. Default: a new key with rotation on,
            retained with the same removal policy as the bucket.
        :param server_access_logs_bucket: where S3 writes server access logs. Default: the
            stack's shared ``ServerAccessLogsBucket``, created on first use.
        :param server_access_logs_prefix: key prefix for this bucket's access logs.
            Default: ``<construct path>/``.
        :param lifecycle_rules: lifecycle rules. Default: none.
        :param replication_rules: replication rules (needs a destination bucket).
            Default: none, and the replication finding is acknowledged.
        :param removal_policy: what happens to the bucket (and a key it creates) when it
            leaves the stack. Default: ``RETAIN``.
        """
        _require_access_log_bucket_policies(scope, construct_id)
        if encryption_key is None:
            encryption_key = kms.Key(
                scope,
                f"{construct_id}Key",
                description=f"SSE-KMS key of bucket {Stack.of(scope).stack_name}/{construct_id}",
                enable_key_rotation=True,
                removal_policy=removal_policy,
            )
        logs_bucket = server_access_logs_bucket or ServerAccessLogsBucket.of(Stack.of(scope))
        super().__init__(
            scope,
            construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=encryption_key,
            bucket_key_enabled=True,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            server_access_logs_bucket=logs_bucket,
            server_access_logs_prefix=server_access_logs_prefix or f"{construct_id}/",
            lifecycle_rules=list(lifecycle_rules) or None,
            replication_rules=list(replication_rules) or None,
            removal_policy=removal_policy,
        )
        if not replication_rules:
            acknowledge_no_replication(self)


#: With this aws-cdk-lib feature flag off, S3 access-log delivery is granted with an ACL,
#: which the logs bucket's ``BucketOwnerEnforced`` object ownership (no ACLs) forbids.
ACCESS_LOGS_BUCKET_POLICY_FLAG = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"


def _require_access_log_bucket_policies(scope: Construct, construct_id: str) -> None:
    if not FeatureFlags.of(scope).is_enabled(ACCESS_LOGS_BUCKET_POLICY_FLAG):
        raise EmrServerlessValidationError(
            argument=f"{construct_id} (feature flag {ACCESS_LOGS_BUCKET_POLICY_FLAG})",
            value=False,
            rule="secure buckets deliver access logs under a bucket policy with ACLs disabled, "
            "which needs this aws-cdk-lib feature flag (on in the context `cdk init` writes)",
            fix=f'add "{ACCESS_LOGS_BUCKET_POLICY_FLAG}": true to the context in cdk.json',
        )
