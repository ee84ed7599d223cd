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
    from constructs_lib.errors import (
        EmrServerlessValidationError,
    )
    from constructs_lib.grants import (
        grant_job_submission,
    )
    from constructs_lib.managed_policy_role import (
        ManagedPolicyRole,
    )
    from constructs_lib.network import (
        EmrServerlessNetwork,
        InterfaceEndpoint,
        check_subnet_capacity,
    )
    from constructs_lib.runtime_role import (
        JobRuntimeRole,
    )
    from constructs_lib.secure_bucket import (
        SecureBucket,
    )
    from constructs_lib.server_access_logs_bucket import (
        ServerAccessLogsBucket,
    )
    from constructs_lib.subnet_planning import (
        RESERVED_ADDRESSES_PER_SUBNET,
        VALID_WORKER_VCPUS,
        PlannedSubnet,
        SubnetGroup,
        SubnetPlan,
        SubnetPlanningError,
        Workload,
        plan_subnets,
        smallest_prefix_for,
        usable_addresses,
        workers_for,
    )

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "AcknowledgementError": "constructs_lib.compliance",
    "EmrServerlessNetwork": "constructs_lib.network",
    "EmrServerlessValidationError": "constructs_lib.errors",
    "InterfaceEndpoint": "constructs_lib.network",
    "JobRuntimeRole": "constructs_lib.runtime_role",
    "ManagedPolicyRole": "constructs_lib.managed_policy_role",
    "NAG_PACKS": "constructs_lib.compliance",
    "PlannedSubnet": "constructs_lib.subnet_planning",
    "RESERVED_ADDRESSES_PER_SUBNET": "constructs_lib.subnet_planning",
    "SecureBucket": "constructs_lib.secure_bucket",
    "ServerAccessLogsBucket": "constructs_lib.server_access_logs_bucket",
    "SubnetGroup": "constructs_lib.subnet_planning",
    "SubnetPlan": "constructs_lib.subnet_planning",
    "SubnetPlanningError": "constructs_lib.subnet_planning",
    "VALID_WORKER_VCPUS": "constructs_lib.subnet_planning",
    "Workload": "constructs_lib.subnet_planning",
    "acknowledge": "constructs_lib.compliance",
    "add_compliance_checks": "constructs_lib.compliance",
    "check_subnet_capacity": "constructs_lib.network",
    "grant_job_submission": "constructs_lib.grants",
    "plan_subnets": "constructs_lib.subnet_planning",
    "smallest_prefix_for": "constructs_lib.subnet_planning",
    "usable_addresses": "constructs_lib.subnet_planning",
    "workers_for": "constructs_lib.subnet_planning",
}

__all__ = [
    "NAG_PACKS",
    "RESERVED_ADDRESSES_PER_SUBNET",
    "VALID_WORKER_VCPUS",
    "AcknowledgementError",
    "EmrServerlessNetwork",
    "EmrServerlessValidationError",
    "InterfaceEndpoint",
    "JobRuntimeRole",
    "ManagedPolicyRole",
    "PlannedSubnet",
    "SecureBucket",
    "ServerAccessLogsBucket",
    "SubnetGroup",
    "SubnetPlan",
    "SubnetPlanningError",
    "Workload",
    "acknowledge",
    "add_compliance_checks",
    "check_subnet_capacity",
    "grant_job_submission",
    "plan_subnets",
    "smallest_prefix_for",
    "usable_addresses",
    "workers_for",
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
