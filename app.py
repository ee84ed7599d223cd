#!/usr/bin/env python3
"""The reference CDK app: the platform in ``platform.yaml``, one stage per environment.

``make synth`` synthesizes it with no AWS account. Per environment (a ``cdk.Stage``) a
network stack, a shared platform stack and one stack per team, and one images stack per
account and Region (see ``constructs_lib.stack_outputs``); ``cdk deploy 'Dev/*'`` deploys
one environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Annotations
from constructs import Construct

from constructs_lib.cli import exit_on_validation_error
from constructs_lib.compliance import add_compliance_checks
from constructs_lib.platform_config import (
    CONTEXT_KEY,
    DEFAULT_CONFIG_FILE,
    ENVIRONMENT_TAG,
    PLATFORM_TAG,
    TEAM_TAG,
    EnvironmentConfig,
    PlatformConfig,
    load_platform_config,
)
from constructs_lib.platform_subnets import load_platform_record
from constructs_lib.stack_outputs import images_stack_name
from constructs_lib.subnet_planning import SubnetRecord
from constructs_lib.tokens import UNCHECKED_WARNING_PREFIX
from stacks import ImagesStack, NetworkStack, PlatformStack, TeamStack
from stacks.images_stack import repository_name
from stacks.tagging import tag_stack

ROOT = Path(__file__).resolve().parent

#: The warning that an application's subnets' routes to S3 were not checked (an existing
#: VPC's subnets are imported without their routes).
UNCHECKED_ROUTES_WARNING = f"{UNCHECKED_WARNING_PREFIX}:network.routes"

#: How the app names itself in its error lines (the CDK CLI shows them as they are).
PROG = "app.py"

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

    When the file names accounts and Regions, each environment is a ``cdk.Stage``
    (``Dev``, ``Prod``) bound to its own, and ``env`` is not used; otherwise the stacks are
    at the top of the app, bound to ``env`` (``None``: environment-agnostic), as before
    stages (:attr:`PlatformConfig.uses_stages`). Stack names are the same either way. Each
    account and Region gets one images stack, with the first environment deployed there;
    team stacks name their repository instead of referencing it (stacks in different
    stages cannot reference each other).

    :param subnet_record: where each environment's subnets are. Default: the record beside
        the config file (``platform.subnets.json``), written by ``make plan``.
    """
    config = config or platform_config(app)
    for advice in config.warnings:  # what the file may say but should not (e.g. a new Region)
        Annotations.of(app).add_warning_v2(advice.id, advice.text)
    record = subnet_record or load_platform_record(ROOT / config.source)
    stacks: list[cdk.Stack] = []
    images: dict[str, ImagesStack] = {}
    #: Each stack's tags, applied once every stack is built (team stacks add to others).
    tags: list[tuple[cdk.Stack, Mapping[str, str]]] = []
    for environment in config.environments:
        scope: Construct = app
        stack_env = env
        if config.uses_stages:
            scope = cdk.Stage(app, environment.stage_id, env=_stage_environment(environment))
            stack_env = None  # the stage's
        holder = config.images_holder(environment)
        if holder.name == environment.name:
            images[holder.name] = _images_stack(scope, config, environment, stack_env)
            stacks.append(images[holder.name])
            tags.append((images[holder.name], _images_tags(config, environment)))
        title = f"EMR Serverless platform {config.name} ({environment.name})"
        network = NetworkStack(
            scope,
            environment.network_stack_name,
            stack_name=environment.network_stack_name,
            environment=environment,
            subnet_record=record,
            env=stack_env,
            description=f"{title}: network",
        )
        shared = PlatformStack(
            scope,
            environment.stack_name,
            stack_name=environment.stack_name,
            environment=environment,
            env=stack_env,
            description=f"{title}: shared services",
        )
        tags += [(network, environment.resource_tags()), (shared, environment.resource_tags())]
        stacks += [network, shared]
        for team in environment.teams:
            name = environment.team_stack_name(team.name)
            team_stack = TeamStack(
                scope,
                name,
                stack_name=name,
                team=team,
                environment=environment,
                network=network.network,
                prometheus=shared.prometheus,
                image_repository_name=repository_name(config.name, team.name),
                env=stack_env,
                description=f"{title}: team {team.name}",
            )
            if environment.network.existing is not None:
                Annotations.of(team_stack.application).acknowledge_warning(
                    UNCHECKED_ROUTES_WARNING,
                    "The environment uses an existing VPC (platform.yaml network.vpc_id): its "
                    "subnets' routes to Amazon S3 (gateway endpoint or NAT) belong to the "
                    "team that owns the VPC, as docs/onboarding.md says, and the file does "
                    "not describe them.",
                )
            if not config.uses_stages or holder.name == environment.name:
                # Deploy the repository first; across stages, the stage order does that.
                team_stack.add_stack_dependency(images[holder.name], "pulls its image from it")
            tags.append((team_stack, environment.team_tags(team.name)))
            stacks.append(team_stack)
    for stack, stack_tags in tags:
        tag_stack(stack, stack_tags)
    add_compliance_checks(app)
    return stacks


def _stage_environment(environment: EnvironmentConfig) -> cdk.Environment:
    """The account and Region the file names for ``environment``."""
    assert environment.target is not None  # uses_stages: every environment names both
    account, region = environment.target
    return cdk.Environment(account=account, region=region)


def _images_stack(
    scope: Construct,
    config: PlatformConfig,
    environment: EnvironmentConfig,
    env: cdk.Environment | None,
) -> ImagesStack:
    """The images stack of ``environment``'s account and Region, for every environment there."""
    served = _served(config, environment)
    name = images_stack_name(config.name)
    stack = ImagesStack(
        scope,
        name,
        stack_name=name,
        platform=config,
        environments=served,
        env=env,
        description=f"EMR Serverless platform {config.name}: custom image repositories",
    )
    base_team_tags = dict(config.team_tags)
    for team, repository in stack.repositories.items():
        for key, value in {**dict(base_team_tags.get(team, ())), TEAM_TAG: team}.items():
            cdk.Tags.of(repository).add(key, value)
    return stack


def _served(config: PlatformConfig, environment: EnvironmentConfig) -> list[EnvironmentConfig]:
    """The environments in ``environment``'s account and Region (one images stack serves them)."""
    return [e for e in config.environments if e.target == environment.target]


def _images_tags(config: PlatformConfig, environment: EnvironmentConfig) -> dict[str, str]:
    """The images stack's tags: the file's, the platform and every environment it serves."""
    environments = "+".join(e.name for e in _served(config, environment))
    return {**dict(config.tags), PLATFORM_TAG: config.name, ENVIRONMENT_TAG: environments}


def main() -> None:
    """Synthesize the reference app (the CDK CLI runs this through ``cdk.json``).

    A config or validation error prints one line per problem and exits with status 2
    (no traceback); any other exception is a bug and keeps its traceback.
    """
    with exit_on_validation_error(PROG):
        app = cdk.App()
        build_app(app, env=environment_from_env())
        app.synth()


if __name__ == "__main__":
    main()
