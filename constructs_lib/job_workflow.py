"""JobWorkflow: a Step Functions state machine that runs one job, retries it, bounds it in time
and notifies a topic when it fails."""

from __future__ import annotations

import math

from aws_cdk import ArnFormat, CfnElement, CfnResource, Duration, Names, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import path_of, remember_child, stack_of
from constructs_lib.compliance import acknowledge
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_definition import JobDefinition
from constructs_lib.job_run_task import EmrServerlessStartJobRun, Integration
from constructs_lib.job_runs import JobMode
from constructs_lib.log_encryption import cloudwatch_logs_key_statement
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_rules import CLOUDWATCH_LOGS_KEY_ACTIONS
from constructs_lib.tokens import warn

#: The service principal that runs state machines.
STATES_PRINCIPAL = "states.amazonaws.com"
#: A run's timeout when the job sends none (StartJobRun's default) and the longest a run
#: may queue (an application's largest ``queueTimeoutMinutes``), for the derived timeout.
DEFAULT_RUN_MINUTES = 720
MAX_QUEUE_MINUTES = 720
#: Step Functions' longest standard execution: one year.
MAX_WORKFLOW_MINUTES = 525_600
#: ``TimeoutSeconds`` takes 1-99,999,999 seconds (Amazon States Language, Task state): the
#: longest whole-minute bound of a run.
MAX_TIMEOUT_MINUTES = 99_999_999 // 60
#: ``Retry`` ``MaxAttempts`` takes 0-99,999,999 (Amazon States Language, retrying after an
#: error).
MAX_RETRY_ATTEMPTS = 99_999_999
#: Above this many re-runs the workflow warns: each is a whole run, billed as one.
MAX_RETRIES = 10
#: On an encrypted topic's key, for a principal that publishes to it (SNS: "AWS KMS
#: permissions" of encrypted topics).
PUBLISHER_KEY_ACTIONS: tuple[str, ...] = ("kms:GenerateDataKey", "kms:Decrypt")
#: How much longer than its runs (and the waits between them) the execution may take, for
#: ``Notify`` to publish a run's timeout before the execution's own timeout stops it.
BACKSTOP_MARGIN_MINUTES = 15

_LOG_DELIVERY_REASON = (
    "Step Functions' log delivery (logs:CreateLogDelivery and the other vended-log actions) "
    "and X-Ray tracing (xray:PutTraceSegments, ...) do not support resource-level "
    "permissions, so aws-cdk-lib grants them on '*' to this state machine's role only."
)


class JobWorkflow(Construct):
    """A standard state machine that runs a job with the optimized integration and waits.

    ``Run`` starts the job (``startJobRun.sync``, a new client token per start) and waits
    until the run succeeds; a failed or cancelled run is re-run up to ``retries`` times;
    when it still fails, or a run outlasts the ``Run`` state's timeout (``States.Timeout``,
    never re-run; Step Functions cancels the run), ``Notify`` publishes the error to
    ``notification_topic`` and the execution fails. The execution's own timeout is only a
    backstop, a margin longer than every run and the waits between them. A successful
    execution outputs ``{"JobRun": {ApplicationId, JobRunId, Arn}, "State": "SUCCESS"}``.

    Logs of every state go to an encrypted, retained log group; X-Ray tracing is on. The
    role holds exactly what the states call (:meth:`EmrServerlessStartJobRun.grant_to`,
    ``sns:Publish`` on the topic and its key).
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        job: JobDefinition,
        notification_topic: sns.ITopic | None = None,
        retries: int = 0,
        retry_interval: Duration | None = None,
        timeout_minutes: int | None = None,
        encryption_key: kms.IKey | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        state_machine_name: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the state machine, its role and its log group.

        :param job: the job to run.
        :param notification_topic: where failures are published (e.g. the team's job-state
            topic). Default: none (the execution just fails).
        :param retries: re-runs of a failed run (a new run each time), 0-99,999,999 (Step
            Functions ``MaxAttempts``); above 10 is warned about. Prefer the job's own
            ``retry_policy`` on emr-7.1.0+. Default: 0.
        :param retry_interval: wait before the first re-run, doubling after. Default: 5
            minutes.
        :param timeout_minutes: fail a run (cancel it and notify) that takes longer than
            this, the ``Run`` state's ``TimeoutSeconds``; each re-run gets as long again.
            1-1,666,666 (99,999,999 seconds); above one year (a standard execution's
            longest) is warned about. Default: derived from the job, (its timeout or 720)
            x its attempts + 720 queued minutes; none when the job turns its timeout off
            (0) or is a streaming job.
        :param encryption_key: the key of the log group. Default: a new key, rotation on.
        :param log_retention: how long the log group keeps logs. Default: one year.
        :param state_machine_name: Default: generated.
        :param removal_policy: what happens to the log group and a key this creates when
            they leave the stack. Default: ``RETAIN``.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        if not 0 <= retries <= MAX_RETRY_ATTEMPTS:
            raise EmrServerlessValidationError(
                argument="retries",
                value=retries,
                rule=f"0-{MAX_RETRY_ATTEMPTS:,} re-runs (Step Functions Retry MaxAttempts)",
                fix=f"use 0 to {MAX_RETRY_ATTEMPTS:,} (more than {MAX_RETRIES} rarely help), "
                "or the job's retry_policy",
            )
        if retries > MAX_RETRIES:
            warn(
                self,
                "emr-serverless:workflow-retries",
                f"retries={retries:,}: each re-run is a whole run of the job, billed as one; "
                f"more than {MAX_RETRIES} rarely help. Prefer the job's retry_policy "
                "(emr-7.1.0+)",
            )
        minutes = _timeout_minutes(job, timeout_minutes)
        if minutes is not None and minutes > MAX_WORKFLOW_MINUTES:
            warn(
                self,
                "emr-serverless:workflow-timeout",
                f"timeout_minutes={minutes:,}: a standard execution runs at most one year "
                f"({MAX_WORKFLOW_MINUTES:,} minutes, a Step Functions quota), so Step "
                "Functions stops the execution first, without Notify",
            )
        interval = retry_interval or Duration.minutes(5)
        backstop = _backstop_minutes(minutes, retries, interval)
        #: The job this workflow runs.
        self.job = job
        stack = stack_of(self)
        #: The key of the log group.
        self.encryption_key: kms.IKey = encryption_key or kms.Key(
            self,
            "Key",
            description=f"Encrypts the execution logs of {path_of(self)}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        log_group_name = "/aws/vendedlogs/states/" + Names.unique_resource_name(
            self, max_length=200, separator="-", allowed_special_characters="-"
        )
        self.encryption_key.add_to_resource_policy(
            cloudwatch_logs_key_statement(
                self,
                sid=f"StateMachineLogs{Names.unique_id(self)}",  # one per workflow sharing a key
                actions=CLOUDWATCH_LOGS_KEY_ACTIONS,
                log_group_name=log_group_name,
            ),
            allow_no_op=True,
        )
        #: Where every state's events go.
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=log_group_name,
            encryption_key=self.encryption_key,
            retention=log_retention,
            removal_policy=removal_policy,
        )
        #: The role the state machine runs as.
        self.role = ManagedPolicyRole(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(
                STATES_PRINCIPAL,
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="states",
                            resource="stateMachine",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            ),
            description=f"Runs job {path_of(job)} for {path_of(self)}",
        )
        # The task, the topic and the state machine grant the role statement by statement:
        # added to its policies together (one call into aws-cdk-lib per policy).
        with self.role.batched():
            #: The task that runs the job.
            self.task = EmrServerlessStartJobRun(
                self,
                "Run",
                job=job,
                integration=Integration.RUN_JOB,
                comment=f"Run {job.name}",
                timeout=None if minutes is None else Duration.minutes(minutes),
            )
            self.task.grant_to(self.role)
            if retries:
                # States.TaskFailed matches every error but States.Timeout: a run that timed
                # out is not re-run, it goes to the Catch
                self.task.add_retry(
                    errors=["States.TaskFailed"],
                    max_attempts=retries,
                    interval=interval,
                    backoff_rate=2,
                )
            failed = sfn.Fail(
                self,
                "Failed",
                error="JobFailed",
                cause=f"Job {job.name} did not succeed",
            )
            handler: sfn.IChainable = failed
            #: The topic failures go to.
            self.notification_topic = notification_topic
            if notification_topic is not None:
                notify = tasks.SnsPublish(
                    self,
                    "Notify",
                    topic=notification_topic,
                    subject=f"Job {job.name} failed"[:99],
                    message=sfn.TaskInput.from_object(
                        {
                            "job": job.name,
                            "stateMachine": sfn.JsonPath.state_machine_name,
                            "execution": sfn.JsonPath.execution_id,
                            "error": sfn.JsonPath.string_at("$.Error.Error"),
                            "cause": sfn.JsonPath.string_at("$.Error.Cause"),
                        }
                    ),
                    result_path=sfn.JsonPath.DISCARD,
                )
                if notification_topic.master_key is not None:
                    notification_topic.master_key.grant(self.role, *PUBLISHER_KEY_ACTIONS)
                handler = notify.next(failed)
            self.task.add_catch(handler, errors=["States.ALL"], result_path="$.Error")
            succeeded = sfn.Pass(
                self,
                "Succeeded",
                parameters={"JobRun.$": "$.JobRun", "State": "SUCCESS"},
            )
            #: The state machine.
            self.state_machine = sfn.StateMachine(
                self,
                "StateMachine",
                definition_body=sfn.DefinitionBody.from_chainable(self.task.next(succeeded)),
                state_machine_name=state_machine_name,
                state_machine_type=sfn.StateMachineType.STANDARD,
                role=self.role,
                timeout=None if backstop is None else Duration.minutes(backstop),
                tracing_enabled=True,
                logs=sfn.LogOptions(
                    destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True
                ),
                comment=f"Runs EMR Serverless job {job.name}",
            )
        acknowledge(self.role, "AwsSolutions-IAM5[Resource::*]", _LOG_DELIVERY_REASON)
        _depend_on_policies_only(self.state_machine, self.role)
        #: The ``Run`` state's timeout in minutes, per run (``None``: none).
        self.timeout_minutes = minutes
        #: The execution's backstop timeout in minutes (``None``: Step Functions' year).
        self.execution_timeout_minutes = backstop

    @property
    def state_machine_arn(self) -> str:
        """The state machine's ARN."""
        return self.state_machine.state_machine_arn

    @checked_arguments
    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start executions of the workflow (``states:StartExecution``)."""
        return self.state_machine.grant_start_execution(grantee)

    def metric_failed(self) -> cloudwatch.Metric:
        """Executions that failed (``ExecutionsFailed``)."""
        return self.state_machine.metric_failed()


def _depend_on_policies_only(machine: sfn.StateMachine, role: ManagedPolicyRole) -> None:
    """``DependsOn`` the role's policies (logging needs them at creation), not the role.

    aws-cdk-lib makes the state machine depend on its role's whole construct; the role
    itself is already a reference (``RoleArn``), and cfn-lint flags that ``DependsOn``
    (W3005). The policies are what must exist first.
    """
    resource = machine.node.default_child
    assert isinstance(resource, CfnResource)
    stack = stack_of(machine)
    policies = [policy.node.default_child for policy in role.policies]
    resource.add_override(
        "DependsOn",
        [stack.get_logical_id(p) for p in policies if isinstance(p, CfnElement)],
    )


def _timeout_minutes(job: JobDefinition, given: int | None) -> int | None:
    """The ``Run`` state's timeout: ``given``, else derived from the job (none streaming)."""
    if given is not None:
        if not 1 <= given <= MAX_TIMEOUT_MINUTES:
            raise EmrServerlessValidationError(
                argument="timeout_minutes",
                value=given,
                rule=f"1-{MAX_TIMEOUT_MINUTES:,} minutes (Step Functions TimeoutSeconds takes "
                "1-99,999,999 seconds)",
                fix=f"use 1 to {MAX_TIMEOUT_MINUTES:,} minutes",
            )
        return given
    run = job.execution_timeout_minutes
    if run == 0 or job.spec.mode is JobMode.STREAMING:
        return None
    return (run or DEFAULT_RUN_MINUTES) * job.max_attempts + MAX_QUEUE_MINUTES


def _backstop_minutes(minutes: int | None, retries: int, interval: Duration) -> int | None:
    """Every run at its timeout, the waits between them and a margin; none past one year."""
    if minutes is None:
        return None
    wait = interval.to_seconds()
    waits = sum(wait * 2**attempt for attempt in range(min(retries, 64)))
    total = minutes * (retries + 1) + math.ceil(waits / 60) + BACKSTOP_MARGIN_MINUTES
    return None if total >= MAX_WORKFLOW_MINUTES else total
