"""What an environment's teams share: the Amazon Managed Service for Prometheus workspace."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib.platform_config import EnvironmentConfig
from constructs_lib.prometheus_workspace import PrometheusWorkspace


class PlatformStack(Stack):
    """One environment's shared services.

    A Prometheus workspace (with the Spark alerting rules) when any team sends metrics to
    it: one workspace per environment keeps every team's Spark metrics queryable in one
    Grafana data source, and each team's runtime role may only write to it.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: EnvironmentConfig,
        **kwargs: Any,
    ) -> None:
        """Create the shared services of ``environment``."""
        super().__init__(scope, construct_id, **kwargs)
        self.prometheus: PrometheusWorkspace | None = None
        if any(team.prometheus for team in environment.teams):
            self.prometheus = PrometheusWorkspace(
                self,
                "Prometheus",
                alias=f"{environment.platform_name}-{environment.name}",
                spark_alert_rules=True,
            )
