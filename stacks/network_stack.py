"""One environment's network: a VPC whose worker subnets are sized from every team's peak."""

from __future__ import annotations

from typing import Any

from aws_cdk import Annotations, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_lib.network import ZONE_IDS_WARNING, EmrServerlessNetwork, InterfaceEndpoint
from constructs_lib.platform_config import (
    EnvironmentConfig,
    ExistingNetwork,
    PlatformConfigError,
)
from constructs_lib.platform_subnets import PLATFORM_INTERFACE_ENDPOINTS as ENDPOINT_SERVICES
from constructs_lib.subnet_planning import SubnetRecord, SubnetRecordError
from stacks.retention import retention_days

#: Interface endpoints every environment gets: credentials, keys, logs and Prometheus
#: remote write stay on the AWS network even with NAT (S3 always has a gateway endpoint).
PLATFORM_INTERFACE_ENDPOINTS = tuple(InterfaceEndpoint(service) for service in ENDPOINT_SERVICES)

#: aws-cdk-lib's warning for a subnet imported without its route table.
NO_ROUTE_TABLE_WARNING = "@aws-cdk/aws-ec2:noSubnetRouteTableId"


class NetworkStack(Stack):
    """The VPC, subnets, endpoints, flow logs and application security group of one environment.

    With an existing VPC (``network.vpc_id`` in the platform file) it holds only the
    applications' security group, in that VPC; the subnets must hold every team's peak.
    """

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
            warning). Not used with an existing VPC.
        """
        super().__init__(scope, construct_id, **kwargs)
        self._environment = environment
        config = environment.network
        if config.existing is not None:
            with environment.blame("network.subnets"):
                self.network = self._existing_network(environment, config.existing)
            return
        zone_ids = list(config.availability_zone_ids) or None
        try:
            with environment.blame("network"):
                self.network = EmrServerlessNetwork(
                    self,
                    "Network",
                    workloads=environment.workloads(),
                    vpc_cidr=config.vpc_cidr,
                    azs=config.availability_zones,
                    # Zone ids stand in for names here; place_by_zone_id writes them as ids.
                    availability_zones=zone_ids,
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
        if zone_ids:
            place_by_zone_id(self.network.vpc)
            Annotations.of(self.network).acknowledge_warning(
                ZONE_IDS_WARNING,
                "The subnets are placed by AvailabilityZoneId, in zone ids the platform "
                "checked against the ones EMR Serverless supports in this Region, so no "
                "zone is chosen by name.",
            )

    @property
    def availability_zones(self) -> list[str]:
        """The zones the environment's subnets are in, with no account look-up.

        The zone ids of the file or the ones chosen for the Region, else the Region's first
        zones at deploy time (``Fn::GetAZs``). aws-cdk-lib would otherwise look the zone
        names up in the account at synth, which needs credentials.
        """
        config = self._environment.network
        if config.existing is not None:
            return list(config.existing.availability_zone_ids)
        if config.availability_zone_ids:
            return list(config.availability_zone_ids)
        return [Fn.select(index, Fn.get_azs()) for index in range(config.availability_zones)]

    def _existing_network(
        self, environment: EnvironmentConfig, existing: ExistingNetwork
    ) -> EmrServerlessNetwork:
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id=existing.vpc_id,
            # Zone ids, not names: nothing here renders them, and the ids are what the file
            # names and what EMR Serverless's zone support is checked against.
            availability_zones=list(existing.availability_zone_ids),
        )
        subnets = [
            ec2.Subnet.from_subnet_attributes(
                self,
                subnet.subnet_id,
                subnet_id=subnet.subnet_id,
                ipv4_cidr_block=subnet.cidr,
                availability_zone=subnet.availability_zone_id,
            )
            for subnet in existing.subnets
        ]
        for imported in subnets:
            Annotations.of(imported).acknowledge_warning(
                NO_ROUTE_TABLE_WARNING,
                "The platform only launches EMR Serverless workers in this subnet; it reads "
                "and changes none of its routes, so the file need not name its route table.",
            )
        return EmrServerlessNetwork(
            self,
            "Network",
            workloads=environment.workloads(),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=subnets),
        )


def place_by_zone_id(vpc: ec2.IVpc) -> None:
    """Write each new subnet's zone as ``AvailabilityZoneId`` instead of ``AvailabilityZone``.

    Zone names map to different zones in each account; ids do not, and EMR Serverless
    supports only some zone ids in some Regions. ``vpc`` was given zone ids as its zones.
    """
    for subnet in [*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets]:
        resource = subnet.node.default_child
        if isinstance(resource, ec2.CfnSubnet) and resource.availability_zone is not None:
            resource.availability_zone_id = resource.availability_zone
            resource.availability_zone = None
