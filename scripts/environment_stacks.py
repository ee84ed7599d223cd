"""The stacks of one platform environment: what ``cdk deploy`` selects, and their health.

The deploy workflow (``.github/workflows/deploy.yml``) runs::

    python scripts/environment_stacks.py selectors --environment dev
    python scripts/environment_stacks.py check --environment dev --cdk-out cdk.out

``selectors`` prints the stack selectors of the environment, one per line (the images stack
of its account and Region when it holds it, its network and shared stacks, one stack per
team; ``Dev/...`` when the platform file names accounts, so that each environment is a
stage). ``check`` reads each stack's name, account, Region and CDK look-up role from the
synthesized cloud assembly and asks CloudFormation for its status: every stack must exist
and be ``CREATE_COMPLETE``, ``UPDATE_COMPLETE`` or ``IMPORT_COMPLETE`` (a stack left in
``UPDATE_ROLLBACK_COMPLETE`` by an earlier failed deploy is not healthy, even when this
deploy had nothing to change). It reads with the account's CDK look-up role (read-only,
created by ``cdk bootstrap``), which the deploy role may assume, and with the current
credentials for an environment-agnostic stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructs_lib.platform_config import DEFAULT_CONFIG_FILE, load_platform_config

#: Stack statuses of a stack whose last operation succeeded.
HEALTHY = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})

#: Region prefixes of the partitions other than ``aws``.
_PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"))

#: The account and Region of an environment-agnostic stack in a cloud assembly.
_UNKNOWN = ("unknown-account", "unknown-region")


@dataclass(frozen=True)
class DeployedStack:
    """One stack of the cloud assembly: where it is deployed and how to read it."""

    selector: str
    stack_name: str
    account: str | None
    region: str | None
    lookup_role_arn: str | None


def selectors(config_file: str | Path, environment: str) -> tuple[str, ...]:
    """The ``cdk deploy`` selectors of ``environment``'s stacks."""
    config = load_platform_config(config_file)
    return config.stack_paths(config.environment(environment))


def assembly_stacks(cdk_out: Path) -> dict[str, DeployedStack]:
    """Every stack of the cloud assembly in ``cdk_out``, by selector (nested stages too)."""
    found: dict[str, DeployedStack] = {}
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "cdk:cloud-assembly":
            found.update(assembly_stacks(cdk_out / properties["directoryName"]))
        elif artifact.get("type") == "aws:cloudformation:stack":
            selector = artifact.get("displayName", artifact_id)
            account, region = _environment(artifact.get("environment", ""))
            role = properties.get("lookupRole", {}).get("arn")
            found[selector] = DeployedStack(
                selector=selector,
                stack_name=properties.get("stackName", artifact_id),
                account=account,
                region=region,
                lookup_role_arn=_lookup_role(role, account, region),
            )
    return found


def _environment(uri: str) -> tuple[str | None, str | None]:
    account, _, region = uri.removeprefix("aws://").partition("/")
    return (
        None if account in ("", _UNKNOWN[0]) else account,
        None if region in ("", _UNKNOWN[1]) else region,
    )


def _lookup_role(arn: str | None, account: str | None, region: str | None) -> str | None:
    """The look-up role's ARN with its partition filled in; ``None`` when not resolvable."""
    if arn is None or account is None or region is None:
        return None
    partition = next((name for prefix, name in _PARTITIONS if region.startswith(prefix)), "aws")
    resolved = arn.replace("${AWS::Partition}", partition)
    return None if "${" in resolved else resolved


def check(stacks: Iterable[DeployedStack], client_for: Callable[[DeployedStack], Any]) -> list[str]:
    """A line per stack, ``"<selector>: <status>"``; :class:`UnhealthyStacksError` if any is not.

    :param client_for: a CloudFormation client that may read ``stack`` (see :func:`clients`).
    """
    lines, unhealthy = [], []
    for stack in stacks:
        status = _status(client_for(stack), stack.stack_name)
        lines.append(f"{stack.selector} ({stack.stack_name}): {status}")
        if status not in HEALTHY:
            unhealthy.append(stack.selector)
    if unhealthy:
        raise UnhealthyStacksError(lines, unhealthy)
    return lines


class UnhealthyStacksError(Exception):
    """Stacks that do not exist or whose last operation failed."""

    def __init__(self, lines: Sequence[str], unhealthy: Sequence[str]) -> None:
        super().__init__(f"not healthy: {', '.join(unhealthy)}")
        self.lines = tuple(lines)


def _status(client: Any, stack_name: str) -> str:
    from botocore.exceptions import ClientError

    try:
        response = client.describe_stacks(StackName=stack_name)
    except ClientError as error:
        if "does not exist" in str(error):
            return "DOES_NOT_EXIST"
        raise
    return str(response["Stacks"][0]["StackStatus"])


def clients(session: Any) -> Callable[[DeployedStack], Any]:
    """CloudFormation clients per stack: through its look-up role when it names one.

    :param session: a ``boto3.Session`` with the deploy role's credentials.
    """
    cache: dict[tuple[str | None, str | None], Any] = {}

    def client_for(stack: DeployedStack) -> Any:
        key = (stack.lookup_role_arn, stack.region)
        if key not in cache:
            if stack.lookup_role_arn is None:
                cache[key] = session.client("cloudformation", region_name=stack.region)
            else:
                credentials = session.client("sts", region_name=stack.region).assume_role(
                    RoleArn=stack.lookup_role_arn, RoleSessionName="check-stack-health"
                )["Credentials"]
                cache[key] = session.client(
                    "cloudformation",
                    region_name=stack.region,
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                )
        return cache[key]

    return client_for


def main(argv: Sequence[str] | None = None, *, session: Any = None) -> int:
    """Print the selectors, or check the stacks; 1 when a stack is not healthy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("selectors", "check"))
    parser.add_argument("--environment", required=True, help="e.g. dev or prod")
    parser.add_argument("--config", default=DEFAULT_CONFIG_FILE, help="the platform file")
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"), help="(check)")
    args = parser.parse_args(argv)
    wanted = selectors(args.config, args.environment)
    if args.command == "selectors":
        print("\n".join(wanted))
        return 0
    synthesized = assembly_stacks(args.cdk_out)
    missing = [selector for selector in wanted if selector not in synthesized]
    if missing:
        print(f"not in {args.cdk_out}: {', '.join(missing)} (synthesize first)", file=sys.stderr)
        return 1
    if session is None:
        import boto3

        session = boto3.Session()
    try:
        lines = check([synthesized[s] for s in wanted], clients(session))
    except UnhealthyStacksError as failure:
        print("\n".join(failure.lines))
        print(str(failure), file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
