"""Custom image repositories: one per team, shared by the environments of one account and Region."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib.config_reader import MISSING, Problem
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.image_repository import CustomImageRepository
from constructs_lib.platform_config import EnvironmentConfig, PlatformConfig, PlatformConfigError
from constructs_lib.service_limits import RESOURCES_PER_STACK, check_stack_resources
from constructs_lib.stack_outputs import pascal_case


class ImagesStack(Stack):
    """A private ECR repository per team (``<platform>/<team>``), readable by EMR Serverless.

    Shared by the environments in its account and Region, so that the image a team tested
    in dev is the image prod runs there (promote by tag or digest, not by rebuilding).
    EMR Serverless pulls only from a repository in the application's Region (guide L1673,
    L1895), and the repository policy lets it pull for the applications of this account
    only, so environments in other accounts or Regions get an images stack of their own.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        platform: PlatformConfig,
        environments: Sequence[EnvironmentConfig] | None = None,
        **kwargs: Any,
    ) -> None:
        """Create a repository for every team of ``environments``.

        :param environments: the environments this stack serves (same account and Region).
            Default: every environment of ``platform``.
        """
        super().__init__(scope, construct_id, **kwargs)
        #: The environments whose applications pull from these repositories.
        self.environments: tuple[EnvironmentConfig, ...] = tuple(
            platform.environments if environments is None else environments
        )
        teams = {team.name for environment in self.environments for team in environment.teams}
        # One repository per team, and the CDK's metadata resource when version reporting
        # is on (the CDK CLI passes it as this context key).
        metadata = 1 if self.node.try_get_context("aws:cdk:version-reporting") else 0
        with _at_teams(platform):
            check_stack_resources(
                len(teams) + metadata,
                argument="teams",
                value=f"{len(teams)} teams",
                fix=f"one image repository per team: split the teams across config files "
                f"(platforms) of at most {RESOURCES_PER_STACK - metadata} teams each",
            )
        self.repositories: dict[str, CustomImageRepository] = {
            team: CustomImageRepository(
                self,
                _construct_id(team),
                repository_name=repository_name(platform.name, team),
            )
            for team in sorted(teams)
        }


def repository_name(platform: str, team: str) -> str:
    """The name of ``team``'s image repository (``<platform>/<team>``)."""
    return f"{platform}/{team}"


@contextmanager
def _at_teams(platform: PlatformConfig) -> Iterator[None]:
    """Re-raise a validation error at the config file's ``teams`` key."""
    try:
        yield
    except EmrServerlessValidationError as error:
        problem = Problem(f"{platform.source}: teams", MISSING, error.rule, error.fix)
        raise PlatformConfigError([problem]) from error


def _construct_id(team: str) -> str:
    return f"{pascal_case(team)}Repository"
