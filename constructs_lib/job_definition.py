"""SparkJob and HiveJob: a job declared in the stack, rendered as its exact StartJobRun request.

A job definition creates no resource. It checks the job against its application at synth
(engine, release, worker sizes, maximum capacity, the StartJobRun limits) and renders the
request with :func:`constructs_lib.job_runs.start_job_run_request`, the renderer the jobs
command uses, so a workflow, a schedule, Airflow and ``emr-serverless-jobs submit --job``
all send the same request. Grant a principal what starting it needs with
:meth:`JobDefinition.grant_start`.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child, stack_of
from constructs_lib.application import EmrServerlessApplicationBase
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import acknowledge_grant_wildcard, job_runs_arn, policy_grantee
from constructs_lib.iam_actions import (
    EMR_SERVERLESS_PRINCIPAL,
    LOG_KEY_SUBMITTER_ACTIONS,
    PASS_ROLE_ACTIONS,
)
from constructs_lib.job_defaults import job_defaults
from constructs_lib.job_runs import (
    HiveQuery,
    JobDriver,
    JobMode,
    JobMonitoring,
    JobRunSpec,
    RetryPolicy,
    SparkSubmit,
    check_job_run,
    start_job_run_request,
)
from constructs_lib.monitoring_configuration import MonitoringConfiguration
from constructs_lib.releases import KNOWN_RELEASES, ReleaseLabel
from constructs_lib.runtime_configuration import (
    HIVE_SITE,
    SPARK_DEFAULTS,
    Classification,
    top_level_properties,
)
from constructs_lib.tokens import warn, warn_unchecked
from constructs_lib.workers import (
    EngineType,
    WorkerConfiguration,
    WorkerType,
    check_worker_configuration,
    key_name,
    parse_jvm_mib,
    spark_container,
)

#: On the application: start a run.
START_JOB_RUN_ACTION = "emr-serverless:StartJobRun"

#: On the application, for Airflow's ``EmrServerlessStartJobOperator``: it reads the
#: application's state and starts it when it is not started, before submitting.
AIRFLOW_APPLICATION_ACTIONS: tuple[str, ...] = (
    "emr-serverless:GetApplication",
    "emr-serverless:StartApplication",
)

#: What Step Functions' ``.sync`` integration calls on a run it started (its page "IAM
#: policies for Amazon EMR Serverless"): follow the run, and cancel it when the task stops.
SYNC_JOB_RUN_ACTIONS: tuple[str, ...] = (
    "emr-serverless:GetJobRun",
    "emr-serverless:CancelJobRun",
)

_JOB_RUNS_REASON = (
    "Job run ids are generated when a run starts, so job-run actions are scoped to this one "
    "application's runs (<application ARN>/jobruns/*), the narrowest ARN."
)

#: Why a job that cannot fit its application is refused (guide L4128-4136: the run fails
#: "as application has exceeded maximumCapacity settings").
_CAPACITY_RULE = (
    "a job run needs its driver and at least one {second} at once within the application's "
    "maximum capacity; otherwise EMR Serverless fails it (guide L4130-4136)"
)


class PackagedCode(Protocol):
    """What a job takes from packaged code (see :class:`~constructs_lib.pyspark_package`)."""

    @property
    def entry_point(self) -> str:
        """``s3://`` URI of the entry point script."""
        ...

    @property
    def spark_properties(self) -> Mapping[str, str]:
        """``spark-defaults`` properties that put the code on the job's path."""
        ...

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the packaged objects."""
        ...


class JobDefinition(Construct):
    """What :class:`SparkJob` and :class:`HiveJob` share: the checked request and its grants."""

    def _define(
        self,
        *,
        application: EmrServerlessApplicationBase,
        runtime_role: iam.IRole,
        driver: JobDriver,
        name: str | None,
        workers: Mapping[WorkerType, WorkerConfiguration],
        properties: Mapping[str, str],
        configuration: Sequence[Classification],
        monitoring: MonitoringConfiguration | None,
        mode: JobMode | None,
        retry_policy: RetryPolicy | None,
        execution_timeout_minutes: int | None,
        tags: Mapping[str, str],
        trusted: frozenset[str],
    ) -> None:
        #: The application the job runs on.
        self.application = application
        #: The role the job runs as.
        self.runtime_role = runtime_role
        self._monitoring = monitoring
        release = application._release
        engine = driver.engine
        self._check_engine(application, engine)
        sizes = _effective_sizes(application, workers, engine)
        classification = SPARK_DEFAULTS if engine is EngineType.SPARK else HIVE_SITE
        inherited = top_level_properties(
            getattr(application, "runtime_configuration", ()), classification
        )
        sized = job_defaults(engine, sizes).properties
        job_level = {
            **properties,
            **top_level_properties(configuration, classification),
            **_submitted_properties(driver),
        }
        _check_sizes(
            _needs(engine, sizes, {**inherited, **sized, **job_level}, job_level),
            workers,
            release=release,
            maximum=_maximum(application),
            engine=engine,
            scope=self,
        )
        job_properties = {
            **{k: v for k, v in sized.items() if inherited.get(k) != v},
            **properties,
        }
        overrides = _with_properties(list(configuration), classification, job_properties)
        #: The job's request, without a client token (each start adds its own).
        self.spec = JobRunSpec(
            application_id=application.application_id,
            execution_role_arn=runtime_role.role_arn,
            driver=driver,
            name=name or self.node.id,
            mode=mode,
            retry_policy=retry_policy,
            execution_timeout_minutes=execution_timeout_minutes,
            tags=tags,
            monitoring=_job_monitoring(monitoring, engine),
            application_configuration=tuple(overrides),
        )
        for skipped in check_job_run(self.spec, release=release, engine=engine):
            if not skipped.argument.startswith((*trusted, "monitoring")):
                warn_unchecked(self, argument=skipped.argument, rule=skipped.rule)
        #: The StartJobRun parameters (``boto3`` names) without ``clientToken``.
        self.request: dict[str, Any] = start_job_run_request(
            self.spec, client_token=None, release=release, engine=engine
        )

    @staticmethod
    def _check_engine(application: EmrServerlessApplicationBase, engine: EngineType) -> None:
        own = getattr(application, "engine", None)
        if isinstance(own, EngineType) and own is not engine:
            raise EmrServerlessValidationError(
                argument="application",
                value=own.value,
                rule=f"a {own.value} application runs {own.value} jobs only; this is a "
                f"{engine.value} job (StartJobRun jobDriver)",
                fix=f"use {'HiveJob' if own is EngineType.HIVE else 'SparkJob'}, or a "
                f"{engine.value} application",
            )

    @property
    def name(self) -> str:
        """The job run name."""
        return str(self.spec.name)

    @property
    def execution_timeout_minutes(self) -> int | None:
        """The run's timeout, when set."""
        return self.spec.execution_timeout_minutes

    @property
    def max_attempts(self) -> int:
        """Attempts a batch run gets (its retry policy's, else 1)."""
        policy = self.spec.retry_policy
        return policy.max_attempts if policy and policy.max_attempts else 1

    def request_json(self) -> str:
        """:attr:`request` as JSON (CloudFormation fills in the ids at deploy time)."""
        return stack_of(self).to_json_string(self.request)

    def job_driver_json(self) -> str:
        """The ``jobDriver`` as JSON, for Airflow's ``job_driver``."""
        return stack_of(self).to_json_string(self.request["jobDriver"])

    def configuration_overrides_json(self) -> str:
        """The ``configurationOverrides`` as JSON (``{}`` without), for Airflow."""
        return stack_of(self).to_json_string(self.request.get("configurationOverrides", {}))

    @property
    def encryption_keys(self) -> tuple[kms.IKey, ...]:
        """The log keys of the job's own monitoring (a starter must be able to use them)."""
        return () if self._monitoring is None else self._monitoring.encryption_keys

    @checked_arguments
    def grant_start(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start this job, follow and cancel its runs.

        The application's :meth:`~EmrServerlessApplicationBase.grant_start_job_run` for
        the runtime role (StartJobRun, the job-run actions, ``iam:PassRole`` towards EMR
        Serverless only, the application's log keys), plus the log keys of this job's own
        monitoring.
        """
        grant = self.application.grant_start_job_run(grantee, self.runtime_role)
        for key in self.encryption_keys:
            grant = grant.combine(
                key.grant(policy_grantee(grantee), "kms:GenerateDataKey", "kms:Decrypt")
            )
        return grant

    def grant_start_run(
        self, grantee: iam.IGrantable, *, job_run_actions: Sequence[str] = ()
    ) -> iam.Grant:
        """Let a service start this job's runs, and only that: for Step Functions and Scheduler.

        ``StartJobRun`` on the application; ``job_run_actions`` (e.g.
        :data:`SYNC_JOB_RUN_ACTIONS`) on its job runs; ``iam:PassRole`` on the runtime role
        towards EMR Serverless only; ``kms:GenerateDataKey``/``kms:Decrypt`` on the
        application's log keys and this job's, as :meth:`grant_start` grants them.
        """
        target = policy_grantee(grantee)
        application_arn = self.application.application_arn
        grant = iam.Grant.add_to_principal(
            grantee=target,
            actions=[START_JOB_RUN_ACTION],
            resource_arns=[application_arn],
        )
        if job_run_actions:
            grant = grant.combine(
                iam.Grant.add_to_principal(
                    grantee=target,
                    actions=list(job_run_actions),
                    resource_arns=[job_runs_arn(application_arn)],
                )
            )
            acknowledge_grant_wildcard(grantee, job_runs_arn(application_arn), _JOB_RUNS_REASON)
        grant = grant.combine(
            iam.Grant.add_to_principal(
                grantee=target,
                actions=list(PASS_ROLE_ACTIONS),
                resource_arns=[self.runtime_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": EMR_SERVERLESS_PRINCIPAL}},
            )
        )
        for key in self.application.log_encryption_keys:
            grant = grant.combine(key.grant(target, *LOG_KEY_SUBMITTER_ACTIONS))
        for key in self.encryption_keys:
            grant = grant.combine(key.grant(target, "kms:GenerateDataKey", "kms:Decrypt"))
        return grant

    @checked_arguments
    def grant_airflow(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let an Airflow (MWAA) execution role run this job with ``EmrServerlessStartJobOperator``.

        :meth:`grant_start`, plus ``GetApplication`` and ``StartApplication`` on the
        application: the operator starts a stopped application before it submits.
        """
        return self.grant_start(grantee).combine(
            iam.Grant.add_to_principal(
                grantee=policy_grantee(grantee),
                actions=list(AIRFLOW_APPLICATION_ACTIONS),
                resource_arns=[self.application.application_arn],
            )
        )


class SparkJob(JobDefinition):
    """A Spark job: entry point, arguments and Spark settings, sized like its application.

    ::

        job = SparkJob(self, "Wordcount", application=app, runtime_role=role,
                       entry_point="s3://jobs/wordcount.py", arguments=["s3://in/", "s3://out/"],
                       execution_timeout_minutes=120, retry_policy=RetryPolicy(max_attempts=2))
        job.grant_start(operator_role)
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application: EmrServerlessApplicationBase,
        runtime_role: iam.IRole,
        entry_point: str | None = None,
        code: PackagedCode | None = None,
        arguments: Sequence[str] = (),
        spark_submit_parameters: str | None = None,
        spark_properties: Mapping[str, str] | None = None,
        driver: WorkerConfiguration | None = None,
        executor: WorkerConfiguration | None = None,
        configuration: Sequence[Classification] = (),
        monitoring: MonitoringConfiguration | None = None,
        mode: JobMode = JobMode.BATCH,
        retry_policy: RetryPolicy | None = None,
        execution_timeout_minutes: int | None = None,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Check the job against ``application`` and render its request.

        :param application: the Spark application it runs on (defined or imported).
        :param runtime_role: the role it runs as.
        :param entry_point: ``s3://bucket/key`` of the script or JAR, or a path in the
            image. Default: ``code``'s entry point; one of the two is required.
        :param code: packaged PySpark code (a :class:`PySparkPackage`): its entry point,
            and the ``spark.submit.pyFiles``/``spark.archives`` settings; the runtime role
            is granted read on its objects. Default: none.
        :param arguments: the entry point's arguments (at most 1,024). Default: none.
        :param spark_submit_parameters: ``spark-submit`` options, e.g. ``--class ...``.
            Default: none.
        :param spark_properties: job-level ``spark-defaults``. Default: none.
        :param driver: the driver's worker size. Default: the application's
            pre-initialized driver size, if any (else the application's defaults).
        :param executor: the executors' worker size. Default: likewise.
        :param configuration: further job-level classifications. Default: none.
        :param monitoring: where this job's logs go, overriding the application's; starters
            are granted its keys. Default: the application's.
        :param mode: batch, or streaming (emr-7.1.0+). Default: ``BATCH`` (not sent).
        :param retry_policy: the run's retry policy (emr-7.1.0+). Default: none.
        :param execution_timeout_minutes: cancel a run after this long; batch runs on
            emr-7.11.0+ take 1-10,080. Default: not sent (the service's 720).
        :param name: the run name. Default: the construct id.
        :param tags: tags of each run (at most 50). Default: none.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        if (entry_point is None) == (code is None):
            raise EmrServerlessValidationError(
                argument="entry_point",
                value=entry_point,
                rule="a Spark job has one entry point: a script or JAR, or packaged code",
                fix="pass entry_point='s3://bucket/key', or code=PySparkPackage(...)",
            )
        workers = {
            kind: size
            for kind, size in (
                (WorkerType.SPARK_DRIVER, driver),
                (WorkerType.SPARK_EXECUTOR, executor),
            )
            if size is not None
        }
        properties = {**(code.spark_properties if code else {}), **(spark_properties or {})}
        self._define(
            application=application,
            runtime_role=runtime_role,
            driver=SparkSubmit(
                entry_point=entry_point or (code.entry_point if code else ""),
                arguments=tuple(arguments),
                submit_parameters=spark_submit_parameters,
            ),
            name=name,
            workers=workers,
            properties=properties,
            configuration=configuration,
            monitoring=monitoring,
            mode=None if mode is JobMode.BATCH else mode,
            retry_policy=retry_policy,
            execution_timeout_minutes=execution_timeout_minutes,
            tags=dict(tags or {}),
            trusted=frozenset({"application_id", "execution_role_arn"})
            | (
                frozenset({"entry_point", "application_configuration"})
                if code is not None
                else frozenset()
            ),
        )
        #: The packaged code, if any.
        self.code = code
        if code is not None:
            code.grant_read(runtime_role)


class HiveJob(JobDefinition):
    """A Hive job: query file, init file and Hive settings, sized like its application."""

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application: EmrServerlessApplicationBase,
        runtime_role: iam.IRole,
        query: str,
        init_query_file: str | None = None,
        hive_parameters: str | None = None,
        hive_properties: Mapping[str, str] | None = None,
        driver: WorkerConfiguration | None = None,
        tez_task: WorkerConfiguration | None = None,
        configuration: Sequence[Classification] = (),
        monitoring: MonitoringConfiguration | None = None,
        retry_policy: RetryPolicy | None = None,
        execution_timeout_minutes: int | None = None,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Check the job against ``application`` and render its request.

        :param application: the Hive application it runs on (defined or imported).
        :param runtime_role: the role it runs as.
        :param query: ``s3://bucket/key`` of the query file.
        :param init_query_file: ``s3://bucket/key`` run first. Default: none.
        :param hive_parameters: Hive options, e.g. ``--hiveconf k=v``. Default: none.
        :param hive_properties: job-level ``hive-site``. Default: none.
        :param driver: the Hive driver's worker size. Default: the application's
            pre-initialized size, if any.
        :param tez_task: the Tez tasks' worker size. Default: likewise.
        :param configuration: further job-level classifications. Default: none.
        :param monitoring: where this job's logs go, overriding the application's.
            Default: the application's.
        :param retry_policy: the run's retry policy (emr-7.1.0+). Default: none.
        :param execution_timeout_minutes: as for :class:`SparkJob`. Default: not sent.
        :param name: the run name. Default: the construct id.
        :param tags: tags of each run (at most 50). Default: none.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        workers = {
            kind: size
            for kind, size in ((WorkerType.HIVE_DRIVER, driver), (WorkerType.TEZ_TASK, tez_task))
            if size is not None
        }
        self._define(
            application=application,
            runtime_role=runtime_role,
            driver=HiveQuery(
                query=query, init_query_file=init_query_file, parameters=hive_parameters
            ),
            name=name,
            workers=workers,
            properties=dict(hive_properties or {}),
            configuration=configuration,
            monitoring=monitoring,
            mode=None,
            retry_policy=retry_policy,
            execution_timeout_minutes=execution_timeout_minutes,
            tags=dict(tags or {}),
            trusted=frozenset({"application_id", "execution_role_arn"}),
        )


def _effective_sizes(
    application: EmrServerlessApplicationBase,
    workers: Mapping[WorkerType, WorkerConfiguration],
    engine: EngineType,
) -> dict[WorkerType, WorkerConfiguration]:
    """The job's worker sizes: its own, else the application's pre-initialized ones."""
    initial = getattr(application, "initial_capacity", {}) or {}
    sizes = {kind: workers.get(kind) or _configured(initial, kind) for kind in engine.worker_types}
    return {kind: size for kind, size in sizes.items() if size is not None}


#: The worker each container gets when nothing sizes it: Spark 4 cores and 14 GB (a 4 vCPU,
#: 16 GB worker), Hive 2 cores and 6 GB (2 vCPU, 8 GB), 20 GB of disk (guide L2897-2949,
#: L3060-3075).
_ENGINE_DEFAULTS: Mapping[WorkerType, WorkerConfiguration] = {
    WorkerType.SPARK_DRIVER: WorkerConfiguration(4, 16),
    WorkerType.SPARK_EXECUTOR: WorkerConfiguration(4, 16),
    WorkerType.HIVE_DRIVER: WorkerConfiguration(2, 8),
    WorkerType.TEZ_TASK: WorkerConfiguration(2, 8),
}

#: The properties that size each container: cores, memory (the first key is the memory
#: itself, the others shape it), disk.
_SIZING_KEYS: Mapping[WorkerType, tuple[str, tuple[str, ...], str]] = {
    **{
        kind: (
            f"spark.{role}.cores",
            (
                f"spark.{role}.memory",
                f"spark.{role}.memoryOverhead",
                f"spark.{role}.memoryOverheadFactor",
                "spark.emr-serverless.memoryOverheadFactor",
            ),
            f"spark.emr-serverless.{role}.disk",
        )
        for kind, role in (
            (WorkerType.SPARK_DRIVER, "driver"),
            (WorkerType.SPARK_EXECUTOR, "executor"),
        )
    },
    WorkerType.HIVE_DRIVER: ("hive.driver.cores", ("hive.driver.memory",), "hive.driver.disk"),
    WorkerType.TEZ_TASK: (
        "hive.tez.cpu.vcores",
        ("hive.tez.container.size",),
        "hive.tez.disk.size",
    ),
}

#: ``spark-submit`` options that set a sizing property.
_SUBMIT_OPTIONS = {
    "--driver-cores": "spark.driver.cores",
    "--driver-memory": "spark.driver.memory",
    "--executor-cores": "spark.executor.cores",
    "--executor-memory": "spark.executor.memory",
}


@dataclass(frozen=True)
class _Need:
    """One container's vCPU, memory or disk, and whether only a default says so."""

    amount: int
    assumed: bool


def _submitted_properties(driver: JobDriver) -> dict[str, str]:
    """The properties a job's ``--conf``/``--hiveconf`` (and size) options set."""
    text = getattr(driver, "submit_parameters", None) or getattr(driver, "parameters", None)
    if not isinstance(text, str):
        return {}
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    found: dict[str, str] = {}
    for index, word in enumerate(words):
        option, _, inline = word.partition("=")
        value = inline if inline else (words[index + 1] if index + 1 < len(words) else "")
        if option in ("--conf", "-c", "--hiveconf"):
            key, sep, setting = value.partition("=")
            if sep:
                found[key.strip()] = setting.strip()
        elif option in _SUBMIT_OPTIONS and value:
            found[_SUBMIT_OPTIONS[option]] = value
    return found


def _needs(
    engine: EngineType,
    sizes: Mapping[WorkerType, WorkerConfiguration],
    effective: Mapping[str, str],
    job_level: Mapping[str, str],
) -> dict[WorkerType, dict[str, _Need | None]]:
    """What each container needs: the job's own properties, else its worker size, else the
    application's properties, else the engine's default (``assumed``); ``None`` when a
    property is not a size the library reads (a token, say)."""
    needs: dict[WorkerType, dict[str, _Need | None]] = {}
    for kind in engine.worker_types:
        size = sizes.get(kind)
        default = _ENGINE_DEFAULTS[kind]
        cores_key, memory_keys, disk_key = _SIZING_KEYS[kind]
        if size is not None and cores_key not in job_level:
            vcpu: _Need | None = _Need(size.vcpu, assumed=False)
        elif cores_key in effective:
            vcpu = _read(_cores, effective[cores_key])
        else:
            vcpu = _Need(default.vcpu, assumed=True)
        if size is not None and not any(key in job_level for key in memory_keys):
            memory: _Need | None = _Need(size.memory_gb, assumed=False)
        elif memory_keys[0] in effective:
            memory = _read(_memory_gb, kind, effective)
        else:
            memory = _Need(default.memory_gb, assumed=True)
        if size is not None and size.disk_gb is not None and disk_key not in job_level:
            disk: _Need | None = _Need(size.disk_gb, assumed=False)
        elif disk_key in effective:
            disk = _read(_gb, effective[disk_key], disk_key)
        else:
            disk = _Need(default.effective_disk_gb, assumed=True)
        needs[kind] = {"vcpu": vcpu, "memory_gb": memory, "disk_gb": disk}
    return needs


def _read(amount: Callable[..., int], *arguments: Any) -> _Need | None:
    """A size read from a property, or ``None`` when it is not one (the run's engine decides)."""
    try:
        return _Need(amount(*arguments), assumed=False)
    except (EmrServerlessValidationError, ValueError):
        return None


def _cores(text: str) -> int:
    return int(text.strip())


def _gb(text: str, key: str) -> int:
    return math.ceil(parse_jvm_mib(text, argument=key) / 1024)


def _memory_gb(kind: WorkerType, properties: Mapping[str, str]) -> int:
    """Whole GB of the container a memory property asks for (Spark adds its overhead)."""
    if kind in (WorkerType.SPARK_DRIVER, WorkerType.SPARK_EXECUTOR):
        role = "driver" if kind is WorkerType.SPARK_DRIVER else "executor"
        total = spark_container(properties, role, argument="spark_properties").total_mib
        if total is None:
            raise ValueError(role)
        return math.ceil(total / 1024)
    key = _SIZING_KEYS[kind][1][0]
    return _gb(properties[key], key)


def _configured(initial: Mapping[WorkerType, Any], kind: WorkerType) -> WorkerConfiguration | None:
    workers = initial.get(kind)
    return None if workers is None else workers.configuration


def _maximum(application: EmrServerlessApplicationBase) -> MaximumCapacity | None:
    maximum = getattr(application, "maximum_capacity", None)
    return maximum if isinstance(maximum, MaximumCapacity) else None


def _check_sizes(
    needs: Mapping[WorkerType, Mapping[str, _Need | None]],
    explicit: Mapping[WorkerType, WorkerConfiguration],
    *,
    release: ReleaseLabel | None,
    maximum: MaximumCapacity | None,
    engine: EngineType,
    scope: Construct,
) -> None:
    """Each size is a worker EMR Serverless offers; driver plus one worker fit the maximum.

    A job is refused when what it (or its application) sets already exceeds the maximum;
    when only a size the library assumes (the engine's default) makes it exceed, it is
    warned about instead: the run may set that size in a way the library cannot read.
    """
    for kind, size in explicit.items():
        check_worker_configuration(
            size, argument=_ARGUMENTS[kind], release=release or max(KNOWN_RELEASES)
        )
    if maximum is None:
        return
    driver_kind, worker_kind = engine.worker_types
    second = "executor" if engine is EngineType.SPARK else "Tez task"
    for field, limit, unit in (
        ("vcpu", maximum.vcpu, "vCPU"),
        ("memory_gb", maximum.memory_gb, "GB of memory"),
        ("disk_gb", maximum.disk_gb, "GB of disk"),
    ):
        amounts = {
            kind: need
            for kind in (driver_kind, worker_kind)
            if (need := needs.get(kind, {}).get(field)) is not None
        }
        total = sum(need.amount for need in amounts.values())
        if limit is None or total <= limit:
            continue
        rule = (
            _CAPACITY_RULE.format(second=second)
            + f": they need {total:,} {unit} and the application allows {limit:,}"
        )
        if sum(need.amount for need in amounts.values() if not need.assumed) <= limit:
            assumed = " and ".join(
                f"{_ARGUMENTS[kind]}.{field}={need.amount:,}"
                for kind, need in amounts.items()
                if need.assumed
            )
            warn(
                scope,
                "emr-serverless:job-capacity-assumed",
                f"{rule}, counting {assumed}: the engine's default, as nothing this "
                "library reads sizes it. Size the job (driver/executor, or its properties), "
                "or raise the application's maximum_capacity",
            )
            continue
        blamed = next(
            (k for k in (worker_kind, driver_kind) if k in explicit),
            next((k for k in (worker_kind, driver_kind) if k in amounts), worker_kind),
        )
        raise EmrServerlessValidationError(
            argument=f"{_ARGUMENTS[blamed]}.{field}",
            value=amounts[blamed].amount if blamed in amounts else total,
            rule=rule,
            fix="use smaller workers for this job, or raise the application's maximum_capacity",
        )


_ARGUMENTS = {
    WorkerType.SPARK_DRIVER: "driver",
    WorkerType.SPARK_EXECUTOR: "executor",
    WorkerType.HIVE_DRIVER: "driver",
    WorkerType.TEZ_TASK: "tez_task",
}


def _job_monitoring(
    monitoring: MonitoringConfiguration | None, engine: EngineType
) -> JobMonitoring | None:
    """The API's job-level ``monitoringConfiguration`` for an application-style one."""
    if monitoring is None:
        return None
    s3 = monitoring.s3_logs
    cloudwatch = monitoring.cloudwatch_logging
    managed = monitoring.managed_persistence
    log_types = None
    if cloudwatch is not None and cloudwatch.log_types is not None:
        log_types = {
            WorkerType.of(
                worker, engine=engine, argument=f"monitoring.log_types[{key_name(worker)}]"
            ).log_key: tuple(t.value for t in types)
            for worker, types in cloudwatch.log_types.items()
        }
    return JobMonitoring(
        log_uri=s3.log_uri if s3 else None,
        log_encryption_key_arn=s3.encryption_key.key_arn if s3 and s3.encryption_key else None,
        log_group_name=(
            cloudwatch.log_group.log_group_name
            if cloudwatch and cloudwatch.log_group
            else ("/aws/emr-serverless" if cloudwatch else None)
        ),
        log_stream_prefix=cloudwatch.log_stream_prefix if cloudwatch else None,
        cloudwatch_encryption_key_arn=cloudwatch.encryption_key.key_arn
        if cloudwatch and cloudwatch.encryption_key
        else None,
        log_types=log_types,
        managed_persistence=managed.enabled if managed else None,
        managed_encryption_key_arn=managed.encryption_key.key_arn
        if managed and managed.encryption_key
        else None,
        prometheus_remote_write_url=monitoring.prometheus.remote_write_url
        if monitoring.prometheus
        else None,
    )


def _with_properties(
    configuration: list[Classification], name: str, properties: Mapping[str, str]
) -> list[Classification]:
    """``configuration`` with ``properties`` under classification ``name`` (its own win)."""
    for index, each in enumerate(configuration):
        if each.classification == name:
            configuration[index] = Classification(
                name, {**properties, **each.properties}, each.configurations
            )
            return configuration
    return [Classification(name, properties), *configuration] if properties else configuration
