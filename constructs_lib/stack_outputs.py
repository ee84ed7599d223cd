"""Stack names and the CloudFormation outputs each team's stack exports: one naming contract.

Each environment of a platform has a network stack, a shared platform stack and one stack
per team (:func:`team_stack_name`); custom images live in one images stack per platform
and account and Region (the same name in each). With accounts in the platform file each
environment is a stage, and the stacks keep these names (no stage prefix).
A team's stack creates one ``CfnOutput`` per field, with the logical id :func:`output_key`
gives; the job-submission command (``constructs_lib.jobs``) reads them back by the same
keys with :meth:`TeamOutputs.from_stack_outputs`.

One stack per team, not one for all teams: CloudFormation allows 500 resources and 200
outputs per template, which a single platform stack would reach at about two dozen teams,
and a team's change then deploys (and can roll back) only that team's stack.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

#: CloudFormation allows at most this many outputs in one template.
MAX_OUTPUTS_PER_TEMPLATE = 200

_WORD = re.compile(r"[a-z0-9]+")


class OutputField(StrEnum):
    """One per-team output of a platform stack; the value is the output key's suffix."""

    APPLICATION_ID = "ApplicationId"
    APPLICATION_ARN = "ApplicationArn"
    APPLICATION_TYPE = "ApplicationType"
    RUNTIME_ROLE_ARN = "RuntimeRoleArn"
    LOG_URI = "LogUri"
    LOG_GROUP_NAME = "LogGroupName"
    LOG_ENCRYPTION_KEY_ARN = "LogEncryptionKeyArn"
    SUBMITTER_ROLE_ARN = "SubmitterRoleArn"


#: What each output holds (the platform stack uses these as output descriptions).
OUTPUT_DESCRIPTIONS: Mapping[OutputField, str] = {
    OutputField.APPLICATION_ID: "EMR Serverless application id",
    OutputField.APPLICATION_ARN: "EMR Serverless application ARN",
    OutputField.APPLICATION_TYPE: "EMR Serverless application type (SPARK or HIVE)",
    OutputField.RUNTIME_ROLE_ARN: "ARN of the job runtime role",
    OutputField.LOG_URI: "S3 URI that job logs are written under (s3://bucket/prefix/)",
    OutputField.LOG_GROUP_NAME: "CloudWatch Logs log group that job logs are written to",
    OutputField.LOG_ENCRYPTION_KEY_ARN: "ARN of the KMS key that encrypts job logs in S3",
    OutputField.SUBMITTER_ROLE_ARN: "ARN of the role that starts and follows job runs",
}

#: The outputs the job-submission command cannot work without.
REQUIRED_FIELDS: frozenset[OutputField] = frozenset(
    {OutputField.APPLICATION_ID, OutputField.RUNTIME_ROLE_ARN}
)


def pascal_case(name: str) -> str:
    """``name`` as a construct id: ``data-science`` -> ``DataScience``."""
    return "".join(word.capitalize() for word in _WORD.findall(name.lower()))


def output_key(team: str, field: OutputField) -> str:
    """The logical id of ``team``'s ``field`` output, e.g. ``DataScienceApplicationId``."""
    return f"{pascal_case(team)}{field.value}"


def output_description(team: str, field: OutputField) -> str:
    """The description of ``team``'s ``field`` output."""
    return f"{OUTPUT_DESCRIPTIONS[field]} of team {team}"


def platform_stack_name(platform: str, environment: str) -> str:
    """The stack name of ``platform``'s shared platform stack in ``environment``.

    ``("emr-analytics", "dev")`` -> ``EmrAnalytics-Dev-Platform``.
    """
    return f"{pascal_case(platform)}-{pascal_case(environment)}-Platform"


def network_stack_name(platform: str, environment: str) -> str:
    """The stack name of ``platform``'s network in ``environment``.

    ``("emr-analytics", "dev")`` -> ``EmrAnalytics-Dev-Network``.
    """
    return f"{pascal_case(platform)}-{pascal_case(environment)}-Network"


def team_stack_name(platform: str, environment: str, team: str) -> str:
    """The stack name of ``team``'s application in ``environment``.

    ``("emr-analytics", "dev", "data-science")`` -> ``EmrAnalytics-Dev-Team-DataScience``.
    """
    return f"{pascal_case(platform)}-{pascal_case(environment)}-Team-{pascal_case(team)}"


def images_stack_name(platform: str) -> str:
    """The stack name of ``platform``'s custom image repositories (``EmrAnalytics-Images``)."""
    return f"{pascal_case(platform)}-Images"


class MissingOutputError(LookupError):
    """A deployed platform stack lacks an output the job-submission command needs."""


@dataclass(frozen=True)
class TeamOutputs:
    """One team's outputs, read from a deployed platform stack."""

    team: str
    application_id: str
    runtime_role_arn: str
    application_arn: str | None = None
    application_type: str | None = None
    log_uri: str | None = None
    log_group_name: str | None = None
    log_encryption_key_arn: str | None = None
    submitter_role_arn: str | None = None

    @classmethod
    def from_stack_outputs(cls, team: str, outputs: Mapping[str, str]) -> TeamOutputs:
        """Pick ``team``'s outputs out of a stack's ``{output key: value}``.

        :raises MissingOutputError: naming the first required output that is missing.
        """
        values = {field: outputs.get(output_key(team, field)) or None for field in OutputField}
        for field in sorted(REQUIRED_FIELDS):
            if values[field] is None:
                raise MissingOutputError(output_key(team, field))
        return cls(
            team=team,
            application_id=str(values[OutputField.APPLICATION_ID]),
            runtime_role_arn=str(values[OutputField.RUNTIME_ROLE_ARN]),
            application_arn=values[OutputField.APPLICATION_ARN],
            application_type=values[OutputField.APPLICATION_TYPE],
            log_uri=values[OutputField.LOG_URI],
            log_group_name=values[OutputField.LOG_GROUP_NAME],
            log_encryption_key_arn=values[OutputField.LOG_ENCRYPTION_KEY_ARN],
            submitter_role_arn=values[OutputField.SUBMITTER_ROLE_ARN],
        )


def teams_in_outputs(descriptions: Mapping[str, str]) -> list[str]:
    """The teams that have an application id among a stack's ``{output key: description}``."""
    marker = f"{OUTPUT_DESCRIPTIONS[OutputField.APPLICATION_ID]} of team "
    return sorted(
        description.removeprefix(marker)
        for key, description in descriptions.items()
        if key.endswith(OutputField.APPLICATION_ID.value) and description.startswith(marker)
    )
