"""Structural interfaces shared by the constructs (so modules need not import each other)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class IEmrServerlessApplication(Protocol):
    """An EMR Serverless application, defined in this app or imported.

    ``application_arn`` has the form
    ``arn:<partition>:emr-serverless:<region>:<account>:/applications/<application id>``.
    """

    @property
    def application_id(self) -> str:
        """The application id (a token for an application defined in this app)."""
        ...

    @property
    def application_arn(self) -> str:
        """The application ARN (a token for an application defined in this app)."""
        ...
