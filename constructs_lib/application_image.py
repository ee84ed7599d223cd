"""ApplicationImage: a custom image for an EMR Serverless application or one worker type."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from constructs import IDependable

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import stack_facts
from constructs_lib.application_rules import parse_image_uri
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.image_references import IMAGE_DIGEST, IMAGE_TAG
from constructs_lib.tokens import is_unresolved

_TAG = IMAGE_TAG.pattern
_DIGEST = IMAGE_DIGEST.pattern

#: Why an image from the CDK bootstrap assets repository may not start.
ASSET_REPOSITORY_WARNING = (
    "EMR Serverless pulls custom images with its service principal "
    "(emr-serverless.amazonaws.com), which needs ecr:BatchGetImage, ecr:DescribeImages and "
    "ecr:GetDownloadUrlForLayer in the repository policy (guide L1849-1884). The CDK "
    "bootstrap assets repository has that statement only in bootstrap stacks made by CDK CLI "
    "releases from March 2025 on: re-run cdk bootstrap with a current CLI, or push the image "
    "to a CustomImageRepository and use repository.image(tag=...)."
)


@dataclass(frozen=True)
class ApplicationImage:
    """A private Amazon ECR image for every worker of an application, or for one type.

    Create it with :meth:`from_uri`, :meth:`from_ecr_repository` or
    :meth:`from_docker_image_asset`. EMR Serverless checks that it can pull the image when
    the application is created, so the application depends on :attr:`dependables`.

    :param image_uri: ``<account>.dkr.ecr.<region>.amazonaws.com/<repository>`` with
        ``:<tag>`` or ``@sha256:<digest>`` (may be a token).
    :param region: the repository's Region when known at synth; it must equal the
        application's (guide L1673).
    :param dependables: constructs to deploy before the application, e.g. the repository
        whose policy lets EMR Serverless pull.
    :param checked: whether ``image_uri`` was validated at synth (``False`` for tokens).
    :param warning: a caveat the application records as a construct warning.
    """

    image_uri: str
    region: str | None = None
    dependables: tuple[IDependable, ...] = ()
    checked: bool = True
    warning: str | None = None

    @classmethod
    @checked_arguments
    def from_uri(cls, uri: str) -> ApplicationImage:
        """An image by URI; a literal URI is validated now, a token when the app binds it."""
        if is_unresolved(uri):
            return cls(image_uri=uri, checked=False)
        return cls(image_uri=uri, region=parse_image_uri(uri).region)

    @classmethod
    @checked_arguments
    def from_ecr_repository(
        cls,
        repository: ecr.IRepository,
        *,
        tag: str | None = None,
        digest: str | None = None,
    ) -> ApplicationImage:
        """An image in an ECR repository, by tag or by digest.

        The URI references the repository, so CloudFormation creates a repository defined
        in this app (with its policy, which is part of it) before the application.

        :param tag: the image tag. Default: ``latest`` when no digest is given.
        :param digest: the image digest, ``sha256:<64 hex digits>``; pins the exact image.
        """
        if tag is not None and digest is not None:
            raise EmrServerlessValidationError(
                argument="digest",
                value=digest,
                rule="an image is named by a tag or by a digest, not both (CreateApplication "
                "ImageUri)",
                fix="pass only digest (it pins the image), or only tag",
            )
        if digest is not None:
            _check_reference(digest, _DIGEST, argument="digest", form="sha256:<64 hex digits>")
            uri = repository.repository_uri_for_digest(digest)
        else:
            tag = "latest" if tag is None else tag
            _check_reference(
                tag, _TAG, argument="tag", form="1-300 of [A-Za-z0-9._-], not starting with . or -"
            )
            uri = repository.repository_uri_for_tag(tag)
        return cls(image_uri=uri, region=_known_region(repository.env.region))

    @classmethod
    @checked_arguments
    def from_docker_image_asset(cls, asset: ecr_assets.DockerImageAsset) -> ApplicationImage:
        """An image built by ``cdk deploy`` and pushed to the bootstrap assets repository.

        The bootstrap repository's policy must let EMR Serverless pull; the application
        records :data:`ASSET_REPOSITORY_WARNING` as a warning.
        """
        return cls(
            image_uri=asset.image_uri,
            region=_known_region(stack_facts(asset).region),
            warning=ASSET_REPOSITORY_WARNING,
        )

    def render(self) -> dict[str, str]:
        """The API's ``imageConfiguration``."""
        return {"imageUri": self.image_uri}


def _known_region(region: str) -> str | None:
    return None if Token.is_unresolved(region) else region


def _check_reference(value: str, pattern: re.Pattern[str], *, argument: str, form: str) -> None:
    if is_unresolved(value) or pattern.fullmatch(value):
        return
    raise EmrServerlessValidationError(
        argument=argument,
        value=value,
        rule=f"an image {argument} is {form} (CreateApplication ImageUri)",
        fix=f"pass the {argument} as ECR shows it",
    )
