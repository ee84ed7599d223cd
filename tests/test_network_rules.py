"""Rules of a new VPC: the CIDR size Amazon VPC takes, zones EMR Serverless supports."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.network import ZONE_IDS_WARNING, EmrServerlessNetwork
from constructs_lib.network_rules import VPC_CIDR_BLOCKS_PAGE, check_vpc_cidr
from constructs_lib.subnet_planning import Workload
from tests.harness import new_app

ONE = [Workload(400, 4)]


def _stack(region: str | None = None) -> cdk.Stack:
    env = None if region is None else cdk.Environment(account="123456789012", region=region)
    return cdk.Stack(new_app(compliance=False), "S", env=env)


def _warnings(network: EmrServerlessNetwork) -> list[str]:
    return [str(m.data) for m in network.node.metadata if m.type == "aws:cdk:warning"]


@pytest.mark.parametrize(
    ("cidr", "ok"),
    [
        ("10.0.0.0/8", False),
        ("10.0.0.0/15", False),
        ("10.0.0.0/16", True),
        ("10.0.0.0/28", True),
        ("10.0.0.0/29", False),
    ],
)
def test_vpc_cidr_blocks_are_16_to_28(cidr: str, ok: bool) -> None:
    # Source: Amazon VPC User Guide, VPC CIDR blocks (/16 to /28).
    if ok:
        check_vpc_cidr(cidr)
    else:
        with pytest.raises(EmrServerlessValidationError) as error:
            check_vpc_cidr(cidr)
        assert VPC_CIDR_BLOCKS_PAGE in error.value.rule
        assert error.value.argument == "vpc_cidr"


def test_the_network_refuses_a_slash_8_vpc() -> None:
    with pytest.raises(EmrServerlessValidationError, match="vpc-cidr-blocks") as error:
        EmrServerlessNetwork(_stack(), "Network", workloads=ONE, vpc_cidr="10.0.0.0/8")
    assert error.value.argument == "vpc_cidr"
    network = EmrServerlessNetwork(_stack(), "Network", workloads=ONE, vpc_cidr="10.0.0.0/16")
    assert network.plan is not None


@pytest.mark.parametrize(
    ("region", "most"), [("us-west-1", 2), ("ca-central-1", 3), ("us-east-1", 5)]
)
def test_no_more_zones_than_the_region_supports(region: str, most: int) -> None:
    # Source: endpoints-quotas (EMR Serverless runs only in listed zone ids).
    with pytest.raises(EmrServerlessValidationError, match="endpoints-quotas") as error:
        EmrServerlessNetwork(_stack(region), "Network", workloads=ONE, azs=most + 1)
    assert error.value.argument == "azs"
    network = EmrServerlessNetwork(_stack(region), "Network", workloads=ONE, azs=most)
    assert network.plan is not None
    assert network.plan.azs == most


def test_zones_chosen_by_name_are_a_warning_where_the_region_skips_zone_ids() -> None:
    skipping = EmrServerlessNetwork(_stack("us-east-1"), "Network", workloads=ONE, azs=2)
    assert any(ZONE_IDS_WARNING in w and "use1-az1" in w for w in _warnings(skipping))
    every = EmrServerlessNetwork(_stack("eu-west-1"), "Network", workloads=ONE, azs=3)
    assert not any(ZONE_IDS_WARNING in w for w in _warnings(every))
    unknown = EmrServerlessNetwork(_stack(), "Network", workloads=ONE, azs=3)
    assert not any(ZONE_IDS_WARNING in w for w in _warnings(unknown))
