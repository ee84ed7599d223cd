"""Grants shared by the application and runtime-role constructs."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib.compliance import acknowledge_wildcard_resource
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.iam_actions import (
    EMR_SERVERLESS_PRINCIPAL,
    JOB_RUN_ACTIONS,
    JOB_SUBMIT_APPLICATION_ACTIONS,
    PASS_ROLE_ACTIONS,
)


def job_runs_arn(application_arn: str) -> str:
    """The ARN pattern of every job run of one application (run ids are generated per run)."""
    return f"{application_arn}/jobruns/*"


def grant_job_submission(
    grantee: iam.IGrantable,
    *,
    application_arn: str,
    runtime_roles: Sequence[iam.IRole],
) -> iam.Grant:
    """Let ``grantee`` start, follow and cancel job runs on one application with given roles.

    - ``StartJobRun`` and ``ListJobRuns`` on the application;
    - ``GetJobRun``, ``CancelJobRun``, ``GetDashboardForJobRun`` and ``ListJobRunAttempts``
      on the application's job runs;
    - ``iam:PassRole`` on exactly ``runtime_roles``, only towards EMR Serverless
      (``iam:PassedToService``).
    """
    if not runtime_roles:
        raise EmrServerlessValidationError(
            argument="runtime_roles",
            value=list(runtime_roles),
            rule="a job submitter must be able to pass at least one runtime role",
            fix="pass the runtime role(s) the submitter's jobs run as",
        )
    on_application = iam.Grant.add_to_principal(
        grantee=grantee,
        actions=list(JOB_SUBMIT_APPLICATION_ACTIONS),
        resource_arns=[application_arn],
    )
    on_runs = iam.Grant.add_to_principal(
        grantee=grantee,
        actions=list(JOB_RUN_ACTIONS),
        resource_arns=[job_runs_arn(application_arn)],
    )
    pass_role = iam.Grant.add_to_principal(
        grantee=grantee,
        actions=list(PASS_ROLE_ACTIONS),
        resource_arns=[role.role_arn for role in runtime_roles],
        conditions={"StringEquals": {"iam:PassedToService": EMR_SERVERLESS_PRINCIPAL}},
    )
    if isinstance(grantee, Construct) and on_runs.principal_statement is not None:
        acknowledge_wildcard_resource(
            grantee,
            job_runs_arn(application_arn),
            "Job run ids are generated when a run starts, so job-run actions are scoped to "
            "this one application's runs (<application ARN>/jobruns/*), the narrowest ARN.",
        )
    return on_application.combine(on_runs).combine(pass_role)
