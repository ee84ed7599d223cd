"""The Region and Availability Zone table: rows from the endpoints page, checks by zone id."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.availability_zones import (
    EMR_SERVERLESS_REGIONS,
    ENDPOINTS_PAGE,
    REGION_ENDPOINTS,
    SUPPORTED_AZ_IDS,
    check_az_count,
    check_az_ids,
    skips_zones,
    supported_az_ids,
    zone_choice_warning,
)
from constructs_lib.errors import EmrServerlessValidationError

#: Zone id prefix of each Region code part (us-east-1 -> use1), as AWS forms zone ids.
_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "southeast": "se",
    "northwest": "nw",
    "southwest": "sw",
}


def _zone_prefix(region: str) -> str:
    parts = region.split("-")
    if parts[0] == "us" and parts[1] == "gov":
        return f"usg{_DIRECTIONS[parts[2]]}{parts[3]}"
    return f"{parts[0]}{_DIRECTIONS[parts[1]]}{parts[2]}"


def test_every_row_cites_the_endpoints_page_and_names_its_own_zones() -> None:
    assert len({row.region for row in REGION_ENDPOINTS}) == len(REGION_ENDPOINTS)
    for row in REGION_ENDPOINTS:
        assert row.source.startswith(ENDPOINTS_PAGE)
        for az_id in row.az_ids:
            assert re.fullmatch(rf"{_zone_prefix(row.region)}-az\d", az_id), (row.region, az_id)


def test_the_current_restrictions() -> None:
    # The endpoints page: us-east-1 skips use1-az3, us-west-1 has usw1-az1 and az3,
    # ca-central-1 cac1-az1, az2 and az4; me-south-1 names no zones.
    assert supported_az_ids("us-east-1") == {
        "use1-az1",
        "use1-az2",
        "use1-az4",
        "use1-az5",
        "use1-az6",
    }
    assert supported_az_ids("us-west-1") == {"usw1-az1", "usw1-az3"}
    assert supported_az_ids("ca-central-1") == {"cac1-az1", "cac1-az2", "cac1-az4"}
    assert supported_az_ids("af-south-1") == {"afs1-az1", "afs1-az2", "afs1-az3"}
    assert supported_az_ids("me-south-1") is None
    assert "me-south-1" in EMR_SERVERLESS_REGIONS
    assert set(SUPPORTED_AZ_IDS) < EMR_SERVERLESS_REGIONS


def test_regions_that_skip_zone_ids() -> None:
    assert {r for r in EMR_SERVERLESS_REGIONS if skips_zones(r)} == {
        "us-east-1",
        "us-west-1",
        "ap-northeast-1",
        "ca-central-1",
    }
    assert zone_choice_warning("eu-west-1") is None
    warning = zone_choice_warning("us-east-1")
    assert warning is not None
    assert "use1-az1" in warning
    assert ENDPOINTS_PAGE in warning


@pytest.mark.parametrize("region", sorted(SUPPORTED_AZ_IDS))
def test_check_az_ids_refuses_an_unsupported_zone_and_accepts_the_supported(region: str) -> None:
    supported = sorted(SUPPORTED_AZ_IDS[region])
    check_az_ids(region, supported, argument="vpc_subnets")
    unsupported = f"{_zone_prefix(region)}-az9"
    with pytest.raises(EmrServerlessValidationError, match="endpoints-quotas") as error:
        check_az_ids(region, [*supported, unsupported], argument="vpc_subnets")
    assert error.value.value == [unsupported]


@given(st.sampled_from(sorted(SUPPORTED_AZ_IDS)), st.integers(1, 8))
def test_check_az_count_at_and_past_the_supported_count(region: str, azs: int) -> None:
    if azs <= len(SUPPORTED_AZ_IDS[region]):
        check_az_count(region, azs)
    else:
        with pytest.raises(EmrServerlessValidationError, match="endpoints-quotas"):
            check_az_count(region, azs)


def test_unknown_and_unrestricted_regions_are_not_checked() -> None:
    check_az_count("me-south-1", 6)
    check_az_count("xx-nowhere-1", 6)
    check_az_ids("xx-nowhere-1", ["xxn1-az9"], argument="vpc_subnets")
