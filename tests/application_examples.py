"""Applications the application tests share: the guide's examples and a full monitoring setup."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.monitoring_configuration import (
    CloudWatchLogging,
    ManagedPersistence,
    MonitoringConfiguration,
    PrometheusRemoteWrite,
    S3Logs,
)
from constructs_lib.releases import ReleaseLabel
from constructs_lib.workers import (
    EngineType,
    InitialWorkers,
    LogType,
    WorkerConfiguration,
    WorkerType,
)

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
DIGEST = "sha256:" + "ab" * 32

#: The guide's create-application examples (L1369-1443): 5 drivers of 2 vCPU/4 GB, 50
#: executors or Tez tasks of 4 vCPU/8 GB, at most 400 vCPU/1,024 GB, on emr-6.6.0.
GUIDE_DRIVERS = InitialWorkers(5, WorkerConfiguration(vcpu=2, memory_gb=4))
GUIDE_WORKERS = InitialWorkers(50, WorkerConfiguration(vcpu=4, memory_gb=8))
GUIDE_MAXIMUM = MaximumCapacity(vcpu=400, memory_gb=1024)


def guide_applications(
    stack: cdk.Stack,
) -> tuple[EmrServerlessApplication, EmrServerlessApplication]:
    """The guide's Spark and Hive examples, ids ``Spark`` and ``Hive``."""
    spark = EmrServerlessApplication(
        stack,
        "Spark",
        application_name="my-application-name",
        release=ReleaseLabel.EMR_6_6_0,
        initial_capacity={
            WorkerType.SPARK_DRIVER: GUIDE_DRIVERS,
            WorkerType.SPARK_EXECUTOR: GUIDE_WORKERS,
        },
        maximum_capacity=GUIDE_MAXIMUM,
    )
    hive = EmrServerlessApplication(
        stack,
        "Hive",
        engine=EngineType.HIVE,
        application_name="my-application-name",
        release="emr-6.6.0",
        initial_capacity={
            WorkerType.HIVE_DRIVER: GUIDE_DRIVERS,
            WorkerType.TEZ_TASK: GUIDE_WORKERS,
        },
        maximum_capacity=GUIDE_MAXIMUM,
    )
    return spark, hive


def full_monitoring(stack: cdk.Stack, bucket: s3.IBucket, key: kms.IKey) -> MonitoringConfiguration:
    """Every monitoring block, each encrypted with ``key`` where it can be."""
    return MonitoringConfiguration(
        s3_logs=S3Logs(bucket=bucket, prefix="emr/full", encryption_key=key),
        cloudwatch_logging=CloudWatchLogging(
            log_group=logs.LogGroup.from_log_group_name(
                stack, "LogGroup", "/aws/emr-serverless/full"
            ),
            log_stream_prefix="full/jobs",
            encryption_key=key,
            log_types={
                WorkerType.SPARK_DRIVER: [LogType.STDOUT, LogType.STDERR],
                WorkerType.SPARK_EXECUTOR: [LogType.STDERR],
            },
        ),
        managed_persistence=ManagedPersistence(encryption_key=key),
        prometheus=PrometheusRemoteWrite.for_workspace(workspace_id="ws-1234-abcd", region=REGION),
    )
