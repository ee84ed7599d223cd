"""The subnet planner: the guide's worked examples, its rules as properties, and refusals."""

from __future__ import annotations

import ipaddress
import math
import re
from itertools import islice, pairwise
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.subnet_planning import (
    MAX_USABLE_ADDRESSES,
    RESERVED_ADDRESSES_PER_SUBNET,
    VALID_WORKER_VCPUS,
    WORKER_GROUP,
    SubnetGroup,
    SubnetPlan,
    SubnetPlanningError,
    Workload,
    available_addresses,
    check_cidr_capacity,
    plan_subnets,
    smallest_prefix_for,
    usable_addresses,
    workers_for,
)

# --- The guide's examples (User Guide L1979-1999; requirements.md §4.3-4.4) ---------------


def test_guide_table_four_22s_in_a_16() -> None:
    plan = plan_subnets([Workload(4000, 4)], vpc_cidr="10.0.0.0/16", azs=4)
    rows = [
        (s.az_index, s.cidr, s.netmask, s.first_ip, s.last_ip, s.available, s.usable)
        for s in plan.worker_subnets
    ]
    assert rows == [
        (0, "10.0.0.0/22", "255.255.252.0", "10.0.0.0", "10.0.3.255", 1024, 1019),
        (1, "10.0.4.0/22", "255.255.252.0", "10.0.4.0", "10.0.7.255", 1024, 1019),
        # The older copy of the guide prints 10.0.4.0 - 10.0.7.255 here again (a typo).
        (2, "10.0.8.0/22", "255.255.252.0", "10.0.8.0", "10.0.11.255", 1024, 1019),
        (3, "10.0.12.0/22", "255.255.252.0", "10.0.12.0", "10.0.15.255", 1024, 1019),
    ]
    assert plan.peak_workers == 1000
    assert all(s.required == 1000 and s.headroom == 19 for s in plan.worker_subnets)


@pytest.mark.parametrize(
    ("apps", "workload", "expected"),
    [
        # (applications, (max vCPU, worker vCPU)), (workers, prefix, available, usable)
        (1, (4000, 4), (1000, 22, 1024, 1019)),  # L1983-1987
        (1, (4000, 16), (250, 24, 256, 251)),  # L1995
        (3, (4000, 4), (3000, 20, 4096, 4091)),  # L1997: three applications sharing subnets
        (1, (4000, 8), (500, 23, 512, 507)),
        (1, (4000, 2), (2000, 21, 2048, 2043)),
        (1, (4000, 1), (4000, 20, 4096, 4091)),
        (1, (400, 4), (100, 25, 128, 123)),  # the guide's canonical 400-vCPU application
    ],
)
def test_guide_sizing_vectors(
    apps: int, workload: tuple[int, int], expected: tuple[int, int, int, int]
) -> None:
    workers, prefix, available, usable = expected
    plan = plan_subnets([Workload(*workload)] * apps, vpc_cidr="10.0.0.0/16", azs=2)
    assert plan.peak_workers == workers
    assert [s.prefix for s in plan.worker_subnets] == [prefix, prefix]
    assert {(s.available, s.usable) for s in plan.worker_subnets} == {(available, usable)}


def test_sizes_on_usable_not_available_addresses() -> None:
    # 1,020 workers fit a /22's 1,024 addresses but not its 1,019 usable ones.
    assert smallest_prefix_for(1019) == 22
    assert smallest_prefix_for(1020) == 21


def test_headroom_and_other_addresses_add_to_the_need() -> None:
    plan = plan_subnets(
        [Workload(4000, 4, headroom_percent=10), Workload(100, 16, headroom_percent=5)],
        vpc_cidr="10.0.0.0/16",
        other_addresses=9,
    )
    # ceil(1000 * 1.10) + ceil(7 * 1.05) + 9 = 1100 + 8 + 9
    assert plan.required_addresses == 1117
    assert plan.peak_workers == 1007
    assert plan.worker_prefix == 21


def test_extra_group_is_carved_from_the_top() -> None:
    plan = plan_subnets(
        [Workload(4000, 4)],
        vpc_cidr="10.0.0.0/16",
        extra_groups=[SubnetGroup("public", prefix=28)],
    )
    assert [s.cidr for s in plan.group("public")] == [
        "10.0.255.240/28",
        "10.0.255.224/28",
        "10.0.255.208/28",
    ]
    assert [s.az_index for s in plan.group("public")] == [0, 1, 2]


def test_free_space_is_reported() -> None:
    plan = plan_subnets([Workload(4000, 4)], vpc_cidr="10.0.0.0/16", azs=4)
    assert plan.free_cidrs == ("10.0.16.0/20", "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17")
    assert plan.free_addresses == 65536 - 4 * 1024


def test_to_dict_has_the_documented_keys() -> None:
    plan = plan_subnets([Workload(4000, 4)], vpc_cidr="10.0.0.0/16")
    subnet = plan.to_dict()["subnets"][0]
    assert set(subnet) == {
        "cidr",
        "netmask",
        "first_ip",
        "last_ip",
        "available",
        "usable",
        "required",
        "headroom",
        "az_index",
        "group",
    }
    assert subnet == plan.worker_subnets[0].to_dict()


# --- Pure arithmetic, exhaustively ----------------------------------------------------


def test_smallest_prefix_for_every_address_count() -> None:
    prefixes = range(28, 15, -1)  # smallest subnet first
    for addresses in range(MAX_USABLE_ADDRESSES + 1):
        expected = next(p for p in prefixes if 2 ** (32 - p) - 5 >= addresses)
        assert smallest_prefix_for(addresses) == expected


@pytest.mark.parametrize("prefix", range(16, 29))
def test_usable_is_available_minus_reserved(prefix: int) -> None:
    assert available_addresses(prefix) == 2 ** (32 - prefix)
    assert usable_addresses(prefix) == 2 ** (32 - prefix) - RESERVED_ADDRESSES_PER_SUBNET
    assert usable_addresses(prefix) == ipaddress.ip_network(f"10.0.0.0/{prefix}").num_addresses - 5


@given(st.integers(min_value=1, max_value=10**7), st.sampled_from(VALID_WORKER_VCPUS))
def test_workers_for_is_ceiling_division(max_vcpu: int, worker_vcpu: int) -> None:
    assert workers_for(max_vcpu, worker_vcpu) == math.ceil(max_vcpu / worker_vcpu)


@given(
    st.integers(min_value=1, max_value=100_000),
    st.sampled_from(VALID_WORKER_VCPUS),
    st.integers(min_value=0, max_value=300),
)
def test_headroom_rounds_up(max_vcpu: int, worker_vcpu: int, headroom: int) -> None:
    workload = Workload(max_vcpu, worker_vcpu, headroom_percent=headroom)
    required = workload.required_addresses
    assert required * 100 >= workload.workers * (100 + headroom)
    assert (required - 1) * 100 < workload.workers * (100 + headroom)


# --- Properties of plans ---------------------------------------------------------------

workloads_st = st.lists(
    st.builds(
        Workload,
        max_vcpu=st.integers(min_value=1, max_value=8000),
        worker_vcpu=st.sampled_from(VALID_WORKER_VCPUS),
        headroom_percent=st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=4,
)
groups_st = st.lists(
    st.one_of(
        st.builds(SubnetGroup, name=st.just("x"), prefix=st.integers(min_value=20, max_value=28)),
        st.builds(
            SubnetGroup, name=st.just("x"), addresses=st.integers(min_value=0, max_value=900)
        ),
    ),
    max_size=3,
).map(lambda groups: [SubnetGroup(f"g{i}", g.addresses, g.prefix) for i, g in enumerate(groups)])


@st.composite
def vpc_cidrs(draw: st.DrawFn, min_prefix: int = 8, max_prefix: int = 28) -> str:
    prefix = draw(st.integers(min_value=min_prefix, max_value=max_prefix))
    base = draw(st.integers(min_value=0, max_value=2**32 - 1)) >> (32 - prefix) << (32 - prefix)
    return str(ipaddress.IPv4Network((base, prefix)))


@st.composite
def plan_inputs(draw: st.DrawFn, min_prefix: int = 8, max_prefix: int = 16) -> dict[str, Any]:
    """Keyword arguments of plan_subnets: workloads, VPC CIDR, AZs and extra groups."""
    return {
        "workloads": draw(workloads_st),
        "vpc_cidr": draw(vpc_cidrs(min_prefix, max_prefix)),
        "azs": draw(st.integers(min_value=2, max_value=6)),
        "extra_groups": draw(groups_st),
    }


def _plan_or_none(**kwargs: object) -> SubnetPlan | None:
    try:
        return plan_subnets(**kwargs)  # type: ignore[arg-type]
    except SubnetPlanningError:
        return None


def _planning_error(**kwargs: object) -> SubnetPlanningError | None:
    try:
        plan_subnets(**kwargs)  # type: ignore[arg-type]
    except SubnetPlanningError as error:
        return error
    return None


def _interval(cidr: str) -> tuple[int, int]:
    network = ipaddress.IPv4Network(cidr)
    return int(network.network_address), int(network.broadcast_address)


@given(plan_inputs())
def test_plan_properties(inputs: dict[str, Any]) -> None:
    plan = _plan_or_none(**inputs)
    assume(plan is not None)
    assert plan is not None
    workloads, azs, groups = inputs["workloads"], inputs["azs"], inputs["extra_groups"]
    vpc = ipaddress.IPv4Network(inputs["vpc_cidr"])
    networks = [ipaddress.IPv4Network(s.cidr) for s in plan.subnets]
    # Containment and AWS bounds.
    assert all(n.subnet_of(vpc) and 16 <= n.prefixlen <= 28 for n in networks)
    # Disjointness (sorted intervals do not overlap), also against the free space.
    intervals = sorted(_interval(c) for c in [*(s.cidr for s in plan.subnets), *plan.free_cidrs])
    assert all(a[1] < b[0] for a, b in pairwise(intervals))
    # Planned plus free space is exactly the VPC CIDR.
    assert sum(n.num_addresses for n in networks) + plan.free_addresses == vpc.num_addresses
    # One subnet per AZ per group.
    assert len(plan.worker_subnets) == azs
    assert [s.az_index for s in plan.worker_subnets] == list(range(azs))
    for group in groups:
        assert [s.az_index for s in plan.group(group.name)] == list(range(azs))
    # Sufficiency: every AZ's worker subnet holds the peak of all workloads together.
    need = sum(w.required_addresses for w in workloads)
    assert all(s.required == need <= s.usable for s in plan.worker_subnets)
    assert plan.peak_workers == sum(math.ceil(w.max_vcpu / w.worker_vcpu) for w in workloads)
    # Minimality: one size smaller would not hold the need (or the subnet is a /28).
    for subnet in plan.subnets:
        sized_by_need = subnet.group == WORKER_GROUP or _group(groups, subnet.group).prefix is None
        if sized_by_need and subnet.prefix < 28:
            assert usable_addresses(subnet.prefix + 1) < subnet.required
        assert subnet.headroom == subnet.usable - subnet.required >= 0


def _group(groups: list[SubnetGroup], name: str) -> SubnetGroup:
    return next(g for g in groups if g.name == name)


@given(plan_inputs())
def test_deterministic_and_independent_of_workload_order(inputs: dict[str, Any]) -> None:
    plan = _plan_or_none(**inputs)
    assert plan == _plan_or_none(**inputs)
    reordered = _plan_or_none(**{**inputs, "workloads": inputs["workloads"][::-1]})
    assert (plan and plan.subnets) == (reordered and reordered.subnets)


@given(plan_inputs(), workloads_st)
def test_appending_workloads_moves_no_other_group_and_no_subnet_that_keeps_its_size(
    inputs: dict[str, Any], more: list[Workload]
) -> None:
    before = _plan_or_none(**inputs)
    after = _plan_or_none(**{**inputs, "workloads": inputs["workloads"] + more})
    assume(before is not None and after is not None)
    assert before is not None
    assert after is not None
    for group in inputs["extra_groups"]:
        assert after.group(group.name) == before.group(group.name)
    if after.worker_prefix == before.worker_prefix:
        assert [s.cidr for s in after.worker_subnets] == [s.cidr for s in before.worker_subnets]
    else:  # grown: a subnet AWS must replace, still at the bottom of the VPC CIDR
        assert after.worker_subnets[0].first_ip == before.worker_subnets[0].first_ip


@given(plan_inputs(), groups_st)
def test_appending_groups_moves_no_earlier_subnet(
    inputs: dict[str, Any], more: list[SubnetGroup]
) -> None:
    more = [SubnetGroup(f"more{i}", g.addresses, g.prefix) for i, g in enumerate(more)]
    before = _plan_or_none(**inputs)
    after = _plan_or_none(**{**inputs, "extra_groups": inputs["extra_groups"] + more})
    assume(before is not None and after is not None)
    assert before is not None
    assert after is not None
    assert after.subnets[: len(before.subnets)] == before.subnets


@given(
    st.integers(min_value=16, max_value=28),
    st.integers(min_value=2, max_value=8),
    vpc_cidrs(8, 20),
)
def test_equal_worker_subnets_agree_with_ipaddress(prefix: int, azs: int, vpc_cidr: str) -> None:
    vpc = ipaddress.IPv4Network(vpc_cidr)
    assume(vpc.prefixlen <= prefix)
    # A workload whose need is exactly the usable count of a /prefix.
    workload = Workload(max_vcpu=usable_addresses(prefix), worker_vcpu=1)
    plan = _plan_or_none(workloads=[workload], vpc_cidr=vpc_cidr, azs=azs)
    fits = azs * 2 ** (32 - prefix) <= vpc.num_addresses
    assert (plan is not None) == fits
    if plan is not None:
        expected = list(islice(vpc.subnets(new_prefix=prefix), azs))
        assert [s.cidr for s in plan.worker_subnets] == [str(n) for n in expected]


@given(st.integers(min_value=17, max_value=28), st.integers(min_value=2, max_value=7))
def test_equal_extra_subnets_agree_with_ipaddress_from_the_top(prefix: int, azs: int) -> None:
    vpc = ipaddress.IPv4Network((0x0A000000, prefix - 4))  # room for 16 subnets
    plan = plan_subnets(
        [Workload(1, 1)],
        vpc_cidr=str(vpc),
        azs=azs,
        extra_groups=[SubnetGroup("other", prefix=prefix)],
    )
    expected = list(vpc.subnets(new_prefix=prefix))[-azs:][::-1]
    assert [s.cidr for s in plan.group("other")] == [str(n) for n in expected]


_FIX_PREFIX = re.compile(r"use a /(\d+) or larger")


@given(plan_inputs(12, 26))
def test_fails_loudly_when_it_cannot_fit_and_names_the_smallest_vpc_that_fits(
    inputs: dict[str, Any],
) -> None:
    workloads, vpc_cidr, azs = inputs["workloads"], inputs["vpc_cidr"], inputs["azs"]
    groups = inputs["extra_groups"]
    vpc = ipaddress.IPv4Network(vpc_cidr)
    need = sum(w.required_addresses for w in workloads)
    assume(need <= MAX_USABLE_ADDRESSES)
    worker_size = 2 ** (32 - smallest_prefix_for(need))
    total = azs * (worker_size + sum(2 ** (32 - g.subnet_prefix) for g in groups))
    error = _planning_error(**inputs)
    if error is None:
        assert total <= vpc.num_addresses
        return
    assert error.argument == "vpc_cidr"
    assert vpc_cidr in str(error)
    match = _FIX_PREFIX.search(error.fix)
    assert match is not None
    fitting = int(match[1])
    assert fitting < vpc.prefixlen
    larger = ipaddress.IPv4Network((int(vpc.network_address), fitting), strict=False)
    plan_subnets(workloads, vpc_cidr=str(larger), azs=azs, extra_groups=groups)
    smaller = ipaddress.IPv4Network((int(vpc.network_address), fitting + 1), strict=False)
    with pytest.raises(SubnetPlanningError):
        plan_subnets(workloads, vpc_cidr=str(smaller), azs=azs, extra_groups=groups)


@given(plan_inputs(12, 26))
def test_worker_subnets_alone_fit_exactly_when_the_space_suffices(inputs: dict[str, Any]) -> None:
    inputs["extra_groups"] = []
    need = sum(w.required_addresses for w in inputs["workloads"])
    assume(need <= MAX_USABLE_ADDRESSES)
    total = inputs["azs"] * 2 ** (32 - smallest_prefix_for(need))
    plan = _plan_or_none(**inputs)
    assert (plan is not None) == (total <= ipaddress.IPv4Network(inputs["vpc_cidr"]).num_addresses)


# --- check_cidr_capacity (the existing-subnet check's calculator) ---------------------


def test_cidr_capacity_refusal_names_the_subnet_and_the_answer() -> None:
    with pytest.raises(SubnetPlanningError) as caught:
        check_cidr_capacity(
            "10.0.0.0/24", workers=1000, subnet="subnet-0abc", argument="vpc_subnets"
        )
    assert "subnet-0abc (10.0.0.0/24, 251 usable) cannot hold 1000 workers; use /22 or larger" in (
        str(caught.value)
    )
    assert caught.value.argument == "vpc_subnets"


@given(st.integers(min_value=16, max_value=28), st.integers(min_value=1, max_value=70_000))
def test_cidr_capacity_agrees_with_usable_addresses(prefix: int, workers: int) -> None:
    cidr = f"10.0.0.0/{prefix}"
    if usable_addresses(prefix) >= workers:
        check_cidr_capacity(cidr, workers=workers, subnet="s", argument="a")
        return
    with pytest.raises(SubnetPlanningError) as caught:
        check_cidr_capacity(cidr, workers=workers, subnet="s", argument="a")
    assert f"({cidr}, {usable_addresses(prefix)} usable) cannot hold {workers} workers" in str(
        caught.value
    )


def test_cidr_capacity_beyond_a_16_says_no_subnet_can() -> None:
    with pytest.raises(SubnetPlanningError, match="no subnet can"):
        check_cidr_capacity("10.0.0.0/16", workers=65532, subnet="s", argument="a")


def test_cidr_capacity_refuses_a_malformed_cidr() -> None:
    with pytest.raises(SubnetPlanningError, match="no valid IPv4 CIDR"):
        check_cidr_capacity("10.0.0.0/40", workers=1, subnet="s", argument="a")


# --- Refusals, each with its valid neighbour ------------------------------------------


def test_error_is_one_value_error_subclass() -> None:
    assert issubclass(SubnetPlanningError, EmrServerlessValidationError)
    assert issubclass(SubnetPlanningError, ValueError)


@pytest.mark.parametrize("worker_vcpu", [0, 3, 5, 6, 12, 32, True, 4.0])
def test_refuses_worker_sizes_emr_serverless_does_not_offer(worker_vcpu: object) -> None:
    with pytest.raises(SubnetPlanningError, match=r"1, 2, 4, 8 or 16 vCPU") as caught:
        Workload(4000, worker_vcpu)  # type: ignore[arg-type]
    assert caught.value.argument == "worker_vcpu"
    with pytest.raises(SubnetPlanningError, match=r"worker_vcpu="):
        workers_for(4000, worker_vcpu)  # type: ignore[arg-type]


@pytest.mark.parametrize("worker_vcpu", VALID_WORKER_VCPUS)
def test_accepts_every_worker_size(worker_vcpu: int) -> None:
    assert Workload(4000, worker_vcpu).workers == 4000 // worker_vcpu


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"max_vcpu": 0, "worker_vcpu": 4}, "max_vcpu"),
        ({"max_vcpu": 1.5, "worker_vcpu": 4}, "max_vcpu"),
        ({"max_vcpu": 100, "worker_vcpu": 4, "headroom_percent": -1}, "headroom_percent"),
        ({"max_vcpu": 100, "worker_vcpu": 4, "headroom_percent": 12.5}, "headroom_percent"),
    ],
)
def test_refuses_bad_workload_numbers(kwargs: dict[str, object], argument: str) -> None:
    with pytest.raises(SubnetPlanningError, match="whole number") as caught:
        Workload(**kwargs)  # type: ignore[arg-type]
    assert caught.value.argument == argument


def test_accepts_the_smallest_workload_numbers() -> None:
    assert Workload(max_vcpu=1, worker_vcpu=4, headroom_percent=0).required_addresses == 1


def test_refuses_fewer_than_two_azs() -> None:
    with pytest.raises(SubnetPlanningError, match=r"azs=1: must be a whole number of at least 2"):
        plan_subnets([Workload(4000, 4)], vpc_cidr="10.0.0.0/16", azs=1)
    assert len(plan_subnets([Workload(4000, 4)], vpc_cidr="10.0.0.0/16", azs=2).subnets) == 2


def test_refuses_a_need_beyond_a_16_and_suggests_larger_workers() -> None:
    with pytest.raises(SubnetPlanningError) as caught:
        plan_subnets([Workload(65532, 1)], vpc_cidr="10.0.0.0/8")
    message = str(caught.value)
    assert "must hold 65,532 addresses" in message
    assert "65,531 usable" in message
    assert "with 16-vCPU workers the need would be 4,096" in message
    assert "split the applications" in message
    plan = plan_subnets([Workload(65531, 1)], vpc_cidr="10.0.0.0/8")
    assert plan.worker_prefix == 16


def test_refuses_a_plan_that_does_not_fit_naming_sizes_and_smallest_vpc() -> None:
    with pytest.raises(SubnetPlanningError) as caught:
        plan_subnets(
            [Workload(4000, 4)],
            vpc_cidr="10.0.0.0/22",
            extra_groups=[SubnetGroup("public", prefix=28)],
        )
    message = str(caught.value)
    assert "3 x /22 (emr-serverless), 3 x /28 (public)" in message
    assert "do not fit 10.0.0.0/22" in message
    assert "use a /20 or larger (e.g. 10.0.0.0/20)" in message
    plan_subnets(
        [Workload(4000, 4)],
        vpc_cidr="10.0.0.0/20",
        extra_groups=[SubnetGroup("public", prefix=28)],
    )


def test_suggests_splitting_when_only_a_block_larger_than_a_16_would_fit() -> None:
    with pytest.raises(SubnetPlanningError, match=r"3 x /16 .*use a /14 or larger .*at most /16"):
        plan_subnets([Workload(60000, 1)], vpc_cidr="10.0.0.0/16")


@pytest.mark.parametrize(
    ("vpc_cidr", "message"),
    [
        ("banana", "not an IPv4 CIDR block"),
        ("10.0.0.0/33", "not an IPv4 CIDR block"),
        ("10.0.0.256/16", "not an IPv4 CIDR block"),
        ("fd00::/56", "not an IPv4 CIDR block"),
        (None, "not an IPv4 CIDR block"),
        ("10.0.0.1/16", r"host bits must be zero.*Fix: use 10\.0\.0\.0/16"),
        ("10.0.0.0/29", "at least one /28"),
        ("10.0.0.0", "at least one /28"),
    ],
)
def test_refuses_malformed_vpc_cidrs(vpc_cidr: object, message: str) -> None:
    with pytest.raises(SubnetPlanningError, match=message) as caught:
        plan_subnets([Workload(4, 4)], vpc_cidr=vpc_cidr)  # type: ignore[arg-type]
    assert caught.value.argument == "vpc_cidr"


def test_accepts_the_smallest_vpc_cidr() -> None:
    plan = plan_subnets([Workload(4, 4)], vpc_cidr="10.0.0.0/27", azs=2)
    assert [s.cidr for s in plan.subnets] == ["10.0.0.0/28", "10.0.0.16/28"]


def test_refuses_no_workload() -> None:
    with pytest.raises(SubnetPlanningError, match="at least one Workload"):
        plan_subnets([], vpc_cidr="10.0.0.0/16")


@pytest.mark.parametrize(
    ("groups", "argument"),
    [
        ([SubnetGroup("a"), SubnetGroup("a")], "extra_groups"),
        (["public"], "extra_groups"),
    ],
)
def test_refuses_bad_group_lists(groups: list[object], argument: str) -> None:
    with pytest.raises(SubnetPlanningError) as caught:
        plan_subnets([Workload(4, 4)], vpc_cidr="10.0.0.0/16", extra_groups=groups)  # type: ignore[arg-type]
    assert caught.value.argument == argument
    assert plan_subnets(
        [Workload(4, 4)], vpc_cidr="10.0.0.0/16", extra_groups=[SubnetGroup("a"), SubnetGroup("b")]
    ).group("b")


@pytest.mark.parametrize(
    ("kwargs", "argument", "message"),
    [
        ({"name": ""}, "SubnetGroup.name", "needs a name"),
        ({"name": WORKER_GROUP}, "SubnetGroup.name", "names the worker subnets"),
        ({"name": "p", "prefix": 29}, "SubnetGroup.prefix", "/16 to /28"),
        ({"name": "p", "prefix": 15}, "SubnetGroup.prefix", "/16 to /28"),
        ({"name": "p", "addresses": 12, "prefix": 28}, "SubnetGroup.prefix", "fewer than the 12"),
        ({"name": "p", "addresses": -1}, "SubnetGroup.addresses", "whole number"),
        ({"name": "p", "addresses": 70_000}, "SubnetGroup.addresses", "65,531 usable"),
    ],
)
def test_refuses_bad_groups(kwargs: dict[str, object], argument: str, message: str) -> None:
    with pytest.raises(SubnetPlanningError, match=message) as caught:
        SubnetGroup(**kwargs)  # type: ignore[arg-type]
    assert caught.value.argument == argument


def test_accepts_group_neighbours() -> None:
    assert SubnetGroup("p", prefix=28).subnet_prefix == 28
    assert SubnetGroup("p", prefix=16).subnet_prefix == 16
    assert SubnetGroup("p", addresses=11, prefix=28).subnet_prefix == 28
    assert SubnetGroup("p", addresses=12).subnet_prefix == 27


def test_refuses_negative_other_addresses() -> None:
    with pytest.raises(SubnetPlanningError, match="other_addresses=-1"):
        plan_subnets([Workload(4, 4)], vpc_cidr="10.0.0.0/16", other_addresses=-1)
    plan = plan_subnets([Workload(4, 4)], vpc_cidr="10.0.0.0/16", other_addresses=0)
    assert plan.required_addresses == 1


@pytest.mark.parametrize("prefix", [15, 29, 0, 32, True])
def test_usable_addresses_refuses_prefixes_aws_does_not_allow(prefix: int) -> None:
    with pytest.raises(SubnetPlanningError, match="AWS subnets are /16 to /28"):
        usable_addresses(prefix)


@pytest.mark.parametrize("addresses", [-1, 65532, 1.0])
def test_smallest_prefix_for_refuses(addresses: int) -> None:
    with pytest.raises(SubnetPlanningError, match="addresses="):
        smallest_prefix_for(addresses)
    assert smallest_prefix_for(0) == 28
    assert smallest_prefix_for(65531) == 16
