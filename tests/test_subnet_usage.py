"""SubnetUsage: applications sharing subnets must fit together, and must reach Amazon S3."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.network import EmrServerlessNetwork, InterfaceEndpoint
from constructs_lib.s3_access_rules import (
    S3_THROUGH_NAT_WARNING,
    S3_UNREACHABLE_WARNING,
    VPC_ACCESS,
)
from constructs_lib.subnet_planning import SubnetRecord, Workload, first_layout
from constructs_lib.subnet_planning._record import NetworkRequest
from constructs_lib.subnet_usage import (
    SUBNET_CAPACITY_WARNING,
    SubnetUsage,
)
from constructs_lib.tokens import UNCHECKED_WARNING_PREFIX
from constructs_lib.workers import EngineType
from tests.harness import Synthesis, new_app, synthesize

#: Default Spark applications run 4-vCPU workers, default Hive applications 2-vCPU workers.
SPARK_WORKER_VCPU = 4
HIVE_WORKER_VCPU = 2


def _stack(app: cdk.App | None = None, name: str = "S") -> cdk.Stack:
    return cdk.Stack(app or new_app(compliance=False), name)


def _application(
    stack: cdk.Stack,
    name: str,
    *,
    workers: int,
    engine: EngineType = EngineType.SPARK,
    **kwargs: Any,
) -> EmrServerlessApplication:
    vcpu = workers * (SPARK_WORKER_VCPU if engine is EngineType.SPARK else HIVE_WORKER_VCPU)
    application = EmrServerlessApplication(
        stack,
        name,
        engine=engine,
        maximum_capacity=MaximumCapacity(vcpu=vcpu, memory_gb=vcpu * 8),
        **kwargs,
    )
    assert application.peak_workers == workers
    return application


def _warnings(construct: Any) -> list[str]:
    return [str(m.data) for m in construct.node.metadata if m.type == "aws:cdk:warning"]


def _imported(stack: cdk.Stack, cidrs: list[str | None], **kwargs: Any) -> ec2.IVpc:
    ids = [f"subnet-0{letter * 3}" for letter in "ab"]
    blocks = [c if c is not None else cdk.Fn.import_value(f"Cidr{i}") for i, c in enumerate(cidrs)]
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Shared",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=ids,
        private_subnet_ipv4_cidr_blocks=blocks,
        private_subnet_route_table_ids=[i.replace("subnet", "rtb") for i in ids],
        **kwargs,
    )


# --- Two 400-vCPU applications on a network planned for one (the first case) --------
#
# A warning, as for one application whose subnets are too small: EMR Serverless accepts any
# subnet; jobs then cannot start more workers than the subnet has free addresses.


def _network_for_one(stack: cdk.Stack) -> EmrServerlessNetwork:
    # 100 workers: a /25 in each AZ (123 usable); the S3 gateway endpoint comes with it.
    network = EmrServerlessNetwork(stack, "Network", workloads=[Workload(400, SPARK_WORKER_VCPU)])
    assert network.plan is not None
    assert network.plan.worker_prefix == 25
    return network


def _capacity_warnings(stack: cdk.Stack, *constructs: Any) -> list[list[str]]:
    """Each construct's ``subnet-capacity`` warnings once the tree is checked (no errors)."""
    assert SubnetUsage.of(stack).problems() == []
    return [
        [w for w in _warnings(c) if f"[ack: {SUBNET_CAPACITY_WARNING}]" in w] for c in constructs
    ]


def test_two_applications_planned_as_one_are_flagged_naming_each_share() -> None:
    stack = _stack()
    network = _network_for_one(stack)
    etl = _application(stack, "Etl", workers=100, network=network)
    adhoc = _application(stack, "Adhoc", workers=100, network=network)
    [warning], [same] = _capacity_warnings(stack, etl, adhoc)
    assert warning == same
    assert "network=200: each of S/Network/Vpc/EmrServerlessSubnet1 " in warning
    assert "(123 usable addresses)" in warning
    assert "S/Etl 100, S/Adhoc 100 = 200 addresses" in warning
    assert VPC_ACCESS in warning
    assert "use /24 or larger" in warning
    assert network.applications == [("S/Etl", 100), ("S/Adhoc", 100)]


@pytest.mark.parametrize(("second", "flagged"), [(22, False), (23, False), (24, True)])
def test_its_valid_neighbours_fit_to_the_last_address(second: int, flagged: bool) -> None:
    stack = _stack()
    network = _network_for_one(stack)
    etl = _application(stack, "Etl", workers=100, network=network)
    adhoc = _application(stack, "Adhoc", workers=second, network=network)
    warnings = _capacity_warnings(stack, etl, adhoc)
    assert warnings == ([[warnings[0][0]]] * 2 if flagged else [[], []])
    if flagged:
        assert f"S/Etl 100, S/Adhoc {second} = {100 + second} addresses" in warnings[0][0]


def test_interface_endpoints_and_declared_applications_count_too() -> None:
    stack = _stack()
    network = EmrServerlessNetwork(
        stack,
        "Network",
        workloads=[Workload(400, SPARK_WORKER_VCPU)],
        interface_endpoints=[InterfaceEndpoint.STS, InterfaceEndpoint.KMS],
    )
    etl = _application(stack, "Etl", workers=100, network=network)
    network.declare_application("legacy", max_vcpu=84, worker_vcpu=4)  # 21 workers: 123
    assert _capacity_warnings(stack, etl, network) == [[], []]
    network.declare_application("legacy", max_vcpu=88, worker_vcpu=4)  # replaces it: 124
    [on_etl], [on_network] = _capacity_warnings(stack, etl, network)
    assert on_etl == on_network
    assert "S/Network interface endpoints 2, S/Etl 100, legacy (declared) 22 = 124" in on_etl


def test_a_declared_application_alone_is_flagged_too() -> None:
    stack = _stack()
    network = _network_for_one(stack)
    network.declare_application("legacy", max_vcpu=496, worker_vcpu=4)  # 124 workers
    [warning] = _capacity_warnings(stack, network)[0]
    assert "legacy (declared) 124 = 124 addresses" in warning


def test_the_synth_records_the_warning_on_each_application() -> None:
    app = new_app(compliance=False)
    stack = _stack(app)
    network = _network_for_one(stack)
    _application(stack, "Etl", workers=100, network=network)
    _application(stack, "Adhoc", workers=100, network=network)
    synthesis = synthesize(app, require_clean=False)
    warnings = synthesis.warnings(SUBNET_CAPACITY_WARNING)
    assert sorted(w.path for w in warnings) == ["S/Adhoc", "S/Etl"]
    assert all("S/Etl 100, S/Adhoc 100 = 200 addresses" in w.description for w in warnings)


# --- A 240-worker Spark and a 50-worker Hive application on /24s (the second case) ---


@pytest.mark.parametrize(("hive", "flagged"), [(10, False), (11, False), (12, True), (50, True)])
def test_applications_on_existing_subnets_fit_together(hive: int, flagged: bool) -> None:
    stack = _stack()
    vpc = _imported(stack, ["10.0.0.0/24", "10.0.1.0/24"])  # 251 usable each
    spark = _application(stack, "Spark", workers=240, vpc=vpc)
    hive_app = _application(stack, "Hive", workers=hive, engine=EngineType.HIVE, vpc=vpc)
    on_spark, on_hive = _capacity_warnings(stack, spark, hive_app)
    assert bool(on_spark) is flagged
    assert on_spark == on_hive
    if flagged:
        (warning,) = on_spark
        assert f"vpc_subnets={240 + hive}: each of subnet-0aaa (10.0.0.0/24)" in warning
        assert f"S/Spark 240, S/Hive {hive} = {240 + hive} addresses" in warning


def test_subnets_shared_in_part_are_checked_per_subnet() -> None:
    stack = _stack()
    vpc = _imported(stack, ["10.0.0.0/24", "10.0.1.0/25"])  # 251 and 123 usable
    spark = _application(stack, "Spark", workers=100, vpc=vpc)
    _application(
        stack,
        "Hive",
        workers=30,
        engine=EngineType.HIVE,
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnets=[vpc.private_subnets[1]]),
    )
    [warning] = _capacity_warnings(stack, spark)[0]
    assert "vpc_subnets=130: subnet-0bbb (10.0.1.0/25) (123 usable" in warning


def test_one_application_too_large_is_warned_once_by_its_own_check() -> None:
    stack = _stack()
    vpc = _imported(stack, ["10.0.0.0/24", "10.0.1.0/24"])
    spark = _application(stack, "Spark", workers=252, vpc=vpc)
    [[own]] = _capacity_warnings(stack, spark)  # its own check's, not the shared check's too
    assert "subnet-0aaa (10.0.0.0/24, 251 usable) cannot hold 252 workers" in own


def test_subnets_with_token_cidrs_are_warned_not_summed() -> None:
    stack = _stack()
    vpc = _imported(stack, [None, None])
    spark = _application(stack, "Spark", workers=240, vpc=vpc)
    hive = _application(stack, "Hive", workers=50, engine=EngineType.HIVE, vpc=vpc)
    assert _capacity_warnings(stack, spark, hive) == [[], []]
    for application, workers in ((spark, 240), (hive, 50)):
        (warning,) = [
            w for w in _warnings(application) if f"{UNCHECKED_WARNING_PREFIX}:vpc_subnets]" in w
        ]
        assert f"each subnet must hold {workers} workers" in warning


# --- S3 must be reachable --------------------------------------------------------------------


def _vpc(stack: cdk.Stack, kind: ec2.SubnetType, *, nat: int = 0) -> ec2.Vpc:
    groups = [ec2.SubnetConfiguration(name="Workers", subnet_type=kind)]
    if nat or kind is ec2.SubnetType.PUBLIC:
        groups.append(ec2.SubnetConfiguration(name="Nat", subnet_type=ec2.SubnetType.PUBLIC))
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=nat, subnet_configuration=groups)


def _workers(vpc: ec2.Vpc) -> ec2.SubnetSelection:
    return ec2.SubnetSelection(subnet_group_name="Workers")


def test_private_subnets_without_nat_or_s3_endpoint_warn() -> None:
    """EMR Serverless creates the application, so this is a warning, not a refusal."""
    stack = _stack()
    vpc = _vpc(stack, ec2.SubnetType.PRIVATE_ISOLATED)
    etl = _application(stack, "Etl", workers=10, vpc=vpc, vpc_subnets=_workers(vpc))
    assert SubnetUsage.of(stack).problems() == []
    (warning,) = _warnings(etl)
    assert warning.startswith("S/Vpc/WorkersSubnet1, S/Vpc/WorkersSubnet2: ")
    assert "only through a NAT gateway or an S3 VPC endpoint" in warning
    assert VPC_ACCESS in warning
    assert "Fix: add an S3 gateway endpoint" in warning
    assert f"[ack: {S3_UNREACHABLE_WARNING}]" in warning


def test_the_synth_succeeds_with_the_warning() -> None:
    app = new_app(compliance=False)
    stack = _stack(app)
    vpc = _vpc(stack, ec2.SubnetType.PRIVATE_ISOLATED)
    _application(stack, "Etl", workers=10, vpc=vpc, vpc_subnets=_workers(vpc))
    assembly = app.synth()
    assert assembly.get_stack_by_name("S").template["Resources"]


def test_an_application_without_maximum_capacity_is_checked_for_s3_not_summed() -> None:
    stack = _stack()
    vpc = _vpc(stack, ec2.SubnetType.PRIVATE_ISOLATED)
    unbounded = EmrServerlessApplication(stack, "Etl", vpc=vpc, vpc_subnets=_workers(vpc))
    assert unbounded.peak_workers is None
    assert SubnetUsage.of(stack).problems() == []
    warnings = _warnings(unbounded)
    assert [w for w in warnings if f"[ack: {S3_UNREACHABLE_WARNING}]" in w]
    assert not [w for w in warnings if f"[ack: {SUBNET_CAPACITY_WARNING}]" in w]


def test_an_s3_gateway_endpoint_added_later_is_enough() -> None:
    stack = _stack()
    vpc = _vpc(stack, ec2.SubnetType.PRIVATE_ISOLATED)
    etl = _application(stack, "Etl", workers=10, vpc=vpc, vpc_subnets=_workers(vpc))
    vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    assert SubnetUsage.of(stack).problems() == []
    assert _warnings(etl) == []


def test_nat_without_an_s3_endpoint_warns() -> None:
    stack = _stack()
    vpc = _vpc(stack, ec2.SubnetType.PRIVATE_WITH_EGRESS, nat=1)
    etl = _application(stack, "Etl", workers=10, vpc=vpc, vpc_subnets=_workers(vpc))
    assert SubnetUsage.of(stack).problems() == []
    (warning,) = _warnings(etl)
    assert "through the NAT gateway" in warning
    assert f"[ack: {S3_THROUGH_NAT_WARNING}]" in warning


def test_an_s3_interface_endpoint_makes_the_routes_unknown_not_refused() -> None:
    stack = _stack()
    vpc = _vpc(stack, ec2.SubnetType.PRIVATE_ISOLATED)
    vpc.add_interface_endpoint("S3", service=ec2.InterfaceVpcEndpointAwsService.S3)
    etl = _application(stack, "Etl", workers=10, vpc=vpc, vpc_subnets=_workers(vpc))
    assert SubnetUsage.of(stack).problems() == []
    (warning,) = _warnings(etl)
    assert f"[ack: {UNCHECKED_WARNING_PREFIX}:vpc_subnets.routes]" in warning


def test_findings_are_recorded_once_however_often_the_tree_is_validated() -> None:
    stack = _stack()
    vpc = _vpc(stack, ec2.SubnetType.PRIVATE_WITH_EGRESS, nat=1)
    etl = _application(stack, "Etl", workers=10, vpc=vpc, vpc_subnets=_workers(vpc))
    usage = SubnetUsage.of(stack)
    assert usage.problems() == usage.problems() == []
    assert len(_warnings(etl)) == 1


def test_public_subnets_reach_s3_through_their_internet_gateway() -> None:
    stack = _stack()
    vpc = _vpc(stack, ec2.SubnetType.PUBLIC)
    etl = _application(stack, "Etl", workers=10, vpc=vpc, vpc_subnets=_workers(vpc))
    assert SubnetUsage.of(stack).problems() == []
    assert _warnings(etl) == []


def test_imported_subnets_warn_that_s3_was_not_checked() -> None:
    stack = _stack()
    vpc = _imported(stack, ["10.0.0.0/24", "10.0.1.0/24"])
    etl = _application(stack, "Etl", workers=10, vpc=vpc)
    assert SubnetUsage.of(stack).problems() == []
    (warning,) = _warnings(etl)
    assert f"[ack: {UNCHECKED_WARNING_PREFIX}:vpc_subnets.routes]" in warning
    assert "routes are not known at synth" in warning


def test_imported_subnets_with_an_s3_endpoint_on_their_route_tables_are_checked() -> None:
    stack = _stack()
    vpc = _imported(stack, ["10.0.0.0/24", "10.0.1.0/24"])
    vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    etl = _application(stack, "Etl", workers=10, vpc=vpc)
    assert SubnetUsage.of(stack).problems() == []
    assert _warnings(etl) == []


def test_applications_on_our_network_reach_s3_through_its_endpoint() -> None:
    stack = _stack()
    network = EmrServerlessNetwork(
        stack, "Network", workloads=[Workload(40, 4)], nat_gateways=0, s3_prefix_list_id="pl-1"
    )
    etl = _application(stack, "Etl", workers=10, network=network)
    assert SubnetUsage.of(stack).problems() == []
    assert _warnings(etl) == []


# --- One synthesis: a recorded network shared by two applications, every gate ---------------


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = _stack(app, "Shared")
    request = NetworkRequest("10.60.0.0/16", 2, (Workload(400, 4), Workload(92, 4)), 0, ())
    record = SubnetRecord().with_network("shared", first_layout(request, headroom=1))
    network = EmrServerlessNetwork(
        stack,
        "Network",
        workloads=list(request.workloads),
        vpc_cidr="10.60.0.0/16",
        azs=2,
        nat_gateways=0,
        s3_prefix_list_id="pl-6ea54007",
        subnet_record=record,
        record_key="shared",
    )
    _application(stack, "Etl", workers=100, network=network)
    _application(stack, "Adhoc", workers=23, network=network)  # 123: exactly a /25
    return synthesize(app)


def test_an_exact_fit_synthesizes_clean(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_no_warnings()
    subnets = synthesis.templates["Shared"]["Resources"]
    cidrs = sorted(
        r["Properties"]["CidrBlock"] for r in subnets.values() if r["Type"] == "AWS::EC2::Subnet"
    )
    assert cidrs == ["10.60.0.0/25", "10.60.0.128/25"]
