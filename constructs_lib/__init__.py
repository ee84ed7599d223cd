"""AWS CDK constructs for Amazon EMR Serverless.

The public API is re-exported here. Names load on first use, so the pure modules
(subnet planning, release and worker rules, metric tables) and their command-line
tools start without loading aws-cdk-lib and its JavaScript runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs_lib.application import (
        LOG_KEY_SUBMITTER_ACTIONS,
        EmrServerlessApplication,
        EmrServerlessApplicationBase,
        MetricOptions,
        account_vcpu_usage_metric,
    )
    from constructs_lib.application_image import (
        ApplicationImage,
    )
    from constructs_lib.application_rules import (
        MaximumCapacity,
    )
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
    from constructs_lib.metrics import (
        METRICS,
        CapacityAllocationType,
        MetricSpec,
        WorkerTypeDimension,
    )
    from constructs_lib.monitoring_configuration import (
        CloudWatchLogging,
        ManagedPersistence,
        MonitoringConfiguration,
        PrometheusRemoteWrite,
        S3Logs,
    )
    from constructs_lib.network import (
        EmrServerlessNetwork,
        InterfaceEndpoint,
        check_subnet_capacity,
    )
    from constructs_lib.platform_config import (
        EnvironmentConfig,
        NatGateways,
        PlatformConfig,
        PlatformConfigError,
        TeamConfig,
        load_platform_config,
        parse_platform_config,
    )
    from constructs_lib.releases import (
        DEFAULT_RELEASE,
        Feature,
        ReleaseLabel,
    )
    from constructs_lib.runtime_configuration import (
        Classification,
        hive_site,
        java17,
        java17_properties,
        spark_defaults,
        spark_driver_log4j2,
        spark_executor_log4j2,
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
    from constructs_lib.stack_outputs import (
        OutputField,
        TeamOutputs,
        output_description,
        output_key,
        platform_stack_name,
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
    from constructs_lib.workers import (
        Architecture,
        DiskType,
        EngineType,
        InitialWorkers,
        LogType,
        WorkerConfiguration,
        WorkerType,
    )

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "AcknowledgementError": "constructs_lib.compliance",
    "ApplicationImage": "constructs_lib.application_image",
    "Architecture": "constructs_lib.workers",
    "CapacityAllocationType": "constructs_lib.metrics",
    "Classification": "constructs_lib.runtime_configuration",
    "CloudWatchLogging": "constructs_lib.monitoring_configuration",
    "DEFAULT_RELEASE": "constructs_lib.releases",
    "DiskType": "constructs_lib.workers",
    "EmrServerlessApplication": "constructs_lib.application",
    "EmrServerlessApplicationBase": "constructs_lib.application",
    "EmrServerlessNetwork": "constructs_lib.network",
    "EmrServerlessValidationError": "constructs_lib.errors",
    "EngineType": "constructs_lib.workers",
    "EnvironmentConfig": "constructs_lib.platform_config",
    "Feature": "constructs_lib.releases",
    "InitialWorkers": "constructs_lib.workers",
    "InterfaceEndpoint": "constructs_lib.network",
    "JobRuntimeRole": "constructs_lib.runtime_role",
    "LOG_KEY_SUBMITTER_ACTIONS": "constructs_lib.application",
    "LogType": "constructs_lib.workers",
    "METRICS": "constructs_lib.metrics",
    "ManagedPersistence": "constructs_lib.monitoring_configuration",
    "ManagedPolicyRole": "constructs_lib.managed_policy_role",
    "MaximumCapacity": "constructs_lib.application_rules",
    "MetricOptions": "constructs_lib.application",
    "MetricSpec": "constructs_lib.metrics",
    "MonitoringConfiguration": "constructs_lib.monitoring_configuration",
    "NAG_PACKS": "constructs_lib.compliance",
    "NatGateways": "constructs_lib.platform_config",
    "OutputField": "constructs_lib.stack_outputs",
    "PlannedSubnet": "constructs_lib.subnet_planning",
    "PlatformConfig": "constructs_lib.platform_config",
    "PlatformConfigError": "constructs_lib.platform_config",
    "PrometheusRemoteWrite": "constructs_lib.monitoring_configuration",
    "RESERVED_ADDRESSES_PER_SUBNET": "constructs_lib.subnet_planning",
    "ReleaseLabel": "constructs_lib.releases",
    "S3Logs": "constructs_lib.monitoring_configuration",
    "SecureBucket": "constructs_lib.secure_bucket",
    "ServerAccessLogsBucket": "constructs_lib.server_access_logs_bucket",
    "SubnetGroup": "constructs_lib.subnet_planning",
    "SubnetPlan": "constructs_lib.subnet_planning",
    "SubnetPlanningError": "constructs_lib.subnet_planning",
    "TeamConfig": "constructs_lib.platform_config",
    "TeamOutputs": "constructs_lib.stack_outputs",
    "VALID_WORKER_VCPUS": "constructs_lib.subnet_planning",
    "WorkerConfiguration": "constructs_lib.workers",
    "WorkerType": "constructs_lib.workers",
    "WorkerTypeDimension": "constructs_lib.metrics",
    "Workload": "constructs_lib.subnet_planning",
    "account_vcpu_usage_metric": "constructs_lib.application",
    "acknowledge": "constructs_lib.compliance",
    "add_compliance_checks": "constructs_lib.compliance",
    "check_subnet_capacity": "constructs_lib.network",
    "grant_job_submission": "constructs_lib.grants",
    "hive_site": "constructs_lib.runtime_configuration",
    "java17": "constructs_lib.runtime_configuration",
    "java17_properties": "constructs_lib.runtime_configuration",
    "load_platform_config": "constructs_lib.platform_config",
    "output_description": "constructs_lib.stack_outputs",
    "output_key": "constructs_lib.stack_outputs",
    "parse_platform_config": "constructs_lib.platform_config",
    "plan_subnets": "constructs_lib.subnet_planning",
    "platform_stack_name": "constructs_lib.stack_outputs",
    "smallest_prefix_for": "constructs_lib.subnet_planning",
    "spark_defaults": "constructs_lib.runtime_configuration",
    "spark_driver_log4j2": "constructs_lib.runtime_configuration",
    "spark_executor_log4j2": "constructs_lib.runtime_configuration",
    "usable_addresses": "constructs_lib.subnet_planning",
    "workers_for": "constructs_lib.subnet_planning",
}

__all__ = [
    "DEFAULT_RELEASE",
    "LOG_KEY_SUBMITTER_ACTIONS",
    "METRICS",
    "NAG_PACKS",
    "RESERVED_ADDRESSES_PER_SUBNET",
    "VALID_WORKER_VCPUS",
    "AcknowledgementError",
    "ApplicationImage",
    "Architecture",
    "CapacityAllocationType",
    "Classification",
    "CloudWatchLogging",
    "DiskType",
    "EmrServerlessApplication",
    "EmrServerlessApplicationBase",
    "EmrServerlessNetwork",
    "EmrServerlessValidationError",
    "EngineType",
    "EnvironmentConfig",
    "Feature",
    "InitialWorkers",
    "InterfaceEndpoint",
    "JobRuntimeRole",
    "LogType",
    "ManagedPersistence",
    "ManagedPolicyRole",
    "MaximumCapacity",
    "MetricOptions",
    "MetricSpec",
    "MonitoringConfiguration",
    "NatGateways",
    "OutputField",
    "PlannedSubnet",
    "PlatformConfig",
    "PlatformConfigError",
    "PrometheusRemoteWrite",
    "ReleaseLabel",
    "S3Logs",
    "SecureBucket",
    "ServerAccessLogsBucket",
    "SubnetGroup",
    "SubnetPlan",
    "SubnetPlanningError",
    "TeamConfig",
    "TeamOutputs",
    "WorkerConfiguration",
    "WorkerType",
    "WorkerTypeDimension",
    "Workload",
    "account_vcpu_usage_metric",
    "acknowledge",
    "add_compliance_checks",
    "check_subnet_capacity",
    "grant_job_submission",
    "hive_site",
    "java17",
    "java17_properties",
    "load_platform_config",
    "output_description",
    "output_key",
    "parse_platform_config",
    "plan_subnets",
    "platform_stack_name",
    "smallest_prefix_for",
    "spark_defaults",
    "spark_driver_log4j2",
    "spark_executor_log4j2",
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
