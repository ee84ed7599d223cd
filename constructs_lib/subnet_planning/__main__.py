"""``emr-serverless-subnet-plan``: plan EMR Serverless subnets from the command line.

Example::

    python -m constructs_lib.subnet_planning --vpc-cidr 10.0.0.0/16 --azs 4 \\
        --workload 4000:4 --workload 2000:16:20 --group public:28 --json

Bad input exits with status 2 and the reason on stderr. Every number is checked before it
is used: ``--azs`` is 2 to 6 (the most Availability Zones an AWS Region has), and the
others are whole numbers no larger than any VPC could need.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from constructs_lib.cli import USAGE_ERROR, error_lines, whole_number
from constructs_lib.errors import EmrServerlessValidationError, show
from constructs_lib.platform_config import MAX_AVAILABILITY_ZONES
from constructs_lib.subnet_planning._plan import MIN_AZS, SubnetGroup, Workload, plan_subnets
from constructs_lib.subnet_planning._render import format_table
from constructs_lib.subnet_planning._sizing import SubnetPlanningError

PROG = "emr-serverless-subnet-plan"

#: The most Availability Zones any AWS Region has (us-east-1: six), so the most subnets of
#: a group a VPC can spread over (the platform file's bound too: one constant).
#: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
MAX_AZS = MAX_AVAILABILITY_ZONES
#: Addresses in the largest VPC CIDR block (/16, Amazon VPC).
MAX_VPC_ADDRESSES = 65_536
#: The largest vCPU figure that could fit any VPC: 16-vCPU workers, one per address of a /16.
#: Larger figures are refused here, before any arithmetic, instead of by the planner.
MAX_VCPU = 16 * MAX_VPC_ADDRESSES
#: The largest headroom any workload could fit with (a 1-vCPU peak grown to MAX_VCPU).
MAX_HEADROOM_PERCENT = 100 * MAX_VCPU

_azs = whole_number(MIN_AZS, MAX_AZS)
_addresses = whole_number(0, MAX_VPC_ADDRESSES)
_vcpu = whole_number(1, MAX_VCPU)
_headroom = whole_number(0, MAX_HEADROOM_PERCENT)
_prefix = whole_number(0, 32)


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
    except EmrServerlessValidationError as error:
        for line in error_lines(PROG, error):
            print(line, file=sys.stderr)
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
    parser.add_argument(
        "--azs",
        type=_azs,
        default=3,
        help=f"Availability Zones, {MIN_AZS} to {MAX_AZS} (default 3)",
    )
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
        type=_addresses,
        default=0,
        metavar="N",
        help="addresses each worker subnet holds besides workers, e.g. one per "
        f"interface endpoint, 0 to {MAX_VPC_ADDRESSES:,} (default 0)",
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    return parser


def _workload(text: str) -> Workload:
    parts = text.split(":")
    usage = (
        f"{show(text)} is not MAX_VCPU:WORKER_VCPU[:HEADROOM_PERCENT] in whole numbers, "
        "e.g. 4000:4 or 4000:4:20"
    )
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(usage)
    try:
        max_vcpu, worker_vcpu = _vcpu(parts[0]), _vcpu(parts[1])
        headroom = _headroom(parts[2]) if len(parts) == 3 else 0
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"{usage} ({error})") from error
    try:
        return Workload(max_vcpu, worker_vcpu, headroom_percent=headroom)
    except SubnetPlanningError as error:
        raise argparse.ArgumentTypeError(f"{show(text)}: {error}") from error


def _group(text: str) -> SubnetGroup:
    name, _, prefix = text.partition(":")
    prefix = prefix.removeprefix("/")
    if not name or not prefix:
        raise argparse.ArgumentTypeError(f"{show(text)} is not NAME:PREFIX, e.g. public:28")
    try:
        return SubnetGroup(name, prefix=_prefix(prefix))
    except SubnetPlanningError as error:
        raise argparse.ArgumentTypeError(f"{show(text)}: {error}") from error


if __name__ == "__main__":
    sys.exit(main())
