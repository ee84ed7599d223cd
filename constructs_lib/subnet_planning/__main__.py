"""``emr-serverless-subnet-plan``: plan EMR Serverless subnets from the command line.

Example::

    python -m constructs_lib.subnet_planning --vpc-cidr 10.0.0.0/16 --azs 4 \\
        --workload 4000:4 --workload 2000:16:20 --group public:28 --json

Bad input exits with status 2 and the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from constructs_lib.subnet_planning._plan import SubnetGroup, Workload, plan_subnets
from constructs_lib.subnet_planning._render import format_table
from constructs_lib.subnet_planning._sizing import SubnetPlanningError

PROG = "emr-serverless-subnet-plan"
USAGE_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, or 2 for bad input)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error (or --help)
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    try:
        plan = plan_subnets(
            args.workload,
            vpc_cidr=args.vpc_cidr,
            azs=args.azs,
            extra_groups=args.group,
            other_addresses=args.other_addresses,
        )
    except SubnetPlanningError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    text = json.dumps(plan.to_dict(), indent=2) if args.json else format_table(plan)
    try:
        print(text)
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, as shell tools do
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (Python flushes stdout at exit)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Size EMR Serverless worker subnets from the applications' maximum "
        "capacity: one subnet per AZ, each holding every application's peak workers.",
    )
    parser.add_argument("--vpc-cidr", required=True, help="IPv4 CIDR to plan in, e.g. 10.0.0.0/16")
    parser.add_argument("--azs", type=int, default=3, help="Availability Zones, 2+ (default 3)")
    parser.add_argument(
        "--workload",
        action="append",
        required=True,
        type=_workload,
        metavar="MAX_VCPU:WORKER_VCPU[:HEADROOM_PERCENT]",
        help="an application sharing the subnets, e.g. 4000:4 (repeat for each)",
    )
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        type=_group,
        metavar="NAME:PREFIX",
        help="another subnet group carved per AZ, e.g. public:28 (repeatable)",
    )
    parser.add_argument(
        "--other-addresses",
        type=int,
        default=0,
        metavar="N",
        help="addresses each worker subnet holds besides workers, e.g. one per "
        "interface endpoint (default 0)",
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    return parser


def _workload(text: str) -> Workload:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(part.strip().isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not MAX_VCPU:WORKER_VCPU[:HEADROOM_PERCENT] in whole numbers, "
            "e.g. 4000:4 or 4000:4:20"
        )
    max_vcpu, worker_vcpu, *rest = (int(part) for part in parts)
    try:
        return Workload(max_vcpu, worker_vcpu, headroom_percent=rest[0] if rest else 0)
    except SubnetPlanningError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from error


def _group(text: str) -> SubnetGroup:
    name, _, prefix = text.partition(":")
    prefix = prefix.removeprefix("/")
    if not name or not prefix.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME:PREFIX, e.g. public:28")
    try:
        return SubnetGroup(name, prefix=int(prefix))
    except SubnetPlanningError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from error


if __name__ == "__main__":
    sys.exit(main())
