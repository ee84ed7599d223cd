"""One team's application in one environment: data, roles, logs, application, monitoring."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_image import ApplicationImage
from constructs_lib.application_logs import ApplicationLogs
from constructs_lib.application_monitoring import ApplicationMonitoring
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.config_reader import Problem
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import acknowledge_grant_wildcard, add_to_principal
from constructs_lib.job_defaults import job_defaults
from constructs_lib.job_definition import HiveJob, JobDefinition, SparkJob
from constructs_lib.job_outputs import (
    job_request_description,
    job_request_output_key,
    job_state_machine_description,
    job_state_machine_output_key,
    release_description,
    release_output_key,
)
from constructs_lib.job_runs import RetryPolicy
from constructs_lib.job_schedule import JobSchedule, new_dead_letter_queue
from constructs_lib.job_workflow import JobWorkflow
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_configuration import MonitoringConfiguration
from constructs_lib.network import EmrServerlessNetwork
from constructs_lib.platform_config import (
    JOB_TAG,
    DataLocation,
    EnvironmentConfig,
    JobConfig,
    PlatformConfigError,
    TeamConfig,
)
from constructs_lib.prometheus_workspace import PrometheusWorkspaceBase
from constructs_lib.pyspark_package import PySparkPackage
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_configuration import Classification, hive_site
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.secure_bucket import SecureBucket
from constructs_lib.service_limits import PolicyCapacityError
from constructs_lib.stack_outputs import (
    OutputField,
    output_description,
    output_key,
    pascal_case,
)
from constructs_lib.workers import MAX_GB_PER_VCPU, EngineType, InitialWorkers, WorkerType
from stacks.retention import retention_days

#: Where a Hive team's scratch and warehouse directories go, under its output prefix;
#: Hive jobs fail without them (guide L2326, L3052-3056).
HIVE_SCRATCH_DIR = "hive/scratch/"
HIVE_WAREHOUSE_DIR = "hive/warehouse/"

#: What the job command calls on the team's stack (it reads the outputs).
DESCRIBE_STACK_ACTIONS: tuple[str, ...] = ("cloudformation:DescribeStacks",)

#: A job construct's argument -> the job setting behind it.
_JOB_SETTINGS = {
    "execution_timeout_minutes": "timeout_minutes",
    "retry_policy.max_attempts": "retries",
    "entry_point": "entry_point",
    "arguments": "arguments",
    "submit_parameters": "spark_submit_parameters",
    "query": "query",
    "init_query_file": "init_query_file",
    "parameters": "hive_parameters",
    "project": "project",
    "entry_point (project)": "project",
    "requirements": "project",
    "release": "project",
}

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
    - a job-submitter role, and the outputs the job command reads;
    - per declared job: its request (an output the job command and Airflow read), a
      workflow that runs it and notifies the team topic on failure, and its schedule.
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
        image_repository_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Create ``team``'s stack in ``environment``; ``kwargs`` go to :class:`aws_cdk.Stack`.

        :param network: the environment's network (its subnets hold every team's peak).
        :param prometheus: the environment's Prometheus workspace, used when the team has
            ``prometheus: true``. Default: none.
        :param image_repository_name: the name of the team's image repository in this
            stack's account and Region (an images stack there holds it; EMR Serverless pulls
            only from its own Region), used when the team names an ``image_tag``. Referenced
            by name, not by a cross-stack reference: the images stack may be in another
            stage. Default: none.
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
        if team.application.image_tag and image_repository_name is not None:
            repository = ecr.Repository.from_repository_name(
                self, "ImageRepository", image_repository_name
            )
            with team.blame("application.image_tag"):
                image = ApplicationImage.from_ecr_repository(
                    repository, tag=team.application.image_tag
                )
        with _blamed(team):
            buckets = self._data(team)
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
        self._grant_describe_stack(self.submitter_role)
        #: The declared jobs by name, with their workflows and schedules.
        self.jobs: dict[str, JobDefinition] = {}
        self.workflows: dict[str, JobWorkflow] = {}
        self.schedules: dict[str, JobSchedule] = {}
        if team.jobs:
            self._jobs(team, environment, buckets["scripts"])
        # The Glue grants come last: their number is the team's to choose, so a role that
        # fills up does so at the Glue database that does not fit (every fixed grant is in).
        with _blamed(team):
            self._glue(team)
        self._outputs(team)

    def _grant_describe_stack(self, grantee: iam.IGrantable) -> iam.Grant:
        """``cloudformation:DescribeStacks`` on this stack: the job command reads its outputs."""
        arn = self.format_arn(
            service="cloudformation", resource="stack", resource_name=f"{self.stack_name}/*"
        )
        grant = add_to_principal(grantee, actions=DESCRIBE_STACK_ACTIONS, resource_arns=[arn])
        acknowledge_grant_wildcard(
            grantee,
            arn,
            "A stack's ARN ends with the id CloudFormation gives it on creation; "
            "<stack name>/* is this one stack, the narrowest ARN known before deploying.",
        )
        return grant

    def _jobs(self, team: TeamConfig, environment: EnvironmentConfig, scripts: s3.IBucket) -> None:
        """Each declared job, its workflow, its schedule, and its outputs."""
        key = kms.Key(
            self,
            "JobsKey",
            description=f"Encrypts {team.name}'s job workflow logs, schedules and their "
            "dead-letter queue",
            enable_key_rotation=True,
        )
        queue: sqs.IQueue | None = None
        for job_config in team.jobs:
            job = self._job(team, job_config, scripts, environment.team_tags(team.name))
            workflow = JobWorkflow(
                self,
                f"Job{pascal_case(job_config.name)}Workflow",
                job=job,
                notification_topic=self.monitoring.topic,
                encryption_key=key,
                log_retention=retention_days(environment.log_retention_days),
            )
            self.jobs[job_config.name] = job
            self.workflows[job_config.name] = workflow
            if job_config.schedule is not None:
                queue = queue or new_dead_letter_queue(
                    self, "JobsDeadLetterQueue", encryption_key=key
                )
                with team.blame(f"{job_config.setting}.schedule"):
                    self.schedules[job_config.name] = JobSchedule(
                        self,
                        f"Job{pascal_case(job_config.name)}Schedule",
                        job=job,
                        workflow=workflow,
                        expression=job_config.schedule,
                        time_zone=job_config.time_zone,
                        flexible_window_minutes=job_config.flexible_window_minutes,
                        dead_letter_queue=queue,
                        encryption_key=key,
                    )
            CfnOutput(
                self,
                job_request_output_key(team.name, job_config.name),
                value=job.request_json(),
                description=job_request_description(team.name, job_config.name),
            )
            CfnOutput(
                self,
                job_state_machine_output_key(team.name, job_config.name),
                value=workflow.state_machine_arn,
                description=job_state_machine_description(team.name, job_config.name),
            )

    def _job(
        self,
        team: TeamConfig,
        config: JobConfig,
        scripts: s3.IBucket,
        tags: Mapping[str, str],
    ) -> JobDefinition:
        """The job definition of ``config``, blamed at its key when a rule refuses it.

        :param tags: the team's cost-allocation tags, which its runs carry too (EMR
            Serverless does not pass an application's tags on to its job runs).
        """
        construct_id = f"Job{pascal_case(config.name)}"
        location = team.data.scripts

        def in_scripts(path: str | None) -> str | None:
            if path is None or path.startswith(("s3://", "/", "local://")):
                return path
            return f"s3://{scripts.bucket_name}/{location.prefix}{path}"

        common: dict[str, Any] = {
            "application": self.application,
            "runtime_role": self.runtime_role,
            "name": f"{team.name}-{config.name}",
            "retry_policy": RetryPolicy(max_attempts=config.retries + 1)
            if config.retries
            else None,
            "execution_timeout_minutes": config.timeout_minutes,
            "tags": {**tags, JOB_TAG: config.name},
        }
        # the team's worker sizes: checked against the maximum capacity, and not repeated
        # in the request (the application's defaults already carry them)
        sizes = {w.worker_type: w.configuration for w in team.application.workers}
        with _blamed_job(team, config):
            if team.application.type is EngineType.HIVE:
                return HiveJob(
                    self,
                    construct_id,
                    driver=sizes.get(WorkerType.HIVE_DRIVER),
                    tez_task=sizes.get(WorkerType.TEZ_TASK),
                    query=in_scripts(config.query) or "",
                    init_query_file=in_scripts(config.init_query_file),
                    hive_parameters=config.hive_parameters,
                    **common,
                )
            code = None
            folder = config.project_folder(team.source)
            if folder is not None:
                code = PySparkPackage(
                    self, f"{construct_id}Code", project=str(folder), application=self.application
                )
            return SparkJob(
                self,
                construct_id,
                driver=sizes.get(WorkerType.SPARK_DRIVER),
                executor=sizes.get(WorkerType.SPARK_EXECUTOR),
                entry_point=in_scripts(config.entry_point),
                code=code,
                arguments=config.arguments,
                spark_submit_parameters=config.spark_submit_parameters,
                **common,
            )

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
        granted = 0
        for access, grant in (
            ("read", self.runtime_role.grant_glue_read),
            ("read_write", self.runtime_role.grant_glue_read_write),
        ):
            for index, database in enumerate(getattr(team.glue_databases, access)):
                try:
                    grant(database, all_tables=True)
                except PolicyCapacityError as full:
                    raise _too_many_databases(
                        team, f"{access}[{index}]", database, granted, full
                    ) from full
                granted += 1

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
        CfnOutput(
            self,
            release_output_key(team.name),
            value=team.application.release_label,
            description=release_description(team.name),
        )


def _too_many_databases(
    team: TeamConfig, entry: str, database: str, granted: int, full: PolicyCapacityError
) -> PlatformConfigError:
    """The runtime role is full at Glue database ``entry``: say how many fit, at its key."""
    return PlatformConfigError(
        [
            Problem(
                location=team.key_path(f"glue_databases.{entry}"),
                value=database,
                rule=f"the team's runtime role has no room for this database's grants: "
                f"{full.rule}; {granted} Glue databases fit beside the team's other grants",
                fix=f"list at most {granted} Glue databases for this team (split its jobs "
                "across two teams, each with its own databases)",
            )
        ]
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
def _blamed_job(team: TeamConfig, job: JobConfig) -> Iterator[None]:
    """Re-raise a job construct's validation error at the job setting it came from."""
    try:
        yield
    except PlatformConfigError:
        raise
    except EmrServerlessValidationError as error:
        if error.argument.split(".", 1)[0] in ("driver", "executor", "tez_task"):
            # the job runs the team's workers: what does not fit is the maximum capacity
            with team.blame("application.maximum_capacity"):
                raise
        head = error.argument.split("[", 1)[0]
        setting = _JOB_SETTINGS.get(error.argument) or _JOB_SETTINGS.get(head)
        if setting is None and error.argument.startswith("requirements"):
            setting = "project"
        with team.blame(f"{job.setting}.{setting}" if setting else job.setting):
            raise


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
