"""One team's application in one environment: data, roles, logs, application, monitoring."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_image import ApplicationImage
from constructs_lib.application_logs import ApplicationLogs
from constructs_lib.application_monitoring import ApplicationMonitoring
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.image_repository import CustomImageRepository
from constructs_lib.job_defaults import job_defaults
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_configuration import MonitoringConfiguration
from constructs_lib.network import EmrServerlessNetwork
from constructs_lib.platform_config import (
    DataLocation,
    EnvironmentConfig,
    PlatformConfigError,
    TeamConfig,
)
from constructs_lib.prometheus_workspace import PrometheusWorkspaceBase
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_configuration import Classification, hive_site
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.secure_bucket import SecureBucket
from constructs_lib.stack_outputs import OutputField, output_description, output_key
from constructs_lib.workers import MAX_GB_PER_VCPU, EngineType, InitialWorkers
from stacks.retention import retention_days

#: Where a Hive team's scratch and warehouse directories go, under its output prefix;
#: Hive jobs fail without them (guide L2326, L3052-3056).
HIVE_SCRATCH_DIR = "hive/scratch/"
HIVE_WAREHOUSE_DIR = "hive/warehouse/"

#: Config settings of the application arguments whose errors map one to one.
_SETTING_OF_ARGUMENT: dict[str, str] = {
    "release": "application.release_label",
    "architecture": "application.architecture",
    "idle_timeout": "application.idle_timeout_minutes",
    "prefix": "data",
    "database": "glue_databases",
    "tables": "glue_databases",
}

#: ``initial_capacity[<worker type>].<field>`` -> the worker setting it comes from.
_INITIAL_CAPACITY = re.compile(r"initial_capacity\[(?P<type>\w+)\](?:\.(?P<field>[\w.]+))?")
_WORKER_FIELDS = {
    "count": "pre_initialized",
    "configuration.vcpu": "vcpu",
    "configuration.memory_gb": "memory_gb",
    "configuration.disk_gb": "disk_gb",
    "configuration.disk_type": "disk_type",
}


class TeamStack(Stack):
    """A team's EMR Serverless application with its runtime role, data, logs and monitoring.

    - a runtime role granted the team's data prefixes, Glue databases, logs and Prometheus;
    - a data bucket when a data location names no existing bucket;
    - log destinations (S3 with a KMS key, CloudWatch Logs, managed persistence);
    - the application on the environment's network, its jobs sized like the team's workers;
    - a dashboard, the team's alarms and job-state notifications on a team topic;
    - a job-submitter role, and the outputs the job command reads.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        team: TeamConfig,
        environment: EnvironmentConfig,
        network: EmrServerlessNetwork,
        prometheus: PrometheusWorkspaceBase | None = None,
        images: CustomImageRepository | None = None,
        **kwargs: Any,
    ) -> None:
        """Create ``team``'s stack in ``environment``; ``kwargs`` go to :class:`aws_cdk.Stack`.

        :param network: the environment's network (its subnets hold every team's peak).
        :param prometheus: the environment's Prometheus workspace, used when the team has
            ``prometheus: true``. Default: none.
        :param images: the team's image repository, used when the team names an
            ``image_tag``. Default: none.
        """
        super().__init__(scope, construct_id, **kwargs)
        self.team = team
        self.runtime_role = JobRuntimeRole(self, "RuntimeRole")
        self.logs = ApplicationLogs(
            self, "Logs", retention=retention_days(environment.log_retention_days)
        )
        self.logs.grant_write(self.runtime_role)
        remote_write = None
        if team.prometheus and prometheus is not None:
            remote_write = prometheus.remote_write
            prometheus.grant_remote_write(self.runtime_role)
        image = None
        if team.application.image_tag and images is not None:
            with team.blame("application.image_tag"):
                image = images.image(tag=team.application.image_tag)
        with _blamed(team):
            buckets = self._data(team)
            self._glue(team)
            self.application = self._application(
                team,
                network,
                self.logs.monitoring_configuration(prometheus=remote_write),
                image,
                buckets,
            )
        alarms = team.alarms
        self.monitoring = ApplicationMonitoring(
            self,
            "Monitoring",
            application=self.application,
            alarms=alarms.enabled,
            failed_jobs_threshold=alarms.failed_jobs_threshold,
            application_vcpu_threshold_percent=alarms.capacity_threshold_percent,
        )
        self.submitter_role = ManagedPolicyRole(
            self,
            "JobSubmitterRole",
            assumed_by=iam.AccountRootPrincipal(),
            description=f"Starts and follows {team.name}'s EMR Serverless jobs in "
            f"{environment.name}",
        )
        self.application.grant_start_job_run(self.submitter_role, self.runtime_role)
        self._outputs(team)

    def _data(self, team: TeamConfig) -> dict[str, s3.IBucket]:
        """The team's buckets by data role, with the runtime role's grants on their prefixes."""
        data = team.data
        team_bucket = SecureBucket(self, "DataBucket") if data.needs_team_bucket else None

        def bucket(role: str, location: DataLocation) -> s3.IBucket:
            if location.bucket is None:
                assert team_bucket is not None  # needs_team_bucket said so
                return team_bucket
            return s3.Bucket.from_bucket_name(self, f"{role}Bucket", location.bucket)

        buckets = {
            "input": bucket("Input", data.input),
            "output": bucket("Output", data.output),
            "scripts": bucket("Scripts", data.scripts),
        }
        self.runtime_role.grant_s3_read(buckets["input"], data.input.prefix)
        self.runtime_role.grant_s3_read(buckets["scripts"], data.scripts.prefix)
        self.runtime_role.grant_s3_read_write(buckets["output"], data.output.prefix)
        self.data_bucket = team_bucket
        return buckets

    def _glue(self, team: TeamConfig) -> None:
        for database in team.glue_databases.read:
            self.runtime_role.grant_glue_read(database, all_tables=True)
        for database in team.glue_databases.read_write:
            self.runtime_role.grant_glue_read_write(database, all_tables=True)

    def _application(
        self,
        team: TeamConfig,
        network: EmrServerlessNetwork,
        monitoring: MonitoringConfiguration | None,
        image: ApplicationImage | None,
        buckets: dict[str, s3.IBucket],
    ) -> EmrServerlessApplication:
        config = team.application
        with team.blame("application.release_label"):
            release = ReleaseLabel.of(config.release_label)
        for worker in config.workers:
            # Every declared size sizes the team's jobs (job_defaults), not only the
            # pre-initialized workers the application itself checks.
            try:
                worker.configuration.check(argument=worker.config_key, release=release)
            except EmrServerlessValidationError as error:
                with team.blame(f"application.workers.{error.argument}"):
                    raise
        sizes = {worker.worker_type: worker.configuration for worker in config.workers}
        runtime: list[Classification] = [job_defaults(config.type, sizes)]
        if config.type is EngineType.HIVE:
            runtime = [_with_hive_directories(runtime[0], buckets["output"], team)]
        maximum = config.maximum_capacity
        return EmrServerlessApplication(
            self,
            "Application",
            engine=config.type,
            release=release,
            architecture=config.architecture,
            initial_capacity={
                worker.worker_type: InitialWorkers(
                    count=worker.pre_initialized, configuration=worker.configuration
                )
                for worker in config.workers
                if worker.pre_initialized
            },
            maximum_capacity=MaximumCapacity(
                vcpu=maximum.vcpu,
                # No maximum memory given: the largest ratio of any worker size, so that
                # memory never binds before vCPU.
                memory_gb=maximum.memory_gb or maximum.vcpu * MAX_GB_PER_VCPU,
                disk_gb=maximum.disk_gb,
            ),
            idle_timeout=Duration.minutes(config.idle_timeout_minutes),
            network=network,
            image=image,
            monitoring=monitoring,
            runtime_configuration=runtime,
            tags={"team": team.name},
        )

    def _outputs(self, team: TeamConfig) -> None:
        values = {
            OutputField.APPLICATION_ID: self.application.application_id,
            OutputField.APPLICATION_ARN: self.application.application_arn,
            OutputField.APPLICATION_TYPE: team.application.type.value,
            OutputField.RUNTIME_ROLE_ARN: self.runtime_role.role_arn,
            OutputField.SUBMITTER_ROLE_ARN: self.submitter_role.role_arn,
            OutputField.LOG_URI: f"s3://{self.logs.bucket.bucket_name}/{self.logs.prefix}",
            OutputField.LOG_ENCRYPTION_KEY_ARN: self.logs.encryption_key.key_arn,
        }
        if self.logs.log_group is not None:
            values[OutputField.LOG_GROUP_NAME] = self.logs.log_group.log_group_name
        for field, value in values.items():
            CfnOutput(
                self,
                output_key(team.name, field),
                value=value,
                description=output_description(team.name, field),
            )


def _with_hive_directories(
    defaults: Classification, output: s3.IBucket, team: TeamConfig
) -> Classification:
    prefix = f"s3://{output.bucket_name}/{team.data.output.prefix}"
    return hive_site(
        {
            **defaults.properties,
            "hive.exec.scratchdir": f"{prefix}{HIVE_SCRATCH_DIR}",
            "hive.metastore.warehouse.dir": f"{prefix}{HIVE_WAREHOUSE_DIR}",
        }
    )


@contextmanager
def _blamed(team: TeamConfig) -> Iterator[None]:
    """Re-raise a construct's validation error at the config key it came from."""
    try:
        yield
    except PlatformConfigError:
        raise
    except EmrServerlessValidationError as error:
        with team.blame(_setting_of(team, error.argument)):
            raise


def _setting_of(team: TeamConfig, argument: str) -> str:
    """The most specific config setting behind a construct argument."""
    if argument in _SETTING_OF_ARGUMENT:
        return _SETTING_OF_ARGUMENT[argument]
    if argument.startswith("maximum_capacity"):
        return f"application.{argument}"
    match = _INITIAL_CAPACITY.match(argument)
    if match:
        workers = [w for w in team.application.workers if w.worker_type.name == match["type"]]
        if workers:
            setting = f"application.workers.{workers[0].config_key}"
            field = _WORKER_FIELDS.get(match["field"] or "")
            return f"{setting}.{field}" if field else setting
    return "application"
