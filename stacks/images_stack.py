"""The platform's custom image repositories: one per team, shared by every environment."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib.image_repository import CustomImageRepository
from constructs_lib.platform_config import PlatformConfig
from constructs_lib.stack_outputs import pascal_case


class ImagesStack(Stack):
    """A private ECR repository per team (``<platform>/<team>``), readable by EMR Serverless.

    Shared by the environments, so that the image a team tested in dev is the image prod
    runs (promote by tag or digest, not by rebuilding).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, platform: PlatformConfig, **kwargs: Any
    ) -> None:
        """Create a repository for every team of every environment of ``platform``."""
        super().__init__(scope, construct_id, **kwargs)
        teams = {team.name for environment in platform.environments for team in environment.teams}
        self.repositories: dict[str, CustomImageRepository] = {
            team: CustomImageRepository(
                self,
                _construct_id(team),
                repository_name=f"{platform.name}/{team}",
            )
            for team in sorted(teams)
        }


def _construct_id(team: str) -> str:
    return f"{pascal_case(team)}Repository"
