"""The platform file's accounts, Regions, existing networks and tags: each refused with file,
key path and fix; each valid neighbour accepted."""

from __future__ import annotations

import copy
import gzip
import json
import re
from pathlib import Path
from typing import Any

import botocore
import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.application_rules import MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS
from constructs_lib.availability_zones import (
    EMR_SERVERLESS_REGIONS,
    ENDPOINTS_PAGE,
    SUPPORTED_AZ_IDS,
)
from constructs_lib.platform_config import (
    MAX_ENVIRONMENT_TAGS,
    MAX_ENVIRONMENT_TAGS_EXISTING_VPC,
    MAX_SUBNETS,
    MAX_TEAM_STACK_TAGS,
    NETWORK_TAGS_FROM_CONSTRUCTS,
    PLATFORM_TAG_KEYS,
    TEAM_TAGS_FROM_CONSTRUCTS,
    UNKNOWN_REGION_WARNING,
    NatGateways,
    PlatformConfig,
    PlatformConfigError,
    parse_platform_config,
)
from constructs_lib.platform_subnets import plan_platform
from constructs_lib.subnet_planning import SubnetRecord

FIXTURE = Path(__file__).parent / "fixtures" / "two_accounts.yaml"
DEV = {"account": "111111111111", "region": "us-east-1"}
PROD = {"account": "222222222222", "region": "eu-west-1"}


def team(name: str = "analytics", vcpu: int = 64) -> dict[str, Any]:
    return {
        "name": name,
        "application": {
            "type": "SPARK",
            "release_label": "emr-7.6.0",
            "workers": {
                "driver": {"vcpu": 2, "memory_gb": 4},
                "executor": {"vcpu": 4, "memory_gb": 8},
            },
            "maximum_capacity": {"vcpu": vcpu},
        },
    }


def document(**environments: dict[str, Any]) -> dict[str, Any]:
    """A valid platform file with these environments (default: dev in an account)."""
    return {
        "platform": {
            "name": "lake",
            "network": {"vpc_cidr": "10.0.0.0/16"},
            "log_retention_days": 30,
        },
        "environments": environments or {"dev": copy.deepcopy(DEV)},
        "teams": [team()],
    }


def existing(*cidrs: str, zones: tuple[str, ...] = ("use1-az1", "use1-az2")) -> dict[str, Any]:
    return {
        "vpc_id": "vpc-0123456789abcdef0",
        "subnets": [
            {
                "subnet_id": f"subnet-{index:017x}",
                "cidr": cidr,
                "availability_zone_id": zones[index % len(zones)],
            }
            for index, cidr in enumerate(cidrs)
        ],
    }


def parse(doc: dict[str, Any]) -> PlatformConfig:
    return parse_platform_config(json.dumps(doc), source="platform.yaml")


def refused(doc: dict[str, Any], location: str) -> str:
    """The message of the problem at ``location`` (``platform.yaml: <key path>``)."""
    with pytest.raises(PlatformConfigError) as caught:
        parse(doc)
    found = [p for p in caught.value.problems if p.location == f"platform.yaml: {location}"]
    assert found, [str(p) for p in caught.value.problems]
    text = str(found[0])
    assert "Fix: " in text
    return text


# --------------------------------------------------------------------------- accounts, Regions


def test_an_environment_names_its_account_and_region() -> None:
    config = parse(document(dev=DEV, prod=PROD))
    dev, prod = config.environments
    assert (dev.target, prod.target) == (
        ("111111111111", "us-east-1"),
        ("222222222222", "eu-west-1"),
    )
    assert (dev.stage_id, prod.stage_id) == ("Dev", "Prod")
    assert config.uses_stages


def test_without_accounts_the_platform_stays_environment_agnostic() -> None:
    config = parse(document(dev={}, prod={}))
    assert [e.target for e in config.environments] == [None, None]
    assert not config.uses_stages
    assert config.stack_paths(config.environments[0])[0] == "Lake-Images"
    assert config.stack_paths(config.environments[0])[1] == "Lake-Dev-Network"


@pytest.mark.parametrize("account", ["11111111111", "1111111111111", "11111111111a", ""])
def test_an_account_id_is_12_digits(account: str) -> None:
    message = refused(document(dev={**DEV, "account": account}), "environments.dev.account")
    assert "12 digits" in message
    assert "manage-acct-identifiers" in message


def test_an_unquoted_account_id_is_refused_because_yaml_reads_it_as_a_number() -> None:
    text = "platform: {name: lake, network: {vpc_cidr: 10.0.0.0/16}, log_retention_days: 30}\n"
    text += "environments: {dev: {account: 012345670123, region: us-east-1}}\n"
    text += "teams: " + json.dumps([team()])
    with pytest.raises(PlatformConfigError) as caught:
        parse_platform_config(text, source="platform.yaml")
    (problem,) = caught.value.problems
    assert problem.location == "platform.yaml: environments.dev.account"
    assert "quotes" in problem.fix


@pytest.mark.parametrize("region", sorted(EMR_SERVERLESS_REGIONS))
def test_every_region_emr_serverless_runs_in_is_accepted(region: str) -> None:
    (environment,) = parse(document(dev={**DEV, "region": region})).environments
    assert environment.region == region


# (eu-west-9 and ap-southeast-9 were refused here: a well-formed Region this library does
# not list may have opened since, so it is now a warning; see the tests below.)
@pytest.mark.parametrize("region", ["EU-WEST-1", "mars-1", "eu-west", "eu west 1", "eu-west-1a"])
def test_a_region_without_emr_serverless_is_refused(region: str) -> None:
    message = refused(document(dev={**DEV, "region": region}), "environments.dev.region")
    assert ENDPOINTS_PAGE in message
    assert "is not a Region code" in message


@pytest.mark.parametrize("region", ["eu-west-9", "ap-southeast-9", "us-isob-east-1"])
def test_a_region_the_table_does_not_list_is_a_warning(region: str) -> None:
    config = parse(document(dev={**DEV, "region": region}))
    (environment,) = config.environments
    assert environment.region == region
    (warning,) = config.warnings
    assert warning.id == UNKNOWN_REGION_WARNING
    assert warning.text.startswith(f"platform.yaml: environments.dev.region: {region} is not")
    assert "Availability Zone ids are not checked" in warning.text
    assert ENDPOINTS_PAGE in warning.text


def test_a_listed_region_gives_no_warning() -> None:
    assert parse(document(dev={**DEV, "region": "eu-west-1"})).warnings == ()


def test_in_a_region_the_table_does_not_list_zone_ids_are_not_checked() -> None:
    env = {**DEV, "region": "eu-west-9"}
    pinned = with_network(
        {"vpc_cidr": "10.0.0.0/16", "availability_zone_ids": ["euw9-az1", "euw9-az2"]}, env=env
    )
    (environment,) = parse(pinned).environments
    assert environment.network.availability_zone_ids == ("euw9-az1", "euw9-az2")
    (environment,) = parse(planned("eu-west-9", availability_zones=3)).environments
    assert environment.network.availability_zone_ids == ()  # chosen at deploy time


def test_a_mistyped_region_gets_a_suggestion() -> None:
    # (was refused: a well-formed code is now a warning, which keeps the suggestion)
    (warning,) = parse(document(dev={**DEV, "region": "eu-centrl-1"})).warnings
    assert "did you mean 'eu-central-1'" in warning.text
    message = refused(document(dev={**DEV, "region": "eu_central_1"}), "environments.dev.region")
    assert "did you mean 'eu-central-1'" in message


@pytest.mark.parametrize(("given", "missing"), [("account", "region"), ("region", "account")])
def test_account_and_region_come_together(given: str, missing: str) -> None:
    message = refused(document(dev={given: DEV[given]}), f"environments.dev.{missing}")
    assert "together" in message


def test_every_environment_or_none_names_its_account() -> None:
    message = refused(document(dev=DEV, prod={}), "environments.prod")
    assert "images stack" in message
    assert "environments.prod" in message.split("Fix:")[1]


def test_an_unknown_environment_key_gets_a_suggestion() -> None:
    message = refused(document(dev={**DEV, "acount": "1"}), "environments.dev.acount")
    assert "did you mean 'account'" in message


def test_one_images_stack_per_account_and_region_with_the_first_environment() -> None:
    same = {**DEV}
    config = parse(document(dev=DEV, test=same, prod=PROD))
    dev, test, prod = config.environments
    assert config.images_holder(test) is dev
    assert config.images_holder(prod) is prod
    assert config.stack_paths(dev)[0] == "Dev/Lake-Images"
    assert not any(path.endswith("-Images") for path in config.stack_paths(test))
    assert config.stack_paths(test) == (
        "Test/Lake-Test-Network",
        "Test/Lake-Test-Platform",
        "Test/Lake-Test-Team-Analytics",
    )


# --------------------------------------------------------------------------- existing networks


def with_network(network: dict[str, Any], env: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = document(dev=DEV if env is None else env)
    doc["platform"]["network"] = network
    return doc


def test_an_existing_vpc_and_its_subnets() -> None:
    (environment,) = parse(with_network(existing("10.1.0.0/22", "10.1.4.0/22"))).environments
    network = environment.network
    assert network.existing is not None
    assert network.existing.vpc_id == "vpc-0123456789abcdef0"
    assert [s.cidr for s in network.existing.subnets] == ["10.1.0.0/22", "10.1.4.0/22"]
    assert network.existing.availability_zone_ids == ("use1-az1", "use1-az2")
    assert (network.vpc_cidr, network.nat_gateways, network.availability_zones) == (
        "",
        NatGateways.NONE,
        2,
    )


def test_an_environment_may_use_an_existing_vpc_where_the_base_plans_one() -> None:
    doc = document(
        dev=DEV,
        prod={**PROD, "platform": {"network": existing("10.1.0.0/22", zones=("euw1-az1",))}},
    )
    dev, prod = parse(doc).environments
    assert dev.network.existing is None
    assert dev.network.vpc_cidr == "10.0.0.0/16"
    assert prod.network.existing is not None  # the base's vpc_cidr is not merged in


def test_an_environment_may_plan_a_vpc_where_the_base_names_an_existing_one() -> None:
    doc = document(dev=DEV, prod={**DEV, "platform": {"network": {"vpc_cidr": "10.9.0.0/16"}}})
    doc["platform"]["network"] = existing("10.1.0.0/22")
    dev, prod = parse(doc).environments
    assert dev.network.existing is not None
    assert (prod.network.existing, prod.network.vpc_cidr) == (None, "10.9.0.0/16")


def test_an_existing_vpc_needs_the_environments_account_and_region() -> None:
    message = refused(with_network(existing("10.1.0.0/22"), env={}), "platform.network.vpc_id")
    assert "account" in message


def test_planned_keys_beside_an_existing_vpc_are_refused() -> None:
    network = {**existing("10.1.0.0/22"), "nat_gateways": 1}
    message = refused(with_network(network), "platform.network.nat_gateways")
    assert "existing VPC" in message


@pytest.mark.parametrize("vpc_id", ["vpc-123", "vpc-0123456789abcdef", "vpc_01234567", "01234567"])
def test_a_vpc_id_is_vpc_and_8_or_17_hex_digits(vpc_id: str) -> None:
    network = {**existing("10.1.0.0/22"), "vpc_id": vpc_id}
    assert "resource-ids" in refused(with_network(network), "platform.network.vpc_id")


@pytest.mark.parametrize("vpc_id", ["vpc-0123abcd", "vpc-0123456789abcdef0"])
def test_both_vpc_id_lengths_are_accepted(vpc_id: str) -> None:
    (environment,) = parse(with_network({**existing("10.1.0.0/22"), "vpc_id": vpc_id})).environments
    assert environment.network.existing is not None
    assert environment.network.existing.vpc_id == vpc_id


def test_a_subnet_id_is_checked_and_listed_once() -> None:
    network = existing("10.1.0.0/22", "10.1.4.0/22")
    network["subnets"][0]["subnet_id"] = "subnet-xyz"
    refused(with_network(network), "platform.network.subnets[0].subnet_id")
    network = existing("10.1.0.0/22", "10.1.4.0/22")
    network["subnets"][1]["subnet_id"] = network["subnets"][0]["subnet_id"]
    assert "twice" in refused(with_network(network), "platform.network.subnets[1].subnet_id")


def _cidrs(count: int) -> list[str]:
    return [f"10.1.{4 * index}.0/22" for index in range(count)]


def test_at_most_16_subnets() -> None:
    (environment,) = parse(with_network(existing(*_cidrs(MAX_SUBNETS)))).environments
    assert environment.network.existing is not None
    assert len(environment.network.existing.subnets) == MAX_SUBNETS
    message = refused(with_network(existing(*_cidrs(MAX_SUBNETS + 1))), "platform.network.subnets")
    assert "API_NetworkConfiguration" in message


def test_at_least_one_subnet() -> None:
    refused(with_network(existing()), "platform.network.subnets")


@pytest.mark.parametrize("cidr", ["10.1.0.0/29", "10.1.0.0/15", "10.1.0.1/22", "10.1.0/22"])
def test_a_subnet_cidr_is_an_ipv4_network_of_16_to_28_bits(cidr: str) -> None:
    refused(with_network(existing(cidr)), "platform.network.subnets[0].cidr")


def test_a_subnet_in_a_zone_emr_serverless_does_not_support_is_refused() -> None:
    network = existing("10.1.0.0/22", "10.1.4.0/22", zones=("use1-az3", "use1-az1"))
    message = refused(with_network(network), "platform.network.subnets[0].availability_zone_id")
    assert ENDPOINTS_PAGE in message
    network = existing("10.1.0.0/22", "10.1.4.0/22", zones=("use1-az6", "use1-az1"))
    assert parse(with_network(network)).environments[0].network.existing is not None


@pytest.mark.parametrize("zone", ["us-east-1a", "use1az1", "USE1-AZ1", ""])
def test_an_availability_zone_id_looks_like_use1_az1(zone: str) -> None:
    network = existing("10.1.0.0/22", zones=(zone,))
    refused(with_network(network), "platform.network.subnets[0].availability_zone_id")


# --------------------------------------------------------------------------- planned zones


def planned(region: str, **network: Any) -> dict[str, Any]:
    return with_network({"vpc_cidr": "10.0.0.0/16", **network}, env={**DEV, "region": region})


def test_in_a_region_with_limited_zones_the_platform_chooses_supported_zone_ids() -> None:
    (environment,) = parse(planned("us-east-1", availability_zones=3)).environments
    assert environment.network.availability_zone_ids == ("use1-az1", "use1-az2", "use1-az4")
    assert environment.network.availability_zones == 3


@pytest.mark.parametrize("region", sorted(SUPPORTED_AZ_IDS))
def test_every_limited_region_can_hold_as_many_zones_as_it_supports(region: str) -> None:
    supported = SUPPORTED_AZ_IDS[region]
    (environment,) = parse(planned(region, availability_zones=len(supported))).environments
    assert set(environment.network.availability_zone_ids) == supported
    message = refused(
        planned(region, availability_zones=len(supported) + 1),
        "platform.network.availability_zones",
    )
    assert f"only {len(supported)} Availability Zones in {region}" in message


def test_in_a_region_without_limits_zones_are_chosen_at_deploy_time() -> None:
    unlimited = sorted(EMR_SERVERLESS_REGIONS - set(SUPPORTED_AZ_IDS))
    assert unlimited  # e.g. me-south-1: the endpoints page lists no zone ids
    (environment,) = parse(planned(unlimited[0], availability_zones=3)).environments
    assert environment.network.availability_zone_ids == ()


def test_zone_ids_pinned_by_the_file_are_used_and_checked() -> None:
    pinned = ["use1-az6", "use1-az1"]
    (environment,) = parse(planned("us-east-1", availability_zone_ids=pinned)).environments
    assert environment.network.availability_zone_ids == tuple(pinned)
    assert environment.network.availability_zones == 2
    message = refused(
        planned("us-east-1", availability_zone_ids=["use1-az3", "use1-az1"]),
        "platform.network.availability_zone_ids[0]",
    )
    assert "use1-az3" in message


def test_pinned_zone_ids_agree_with_the_zone_count() -> None:
    doc = planned("eu-west-1", availability_zones=3, availability_zone_ids=["euw1-az1", "euw1-az2"])
    assert "lists 2 zones" in refused(doc, "platform.network.availability_zones")


@pytest.mark.parametrize("zones", [["use1-az1"], ["use1-az1", "use1-az1"]])
def test_pinned_zone_ids_are_two_or_more_distinct_zones(zones: list[str]) -> None:
    refused(
        planned("us-east-1", availability_zone_ids=zones), "platform.network.availability_zone_ids"
    )


def test_pinned_zone_ids_need_the_environments_region() -> None:
    doc = planned("us-east-1", availability_zone_ids=["use1-az1", "use1-az2"])
    doc["environments"] = {"dev": {}}
    message = refused(doc, "platform.network.availability_zone_ids")
    assert "Region" in message


# --------------------------------------------------------------------------- tags


def tagged(
    platform: dict[str, Any] | None = None,
    team_tags: dict[str, Any] | None = None,
    env: dict[str, Any] | None = None,
) -> dict[str, Any]:
    doc = document(dev=DEV if env is None else env)
    if platform is not None:
        doc["platform"]["tags"] = platform
    if team_tags is not None:
        doc["teams"][0]["tags"] = team_tags
    return doc


def test_tags_of_the_platform_the_environment_and_the_team() -> None:
    env = {**DEV, "platform": {"tags": {"stage": "non-production", "cost-centre": "4712"}}}
    doc = tagged(
        {"cost-centre": "4711", "owner": "lake@example.com"}, {"data-domain": "sales"}, env
    )
    config = parse(doc)
    (dev,) = config.environments
    assert dev.resource_tags() == {
        "cost-centre": "4712",
        "owner": "lake@example.com",
        "stage": "non-production",
        "platform": "lake",
        "environment": "dev",
    }
    assert dev.team_tags("analytics") == {
        **dev.resource_tags(),
        "data-domain": "sales",
        "team": "analytics",
    }
    assert dict(config.tags) == {"cost-centre": "4711", "owner": "lake@example.com"}
    assert dict(dict(config.team_tags)["analytics"]) == {"data-domain": "sales"}


def test_a_teams_tag_wins_over_the_platforms() -> None:
    (dev,) = parse(tagged({"cost-centre": "1"}, {"cost-centre": "2"})).environments
    assert dev.team_tags("analytics")["cost-centre"] == "2"


@pytest.mark.parametrize("key", ["aws:cost", "AWS:cost", "Aws:x"])
def test_the_aws_prefix_is_reserved(key: str) -> None:
    assert "reserved" in refused(tagged({key: "x"}), f"platform.tags.{key}")


@pytest.mark.parametrize("key", PLATFORM_TAG_KEYS)
def test_the_platforms_own_keys_are_refused(key: str) -> None:
    assert "itself" in refused(tagged(team_tags={key: "x"}), f"teams[0].tags.{key}")


def test_a_tag_key_has_1_to_128_characters() -> None:
    longest = "k" * MAX_TAG_KEY
    assert dict(parse(tagged({longest: "v"})).tags) == {longest: "v"}
    message = refused(tagged({longest + "k": "v"}), f"platform.tags.{longest}k")
    assert "API_TagResource" in message


def test_a_tag_value_has_0_to_256_characters() -> None:
    assert dict(parse(tagged({"a": "v" * MAX_TAG_VALUE, "b": ""})).tags)["b"] == ""
    refused(tagged({"a": "v" * (MAX_TAG_VALUE + 1)}), "platform.tags.a")


@pytest.mark.parametrize("value", ["café", "a#b", "x,y", "line\nbreak"])
def test_tag_values_use_the_characters_emr_serverless_allows(value: str) -> None:
    refused(tagged({"a": value}), "platform.tags.a")


@pytest.mark.parametrize("value", [4711, None, True, ["a"]])
def test_a_tag_value_is_text(value: Any) -> None:
    message = refused(tagged({"cost-centre": value}), "platform.tags.cost-centre")
    assert "quotes" in message


def test_tags_are_a_mapping() -> None:
    refused(tagged(["cost-centre=1"]), "platform.tags")  # type: ignore[arg-type]


def _many(count: int, prefix: str = "k") -> dict[str, str]:
    return {f"{prefix}{index}": "v" for index in range(count)}


def test_the_platforms_tags_leave_room_for_the_platforms_and_aws_cdk_libs_own() -> None:
    assert MAX_TAGS - 2 - NETWORK_TAGS_FROM_CONSTRUCTS == MAX_ENVIRONMENT_TAGS
    assert len(parse(tagged(_many(MAX_ENVIRONMENT_TAGS))).tags) == MAX_ENVIRONMENT_TAGS
    message = refused(tagged(_many(MAX_ENVIRONMENT_TAGS + 1)), "platform.tags")
    assert "remove 1" in message


def test_with_an_existing_vpc_no_room_is_kept_for_aws_cdk_libs_subnet_tags() -> None:
    """No subnet is created: only the team stacks' platform, environment, team and job."""
    assert MAX_ENVIRONMENT_TAGS_EXISTING_VPC == MAX_TEAM_STACK_TAGS > MAX_ENVIRONMENT_TAGS
    doc = tagged(_many(MAX_ENVIRONMENT_TAGS_EXISTING_VPC))
    doc["platform"]["network"] = existing("10.1.0.0/22")
    (dev,) = parse(doc).environments
    assert len(dev.tags) == MAX_ENVIRONMENT_TAGS_EXISTING_VPC
    doc["platform"]["tags"] = _many(MAX_ENVIRONMENT_TAGS_EXISTING_VPC + 1)
    message = refused(doc, "platform.tags")
    assert "remove 1" in message
    assert "subnet" not in message


def test_the_platforms_and_a_teams_tags_together_leave_room_for_the_platforms_own() -> None:
    assert MAX_TAGS - len(PLATFORM_TAG_KEYS) - TEAM_TAGS_FROM_CONSTRUCTS == MAX_TEAM_STACK_TAGS
    room = MAX_TEAM_STACK_TAGS - 40
    doc = tagged(_many(40), _many(room, prefix="t"))
    (dev,) = parse(doc).environments
    # a declared job's runs carry one more tag, the job's name: exactly 50
    assert len(dev.team_tags("analytics")) + 1 == MAX_TAGS - TEAM_TAGS_FROM_CONSTRUCTS
    message = refused(tagged(_many(40), _many(room + 1, prefix="t")), "teams[0].tags")
    assert "team analytics in dev" in message
    shared = tagged(_many(40), {**_many(room, prefix="t"), "k0": "again"})  # same key: one tag
    assert parse(shared).environments[0].team_tags("analytics")["k0"] == "again"


def test_an_override_is_blamed_where_it_is_written() -> None:
    env = {**DEV, "platform": {"tags": {"aws:x": "1"}}}
    refused(tagged({"a": "b"}, env=env), "environments.dev.platform.tags.aws:x")


def _api_pattern(shape: str) -> re.Pattern[str]:
    model = Path(botocore.__file__).parent / "data" / "emr-serverless" / "2021-07-13"
    data = json.loads(gzip.decompress((model / "service-2.json.gz").read_bytes()))
    return re.compile(data["shapes"][shape]["pattern"])


_KEY_PATTERN = _api_pattern("TagKey")
_VALUE_PATTERN = _api_pattern("TagValue")


@given(st.text(min_size=1, max_size=MAX_TAG_KEY + 2), st.text(max_size=MAX_TAG_VALUE + 2))
def test_tags_are_accepted_exactly_as_the_emr_serverless_api_accepts_them(
    key: str, value: str
) -> None:
    service = (
        len(key) <= MAX_TAG_KEY
        and bool(_KEY_PATTERN.fullmatch(key))
        and len(value) <= MAX_TAG_VALUE
        and bool(_VALUE_PATTERN.fullmatch(value))
        and not key.lower().startswith("aws:")
    )
    if key in PLATFORM_TAG_KEYS:
        return  # refused by design: the platform sets them
    try:
        config = parse(tagged({key: value}))
    except PlatformConfigError:
        assert not service
    else:
        assert service
        assert dict(config.tags) == {key: value}


def test_the_two_account_fixture_is_valid() -> None:
    config = parse_platform_config(FIXTURE.read_text(), source=FIXTURE.name)
    dev, prod = config.environments
    assert (dev.target, prod.target) == (
        ("111111111111", "us-east-1"),
        ("222222222222", "us-west-2"),
    )
    assert dev.network.availability_zone_ids == ("use1-az1", "use1-az2")
    assert prod.network.existing is not None


def test_make_plan_records_only_the_networks_the_platform_plans() -> None:
    config = parse_platform_config(FIXTURE.read_text(), source=str(FIXTURE))
    record = plan_platform(config, SubnetRecord())
    assert record.get("dev") is not None
    assert record.get("prod") is None  # an existing VPC: its owners place its subnets
