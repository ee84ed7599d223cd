"""One environment's network: a VPC whose worker subnets are sized from every team's peak."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib.network import EmrServerlessNetwork, InterfaceEndpoint
from constructs_lib.platform_config import EnvironmentConfig
from stacks.retention import retention_days

#: Interface endpoints every environment gets: credentials, keys, logs and Prometheus
#: remote write stay on the AWS network even with NAT (S3 always has a gateway endpoint).
PLATFORM_INTERFACE_ENDPOINTS = (
    InterfaceEndpoint.STS,
    InterfaceEndpoint.KMS,
    InterfaceEndpoint.CLOUDWATCH_LOGS,
    InterfaceEndpoint.PROMETHEUS_WORKSPACES,
)


class NetworkStack(Stack):
    """The VPC, subnets, endpoints, flow logs and application security group of one environment."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: EnvironmentConfig,
        **kwargs: Any,
    ) -> None:
        """Create the network of ``environment``; ``kwargs`` go to :class:`aws_cdk.Stack`."""
        super().__init__(scope, construct_id, **kwargs)
        config = environment.network
        with environment.blame("network"):
            self.network = EmrServerlessNetwork(
                self,
                "Network",
                workloads=environment.workloads(),
                vpc_cidr=config.vpc_cidr,
                azs=config.availability_zones,
                nat_gateways=config.nat_gateway_count,
                interface_endpoints=PLATFORM_INTERFACE_ENDPOINTS,
                flow_logs_retention=retention_days(environment.log_retention_days),
            )
