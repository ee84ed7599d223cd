"""Subnet planning for EMR Serverless: size worker subnets from the workload.

Every EMR Serverless worker takes one IP address in the subnet it launches in. The
planner turns applications' maximum capacity into worker subnets (one per AZ, each
holding the full peak), carves them and any other subnet groups out of a VPC CIDR, and
refuses, naming the fix, what AWS would refuse or what would starve jobs at scale.
:class:`SubnetRecord` records where a network's subnets are, so that growth never moves
them (:func:`plan_layout`, :func:`check_layout`).

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
from constructs_lib.subnet_planning._record import (
    WORKER_GROUP_NAME,
    NetworkLayout,
    NetworkRequest,
    RecordedGroup,
    SubnetRecord,
    SubnetRecordError,
    check_layout,
    first_layout,
    plan_layout,
)
from constructs_lib.subnet_planning._render import format_table
from constructs_lib.subnet_planning._shared import Share, shared_capacity_error
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
    "WORKER_GROUP_NAME",
    "NetworkLayout",
    "NetworkRequest",
    "PlannedSubnet",
    "RecordedGroup",
    "Share",
    "SubnetGroup",
    "SubnetPlan",
    "SubnetPlanningError",
    "SubnetRecord",
    "SubnetRecordError",
    "Workload",
    "available_addresses",
    "check_cidr_capacity",
    "check_layout",
    "first_layout",
    "format_table",
    "parse_vpc_cidr",
    "plan_layout",
    "plan_subnets",
    "required_addresses",
    "shared_capacity_error",
    "smallest_prefix_for",
    "subnet_size_advice",
    "usable_addresses",
    "workers_for",
]
