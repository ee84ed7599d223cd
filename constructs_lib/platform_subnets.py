"""The reference platform's subnet record: ``make plan`` runs this module.

Each environment's network is recorded under the environment's name in the file beside
the platform config (``platform.yaml`` -> ``platform.subnets.json``). Synth reads the
record and never writes it; this command updates it:

- an environment not yet recorded is planned with ``network.headroom`` (``--adopt``:
  with no headroom, exactly where versions without records placed it, for a network that
  is already deployed);
- a recorded environment keeps every subnet where it is; when its active worker subnets
  cannot hold today's peak, a worker group is added in free space (see
  :func:`constructs_lib.subnet_planning.plan_layout`);
- ``--add-cidr ENV=CIDR`` records a secondary VPC CIDR block; ``--release ENV=GROUP``
  drops a worker group no application uses.

``--check`` changes nothing and exits 1 when the record is not up to date. Bad input exits
with status 2 and the reason on stderr.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.platform_config import (
    DEFAULT_CONFIG_FILE,
    EnvironmentConfig,
    PlatformConfig,
    load_platform_config,
)
from constructs_lib.subnet_planning import SubnetGroup
from constructs_lib.subnet_planning._record import (
    PUBLIC_GROUP_NAME,
    PUBLIC_SUBNET_PREFIX,
    NetworkLayout,
    NetworkRequest,
    SubnetRecord,
    plan_layout,
)

PROG = "make plan"
#: The command that updates the platform's record, named in synth errors.
UPDATE_COMMAND = "make plan"
USAGE_ERROR = 2
STALE = 1

#: Interface endpoints every environment's network has (``InterfaceEndpoint`` values):
#: STS, KMS, CloudWatch Logs and Prometheus remote write. Each takes one address in every
#: subnet of the first worker group.
PLATFORM_INTERFACE_ENDPOINTS: tuple[str, ...] = ("sts", "kms", "logs", "aps-workspaces")


def record_path(config_path: str | Path) -> Path:
    """The record beside a platform config: ``platform.yaml`` -> ``platform.subnets.json``."""
    path = Path(config_path)
    return path.with_name(f"{path.stem}.subnets.json")


def load_platform_record(config_path: str | Path) -> SubnetRecord:
    """The record beside the platform config at ``config_path`` (empty if there is none)."""
    return SubnetRecord.load(record_path(config_path), update=UPDATE_COMMAND)


def network_request(environment: EnvironmentConfig) -> NetworkRequest:
    """What the environment's network stack asks of its subnets."""
    network = environment.network
    public = (SubnetGroup(PUBLIC_GROUP_NAME, prefix=PUBLIC_SUBNET_PREFIX),)
    return NetworkRequest(
        vpc_cidr=network.vpc_cidr,
        azs=network.availability_zones,
        workloads=environment.workloads(),
        other_addresses=len(PLATFORM_INTERFACE_ENDPOINTS),
        extra_groups=public if network.nat_gateway_count else (),
    )


def plan_platform(
    config: PlatformConfig,
    record: SubnetRecord,
    *,
    adopt: bool = False,
    add_cidrs: Mapping[str, Sequence[str]] | None = None,
    release: Mapping[str, Sequence[str]] | None = None,
) -> SubnetRecord:
    """``record`` updated for every environment of ``config`` (recorded subnets never move).

    Environments in the record but not in ``config`` stay recorded.

    :param adopt: plan environments not yet recorded with no headroom (where earlier
        versions placed them).
    :param add_cidrs: secondary CIDR blocks to record, by environment.
    :param release: worker groups to drop, by environment.
    :raises EmrServerlessValidationError: for an unknown environment, or a layout that
        cannot grow (the message names the ways to grow).
    """
    names = {env.name for env in config.environments}
    for option, values in (("--add-cidr", add_cidrs or {}), ("--release", release or {})):
        unknown = sorted(set(values) - names)
        if unknown:
            raise EmrServerlessValidationError(
                argument=option,
                value=unknown[0],
                rule=f"{config.source} has no environment {unknown[0]!r}",
                fix=f"name one of {', '.join(sorted(names))}",
            )
    for environment in config.environments:
        if environment.network.existing is not None:
            continue  # an existing VPC's subnets are its owners' to place: nothing to record
        previous = record.get(environment.name)
        headroom = 1 if adopt and previous is None else environment.network.headroom
        with environment.blame("network"):
            request = network_request(environment)
        layout = plan_layout(
            request,
            previous=previous,
            headroom=headroom,
            key=environment.name,
            add_cidrs=(add_cidrs or {}).get(environment.name, ()),
            release=(release or {}).get(environment.name, ()),
        )
        record = record.with_network(environment.name, layout)
    return record


def describe(key: str, before: NetworkLayout | None, after: NetworkLayout) -> list[str]:
    """Lines describing one network's layout, and what changed since ``before``."""
    state = "new" if before is None else ("unchanged" if before == after else "changed")
    lines = [f"{key}: {after.vpc_cidr} ({state}), {after.azs} AZs, applications use {after.active}"]
    lines += [f"  secondary CIDR block {cidr}" for cidr in after.secondary_cidrs]
    for group in after.groups:
        old = before.group(group.name) if before is not None else None
        mark = "+" if old is None else ("~" if old != group else " ")
        lines.append(
            f"  {mark} {group.name:<16} {', '.join(group.cidrs)}  "
            f"({group.usable:,} usable each, planned for {group.planned_for:,})"
        )
    if before is not None:
        lines += [
            f"  - {group.name:<16} {', '.join(group.cidrs)}  (released)"
            for group in before.groups
            if after.group(group.name) is None
        ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0; 1 for ``--check`` with changes; 2)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    path = Path(args.record) if args.record else record_path(args.config)
    try:
        config = load_platform_config(args.config)
        record = SubnetRecord.load(path, update=UPDATE_COMMAND)
        updated = plan_platform(
            config,
            record,
            adopt=args.adopt,
            add_cidrs=_by_environment(args.add_cidr),
            release=_by_environment(args.release),
        )
    except EmrServerlessValidationError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    for warning in config.warnings:
        print(f"{PROG}: warning: {warning.text}", file=sys.stderr)
    for key in sorted(updated.networks):
        print("\n".join(describe(key, record.get(key), updated.networks[key])))
    changed = updated.to_json() != (path.read_text(encoding="utf-8") if path.exists() else "")
    if args.check:
        if changed:
            print(f"{path} is not up to date: run `{UPDATE_COMMAND}`", file=sys.stderr)
            return STALE
        print(f"{path} is up to date")
        return 0
    if changed:
        updated.save(path)
        print(f"wrote {path}")
    else:
        print(f"{path} is up to date")
    return 0


def _by_environment(values: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for environment, value in values:
        grouped.setdefault(environment, []).append(value)
    return grouped


def _pair(text: str) -> tuple[str, str]:
    environment, sep, value = text.partition("=")
    if not sep or not environment or not value:
        raise argparse.ArgumentTypeError(f"{text!r} is not ENVIRONMENT=VALUE, e.g. prod=...")
    return environment, value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Update the platform's subnet record (recorded subnets never move).",
    )
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG_FILE, help="the platform file (default platform.yaml)"
    )
    parser.add_argument(
        "--record", help="the record file (default: <config stem>.subnets.json beside it)"
    )
    parser.add_argument(
        "--adopt",
        action="store_true",
        help="record environments not yet recorded with no headroom: where versions "
        "without records placed them (for networks already deployed)",
    )
    parser.add_argument(
        "--add-cidr",
        action="append",
        default=[],
        type=_pair,
        metavar="ENV=CIDR",
        help="record a secondary VPC CIDR block for ENV (repeatable)",
    )
    parser.add_argument(
        "--release",
        action="append",
        default=[],
        type=_pair,
        metavar="ENV=GROUP",
        help="drop a worker subnet group no application uses (repeatable)",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the record is stale"
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
