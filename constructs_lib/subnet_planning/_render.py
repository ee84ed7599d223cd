"""The plan as a table in the shape of the guide's subnet-planning table.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from constructs_lib.subnet_planning._plan import SubnetPlan

_HEADER = (
    "Subnet",
    "Group",
    "AZ",
    "Subnet address",
    "Subnet mask",
    "IP address range",
    "Available",
    "Usable",
    "Required",
)
#: Columns aligned right (the numbers).
_RIGHT = frozenset({0, 2, 6, 7, 8})


def format_table(plan: SubnetPlan) -> str:
    """The plan as text: a summary line, one row per subnet, and the free space."""
    rows = [
        (
            str(number),
            s.group,
            str(s.az_index),
            s.first_ip,
            f"{s.netmask}/{s.prefix}",
            f"{s.first_ip} - {s.last_ip}",
            f"{s.available:,}",
            f"{s.usable:,}",
            f"{s.required:,}",
        )
        for number, s in enumerate(plan.subnets, start=1)
    ]
    widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(len(_HEADER))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(width) if i in _RIGHT else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    workloads = len(plan.workloads)
    summary = (
        f"VPC {plan.vpc_cidr}, {plan.azs} AZs: {workloads} workload{'s' * (workloads != 1)}, "
        f"peak {plan.peak_workers:,} workers; each worker subnet holds "
        f"{plan.required_addresses:,} addresses"
    )
    free = ", ".join(plan.free_cidrs) or "none"
    return "\n".join(
        [
            summary,
            "",
            line(_HEADER),
            *(line(row) for row in rows),
            "",
            f"Free: {free} ({plan.free_addresses:,} addresses)",
        ]
    )
