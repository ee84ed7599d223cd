"""Rules of a new VPC for EMR Serverless that Amazon VPC and EMR Serverless enforce.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import ipaddress

from constructs_lib.availability_zones import check_az_count, zone_choice_warning
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.subnet_planning._sizing import LARGEST_SUBNET_PREFIX, SMALLEST_SUBNET_PREFIX

#: Amazon VPC: an IPv4 VPC CIDR block is between /16 and /28 (the bounds of a subnet's
#: block too, so one pair of constants: :mod:`constructs_lib.subnet_planning`'s).
VPC_CIDR_BLOCKS_PAGE = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"
MIN_VPC_PREFIX = LARGEST_SUBNET_PREFIX
MAX_VPC_PREFIX = SMALLEST_SUBNET_PREFIX

__all__ = [
    "MAX_VPC_PREFIX",
    "MIN_VPC_PREFIX",
    "VPC_CIDR_BLOCKS_PAGE",
    "check_az_count",
    "check_vpc_cidr",
    "zone_choice_warning",
]


def check_vpc_cidr(cidr: str, *, argument: str = "vpc_cidr") -> None:
    """Refuse an IPv4 VPC CIDR block outside /16-/28 (text that is no CIDR is left alone)."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return
    if network.version != 4 or MIN_VPC_PREFIX <= network.prefixlen <= MAX_VPC_PREFIX:
        return
    raise EmrServerlessValidationError(
        argument=argument,
        value=cidr,
        rule=f"an IPv4 VPC CIDR block is /{MIN_VPC_PREFIX} (65,536 addresses) to "
        f"/{MAX_VPC_PREFIX} (16 addresses) ({VPC_CIDR_BLOCKS_PAGE})",
        fix=f"use a /{MIN_VPC_PREFIX} or smaller block, e.g. 10.0.0.0/16; for more addresses "
        "add secondary CIDR blocks or use several VPCs",
    )
