"""Worker and address arithmetic from the guide's "Best practices for subnet planning".

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from constructs_lib.errors import EmrServerlessValidationError

#: Worker sizes EMR Serverless offers, in vCPU ("1, 2, 4, 8, or 16 vCPUs", User Guide).
VALID_WORKER_VCPUS: tuple[int, ...] = (1, 2, 4, 8, 16)

#: Addresses AWS reserves in every subnet: the first four and the last.
RESERVED_ADDRESSES_PER_SUBNET = 5

#: The largest subnet AWS allows (a /16) ...
LARGEST_SUBNET_PREFIX = 16
#: ... and the smallest (a /28).
SMALLEST_SUBNET_PREFIX = 28

SUBNET_BOUNDS_RULE = "AWS subnets are /16 to /28"


class SubnetPlanningError(EmrServerlessValidationError):
    """Input the subnet planner cannot plan, or a subnet too small for the workers it must hold."""


def check_whole_number(value: Any, *, argument: str, minimum: int) -> int:
    """``value`` if it is an ``int`` (not a ``bool``) of at least ``minimum``; else raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SubnetPlanningError(
            argument=argument,
            value=value,
            rule=f"must be a whole number of at least {minimum}",
            fix=f"pass an int >= {minimum}",
        )
    return value


def check_worker_vcpu(worker_vcpu: Any, *, argument: str = "worker_vcpu") -> int:
    """``worker_vcpu`` if it is a worker size EMR Serverless offers; else raise."""
    if (
        isinstance(worker_vcpu, bool)
        or not isinstance(worker_vcpu, int)
        or worker_vcpu not in VALID_WORKER_VCPUS
    ):
        raise SubnetPlanningError(
            argument=argument,
            value=worker_vcpu,
            rule="an EMR Serverless worker has 1, 2, 4, 8 or 16 vCPU (User Guide, worker "
            "configurations)",
            fix="use one of 1, 2, 4, 8, 16",
        )
    return int(worker_vcpu)


def workers_for(max_vcpu: int, worker_vcpu: int) -> int:
    """Peak workers of an application: ``ceil(max_vcpu / worker_vcpu)``.

    :param max_vcpu: the application's maximum capacity in vCPU (at least 1).
    :param worker_vcpu: the worker size in vCPU (1, 2, 4, 8 or 16).
    :raises SubnetPlanningError: for a worker size EMR Serverless does not offer or a
        ``max_vcpu`` below 1.
    """
    check_whole_number(max_vcpu, argument="max_vcpu", minimum=1)
    check_worker_vcpu(worker_vcpu)
    return -(-max_vcpu // worker_vcpu)


def available_addresses(prefix: int) -> int:
    """Addresses in a /``prefix`` block: ``2**(32 - prefix)``."""
    return 1 << (32 - prefix)


def usable_addresses(prefix: int) -> int:
    """Addresses a /``prefix`` subnet has for network interfaces: ``2**(32 - prefix) - 5``.

    :raises SubnetPlanningError: for a prefix outside /16 to /28 (AWS subnet bounds).
    """
    check_subnet_prefix(prefix, argument="prefix")
    return available_addresses(prefix) - RESERVED_ADDRESSES_PER_SUBNET


def check_subnet_prefix(prefix: Any, *, argument: str) -> int:
    """``prefix`` if it is a subnet prefix length AWS allows (16 to 28); else raise."""
    if (
        isinstance(prefix, bool)
        or not isinstance(prefix, int)
        or not (LARGEST_SUBNET_PREFIX <= prefix <= SMALLEST_SUBNET_PREFIX)
    ):
        raise SubnetPlanningError(
            argument=argument,
            value=prefix,
            rule=SUBNET_BOUNDS_RULE,
            fix="pass a prefix length from 16 to 28",
        )
    return prefix


#: Usable addresses of the largest subnet AWS allows (65,531).
MAX_USABLE_ADDRESSES = available_addresses(LARGEST_SUBNET_PREFIX) - RESERVED_ADDRESSES_PER_SUBNET


def fitting_prefix(addresses: int) -> int | None:
    """The longest prefix (smallest subnet, /28 at most) with ``addresses`` usable, or ``None``."""
    if addresses > MAX_USABLE_ADDRESSES:
        return None
    prefix = 32 - (addresses + RESERVED_ADDRESSES_PER_SUBNET - 1).bit_length()
    return min(prefix, SMALLEST_SUBNET_PREFIX)


def smallest_prefix_for(addresses: int) -> int:
    """The prefix of the smallest subnet with at least ``addresses`` usable addresses.

    :param addresses: addresses the subnet must hold (0 or more); a /28 is the smallest.
    :raises SubnetPlanningError: when even a /16 (65,531 usable) is too small.
    """
    return prefix_for(addresses, argument="addresses")


def prefix_for(addresses: Any, *, argument: str) -> int:
    """:func:`smallest_prefix_for`, naming ``argument`` in its errors."""
    check_whole_number(addresses, argument=argument, minimum=0)
    prefix = fitting_prefix(addresses)
    if prefix is None:
        raise SubnetPlanningError(
            argument=argument,
            value=addresses,
            rule=f"the largest subnet, a /16, has {MAX_USABLE_ADDRESSES:,} usable addresses "
            f"({SUBNET_BOUNDS_RULE}; AWS reserves 5 per subnet)",
            fix="need fewer addresses per subnet: use larger workers or split the "
            "applications across separate subnets",
        )
    return prefix


def check_cidr_capacity(cidr: str, *, workers: int, subnet: str, argument: str) -> None:
    """Refuse a subnet whose IPv4 ``cidr`` has fewer usable addresses than ``workers``.

    :param cidr: the subnet's IPv4 CIDR block, e.g. ``"10.0.0.0/24"``.
    :param workers: peak workers the subnet must hold (one address each).
    :param subnet: how to name the subnet in the message (its id or construct path).
    :param argument: the argument the subnet came from, named in the error.
    :raises SubnetPlanningError: with the calculator's answer, e.g. ``subnet-0abc
        (10.0.0.0/24, 251 usable) cannot hold 1000 workers; use /22 or larger``.
    """
    check_whole_number(workers, argument="workers", minimum=1)
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError as error:
        raise SubnetPlanningError(
            argument=argument,
            value=cidr,
            rule=f"{subnet} has no valid IPv4 CIDR block ({error})",
            fix="import the subnet with its IPv4 CIDR block, e.g. '10.0.0.0/22'",
        ) from error
    usable = max(network.num_addresses - RESERVED_ADDRESSES_PER_SUBNET, 0)
    if usable >= workers:
        return
    raise SubnetPlanningError(
        argument=argument,
        value=cidr,
        rule=f"{subnet} ({network}, {usable} usable) cannot hold {workers} workers; "
        f"{subnet_size_advice(workers)} "
        "(each worker takes one IP address in its subnet, and AWS reserves 5 per subnet)",
        fix="select subnets that large in every AZ, or lower the peak: larger workers or a "
        "lower maximum capacity",
    )


def subnet_size_advice(workers: int) -> str:
    """What subnet holds ``workers``: ``use /22 or larger``, or that none can."""
    prefix = fitting_prefix(workers)
    if prefix is None:
        return "no subnet can (a /16, the largest, has 65,531 usable); use larger workers"
    return f"use /{prefix} or larger"
