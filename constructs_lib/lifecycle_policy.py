"""How an application's lifecycle handler treats job runs when it must stop the application.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib._checks import check_range
from constructs_lib._enums import LenientEnum
from constructs_lib.errors import EmrServerlessValidationError

#: How long CloudFormation waits for a custom resource at most (ServiceTimeout, 1-3,600 s).
CUSTOM_RESOURCE_TIMEOUT_MINUTES = 60
CUSTOM_RESOURCE_SOURCE = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-cloudformation-customresource.html"
)
#: Default wait for running job runs before the deployment fails.
DEFAULT_RUNNING_JOBS_TIMEOUT_MINUTES = 5
#: The longest wait for job runs: what is left of CloudFormation's hour for one custom
#: resource after stopping and starting the application (up to 15 minutes).
MAX_RUNNING_JOBS_TIMEOUT_MINUTES = 45


class RunningJobs(LenientEnum):
    """What to do with job runs still active when the application must stop."""

    #: Wait for them up to the timeout, then fail the deployment naming them.
    WAIT = "WAIT"
    #: Cancel them (CancelJobRun), wait for the cancellation, then stop.
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class LifecyclePolicy:
    """How :class:`~constructs_lib.application.EmrServerlessApplication` stops itself.

    The lifecycle stops the application before CloudFormation changes a property that
    EMR Serverless refuses to change while it is STARTED (and before deleting it), and
    starts it again afterwards when it was started (or keeps pre-initialized capacity and
    auto-start). Stopping needs no active job runs (StopApplication).

    :param running_jobs: what to do with active job runs. Default: ``WAIT``; ``CANCEL``
        cancels them (opt-in: the jobs are lost).
    :param running_jobs_timeout_minutes: how long to wait for them, 1-45 whole minutes
        (CloudFormation gives a custom resource one hour, which also covers the stop and
        start). After it the deployment fails naming the job run ids. Default: 5.
    """

    running_jobs: RunningJobs = RunningJobs.WAIT
    running_jobs_timeout_minutes: int = DEFAULT_RUNNING_JOBS_TIMEOUT_MINUTES

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "running_jobs", RunningJobs.parse(self.running_jobs, argument="running_jobs")
        )
        minutes = self.running_jobs_timeout_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise EmrServerlessValidationError(
                argument="running_jobs_timeout_minutes",
                value=minutes,
                rule="running_jobs_timeout_minutes takes whole minutes (an int)",
                fix=f"pass an int such as {DEFAULT_RUNNING_JOBS_TIMEOUT_MINUTES}",
            )
        check_range(
            minutes,
            1,
            MAX_RUNNING_JOBS_TIMEOUT_MINUTES,
            argument="running_jobs_timeout_minutes",
            unit="minutes",
            source="CloudFormation waits at most 60 minutes for a custom resource, which also "
            f"stops and starts the application; {CUSTOM_RESOURCE_SOURCE}",
        )


#: The lifecycle handler's actions on each application (GetApplication to read its state
#: and settings; ListJobRuns to find active runs).
LIFECYCLE_APPLICATION_ACTIONS: tuple[str, ...] = (
    "emr-serverless:GetApplication",
    "emr-serverless:ListJobRuns",
    "emr-serverless:StartApplication",
    "emr-serverless:StopApplication",
    "emr-serverless:UpdateApplication",
)
#: On the application's job runs (``<application ARN>/jobruns/*``), for ``CANCEL``.
LIFECYCLE_JOB_RUN_ACTIONS: tuple[str, ...] = ("emr-serverless:CancelJobRun",)
#: On the handler's own stack: the application's id by logical id, the stack's status
#: (rollback or not), and its template (is the application being removed).
LIFECYCLE_STACK_ACTIONS: tuple[str, ...] = (
    "cloudformation:DescribeStackResource",
    "cloudformation:DescribeStacks",
    "cloudformation:GetTemplate",
)
#: On a disk encryption key defined in the app, for EMR Serverless (disk-encryption-cmk).
DISK_KEY_SERVICE_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")
