"""Step Functions tasks for EMR Serverless's optimized integration, with their exact IAM.

aws-cdk-lib has no EMR Serverless task yet (aws/aws-cdk#32061), and its generic
``CallAwsService`` uses the AWS SDK integration (``arn:aws:states:::aws-sdk:emrserverless:
startJobRun``), which has no ``.sync`` pattern and derives the IAM action
``emrserverless:startJobRun``, not an IAM action (EMR Serverless's prefix is
``emr-serverless``). These tasks are ``CustomState`` s for the optimized integration
(``arn:<partition>:states:::emr-serverless:<api>[.sync]``); a custom state brings no
permissions, so :meth:`EmrServerlessStartJobRun.grant_to` grants the state machine's role
exactly what Step Functions' page "IAM policies for Amazon EMR Serverless" lists:

- the job's :meth:`~constructs_lib.job_definition.JobDefinition.grant_start_run`:
  StartJobRun on the application, for ``.sync`` GetJobRun/CancelJobRun on its job runs
  (to follow the run, and cancel it when the task stops), ``iam:PassRole`` on the runtime
  role towards ``emr-serverless.amazonaws.com`` only, the log keys;
- for ``.sync``: ``events:PutTargets``, ``events:PutRule`` and ``events:DescribeRule`` on the
  managed rule ``StepFunctionsGetEventsForEMRServerlessJobRule`` through which Step
  Functions learns that the run ended.

Every start sends a new ``ClientToken`` (``States.UUID()``): StartJobRun requires one, and a
retried state is a new run.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._enums import LenientEnum
from constructs_lib._stack_facts import stack_facts, stack_of
from constructs_lib.application import EmrServerlessApplicationBase
from constructs_lib.grants import policy_grantee
from constructs_lib.job_definition import SYNC_JOB_RUN_ACTIONS, JobDefinition
from constructs_lib.job_runs import pascal_case_parameters

#: The managed rules Step Functions creates to follow runs and applications (``.sync``).
JOB_RUN_RULE = "StepFunctionsGetEventsForEMRServerlessJobRule"
APPLICATION_RULE = "StepFunctionsGetEventsForEMRServerlessApplicationRule"
#: What ``.sync`` needs on those rules.
SYNC_RULE_ACTIONS: tuple[str, ...] = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
#: Where the task puts the run (``ApplicationId``, ``JobRunId``, ``Arn``) in the state.
DEFAULT_RESULT_PATH = "$.JobRun"


class Integration(LenientEnum):
    """How the task waits: not at all, or until the run or application is done (``.sync``)."""

    REQUEST_RESPONSE = ""
    RUN_JOB = ".sync"

    @classmethod
    def _aliases(cls) -> dict[str, Any]:
        return {"SYNC": cls.RUN_JOB, ".SYNC": cls.RUN_JOB}


def integration_resource(scope: Construct, api: str, integration: Integration) -> str:
    """``arn:<partition>:states:::emr-serverless:<api>[.sync]``."""
    return f"arn:{stack_facts(scope).partition}:states:::emr-serverless:{api}{integration.value}"


def _rule_arn(scope: Construct, rule: str) -> str:
    return stack_of(scope).format_arn(service="events", resource="rule", resource_name=rule)


class EmrServerlessStartJobRun(sfn.CustomState):
    """A task that starts a job's run, and with ``RUN_JOB`` waits until it succeeds.

    The run's ``{ApplicationId, JobRunId, Arn}`` goes to ``result_path``. A run that ends
    ``FAILED`` or ``CANCELLED`` fails the task (``States.TaskFailed``, its ``Cause`` holds
    the run). Call :meth:`grant_to` with the state machine's role.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        job: JobDefinition,
        integration: Integration = Integration.RUN_JOB,
        result_path: str = DEFAULT_RESULT_PATH,
        comment: str | None = None,
        timeout: Duration | None = None,
    ) -> None:
        """Render the job's request as the task's parameters.

        :param job: the job to run (its request, with a new ``ClientToken`` per start).
        :param integration: ``RUN_JOB`` (``.sync``: wait for the run) or
            ``REQUEST_RESPONSE`` (return once started). Default: ``RUN_JOB``.
        :param result_path: where the run goes in the state. Default: ``$.JobRun``.
        :param comment: the state's comment. Default: none.
        :param timeout: the state's ``TimeoutSeconds``, per attempt: a longer attempt fails
            with ``States.Timeout`` (which a ``Catch`` sees) and, with ``RUN_JOB``, Step
            Functions cancels the run. Default: none.
        """
        parameters = pascal_case_parameters(job.request)
        parameters["ClientToken.$"] = "States.UUID()"
        state: dict[str, Any] = {
            "Type": "Task",
            "Resource": integration_resource(scope, "startJobRun", integration),
            "Parameters": parameters,
            "ResultPath": result_path,
        }
        if comment is not None:
            state["Comment"] = comment
        if timeout is not None:
            state["TimeoutSeconds"] = int(timeout.to_seconds())
        super().__init__(scope, construct_id, state_json=state)
        #: The job this task runs.
        self.job = job
        #: How the task waits.
        self.integration = integration

    @checked_arguments
    def grant_to(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant the state machine role ``grantee`` what this task calls, and no more."""
        sync = self.integration is Integration.RUN_JOB
        grant = self.job.grant_start_run(
            grantee, job_run_actions=SYNC_JOB_RUN_ACTIONS if sync else ()
        )
        if sync:
            grant = grant.combine(
                iam.Grant.add_to_principal(
                    grantee=policy_grantee(grantee),
                    actions=list(SYNC_RULE_ACTIONS),
                    resource_arns=[_rule_arn(self, JOB_RUN_RULE)],
                )
            )
        return grant


class ApplicationAction(LenientEnum):
    """What an :class:`EmrServerlessApplicationTask` does to the application."""

    START = "startApplication"
    STOP = "stopApplication"

    @property
    def iam_action(self) -> str:
        """The IAM action of the API."""
        return f"emr-serverless:{self.value[0].upper()}{self.value[1:]}"


class EmrServerlessApplicationTask(sfn.CustomState):
    """A task that starts or stops an application (with ``RUN_JOB``: until it has).

    ``startApplication`` starts the pre-initialized capacity, e.g. before a batch of runs;
    ``stopApplication`` releases it. With ``RUN_JOB`` the task waits until the application
    is ``STARTED``/``STOPPED``. Call :meth:`grant_to` with the state machine's role.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application: EmrServerlessApplicationBase,
        action: ApplicationAction,
        integration: Integration = Integration.RUN_JOB,
        result_path: str = "$.Application",
    ) -> None:
        """Render the task.

        :param application: the application to start or stop.
        :param action: ``START`` or ``STOP``.
        :param integration: ``RUN_JOB`` (wait) or ``REQUEST_RESPONSE``. Default: ``RUN_JOB``.
        :param result_path: where the response (``{ApplicationId}``) goes.
            Default: ``$.Application``.
        """
        state: dict[str, Any] = {
            "Type": "Task",
            "Resource": integration_resource(scope, action.value, integration),
            "Parameters": {"ApplicationId": application.application_id},
            "ResultPath": result_path,
        }
        super().__init__(scope, construct_id, state_json=state)
        self.application = application
        self.action = action
        self.integration = integration

    @checked_arguments
    def grant_to(self, grantee: iam.IGrantable) -> iam.Grant:
        """The API on the application; for ``.sync`` also ``GetApplication`` and the rule."""
        actions = [self.action.iam_action]
        if self.integration is Integration.RUN_JOB:
            actions.append("emr-serverless:GetApplication")
        grant = iam.Grant.add_to_principal(
            grantee=policy_grantee(grantee),
            actions=actions,
            resource_arns=[self.application.application_arn],
        )
        if self.integration is Integration.RUN_JOB:
            grant = grant.combine(
                iam.Grant.add_to_principal(
                    grantee=policy_grantee(grantee),
                    actions=list(SYNC_RULE_ACTIONS),
                    resource_arns=[_rule_arn(self, APPLICATION_RULE)],
                )
            )
        return grant
