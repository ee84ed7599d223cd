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
        EmrServerlessApplication,
        EmrServerlessApplicationBase,
        MetricOptions,
        account_vcpu_usage_metric,
    )
    from constructs_lib.application_alarms import (
        ApplicationAlarms,
    )
    from constructs_lib.application_dashboard import (
        ApplicationDashboard,
    )
    from constructs_lib.application_image import (
        ApplicationImage,
    )
    from constructs_lib.application_lifecycle import (
        DiskEncryption,
        LifecycleProvider,
    )
    from constructs_lib.application_logs import (
        ApplicationLogs,
    )
    from constructs_lib.application_monitoring import (
        ApplicationMonitoring,
    )
    from constructs_lib.application_rules import (
        MaximumCapacity,
    )
    from constructs_lib.application_updates import (
        UpdateEffect,
        classify_update,
        desired_properties,
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
    from constructs_lib.iam_actions import (
        LOG_KEY_SUBMITTER_ACTIONS,
    )
    from constructs_lib.image_references import (
        BASE_IMAGE_REGISTRY,
        ApplicationArn,
        base_image,
        parse_application_arn,
    )
    from constructs_lib.image_repository import (
        APPLICATION_IMAGE_ACTIONS,
        DEFAULT_MAX_TAGGED_IMAGES,
        DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS,
        CustomImageRepository,
    )
    from constructs_lib.job_defaults import (
        job_defaults,
    )
    from constructs_lib.job_definition import (
        HiveJob,
        SparkJob,
    )
    from constructs_lib.job_run_task import (
        ApplicationAction,
        EmrServerlessApplicationTask,
        EmrServerlessStartJobRun,
        Integration,
    )
    from constructs_lib.job_runs import (
        HiveQuery,
        JobMode,
        JobMonitoring,
        JobRunSpec,
        RetryPolicy,
        SparkSubmit,
        start_job_run_request,
    )
    from constructs_lib.job_schedule import (
        JobSchedule,
        new_dead_letter_queue,
    )
    from constructs_lib.job_state_notifications import (
        JobStateNotifications,
    )
    from constructs_lib.job_workflow import (
        JobWorkflow,
    )
    from constructs_lib.lifecycle_policy import (
        LifecyclePolicy,
        RunningJobs,
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
    from constructs_lib.monitoring_rules import (
        DEFAULT_ACCOUNT_VCPU_QUOTA,
        DEFAULT_NOTIFIED_STATES,
        JobRunState,
    )
    from constructs_lib.network import (
        EmrServerlessNetwork,
        InterfaceEndpoint,
        check_subnet_capacity,
    )
    from constructs_lib.notification_topic import (
        NotificationTopic,
        allow_alarm_notifications,
        allow_rule_notifications,
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
    from constructs_lib.prometheus_rules import (
        SparkAlertRule,
        rules_yaml,
        spark_alert_rules,
    )
    from constructs_lib.prometheus_workspace import (
        PrometheusWorkspace,
        PrometheusWorkspaceBase,
    )
    from constructs_lib.pyspark_package import (
        PySparkPackage,
    )
    from constructs_lib.pyspark_packaging import (
        MissingWheelError,
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
    from constructs_lib.service_limits import PolicyCapacityError
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
        SubnetRecord,
        SubnetRecordError,
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
    "HiveJob": "constructs_lib.job_definition",
    "SparkJob": "constructs_lib.job_definition",
    "ApplicationAction": "constructs_lib.job_run_task",
    "EmrServerlessApplicationTask": "constructs_lib.job_run_task",
    "EmrServerlessStartJobRun": "constructs_lib.job_run_task",
    "Integration": "constructs_lib.job_run_task",
    "HiveQuery": "constructs_lib.job_runs",
    "JobMode": "constructs_lib.job_runs",
    "JobMonitoring": "constructs_lib.job_runs",
    "JobRunSpec": "constructs_lib.job_runs",
    "RetryPolicy": "constructs_lib.job_runs",
    "SparkSubmit": "constructs_lib.job_runs",
    "start_job_run_request": "constructs_lib.job_runs",
    "JobSchedule": "constructs_lib.job_schedule",
    "new_dead_letter_queue": "constructs_lib.job_schedule",
    "JobWorkflow": "constructs_lib.job_workflow",
    "PySparkPackage": "constructs_lib.pyspark_package",
    "MissingWheelError": "constructs_lib.pyspark_packaging",
    "APPLICATION_IMAGE_ACTIONS": "constructs_lib.image_repository",
    "AcknowledgementError": "constructs_lib.compliance",
    "ApplicationAlarms": "constructs_lib.application_alarms",
    "ApplicationArn": "constructs_lib.image_references",
    "ApplicationDashboard": "constructs_lib.application_dashboard",
    "ApplicationImage": "constructs_lib.application_image",
    "ApplicationLogs": "constructs_lib.application_logs",
    "ApplicationMonitoring": "constructs_lib.application_monitoring",
    "Architecture": "constructs_lib.workers",
    "BASE_IMAGE_REGISTRY": "constructs_lib.image_references",
    "CapacityAllocationType": "constructs_lib.metrics",
    "Classification": "constructs_lib.runtime_configuration",
    "CloudWatchLogging": "constructs_lib.monitoring_configuration",
    "CustomImageRepository": "constructs_lib.image_repository",
    "DEFAULT_ACCOUNT_VCPU_QUOTA": "constructs_lib.monitoring_rules",
    "DEFAULT_MAX_TAGGED_IMAGES": "constructs_lib.image_repository",
    "DEFAULT_NOTIFIED_STATES": "constructs_lib.monitoring_rules",
    "DEFAULT_RELEASE": "constructs_lib.releases",
    "DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS": "constructs_lib.image_repository",
    "DiskEncryption": "constructs_lib.application_lifecycle",
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
    "JobRunState": "constructs_lib.monitoring_rules",
    "JobRuntimeRole": "constructs_lib.runtime_role",
    "JobStateNotifications": "constructs_lib.job_state_notifications",
    "LOG_KEY_SUBMITTER_ACTIONS": "constructs_lib.iam_actions",
    "LifecyclePolicy": "constructs_lib.lifecycle_policy",
    "LifecycleProvider": "constructs_lib.application_lifecycle",
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
    "NotificationTopic": "constructs_lib.notification_topic",
    "OutputField": "constructs_lib.stack_outputs",
    "PlannedSubnet": "constructs_lib.subnet_planning",
    "PlatformConfig": "constructs_lib.platform_config",
    "PlatformConfigError": "constructs_lib.platform_config",
    "PolicyCapacityError": "constructs_lib.service_limits",
    "PrometheusRemoteWrite": "constructs_lib.monitoring_configuration",
    "PrometheusWorkspace": "constructs_lib.prometheus_workspace",
    "PrometheusWorkspaceBase": "constructs_lib.prometheus_workspace",
    "RESERVED_ADDRESSES_PER_SUBNET": "constructs_lib.subnet_planning",
    "ReleaseLabel": "constructs_lib.releases",
    "RunningJobs": "constructs_lib.lifecycle_policy",
    "S3Logs": "constructs_lib.monitoring_configuration",
    "SecureBucket": "constructs_lib.secure_bucket",
    "ServerAccessLogsBucket": "constructs_lib.server_access_logs_bucket",
    "SparkAlertRule": "constructs_lib.prometheus_rules",
    "SubnetGroup": "constructs_lib.subnet_planning",
    "SubnetPlan": "constructs_lib.subnet_planning",
    "SubnetPlanningError": "constructs_lib.subnet_planning",
    "SubnetRecord": "constructs_lib.subnet_planning",
    "SubnetRecordError": "constructs_lib.subnet_planning",
    "TeamConfig": "constructs_lib.platform_config",
    "TeamOutputs": "constructs_lib.stack_outputs",
    "UpdateEffect": "constructs_lib.application_updates",
    "VALID_WORKER_VCPUS": "constructs_lib.subnet_planning",
    "WorkerConfiguration": "constructs_lib.workers",
    "WorkerType": "constructs_lib.workers",
    "WorkerTypeDimension": "constructs_lib.metrics",
    "Workload": "constructs_lib.subnet_planning",
    "account_vcpu_usage_metric": "constructs_lib.application",
    "acknowledge": "constructs_lib.compliance",
    "add_compliance_checks": "constructs_lib.compliance",
    "allow_alarm_notifications": "constructs_lib.notification_topic",
    "allow_rule_notifications": "constructs_lib.notification_topic",
    "base_image": "constructs_lib.image_references",
    "check_subnet_capacity": "constructs_lib.network",
    "classify_update": "constructs_lib.application_updates",
    "desired_properties": "constructs_lib.application_updates",
    "grant_job_submission": "constructs_lib.grants",
    "hive_site": "constructs_lib.runtime_configuration",
    "java17": "constructs_lib.runtime_configuration",
    "java17_properties": "constructs_lib.runtime_configuration",
    "job_defaults": "constructs_lib.job_defaults",
    "load_platform_config": "constructs_lib.platform_config",
    "output_description": "constructs_lib.stack_outputs",
    "output_key": "constructs_lib.stack_outputs",
    "parse_application_arn": "constructs_lib.image_references",
    "parse_platform_config": "constructs_lib.platform_config",
    "plan_subnets": "constructs_lib.subnet_planning",
    "platform_stack_name": "constructs_lib.stack_outputs",
    "rules_yaml": "constructs_lib.prometheus_rules",
    "smallest_prefix_for": "constructs_lib.subnet_planning",
    "spark_alert_rules": "constructs_lib.prometheus_rules",
    "spark_defaults": "constructs_lib.runtime_configuration",
    "spark_driver_log4j2": "constructs_lib.runtime_configuration",
    "spark_executor_log4j2": "constructs_lib.runtime_configuration",
    "usable_addresses": "constructs_lib.subnet_planning",
    "workers_for": "constructs_lib.subnet_planning",
}

__all__ = [
    "APPLICATION_IMAGE_ACTIONS",
    "BASE_IMAGE_REGISTRY",
    "DEFAULT_ACCOUNT_VCPU_QUOTA",
    "DEFAULT_MAX_TAGGED_IMAGES",
    "DEFAULT_NOTIFIED_STATES",
    "DEFAULT_RELEASE",
    "DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS",
    "LOG_KEY_SUBMITTER_ACTIONS",
    "METRICS",
    "NAG_PACKS",
    "RESERVED_ADDRESSES_PER_SUBNET",
    "VALID_WORKER_VCPUS",
    "AcknowledgementError",
    "ApplicationAction",
    "ApplicationAlarms",
    "ApplicationArn",
    "ApplicationDashboard",
    "ApplicationImage",
    "ApplicationLogs",
    "ApplicationMonitoring",
    "Architecture",
    "CapacityAllocationType",
    "Classification",
    "CloudWatchLogging",
    "CustomImageRepository",
    "DiskEncryption",
    "DiskType",
    "EmrServerlessApplication",
    "EmrServerlessApplicationBase",
    "EmrServerlessApplicationTask",
    "EmrServerlessNetwork",
    "EmrServerlessStartJobRun",
    "EmrServerlessValidationError",
    "EngineType",
    "EnvironmentConfig",
    "Feature",
    "HiveJob",
    "HiveQuery",
    "InitialWorkers",
    "Integration",
    "InterfaceEndpoint",
    "JobMode",
    "JobMonitoring",
    "JobRunSpec",
    "JobRunState",
    "JobRuntimeRole",
    "JobSchedule",
    "JobStateNotifications",
    "JobWorkflow",
    "LifecyclePolicy",
    "LifecycleProvider",
    "LogType",
    "ManagedPersistence",
    "ManagedPolicyRole",
    "MaximumCapacity",
    "MetricOptions",
    "MetricSpec",
    "MissingWheelError",
    "MonitoringConfiguration",
    "NatGateways",
    "NotificationTopic",
    "OutputField",
    "PlannedSubnet",
    "PlatformConfig",
    "PlatformConfigError",
    "PolicyCapacityError",
    "PrometheusRemoteWrite",
    "PrometheusWorkspace",
    "PrometheusWorkspaceBase",
    "PySparkPackage",
    "ReleaseLabel",
    "RetryPolicy",
    "RunningJobs",
    "S3Logs",
    "SecureBucket",
    "ServerAccessLogsBucket",
    "SparkAlertRule",
    "SparkJob",
    "SparkSubmit",
    "SubnetGroup",
    "SubnetPlan",
    "SubnetPlanningError",
    "SubnetRecord",
    "SubnetRecordError",
    "TeamConfig",
    "TeamOutputs",
    "UpdateEffect",
    "WorkerConfiguration",
    "WorkerType",
    "WorkerTypeDimension",
    "Workload",
    "account_vcpu_usage_metric",
    "acknowledge",
    "add_compliance_checks",
    "allow_alarm_notifications",
    "allow_rule_notifications",
    "base_image",
    "check_subnet_capacity",
    "classify_update",
    "desired_properties",
    "grant_job_submission",
    "hive_site",
    "java17",
    "java17_properties",
    "job_defaults",
    "load_platform_config",
    "new_dead_letter_queue",
    "output_description",
    "output_key",
    "parse_application_arn",
    "parse_platform_config",
    "plan_subnets",
    "platform_stack_name",
    "rules_yaml",
    "smallest_prefix_for",
    "spark_alert_rules",
    "spark_defaults",
    "spark_driver_log4j2",
    "spark_executor_log4j2",
    "start_job_run_request",
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
