"""Benchmark of the subnet planner: plan 1,000 workloads' subnets in a /8 (a figure, not a test).

``bench_plan`` is called by ``scripts/bench.py`` (``make bench``); run this file alone to
print the figure. The target is under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from constructs_lib.subnet_planning import (
    VALID_WORKER_VCPUS,
    SubnetGroup,
    Workload,
    plan_subnets,
)

#: The address space planned in.
VPC_CIDR = "10.0.0.0/8"
#: Timed runs; the median is reported.
RUNS = 21


def workloads_for(count: int) -> list[Workload]:
    """``count`` deterministic workloads of every worker size (about 7 workers each)."""
    return [
        Workload(
            max_vcpu=4 * (1 + i % 8),
            worker_vcpu=VALID_WORKER_VCPUS[i % len(VALID_WORKER_VCPUS)],
            headroom_percent=5 * (i % 3),
            name=f"app-{i}",
        )
        for i in range(count)
    ]


def bench_plan(workloads: int = 1000) -> float:
    """Median seconds of ``plan_subnets`` for ``workloads`` workloads sharing subnets in a /8.

    The plan has 3 AZs, a public group and 9 interface-endpoint addresses per worker subnet,
    like a network built by ``EmrServerlessNetwork``; building the inputs is not timed.
    """
    inputs = workloads_for(workloads)
    groups = [SubnetGroup("public", prefix=28)]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        plan_subnets(inputs, vpc_cidr=VPC_CIDR, azs=3, extra_groups=groups, other_addresses=9)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    """Print the median."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workloads", type=int, default=1000, help="workloads (default 1000)")
    args = parser.parse_args()
    seconds = bench_plan(args.workloads)
    print(
        f"subnet planning, {args.workloads:,} workloads in a /8, median of {RUNS} runs: "
        f"{seconds * 1000:.2f} ms (target < 50 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
