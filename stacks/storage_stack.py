"""Shared storage of the reference platform: one secure bucket until the platform lands."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from constructs_lib.secure_bucket import SecureBucket


class StorageStack(Stack):
    """One secure bucket, so that every check of the harness runs on a real template."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        """Create the stack; ``kwargs`` are passed to :class:`aws_cdk.Stack`."""
        super().__init__(scope, construct_id, **kwargs)
        self.bucket = SecureBucket(self, "DataBucket")
        CfnOutput(self, "DataBucketName", value=self.bucket.bucket_name)
