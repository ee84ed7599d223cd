#!/usr/bin/env python3
"""Two Spark applications sharing the worker subnets of a VPC that already exists."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
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

# The VPC your network team runs: replace with its ids. Giving the subnets' CIDRs lets the
# library check at synth that each subnet holds both applications' peak.
VPC_ID = "vpc-0123456789abcdef0"
AVAILABILITY_ZONES = ["eu-west-1a", "eu-west-1b"]
PRIVATE_SUBNET_IDS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
PRIVATE_SUBNET_CIDRS = ["10.20.0.0/22", "10.20.4.0/22"]
PRIVATE_ROUTE_TABLE_IDS = ["rtb-0123456789abcdef0", "rtb-0fedcba9876543210"]


class SharedVpcStack(cdk.Stack):
    """An ETL and a reporting application on the same private subnets."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id=VPC_ID,
            availability_zones=AVAILABILITY_ZONES,
            private_subnet_ids=PRIVATE_SUBNET_IDS,
            private_subnet_ipv4_cidr_blocks=PRIVATE_SUBNET_CIDRS,
            private_subnet_route_table_ids=PRIVATE_ROUTE_TABLE_IDS,
        )

        # Jobs read and write S3 through a gateway endpoint on the workers' route tables (no
        # charge, no NAT traffic). If your VPC has one already, remove this: a route table
        # takes one route to S3.
        vpc.add_gateway_endpoint(
            "S3",
            service=ec2.GatewayVpcEndpointAwsService.S3,
            subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)],
        )

        etl = Workload(max_vcpu=400, worker_vcpu=4, name="etl")
        reports = Workload(max_vcpu=100, worker_vcpu=2, name="reports")
        # One security group for both; each subnet must hold 100 + 50 workers at once.
        network = EmrServerlessNetwork(self, "Network", workloads=[etl, reports], vpc=vpc)

        data = SecureBucket(self, "Data")
        logs = ApplicationLogs(self, "Logs")
        submitter = ManagedPolicyRole(
            self,
            "Submitter",
            assumed_by=iam.AccountRootPrincipal(),
            description="Starts and follows the ETL and reporting jobs",
        )

        for workload, memory_gb in ((etl, 1600), (reports, 400)):
            name = workload.name.capitalize()
            role = JobRuntimeRole(self, f"{name}Role")
            role.grant_s3_read(data, "raw/")
            role.grant_s3_read_write(data, f"{workload.name}/")
            logs.grant_write(role)
            application = EmrServerlessApplication(
                self,
                name,
                release=ReleaseLabel.EMR_7_12_0,
                maximum_capacity=MaximumCapacity(vcpu=workload.max_vcpu, memory_gb=memory_gb),
                network=network,
                monitoring=logs.monitoring_configuration(),
            )
            application.grant_start_job_run(submitter, role)
            cdk.CfnOutput(self, f"{name}ApplicationId", value=application.application_id)


app = cdk.App()
add_compliance_checks(app)
SharedVpcStack(app, "SharedVpcApplications")
app.synth()
