"""The stack outputs of a team's declared jobs: one naming contract for the stack and the command.

A team stack writes, per declared job, the job's StartJobRun request without its client
token (:func:`job_request_output_key`), and once per team the application's release
(:func:`release_output_key`). ``emr-serverless-jobs submit --job NAME`` reads them back by
the same keys, so it sends the request the team's workflow and schedule send; Airflow
(``EmrServerlessStartJobOperator``) can read the same output for its ``job_driver`` and
``configuration_overrides``.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from constructs_lib.stack_outputs import pascal_case


def job_request_output_key(team: str, job: str) -> str:
    """The logical id of the request output of ``team``'s ``job``, e.g. ``AJobBRequest``."""
    return f"{pascal_case(team)}Job{pascal_case(job)}Request"


def job_request_description(team: str, job: str) -> str:
    """The description of that output."""
    return f"StartJobRun request (JSON, without clientToken) of job {job} of team {team}"


def job_state_machine_output_key(team: str, job: str) -> str:
    """The logical id of the output holding the ARN of the job's workflow state machine."""
    return f"{pascal_case(team)}Job{pascal_case(job)}StateMachineArn"


def job_state_machine_description(team: str, job: str) -> str:
    """The description of that output."""
    return f"ARN of the Step Functions state machine that runs job {job} of team {team}"


def release_output_key(team: str) -> str:
    """The logical id of ``team``'s application release output, e.g. ``AnalyticsReleaseLabel``."""
    return f"{pascal_case(team)}ReleaseLabel"


def release_description(team: str) -> str:
    """The description of that output."""
    return f"EMR release label of the application of team {team}"
