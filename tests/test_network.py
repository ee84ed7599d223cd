"""EmrServerlessNetwork: planned subnets, endpoints, flow logs, security groups, existing VPCs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.network import (
    FLOW_LOGS_KEY_ACTIONS,
    IGW_ROUTE_RULES,
    PUBLIC_SUBNET_GROUP,
    SINGLE_AZ_WARNING,
    SUBNET_RECORD_CONTEXT,
    UNRECORDED_WARNING,
    UPDATE_SUBNET_RECORD_CONTEXT,
    WORKER_SUBNET_GROUP,
    EmrServerlessNetwork,
    InterfaceEndpoint,
    check_subnet_capacity,
)
from constructs_lib.subnet_planning import (
    NetworkLayout,
    NetworkRequest,
    SubnetGroup,
    SubnetPlanningError,
    SubnetRecord,
    SubnetRecordError,
    Workload,
    first_layout,
    plan_layout,
    plan_subnets,
)
from constructs_lib.subnet_usage import SUBNET_CAPACITY_WARNING
from constructs_lib.tokens import UNCHECKED_WARNING_PREFIX
from tests.harness import Synthesis, new_app, synthesize

APPS = [Workload(4000, 4), Workload(4000, 4), Workload(4000, 4)]
S3_PREFIX_LIST = "pl-6ea54007"
#: The stacks that create a VPC.
STACKS = ("Default", "Full", "Isolated", "Grown")


@dataclass
class Built:
    synthesis: Synthesis
    networks: dict[str, EmrServerlessNetwork]

    def resources(self, stack: str, kind: str) -> dict[str, dict[str, Any]]:
        return {
            name: resource
            for name, resource in self.synthesis.templates[stack]["Resources"].items()
            if resource["Type"] == kind
        }


ONE = [Workload(400, 4)]

#: The grown network: first planned for one 400-vCPU application (and two endpoints), then
#: grown for 8,000 vCPU with a secondary CIDR block; recorded under its construct path.
GROWN_KEY = "Grown/Network"
GROWN_ENDPOINTS = [InterfaceEndpoint.STS, InterfaceEndpoint.KMS]


def _grown_layouts() -> tuple[NetworkLayout, NetworkLayout]:
    public = (SubnetGroup(PUBLIC_SUBNET_GROUP, prefix=28),)
    first = NetworkRequest("10.50.0.0/20", 2, (Workload(400, 4),), 2, public)
    grown = NetworkRequest("10.50.0.0/20", 2, (Workload(8000, 4),), 2, public)
    before = first_layout(first, headroom=1)
    after = plan_layout(grown, previous=before, headroom=1, add_cidrs=["10.51.0.0/20"])
    return before, after


def _stack() -> cdk.Stack:
    """A stack for tests that only construct (no synth, so no nag packs)."""
    return cdk.Stack(new_app(compliance=False), "S")


def _imported_vpc(scope: cdk.Stack, cidrs: list[str], *, isolated: bool = False) -> ec2.IVpc:
    """A VPC imported with one subnet per CIDR, ids subnet-0aaa, subnet-0bbb, ..."""
    ids = [f"subnet-0{letter * 3}" for letter in "abcdef"[: len(cidrs)]]
    tables = [i.replace("subnet", "rtb") for i in ids]
    common: dict[str, Any] = {
        "vpc_id": "vpc-0123456789abcdef0",
        "availability_zones": ["eu-west-1a", "eu-west-1b"],
    }
    if isolated:
        return ec2.Vpc.from_vpc_attributes(
            scope,
            "Shared",
            **common,
            isolated_subnet_ids=ids,
            isolated_subnet_ipv4_cidr_blocks=cidrs,
            isolated_subnet_route_table_ids=tables,
        )
    return ec2.Vpc.from_vpc_attributes(
        scope,
        "Shared",
        **common,
        private_subnet_ids=ids,
        private_subnet_ipv4_cidr_blocks=cidrs,
        private_subnet_route_table_ids=tables,
    )


@pytest.fixture(scope="module")
def built() -> Built:
    app = new_app()
    networks: dict[str, EmrServerlessNetwork] = {}

    default = cdk.Stack(app, "Default")
    networks["Default"] = EmrServerlessNetwork(default, "Network", workloads=[Workload(4000, 4)])

    full = cdk.Stack(app, "Full")
    networks["Full"] = network = EmrServerlessNetwork(
        full,
        "Network",
        workloads=APPS,
        vpc_cidr="10.20.0.0/16",
        azs=2,
        nat_gateways=2,
        public_subnet_prefix=27,
        interface_endpoints=list(InterfaceEndpoint),
        flow_logs_retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        s3_prefix_list_id=S3_PREFIX_LIST,
    )
    vpc = network.vpc
    redshift = ec2.SecurityGroup(full, "Redshift", vpc=vpc, allow_all_outbound=False)
    network.connections.allow_to(redshift, ec2.Port.tcp(5439), "Spark jobs to Redshift")
    metastore = ec2.SecurityGroup(full, "Metastore", vpc=vpc, allow_all_outbound=False)
    metastore.connections.allow_from(network, ec2.Port.tcp(3306), "Hive metastore clients")

    isolated = cdk.Stack(app, "Isolated")
    networks["Isolated"] = EmrServerlessNetwork(
        isolated,
        "Network",
        workloads=[Workload(400, 4)],
        vpc_cidr="10.30.0.0/23",
        nat_gateways=0,
        s3_prefix_list_id=S3_PREFIX_LIST,
    )

    existing = cdk.Stack(app, "Existing")
    shared = _imported_vpc(existing, ["10.1.0.0/22", "10.1.4.0/22"], isolated=True)
    networks["Existing"] = EmrServerlessNetwork(
        existing, "Network", workloads=[Workload(4000, 4)], vpc=shared
    )
    networks["ExistingS3"] = EmrServerlessNetwork(
        existing,
        "ByPrefixList",
        workloads=[Workload(4000, 4)],
        vpc=shared,
        s3_prefix_list_id=S3_PREFIX_LIST,
    )
    unknown = [
        ec2.Subnet.from_subnet_attributes(
            existing,
            "Known",
            subnet_id="subnet-0ccc",
            route_table_id="rtb-0ccc",
            availability_zone="eu-west-1a",
            ipv4_cidr_block="10.1.8.0/22",
        ),
        ec2.Subnet.from_subnet_attributes(
            existing,
            "NoCidr",
            subnet_id="subnet-0ddd",
            route_table_id="rtb-0ddd",
            availability_zone="eu-west-1a",
        ),
        ec2.Subnet.from_subnet_attributes(
            existing,
            "TokenCidr",
            subnet_id="subnet-0eee",
            route_table_id="rtb-0eee",
            availability_zone="eu-west-1a",
            ipv4_cidr_block=cdk.Fn.import_value("SharedSubnetCidr"),
        ),
    ]
    networks["Unknown"] = EmrServerlessNetwork(
        existing,
        "Unknown",
        workloads=[Workload(4000, 4)],
        vpc=shared,
        vpc_subnets=ec2.SubnetSelection(subnets=unknown),
        s3_prefix_list_id=S3_PREFIX_LIST,
    )

    grown = cdk.Stack(app, "Grown")
    networks["Grown"] = EmrServerlessNetwork(
        grown,
        "Network",
        workloads=[Workload(8000, 4)],
        vpc_cidr="10.50.0.0/20",
        azs=2,
        interface_endpoints=GROWN_ENDPOINTS,
        subnet_record=SubnetRecord().with_network(GROWN_KEY, _grown_layouts()[1]),
    )
    return Built(synthesize(app), networks)


# --- Subnets are the plan --------------------------------------------------------------


def _subnet_cidrs(built: Built, stack: str, group: str) -> list[str]:
    subnets = built.resources(stack, "AWS::EC2::Subnet").values()
    return [
        s["Properties"]["CidrBlock"]
        for s in subnets
        if {"Key": "aws-cdk:subnet-name", "Value": group} in s["Properties"]["Tags"]
    ]


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        (
            "Default",
            plan_subnets(
                [Workload(4000, 4)],
                vpc_cidr="10.0.0.0/16",
                extra_groups=[SubnetGroup(PUBLIC_SUBNET_GROUP, prefix=28)],
            ),
        ),
        (
            "Full",
            plan_subnets(
                APPS,
                vpc_cidr="10.20.0.0/16",
                azs=2,
                extra_groups=[SubnetGroup(PUBLIC_SUBNET_GROUP, prefix=27)],
                other_addresses=len(InterfaceEndpoint),
            ),
        ),
        ("Isolated", plan_subnets([Workload(400, 4)], vpc_cidr="10.30.0.0/23")),
    ],
)
def test_template_subnets_are_the_plan(built: Built, stack: str, expected: Any) -> None:
    assert built.networks[stack].plan == expected
    (vpc,) = built.resources(stack, "AWS::EC2::VPC").values()
    assert vpc["Properties"]["CidrBlock"] == expected.vpc_cidr
    workers = [s.cidr for s in expected.worker_subnets]
    assert _subnet_cidrs(built, stack, WORKER_SUBNET_GROUP) == workers
    assert _subnet_cidrs(built, stack, PUBLIC_SUBNET_GROUP) == [
        s.cidr for s in expected.group(PUBLIC_SUBNET_GROUP)
    ]
    assert len(built.resources(stack, "AWS::EC2::Subnet")) == len(expected.subnets)


def test_the_guide_sizes_reach_the_template(built: Built) -> None:
    # 1,000 workers -> /22 per AZ; three such applications sharing -> 3,000 (+9 endpoints) -> /20.
    assert _subnet_cidrs(built, "Default", WORKER_SUBNET_GROUP) == [
        "10.0.0.0/22",
        "10.0.4.0/22",
        "10.0.8.0/22",
    ]
    assert _subnet_cidrs(built, "Full", WORKER_SUBNET_GROUP) == ["10.20.0.0/20", "10.20.16.0/20"]
    plan = built.networks["Full"].plan
    assert plan is not None
    assert plan.required_addresses == 3000 + len(InterfaceEndpoint)


def test_one_subnet_per_az_from_the_regions_zones(built: Built) -> None:
    subnets = built.resources("Default", "AWS::EC2::Subnet").values()
    zones = sorted(
        s["Properties"]["AvailabilityZone"]["Fn::Select"][0]
        for s in subnets
        if {"Key": "aws-cdk:subnet-name", "Value": WORKER_SUBNET_GROUP} in s["Properties"]["Tags"]
    )
    assert zones == [0, 1, 2]


def _worker_subnet_names(built: Built, stack: str) -> list[str]:
    tag = {"Key": "aws-cdk:subnet-name", "Value": WORKER_SUBNET_GROUP}
    return [
        name
        for name, s in built.resources(stack, "AWS::EC2::Subnet").items()
        if tag in s["Properties"]["Tags"]
    ]


def test_exposes_the_worker_subnets(built: Built) -> None:
    network = built.networks["Default"]
    stack = cdk.Stack.of(network)
    assert [stack.resolve(s.subnet_id) for s in network.subnets.subnets] == [
        {"Ref": name} for name in _worker_subnet_names(built, "Default")
    ]
    assert network.subnet_selection.subnet_group_name == WORKER_SUBNET_GROUP
    assert [s.ipv4_cidr_block for s in network.subnets.subnets] == [
        "10.0.0.0/22",
        "10.0.4.0/22",
        "10.0.8.0/22",
    ]


# --- Egress: NAT gateways, S3 gateway endpoint, interface endpoints -----------------------


@pytest.mark.parametrize(("stack", "nat"), [("Default", 1), ("Full", 2), ("Isolated", 0)])
def test_nat_gateways(built: Built, stack: str, nat: int) -> None:
    assert len(built.resources(stack, "AWS::EC2::NatGateway")) == nat
    assert len(built.resources(stack, "AWS::EC2::InternetGateway")) == min(nat, 1)
    public = [
        s
        for s in built.resources(stack, "AWS::EC2::Subnet").values()
        if s["Properties"].get("MapPublicIpOnLaunch")
    ]
    assert public == []


def test_worker_subnets_route_to_the_internet_only_through_nat(built: Built) -> None:
    (nat,) = built.resources("Default", "AWS::EC2::NatGateway")
    routes = [
        r["Properties"]
        for name, r in built.resources("Default", "AWS::EC2::Route").items()
        if WORKER_SUBNET_GROUP in name
    ]
    assert len(routes) == 3
    assert all(
        r["DestinationCidrBlock"] == "0.0.0.0/0" and r["NatGatewayId"] == {"Ref": nat}
        for r in routes
    )


def test_isolated_worker_subnets_have_no_default_route(built: Built) -> None:
    routes = built.resources("Isolated", "AWS::EC2::Route")
    assert routes == {}


@pytest.mark.parametrize(("stack", "azs"), [("Default", 3), ("Full", 2), ("Isolated", 3)])
def test_s3_gateway_endpoint_on_the_worker_route_tables(built: Built, stack: str, azs: int) -> None:
    (endpoint,) = [
        e
        for e in built.resources(stack, "AWS::EC2::VPCEndpoint").values()
        if e["Properties"].get("VpcEndpointType") == "Gateway"
    ]
    service = endpoint["Properties"]["ServiceName"]["Fn::Join"][1]
    assert service[-1] == ".s3"
    tables = {r["Ref"] for r in endpoint["Properties"]["RouteTableIds"]}
    worker_tables = {
        name
        for name in built.resources(stack, "AWS::EC2::RouteTable")
        if WORKER_SUBNET_GROUP in name
    }
    assert tables == worker_tables
    assert len(tables) == azs


def test_interface_endpoints(built: Built) -> None:
    interfaces = [
        e["Properties"]
        for e in built.resources("Full", "AWS::EC2::VPCEndpoint").values()
        if e["Properties"].get("VpcEndpointType") == "Interface"
    ]
    suffixes = sorted(e["ServiceName"]["Fn::Join"][1][-1] for e in interfaces)
    assert suffixes == sorted(f".{endpoint.value}" for endpoint in InterfaceEndpoint)
    group = built.networks["Full"].endpoint_security_group
    assert group is not None
    stack = cdk.Stack.of(group)
    group_id = stack.resolve(group.security_group_id)
    worker_subnets = [stack.resolve(s.subnet_id) for s in built.networks["Full"].subnets.subnets]
    for endpoint in interfaces:
        assert endpoint["PrivateDnsEnabled"] is True
        assert endpoint["SecurityGroupIds"] == [group_id]
        assert endpoint["SubnetIds"] == worker_subnets
    default = built.resources("Default", "AWS::EC2::VPCEndpoint").values()
    assert [e["Properties"]["VpcEndpointType"] for e in default] == ["Gateway"]


def test_endpoint_security_group_admits_https_from_the_vpc_only(built: Built) -> None:
    group = built.networks["Full"].endpoint_security_group
    assert group is not None
    name = cdk.Stack.of(group).resolve(group.security_group_id)["Fn::GetAtt"][0]
    properties = built.synthesis.templates["Full"]["Resources"][name]["Properties"]
    assert properties["SecurityGroupIngress"] == [
        {
            "CidrIp": "10.20.0.0/16",
            "Description": "HTTPS from the VPC",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    assert [rule["CidrIp"] for rule in properties["SecurityGroupEgress"]] == ["255.255.255.255/32"]


# --- Flow logs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "retention_days", "deletion"),
    [("Default", 365, "Retain"), ("Full", 30, "Delete"), ("Isolated", 365, "Retain")],
)
def test_flow_logs_go_to_an_encrypted_log_group(
    built: Built, stack: str, retention_days: int, deletion: str
) -> None:
    template = built.synthesis.template(stack)
    (group_name,) = built.resources(stack, "AWS::Logs::LogGroup")
    group = built.resources(stack, "AWS::Logs::LogGroup")[group_name]
    assert group["Properties"]["RetentionInDays"] == retention_days
    assert group["DeletionPolicy"] == deletion
    key_name = group["Properties"]["KmsKeyId"]["Fn::GetAtt"][0]
    key = built.resources(stack, "AWS::KMS::Key")[key_name]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == deletion
    (vpc_name,) = built.resources(stack, "AWS::EC2::VPC")
    template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {
            "ResourceId": {"Ref": vpc_name},
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": {"Ref": group_name},
        },
    )


def test_flow_logs_key_lets_cloudwatch_logs_use_it_for_log_groups_only(built: Built) -> None:
    (key,) = built.resources("Default", "AWS::KMS::Key").values()
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    (logs_statement,) = [s for s in statements if s.get("Sid", "").startswith("CloudWatchLogs")]
    assert logs_statement["Principal"] == {
        "Service": {
            "Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]
        }
    }
    assert sorted(logs_statement["Action"]) == sorted(FLOW_LOGS_KEY_ACTIONS)
    condition = logs_statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert condition["Fn::Join"][1][-1] == ":log-group:*"
    assert {"Ref": "AWS::AccountId"} in condition["Fn::Join"][1]


def test_flow_logs_role_trusts_flow_logs_of_this_account_and_writes_one_group(
    built: Built,
) -> None:
    (role,) = [
        r
        for r in built.resources("Default", "AWS::IAM::Role").values()
        if r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"].get("Service")
        == "vpc-flow-logs.amazonaws.com"
    ]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = trust["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Join"][1]
    assert source_arn[-1] == ":vpc-flow-log/*"
    assert "Policies" not in role["Properties"]
    (group_name,) = built.resources("Default", "AWS::Logs::LogGroup")
    built.synthesis.template("Default").has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": [
                            "logs:CreateLogStream",
                            "logs:DescribeLogStreams",
                            "logs:PutLogEvents",
                        ],
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [group_name, "Arn"]},
                    }
                ]
            }
        },
    )


def test_default_security_group_is_closed(built: Built) -> None:
    for stack in ("Default", "Full", "Isolated"):
        assert len(built.resources(stack, "Custom::VpcRestrictDefaultSG")) == 1


# --- The EMR Serverless security group ---------------------------------------------------


def _group_name(built: Built, network: str) -> str:
    group = built.networks[network].security_group
    return str(cdk.Stack.of(group).resolve(group.security_group_id)["Fn::GetAtt"][0])


def _rules(built: Built, stack: str, network: str, direction: str) -> set[tuple[str, int]]:
    """(peer, port) of every ingress or egress rule of a network's group, inline or separate."""
    name = _group_name(built, network)
    resources = built.synthesis.templates[stack]["Resources"]
    inline = resources[name]["Properties"].get(f"SecurityGroup{direction}", [])
    separate = [
        r["Properties"]
        for r in built.resources(stack, f"AWS::EC2::SecurityGroup{direction}").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [name, "GroupId"]}
    ]
    return {(_peer(rule), rule["FromPort"]) for rule in [*inline, *separate]}


def _peer(rule: dict[str, Any]) -> str:
    for key in ("CidrIp", "CidrIpv6", "DestinationPrefixListId", "SourcePrefixListId"):
        if key in rule:
            return str(rule[key])
    other = rule.get("DestinationSecurityGroupId") or rule["SourceSecurityGroupId"]
    return str(other["Fn::GetAtt"][0])


def _logical_id(construct: Any) -> str:
    stack = cdk.Stack.of(construct)
    return str(stack.get_logical_id(construct.node.default_child))


def test_default_group_has_no_ingress_and_https_out_through_nat(built: Built) -> None:
    assert _rules(built, "Default", "Default", "Ingress") == set()
    assert _rules(built, "Default", "Default", "Egress") == {("0.0.0.0/0", 443)}


def test_full_group_egress_is_https_to_endpoints_s3_and_nat_plus_added_stores(
    built: Built,
) -> None:
    full = built.networks["Full"]
    stack = cdk.Stack.of(full)
    endpoints = full.endpoint_security_group
    assert endpoints is not None
    assert _rules(built, "Full", "Full", "Ingress") == set()
    assert _rules(built, "Full", "Full", "Egress") == {
        ("0.0.0.0/0", 443),
        (S3_PREFIX_LIST, 443),
        (stack.resolve(endpoints.security_group_id)["Fn::GetAtt"][0], 443),
        (_logical_id(stack.node.find_child("Redshift")), 5439),
        (_logical_id(stack.node.find_child("Metastore")), 3306),
    }


def test_added_data_stores_admit_the_workers(built: Built) -> None:
    workers = _group_name(built, "Full")
    ingress = sorted(
        (r["Properties"]["GroupId"]["Fn::GetAtt"][0][:8], r["Properties"]["FromPort"])
        for r in built.resources("Full", "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"].get("SourceSecurityGroupId") == {"Fn::GetAtt": [workers, "GroupId"]}
    )
    assert ingress == [("Metastor", 3306), ("Redshift", 5439)]


def test_isolated_group_reaches_s3_by_its_prefix_list_only(built: Built) -> None:
    assert _rules(built, "Isolated", "Isolated", "Egress") == {(S3_PREFIX_LIST, 443)}


def test_no_security_group_admits_the_internet(built: Built) -> None:
    for stack, template in built.synthesis.templates.items():
        for resource in template["Resources"].values():
            rules = []
            if resource["Type"] == "AWS::EC2::SecurityGroup":
                rules = resource["Properties"].get("SecurityGroupIngress", [])
            elif resource["Type"] == "AWS::EC2::SecurityGroupIngress":
                rules = [resource["Properties"]]
            for rule in rules:
                assert rule.get("CidrIp") != "0.0.0.0/0", stack
                assert rule.get("CidrIpv6") != "::/0", stack


# --- Existing VPC ----------------------------------------------------------------------


def test_existing_vpc_is_used_as_it_is(built: Built) -> None:
    network = built.networks["Existing"]
    assert network.plan is None
    assert built.resources("Existing", "AWS::EC2::VPC") == {}
    assert built.resources("Existing", "AWS::EC2::Subnet") == {}
    assert [s.subnet_id for s in network.subnets.subnets] == ["subnet-0aaa", "subnet-0bbb"]
    group = built.synthesis.templates["Existing"]["Resources"][_group_name(built, "Existing")]
    assert group["Properties"]["VpcId"] == "vpc-0123456789abcdef0"


def test_existing_vpc_egress_defaults(built: Built) -> None:
    # Isolated subnets: HTTPS to S3 by its prefix list when given, else to any address.
    assert _rules(built, "Existing", "ExistingS3", "Egress") == {(S3_PREFIX_LIST, 443)}
    assert _rules(built, "Existing", "Existing", "Egress") == {("0.0.0.0/0", 443)}
    # Subnets not known to be isolated may have NAT: HTTPS out stays on.
    assert _rules(built, "Existing", "Unknown", "Egress") == {
        ("0.0.0.0/0", 443),
        (S3_PREFIX_LIST, 443),
    }


def test_unknown_cidrs_are_reported_not_passed(built: Built) -> None:
    warnings = built.synthesis.warnings(f"{UNCHECKED_WARNING_PREFIX}:vpc_subnets")
    assert [w.path for w in warnings] == ["Existing/Unknown"]
    (warning,) = warnings
    assert "must hold 1000 workers (use /22 or larger)" in warning.description
    assert "subnet-0ddd, subnet-0eee" in warning.description
    assert "subnet-0ccc" not in warning.description


def test_subnets_in_one_az_are_reported(built: Built) -> None:
    warnings = built.synthesis.warnings(SINGLE_AZ_WARNING)
    assert [w.path for w in warnings] == ["Existing/Unknown"]
    assert "eu-west-1a" in warnings[0].description


def _warnings(network: EmrServerlessNetwork) -> list[str]:
    return [str(m.data) for m in network.node.metadata if m.type == "aws:cdk:warning"]


def test_existing_subnet_too_small_is_warned_with_the_calculators_answer() -> None:
    # EMR Serverless accepts any subnet (the guide only asks for enough addresses): a
    # warning, as for an application (it was a refusal before 0.2.0's review).
    stack = _stack()
    vpc = _imported_vpc(stack, ["10.0.0.0/24", "10.0.4.0/22"])
    network = EmrServerlessNetwork(stack, "Network", workloads=[Workload(4000, 4)], vpc=vpc)
    (warning,) = _warnings(network)
    assert warning.startswith("vpc_subnets")
    assert (
        "subnet-0aaa (10.0.0.0/24, 251 usable) cannot hold 1000 workers; use /22 or larger"
        in warning
    )
    assert "EMR Serverless accepts such subnets" in warning
    assert "vpc-access.html" in warning  # the guide page, cited
    assert f"[ack: {SUBNET_CAPACITY_WARNING}]" in warning
    assert "subnet-0bbb" not in warning  # the /22 holds the 1000 workers
    assert [s.subnet_id for s in network.subnets.subnets] == ["subnet-0aaa", "subnet-0bbb"]
    # The valid neighbour: the same subnets hold 16-vCPU workers (250), with no warning.
    larger = EmrServerlessNetwork(stack, "Larger", workloads=[Workload(4000, 16)], vpc=vpc)
    assert len(larger.subnets.subnets) == 2
    assert _warnings(larger) == []


def test_an_existing_vpc_without_subnets_is_still_refused() -> None:
    stack = _stack()
    vpc = _imported_vpc(stack, ["10.0.0.0/22", "10.0.4.0/22"])
    with pytest.raises(SubnetPlanningError, match="at least one subnet") as caught:
        EmrServerlessNetwork(
            stack,
            "Network",
            workloads=ONE,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=[]),
        )
    assert caught.value.argument == "vpc_subnets"


def test_check_subnet_capacity_counts_headroom() -> None:
    stack = _stack()
    subnet = ec2.Subnet.from_subnet_attributes(
        stack, "A", subnet_id="subnet-0abc", ipv4_cidr_block="10.0.0.0/22"
    )
    check_subnet_capacity(stack, [subnet], workers=1019, argument="subnets")
    with pytest.raises(SubnetPlanningError, match="cannot hold 1020 workers; use /21 or larger"):
        check_subnet_capacity(stack, [subnet], workers=1020, argument="subnets")


def test_check_subnet_capacity_names_a_token_id_by_its_path() -> None:
    stack = _stack()
    network = EmrServerlessNetwork(stack, "Network", workloads=[Workload(400, 4)])
    with pytest.raises(
        SubnetPlanningError, match=r"S/Network/Vpc/EmrServerlessSubnet1 \(10\.0\.0\.0/25"
    ):
        check_subnet_capacity(stack, network.subnets.subnets, workers=124, argument="network")
    check_subnet_capacity(stack, network.subnets.subnets, workers=123, argument="network")


@pytest.mark.parametrize(
    ("subnets", "workers", "message"), [([], 1, "at least one subnet"), (None, 0, "workers=0")]
)
def test_check_subnet_capacity_refuses_no_subnets_and_no_workers(
    subnets: list[ec2.ISubnet] | None, workers: int, message: str
) -> None:
    stack = _stack()
    if subnets is None:
        subnets = [
            ec2.Subnet.from_subnet_attributes(
                stack, "A", subnet_id="s", ipv4_cidr_block="10.0.0.0/28"
            )
        ]
    with pytest.raises(SubnetPlanningError, match=message):
        check_subnet_capacity(stack, subnets, workers=workers, argument="subnets")


# --- Refusals, each with its valid neighbour ------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "argument", "message"),
    [
        ({"vpc_cidr": "10.0.0.0/16"}, "vpc_cidr", "shapes a VPC"),
        ({"azs": 3}, "azs", "shapes a VPC"),
        ({"availability_zones": ["a", "b"]}, "availability_zones", "shapes a VPC"),
        ({"nat_gateways": 1}, "nat_gateways", "shapes a VPC"),
        ({"public_subnet_prefix": 28}, "public_subnet_prefix", "shapes a VPC"),
        ({"interface_endpoints": [InterfaceEndpoint.STS]}, "interface_endpoints", "shapes a VPC"),
        ({"flow_logs_retention": logs.RetentionDays.ONE_YEAR}, "flow_logs_retention", "shapes"),
        ({"removal_policy": cdk.RemovalPolicy.DESTROY}, "removal_policy", "shapes a VPC"),
        ({"subnet_record": SubnetRecord()}, "subnet_record", "shapes a VPC"),
        ({"record_key": "dev"}, "record_key", "shapes a VPC"),
        ({"headroom": 2}, "headroom", "shapes a VPC"),
    ],
)
def test_refuses_new_vpc_arguments_with_an_existing_vpc(
    kwargs: dict[str, Any], argument: str, message: str
) -> None:
    stack = _stack()
    vpc = _imported_vpc(stack, ["10.0.0.0/22", "10.0.4.0/22"])
    with pytest.raises(SubnetPlanningError, match=message) as caught:
        EmrServerlessNetwork(stack, "Network", workloads=ONE, vpc=vpc, **kwargs)
    assert caught.value.argument == argument


@pytest.mark.parametrize(
    ("kwargs", "argument", "message"),
    [
        ({"vpc_subnets": ec2.SubnetSelection()}, "vpc_subnets", "existing VPC"),
        ({"azs": 1}, "azs", "at least 2"),
        ({"azs": 3, "availability_zones": ["a", "b"]}, "azs", "names 2 zones"),
        ({"nat_gateways": 4}, "nat_gateways", "one NAT gateway per AZ"),
        ({"nat_gateways": -1}, "nat_gateways", "at least 0"),
        ({"nat_gateways": 0, "public_subnet_prefix": 28}, "public_subnet_prefix", "only to hold"),
        ({"public_subnet_prefix": 29}, "public_subnet_prefix", "/16 to /28"),
        ({"interface_endpoints": [InterfaceEndpoint.STS] * 2}, "interface_endpoints", "once"),
        ({"flow_logs_retention": logs.RetentionDays.INFINITE}, "flow_logs_retention", "retention"),
        ({"internet_https_egress": False}, "internet_https_egress", "cannot reach Amazon S3"),
        ({"vpc_cidr": "10.0.0.0/26"}, "vpc_cidr", "do not fit 10.0.0.0/26"),
        ({"vpc_cidr": "10.0.0.1/16"}, "vpc_cidr", "use 10.0.0.0/16"),
        ({"workloads": []}, "workloads", "at least one Workload"),
        ({"headroom": 0}, "headroom", "from 1 to 16"),
        ({"headroom": 17}, "headroom", "from 1 to 16"),
    ],
)
def test_refuses_bad_arguments(kwargs: dict[str, Any], argument: str, message: str) -> None:
    arguments: dict[str, Any] = {"workloads": ONE, **kwargs}
    with pytest.raises(SubnetPlanningError, match=message) as caught:
        EmrServerlessNetwork(_stack(), "Network", **arguments)
    assert caught.value.argument == argument


def test_interface_endpoints_are_members_or_their_service_names() -> None:
    with pytest.raises(EmrServerlessValidationError, match="is a InterfaceEndpoint") as caught:
        EmrServerlessNetwork(
            _stack(), "Network", workloads=ONE, interface_endpoints=["no-such-service"]
        )
    assert caught.value.argument == "interface_endpoints[0]"
    network = EmrServerlessNetwork(_stack(), "Network", workloads=ONE, interface_endpoints=["STS"])
    assert network.endpoint_security_group is not None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"azs": 2},
        {"azs": 2, "availability_zones": ["eu-west-1a", "eu-west-1b"]},
        {"nat_gateways": 3},
        {"nat_gateways": 0},
        {"nat_gateways": 1, "public_subnet_prefix": 28},
        {"interface_endpoints": [InterfaceEndpoint.STS, InterfaceEndpoint.KMS]},
        {"flow_logs_retention": logs.RetentionDays.ONE_DAY},
        {"internet_https_egress": False, "s3_prefix_list_id": S3_PREFIX_LIST},
        {"vpc_cidr": "10.0.0.0/23"},
        {"headroom": 1},
        {"headroom": 16},
    ],
)
def test_accepts_the_valid_neighbours(kwargs: dict[str, Any]) -> None:
    network = EmrServerlessNetwork(_stack(), "Network", workloads=ONE, **kwargs)
    assert network.plan is not None
    assert len(network.subnets.subnets) == network.plan.azs


def test_availability_zones_are_used(built: Built) -> None:
    network = EmrServerlessNetwork(
        _stack(), "Network", workloads=ONE, availability_zones=["eu-west-1a", "eu-west-1c"]
    )
    assert network.subnets.availability_zones == ["eu-west-1a", "eu-west-1c"]


# --- Gates -------------------------------------------------------------------------------


def test_only_the_igw_routes_are_acknowledged(built: Built) -> None:
    acknowledged = built.synthesis.acknowledgements()
    # aws-cdk-lib's own, for cfn-lint: F3002/F3003 on each flow log, W3010 on each stack
    # with a VPC (see test_gates).
    cdk_own = sorted((p, r) for p, r, _ in acknowledged if r.startswith("CloudFormation-Validate"))
    assert cdk_own == sorted(
        [
            (f"{s}/Network/FlowLog", f"CloudFormation-Validate::F300{n}")
            for s in STACKS
            for n in (2, 3)
        ]
        + [(s, "CloudFormation-Validate::W3010") for s in STACKS]
    )
    ours = sorted((p, r) for p, r, _ in acknowledged if not r.startswith("CloudFormation-Validate"))
    expected = sorted(
        (f"{stack}/Network/Vpc/PublicSubnet{az}/DefaultRoute", rule)
        for stack, azs in (("Default", 3), ("Full", 2), ("Grown", 2))
        for az in range(1, azs + 1)
        for rule in IGW_ROUTE_RULES
    )
    assert ours == expected


def test_gates(built: Built) -> None:
    synthesis = built.synthesis
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    # aws-cdk-lib's own stack-level W3010 acknowledgement is exempted by the harness.
    synthesis.assert_acknowledgements_specific()
    others = [w for w in synthesis.warnings() if "Unknown" not in w.path]
    # Networks built without a subnet record say so; the recorded one does not.
    assert sorted((w.path, w.rule) for w in others) == [
        (f"{stack}/Network", f"Annotation::{UNRECORDED_WARNING}")
        for stack in ("Default", "Full", "Isolated")
    ]
    assert "Network 'Default/Network' has no subnet record" in others[0].description
    assert f"run `cdk synth -c {UPDATE_SUBNET_RECORD_CONTEXT}=true`" in others[0].description


# --- A recorded network grows without moving a subnet -------------------------------------


def _by_group(built: Built, stack: str) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    for name, subnet in built.resources(stack, "AWS::EC2::Subnet").items():
        (group,) = [t["Value"] for t in subnet["Properties"]["Tags"] if t["Key"].endswith("name")]
        groups.setdefault(group, {})[name] = subnet["Properties"]["CidrBlock"]
    return groups


def test_every_recorded_group_is_in_the_template_at_its_cidrs(built: Built) -> None:
    before, after = _grown_layouts()
    groups = _by_group(built, "Grown")
    assert {name: tuple(cidrs.values()) for name, cidrs in groups.items()} == {
        group.name: group.cidrs for group in after.groups
    }
    # The first group is where the first plan put it; growth went to free space and the
    # secondary block.
    assert after.group(WORKER_SUBNET_GROUP) == before.group(WORKER_SUBNET_GROUP)
    assert after.secondary_cidrs == ("10.51.0.0/20",)
    assert all(cidr.startswith("10.51.") for cidr in after.active_group.cidrs)
    network = built.networks["Grown"]
    assert network.layout == after
    assert network.subnet_selection.subnet_group_name == "EmrServerless2"
    assert [s.ipv4_cidr_block for s in network.subnets.subnets] == list(after.active_group.cidrs)


def test_subnets_in_a_secondary_block_are_created_after_it(built: Built) -> None:
    (block_id,) = built.resources("Grown", "AWS::EC2::VPCCidrBlock")
    block = built.resources("Grown", "AWS::EC2::VPCCidrBlock")[block_id]
    assert block["Properties"]["CidrBlock"] == "10.51.0.0/20"
    for subnet in built.resources("Grown", "AWS::EC2::Subnet").values():
        inside = subnet["Properties"]["CidrBlock"].startswith("10.51.")
        assert (block_id in subnet.get("DependsOn", [])) is inside


def test_the_s3_endpoint_serves_every_worker_group_and_interface_endpoints_stay(
    built: Built,
) -> None:
    groups = _by_group(built, "Grown")
    (s3,) = [
        e
        for e in built.resources("Grown", "AWS::EC2::VPCEndpoint").values()
        if e["Properties"].get("VpcEndpointType") == "Gateway"
    ]
    tables = {t["Ref"] for t in s3["Properties"]["RouteTableIds"]}
    workers = [
        name for group, names in groups.items() if group != PUBLIC_SUBNET_GROUP for name in names
    ]
    assert len(tables) == len(workers) == 4
    interface = [
        e
        for e in built.resources("Grown", "AWS::EC2::VPCEndpoint").values()
        if e["Properties"].get("VpcEndpointType") == "Interface"
    ]
    assert len(interface) == len(GROWN_ENDPOINTS)
    for endpoint in interface:
        assert {s["Ref"] for s in endpoint["Properties"]["SubnetIds"]} == set(
            groups[WORKER_SUBNET_GROUP]
        )
    ingress = {
        rule["CidrIp"]
        for group in built.resources("Grown", "AWS::EC2::SecurityGroup").values()
        for rule in group["Properties"].get("SecurityGroupIngress", [])
    }
    assert ingress == {"10.50.0.0/20", "10.51.0.0/20"}


def test_the_network_knows_what_is_placed_on_it(built: Built) -> None:
    assert built.networks["Grown"].applications == [
        ("Grown/Network interface endpoints", len(GROWN_ENDPOINTS))
    ]


# --- Where the record comes from ---------------------------------------------------------


def _app_with(**context: Any) -> cdk.Stack:
    return cdk.Stack(new_app(compliance=False, **context), "S")


def test_the_record_file_named_by_the_context_places_the_subnets(tmp_path: Any) -> None:
    path = tmp_path / "subnets.json"
    before, _ = _grown_layouts()
    SubnetRecord(update="make plan").with_network("S/Network", before).save(path)
    stack = _app_with(**{SUBNET_RECORD_CONTEXT: str(path)})
    network = EmrServerlessNetwork(
        stack,
        "Network",
        workloads=[Workload(400, 4)],
        vpc_cidr="10.50.0.0/20",
        azs=2,
        interface_endpoints=GROWN_ENDPOINTS,
        headroom=4,  # only for what is planned; the recorded subnets are used as they are
    )
    assert network.layout == before
    assert network.record_key == "S/Network"
    assert not [m for m in network.node.metadata if m.type == "aws:cdk:warning"]
    # A peak the record cannot hold: our error, naming the record's own update command.
    with pytest.raises(SubnetRecordError) as refused:
        EmrServerlessNetwork(
            _app_with(**{SUBNET_RECORD_CONTEXT: str(path)}),
            "Network",
            workloads=[Workload(8000, 4)],
            vpc_cidr="10.50.0.0/20",
            azs=2,
            interface_endpoints=GROWN_ENDPOINTS,
        )
    assert "network 'S/Network'" in str(refused.value)
    assert "run `make plan`" in refused.value.fix


def test_the_update_flag_writes_the_grown_layout_and_the_next_synth_reads_it(
    tmp_path: Any,
) -> None:
    path = tmp_path / "subnets.json"
    first, _ = _grown_layouts()
    SubnetRecord().with_network("S/Network", first).with_network("Other", first).save(path)
    arguments: dict[str, Any] = {
        "workloads": [Workload(1600, 4)],  # 400 workers: a /23 in each AZ, in free space
        "vpc_cidr": "10.50.0.0/20",
        "azs": 2,
        "interface_endpoints": GROWN_ENDPOINTS,
        "subnet_record": str(path),
    }
    stack = _app_with(**{UPDATE_SUBNET_RECORD_CONTEXT: "true"})
    written = EmrServerlessNetwork(stack, "Network", **arguments).layout
    record = SubnetRecord.load(path)
    assert record.get("S/Network") == written
    assert record.get("Other") == first  # other networks' entries are kept
    assert written is not None
    assert written.group(WORKER_SUBNET_GROUP) == first.group(WORKER_SUBNET_GROUP)
    assert EmrServerlessNetwork(_app_with(), "Network", **arguments).layout == written


def test_the_update_flag_needs_a_record_file() -> None:
    stack = _app_with(**{UPDATE_SUBNET_RECORD_CONTEXT: True})
    with pytest.raises(SubnetRecordError, match="given none as a file"):
        EmrServerlessNetwork(stack, "Network", workloads=ONE, subnet_record=SubnetRecord())


def test_a_network_missing_from_a_record_is_planned_with_a_warning() -> None:
    record = SubnetRecord(update="make plan", source="platform.subnets.json")
    network = EmrServerlessNetwork(_stack(), "Network", workloads=ONE, subnet_record=record)
    (warning,) = [m.data for m in network.node.metadata if m.type == "aws:cdk:warning"]
    assert "is not in platform.subnets.json" in str(warning)
    assert "`make plan`" in str(warning)


def test_an_unrecorded_network_is_planned_without_headroom_and_the_update_records_it(
    tmp_path: Any,
) -> None:
    # Unrecorded, the network is where versions without records put it (headroom 1), so a
    # deployed one keeps its subnets; the headroom is for what the update writes.
    arguments: dict[str, Any] = {"workloads": ONE, "interface_endpoints": GROWN_ENDPOINTS}
    path = tmp_path / "subnets.json"
    unrecorded = EmrServerlessNetwork(
        _stack(), "Network", headroom=4, subnet_record=str(path), **arguments
    )
    assert unrecorded.request is not None
    assert unrecorded.layout == first_layout(unrecorded.request, headroom=1)
    assert unrecorded.layout != first_layout(unrecorded.request, headroom=4)
    (warning,) = _warnings(unrecorded)
    assert "with no headroom, where versions without subnet records placed them" in warning
    assert "ADOPT=1" in warning
    # The valid neighbour: the update writes the headroom-4 plan, and synth then uses it.
    stack = _app_with(**{UPDATE_SUBNET_RECORD_CONTEXT: "true"})
    written = EmrServerlessNetwork(
        stack, "Network", headroom=4, subnet_record=str(path), **arguments
    ).layout
    assert written == first_layout(unrecorded.request, headroom=4)
    assert SubnetRecord.load(path).get("S/Network") == written
    recorded = EmrServerlessNetwork(
        _app_with(), "Network", headroom=4, subnet_record=str(path), **arguments
    )
    assert recorded.layout == written
    assert _warnings(recorded) == []


def test_the_request_is_exposed_for_a_new_vpc_only(built: Built) -> None:
    full = built.networks["Full"]
    assert full.request == NetworkRequest(
        vpc_cidr="10.20.0.0/16",
        azs=2,
        workloads=tuple(APPS),
        other_addresses=len(InterfaceEndpoint),
        extra_groups=(SubnetGroup(PUBLIC_SUBNET_GROUP, prefix=27),),
    )
    assert full.layout == first_layout(full.request, headroom=1)
    assert built.networks["Existing"].request is None
