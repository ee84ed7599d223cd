"""JobSchedule: an EventBridge Scheduler schedule that starts a job, via its workflow or directly.

Through a :class:`~constructs_lib.job_workflow.JobWorkflow` the schedule's role may call
``states:StartExecution`` on that state machine only. Directly, the schedule uses
Scheduler's universal target ``arn:<partition>:scheduler:::aws-sdk:emrserverless:
startJobRun`` (the SDK's service name; ``emrserverless:startJobRun`` is not an IAM action:
the IAM prefix is ``emr-serverless``). aws-cdk-lib's ``Universal`` target maps it to
``emr-serverless:StartJobRun``, but on ``*`` and without ``iam:PassRole``, so this construct
brings its own target whose role gets the job's
:meth:`~constructs_lib.job_definition.JobDefinition.grant_start_run`: StartJobRun on the
application, ``iam:PassRole`` on the runtime role towards EMR Serverless only, and the log
keys; nothing on the runs, which Scheduler neither follows nor cancels. Each invocation
sends Scheduler's execution id as the client token, so Scheduler's retries of one
invocation start one run.
"""

from __future__ import annotations

from typing import Any

import jsii
from aws_cdk import Duration, RemovalPolicy, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import path_of, remember_child, stack_facts, stack_of
from constructs_lib.dead_letter_queue import dead_letter_queue
from constructs_lib.job_definition import JobDefinition
from constructs_lib.job_runs import pascal_case_parameters
from constructs_lib.job_workflow import JobWorkflow
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_rules import (
    QUEUE_PRODUCER_KEY_ACTIONS,
    SEND_MESSAGE_ACTIONS,
)
from constructs_lib.schedule_rules import (
    check_flexible_window,
    check_retry,
    check_schedule_expression,
    check_time_zone,
)

#: The service principal of EventBridge Scheduler.
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"
#: The universal target that calls StartJobRun (Scheduler's SDK service name).
START_JOB_RUN_TARGET = "aws-sdk:emrserverless:startJobRun"
#: Scheduler's per-invocation id, the client token of a direct start.
EXECUTION_ID = "<aws.scheduler.execution-id>"

_DEAD_LETTER_REASON = (
    "This queue is the dead-letter queue of job schedules: it holds the starts EventBridge "
    "Scheduler could not deliver, for 14 days; a queue behind it would only move them."
)


def new_dead_letter_queue(
    scope: Construct,
    construct_id: str,
    *,
    encryption_key: kms.IKey,
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
) -> sqs.Queue:
    """An SSL-only, KMS-encrypted queue keeping undelivered starts 14 days (share it)."""
    return dead_letter_queue(
        scope,
        construct_id,
        reason=_DEAD_LETTER_REASON,
        encryption_key=encryption_key,
        removal_policy=removal_policy,
    )


class JobSchedule(Construct):
    """Starts a job on a cron, rate or one-time schedule, in a time zone, within a window.

    Undelivered starts go to an encrypted, SSL-only dead-letter queue after the retries;
    the schedule is encrypted with a customer-managed key. The role may do exactly what
    the target needs (see the module's documentation).
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        job: JobDefinition,
        expression: str,
        workflow: JobWorkflow | None = None,
        time_zone: str | None = None,
        flexible_window_minutes: int | None = None,
        retry_attempts: int = 3,
        max_event_age_seconds: int = 3600,
        dead_letter_queue: sqs.IQueue | None = None,
        encryption_key: kms.IKey | None = None,
        enabled: bool = True,
        description: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the schedule, its role, and the key and queue unless given.

        :param job: the job to start.
        :param expression: ``cron(...)`` (six fields), ``rate(...)`` or ``at(...)``.
        :param workflow: start the job's workflow (retries, timeout, notification) instead
            of the job itself. Default: start the job directly.
        :param time_zone: IANA name the expression is read in. Default: UTC.
        :param flexible_window_minutes: start at any time within this window, 1-1,440.
            Default: off (on time).
        :param retry_attempts: retries of a start the target refused, 0-185. Default: 3.
        :param max_event_age_seconds: give up a start this old, 60-86,400. Default: 3,600.
        :param dead_letter_queue: where undelivered starts go. Default: a new queue
            (:func:`new_dead_letter_queue`) encrypted with ``encryption_key``.
        :param encryption_key: the customer-managed key of the schedule (and a queue this
            creates). Default: a new key, rotation on.
        :param enabled: whether the schedule runs. Default: ``True``.
        :param description: Default: names the job.
        :param removal_policy: what happens to a key and queue this creates when they leave
            the stack. Default: ``RETAIN``.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        check_schedule_expression(expression, argument="expression")
        if time_zone is not None:
            check_time_zone(time_zone)
        if flexible_window_minutes is not None:
            check_flexible_window(flexible_window_minutes)
        check_retry(retry_attempts, max_event_age_seconds)
        #: The job it starts, and the workflow it starts it through (if any).
        self.job = job
        self.workflow = workflow
        #: The schedule's key.
        self.encryption_key: kms.IKey = encryption_key or kms.Key(
            self,
            "Key",
            description=f"Encrypts schedule {path_of(self)}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        #: Where undelivered starts go.
        self.dead_letter_queue: sqs.IQueue = dead_letter_queue or new_dead_letter_queue(
            self,
            "DeadLetterQueue",
            encryption_key=self.encryption_key,
            removal_policy=removal_policy,
        )
        stack = stack_of(self)
        #: The role Scheduler assumes to start the job.
        self.role = ManagedPolicyRole(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(
                SCHEDULER_PRINCIPAL,
                conditions={
                    "StringEquals": {
                        "aws:SourceAccount": stack.account,
                        "aws:SourceArn": stack.format_arn(
                            service="scheduler",
                            resource="schedule-group",
                            resource_name="default",
                        ),
                    }
                },
            ),
            description=f"Starts job {path_of(job)} on schedule {path_of(self)}",
        )
        target = _Target(
            job=job,
            workflow=workflow,
            role=self.role,
            queue=self.dead_letter_queue,
            retry_attempts=retry_attempts,
            max_event_age_seconds=max_event_age_seconds,
        )
        expression_with_zone = scheduler.ScheduleExpression.expression(
            expression, TimeZone.of(time_zone) if time_zone else None
        )
        #: The schedule.
        self.schedule = scheduler.Schedule(
            self,
            "Resource",
            schedule=expression_with_zone,
            target=target,
            key=self.encryption_key,
            time_window=scheduler.TimeWindow.flexible(Duration.minutes(flexible_window_minutes))
            if flexible_window_minutes
            else scheduler.TimeWindow.off(),
            enabled=enabled,
            description=description or f"Starts EMR Serverless job {job.name}",
        )

    @property
    def schedule_arn(self) -> str:
        """The schedule's ARN."""
        return self.schedule.schedule_arn


@jsii.implements(scheduler.IScheduleTarget)
class _Target:
    """The workflow's state machine, or StartJobRun itself, with the role's grants."""

    def __init__(
        self,
        *,
        job: JobDefinition,
        workflow: JobWorkflow | None,
        role: iam.IRole,
        queue: sqs.IQueue,
        retry_attempts: int,
        max_event_age_seconds: int,
    ) -> None:
        self._job = job
        self._workflow = workflow
        self._role = role
        self._queue = queue
        self._retry = scheduler.CfnSchedule.RetryPolicyProperty(
            maximum_retry_attempts=retry_attempts,
            maximum_event_age_in_seconds=max_event_age_seconds,
        )

    def bind(self, schedule: scheduler.ISchedule) -> scheduler.ScheduleTargetConfig:
        """Grant the role what the target needs; return the target."""
        stack = stack_facts(self._job)
        input_document: dict[str, Any]
        if self._workflow is not None:
            arn = self._workflow.state_machine_arn
            self._workflow.grant_start_execution(self._role)
            input_document = {"scheduledBy": "<aws.scheduler.schedule-arn>"}
        else:
            arn = f"arn:{stack.partition}:scheduler:::{START_JOB_RUN_TARGET}"
            self._job.grant_start_run(self._role)
            input_document = {
                **pascal_case_parameters(self._job.request),
                "ClientToken": EXECUTION_ID,
            }
        iam.Grant.add_to_principal(
            grantee=self._role,
            actions=list(SEND_MESSAGE_ACTIONS),
            resource_arns=[self._queue.queue_arn],
        )
        if self._queue.encryption_master_key is not None:
            self._queue.encryption_master_key.grant(self._role, *QUEUE_PRODUCER_KEY_ACTIONS)
        return scheduler.ScheduleTargetConfig(
            arn=arn,
            role=self._role,
            input=scheduler.ScheduleTargetInput.from_object(input_document),
            dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                arn=self._queue.queue_arn
            ),
            retry_policy=self._retry,
        )
