"""The subnet record: where each network's subnets are, so that they never move.

AWS cannot resize or move a subnet: CloudFormation replaces a subnet whose ``CidrBlock``
changes, and the replacement fails while network interfaces use the old one. So the
planner's result is *recorded* (a JSON file committed beside the code, reviewed like a
lock file) and later synths place every recorded subnet exactly where the record says.

A network's layout is a list of subnet groups, one subnet per AZ each:

- worker groups (``EmrServerless``, ``EmrServerless2``, ...): the applications use the
  *active* one; the first also holds the interface endpoints;
- other groups (e.g. ``Public`` for NAT gateways).

Growth never moves or shrinks a recorded subnet. :func:`plan_layout` (an explicit command,
never a synth) keeps the active group while it holds the peak; otherwise it makes another
worker group active, a new one carved from free space (the VPC CIDR, then secondary CIDR
blocks added with ``add_cidrs``) sized for ``headroom`` times the peak. Groups nobody uses
stay until released explicitly. :func:`check_layout` (every synth) refuses a layout that
cannot hold today's peak, naming the network, the subnets, the need and the ways to grow.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from constructs_lib._arguments import checked_arguments
from constructs_lib.subnet_planning._associations import association_rule
from constructs_lib.subnet_planning._plan import (
    MIN_AZS,
    WORKER_GROUP,
    SubnetGroup,
    SubnetPlan,
    Workload,
    _subnet,
    parse_vpc_cidr,
    plan_subnets,
    required_addresses,
)
from constructs_lib.subnet_planning._sizing import (
    LARGEST_SUBNET_PREFIX,
    RESERVED_ADDRESSES_PER_SUBNET,
    SMALLEST_SUBNET_PREFIX,
    SubnetPlanningError,
    check_whole_number,
    fitting_prefix,
)

#: Name of the first worker subnet group; later ones are ``EmrServerless2``, ``EmrServerless3``...
#: (aws-cdk-lib's ``ec2.Vpc`` derives each subnet's logical id from its group name and AZ
#: index, so a group's name is part of where its subnets are.)
WORKER_GROUP_NAME = "EmrServerless"

#: The group of small public subnets that hold NAT gateways, and their default size.
PUBLIC_GROUP_NAME = "Public"
PUBLIC_SUBNET_PREFIX = 28

#: Roles of a recorded group.
WORKERS = "workers"
OTHER = "other"

#: Version of the record file's format.
RECORD_FORMAT = 1

#: Planning headroom: a new worker group is planned for this many times today's peak.
MIN_HEADROOM = 1
MAX_HEADROOM = 16

#: Default command that updates a record (the library's; the reference platform uses ``make plan``).
DEFAULT_UPDATE_COMMAND = "cdk synth -c emr-serverless:updateSubnetRecord=true"

_GROUP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")
#: A JSON list of strings without spaces (CIDRs), written one per line by ``json.dumps``.
_INLINE_LIST = re.compile(r'\[\s*("[^"\s]*"(?:,\s*"[^"\s]*")*)\s*\]')


def _inline(match: re.Match[str]) -> str:
    return "[" + ", ".join(item.strip() for item in match[1].split(",")) + "]"


RECORD_HEADER = (
    "Subnet record: where each network's subnets are. Review changes like a lock file.",
    "Synth places every subnet listed here exactly at its CIDR and never writes this file.",
    "A recorded subnet never moves or shrinks (CloudFormation would replace it): growth adds",
    "subnet groups in free space, and applications use the group named 'active'.",
    "Update it with the command under 'update'; see docs/networking.md.",
)


class SubnetRecordError(SubnetPlanningError):
    """A subnet record that is malformed, or that cannot hold what a network needs."""


# --------------------------------------------------------------------------- the request


@dataclass(frozen=True)
class NetworkRequest:
    """What a network needs: its VPC CIDR, AZs, workloads and other subnet groups.

    :param vpc_cidr: the VPC's primary IPv4 CIDR block.
    :param azs: Availability Zones, one subnet of each group in each (at least 2).
    :param workloads: the applications sharing the worker subnets (at least one).
    :param other_addresses: addresses the first worker group holds besides workers, e.g.
        one per interface endpoint. Default: 0.
    :param extra_groups: other subnet groups, e.g. ``SubnetGroup("Public", prefix=28)``.
        Default: none.
    """

    vpc_cidr: str
    azs: int
    workloads: tuple[Workload, ...]
    other_addresses: int = 0
    extra_groups: tuple[SubnetGroup, ...] = ()

    def __post_init__(self) -> None:
        parse_vpc_cidr(self.vpc_cidr)
        check_whole_number(self.azs, argument="azs", minimum=MIN_AZS)
        required_addresses(self.workloads, other_addresses=self.other_addresses)

    @property
    def worker_addresses(self) -> int:
        """Addresses the workloads need in each worker subnet (peak workers plus headroom)."""
        return required_addresses(self.workloads)

    @property
    def peak_workers(self) -> int:
        """Peak workers of all workloads together."""
        return sum(w.workers for w in self.workloads)


# --------------------------------------------------------------------------- the layout


@dataclass(frozen=True)
class RecordedGroup:
    """One recorded subnet group: its name, role and the CIDR of its subnet in each AZ."""

    name: str
    role: str
    cidrs: tuple[str, ...]
    #: Addresses each subnet was planned to hold when the group was made (informational).
    planned_for: int = 0

    @property
    def prefix(self) -> int:
        """The subnets' prefix length."""
        return int(self.cidrs[0].rsplit("/", 1)[1])

    @property
    def usable(self) -> int:
        """Usable addresses of each subnet (size - 5)."""
        return (1 << (32 - self.prefix)) - RESERVED_ADDRESSES_PER_SUBNET

    def to_dict(self) -> dict[str, Any]:
        """The group as JSON-ready keys."""
        return {
            "name": self.name,
            "role": self.role,
            "cidrs": list(self.cidrs),
            "usable_per_subnet": self.usable,
            "planned_for": self.planned_for,
        }


@dataclass(frozen=True)
class NetworkLayout:
    """Where one network's subnets are: its CIDR blocks and subnet groups."""

    vpc_cidr: str
    azs: int
    groups: tuple[RecordedGroup, ...]
    #: The worker group the applications use.
    active: str
    secondary_cidrs: tuple[str, ...] = ()

    @property
    def cidr_blocks(self) -> tuple[str, ...]:
        """The VPC's CIDR blocks: the primary, then the secondary ones."""
        return (self.vpc_cidr, *self.secondary_cidrs)

    @property
    def worker_groups(self) -> tuple[RecordedGroup, ...]:
        """The worker groups, oldest first."""
        return tuple(g for g in self.groups if g.role == WORKERS)

    @property
    def endpoint_group(self) -> RecordedGroup:
        """The first worker group: it holds the interface endpoints."""
        return self.worker_groups[0]

    @property
    def active_group(self) -> RecordedGroup:
        """The worker group the applications use."""
        group = self.group(self.active)
        assert group is not None
        return group

    def group(self, name: str) -> RecordedGroup | None:
        """The group called ``name``, or ``None``."""
        return next((g for g in self.groups if g.name == name), None)

    @property
    def free_cidrs(self) -> tuple[str, ...]:
        """Space of the CIDR blocks that no recorded subnet uses, as maximal aligned blocks."""
        return tuple(str(block) for block in _free(self))

    @property
    def free_addresses(self) -> int:
        """Addresses of the CIDR blocks that no recorded subnet uses."""
        return sum(block.num_addresses for block in _free(self))

    def need(self, group: RecordedGroup, request: NetworkRequest) -> int:
        """Addresses each subnet of ``group`` must hold for ``request``."""
        need = request.worker_addresses if group.name == self.active else 0
        if group.name == self.endpoint_group.name:
            need += request.other_addresses
        return need

    def as_plan(self, request: NetworkRequest) -> SubnetPlan:
        """The layout as a :class:`SubnetPlan`: the active group's subnets are the worker
        subnets (group ``emr-serverless``), then every other group's under its own name."""
        subnets = []
        for group in [self.active_group, *(g for g in self.groups if g.name != self.active)]:
            label = WORKER_GROUP if group.name == self.active else group.name
            extra = next((g for g in request.extra_groups if g.name == group.name), None)
            need = extra.addresses if extra is not None else self.need(group, request)
            for index, cidr in enumerate(group.cidrs):
                network = ipaddress.IPv4Network(cidr)
                subnets.append(
                    _subnet(label, index, int(network.network_address), 32 - group.prefix, need)
                )
        return SubnetPlan(
            vpc_cidr=self.vpc_cidr,
            azs=self.azs,
            workloads=request.workloads,
            extra_groups=request.extra_groups,
            other_addresses=request.other_addresses,
            peak_workers=request.peak_workers,
            required_addresses=self.need(self.active_group, request),
            subnets=tuple(subnets),
            free_cidrs=self.free_cidrs,
        )

    def to_dict(self) -> dict[str, Any]:
        """The layout as JSON-ready keys."""
        return {
            "vpc_cidr": self.vpc_cidr,
            "secondary_cidrs": list(self.secondary_cidrs),
            "azs": self.azs,
            "active": self.active,
            "groups": [g.to_dict() for g in self.groups],
        }


# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class SubnetRecord:
    """Every recorded network's layout, by key (an environment name, or a construct path).

    :param networks: the layouts by key.
    :param update: the command that updates this record, named in errors.
    :param source: where the record was read from, named in errors.
    """

    networks: Mapping[str, NetworkLayout] = field(default_factory=dict)
    update: str = DEFAULT_UPDATE_COMMAND
    source: str = "subnet record"

    def __post_init__(self) -> None:
        if not isinstance(self.networks, Mapping) or not all(
            isinstance(k, str) and isinstance(v, NetworkLayout) for k, v in self.networks.items()
        ):
            raise SubnetRecordError(
                argument="networks",
                value=self.networks,
                rule="a record maps each network's key to its NetworkLayout",
                fix="pass {key: NetworkLayout}, or read the record with SubnetRecord.load",
            )
        for name in ("update", "source"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise SubnetRecordError(
                    argument=name,
                    value=value,
                    rule="must be a non-empty string",
                    fix="pass e.g. 'make plan'" if name == "update" else "pass the file's path",
                )

    def get(self, key: str) -> NetworkLayout | None:
        """The layout recorded under ``key``, or ``None``."""
        return self.networks.get(key)

    def with_network(self, key: str, layout: NetworkLayout) -> SubnetRecord:
        """This record with ``key``'s layout set to ``layout``."""
        return replace(self, networks={**self.networks, key: layout})

    def with_secondary_cidr(self, key: str, cidr: str) -> SubnetRecord:
        """This record with ``cidr`` added to ``key``'s VPC as a secondary CIDR block.

        :raises SubnetRecordError: for an unknown key, or a block AWS would refuse.
        """
        return self.with_network(key, _with_cidrs(self._layout(key), [cidr], key))

    def without_group(self, key: str, group: str) -> SubnetRecord:
        """This record without ``key``'s worker group ``group`` (one no application uses).

        :raises SubnetRecordError: for the active group, the first, or an unknown one.
        """
        return self.with_network(key, _released(self._layout(key), [group], key))

    def _layout(self, key: str) -> NetworkLayout:
        layout = self.networks.get(key)
        if layout is None:
            raise _record_error(
                key,
                "key",
                key,
                f"{self.source} records no network {key!r}",
                f"name one of {', '.join(sorted(self.networks)) or '(none recorded yet)'}",
            )
        return layout

    def to_json(self) -> str:
        """The record as deterministic JSON (networks sorted by key), with its header."""
        document = {
            "about": list(RECORD_HEADER),
            "format": RECORD_FORMAT,
            "update": self.update,
            "networks": {key: self.networks[key].to_dict() for key in sorted(self.networks)},
        }
        return _INLINE_LIST.sub(_inline, json.dumps(document, indent=2)) + "\n"

    @classmethod
    @checked_arguments
    def from_json(
        cls, data: str, *, source: str = "subnet record", update: str | None = None
    ) -> SubnetRecord:
        """Read and check a record from its JSON text ``data``.

        :param update: the update command to name when the file names none.
        :raises SubnetRecordError: naming the file, the key and the fix.
        """
        try:
            document = json.loads(data)
        except json.JSONDecodeError as error:
            raise _malformed(
                source, f"line {error.lineno}", error.pos, f"not JSON ({error.msg})"
            ) from error
        return _read_record(document, source, update or DEFAULT_UPDATE_COMMAND)

    @classmethod
    @checked_arguments
    def load(cls, path: str | Path, *, update: str | None = None) -> SubnetRecord:
        """Read the record at ``path``; a file that does not exist is an empty record."""
        file = Path(path)
        if not file.exists():
            return cls(update=update or DEFAULT_UPDATE_COMMAND, source=str(path))
        return cls.from_json(file.read_text(encoding="utf-8"), source=str(path), update=update)

    def save(self, path: str | Path) -> None:
        """Write the record to ``path``."""
        Path(path).write_text(self.to_json(), encoding="utf-8")


# --------------------------------------------------------------------------- planning


def check_headroom(headroom: Any, *, argument: str = "headroom") -> int:
    """``headroom`` if it is a whole number from 1 to 16; else raise."""
    if (
        isinstance(headroom, bool)
        or not isinstance(headroom, int)
        or not MIN_HEADROOM <= headroom <= MAX_HEADROOM
    ):
        raise SubnetPlanningError(
            argument=argument,
            value=headroom,
            rule=f"a new worker subnet is planned for N times today's peak, N a whole number "
            f"from {MIN_HEADROOM} to {MAX_HEADROOM}",
            fix="pass e.g. 4 (room to grow to four times today's peak), or 1 (no room)",
        )
    return headroom


def first_layout(request: NetworkRequest, *, headroom: int) -> NetworkLayout:
    """A network's first layout: :func:`plan_subnets` with the workers times ``headroom``.

    With ``headroom=1`` this is exactly :func:`plan_subnets` (the layout earlier versions
    planned on every synth, so recording it keeps a deployed network where it is). When
    ``headroom`` times the peak does not fit the VPC CIDR, the most that fits is planned.

    :raises SubnetPlanningError: when even the peak itself does not fit.
    """
    check_headroom(headroom)
    workers = request.worker_addresses
    for factor in range(headroom, 0, -1):
        try:
            plan = plan_subnets(
                request.workloads,
                vpc_cidr=request.vpc_cidr,
                azs=request.azs,
                extra_groups=request.extra_groups,
                other_addresses=request.other_addresses + (factor - 1) * workers,
            )
        except SubnetPlanningError:
            if factor == 1:
                raise
            continue
        groups = [
            RecordedGroup(
                WORKER_GROUP_NAME,
                WORKERS,
                tuple(s.cidr for s in plan.worker_subnets),
                planned_for=plan.required_addresses,
            ),
            *(
                RecordedGroup(g.name, OTHER, tuple(s.cidr for s in plan.group(g.name)), g.addresses)
                for g in request.extra_groups
            ),
        ]
        return NetworkLayout(
            vpc_cidr=plan.vpc_cidr, azs=request.azs, groups=tuple(groups), active=WORKER_GROUP_NAME
        )
    raise AssertionError("unreachable: factor 1 raises or returns")  # pragma: no cover


def plan_layout(
    request: NetworkRequest,
    *,
    previous: NetworkLayout | None,
    headroom: int,
    key: str = "network",
    add_cidrs: Sequence[str] = (),
    release: Sequence[str] = (),
) -> NetworkLayout:
    """The layout that holds ``request``, grown from ``previous`` without moving anything.

    Every subnet of ``previous`` keeps its group, AZ and CIDR. What changes:

    - ``add_cidrs`` become secondary CIDR blocks (free space for new groups);
    - ``release`` drops worker groups no application uses (not the active one, nor the
      first, which holds the interface endpoints);
    - more AZs add one subnet per group in free space (worker groups from the bottom,
      others from the top);
    - a requested group that is not recorded is carved from the top of free space;
    - when the active worker group cannot hold the peak, the first other worker group that
      can becomes active, else a new group planned for ``headroom`` times the peak (or the
      most that fits free space, at least the peak) is added and becomes active.

    :param previous: the recorded layout, or ``None`` for :func:`first_layout`.
    :param headroom: new worker groups are planned for this many times the peak (1 to 16).
    :param key: the network's key in the record, named in errors.
    :raises SubnetRecordError: when the request contradicts the record (another VPC CIDR,
        fewer AZs) or the peak does not fit free space; the fix names the ways to grow.
    """
    check_headroom(headroom)
    if previous is None:
        if release:
            raise _record_error(
                key,
                "release",
                list(release),
                "the network has no recorded subnet groups to release",
                "leave release empty",
            )
        layout = first_layout(request, headroom=headroom)
        return _with_cidrs(layout, add_cidrs, key) if add_cidrs else layout
    _check_same_vpc(previous, request, key, update=None)
    layout = _with_cidrs(previous, add_cidrs, key)
    layout = _released(layout, release, key)
    if request.azs < layout.azs:
        raise _fewer_azs(layout, request, key)
    for az_index in range(layout.azs, request.azs):
        layout = _with_az(layout, az_index, key)
    for extra in request.extra_groups:
        if layout.group(extra.name) is None:
            layout = _with_group(layout, extra.name, OTHER, extra.subnet_prefix, extra.addresses)
            if layout.group(extra.name) is None:
                raise _no_space(
                    layout, request, key, f"{extra.name} subnets (/{extra.subnet_prefix})"
                )
    if request.other_addresses > layout.endpoint_group.usable:
        raise _endpoints_do_not_fit(layout, request, key, update=None)
    for active in [layout.active, *(g.name for g in layout.worker_groups)]:
        candidate = replace(layout, active=active)
        if all(candidate.need(g, request) <= g.usable for g in candidate.worker_groups):
            return candidate
    return _with_new_worker_group(layout, request, headroom, key)


def check_layout(layout: NetworkLayout, request: NetworkRequest, *, key: str, update: str) -> None:
    """Refuse a recorded ``layout`` that cannot hold ``request`` (checked on every synth).

    A layout recorded for other workloads is fine while it holds today's peak.

    :param key: the network's key in the record (an environment name, or a construct path).
    :param update: the command that updates the record, named in the fix.
    :raises SubnetRecordError: naming the network, the subnets, the need and the ways to grow.
    """
    _check_same_vpc(layout, request, key, update=update)
    if request.azs < layout.azs:
        raise _fewer_azs(layout, request, key)
    if request.azs > layout.azs:
        raise _record_error(
            key,
            "azs",
            request.azs,
            f"the record has subnets in {layout.azs} AZs",
            f"run `{update}` to add subnets in the new AZs (recorded subnets stay where they are)",
        )
    missing = [g.name for g in request.extra_groups if layout.group(g.name) is None]
    if missing:
        raise _record_error(
            key,
            "subnet groups",
            missing,
            f"the record has no {', '.join(missing)} subnets",
            f"run `{update}` to carve them from free space",
        )
    endpoint = layout.endpoint_group
    if layout.need(endpoint, request) > endpoint.usable and endpoint.name != layout.active:
        raise _endpoints_do_not_fit(layout, request, key, update=update)
    active = layout.active_group
    need = layout.need(active, request)
    if need <= active.usable:
        return
    raise SubnetRecordError(
        argument=f"subnet record[{key!r}]",
        value=need,
        rule=f"network {key!r}: the recorded worker subnets {active.name} "
        f"({', '.join(active.cidrs)}; {active.usable:,} usable addresses each) cannot hold "
        f"{_need_text(layout, active, request)}. A recorded subnet never moves or grows "
        "(AWS cannot resize a subnet, and CloudFormation would replace it while workers use it)",
        fix=_ways_to_grow(layout, request, key, update),
    )


# --------------------------------------------------------------------------- helpers


def _need_text(layout: NetworkLayout, group: RecordedGroup, request: NetworkRequest) -> str:
    shares = ", ".join(
        f"{w.name or f'workload {i + 1}'} {w.required_addresses:,}"
        for i, w in enumerate(request.workloads)
    )
    text = f"{request.worker_addresses:,} addresses for the peak workers ({shares})"
    if group.name == layout.endpoint_group.name and request.other_addresses:
        text += f" and {request.other_addresses} for interface endpoints"
    return f"{layout.need(group, request):,}: {text}"


def _ways_to_grow(layout: NetworkLayout, request: NetworkRequest, key: str, update: str) -> str:
    ways = [
        f"run `{update}`: it adds a worker subnet group for the new peak in free space "
        f"({layout.free_addresses:,} free addresses in {', '.join(layout.cidr_blocks)}) and "
        "moves the applications to it; the recorded subnets stay where they are"
    ]
    prefix = fitting_prefix(request.worker_addresses)
    if prefix is None or _allocate(layout, [32 - prefix] * layout.azs, lowest=True) is None:
        ways.append(f"free space is short: {_add_cidr_hint(key)} first")
    ways.append("or lower the peak: larger workers or a lower maximum capacity")
    return "; ".join(ways)


def _check_same_vpc(
    layout: NetworkLayout, request: NetworkRequest, key: str, *, update: str | None
) -> None:
    if str(parse_vpc_cidr(request.vpc_cidr)) == layout.vpc_cidr:
        return
    raise _record_error(
        key,
        "vpc_cidr",
        request.vpc_cidr,
        f"the record places network {key!r} in {layout.vpc_cidr}; changing a VPC's CIDR "
        "replaces the VPC and every subnet in it",
        f"keep vpc_cidr {layout.vpc_cidr} (grow with a secondary CIDR block instead); for a "
        f"network that is not deployed, remove {key!r} from the record and plan it again",
    )


def _fewer_azs(layout: NetworkLayout, request: NetworkRequest, key: str) -> SubnetRecordError:
    return _record_error(
        key,
        "azs",
        request.azs,
        f"the record has subnets in {layout.azs} AZs; fewer AZs would delete recorded subnets",
        f"keep {layout.azs} AZs",
    )


def _endpoints_do_not_fit(
    layout: NetworkLayout, request: NetworkRequest, key: str, *, update: str | None
) -> SubnetRecordError:
    group = layout.endpoint_group
    return _record_error(
        key,
        "other_addresses",
        request.other_addresses,
        f"the interface endpoints live in {group.name} ({', '.join(group.cidrs)}; "
        f"{group.usable:,} usable each), which cannot hold {layout.need(group, request):,}",
        "create fewer interface endpoints"
        + (f", or run `{update}` to move the applications to another group" if update else ""),
    )


def _record_error(key: str, what: str, value: Any, rule: str, fix: str) -> SubnetRecordError:
    return SubnetRecordError(
        argument=f"subnet record[{key!r}].{what}", value=value, rule=rule, fix=fix
    )


def _no_space(
    layout: NetworkLayout, request: NetworkRequest, key: str, what: str
) -> SubnetRecordError:
    return SubnetRecordError(
        argument=f"subnet record[{key!r}]",
        value=request.worker_addresses,
        rule=f"network {key!r}: {what} in each of {request.azs} AZs do not fit the free space "
        f"of {', '.join(layout.cidr_blocks)} ({', '.join(layout.free_cidrs) or 'none'}), and "
        "recorded subnets never move",
        fix=f"{_add_cidr_hint(key)} (e.g. a /16 of the same private range); or release "
        "worker groups no application uses (`make plan ARGS='--release "
        f"{key}=<group>'`, or SubnetRecord.without_group); or lower the headroom; or lower "
        "the peak: larger workers or a lower maximum capacity",
    )


def _add_cidr_hint(key: str) -> str:
    return (
        "add a secondary VPC CIDR block to the record (the reference platform: `make plan "
        f"ARGS='--add-cidr {key}=<cidr>'`; in code: SubnetRecord.with_secondary_cidr("
        f"{key!r}, '<cidr>'))"
    )


def _with_cidrs(layout: NetworkLayout, cidrs: Sequence[str], key: str) -> NetworkLayout:
    blocks = [ipaddress.IPv4Network(c) for c in layout.cidr_blocks]
    added = []
    for cidr in cidrs:
        network = parse_vpc_cidr(cidr, argument=f"subnet record[{key!r}].secondary_cidrs")
        if not LARGEST_SUBNET_PREFIX <= network.prefixlen <= SMALLEST_SUBNET_PREFIX:
            raise _record_error(
                key,
                "secondary_cidrs",
                cidr,
                "a VPC CIDR block is /16 to /28 (Amazon VPC)",
                "add a block from /16 to /28",
            )
        clash = next((b for b in blocks if b.overlaps(network)), None)
        if clash is not None:
            raise _record_error(
                key,
                "secondary_cidrs",
                cidr,
                f"overlaps the VPC's CIDR block {clash} (Amazon VPC refuses overlapping blocks)",
                "add a block that overlaps none of the VPC's blocks",
            )
        _check_association(blocks[0], network, cidr, key)
        blocks.append(network)
        added.append(str(network))
    return replace(layout, secondary_cidrs=(*layout.secondary_cidrs, *added))


def _check_association(
    primary: ipaddress.IPv4Network, network: ipaddress.IPv4Network, cidr: str, key: str
) -> None:
    """Refuse ``network`` if Amazon VPC restricts it beside the primary block ``primary``."""
    rule = association_rule(primary)
    restricted = rule.restriction(primary, network)
    if restricted is None:
        return
    raise _record_error(
        key,
        "secondary_cidrs",
        cidr,
        f"Amazon VPC does not associate a block from {restricted} with a VPC whose primary "
        f"CIDR block ({primary}) is in {rule.primary} (VPC User Guide, IPv4 CIDR block "
        f"association restrictions: {rule.source})",
        f"choose a block from the permitted ranges: {rule.permitted}",
    )


def _released(layout: NetworkLayout, names: Sequence[str], key: str) -> NetworkLayout:
    for name in names:
        group = layout.group(name)
        if group is None or group.role != WORKERS:
            rule = f"the record has no worker group {name!r}"
        elif name == layout.active:
            rule = f"{name} is the active group: the applications use it"
        elif name == layout.endpoint_group.name:
            rule = f"{name} holds the interface endpoints"
        else:
            layout = replace(layout, groups=tuple(g for g in layout.groups if g.name != name))
            continue
        retired = [
            g.name
            for g in layout.worker_groups
            if g.name not in (layout.active, layout.endpoint_group.name)
        ]
        raise _record_error(
            key,
            "release",
            name,
            rule,
            f"release one of {', '.join(retired)}" if retired else "there is none to release",
        )
    return layout


def _with_az(layout: NetworkLayout, az_index: int, key: str) -> NetworkLayout:
    groups = list(layout.groups)
    for index, group in enumerate(groups):
        current = replace(layout, groups=tuple(groups))
        placed = _allocate(current, [32 - group.prefix], lowest=group.role == WORKERS)
        if placed is None:
            raise SubnetRecordError(
                argument=f"subnet record[{key!r}].azs",
                value=az_index + 1,
                rule=f"network {key!r}: a {group.name} subnet (/{group.prefix}) for AZ "
                f"{az_index} does not fit the free space of {', '.join(layout.cidr_blocks)}",
                fix=f"{_add_cidr_hint(key)}, or keep {layout.azs} AZs",
            )
        groups[index] = replace(group, cidrs=(*group.cidrs, placed[0]))
    return replace(layout, groups=tuple(groups), azs=az_index + 1)


def _with_group(
    layout: NetworkLayout, name: str, role: str, prefix: int, planned_for: int
) -> NetworkLayout:
    placed = _allocate(layout, [32 - prefix] * layout.azs, lowest=role == WORKERS)
    if placed is None:
        return layout
    group = RecordedGroup(name, role, tuple(placed), planned_for)
    return replace(layout, groups=(*layout.groups, group))


def _with_new_worker_group(
    layout: NetworkLayout, request: NetworkRequest, headroom: int, key: str
) -> NetworkLayout:
    need = request.worker_addresses
    taken = {g.name for g in layout.groups}
    number = 2
    while f"{WORKER_GROUP_NAME}{number}" in taken:
        number += 1
    name = f"{WORKER_GROUP_NAME}{number}"
    tried: set[int] = set()
    for factor in range(headroom, 0, -1):
        planned = need * factor
        prefix = fitting_prefix(planned)
        if prefix is None or prefix in tried:
            continue
        tried.add(prefix)
        grown = _with_group(layout, name, WORKERS, prefix, planned)
        if grown.group(name) is not None:
            return replace(grown, active=name)
    prefix = fitting_prefix(need)
    size = f"/{prefix}" if prefix is not None else "larger than a /16"
    raise _no_space(layout, request, key, f"worker subnets for {need:,} addresses ({size})")


def _free(layout: NetworkLayout) -> list[ipaddress.IPv4Network]:
    """Free aligned blocks, in block order (primary first), ascending within each block."""
    used = [ipaddress.IPv4Network(c) for g in layout.groups for c in g.cidrs]
    free: list[ipaddress.IPv4Network] = []
    for cidr in layout.cidr_blocks:
        pieces = [ipaddress.IPv4Network(cidr)]
        for subnet in used:
            next_pieces: list[ipaddress.IPv4Network] = []
            for piece in pieces:
                if subnet.subnet_of(piece):
                    next_pieces.extend(piece.address_exclude(subnet))
                elif not piece.subnet_of(subnet):
                    next_pieces.append(piece)
            pieces = next_pieces
        free.extend(sorted(pieces))
    return free


def _allocate(layout: NetworkLayout, sizes: Iterable[int], *, lowest: bool) -> list[str] | None:
    """CIDRs for blocks of ``sizes`` host bits in free space; ``None`` if one does not fit.

    Each block goes in the first CIDR block (primary first) with room: at its lowest free
    aligned address (``lowest``) or its highest.
    """
    current = layout
    placed: list[str] = []
    for bits in sizes:
        prefix = 32 - bits
        choice: ipaddress.IPv4Network | None = None
        for cidr in current.cidr_blocks:
            block = ipaddress.IPv4Network(cidr)
            fits = [f for f in _free(current) if f.subnet_of(block) and f.prefixlen <= prefix]
            if not fits:
                continue
            if lowest:
                start = min(fits, key=lambda f: int(f.network_address))
                choice = ipaddress.IPv4Network((int(start.network_address), prefix))
            else:
                end = max(fits, key=lambda f: int(f.broadcast_address))
                choice = ipaddress.IPv4Network(
                    (int(end.broadcast_address) + 1 - (1 << bits), prefix)
                )
            break
        if choice is None:
            return None
        placed.append(str(choice))
        filler = RecordedGroup(f"_placing{len(placed)}", OTHER, (str(choice),))
        current = replace(current, groups=(*current.groups, filler))
    return placed


# --------------------------------------------------------------------------- reading


def _malformed(source: str, where: str, value: Any, rule: str) -> SubnetRecordError:
    return SubnetRecordError(
        argument=f"{source}: {where}",
        value=value,
        rule=rule,
        fix="restore the file from version control, or write it with the update command "
        "(never by hand)",
    )


def _read_record(document: Any, source: str, update: str) -> SubnetRecord:
    if not isinstance(document, dict):
        raise _malformed(source, "(top)", type(document).__name__, "must be a JSON object")
    if document.get("format") != RECORD_FORMAT:
        raise _malformed(
            source, "format", document.get("format"), f"this version reads format {RECORD_FORMAT}"
        )
    networks = document.get("networks", {})
    if not isinstance(networks, dict):
        raise _malformed(source, "networks", type(networks).__name__, "must be an object")
    written = document.get("update", update)
    if not isinstance(written, str) or not written:
        raise _malformed(source, "update", written, "must be the command that updates the file")
    layouts = {
        str(key): _read_layout(value, source, f"networks.{key}") for key, value in networks.items()
    }
    return SubnetRecord(networks=layouts, update=written, source=source)


def _read_layout(value: Any, source: str, where: str) -> NetworkLayout:
    if not isinstance(value, dict):
        raise _malformed(source, where, type(value).__name__, "must be an object")
    secondary = value.get("secondary_cidrs", [])
    if not isinstance(secondary, list):
        raise _malformed(source, f"{where}.secondary_cidrs", secondary, "must be a list")
    blocks = [_cidr_block(value.get("vpc_cidr"), source, f"{where}.vpc_cidr")] + [
        _cidr_block(cidr, source, f"{where}.secondary_cidrs") for cidr in secondary
    ]
    primary = blocks[0]
    azs = value.get("azs")
    if isinstance(azs, bool) or not isinstance(azs, int) or azs < MIN_AZS:
        raise _malformed(
            source, f"{where}.azs", azs, f"must be a whole number of at least {MIN_AZS}"
        )
    raw_groups = value.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise _malformed(source, f"{where}.groups", raw_groups, "must be a non-empty list")
    groups = tuple(
        _read_group(g, source, f"{where}.groups[{i}]", azs, blocks)
        for i, g in enumerate(raw_groups)
    )
    names = [g.name for g in groups]
    if len(set(names)) != len(names):
        raise _malformed(source, f"{where}.groups", names, "group names must be unique")
    subnets = [(g.name, ipaddress.IPv4Network(c)) for g in groups for c in g.cidrs]
    for i, (name, subnet) in enumerate(subnets):
        for other_name, other in subnets[i + 1 :]:
            if subnet.overlaps(other):
                raise _malformed(
                    source,
                    f"{where}.groups",
                    [str(subnet), str(other)],
                    f"subnets of {name} and {other_name} overlap",
                )
    active = value.get("active")
    if not any(g.name == active and g.role == WORKERS for g in groups):
        raise _malformed(source, f"{where}.active", active, "must name a workers group")
    return NetworkLayout(
        vpc_cidr=str(primary),
        azs=azs,
        groups=groups,
        active=str(active),
        secondary_cidrs=tuple(str(b) for b in blocks[1:]),
    )


def _cidr_block(value: Any, source: str, where: str) -> ipaddress.IPv4Network:
    try:
        return parse_vpc_cidr(value, argument=where)
    except SubnetPlanningError as error:
        raise _malformed(source, where, value, error.rule) from error


def _read_group(
    value: Any, source: str, where: str, azs: int, blocks: Sequence[ipaddress.IPv4Network]
) -> RecordedGroup:
    if not isinstance(value, dict):
        raise _malformed(source, where, type(value).__name__, "must be an object")
    name = value.get("name")
    if not isinstance(name, str) or not _GROUP_NAME.fullmatch(name):
        raise _malformed(source, f"{where}.name", name, "must be letters and digits, 1-64")
    role = value.get("role")
    if role not in (WORKERS, OTHER):
        raise _malformed(source, f"{where}.role", role, f"must be {WORKERS!r} or {OTHER!r}")
    cidrs = value.get("cidrs")
    if not isinstance(cidrs, list) or len(cidrs) != azs:
        raise _malformed(source, f"{where}.cidrs", cidrs, f"must list one CIDR per AZ ({azs})")
    networks = []
    for cidr in cidrs:
        try:
            network = ipaddress.IPv4Network(cidr)
        except (ValueError, TypeError) as error:
            raise _malformed(
                source, f"{where}.cidrs", cidr, f"not an IPv4 CIDR ({error})"
            ) from None
        if not any(network.subnet_of(b) for b in blocks):
            raise _malformed(source, f"{where}.cidrs", cidr, "is in none of the VPC's CIDR blocks")
        networks.append(network)
    prefixes = {n.prefixlen for n in networks}
    if len(prefixes) != 1 or not LARGEST_SUBNET_PREFIX <= prefixes.pop() <= SMALLEST_SUBNET_PREFIX:
        raise _malformed(source, f"{where}.cidrs", cidrs, "one size for all, /16 to /28")
    planned = value.get("planned_for", 0)
    if isinstance(planned, bool) or not isinstance(planned, int) or planned < 0:
        raise _malformed(source, f"{where}.planned_for", planned, "must be a whole number")
    return RecordedGroup(name, role, tuple(str(n) for n in networks), planned)
