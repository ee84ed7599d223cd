#!/usr/bin/env python3
"""The reference CDK app: the platform in ``platform.yaml``, one set of stacks per environment.

``make synth`` synthesizes it with no AWS account. One images stack for the platform, and
per environment a network stack, a shared platform stack and one stack per team (see
``constructs_lib.stack_outputs``).
"""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk

from constructs_lib.compliance import add_compliance_checks
from constructs_lib.platform_config import (
    CONTEXT_KEY,
    DEFAULT_CONFIG_FILE,
    PlatformConfig,
    load_platform_config,
)
from constructs_lib.platform_subnets import load_platform_record
from constructs_lib.stack_outputs import images_stack_name
from constructs_lib.subnet_planning import SubnetRecord
from stacks import ImagesStack, NetworkStack, PlatformStack, TeamStack

ROOT = Path(__file__).resolve().parent

#: The platform file ``make synth`` uses when ``cdk.json`` names none.
DEFAULT_CONFIG = ROOT / DEFAULT_CONFIG_FILE


def environment_from_env() -> cdk.Environment | None:
    """Account and region from ``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` when both are set.

    Without them (no credentials, as in CI) the stacks are environment-agnostic and
    the synth makes no AWS lookups.
    """
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    if account and region:
        return cdk.Environment(account=account, region=region)
    return None


def platform_config(app: cdk.App) -> PlatformConfig:
    """The platform file named by the ``emr-serverless:platformConfig`` context, from the repo."""
    configured = app.node.try_get_context(CONTEXT_KEY)
    path = ROOT / configured if configured else DEFAULT_CONFIG
    return load_platform_config(path)


def build_app(
    app: cdk.App,
    *,
    env: cdk.Environment | None = None,
    config: PlatformConfig | None = None,
    subnet_record: SubnetRecord | None = None,
) -> list[cdk.Stack]:
    """Add every environment's stacks and the compliance checks to ``app``; return the stacks.

    :param subnet_record: where each environment's subnets are. Default: the record beside
        the config file (``platform.subnets.json``), written by ``make plan``.
    """
    config = config or platform_config(app)
    record = subnet_record or load_platform_record(ROOT / config.source)
    images = ImagesStack(
        app,
        images_stack_name(config.name),
        platform=config,
        env=env,
        description=f"EMR Serverless platform {config.name}: custom image repositories",
    )
    stacks: list[cdk.Stack] = [images]
    for environment in config.environments:
        title = f"EMR Serverless platform {config.name} ({environment.name})"
        network = NetworkStack(
            app,
            environment.network_stack_name,
            environment=environment,
            subnet_record=record,
            env=env,
            description=f"{title}: network",
        )
        shared = PlatformStack(
            app,
            environment.stack_name,
            environment=environment,
            env=env,
            description=f"{title}: shared services",
        )
        stacks += [network, shared]
        for team in environment.teams:
            stacks.append(
                TeamStack(
                    app,
                    environment.team_stack_name(team.name),
                    team=team,
                    environment=environment,
                    network=network.network,
                    prometheus=shared.prometheus,
                    images=images.repositories[team.name],
                    env=env,
                    description=f"{title}: team {team.name}",
                )
            )
    add_compliance_checks(app)
    return stacks


def main() -> None:
    """Synthesize the reference app (the CDK CLI runs this through ``cdk.json``)."""
    app = cdk.App()
    build_app(app, env=environment_from_env())
    app.synth()


if __name__ == "__main__":
    main()
