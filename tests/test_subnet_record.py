"""The subnet record: growth never moves a recorded subnet; the record file; shared capacity."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from constructs_lib.s3_access_rules import S3_ACCESS_RULES, VPC_ACCESS, Outcome, S3Route
from constructs_lib.subnet_planning import (
    VALID_WORKER_VCPUS,
    WORKER_GROUP_NAME,
    NetworkLayout,
    NetworkRequest,
    Share,
    SubnetGroup,
    SubnetPlanningError,
    SubnetRecord,
    SubnetRecordError,
    Workload,
    check_layout,
    first_layout,
    plan_layout,
    plan_subnets,
    shared_capacity_error,
)
from constructs_lib.subnet_planning._associations import (
    ASSOCIATION_RESTRICTIONS_PAGE,
    ASSOCIATION_RULES,
    RFC1918_RANGES,
    SHARED_ADDRESS_SPACE,
    AssociationRule,
    association_rule,
)
from constructs_lib.subnet_planning._record import MAX_HEADROOM, RECORD_HEADER

PUBLIC = (SubnetGroup("Public", prefix=28),)


def request(
    *workloads: Workload,
    vpc_cidr: str = "10.0.0.0/16",
    azs: int = 2,
    endpoints: int = 0,
    public: bool = True,
) -> NetworkRequest:
    return NetworkRequest(
        vpc_cidr=vpc_cidr,
        azs=azs,
        workloads=workloads,
        other_addresses=endpoints,
        extra_groups=PUBLIC if public else (),
    )


def cidrs(layout: NetworkLayout) -> dict[str, tuple[str, ...]]:
    return {group.name: group.cidrs for group in layout.groups}


def _cidrs_of(layout: NetworkLayout, name: str) -> tuple[str, ...]:
    group = layout.group(name)
    assert group is not None, name
    return group.cidrs


# --- A first plan is the planner's plan (the guide's vectors still hold) ------------------


def test_guide_table_is_the_first_layout() -> None:
    layout = first_layout(request(Workload(4000, 4), azs=4, public=False), headroom=1)
    assert cidrs(layout) == {
        WORKER_GROUP_NAME: ("10.0.0.0/22", "10.0.4.0/22", "10.0.8.0/22", "10.0.12.0/22")
    }
    assert layout.active == WORKER_GROUP_NAME


@pytest.mark.parametrize(
    ("apps", "workload", "prefix"),
    [(1, (4000, 4), 22), (1, (4000, 16), 24), (3, (4000, 4), 20), (1, (400, 4), 25)],
)
def test_guide_sizing_vectors_hold_for_a_first_plan(
    apps: int, workload: tuple[int, int], prefix: int
) -> None:
    layout = first_layout(request(*[Workload(*workload)] * apps), headroom=1)
    assert layout.active_group.prefix == prefix


@st.composite
def network_requests(draw: st.DrawFn) -> NetworkRequest:
    workloads = draw(
        st.lists(
            st.builds(
                Workload,
                max_vcpu=st.integers(min_value=1, max_value=6000),
                worker_vcpu=st.sampled_from(VALID_WORKER_VCPUS),
            ),
            min_size=1,
            max_size=4,
        )
    )
    return request(
        *workloads,
        azs=draw(st.integers(min_value=2, max_value=4)),
        endpoints=draw(st.integers(min_value=0, max_value=9)),
        public=draw(st.booleans()),
    )


def _feasible(wanted: NetworkRequest) -> None:
    """Skip requests whose peak does not fit the VPC CIDR even without headroom."""
    try:
        first_layout(wanted, headroom=1)
    except SubnetPlanningError:
        assume(False)


@given(network_requests())
def test_a_first_layout_with_no_headroom_is_exactly_the_plan_of_earlier_versions(
    wanted: NetworkRequest,
) -> None:
    # Recording a network deployed by an earlier version (which planned on every synth)
    # keeps it where it is.
    _feasible(wanted)
    plan = plan_subnets(
        wanted.workloads,
        vpc_cidr=wanted.vpc_cidr,
        azs=wanted.azs,
        extra_groups=wanted.extra_groups,
        other_addresses=wanted.other_addresses,
    )
    layout = first_layout(wanted, headroom=1)
    assert layout.active_group.cidrs == tuple(s.cidr for s in plan.worker_subnets)
    for group in wanted.extra_groups:
        assert _cidrs_of(layout, group.name) == tuple(s.cidr for s in plan.group(group.name))
    assert layout.as_plan(wanted) == plan


@given(network_requests(), st.integers(min_value=1, max_value=MAX_HEADROOM))
def test_headroom_plans_room_for_that_many_times_the_peak_when_it_fits(
    wanted: NetworkRequest, headroom: int
) -> None:
    _feasible(wanted)
    layout = first_layout(wanted, headroom=headroom)
    usable = layout.active_group.usable
    assert usable >= wanted.worker_addresses + wanted.other_addresses
    planned = headroom * wanted.worker_addresses + wanted.other_addresses
    if usable < planned:  # only when the full headroom does not fit the VPC CIDR
        with pytest.raises(SubnetPlanningError):
            plan_subnets(
                wanted.workloads,
                vpc_cidr=wanted.vpc_cidr,
                azs=wanted.azs,
                extra_groups=wanted.extra_groups,
                other_addresses=planned - wanted.worker_addresses,
            )


# --- Growth never moves a recorded subnet ---------------------------------------------------


TEAM_NAMES = [f"team{i}" for i in range(8)]


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, str, list[tuple[str, Any]]]:
    """A headroom, a VPC CIDR and a sequence of changes to a platform's teams and network."""
    headroom = draw(st.integers(min_value=1, max_value=6))
    vpc_cidr = draw(st.sampled_from(["10.0.0.0/16", "10.0.0.0/20", "10.0.0.0/22"]))
    operations = draw(
        st.lists(
            st.one_of(
                st.tuples(
                    st.just("add"),
                    st.tuples(
                        st.integers(min_value=1, max_value=3000),
                        st.sampled_from(VALID_WORKER_VCPUS),
                    ),
                ),
                st.tuples(st.just("remove"), st.integers(min_value=0, max_value=7)),
                st.tuples(
                    st.just("raise"),
                    st.tuples(
                        st.integers(min_value=0, max_value=7),
                        st.integers(min_value=1, max_value=8),
                    ),
                ),
                st.tuples(st.just("lower"), st.integers(min_value=0, max_value=7)),
                st.tuples(st.just("az"), st.none()),
                st.tuples(st.just("endpoints"), st.integers(min_value=0, max_value=12)),
                st.tuples(st.just("nat"), st.booleans()),
                st.tuples(st.just("cidr"), st.integers(min_value=1, max_value=4)),
                st.tuples(st.just("release"), st.none()),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return headroom, vpc_cidr, operations


def _apply(
    state: dict[str, Any], operation: str, argument: Any
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The next state, and the add_cidrs and release arguments of the planning run."""
    teams: dict[str, Workload] = dict(state["teams"])
    names = sorted(teams)
    new = dict(state)
    add_cidrs: list[str] = []
    release: list[str] = []
    if operation == "add" and len(teams) < len(TEAM_NAMES):
        name = next(n for n in TEAM_NAMES if n not in teams)
        teams[name] = Workload(*argument, name=name)
    elif operation == "remove" and len(teams) > 1:
        del teams[names[argument % len(names)]]
    elif operation == "raise":
        name = names[argument[0] % len(names)]
        workload = teams[name]
        teams[name] = replace(workload, max_vcpu=workload.max_vcpu * (1 + argument[1]))
    elif operation == "lower":
        name = names[argument % len(names)]
        teams[name] = replace(teams[name], max_vcpu=max(1, teams[name].max_vcpu // 3))
    elif operation == "az" and state["azs"] < 5:
        new["azs"] = state["azs"] + 1
    elif operation == "endpoints":
        new["endpoints"] = argument
    elif operation == "nat":
        new["public"] = argument
    elif operation == "cidr":
        add_cidrs.append(f"10.{argument}.0.0/16")
    elif operation == "release":
        layout: NetworkLayout = state["layout"]
        retired = [
            g.name
            for g in layout.worker_groups
            if g.name not in (layout.active, layout.endpoint_group.name)
        ]
        release = retired[:1]
    new["teams"] = teams
    return new, add_cidrs, release


@given(histories())
def test_no_history_of_changes_moves_a_recorded_subnet(
    history: tuple[int, str, list[Any]],
) -> None:
    headroom, vpc_cidr, operations = history
    state: dict[str, Any] = {
        "teams": {"team0": Workload(64, 2, name="team0")},
        "azs": 2,
        "endpoints": 4,
        "public": True,
    }
    wanted = request(*state["teams"].values(), endpoints=4, vpc_cidr=vpc_cidr)
    state["layout"] = plan_layout(wanted, previous=None, headroom=headroom, key="dev")
    for operation, argument in operations:
        new, add_cidrs, release = _apply(state, operation, argument)
        if any(c in state["layout"].cidr_blocks for c in add_cidrs):
            continue
        wanted = request(
            *new["teams"].values(),
            vpc_cidr=vpc_cidr,
            azs=new["azs"],
            endpoints=new["endpoints"],
            public=new["public"],
        )
        before: NetworkLayout = state["layout"]
        refusal: SubnetRecordError | None = None
        try:
            after = plan_layout(
                wanted,
                previous=before,
                headroom=headroom,
                key="dev",
                add_cidrs=add_cidrs,
                release=release,
            )
        except SubnetRecordError as error:
            refusal = error
        if refusal is not None:
            # The peak cannot fit: the error names the ways to grow, and nothing moved.
            assert re.search("secondary VPC CIDR block|interface endpoints", str(refusal))
            with pytest.raises(SubnetRecordError):
                check_layout(before, wanted, key="dev", update="make plan")
            continue
        for group in before.groups:
            if group.name in release:
                assert after.group(group.name) is None
                continue
            kept = after.group(group.name)
            assert kept is not None
            assert kept.role == group.role
            assert kept.cidrs[: len(group.cidrs)] == group.cidrs
        assert after.vpc_cidr == before.vpc_cidr
        assert after.secondary_cidrs[: len(before.secondary_cidrs)] == before.secondary_cidrs
        check_layout(after, wanted, key="dev", update="make plan")
        # The record reads back exactly (which also checks no two subnets overlap).
        record = SubnetRecord().with_network("dev", after)
        assert SubnetRecord.from_json(record.to_json()).networks == record.networks
        new["layout"] = after
        state = new


@given(network_requests(), st.integers(min_value=1, max_value=8))
def test_a_record_that_still_holds_the_peak_is_kept_as_it_is(
    wanted: NetworkRequest, headroom: int
) -> None:
    _feasible(wanted)
    layout = first_layout(wanted, headroom=headroom)
    smaller = replace(wanted, workloads=wanted.workloads[:1])
    check_layout(layout, smaller, key="dev", update="make plan")
    assert plan_layout(smaller, previous=layout, headroom=headroom) == layout
    assert plan_layout(wanted, previous=layout, headroom=headroom) == layout


# --- The onboarding path of the issue -------------------------------------------------------


DEV = (Workload(64, 2, name="analytics"), Workload(32, 2, name="reporting"))


def test_the_shipped_dev_network_refuses_a_third_team_with_the_fix_not_a_move() -> None:
    shipped = first_layout(request(*DEV, endpoints=4), headroom=1)
    assert shipped.active_group.cidrs == ("10.0.0.0/26", "10.0.0.64/26")  # 59 usable
    third = request(*DEV, Workload(64, 4, name="data-science"), endpoints=4)
    with pytest.raises(SubnetRecordError) as refused:
        check_layout(shipped, third, key="dev", update="make plan")
    message = str(refused.value)
    assert refused.value.argument == "subnet record['dev']"
    assert "network 'dev'" in message
    assert "10.0.0.0/26, 10.0.0.64/26; 59 usable" in message
    assert "cannot hold 68: 64 addresses for the peak workers" in message
    assert "analytics 32, reporting 16, data-science 16" in message
    assert "4 for interface endpoints" in message
    assert "run `make plan`" in message
    grown = plan_layout(third, previous=shipped, headroom=4, key="dev")
    assert grown.group(WORKER_GROUP_NAME) == shipped.group(WORKER_GROUP_NAME)
    assert grown.active == f"{WORKER_GROUP_NAME}2"
    assert grown.active_group.usable >= 4 * third.worker_addresses
    check_layout(grown, third, key="dev", update="make plan")


@pytest.mark.parametrize("extra", [0, 1])
def test_the_exact_fit_is_accepted_and_one_more_address_refused(extra: int) -> None:
    layout = first_layout(request(Workload(110, 2), endpoints=4), headroom=1)  # 59 needed
    assert layout.active_group.usable == 59
    wanted = request(Workload(110, 2), endpoints=4 + extra)
    if extra:
        with pytest.raises(SubnetRecordError, match="cannot hold 60"):
            check_layout(layout, wanted, key="dev", update="make plan")
    else:
        check_layout(layout, wanted, key="dev", update="make plan")


def test_a_peak_that_cannot_fit_free_space_is_refused_until_a_cidr_block_is_added() -> None:
    small = request(Workload(400, 4), vpc_cidr="10.0.0.0/22", public=False)
    layout = first_layout(small, headroom=1)  # two /25s
    larger = request(Workload(1600, 4), vpc_cidr="10.0.0.0/22", public=False)  # 400: /23 each
    with pytest.raises(SubnetRecordError) as refused:
        plan_layout(larger, previous=layout, headroom=2, key="dev")
    assert "--add-cidr dev=<cidr>" in refused.value.fix
    assert "SubnetRecord.with_secondary_cidr(" in refused.value.fix
    assert "recorded subnets never move" in str(refused.value)
    grown = plan_layout(larger, previous=layout, headroom=2, key="dev", add_cidrs=["10.1.0.0/22"])
    assert grown.secondary_cidrs == ("10.1.0.0/22",)
    assert grown.group(WORKER_GROUP_NAME) == layout.group(WORKER_GROUP_NAME)
    assert grown.active_group.usable >= 400
    blocks = [ipaddress.IPv4Network(c) for c in grown.cidr_blocks]
    new = [ipaddress.IPv4Network(c) for c in grown.active_group.cidrs]
    assert any(n.subnet_of(blocks[1]) for n in new)  # the second needed the added block
    assert all(any(n.subnet_of(b) for b in blocks) for n in new)


def test_more_azs_append_subnets_and_fewer_are_refused() -> None:
    layout = first_layout(request(*DEV, endpoints=4), headroom=4)
    grown = plan_layout(request(*DEV, endpoints=4, azs=3), previous=layout, headroom=4)
    for group in layout.groups:
        assert _cidrs_of(grown, group.name)[:2] == group.cidrs
        assert len(_cidrs_of(grown, group.name)) == 3
    with pytest.raises(SubnetRecordError, match="fewer AZs would delete recorded subnets"):
        check_layout(grown, request(*DEV, endpoints=4), key="dev", update="make plan")
    with pytest.raises(SubnetRecordError, match="run `make plan` to add subnets"):
        check_layout(layout, request(*DEV, endpoints=4, azs=3), key="dev", update="make plan")


def test_a_changed_vpc_cidr_is_refused() -> None:
    layout = first_layout(request(*DEV), headroom=1)
    with pytest.raises(SubnetRecordError, match="replaces the VPC"):
        check_layout(layout, request(*DEV, vpc_cidr="10.9.0.0/16"), key="dev", update="x")


def test_public_subnets_missing_from_the_record_are_refused_until_planned() -> None:
    layout = first_layout(request(*DEV, public=False), headroom=1)
    with pytest.raises(SubnetRecordError, match="no Public subnets"):
        check_layout(layout, request(*DEV), key="dev", update="make plan")
    grown = plan_layout(request(*DEV), previous=layout, headroom=1)
    assert _cidrs_of(grown, "Public") == ("10.0.255.240/28", "10.0.255.224/28")


def test_release_drops_only_a_group_no_application_uses() -> None:
    layout = first_layout(request(*DEV, endpoints=4), headroom=1)
    grown = plan_layout(request(*DEV, Workload(4000, 4), endpoints=4), previous=layout, headroom=1)
    grown = plan_layout(request(*DEV, Workload(40000, 16), endpoints=4), previous=grown, headroom=1)
    assert [g.name for g in grown.worker_groups] == [
        "EmrServerless",
        "EmrServerless2",
        "EmrServerless3",
    ]
    for name, message in [
        ("EmrServerless3", "active group"),
        ("EmrServerless", "interface endpoints"),
        ("Nope", "no worker group"),
        ("Public", "no worker group"),
    ]:
        with pytest.raises(SubnetRecordError, match=message):
            plan_layout(request(*DEV, endpoints=4), previous=grown, headroom=1, release=[name])
    released = plan_layout(
        request(*DEV, endpoints=4), previous=grown, headroom=1, release=["EmrServerless2"]
    )
    assert [g.name for g in released.worker_groups] == ["EmrServerless", "EmrServerless3"]


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("10.0.128.0/17", "overlaps"),
        ("10.4.0.0/15", "/16 to /28"),
        ("10.5.0.1/16", "host bits"),
    ],
)
def test_secondary_cidr_blocks_are_checked(cidr: str, message: str) -> None:
    layout = first_layout(request(*DEV), headroom=1)
    with pytest.raises(SubnetPlanningError, match=message):
        plan_layout(request(*DEV), previous=layout, headroom=1, add_cidrs=[cidr])
    assert plan_layout(request(*DEV), previous=layout, headroom=1, add_cidrs=["10.5.0.0/16"])


#: A primary block in each row's range, and a permitted neighbour (the same range, or public).
ASSOCIATION_EXAMPLES = {
    "10.0.0.0/8": ("10.40.0.0/16", "10.41.0.0/16"),
    "172.16.0.0/12": ("172.20.0.0/16", "172.21.0.0/16"),
    "192.168.0.0/16": ("192.168.0.0/20", "192.168.16.0/20"),
    "198.19.0.0/16": ("198.19.0.0/20", "203.0.113.0/24"),
    ASSOCIATION_RULES[-1].primary: ("52.95.0.0/16", "52.96.0.0/16"),
}


def _one_network(vpc_cidr: str) -> SubnetRecord:
    return SubnetRecord({"dev": first_layout(request(*DEV, vpc_cidr=vpc_cidr), headroom=1)})


def _blocks_of(range_: ipaddress.IPv4Network) -> list[str]:
    """A /16 (or the whole range, if smaller) at each end of ``range_``."""
    prefix = max(range_.prefixlen, 16)
    return sorted(
        {
            str(next(range_.subnets(new_prefix=prefix))),
            str(
                ipaddress.IPv4Network(
                    (int(range_.broadcast_address) + 1 - (1 << (32 - prefix)), prefix)
                )
            ),
        }
    )


def test_every_association_row_has_an_example_and_cites_the_page() -> None:
    assert set(ASSOCIATION_EXAMPLES) == {rule.primary for rule in ASSOCIATION_RULES}
    assert all(rule.source == ASSOCIATION_RESTRICTIONS_PAGE for rule in ASSOCIATION_RULES)
    assert ASSOCIATION_RESTRICTIONS_PAGE.startswith("https://docs.aws.amazon.com/vpc/")
    for rule in ASSOCIATION_RULES:
        primary = ipaddress.IPv4Network(ASSOCIATION_EXAMPLES[rule.primary][0])
        assert association_rule(primary) == rule


@pytest.mark.parametrize("rule", ASSOCIATION_RULES, ids=lambda rule: rule.primary)
def test_a_secondary_block_amazon_vpc_restricts_is_refused(rule: AssociationRule) -> None:
    primary, _ = ASSOCIATION_EXAMPLES[rule.primary]
    record = _one_network(primary)
    conditional = [
        b
        for within, b in rule.restricted_within
        if ipaddress.IPv4Network(primary).subnet_of(within)
    ]
    refused_blocks = [c for r in (*rule.restricted, *conditional) for c in _blocks_of(r)]
    assert refused_blocks
    for cidr in refused_blocks:
        with pytest.raises(SubnetRecordError) as refused:
            record.with_secondary_cidr("dev", cidr)
        assert refused.value.argument == "subnet record['dev'].secondary_cidrs"
        assert refused.value.value == cidr
        assert "Amazon VPC does not associate" in refused.value.rule
        assert f"primary CIDR block ({primary}) is in {rule.primary}" in refused.value.rule
        assert ASSOCIATION_RESTRICTIONS_PAGE in refused.value.rule
        assert refused.value.fix == f"choose a block from the permitted ranges: {rule.permitted}"
        with pytest.raises(SubnetRecordError, match="association restrictions"):
            plan_layout(
                request(*DEV, vpc_cidr=primary),
                previous=record.networks["dev"],
                headroom=1,
                add_cidrs=[cidr],
            )


@pytest.mark.parametrize("rule", ASSOCIATION_RULES, ids=lambda rule: rule.primary)
def test_a_permitted_neighbour_block_is_accepted(rule: AssociationRule) -> None:
    primary, neighbour = ASSOCIATION_EXAMPLES[rule.primary]
    record = _one_network(primary)
    for cidr in (neighbour, str(next(SHARED_ADDRESS_SPACE.subnets(new_prefix=16)))):
        if ipaddress.IPv4Network(cidr).overlaps(ipaddress.IPv4Network(primary)):
            continue
        grown = record.with_secondary_cidr("dev", cidr)
        assert grown.networks["dev"].secondary_cidrs == (cidr,)


def test_the_findings_blocks_are_refused_beside_a_10_primary() -> None:
    record = _one_network("10.0.0.0/16")
    for cidr in ("172.16.0.0/16", "192.168.0.0/16", "198.19.0.0/16"):
        with pytest.raises(SubnetRecordError, match="choose a block from the permitted"):
            record.with_secondary_cidr("dev", cidr)
    assert record.with_secondary_cidr("dev", "100.64.0.0/16")


@st.composite
def _same_range_blocks(draw: st.DrawFn) -> tuple[str, str]:
    """A primary /16-/24 and a secondary /16-/28 in the same RFC 1918 range."""
    range_ = draw(st.sampled_from(RFC1918_RANGES))

    def block(smallest: int) -> ipaddress.IPv4Network:
        prefix = draw(st.integers(min_value=max(16, range_.prefixlen), max_value=smallest))
        size = 1 << (32 - prefix)
        index = draw(st.integers(min_value=0, max_value=range_.num_addresses // size - 1))
        return ipaddress.IPv4Network((int(range_.network_address) + index * size, prefix))

    return str(block(24)), str(block(28))


@given(_same_range_blocks())
def test_any_other_block_of_the_primarys_own_private_range_is_accepted(
    blocks: tuple[str, str],
) -> None:
    primary, secondary = (ipaddress.IPv4Network(b) for b in blocks)
    assume(not primary.overlaps(secondary))
    # The page's two exceptions inside a primary's own range.
    assume(
        not (
            primary.subnet_of(ipaddress.IPv4Network("10.0.0.0/15"))
            and secondary.overlaps(ipaddress.IPv4Network("10.0.0.0/16"))
        )
    )
    assume(not secondary.overlaps(ipaddress.IPv4Network("172.31.0.0/16")))
    grown = _one_network(str(primary)).with_secondary_cidr("dev", str(secondary))
    assert grown.networks["dev"].secondary_cidrs == (str(secondary),)


@given(_same_range_blocks(), st.sampled_from(RFC1918_RANGES))
def test_a_block_of_another_private_range_is_always_refused(
    blocks: tuple[str, str], other: ipaddress.IPv4Network
) -> None:
    primary = ipaddress.IPv4Network(blocks[0])
    assume(not primary.subnet_of(other))
    secondary = str(next(other.subnets(new_prefix=16)))
    with pytest.raises(SubnetRecordError, match="association restrictions"):
        _one_network(str(primary)).with_secondary_cidr("dev", secondary)


@pytest.mark.parametrize("headroom", [0, 17, True, 2.0])
def test_headroom_is_a_whole_number_from_1_to_16(headroom: Any) -> None:
    with pytest.raises(SubnetPlanningError, match="from 1 to 16"):
        first_layout(request(*DEV), headroom=headroom)


# --- The record file ------------------------------------------------------------------------


def _record() -> SubnetRecord:
    dev = first_layout(request(*DEV, endpoints=4), headroom=1)
    prod = first_layout(request(*DEV, vpc_cidr="10.1.0.0/16", azs=3), headroom=4)
    return SubnetRecord(update="make plan").with_network("prod", prod).with_network("dev", dev)


def test_the_record_is_deterministic_and_reads_back() -> None:
    record = _record()
    text = record.to_json()
    document = json.loads(text)
    assert document["about"] == list(RECORD_HEADER)
    assert list(document["networks"]) == ["dev", "prod"]  # sorted, whatever the order added
    assert '"cidrs": ["10.0.0.0/26", "10.0.0.64/26"]' in text  # one line per group's CIDRs
    again = SubnetRecord.from_json(text, source="x.json")
    assert again.networks == record.networks
    assert again.update == "make plan"
    assert again.to_json() == text


def test_a_missing_file_is_an_empty_record(tmp_path: Any) -> None:
    record = SubnetRecord.load(tmp_path / "none.json", update="make plan")
    assert record.networks == {}
    assert record.update == "make plan"
    _record().save(tmp_path / "r.json")
    assert SubnetRecord.load(tmp_path / "r.json").networks == _record().networks


def _edited(edit: Any) -> str:
    document = json.loads(_record().to_json())
    edit(document["networks"]["dev"])
    return json.dumps(document)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("{", "line 1", "not JSON"),
        ("[]", "(top)", "JSON object"),
        (json.dumps({"format": 9}), "format", "reads format 1"),
        (
            _edited(lambda d: d["groups"][0].update(cidrs=["10.0.0.0/26"])),
            "networks.dev.groups[0].cidrs",
            "one CIDR per AZ",
        ),
        (
            _edited(lambda d: d["groups"][0].update(cidrs=["10.0.0.0/26", "10.0.255.224/28"])),
            "networks.dev.groups[0].cidrs",
            "one size",
        ),
        (
            _edited(lambda d: d["groups"][0].update(cidrs=["10.0.0.0/29", "10.0.0.8/29"])),
            "networks.dev.groups[0].cidrs",
            "/16 to /28",
        ),
        (
            _edited(lambda d: d["groups"][0].update(cidrs=["10.0.0.0/26", "10.9.0.0/26"])),
            "networks.dev.groups[0].cidrs",
            "none of the VPC's CIDR blocks",
        ),
        (
            _edited(lambda d: d["groups"][1].update(cidrs=["10.0.0.0/28", "10.0.0.16/28"])),
            "networks.dev.groups",
            "overlap",
        ),
        (_edited(lambda d: d.update(active="Public")), "networks.dev.active", "workers group"),
        (_edited(lambda d: d.update(azs=1)), "networks.dev.azs", "at least 2"),
        (_edited(lambda d: d.update(vpc_cidr="10.0.0.1/16")), "networks.dev.vpc_cidr", "host"),
        (
            _edited(lambda d: d["groups"][1].update(name="EmrServerless")),
            "networks.dev.groups",
            "unique",
        ),
        (_edited(lambda d: d["groups"][1].update(name="a b")), "groups[1].name", "letters"),
        (_edited(lambda d: d["groups"][1].update(role="x")), "groups[1].role", "'workers'"),
    ],
)
def test_a_malformed_record_is_refused_naming_the_key(text: str, where: str, message: str) -> None:
    with pytest.raises(SubnetRecordError) as refused:
        SubnetRecord.from_json(text, source="platform.subnets.json")
    assert refused.value.argument.startswith("platform.subnets.json: ")
    assert where in refused.value.argument
    assert re.search(message, refused.value.rule)


# --- Shared subnets and S3 (pure parts) ------------------------------------------------------


@pytest.mark.parametrize(("second", "refused"), [(22, False), (23, False), (24, True)])
def test_shared_subnets_hold_the_sum_exactly(second: int, refused: bool) -> None:
    shares = [Share("A", 100), Share("B", second)]
    error = shared_capacity_error("10.0.0.0/25", shares, subnets=["s1", "s2"], argument="network")
    assert (error is not None) is refused
    if error is not None:
        assert "A 100, B 24 = 124 addresses" in str(error)
        assert "each of s1, s2 (123 usable addresses)" in str(error)
        assert "use /24 or larger" in error.fix


def test_every_route_kind_has_a_sourced_rule_and_none_is_refused() -> None:
    """EMR Serverless creates an application whatever its routes: warnings only."""
    assert set(S3_ACCESS_RULES) == set(S3Route)
    assert {rule.outcome for rule in S3_ACCESS_RULES.values()} <= {
        Outcome.ACCEPT,
        Outcome.WARN,
        Outcome.UNCHECKED,
    }
    assert S3_ACCESS_RULES[S3Route.NONE].outcome is Outcome.WARN
    assert S3_ACCESS_RULES[S3Route.NAT_ONLY].outcome is Outcome.WARN
    assert {S3_ACCESS_RULES[r].warning for r in (S3Route.NONE, S3Route.NAT_ONLY)} == {
        "emr-serverless:s3-unreachable",
        "emr-serverless:s3-through-nat",
    }
    assert S3_ACCESS_RULES[S3Route.UNKNOWN].outcome is Outcome.UNCHECKED
    assert all(rule.source == VPC_ACCESS for rule in S3_ACCESS_RULES.values())
    assert VPC_ACCESS.endswith("/EMR-Serverless-UserGuide/vpc-access.html")


def test_the_record_grows_in_code_too() -> None:
    record = _record()
    grown = record.with_secondary_cidr("dev", "10.7.0.0/16")
    assert grown.networks["dev"].secondary_cidrs == ("10.7.0.0/16",)
    assert grown.networks["prod"] == record.networks["prod"]
    with pytest.raises(SubnetRecordError, match="records no network 'qa'") as refused:
        record.with_secondary_cidr("qa", "10.7.0.0/16")
    assert refused.value.fix == "name one of dev, prod"
    with pytest.raises(SubnetRecordError, match="active group: the applications use it"):
        record.without_group("dev", WORKER_GROUP_NAME)
