#!/usr/bin/env python3
"""One Spark application with its runtime role, log destinations and private network."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib import (
    ApplicationLogs,
    EmrServerlessApplication,
    EmrServerlessNetwork,
    JobRuntimeRole,
    ManagedPolicyRole,
    MaximumCapacity,
    ReleaseLabel,
    SecureBucket,
    Workload,
    add_compliance_checks,
)


class SparkStack(cdk.Stack):
    """A private Spark application whose jobs read and write one data bucket."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)

        # Where the jobs' data and scripts live.
        data = SecureBucket(self, "Data")

        # The role jobs run as: read input/ and scripts/, write output/.
        runtime_role = JobRuntimeRole(self, "RuntimeRole")
        runtime_role.grant_s3_read(data, "input/")
        runtime_role.grant_s3_read(data, "scripts/")
        runtime_role.grant_s3_read_write(data, "output/")

        # Logs to S3 and CloudWatch Logs, encrypted with a key of their own.
        logs = ApplicationLogs(self, "Logs")
        logs.grant_write(runtime_role)

        # A private VPC whose worker subnets hold the application's peak. subnets.json
        # records where they are, so that a later change of the workloads never moves them.
        network = EmrServerlessNetwork(
            self,
            "Network",
            workloads=[Workload(max_vcpu=200, worker_vcpu=4)],
            subnet_record="subnets.json",
        )

        application = EmrServerlessApplication(
            self,
            "Spark",
            release=ReleaseLabel.EMR_7_12_0,
            maximum_capacity=MaximumCapacity(vcpu=200, memory_gb=800),
            network=network,
            monitoring=logs.monitoring_configuration(),
        )

        # Whoever submits jobs (a CI role, Airflow, Step Functions) assumes this role.
        submitter = ManagedPolicyRole(
            self,
            "Submitter",
            assumed_by=iam.AccountRootPrincipal(),
            description="Starts and follows the Spark application's jobs",
        )
        application.grant_start_job_run(submitter, runtime_role)

        cdk.CfnOutput(self, "ApplicationId", value=application.application_id)
        cdk.CfnOutput(self, "RuntimeRoleArn", value=runtime_role.role_arn)


app = cdk.App()
add_compliance_checks(app)
SparkStack(app, "SparkApplication")
app.synth()
