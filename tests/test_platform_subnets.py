"""The reference platform's subnet record (``make plan``): onboarding never moves a subnet."""

from __future__ import annotations

import copy
from itertools import pairwise
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

import app as reference
from constructs_lib.platform_config import (
    DEFAULT_HEADROOM,
    PlatformConfig,
    PlatformConfigError,
    load_platform_config,
    parse_platform_config,
)
from constructs_lib.platform_subnets import (
    PLATFORM_INTERFACE_ENDPOINTS,
    load_platform_record,
    main,
    network_request,
    plan_platform,
    record_path,
)
from constructs_lib.subnet_planning import (
    WORKER_GROUP_NAME,
    NetworkLayout,
    SubnetRecord,
    SubnetRecordError,
    check_layout,
    first_layout,
    plan_subnets,
)
from stacks import NetworkStack
from stacks.network_stack import PLATFORM_INTERFACE_ENDPOINTS as ENDPOINTS
from tests.harness import new_app

SHIPPED_CONFIG = Path(reference.DEFAULT_CONFIG)
SHIPPED: dict[str, Any] = yaml.safe_load(SHIPPED_CONFIG.read_text())

#: The teams the issue onboards after the shipped two.
DATA_SCIENCE = {
    "name": "data-science",
    "application": {
        "type": "SPARK",
        "release_label": "emr-7.6.0",
        "workers": {
            "driver": {"vcpu": 4, "memory_gb": 16},
            "executor": {"vcpu": 4, "memory_gb": 16},
        },
        "maximum_capacity": {"vcpu": 64},
    },
}
ML = {
    "name": "ml",
    "application": {
        "type": "SPARK",
        "release_label": "emr-7.6.0",
        "workers": {
            "driver": {"vcpu": 4, "memory_gb": 16},
            "executor": {"vcpu": 8, "memory_gb": 32},
        },
        "maximum_capacity": {"vcpu": 256},
    },
}


def config(*teams: dict[str, Any], prod_analytics_vcpu: int | None = None) -> PlatformConfig:
    document = copy.deepcopy(SHIPPED)
    document["teams"] += [copy.deepcopy(t) for t in teams]
    if prod_analytics_vcpu is not None:
        prod = document["environments"]["prod"]["teams"]["analytics"]["application"]
        prod["maximum_capacity"]["vcpu"] = prod_analytics_vcpu
    return parse_platform_config(yaml.safe_dump(document), source="platform.yaml")


def groups(layout: NetworkLayout) -> dict[str, tuple[str, ...]]:
    return {group.name: group.cidrs for group in layout.groups}


def assert_kept(before: SubnetRecord, after: SubnetRecord) -> None:
    """Every recorded subnet is where it was, in its group and AZ."""
    for key, layout in before.networks.items():
        grown = after.networks[key]
        assert grown.vpc_cidr == layout.vpc_cidr
        for name, cidrs in groups(layout).items():
            assert groups(grown)[name][: len(cidrs)] == cidrs


# --- The shipped record -------------------------------------------------------------------


def test_the_shipped_record_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(SHIPPED_CONFIG), "--check"]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_the_shipped_record_keeps_the_platform_where_earlier_versions_put_it() -> None:
    # An already-deployed reference platform does not move when it upgrades: its record is
    # exactly the plan that earlier versions computed on every synth.
    shipped = load_platform_record(SHIPPED_CONFIG)
    assert shipped.update == "make plan"
    assert shipped == plan_platform(load_platform_config(SHIPPED_CONFIG), shipped, adopt=True)
    for environment in load_platform_config(SHIPPED_CONFIG).environments:
        request = network_request(environment)
        earlier = plan_subnets(
            request.workloads,
            vpc_cidr=request.vpc_cidr,
            azs=request.azs,
            extra_groups=request.extra_groups,
            other_addresses=request.other_addresses,
        )
        layout = shipped.networks[environment.name]
        assert layout.active_group.cidrs == tuple(s.cidr for s in earlier.worker_subnets)
        assert groups(layout)["Public"] == tuple(s.cidr for s in earlier.group("Public"))


def test_the_request_is_what_the_network_stack_builds() -> None:
    assert [e.value for e in ENDPOINTS] == list(PLATFORM_INTERFACE_ENDPOINTS)
    assert record_path("teams/acme.yaml") == Path("teams/acme.subnets.json")
    # The whole request: what `make plan` records is what each network stack checks.
    record = load_platform_record(SHIPPED_CONFIG)
    for platform in (load_platform_config(SHIPPED_CONFIG), config(DATA_SCIENCE, ML)):
        for environment in platform.environments:
            stack = NetworkStack(
                new_app(compliance=False),
                "Network",
                environment=environment,
                subnet_record=plan_platform(platform, record),
            )
            assert stack.network.request == network_request(environment)


# --- The onboarding path of the issue, through `make plan` --------------------------------------


def test_onboarding_on_the_shipped_record_grows_into_free_space() -> None:
    shipped = load_platform_record(SHIPPED_CONFIG)
    third = config(DATA_SCIENCE)
    # Synth refuses (the record is the shipped, tight one) and names the fix ...
    dev = third.environment("dev")
    wanted = network_request(dev)
    with pytest.raises(SubnetRecordError, match=r"run `make plan`") as refused:
        check_layout(shipped.networks["dev"], wanted, key="dev", update="make plan")
    assert "network 'dev'" in str(refused.value)
    # ... and `make plan` adds a group in free space; nothing recorded moves.
    grown = plan_platform(third, shipped)
    assert_kept(shipped, grown)
    assert grown.networks["dev"].active == f"{WORKER_GROUP_NAME}2"
    assert grown.networks["prod"] == shipped.networks["prod"]  # prod still fits
    fourth = plan_platform(config(DATA_SCIENCE, ML), grown)
    assert_kept(grown, fourth)
    assert fourth.networks["dev"] == grown.networks["dev"]  # the headroom holds the fourth
    raised = plan_platform(config(DATA_SCIENCE, ML, prod_analytics_vcpu=2560), fourth)
    assert_kept(fourth, raised)
    assert raised.networks["prod"].active != fourth.networks["prod"].active


def test_a_new_platform_is_planned_with_headroom_for_more_teams() -> None:
    three = config(DATA_SCIENCE)
    first = plan_platform(three, SubnetRecord())
    for environment in three.environments:
        layout = first.networks[environment.name]
        need = network_request(environment).worker_addresses
        assert layout.active_group.usable >= DEFAULT_HEADROOM * need + len(ENDPOINTS)
    fourth = plan_platform(config(DATA_SCIENCE, ML), first)
    assert fourth == first  # onboarding the fourth team changes nothing
    raised = plan_platform(config(DATA_SCIENCE, ML, prod_analytics_vcpu=2560), fourth)
    assert_kept(fourth, raised)
    assert raised.networks["dev"] == first.networks["dev"]


def test_headroom_is_a_config_setting() -> None:
    document = copy.deepcopy(SHIPPED)
    document["platform"]["network"]["headroom"] = 1
    tight = parse_platform_config(yaml.safe_dump(document))
    assert {env.network.headroom for env in tight.environments} == {1}
    assert {env.network.headroom for env in config().environments} == {DEFAULT_HEADROOM}
    for value, message in [(0, "from 1 to 16"), (17, "from 1 to 16"), ("4", "whole number")]:
        document["platform"]["network"]["headroom"] = value
        with pytest.raises(PlatformConfigError, match=message) as refused:
            parse_platform_config(yaml.safe_dump(document))
        assert "platform.network.headroom" in str(refused.value)


# --- The command ---------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "platform.yaml"
    document = copy.deepcopy(SHIPPED)
    document["teams"].append(copy.deepcopy(DATA_SCIENCE))
    path.write_text(yaml.safe_dump(document))
    return path


def test_make_plan_writes_checks_and_grows_the_record(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = workspace.with_name("platform.subnets.json")
    assert main(["--config", str(workspace), "--check"]) == 1
    assert "not up to date" in capsys.readouterr().err
    assert main(["--config", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert "dev: 10.40.0.0/16 (new)" in out
    assert f"wrote {record}" in out
    assert main(["--config", str(workspace), "--check"]) == 0
    written = SubnetRecord.load(record)
    assert main(["--config", str(workspace), "--add-cidr", "prod=10.42.0.0/16"]) == 0
    assert "secondary CIDR block 10.42.0.0/16" in capsys.readouterr().out
    assert SubnetRecord.load(record).networks["prod"].secondary_cidrs == ("10.42.0.0/16",)
    assert SubnetRecord.load(record).networks["dev"] == written.networks["dev"]


def test_make_plan_prints_the_files_warnings(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(workspace), "--check"]) == 1
    assert "warning:" not in capsys.readouterr().err  # the neighbour: nothing to say
    document = yaml.safe_load(workspace.read_text())
    job = next(j for t in document["teams"] for j in t.get("jobs", []) if "schedule" not in j)
    job["time_zone"] = "Europe/Paris"  # accepted, but it does nothing without a schedule
    workspace.write_text(yaml.safe_dump(document))
    assert main(["--config", str(workspace), "--check"]) == 1
    err = capsys.readouterr().err
    assert "warning:" in err
    assert "time_zone" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--add-cidr", "qa=10.42.0.0/16"], "has no environment 'qa'"),
        (["--add-cidr", "prod"], "is not ENVIRONMENT=VALUE"),
        (["--add-cidr", "prod=10.41.0.0/17"], "overlaps"),
        (["--release", "dev=EmrServerless"], "no recorded subnet groups to release"),
    ],
)
def test_make_plan_refuses_bad_input_with_status_2(
    workspace: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["--config", str(workspace), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not workspace.with_name("platform.subnets.json").exists()


# --- What CloudFormation sees: the network stacks before and after onboarding ----------------


def _network_templates(platform: PlatformConfig, record: SubnetRecord) -> dict[str, Any]:
    app = new_app(compliance=False)
    for environment in platform.environments:
        NetworkStack(
            app, environment.network_stack_name, environment=environment, subnet_record=record
        )
    assembly = app.synth()
    return {
        environment.name: assembly.get_stack_by_name(environment.network_stack_name).template
        for environment in platform.environments
    }


def _subnets(template: dict[str, Any]) -> dict[str, str]:
    return {
        name: resource["Properties"]["CidrBlock"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::EC2::Subnet"
    }


@pytest.fixture(scope="module")
def onboarding() -> list[tuple[SubnetRecord, dict[str, Any]]]:
    """The shipped platform, then a third team and a raised prod peak, each after `make plan`."""
    record = load_platform_record(SHIPPED_CONFIG)
    steps = []
    for platform in (
        load_platform_config(SHIPPED_CONFIG),
        config(DATA_SCIENCE),
        config(DATA_SCIENCE, ML, prod_analytics_vcpu=2560),
    ):
        record = plan_platform(platform, record)
        steps.append((record, _network_templates(platform, record)))
    return steps


def test_recorded_subnets_keep_their_logical_ids_and_cidrs(
    onboarding: list[tuple[SubnetRecord, dict[str, Any]]],
) -> None:
    for (_, before), (_, after) in pairwise(onboarding):
        for environment, template in before.items():
            old, new = _subnets(template), _subnets(after[environment])
            assert {name: new.get(name) for name in old} == old
            for name, resource in template["Resources"].items():
                if resource["Type"] in (
                    "AWS::EC2::Subnet",
                    "AWS::EC2::VPC",
                    "AWS::EC2::NatGateway",
                ):
                    assert after[environment]["Resources"][name] == resource


def test_growth_adds_subnets_and_changes_nothing_else_but_the_s3_route_tables(
    onboarding: list[tuple[SubnetRecord, dict[str, Any]]],
) -> None:
    (_, shipped), (_, third), _ = onboarding
    before, after = shipped["dev"]["Resources"], third["dev"]["Resources"]
    assert set(before) <= set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert {after[name]["Type"] for name in changed} == {"AWS::EC2::VPCEndpoint"}
    added = {after[name]["Type"] for name in set(after) - set(before)}
    assert added == {
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::Route",
    }
    assert shipped["prod"] == third["prod"]  # prod still fits: not a byte changes


def test_the_templates_place_subnets_where_the_record_says(
    onboarding: list[tuple[SubnetRecord, dict[str, Any]]],
) -> None:
    for record, templates in onboarding:
        for environment, template in templates.items():
            recorded = sorted(c for g in record.networks[environment].groups for c in g.cidrs)
            assert sorted(_subnets(template).values()) == recorded


def test_an_environment_missing_from_the_record_is_planned_with_a_warning() -> None:
    platform = load_platform_config(SHIPPED_CONFIG)
    app = new_app(compliance=False)
    dev = platform.environment("dev")
    stack = NetworkStack(
        app, "Dev", environment=dev, subnet_record=SubnetRecord(update="make plan")
    )
    # Planned where versions without records placed it (no headroom), so that a deployed
    # environment keeps its subnets: what `make plan ADOPT=1` records. (It was the
    # headroom plan of `make plan` before; that replaced every deployed worker subnet.)
    adopted = plan_platform(platform, SubnetRecord(), adopt=True).networks["dev"]
    assert stack.network.layout == adopted
    assert stack.network.layout == first_layout(network_request(dev), headroom=1)
    assert dev.network.headroom == DEFAULT_HEADROOM == 4
    (warning,) = [m.data for m in stack.network.node.metadata if m.type == "aws:cdk:warning"]
    assert "Network 'dev' is not in" in str(warning)
    assert "`make plan`" in str(warning)
    assert "`make plan ADOPT=1`" in str(warning)
    assert "with no headroom" in str(warning)
    assert isinstance(stack, cdk.Stack)
    # `make plan` still records a new environment with its headroom.
    planned = plan_platform(platform, SubnetRecord()).networks["dev"]
    assert planned == first_layout(network_request(dev), headroom=DEFAULT_HEADROOM)
    assert planned != adopted


def test_a_record_that_cannot_hold_the_peak_fails_with_our_error_not_a_config_error() -> None:
    platform = config(DATA_SCIENCE)
    with pytest.raises(SubnetRecordError) as refused:
        NetworkStack(
            new_app(compliance=False),
            "Dev",
            environment=platform.environment("dev"),
            subnet_record=load_platform_record(SHIPPED_CONFIG),
        )
    assert refused.value.argument == "subnet record['dev']"
    assert "data-science 16" in str(refused.value)
