"""One environment's network: a VPC whose worker subnets are sized from every team's peak."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib.network import EmrServerlessNetwork, InterfaceEndpoint
from constructs_lib.platform_config import EnvironmentConfig, PlatformConfigError
from constructs_lib.platform_subnets import PLATFORM_INTERFACE_ENDPOINTS as ENDPOINT_SERVICES
from constructs_lib.subnet_planning import SubnetRecord, SubnetRecordError
from stacks.retention import retention_days

#: Interface endpoints every environment gets: credentials, keys, logs and Prometheus
#: remote write stay on the AWS network even with NAT (S3 always has a gateway endpoint).
PLATFORM_INTERFACE_ENDPOINTS = tuple(InterfaceEndpoint(service) for service in ENDPOINT_SERVICES)


class NetworkStack(Stack):
    """The VPC, subnets, endpoints, flow logs and application security group of one environment."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: EnvironmentConfig,
        subnet_record: SubnetRecord | None = None,
        **kwargs: Any,
    ) -> None:
        """Create the network of ``environment``; ``kwargs`` go to :class:`aws_cdk.Stack`.

        :param subnet_record: where the platform's subnets are, the environment's under its
            name (``make plan`` writes it). Default: none (planned on every synth, with a
            warning).
        """
        super().__init__(scope, construct_id, **kwargs)
        config = environment.network
        try:
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
                    subnet_record=subnet_record,
                    record_key=environment.name,
                    headroom=config.headroom,
                )
        except PlatformConfigError as error:
            # The record, not a config key, is what cannot hold the peak: its own message
            # names the environment, the subnets, the need and `make plan`.
            if isinstance(error.__cause__, SubnetRecordError):
                raise error.__cause__ from None
            raise
