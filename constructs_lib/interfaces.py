"""Structural interfaces shared by the constructs (so modules need not import each other)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from aws_cdk import aws_kms as kms


@runtime_checkable
class IEmrServerlessApplication(Protocol):
    """An EMR Serverless application, defined in this app or imported.

    ``application_arn`` has the form
    ``arn:<partition>:emr-serverless:<region>:<account>:/applications/<application id>``.
    ``log_encryption_keys`` are the keys its job logs are encrypted with (empty when they
    are not): a job submitter is granted their use, or EMR Serverless refuses its job runs.
    """

    @property
    def application_id(self) -> str:
        """The application id (a token for an application defined in this app)."""
        ...

    @property
    def application_arn(self) -> str:
        """The application ARN (a token for an application defined in this app)."""
        ...

    @property
    def log_encryption_keys(self) -> Sequence[kms.IKey]:
        """The keys job logs are encrypted with (``()`` when none)."""
        ...
