"""The subnet plan: inputs, result and :func:`plan_subnets`.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from constructs_lib.subnet_planning._layout import free_blocks, lay_out, smallest_fitting_space
from constructs_lib.subnet_planning._sizing import (
    LARGEST_SUBNET_PREFIX,
    MAX_USABLE_ADDRESSES,
    RESERVED_ADDRESSES_PER_SUBNET,
    SMALLEST_SUBNET_PREFIX,
    SUBNET_BOUNDS_RULE,
    VALID_WORKER_VCPUS,
    SubnetPlanningError,
    available_addresses,
    check_subnet_prefix,
    check_whole_number,
    check_worker_vcpu,
    fitting_prefix,
    prefix_for,
    smallest_prefix_for,
    usable_addresses,
    workers_for,
)

#: Name of the group of subnets EMR Serverless workers launch in.
WORKER_GROUP = "emr-serverless"

#: Fewest Availability Zones a plan spans (the guide: "at least two Availability Zones").
MIN_AZS = 2


@dataclass(frozen=True)
class Workload:
    """One application's peak on the shared worker subnets.

    :param max_vcpu: the application's maximum capacity, in vCPU.
    :param worker_vcpu: the size of its workers, in vCPU (1, 2, 4, 8 or 16); with mixed
        sizes, give the smallest (it makes the most workers).
    :param headroom_percent: extra addresses to plan for, in whole percent of the workers.
        Default: 0.
    :param name: a label for tables and messages. Default: none.
    """

    max_vcpu: int
    worker_vcpu: int
    headroom_percent: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        check_whole_number(self.max_vcpu, argument="max_vcpu", minimum=1)
        check_worker_vcpu(self.worker_vcpu)
        check_whole_number(self.headroom_percent, argument="headroom_percent", minimum=0)
        if not isinstance(self.name, str):
            raise SubnetPlanningError(
                argument="name",
                value=self.name,
                rule="a workload's name is a string (a label for tables and messages)",
                fix="pass a string, e.g. the application's name",
            )

    @property
    def workers(self) -> int:
        """Peak workers: ``ceil(max_vcpu / worker_vcpu)``, one IP address each."""
        return workers_for(self.max_vcpu, self.worker_vcpu)

    @property
    def required_addresses(self) -> int:
        """Addresses to plan for: the peak workers plus ``headroom_percent``, rounded up."""
        return -(-self.workers * (100 + self.headroom_percent) // 100)


@dataclass(frozen=True)
class SubnetGroup:
    """Another group of subnets in the VPC, one subnet per AZ (e.g. small public ones for NAT).

    :param name: the group's name; unique, and not ``"emr-serverless"``.
    :param addresses: usable addresses each subnet must hold. Default: 0.
    :param prefix: the subnets' prefix length, /16 to /28. Default: the smallest subnet
        that holds ``addresses``.
    """

    name: str
    addresses: int = 0
    prefix: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or self.name == WORKER_GROUP:
            raise SubnetPlanningError(
                argument="SubnetGroup.name",
                value=self.name,
                rule=f"a group needs a name, and {WORKER_GROUP!r} names the worker subnets",
                fix="pass another non-empty name, e.g. 'public'",
            )
        needed = prefix_for(self.addresses, argument="SubnetGroup.addresses")
        if self.prefix is None:
            return
        check_subnet_prefix(self.prefix, argument="SubnetGroup.prefix")
        usable = usable_addresses(self.prefix)
        if usable < self.addresses:
            raise SubnetPlanningError(
                argument="SubnetGroup.prefix",
                value=self.prefix,
                rule=f"a /{self.prefix} has {usable:,} usable addresses, fewer than the "
                f"{self.addresses:,} asked for",
                fix=f"use /{needed} or larger, or leave prefix unset",
            )

    @property
    def subnet_prefix(self) -> int:
        """The prefix length of the group's subnets."""
        return self.prefix if self.prefix is not None else smallest_prefix_for(self.addresses)


@dataclass(frozen=True)
class PlannedSubnet:
    """One subnet of the plan."""

    group: str
    az_index: int
    cidr: str
    netmask: str
    first_ip: str
    last_ip: str
    #: ``2**(32 - prefix)``.
    available: int
    #: ``available - 5`` (AWS reserves the first four addresses and the last).
    usable: int
    #: Addresses the subnet must hold.
    required: int
    #: ``usable - required``: addresses to spare.
    headroom: int

    @property
    def prefix(self) -> int:
        """The prefix length."""
        return int(self.cidr.rsplit("/", 1)[1])

    def to_dict(self) -> dict[str, Any]:
        """The subnet as JSON-ready keys."""
        return {
            "group": self.group,
            "az_index": self.az_index,
            "cidr": self.cidr,
            "netmask": self.netmask,
            "first_ip": self.first_ip,
            "last_ip": self.last_ip,
            "available": self.available,
            "usable": self.usable,
            "required": self.required,
            "headroom": self.headroom,
        }


@dataclass(frozen=True)
class SubnetPlan:
    """Subnets for EMR Serverless workers (one per AZ, each holding the full peak) and others."""

    vpc_cidr: str
    azs: int
    workloads: tuple[Workload, ...]
    extra_groups: tuple[SubnetGroup, ...]
    #: Addresses each worker subnet holds besides workers (e.g. interface endpoints).
    other_addresses: int
    #: Peak workers of all workloads together, without headroom.
    peak_workers: int
    #: Addresses each worker subnet must hold: workers with headroom, plus other addresses.
    required_addresses: int
    #: Worker subnets (AZ order), then each extra group's subnets (AZ order).
    subnets: tuple[PlannedSubnet, ...]
    #: The VPC CIDR's unplanned space as maximal aligned blocks, ascending.
    free_cidrs: tuple[str, ...]

    @property
    def worker_subnets(self) -> tuple[PlannedSubnet, ...]:
        """The subnets EMR Serverless workers launch in, one per AZ."""
        return self.group(WORKER_GROUP)

    @property
    def worker_prefix(self) -> int:
        """The prefix length of the worker subnets."""
        return self.worker_subnets[0].prefix

    def group(self, name: str) -> tuple[PlannedSubnet, ...]:
        """The subnets of group ``name``, in AZ order (empty for an unknown name)."""
        return tuple(s for s in self.subnets if s.group == name)

    @property
    def free_addresses(self) -> int:
        """Addresses of the VPC CIDR that no planned subnet uses."""
        return sum(ipaddress.IPv4Network(cidr).num_addresses for cidr in self.free_cidrs)

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready keys."""
        return {
            "vpc_cidr": self.vpc_cidr,
            "azs": self.azs,
            "workloads": [
                {
                    "name": w.name,
                    "max_vcpu": w.max_vcpu,
                    "worker_vcpu": w.worker_vcpu,
                    "headroom_percent": w.headroom_percent,
                    "workers": w.workers,
                    "required": w.required_addresses,
                }
                for w in self.workloads
            ],
            "other_addresses": self.other_addresses,
            "peak_workers": self.peak_workers,
            "required_addresses": self.required_addresses,
            "subnets": [s.to_dict() for s in self.subnets],
            "free": list(self.free_cidrs),
            "free_addresses": self.free_addresses,
        }


def plan_subnets(
    workloads: Sequence[Workload],
    *,
    vpc_cidr: str,
    azs: int = 3,
    extra_groups: Sequence[SubnetGroup] = (),
    other_addresses: int = 0,
) -> SubnetPlan:
    """Plan worker subnets sized from ``workloads``, plus ``extra_groups``, inside ``vpc_cidr``.

    Every AZ's worker subnet holds the peak of all workloads together: pre-initialized
    capacity starts a whole application in one AZ, and when an AZ fails its work moves to
    another. Each subnet is the smallest whose usable addresses (``2**(32-prefix) - 5``)
    cover its need. Worker subnets are laid from the bottom of ``vpc_cidr`` up (as in the
    guide's table), other groups from the top down, so appending a group never moves an
    earlier subnet and a change to the workloads never moves another group. (Worker
    subnets that must grow are new subnets: AWS cannot resize a subnet.)

    :param workloads: the applications sharing the worker subnets (at least one).
    :param vpc_cidr: the IPv4 CIDR to plan in, e.g. ``"10.0.0.0/16"`` (any prefix up to
        /28; AWS VPC CIDR blocks are /16 to /28).
    :param azs: Availability Zones, one subnet of each group in each (at least 2). Default: 3.
    :param extra_groups: other subnet groups, in the order they are carved. Default: none.
    :param other_addresses: addresses each worker subnet holds besides workers, e.g. one
        per interface endpoint placed in it. Default: 0.
    :raises SubnetPlanningError: for bad input, a need beyond a /16 or a plan that does not
        fit ``vpc_cidr``; the message names the value and the fix.
    """
    network = parse_vpc_cidr(vpc_cidr)
    check_whole_number(azs, argument="azs", minimum=MIN_AZS)
    required = required_addresses(workloads, other_addresses=other_addresses)
    workloads = tuple(workloads)
    extra_groups = _check_groups(extra_groups)

    peak = sum(w.workers for w in workloads)
    worker_prefix = fitting_prefix(required)
    if worker_prefix is None:
        raise _beyond_largest_subnet(workloads, required, other_addresses)

    worker_bits = 32 - worker_prefix
    other_bits = [32 - g.subnet_prefix for g in extra_groups for _ in range(azs)]
    space_bits = 32 - network.prefixlen
    layout = lay_out(space_bits, azs, worker_bits, other_bits)
    if layout is None:
        raise _does_not_fit(network, azs, worker_bits, extra_groups, other_bits)

    base = int(network.network_address)
    needs = [(WORKER_GROUP, required)] * azs + [
        (g.name, g.addresses) for g in extra_groups for _ in range(azs)
    ]
    offsets = [*layout.workers, *layout.others]
    sizes = [worker_bits] * azs + other_bits
    subnets = tuple(
        _subnet(group, index % azs, base + offset, bits, need)
        for index, ((group, need), offset, bits) in enumerate(
            zip(needs, offsets, sizes, strict=True)
        )
    )
    free = free_blocks(space_bits, list(zip(offsets, sizes, strict=True)))
    return SubnetPlan(
        vpc_cidr=str(network),
        azs=azs,
        workloads=workloads,
        extra_groups=extra_groups,
        other_addresses=other_addresses,
        peak_workers=peak,
        required_addresses=required,
        subnets=subnets,
        free_cidrs=tuple(_cidr(base + offset, bits) for offset, bits in free),
    )


def parse_vpc_cidr(vpc_cidr: Any, *, argument: str = "vpc_cidr") -> ipaddress.IPv4Network:
    """``vpc_cidr`` as an ``IPv4Network`` with room for a /28, or raise naming the fix."""
    try:
        network = ipaddress.IPv4Network(vpc_cidr)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, TypeError) as error:
        raise SubnetPlanningError(
            argument=argument,
            value=vpc_cidr,
            rule=f"not an IPv4 CIDR block ({error})",
            fix="write it as <address>/<prefix>, e.g. '10.0.0.0/16'",
        ) from error
    except ValueError as error:  # host bits set
        suggestion = ipaddress.IPv4Network(vpc_cidr, strict=False)
        raise SubnetPlanningError(
            argument=argument,
            value=vpc_cidr,
            rule="a CIDR block starts at its network address (host bits must be zero)",
            fix=f"use {suggestion}",
        ) from error
    if network.prefixlen > SMALLEST_SUBNET_PREFIX:
        raise SubnetPlanningError(
            argument=argument,
            value=vpc_cidr,
            rule=f"the block must hold at least one /28 subnet ({SUBNET_BOUNDS_RULE})",
            fix="give a block of /28 or larger with its prefix, e.g. '10.0.0.0/16'",
        )
    return network


def required_addresses(workloads: Sequence[Workload], *, other_addresses: int = 0) -> int:
    """Addresses each worker subnet must hold: every workload's workers with headroom, plus
    ``other_addresses``.

    :raises SubnetPlanningError: for no workloads, or anything but :class:`Workload` in them.
    """
    checked = tuple(workloads)
    if not checked or not all(isinstance(w, Workload) for w in checked):
        raise SubnetPlanningError(
            argument="workloads",
            value=checked,
            rule="the worker subnets are sized from at least one Workload",
            fix="pass Workload(max_vcpu=..., worker_vcpu=...) for each application",
        )
    check_whole_number(other_addresses, argument="other_addresses", minimum=0)
    return sum(w.required_addresses for w in checked) + other_addresses


def _check_groups(groups: Sequence[SubnetGroup]) -> tuple[SubnetGroup, ...]:
    checked = tuple(groups)
    names = [g.name for g in checked if isinstance(g, SubnetGroup)]
    if len(names) != len(checked) or len(set(names)) != len(names):
        raise SubnetPlanningError(
            argument="extra_groups",
            value=checked,
            rule="each extra group is a SubnetGroup with a name of its own",
            fix="pass SubnetGroup(name=..., ...) objects with unique names",
        )
    return checked


def _beyond_largest_subnet(
    workloads: Sequence[Workload], required: int, other_addresses: int
) -> SubnetPlanningError:
    largest = [Workload(w.max_vcpu, VALID_WORKER_VCPUS[-1], w.headroom_percent) for w in workloads]
    with_largest = sum(w.required_addresses for w in largest) + other_addresses
    advice = (
        f"with 16-vCPU workers the need would be {with_largest:,}"
        if with_largest <= MAX_USABLE_ADDRESSES
        else "even 16-vCPU workers need more"
    )
    return SubnetPlanningError(
        argument="workloads",
        value=workloads,
        rule=f"each AZ's worker subnet must hold {required:,} addresses, but the largest "
        f"subnet, a /{LARGEST_SUBNET_PREFIX}, has {MAX_USABLE_ADDRESSES:,} usable "
        f"({SUBNET_BOUNDS_RULE})",
        fix=f"use larger workers ({advice}) or split the applications across separate "
        "subnets or VPCs",
    )


def _does_not_fit(
    network: ipaddress.IPv4Network,
    azs: int,
    worker_bits: int,
    groups: Sequence[SubnetGroup],
    other_bits: Sequence[int],
) -> SubnetPlanningError:
    sizes = [f"{azs} x /{32 - worker_bits} ({WORKER_GROUP})"] + [
        f"{azs} x /{g.subnet_prefix} ({g.name})" for g in groups
    ]
    needed = (azs << worker_bits) + sum(1 << bits for bits in other_bits)
    space_bits = smallest_fitting_space(azs, worker_bits, other_bits)
    if space_bits is None:
        fix = "plan fewer AZs or smaller groups"
    else:
        prefix = 32 - space_bits
        example = ipaddress.IPv4Network((int(network.network_address), prefix), strict=False)
        fix = f"use a /{prefix} or larger (e.g. {example})"
        if prefix < LARGEST_SUBNET_PREFIX:
            fix += (
                f"; a VPC CIDR block is at most /{LARGEST_SUBNET_PREFIX}, so split the "
                "workloads across VPCs or use larger workers"
            )
    return SubnetPlanningError(
        argument="vpc_cidr",
        value=str(network),
        rule=f"the plan needs {', '.join(sizes)} = {needed:,} addresses, which do not fit "
        f"{network} ({network.num_addresses:,} addresses)",
        fix=fix,
    )


def _subnet(group: str, az_index: int, first: int, bits: int, required: int) -> PlannedSubnet:
    network = ipaddress.IPv4Network((first, 32 - bits))
    available = available_addresses(32 - bits)
    usable = available - RESERVED_ADDRESSES_PER_SUBNET
    return PlannedSubnet(
        group=group,
        az_index=az_index,
        cidr=str(network),
        netmask=str(network.netmask),
        first_ip=str(network.network_address),
        last_ip=str(network.broadcast_address),
        available=available,
        usable=usable,
        required=required,
        headroom=usable - required,
    )


def _cidr(first: int, bits: int) -> str:
    return str(ipaddress.IPv4Network((first, 32 - bits)))
