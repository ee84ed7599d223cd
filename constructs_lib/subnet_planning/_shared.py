"""Subnets shared by several applications: the sum of their peaks must fit every subnet.

The guide sizes shared subnets for "collective scaling limits of all your applications"
(3 applications of 1,000 workers each need 3,000 addresses in each subnet): every
application may peak at once, and each worker takes one address in the subnet it runs in.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from constructs_lib.sources import user_guide
from constructs_lib.subnet_planning._sizing import (
    RESERVED_ADDRESSES_PER_SUBNET,
    SubnetPlanningError,
    subnet_size_advice,
)

#: Where the guide sizes subnets shared by several applications.
SHARED_SUBNETS_SOURCE = user_guide("vpc-access")


@dataclass(frozen=True)
class Share:
    """Addresses one user of a subnet needs at its peak (an application, or endpoints)."""

    label: str
    addresses: int


def shared_capacity_error(
    cidr: str, shares: Sequence[Share], *, subnets: Sequence[str], argument: str
) -> SubnetPlanningError | None:
    """The error for subnets of ``cidr``'s size that cannot hold ``shares`` together, or ``None``.

    :param cidr: the IPv4 CIDR of (one of) the subnets; all of ``subnets`` have its size.
    :param shares: everything that may use the subnets, with the addresses each needs.
    :param subnets: how to name the subnets (ids or construct paths, with their CIDRs).
    :param argument: the argument the subnets came from, named in the error.
    """
    usable = max(ipaddress.IPv4Network(cidr).num_addresses - RESERVED_ADDRESSES_PER_SUBNET, 0)
    total = sum(share.addresses for share in shares)
    if total <= usable:
        return None
    listed = ", ".join(f"{share.label} {share.addresses:,}" for share in shares)
    each = "each of " if len(subnets) > 1 else ""
    return SubnetPlanningError(
        argument=argument,
        value=total,
        rule=f"{each}{', '.join(subnets)} ({usable:,} usable addresses) may hold all of these "
        f"at their peaks at once: {listed} = {total:,} addresses (every application may peak "
        "together, and each worker takes one address in the subnet it runs in; shared "
        f"subnets are sized for the sum, {SHARED_SUBNETS_SOURCE})",
        fix=f"give them subnets with {total:,} usable addresses ({subnet_size_advice(total)}): "
        "for an EmrServerlessNetwork, list every application in workloads (and update its "
        "subnet record); or use larger workers, lower maximum capacities, or separate subnets",
    )
