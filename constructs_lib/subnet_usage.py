"""SubnetUsage: what every EMR Serverless application uses of each subnet, checked at synth.

One per stage (app). Applications register their subnets and peak workers as they are
built (:func:`constructs_lib.network.check_subnet_capacity` does it for
``EmrServerlessApplication``); networks register their interface endpoints and the
applications that are not ours. When the tree is complete (a construct validation), it
warns on every user of a subnet that cannot hold the sum of everything that may use it
(``emr-serverless:subnet-capacity``, as for one application: the service accepts any
subnet), and refuses applications on private subnets that cannot reach Amazon S3
(:mod:`constructs_lib.s3_access_rules`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import jsii
from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct, IConstruct, IValidation

from constructs_lib._stack_facts import child_singleton, stack_facts
from constructs_lib._subnet_facts import subnet_facts
from constructs_lib.s3_access_rules import Outcome, S3Route, s3_access_rule
from constructs_lib.subnet_planning._shared import Share, shared_capacity_error
from constructs_lib.tokens import warn, warn_unchecked

#: Construct id of the one ``SubnetUsage`` of a stage.
SUBNET_USAGE_ID = "EmrServerlessSubnetUsage"

#: An S3 endpoint's service name: ``com.amazonaws.<region>.s3``, as aws-cdk-lib writes it
#: (the Region and, for interface endpoints, a partition suffix are tokens).
_S3_SERVICE = re.compile(r"\.s3(\$\{Token\[[^\]]+\]\})?$")

#: Id of the warning for subnets too small for the peaks of what uses them (as for one
#: application, ``EmrServerlessApplication``'s own check).
SUBNET_CAPACITY_WARNING = "emr-serverless:subnet-capacity"

#: Id of the warning for private subnets that reach S3 only through NAT.


@dataclass
class _Use:
    label: str
    addresses: int
    subnets: tuple[ec2.ISubnet, ...]
    argument: str
    #: Where capacity findings are recorded; ``None`` for the network's own endpoints.
    scope: IConstruct | None
    #: Whether the user's S3 access is checked (applications), and whether it was already
    #: checked alone against each subnet (``check_subnet_capacity``).
    application: bool


@dataclass
class _Subnet:
    label: str
    cidr: str | None
    shares: list[tuple[_Use, Share]] = field(default_factory=list)


class SubnetUsage(Construct):
    """Every registered user of each subnet in one stage, checked when the tree is complete."""

    @classmethod
    def of(cls, scope: IConstruct) -> SubnetUsage:
        """The stage's ``SubnetUsage`` (created on first use)."""
        stage = stack_facts(scope).stage or scope.node.root
        if not isinstance(stage, Construct):
            raise TypeError(f"{scope.node.path}: the root of the tree is not a Construct")
        return child_singleton(stage, SUBNET_USAGE_ID, cls, lambda: cls(stage, SUBNET_USAGE_ID))

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._uses: dict[str, _Use] = {}
        self._warned: set[tuple[str, str]] = set()
        self.node.add_validation(_Validation(self))

    def add(
        self,
        label: str,
        *,
        addresses: int,
        subnets: Sequence[ec2.ISubnet],
        argument: str,
        scope: IConstruct | None = None,
        application: bool = False,
    ) -> None:
        """Count ``addresses`` against each of ``subnets`` (again for ``label``: replaces it).

        :param label: the user, named in findings (an application's construct path).
        :param addresses: addresses it needs at its peak in each subnet it may use.
        :param argument: the argument the subnets came from, named in findings.
        :param scope: where its capacity findings are recorded. Default: none (they are
            recorded on the other users).
        :param application: an EMR Serverless application: its S3 access is checked, and it
            was checked alone against each subnet when it registered. Default: ``False``.
        """
        self._uses[label] = _Use(label, addresses, tuple(subnets), argument, scope, application)

    def users(self, subnets: Sequence[ec2.ISubnet]) -> list[tuple[str, int]]:
        """Registered users of any of ``subnets``: ``(label, addresses)``, in registration order."""
        keys = {_key(s) for s in subnets}
        return [
            (use.label, use.addresses)
            for use in self._uses.values()
            if any(_key(s) in keys for s in use.subnets)
        ]

    def problems(self) -> list[str]:
        """Nothing: the service refuses none of these. Records the warnings for subnets that
        cannot hold their users together and for S3 access that may fail or cost more."""
        self._record_capacity_warnings()
        self._record_s3_warnings()
        return []

    def _record_capacity_warnings(self) -> None:
        """Warn on every user of subnets that cannot hold all their users' peaks at once.

        A warning, as for one application (``emr-serverless:subnet-capacity``): EMR
        Serverless accepts any subnet; jobs then cannot start more workers than it has free
        addresses.
        """
        subnets: dict[str, _Subnet] = {}
        for use in self._uses.values():
            if use.addresses == 0:
                continue  # no known peak (warned by the application itself)
            for subnet in use.subnets:
                key = _key(subnet)
                entry = subnets.setdefault(key, _Subnet(_label(subnet), _known_cidr(subnet)))
                entry.shares.append((use, Share(use.label, use.addresses)))
        grouped: dict[tuple[object, ...], list[_Subnet]] = {}
        for entry in subnets.values():
            if entry.cidr is None:
                continue  # reported as unchecked when its users registered
            if len(entry.shares) == 1 and entry.shares[0][0].application:
                continue  # one application alone: checked when it registered
            prefix = entry.cidr.rsplit("/", 1)[1]
            signature: tuple[object, ...] = (
                prefix,
                *((use.label, use.addresses) for use, _ in entry.shares),
            )
            grouped.setdefault(signature, []).append(entry)
        for signature, entries in grouped.items():
            first = entries[0]
            users = [use for use, _ in first.shares]
            error = shared_capacity_error(
                first.cidr or "",
                [share for _, share in first.shares],
                subnets=[f"{e.label} ({e.cidr})" for e in entries],
                argument=users[-1].argument,
            )
            if error is None:
                continue
            for use in users:
                if use.scope is not None and self._first_time(use, repr(signature)):
                    warn(
                        use.scope,
                        SUBNET_CAPACITY_WARNING,
                        f"{error} (EMR Serverless accepts such subnets, but jobs cannot start "
                        "more workers than they have free IP addresses)",
                    )

    def _record_s3_warnings(self) -> None:
        endpoints: dict[str, _S3Endpoints] = {}
        routes: dict[str, S3Route] = {}
        for use in self._uses.values():
            if not use.application or use.scope is None:
                continue
            reporter = use.scope
            by_route: dict[S3Route, list[str]] = {}
            for subnet in use.subnets:
                key = _key(subnet)
                if key not in routes:
                    routes[key] = _s3_route(subnet, endpoints)
                by_route.setdefault(routes[key], []).append(_label(subnet))
            for route, subnets in sorted(by_route.items(), key=lambda item: item[0].value):
                rule = s3_access_rule(route)
                text = f"{', '.join(subnets)}: {rule.rule}"
                if self._first_time(use, route.value):
                    if rule.outcome is Outcome.WARN:
                        warn(reporter, rule.warning, f"{text}. Fix: {rule.fix}.")
                    elif rule.outcome is Outcome.UNCHECKED:
                        warn_unchecked(reporter, argument=f"{use.argument}.routes", rule=text)

    def _first_time(self, use: _Use, finding: str) -> bool:
        """Whether this finding is new (validation may run more than once)."""
        key = (use.label, finding)
        if key in self._warned:
            return False
        self._warned.add(key)
        return True


@dataclass
class _S3Endpoints:
    """A stack's S3 endpoints: the gateway endpoints' route tables, and any interface one."""

    route_tables: set[str]
    interface: bool


@jsii.implements(IValidation)
class _Validation:
    def __init__(self, usage: SubnetUsage) -> None:
        self._usage = usage

    def validate(self) -> list[str]:
        return self._usage.problems()


def _s3_route(subnet: ec2.ISubnet, endpoints: dict[str, _S3Endpoints]) -> S3Route:
    """How ``subnet`` reaches S3; ``endpoints`` caches each stack's S3 endpoints."""
    facts = subnet_facts(subnet)
    if facts.s3_gateway_endpoint:
        return S3Route.GATEWAY_ENDPOINT
    stack = facts.stack
    key = str(id(stack))
    if key not in endpoints:
        endpoints[key] = _s3_endpoints(stack)
    found = endpoints[key]
    route_table = facts.route_table_id
    if route_table is not None and route_table in found.route_tables:
        return S3Route.GATEWAY_ENDPOINT
    if not isinstance(subnet, ec2.Subnet):
        return S3Route.UNKNOWN  # imported: its routes are not known
    route = facts.default_route
    if route is None:
        # An S3 interface endpoint (PrivateLink) reaches S3 without routes: not checked.
        return S3Route.UNKNOWN if found.interface else S3Route.NONE
    if route.nat_gateway_id is not None:
        return S3Route.NAT_ONLY
    if route.gateway_id is not None:
        return S3Route.INTERNET_GATEWAY
    return S3Route.UNKNOWN


def _s3_endpoints(stack: Stack) -> _S3Endpoints:
    found = _S3Endpoints(route_tables=set(), interface=False)
    for construct in stack.node.find_all():
        if not isinstance(construct, ec2.CfnVPCEndpoint):
            continue
        service = construct.service_name
        if not (isinstance(service, str) and _S3_SERVICE.search(service)):
            continue
        if construct.vpc_endpoint_type in (None, "Gateway"):
            tables = construct.route_table_ids or []
            found.route_tables.update(t for t in tables if isinstance(t, str))
        elif construct.vpc_endpoint_type == "Interface":
            found.interface = True
    return found


def _key(subnet: ec2.ISubnet) -> str:
    return subnet_facts(subnet).key


def _label(subnet: ec2.ISubnet) -> str:
    return subnet_facts(subnet).label


def _known_cidr(subnet: ec2.ISubnet) -> str | None:
    return subnet_facts(subnet).cidr
