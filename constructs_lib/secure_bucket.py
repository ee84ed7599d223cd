"""An S3 bucket that is safe by default: KMS, versioning, private, TLS only, access logs."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Annotations, FeatureFlags, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child, stack_facts, stack_of
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
        if encryption_key is None:
            encryption_key = kms.Key(
                scope,
                f"{construct_id}Key",
                description=f"SSE-KMS key of bucket {stack_facts(scope).stack_name}/{construct_id}",
                enable_key_rotation=True,
                removal_policy=removal_policy,
            )
        logs_bucket = server_access_logs_bucket or ServerAccessLogsBucket.of(stack_of(scope))
        logs_prefix = server_access_logs_prefix or f"{construct_id}/"
        # Without the feature flag, aws-cdk-lib grants log delivery to a bucket it owns with
        # an ACL, which the logs bucket's BucketOwnerEnforced ownership forbids; grant it
        # with a bucket policy here instead, as aws-cdk-lib does with the flag on.
        grant_to: s3.Bucket | None = None
        logs_target: s3.IBucket = logs_bucket
        if isinstance(logs_bucket, s3.Bucket) and not FeatureFlags.of(logs_bucket).is_enabled(
            ACCESS_LOGS_BUCKET_POLICY_FLAG
        ):
            grant_to = logs_bucket
            logs_target = _reference(scope, f"{construct_id}AccessLogs", logs_bucket)
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
            server_access_logs_bucket=logs_target,
            server_access_logs_prefix=logs_prefix,
            lifecycle_rules=list(lifecycle_rules) or None,
            replication_rules=list(replication_rules) or None,
            removal_policy=removal_policy,
        )
        remember_child(self, scope, construct_id)
        if grant_to is not None:
            _allow_log_delivery(grant_to, source=self, prefix=logs_prefix)
        if not replication_rules:
            acknowledge_no_replication(self)


#: With this aws-cdk-lib feature flag off, aws-cdk-lib grants S3 access-log delivery with an
#: ACL, which the logs bucket's ``BucketOwnerEnforced`` object ownership (no ACLs) forbids;
#: :class:`SecureBucket` then grants it with a bucket policy itself.
ACCESS_LOGS_BUCKET_POLICY_FLAG = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"

#: The warning aws-cdk-lib records when it cannot grant log delivery to a target bucket.
_LOGS_POLICY_NOT_ADDED = "@aws-cdk/aws-s3:accessLogsPolicyNotAdded"

#: The service principal that delivers S3 server access logs.
S3_LOGGING_PRINCIPAL = "logging.s3.amazonaws.com"


def _reference(scope: Construct, construct_id: str, bucket: s3.Bucket) -> s3.IBucket:
    """``bucket`` as a reference, so that aws-cdk-lib leaves its permissions alone."""
    return s3.Bucket.from_bucket_attributes(
        scope, construct_id, bucket_arn=bucket.bucket_arn, bucket_name=bucket.bucket_name
    )


def _allow_log_delivery(logs_bucket: s3.Bucket, *, source: s3.Bucket, prefix: str) -> None:
    """The statement aws-cdk-lib adds with the feature flag on: S3 log delivery may put
    ``source``'s access logs under ``prefix``, for the logs bucket's account only
    (``aws:SourceAccount``: S3 delivers access logs only between buckets of one account),
    and only ``source``'s when both are in one stack (``aws:SourceArn``; naming a bucket of
    another stack would make the stacks reference each other). aws-cdk-lib leaves out both
    conditions across stacks; the account, a value of the logs bucket's own stack, is kept."""
    logs_stack = stack_facts(logs_bucket)
    same_stack = logs_stack.path == stack_facts(source).path
    conditions: dict[str, dict[str, str]] = {
        "StringEquals": {"aws:SourceAccount": logs_stack.account},
    }
    if same_stack:
        conditions = {"ArnLike": {"aws:SourceArn": source.bucket_arn}, **conditions}
    logs_bucket.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(S3_LOGGING_PRINCIPAL)],
            actions=["s3:PutObject"],
            resources=[logs_bucket.arn_for_objects(f"{prefix}*")],
            conditions=conditions,
        )
    )
    Annotations.of(source).acknowledge_warning(
        _LOGS_POLICY_NOT_ADDED,
        "SecureBucket grants log delivery to its access-logs bucket with a bucket policy",
    )
