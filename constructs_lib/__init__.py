"""AWS CDK constructs for Amazon EMR Serverless.

The public API is re-exported here. Names load on first use, so the pure modules
(subnet planning, release and worker rules, metric tables) and their command-line
tools start without loading aws-cdk-lib and its JavaScript runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs_lib.compliance import (
        NAG_PACKS,
        AcknowledgementError,
        acknowledge,
        add_compliance_checks,
    )
    from constructs_lib.errors import EmrServerlessValidationError
    from constructs_lib.grants import grant_job_submission
    from constructs_lib.managed_policy_role import ManagedPolicyRole
    from constructs_lib.secure_bucket import SecureBucket
    from constructs_lib.server_access_logs_bucket import ServerAccessLogsBucket

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "NAG_PACKS": "constructs_lib.compliance",
    "AcknowledgementError": "constructs_lib.compliance",
    "acknowledge": "constructs_lib.compliance",
    "add_compliance_checks": "constructs_lib.compliance",
    "EmrServerlessValidationError": "constructs_lib.errors",
    "grant_job_submission": "constructs_lib.grants",
    "ManagedPolicyRole": "constructs_lib.managed_policy_role",
    "SecureBucket": "constructs_lib.secure_bucket",
    "ServerAccessLogsBucket": "constructs_lib.server_access_logs_bucket",
}

__all__ = [
    "NAG_PACKS",
    "AcknowledgementError",
    "EmrServerlessValidationError",
    "ManagedPolicyRole",
    "SecureBucket",
    "ServerAccessLogsBucket",
    "acknowledge",
    "add_compliance_checks",
    "grant_job_submission",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
