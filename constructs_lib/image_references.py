"""Naming rules for custom images: base images, repository names, tags, digests, source ARNs.

Pure module: imports nothing from ``aws_cdk``.

Line numbers (``L1663``) cite the *Amazon EMR Serverless User Guide* digested in
``requirements.md``. The rule that an application image is a private ECR URI with a tag or
digest is :func:`constructs_lib.application_rules.parse_image_uri`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from constructs_lib._checks import PatternRule, fullmatch
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import Feature, ReleaseLabel, require
from constructs_lib.workers import EngineType

#: Where EMR Serverless publishes its base images, one per engine and release (L1663-1667).
BASE_IMAGE_REGISTRY = "public.ecr.aws/emr-serverless"

#: An ECR repository name. The CreateRepository API also takes repeated separators
#: (``a--b``, ``a__b``); aws-cdk-lib refuses them, so this rule does too.
REPOSITORY_NAME = PatternRule(
    pattern=re.compile(
        r"(?=.{2,256}\Z)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
    ),
    argument="repository_name",
    rule="an ECR repository name is 2-256 characters: lowercase letters and digits, one '.', "
    "'_' or '-' between them, and '/' between namespaces (ECR CreateRepository, aws-cdk-lib)",
    fix="use a name such as 'analytics/spark-etl'",
)

#: An image tag: 1-300 of ``[A-Za-z0-9._-]``, not starting with ``.`` or ``-`` (the
#: CloudFormation ``ImageUri`` pattern; ECR takes tags of up to 300 characters, and the
#: CreateApplication ImageUri pattern sets no length).
IMAGE_TAG = PatternRule(
    pattern=re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}"),
    argument="tag",
    rule="an image tag is 1-300 of [A-Za-z0-9._-], not starting with . or - (CloudFormation "
    "schema ImageUri)",
    fix="pass the tag you pushed, e.g. 'etl-2024.06.1'",
)

#: An image digest (CreateApplication ImageDigest).
IMAGE_DIGEST = PatternRule(
    pattern=re.compile(r"sha256:[0-9a-f]{64}"),
    argument="digest",
    rule="an image digest is 'sha256:' and 64 lowercase hex digits (CreateApplication ImageDigest)",
    fix="copy the digest that docker push or aws ecr describe-images prints",
)

#: One condition operator's keys and values, as IAM writes them.
Condition = dict[str, str | list[str]]

_APPLICATION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):emr-serverless:(?P<region>[a-z0-9-]+):(?P<account>\d{12})"
    r":/applications/(?P<application_id>[0-9a-z]{1,64})"
)


def base_image(engine: EngineType, release: ReleaseLabel | str) -> str:
    """``public.ecr.aws/emr-serverless/<spark|hive>/<release>:latest``, to build FROM.

    Build from the image of the application's engine and release (L1890); custom images
    need emr-6.9.0+ (L1654).
    """
    label = release if isinstance(release, ReleaseLabel) else ReleaseLabel.of(release)
    require(
        label,
        Feature.CUSTOM_IMAGES,
        argument="release",
        value=label.label,
        fix=f"build from the base image of {Feature.CUSTOM_IMAGES.minimum} or later",
    )
    return f"{BASE_IMAGE_REGISTRY}/{engine.value.lower()}/{label.label}:latest"


@dataclass(frozen=True)
class ApplicationArn:
    """An EMR Serverless application ARN, parsed."""

    partition: str
    region: str
    account: str
    application_id: str


def parse_application_arn(arn: str, *, argument: str = "application_arns") -> ApplicationArn:
    """Parse ``arn:<partition>:emr-serverless:<region>:<account>:/applications/<id>``."""
    match = fullmatch(
        _APPLICATION_ARN,
        arn,
        argument=argument,
        rule="an application ARN is arn:<partition>:emr-serverless:<region>:<account>:"
        "/applications/<id>, the id 1-64 of [0-9a-z] (CreateApplication, guide L5577)",
        fix="copy the ARN from aws emr-serverless get-application, or leave the argument out "
        "to allow every application of the account in the Region",
    )
    return ApplicationArn(
        partition=match["partition"],
        region=match["region"],
        account=match["account"],
        application_id=match["application_id"],
    )


def applications_arn(partition: str, region: str, account: str) -> str:
    """The ARN pattern of every application of ``account`` in ``region``."""
    return f"arn:{partition}:emr-serverless:{region}:{account}:/applications/*"


def pull_conditions(source_arns: Sequence[str], source_account: str) -> dict[str, Condition]:
    """Conditions that let EMR Serverless pull only for ``source_arns`` in ``source_account``.

    ``aws:SourceArn`` is compared with ``ArnLike`` when a pattern has a wildcard, otherwise
    with ``StringEquals`` as in the guide's policy (L1849-1884).
    """
    if not source_arns:
        raise EmrServerlessValidationError(
            argument="application_arns",
            value=list(source_arns),
            rule="a pull statement names at least one application ARN or ARN pattern",
            fix="pass the ARNs, or leave the argument out to allow the account's applications",
        )
    arns: str | list[str] = source_arns[0] if len(source_arns) == 1 else list(source_arns)
    account: Condition = {"aws:SourceAccount": source_account}
    if any("*" in arn or "?" in arn for arn in source_arns):
        return {"ArnLike": {"aws:SourceArn": arns}, "StringEquals": account}
    return {"StringEquals": {"aws:SourceArn": arns, **account}}


def check_lifecycle_count(value: object, *, argument: str, unit: str) -> int:
    """A lifecycle rule's count: a whole number of ``unit``, at least 1 (ECR countNumber)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule=f"an ECR lifecycle rule counts whole {unit}, at least 1, known at synth "
            "(lifecycle policy countNumber)",
            fix=f"pass a whole number of {unit} from 1, or None to drop the rule",
        )
    return value
