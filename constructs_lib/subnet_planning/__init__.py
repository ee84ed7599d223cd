"""Subnet planning for EMR Serverless: size worker subnets from the workload.

Every EMR Serverless worker takes one IP address in the subnet it launches in. The
planner turns applications' maximum capacity into worker subnets (one per AZ, each
holding the full peak), carves them and any other subnet groups out of a VPC CIDR, and
refuses, naming the fix, what AWS would refuse or what would starve jobs at scale.

Pure package: imports nothing from ``aws_cdk``, so ``python -m
constructs_lib.subnet_planning`` starts without jsii.
"""

from __future__ import annotations

from constructs_lib.subnet_planning._plan import (
    MIN_AZS,
    WORKER_GROUP,
    PlannedSubnet,
    SubnetGroup,
    SubnetPlan,
    Workload,
    parse_vpc_cidr,
    plan_subnets,
    required_addresses,
)
from constructs_lib.subnet_planning._render import format_table
from constructs_lib.subnet_planning._sizing import (
    LARGEST_SUBNET_PREFIX,
    MAX_USABLE_ADDRESSES,
    RESERVED_ADDRESSES_PER_SUBNET,
    SMALLEST_SUBNET_PREFIX,
    VALID_WORKER_VCPUS,
    SubnetPlanningError,
    available_addresses,
    check_cidr_capacity,
    smallest_prefix_for,
    subnet_size_advice,
    usable_addresses,
    workers_for,
)

__all__ = [
    "LARGEST_SUBNET_PREFIX",
    "MAX_USABLE_ADDRESSES",
    "MIN_AZS",
    "RESERVED_ADDRESSES_PER_SUBNET",
    "SMALLEST_SUBNET_PREFIX",
    "VALID_WORKER_VCPUS",
    "WORKER_GROUP",
    "PlannedSubnet",
    "SubnetGroup",
    "SubnetPlan",
    "SubnetPlanningError",
    "Workload",
    "available_addresses",
    "check_cidr_capacity",
    "format_table",
    "parse_vpc_cidr",
    "plan_subnets",
    "required_addresses",
    "smallest_prefix_for",
    "subnet_size_advice",
    "usable_addresses",
    "workers_for",
]
