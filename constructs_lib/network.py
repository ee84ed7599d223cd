"""EmrServerlessNetwork: a private VPC whose worker subnets are sized from the workload."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

import jsii
from aws_cdk import CfnResource, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from constructs_lib._arguments import checked_arguments
from constructs_lib._enums import LenientEnum
from constructs_lib._stack_facts import (
    context_of,
    jsii_key,
    path_of,
    pseudo,
    remember_child,
    stack_facts,
    stack_of,
)
from constructs_lib._subnet_facts import remember_subnet, subnet_facts
from constructs_lib.compliance import acknowledge_findings
from constructs_lib.log_encryption import cloudwatch_logs_key_statement
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.network_rules import check_az_count, check_vpc_cidr, zone_choice_warning
from constructs_lib.subnet_planning import (
    MIN_AZS,
    SubnetGroup,
    SubnetPlan,
    SubnetPlanningError,
    Workload,
    check_cidr_capacity,
    required_addresses,
    subnet_size_advice,
    workers_for,
)
from constructs_lib.subnet_planning._record import (
    DEFAULT_UPDATE_COMMAND,
    PUBLIC_GROUP_NAME,
    PUBLIC_SUBNET_PREFIX,
    WORKER_GROUP_NAME,
    NetworkLayout,
    NetworkRequest,
    SubnetRecord,
    SubnetRecordError,
    check_headroom,
    check_layout,
    first_layout,
    plan_layout,
)
from constructs_lib.subnet_planning._sizing import check_subnet_prefix, check_whole_number
from constructs_lib.subnet_usage import SUBNET_CAPACITY_WARNING, SubnetUsage
from constructs_lib.tokens import UNCHECKED_WARNING_PREFIX, warn, warn_unchecked

#: Subnet group (``SubnetSelection(subnet_group_name=...)``) of the first worker subnets;
#: later groups are ``EmrServerless2``, ... (see :attr:`EmrServerlessNetwork.layout`).
WORKER_SUBNET_GROUP = WORKER_GROUP_NAME
#: Subnet group of the public subnets that hold the NAT gateways.
PUBLIC_SUBNET_GROUP = PUBLIC_GROUP_NAME

DEFAULT_VPC_CIDR = "10.0.0.0/16"
DEFAULT_AZS = 3
DEFAULT_NAT_GATEWAYS = 1
DEFAULT_PUBLIC_SUBNET_PREFIX = PUBLIC_SUBNET_PREFIX
#: Planning headroom of a network this construct plans: 1 (the peak itself), so that a
#: network deployed before subnet records keeps its subnets when recorded.
DEFAULT_HEADROOM = 1

#: Context key naming the subnet record file (relative to the directory ``cdk`` runs in).
SUBNET_RECORD_CONTEXT = "emr-serverless:subnetRecord"
#: Context key that makes a synth write the planned layouts into the record (``true``).
UPDATE_SUBNET_RECORD_CONTEXT = "emr-serverless:updateSubnetRecord"
#: Id of the warning recorded when a network's subnets are not in a record.
UNRECORDED_WARNING = "emr-serverless:subnet-record"
DEFAULT_FLOW_LOGS_RETENTION = logs.RetentionDays.ONE_YEAR

#: What CloudWatch Logs does with the flow-log group's key (encrypt and decrypt log events).
FLOW_LOGS_KEY_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)

HTTPS = ec2.Port.tcp(443)

#: Findings on the public subnets' default route to the internet gateway, acknowledged there.
IGW_ROUTE_RULES: tuple[str, ...] = tuple(
    f"{pack}-VPCNoUnrestrictedRouteToIGW"
    for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
)
_IGW_ROUTE_REASON = (
    "The public subnets hold only NAT gateways (no instances, no public IPs on launch), and a "
    "NAT gateway reaches the internet only through this default route; the EMR Serverless "
    "workers are in private subnets behind it."
)

#: aws-cdk-lib's stack-wide provider of the custom resource closing the default security group.
_RESTRICT_DEFAULT_SG_PROVIDER = "Custom::VpcRestrictDefaultSGCustomResourceProvider"

#: Id of the warning recorded when the selected subnets span fewer than two AZs.
SINGLE_AZ_WARNING = "emr-serverless:single-az"
#: Id of the warning recorded where EMR Serverless skips zone ids the Region has.
ZONE_IDS_WARNING = "emr-serverless:zone-ids"


class InterfaceEndpoint(LenientEnum):
    """Interface endpoints the network can create, for services EMR Serverless jobs call.

    Without them, jobs in private subnets reach these services through the NAT gateway.
    """

    #: AWS STS: assume the runtime role's cross-account roles, get caller identity.
    STS = "sts"
    #: AWS Glue Data Catalog (SparkSQL, Hive metastore).
    GLUE = "glue"
    #: CloudWatch Logs (job logs sent to CloudWatch).
    CLOUDWATCH_LOGS = "logs"
    #: AWS KMS (SSE-KMS data, encrypted logs).
    KMS = "kms"
    #: Amazon ECR API (custom images read by jobs).
    ECR_API = "ecr.api"
    #: Amazon ECR Docker registry.
    ECR_DOCKER = "ecr.dkr"
    #: AWS Secrets Manager (database and Redshift credentials).
    SECRETS_MANAGER = "secretsmanager"
    #: Amazon Managed Service for Prometheus remote write (emr-7.1.0+).
    PROMETHEUS_WORKSPACES = "aps-workspaces"
    #: CloudWatch metrics.
    CLOUDWATCH_MONITORING = "monitoring"

    @property
    def service(self) -> ec2.InterfaceVpcEndpointAwsService:
        """The aws-cdk-lib service of this endpoint."""
        return ec2.InterfaceVpcEndpointAwsService(self.value)


@jsii.implements(ec2.IConnectable)
class EmrServerlessNetwork(Construct):
    """Private networking for EMR Serverless applications, sized from their peak workers.

    **New VPC** (no ``vpc``): the worker subnets, one per AZ, hold the peak workers of
    all ``workloads`` together. Where they are comes from the **subnet record**
    (``subnet_record``): a recorded subnet never moves or shrinks, because CloudFormation
    replaces a subnet whose CIDR changes and the replacement fails while workers use it.
    A network not in the record is planned by
    :func:`~constructs_lib.subnet_planning.plan_subnets` on every synth, with no headroom
    (where versions without records placed it; with a warning);
    a recorded layout that cannot hold the peak fails the synth with
    :class:`~constructs_lib.subnet_planning.SubnetRecordError`, naming how to grow. Also:
    an S3 gateway endpoint; NAT
    gateways in small public subnets (``nat_gateways``, 0 makes the worker subnets
    isolated); optional interface endpoints (their security group admits HTTPS from the
    VPC only, and each takes one address in every worker subnet, which the plan counts);
    flow logs to a KMS-encrypted log group; the default security group closed.

    **Existing VPC** (``vpc`` and ``vpc_subnets``): at synth, every selected subnet whose
    IPv4 CIDR is known should hold the peak, else the warning
    ``emr-serverless:subnet-capacity`` with the calculator's answer (EMR Serverless accepts
    any subnet, but jobs cannot start more workers than it has free addresses); a subnet
    whose CIDR is a token or was not imported is reported as an
    ``emr-serverless:unchecked:vpc_subnets`` warning.

    **Security group** (both cases), for the applications' network interfaces: no
    ingress (EMR Serverless admits none). Egress is HTTPS (TCP 443) only:

    - to the interface endpoints' security group, when this construct creates endpoints;
    - to the S3 prefix list, when ``s3_prefix_list_id`` is given;
    - to any IPv4 address when ``internet_https_egress`` is on, for package repositories
      (PyPI, Maven) and AWS endpoints without an interface endpoint, through NAT. In a
      VPC without NAT or internet gateway this reaches only the VPC and the S3 gateway
      endpoint, because nothing else is routed.

    Nothing else leaves the workers: add each data store explicitly, e.g.
    ``network.connections.allow_to(redshift_sg, ec2.Port.tcp(5439))``, which also adds
    the matching ingress rule to the data store's security group.
    """

    #: The applications sharing the worker subnets.
    workloads: tuple[Workload, ...]
    #: The subnet plan of a new VPC (its active worker subnets first); ``None`` with an
    #: existing VPC.
    plan: SubnetPlan | None
    #: What a new VPC asks of its subnets (CIDR, AZs, workloads, endpoints, other groups),
    #: from which :attr:`layout` is planned or checked; ``None`` with an existing VPC.
    request: NetworkRequest | None
    #: Where a new VPC's subnets are (as recorded, or as planned for this synth); ``None``
    #: with an existing VPC.
    layout: NetworkLayout | None
    #: The key of a new VPC's layout in the subnet record.
    record_key: str | None
    #: The VPC (new, or the one passed).
    vpc: ec2.IVpc
    #: The private subnets EMR Serverless launches workers in.
    subnets: ec2.SelectedSubnets
    #: How to select those subnets from ``vpc``.
    subnet_selection: ec2.SubnetSelection
    #: The applications' security group: no ingress, HTTPS egress (see above).
    security_group: ec2.ISecurityGroup
    #: The interface endpoints' security group, when this construct creates endpoints.
    endpoint_security_group: ec2.ISecurityGroup | None
    #: The flow-log group of a new VPC.
    flow_log_group: logs.ILogGroup | None

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        workloads: Sequence[Workload],
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        vpc_cidr: str | None = None,
        azs: int | None = None,
        availability_zones: Sequence[str] | None = None,
        nat_gateways: int | None = None,
        public_subnet_prefix: int | None = None,
        interface_endpoints: Sequence[InterfaceEndpoint] | None = None,
        flow_logs_retention: logs.RetentionDays | None = None,
        flow_logs_encryption_key: kms.IKey | None = None,
        removal_policy: RemovalPolicy | None = None,
        s3_prefix_list_id: str | None = None,
        internet_https_egress: bool | None = None,
        subnet_record: SubnetRecord | str | None = None,
        record_key: str | None = None,
        headroom: int | None = None,
    ) -> None:
        """Create the network, or check and use an existing one.

        :param workloads: the applications that share the worker subnets (their maximum
            capacity and worker size); the subnets are sized for their combined peak.
        :param vpc: an existing VPC to use as it is. Default: a new VPC.
        :param vpc_subnets: the existing VPC's subnets for the workers (only with
            ``vpc``). Default: its private subnets (``vpc.select_subnets()``).
        :param vpc_cidr: the new VPC's IPv4 CIDR, /16 to /28. Default: ``10.0.0.0/16``.
        :param azs: Availability Zones of the new VPC, at least 2. Default: 3, or the
            number of ``availability_zones``.
        :param availability_zones: AZ names for the new VPC (pick zones EMR Serverless
            supports; in us-east-1 it skips use1-az3). Default: the Region's first ``azs``
            zones, chosen at deploy time (``Fn::GetAZs``).
        :param nat_gateways: NAT gateways of the new VPC, 0 to ``azs`` (one per AZ keeps
            egress up when an AZ fails; 0 makes the worker subnets isolated). Default: 1.
        :param public_subnet_prefix: prefix length of the public subnets holding the NAT
            gateways, /16 to /28. Default: 28.
        :param interface_endpoints: interface endpoints to create in the worker subnets.
            Default: none.
        :param flow_logs_retention: how long the new VPC's flow logs are kept. Default:
            one year.
        :param flow_logs_encryption_key: the KMS key of the flow-log group (an imported
            key's policy must already let CloudWatch Logs use it). Default: a new key with
            rotation on.
        :param removal_policy: what happens to the flow-log group (and a key this
            construct creates) when it leaves the stack. Default: ``RETAIN``.
        :param s3_prefix_list_id: id of the Region's S3 managed prefix list
            (``com.amazonaws.<region>.s3``), to allow HTTPS to S3 by that list. Default:
            none (S3 is reached through ``internet_https_egress``).
        :param internet_https_egress: allow HTTPS to any IPv4 address. Default: on when
            the network has NAT gateways (a new VPC with ``nat_gateways`` > 0, or selected
            subnets that are not isolated) or when ``s3_prefix_list_id`` is not given.
        :param subnet_record: where the new VPC's subnets are recorded: a
            :class:`~constructs_lib.subnet_planning.SubnetRecord`, or the path of its JSON
            file (a missing file is an empty record). Default: the file named by the
            context key ``emr-serverless:subnetRecord``, else none (the subnets are planned
            on every synth, with the warning ``emr-serverless:subnet-record``).
        :param record_key: the network's key in the record. Default: this construct's path.
        :param headroom: a worker subnet group the record update plans (a network new to
            the record, or growth) holds this many times today's peak, 1 to 16. Default: 1
            (the plan of earlier versions, so that a deployed network is recorded where it
            is). A network not in the record is planned with no headroom on every synth,
            where earlier versions placed it, whatever this says.
        :raises SubnetPlanningError: when the plan cannot hold the peak, when ``vpc``
            selects no subnets, or for arguments that contradict each other (a selected
            subnet too small for the peak is a warning).
        :raises SubnetRecordError: when the recorded subnets cannot hold the peak (the fix
            names the update command and the ways to grow).
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        #: Where context keys are read (this network's own context is empty: it is new).
        self._parent = scope
        self.workloads = tuple(workloads)
        need = required_addresses(self.workloads)
        self.endpoint_security_group = None
        self.flow_log_group = None
        if vpc is None:
            if vpc_subnets is not None:
                raise SubnetPlanningError(
                    argument="vpc_subnets",
                    value=vpc_subnets,
                    rule="vpc_subnets selects subnets of an existing VPC",
                    fix="pass vpc= as well, or leave vpc_subnets unset to create a VPC",
                )
            azs = _azs(azs, availability_zones)
            self._check_new_vpc(vpc_cidr, azs)
            nat = _nat_gateways(nat_gateways, azs)
            endpoints = _endpoints(interface_endpoints)
            public = [
                SubnetGroup(PUBLIC_SUBNET_GROUP, prefix=_public_prefix(public_subnet_prefix, nat))
            ]
            self.request = request = NetworkRequest(
                vpc_cidr=DEFAULT_VPC_CIDR if vpc_cidr is None else vpc_cidr,
                azs=azs,
                workloads=self.workloads,
                other_addresses=len(endpoints),
                extra_groups=tuple(public) if nat else (),
            )
            self.record_key = record_key or path_of(self)
            self.layout = self._layout(request, subnet_record, self.record_key, headroom)
            self.plan = self.layout.as_plan(request)
            has_nat = nat > 0
            self.vpc = self._create_vpc(self.layout, nat, availability_zones)
            self.subnet_selection = ec2.SubnetSelection(subnet_group_name=self.layout.active)
            self.subnets = self.vpc.select_subnets(subnet_group_name=self.layout.active)
            self._remember_subnets(self.layout)
            self._add_flow_logs(
                flow_logs_retention or DEFAULT_FLOW_LOGS_RETENTION,
                flow_logs_encryption_key,
                removal_policy or RemovalPolicy.RETAIN,
            )
            if endpoints:
                self.endpoint_security_group = self._add_interface_endpoints(endpoints, self.layout)
        else:
            _refuse_for_existing_vpc(
                vpc_cidr=vpc_cidr,
                azs=azs,
                availability_zones=availability_zones,
                nat_gateways=nat_gateways,
                public_subnet_prefix=public_subnet_prefix,
                interface_endpoints=interface_endpoints,
                flow_logs_retention=flow_logs_retention,
                flow_logs_encryption_key=flow_logs_encryption_key,
                removal_policy=removal_policy,
                subnet_record=subnet_record,
                record_key=record_key,
                headroom=headroom,
            )
            self.plan = None
            self.request = None
            self.layout = None
            self.record_key = None
            self.vpc = vpc
            self.subnet_selection = vpc_subnets or ec2.SubnetSelection()
            self.subnets = _select(vpc, self.subnet_selection)
            # Too small for the peak is a warning here: EMR Serverless accepts any subnet.
            _check_capacity_now(
                self, self.subnets.subnets, workers=need, argument="vpc_subnets", refuse=False
            )
            _warn_single_az(self, self.subnets.subnets)
            isolated = {s.subnet_id for s in vpc.isolated_subnets}
            has_nat = not all(s.subnet_id in isolated for s in self.subnets.subnets)
        if internet_https_egress is None:
            internet_https_egress = has_nat or s3_prefix_list_id is None
        self.security_group = self._security_group(internet_https_egress, s3_prefix_list_id)
        self._connections = ec2.Connections(security_groups=[self.security_group])

    @property
    def connections(self) -> ec2.Connections:
        """The workers' security group as ``ec2.Connections``: ``allow_to(store, port)`` adds
        egress to a data store and the store's matching ingress."""
        return self._connections

    @property
    def applications(self) -> list[tuple[str, int]]:
        """Everything registered on this network's worker subnets so far: ``(label,
        addresses)`` for each application (its construct path and peak workers), each
        declared application and the interface endpoints."""
        return SubnetUsage.of(self).users(self._worker_subnets())

    @checked_arguments
    def declare_application(self, name: str, *, max_vcpu: int, worker_vcpu: int) -> None:
        """Count an application that is not an ``EmrServerlessApplication`` (those register
        themselves) against the worker subnets it shares, checked at synth.

        :param name: the application, named in errors.
        :param max_vcpu: its maximum capacity, in vCPU.
        :param worker_vcpu: its smallest worker, in vCPU (1, 2, 4, 8 or 16).
        """
        SubnetUsage.of(self).add(
            f"{name} (declared)",
            addresses=workers_for(max_vcpu, worker_vcpu),
            subnets=self.subnets.subnets,
            argument="declare_application",
            scope=self,
        )

    def _worker_subnets(self) -> list[ec2.ISubnet]:
        if self.layout is None:
            return list(self.subnets.subnets)
        return [
            subnet
            for group in self.layout.worker_groups
            for subnet in self.vpc.select_subnets(subnet_group_name=group.name).subnets
        ]

    # --- new VPC -----------------------------------------------------------------------

    def _check_new_vpc(self, vpc_cidr: str | None, azs: int) -> None:
        """VPC CIDR /16-/28; no more zones than EMR Serverless supports in a known Region."""
        if vpc_cidr is not None:
            check_vpc_cidr(vpc_cidr)
        region = stack_facts(self).region
        if Token.is_unresolved(region):
            return
        check_az_count(region, azs)
        caveat = zone_choice_warning(region)
        if caveat is not None:
            warn(self, ZONE_IDS_WARNING, caveat)

    def _layout(
        self,
        request: NetworkRequest,
        subnet_record: SubnetRecord | str | None,
        key: str,
        headroom: int | None,
    ) -> NetworkLayout:
        growth = check_headroom(DEFAULT_HEADROOM if headroom is None else headroom)
        record, path = self._record(subnet_record)
        previous = record.get(key) if record is not None else None
        if _context_flag(self._parent, UPDATE_SUBNET_RECORD_CONTEXT):
            if path is None:
                raise SubnetRecordError(
                    argument="subnet_record",
                    value=subnet_record,
                    rule=f"{UPDATE_SUBNET_RECORD_CONTEXT} writes the subnet record, and this "
                    "network was given none as a file",
                    fix=f"pass subnet_record='<file>.json', or set the context key "
                    f"{SUBNET_RECORD_CONTEXT} to the file",
                )
            layout = plan_layout(request, previous=previous, headroom=growth, key=key)
            current = SubnetRecord.load(path)  # other networks of this app may have written
            current.with_network(key, layout).save(path)
            return layout
        if record is not None and previous is not None:
            check_layout(previous, request, key=key, update=record.update)
            return previous
        # Not recorded: planned with no headroom, exactly where versions without records
        # placed it, so that a network they deployed keeps its subnets until it is recorded
        # (the headroom applies when the update writes a new network into the record).
        layout = first_layout(request, headroom=DEFAULT_HEADROOM)
        warn(self, UNRECORDED_WARNING, _unrecorded(key, record))
        return layout

    def _record(
        self, subnet_record: SubnetRecord | str | None
    ) -> tuple[SubnetRecord | None, str | None]:
        if isinstance(subnet_record, SubnetRecord):
            return subnet_record, None
        path = subnet_record or context_of(self._parent, SUBNET_RECORD_CONTEXT)
        if path is None:
            return None, None
        if not isinstance(path, str):
            raise SubnetRecordError(
                argument=SUBNET_RECORD_CONTEXT,
                value=path,
                rule="names the subnet record's file",
                fix="set it to a path, e.g. 'subnets.json'",
            )
        return SubnetRecord.load(path), path

    def _create_vpc(
        self, layout: NetworkLayout, nat_gateways: int, availability_zones: Sequence[str] | None
    ) -> ec2.Vpc:
        vpc = self._vpc(layout, nat_gateways, availability_zones)
        for subnet in vpc.public_subnets:
            acknowledge_findings(
                subnet.node.find_child("DefaultRoute"),
                dict.fromkeys(IGW_ROUTE_RULES, _IGW_ROUTE_REASON),
            )
        self._add_secondary_cidrs(vpc, layout)
        _drop_redundant_depends_on(stack_of(self))
        return vpc

    def _vpc(
        self, layout: NetworkLayout, nat_gateways: int, availability_zones: Sequence[str] | None
    ) -> ec2.Vpc:
        private = (
            ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED
        )
        subnets = [
            ec2.SubnetConfiguration(name=group.name, subnet_type=private, cidr_mask=group.prefix)
            for group in layout.worker_groups
        ]
        public = layout.group(PUBLIC_SUBNET_GROUP)
        if public is not None and nat_gateways:
            subnets.insert(
                0,
                ec2.SubnetConfiguration(
                    name=PUBLIC_SUBNET_GROUP,
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=public.prefix,
                    map_public_ip_on_launch=False,
                ),
            )
        return ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=_PlannedIpAddresses(layout),
            availability_zones=(
                list(availability_zones)
                if availability_zones is not None
                else _first_azs(layout.azs)
            ),
            nat_gateways=nat_gateways,
            subnet_configuration=subnets,
            restrict_default_security_group=True,
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.S3,
                    subnets=[
                        ec2.SubnetSelection(subnet_group_name=group.name)
                        for group in layout.worker_groups
                    ],
                )
            },
        )

    def _remember_subnets(self, layout: NetworkLayout) -> None:
        """Record the active subnets' paths, CIDRs and S3 route (the gateway endpoint of
        :meth:`_vpc` serves every worker group), so that the checks need not read them."""
        group = layout.group(layout.active)
        if group is None:
            return
        vpc_path = f"{path_of(self)}/Vpc"
        stack = stack_of(self)
        for index, (subnet, cidr) in enumerate(zip(self.subnets.subnets, group.cidrs, strict=True)):
            remember_subnet(
                subnet,
                path=f"{vpc_path}/{layout.active}Subnet{index + 1}",
                cidr=cidr,
                stack=stack,
                s3_gateway_endpoint=True,
            )

    def _add_secondary_cidrs(self, vpc: ec2.Vpc, layout: NetworkLayout) -> None:
        """Associate the secondary CIDR blocks; their subnets are created after them."""
        blocks = [
            (
                ipaddress.IPv4Network(cidr),
                ec2.CfnVPCCidrBlock(
                    self, f"SecondaryCidr{index + 1}", vpc_id=vpc.vpc_id, cidr_block=cidr
                ),
            )
            for index, cidr in enumerate(layout.secondary_cidrs)
        ]
        if not blocks:
            return
        for subnet in [*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets]:
            network = ipaddress.IPv4Network(subnet.ipv4_cidr_block)
            for block, resource in blocks:
                if network.subnet_of(block):
                    subnet.node.add_dependency(resource)

    def _add_flow_logs(
        self, retention: logs.RetentionDays, key: kms.IKey | None, removal_policy: RemovalPolicy
    ) -> None:
        if retention == logs.RetentionDays.INFINITE:
            raise SubnetPlanningError(
                argument="flow_logs_retention",
                value=retention,
                rule="flow-log groups have a retention (NIST 800-53, HIPAA and PCI DSS packs)",
                fix="pass a finite logs.RetentionDays, e.g. ONE_YEAR",
            )
        if key is None:
            key = kms.Key(
                self,
                "FlowLogsKey",
                description=f"Encrypts the VPC flow logs of {path_of(self)}",
                enable_key_rotation=True,
                removal_policy=removal_policy,
            )
        key.add_to_resource_policy(
            cloudwatch_logs_key_statement(
                self,
                sid="CloudWatchLogsUsesKeyForThisAccountsLogGroups",
                actions=FLOW_LOGS_KEY_ACTIONS,
            )
        )
        log_group = logs.LogGroup(
            self,
            "FlowLogs",
            encryption_key=key,
            retention=retention,
            removal_policy=removal_policy,
        )
        role = ManagedPolicyRole(
            self,
            "FlowLogsRole",
            description=f"Lets VPC Flow Logs write the flow logs of {path_of(self)}",
            assumed_by=iam.ServicePrincipal(
                "vpc-flow-logs.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": pseudo("ACCOUNT_ID")},
                    "ArnLike": {
                        "aws:SourceArn": (
                            f"arn:{pseudo('PARTITION')}:ec2:{pseudo('REGION')}:{pseudo('ACCOUNT_ID')}:vpc-flow-log/*"
                        )
                    },
                },
            ),
        )
        ec2.FlowLog(
            self,
            "FlowLog",
            resource_type=ec2.FlowLogResourceType.from_vpc(self.vpc),
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group, role),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        self.flow_log_group = log_group

    def _add_interface_endpoints(
        self, endpoints: Sequence[InterfaceEndpoint], layout: NetworkLayout
    ) -> ec2.ISecurityGroup:
        group = self._closed_group(
            "EndpointSecurityGroup", "Interface endpoints: HTTPS from the VPC only"
        )
        group.add_ingress_rule(ec2.Peer.ipv4(layout.vpc_cidr), HTTPS, "HTTPS from the VPC")
        for cidr in layout.secondary_cidrs:
            group.add_ingress_rule(
                ec2.Peer.ipv4(cidr), HTTPS, "HTTPS from the VPC (secondary CIDR block)"
            )
        # The endpoints stay in the first worker group for good (their network interfaces
        # take one address in each of its subnets), whichever group the applications use.
        selection = ec2.SubnetSelection(subnet_group_name=layout.endpoint_group.name)
        for endpoint in endpoints:
            ec2.InterfaceVpcEndpoint(
                self,
                f"{endpoint.name.title().replace('_', '')}Endpoint",
                vpc=self.vpc,
                service=endpoint.service,
                subnets=selection,
                security_groups=[group],
                open=False,
                private_dns_enabled=True,
            )
        SubnetUsage.of(self).add(
            f"{path_of(self)} interface endpoints",
            addresses=len(endpoints),
            subnets=self.vpc.select_subnets(subnet_group_name=layout.endpoint_group.name).subnets,
            argument="interface_endpoints",
        )
        return group

    # --- both --------------------------------------------------------------------------

    def _closed_group(self, construct_id: str, description: str) -> ec2.SecurityGroup:
        """A security group with no rules yet (aws-cdk-lib would otherwise allow all egress)."""
        group = ec2.SecurityGroup(
            self, construct_id, vpc=self.vpc, description=description, allow_all_outbound=False
        )
        remember_child(group, self, construct_id)
        return group

    def _security_group(
        self, internet_https_egress: bool, s3_prefix_list_id: str | None
    ) -> ec2.SecurityGroup:
        if not internet_https_egress and s3_prefix_list_id is None:
            raise SubnetPlanningError(
                argument="internet_https_egress",
                value=False,
                rule="without it or s3_prefix_list_id, workers cannot reach Amazon S3 (job "
                "scripts, data and logs)",
                fix="pass s3_prefix_list_id (the Region's com.amazonaws.<region>.s3 prefix "
                "list), or leave internet_https_egress on",
            )
        group = self._closed_group(
            "SecurityGroup", "EMR Serverless workers: no ingress, HTTPS egress only"
        )
        if self.endpoint_security_group is not None:
            group.add_egress_rule(
                self.endpoint_security_group, HTTPS, "HTTPS to the VPC's interface endpoints"
            )
        if s3_prefix_list_id is not None:
            group.add_egress_rule(
                ec2.Peer.prefix_list(s3_prefix_list_id), HTTPS, "HTTPS to Amazon S3"
            )
        if internet_https_egress:
            group.add_egress_rule(
                ec2.Peer.any_ipv4(),
                HTTPS,
                "HTTPS out: package repositories and AWS endpoints outside the VPC",
            )
        return group


@jsii.implements(ec2.IIpAddresses)
class _PlannedIpAddresses:
    """``ec2.IIpAddresses`` that gives a VPC's subnets the CIDRs of a :class:`NetworkLayout`.

    (aws-cdk-lib's own ``IpAddresses.cidr`` splits the VPC CIDR into equal parts instead.)
    """

    def __init__(self, layout: NetworkLayout) -> None:
        self._layout = layout

    def allocate_vpc_cidr(self) -> ec2.VpcIpamOptions:
        """The layout's primary VPC CIDR (called by ``ec2.Vpc``)."""
        return ec2.VpcIpamOptions(cidr_block=self._layout.vpc_cidr)

    def allocate_subnets_cidr(self, *args: Any, **kwargs: Any) -> ec2.SubnetIpamOptions:
        """The layout's CIDR for each requested subnet, by group and AZ (called by ``ec2.Vpc``)."""
        # jsii passes the AllocateCidrRequest positionally; Python callers may pass keywords.
        request: ec2.AllocateCidrRequest = args[0] if args else ec2.AllocateCidrRequest(**kwargs)
        taken: dict[str, int] = {}
        allocated = []
        for requested in request.requested_subnets:
            name = requested.configuration.name
            group = self._layout.group(name)
            planned = group.cidrs if group is not None else ()
            index = taken[name] = taken.get(name, -1) + 1
            if index >= len(planned):
                raise SubnetPlanningError(
                    argument="subnet_configuration",
                    value=name,
                    rule=f"the layout has {len(planned)} subnets in group {name!r}",
                    fix="request one subnet per recorded AZ in each recorded group",
                )
            allocated.append(ec2.AllocatedSubnet(cidr=planned[index]))
        return ec2.SubnetIpamOptions(allocated_subnets=allocated)


def check_subnet_capacity(
    scope: IConstruct,
    subnets: Sequence[ec2.ISubnet],
    *,
    workers: int,
    argument: str,
    refuse: bool = True,
) -> None:
    """Refuse any subnet whose known IPv4 CIDR cannot hold ``workers`` (with
    ``refuse=False``, warn ``emr-serverless:subnet-capacity`` for each); warn for the
    subnets whose CIDR is unknown; and register ``scope`` as an application on ``subnets``
    for the synth-time checks.

    Every worker takes one IP address in its subnet, and a job can run in any one of the
    subnets, so each must hold the full peak. When the tree is complete,
    :class:`~constructs_lib.subnet_usage.SubnetUsage` warns on subnets that cannot hold the
    peaks of everything registered on them together, and on private subnets from which
    the application may not reach Amazon S3.

    :param scope: the application (named in errors by its construct path), where warnings
        are recorded.
    :param subnets: the subnets EMR Serverless may launch workers in.
    :param workers: the peak workers (plus any headroom) each subnet must hold.
    :param argument: the argument the subnets came from, named in errors and warnings.
    :param refuse: raise for a subnet too small for the peak, instead of warning. EMR
        Serverless accepts such a subnet (its jobs stop growing when it is full). Default:
        ``True``.
    :raises SubnetPlanningError: e.g. ``subnet-0abc (10.0.0.0/24, 251 usable) cannot hold
        1000 workers; use /22 or larger``; also when ``subnets`` is empty.
    """
    check_whole_number(workers, argument="workers", minimum=1)
    # Registered first: the synth-time checks count this application whatever follows.
    register_application(scope, subnets, workers=workers, argument=argument)
    _check_capacity_now(scope, subnets, workers=workers, argument=argument, refuse=refuse)


def register_application(
    scope: IConstruct, subnets: Sequence[ec2.ISubnet], *, workers: int | None, argument: str
) -> None:
    """Register the application ``scope`` on ``subnets`` for the synth-time checks.

    :func:`check_subnet_capacity` does it; call it directly for an application whose peak
    is not known (no maximum capacity): its S3 access is still checked, and it is left out
    of the subnets' sums.

    :param workers: its peak workers, or ``None`` when it has no maximum capacity.
    """
    SubnetUsage.of(scope).add(
        path_of(scope),
        addresses=workers or 0,
        subnets=subnets,
        argument=argument,
        scope=scope,
        application=True,
    )


def _check_capacity_now(
    scope: IConstruct,
    subnets: Sequence[ec2.ISubnet],
    *,
    workers: int,
    argument: str,
    refuse: bool = True,
) -> None:
    """Refuse (or with ``refuse=False`` warn ``emr-serverless:subnet-capacity`` for) each
    subnet whose known IPv4 CIDR cannot hold ``workers``; warn for the unknown ones.

    EMR Serverless accepts any subnet; the guide asks for enough IP addresses (guide
    L1940), and jobs cannot start more workers than a subnet has free addresses.
    """
    check_whole_number(workers, argument="workers", minimum=1)
    if not subnets:
        raise SubnetPlanningError(
            argument=argument,
            value=[],
            rule="EMR Serverless needs at least one subnet to launch workers in",
            fix="select subnets, one per AZ in at least two AZs",
        )
    unchecked = []
    too_small = []
    for subnet in subnets:
        cidr = _known_cidr(subnet)
        if cidr is None:
            unchecked.append(_label(subnet))
            continue
        try:
            check_cidr_capacity(cidr, workers=workers, subnet=_label(subnet), argument=argument)
        except SubnetPlanningError as error:
            if refuse:
                raise
            too_small.append(str(error))
    if too_small:
        warn(
            scope,
            SUBNET_CAPACITY_WARNING,
            f"{'; '.join(too_small)} (EMR Serverless accepts such subnets, but jobs cannot "
            "start more workers than they have free IP addresses, guide L1940)",
        )
    if unchecked:
        warn_unchecked(
            scope,
            argument=argument,
            rule=f"each subnet must hold {workers} workers ({subnet_size_advice(workers)}); "
            f"the IPv4 CIDR is not known for {', '.join(unchecked)}",
        )


def _context_flag(scope: IConstruct, key: str) -> bool:
    value = context_of(scope, key)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _unrecorded(key: str, record: SubnetRecord | None) -> str:
    consequence = (
        "its subnets are planned on every synth with no headroom, where versions without "
        "subnet records placed them, so a change to the workloads can move them "
        "(CloudFormation replaces a subnet whose CIDR changes, and that fails while workers "
        "use it)"
    )
    if record is None:
        return (
            f"Network {key!r} has no subnet record: {consequence}. Record them before "
            f"deploying: pass subnet_record='subnets.json' (or set the context key "
            f"{SUBNET_RECORD_CONTEXT}) and run `{DEFAULT_UPDATE_COMMAND}`."
        )
    return (
        f"Network {key!r} is not in {record.source}: {consequence}. Record it before "
        f"deploying with `{record.update}`, which plans it with the headroom; if it is "
        "already deployed, record it where it is instead, with no headroom (`make plan "
        "ADOPT=1` in the reference platform; see docs/networking.md, 'Recording a deployed "
        "network')."
    )


def _first_azs(count: int) -> list[str]:
    """The Region's first ``count`` AZs, as ``Fn::Select`` of ``Fn::GetAZs``."""
    azs = Fn.get_azs()
    return [Fn.select(index, azs) for index in range(count)]


#: The stacks (by jsii reference) whose default-security-group provider is tidied.
_TIDIED: set[str] = set()


def _drop_redundant_depends_on(stack: Stack) -> None:
    # The provider of the custom resource that closes the default security group makes its
    # Lambda function depend on its role twice: by DependsOn and by Fn::GetAtt of the role's
    # ARN. cfn-lint reports the redundant DependsOn (W3005); the GetAtt keeps the order.
    # One provider per stack: tidied once, when its first VPC is created.
    reference = jsii_key(stack)
    if reference in _TIDIED:
        return
    _TIDIED.add(reference)
    provider = stack.node.try_find_child(_RESTRICT_DEFAULT_SG_PROVIDER)
    if provider is None:
        return
    handler = provider.node.try_find_child("Handler")
    role = provider.node.try_find_child("Role")
    if isinstance(handler, CfnResource) and isinstance(role, CfnResource):
        handler.remove_resource_dependency(role)


def _select(vpc: ec2.IVpc, selection: ec2.SubnetSelection) -> ec2.SelectedSubnets:
    return vpc.select_subnets(
        availability_zones=selection.availability_zones,
        one_per_az=selection.one_per_az,
        subnet_filters=selection.subnet_filters,
        subnet_group_name=selection.subnet_group_name,
        subnets=selection.subnets,
        subnet_type=selection.subnet_type,
    )


def _known_cidr(subnet: ec2.ISubnet) -> str | None:
    return subnet_facts(subnet).cidr


def _label(subnet: ec2.ISubnet) -> str:
    return subnet_facts(subnet).label


def _warn_single_az(scope: IConstruct, subnets: Sequence[ec2.ISubnet]) -> None:
    zones = []
    for subnet in subnets:
        try:
            zone = subnet.availability_zone
        except RuntimeError:  # imported without its AZ
            return
        if Token.is_unresolved(zone):
            return
        zones.append(zone)
    if len(set(zones)) < MIN_AZS:
        warn(
            scope,
            SINGLE_AZ_WARNING,
            f"vpc_subnets are all in {', '.join(sorted(set(zones)))}: EMR Serverless can "
            "neither retry jobs nor start pre-initialized capacity in another AZ when that "
            "one fails. Select subnets in at least two AZs.",
        )


def _azs(azs: int | None, availability_zones: Sequence[str] | None) -> int:
    if availability_zones is not None:
        if azs is not None and azs != len(availability_zones):
            raise SubnetPlanningError(
                argument="azs",
                value=azs,
                rule=f"availability_zones names {len(availability_zones)} zones",
                fix="pass either azs or availability_zones, or make them agree",
            )
        azs = len(availability_zones)
    return check_whole_number(DEFAULT_AZS if azs is None else azs, argument="azs", minimum=MIN_AZS)


def _nat_gateways(nat_gateways: int | None, azs: int) -> int:
    nat = DEFAULT_NAT_GATEWAYS if nat_gateways is None else nat_gateways
    if check_whole_number(nat, argument="nat_gateways", minimum=0) > azs:
        raise SubnetPlanningError(
            argument="nat_gateways",
            value=nat,
            rule=f"a VPC holds at most one NAT gateway per AZ ({azs} AZs)",
            fix=f"pass 0 (no egress), 1, or up to {azs} (one per AZ)",
        )
    return nat


def _public_prefix(public_subnet_prefix: int | None, nat_gateways: int) -> int:
    if public_subnet_prefix is None:
        return DEFAULT_PUBLIC_SUBNET_PREFIX
    if nat_gateways == 0:
        raise SubnetPlanningError(
            argument="public_subnet_prefix",
            value=public_subnet_prefix,
            rule="public subnets exist only to hold NAT gateways, and nat_gateways=0",
            fix="leave public_subnet_prefix unset, or pass nat_gateways >= 1",
        )
    return check_subnet_prefix(public_subnet_prefix, argument="public_subnet_prefix")


def _endpoints(endpoints: Sequence[InterfaceEndpoint] | None) -> tuple[InterfaceEndpoint, ...]:
    checked = tuple(endpoints or ())
    distinct = set(checked)
    if len(distinct) != len(checked) or not all(isinstance(e, InterfaceEndpoint) for e in distinct):
        raise SubnetPlanningError(
            argument="interface_endpoints",
            value=checked,
            rule="each endpoint is an InterfaceEndpoint, listed once",
            fix="pass distinct InterfaceEndpoint members, e.g. [InterfaceEndpoint.STS]",
        )
    return checked


def _refuse_for_existing_vpc(**arguments: Any) -> None:
    for argument, value in arguments.items():
        if value is not None:
            raise SubnetPlanningError(
                argument=argument,
                value=value,
                rule="it shapes a VPC this construct creates, and vpc= uses an existing one "
                "as it is",
                fix=f"leave {argument} unset with vpc=, or leave vpc unset",
            )


__all__ = [
    "FLOW_LOGS_KEY_ACTIONS",
    "IGW_ROUTE_RULES",
    "PUBLIC_SUBNET_GROUP",
    "SINGLE_AZ_WARNING",
    "SUBNET_RECORD_CONTEXT",
    "UNCHECKED_WARNING_PREFIX",
    "UNRECORDED_WARNING",
    "UPDATE_SUBNET_RECORD_CONTEXT",
    "WORKER_SUBNET_GROUP",
    "EmrServerlessNetwork",
    "InterfaceEndpoint",
    "check_subnet_capacity",
    "register_application",
]
