"""CustomImageRepository: a private ECR repository that EMR Serverless applications pull from."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, CfnResource, Duration, Reference, RemovalPolicy, Stack, Token, Tokenization
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child, stack_of
from constructs_lib._token_checks import check_literal
from constructs_lib.application_image import ApplicationImage
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import policy_grantee
from constructs_lib.iam_actions import EMR_SERVERLESS_PRINCIPAL
from constructs_lib.image_references import (
    IMAGE_DIGEST,
    IMAGE_TAG,
    REPOSITORY_NAME,
    applications_arn,
    check_lifecycle_count,
    parse_application_arn,
    pull_conditions,
)
from constructs_lib.tokens import warn_unchecked

#: What EMR Serverless needs on the repository to pull images (guide L1849-1873), and what
#: principals that create or update applications with its images need (guide L1676-1692).
APPLICATION_IMAGE_ACTIONS: tuple[str, ...] = (
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
    "ecr:GetDownloadUrlForLayer",
)

#: Untagged images are expired this many days after they were pushed, by default.
DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS = 14

#: The most recently pushed tagged images kept, by default; older ones are expired.
DEFAULT_MAX_TAGGED_IMAGES = 50


class CustomImageRepository(ecr.Repository):
    """A private ECR repository for EMR Serverless custom images (emr-6.9.0+).

    Its resource policy lets ``emr-serverless.amazonaws.com`` pull
    (``ecr:BatchGetImage``, ``ecr:DescribeImages``, ``ecr:GetDownloadUrlForLayer``), for the
    account's applications in the Region or for named applications, conditioned on
    ``aws:SourceArn`` and ``aws:SourceAccount``. The policy is part of the
    ``AWS::ECR::Repository`` resource, which an application's image URI references, so
    CloudFormation creates it before the application and never the other way round.

    Scans on push, immutable tags, AES-256 (or KMS with ``encryption_key``), lifecycle rules,
    retained on delete. It is an ``ecr.Repository``: ``grant_push`` for CI and the other
    aws-cdk-lib methods work as usual.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository_name: str | None = None,
        application_arns: Sequence[str] | None = None,
        immutable_tags: bool = True,
        image_scan_on_push: bool = True,
        encryption_key: kms.IKey | None = None,
        untagged_image_expiry_days: int | None = DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS,
        max_tagged_images: int | None = DEFAULT_MAX_TAGGED_IMAGES,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        empty_on_delete: bool = False,
    ) -> None:
        """Validate the arguments and create the repository with its pull policy.

        :param repository_name: 2-256 characters of ``[a-z0-9._/-]``. Default: a name
            CloudFormation generates.
        :param application_arns: the only applications that may pull, when they exist
            before this repository (literal ARNs, or imported applications' ARNs). Default:
            every application of the account in the repository's Region
            (``arn:<partition>:emr-serverless:<region>:<account>:/applications/*``).
        :param immutable_tags: refuse pushes that would move an existing tag. Default: ``True``.
        :param image_scan_on_push: scan each image for vulnerabilities when pushed.
            Default: ``True``.
        :param encryption_key: a KMS key in the repository's Region to encrypt images with.
            Default: AES-256 (ECR's server-side encryption).
        :param untagged_image_expiry_days: expire untagged images this many days after they
            were pushed; ``None`` keeps them. Default: 14.
        :param max_tagged_images: keep this many of the most recently pushed tagged images
            and expire older ones; ``None`` keeps them all. Default: 50.
        :param removal_policy: what happens to the repository when it leaves the stack.
            Default: ``RETAIN``.
        :param empty_on_delete: delete the images with the repository (needs
            ``removal_policy=DESTROY``). Default: ``False``.
        """
        stack = stack_of(scope)
        if repository_name is not None and not Token.is_unresolved(repository_name):
            REPOSITORY_NAME.check(repository_name)
        _check_removal(removal_policy, empty_on_delete)
        _check_key_region(encryption_key, _known(stack.region))
        rules = _lifecycle_rules(untagged_image_expiry_days, max_tagged_images)
        super().__init__(
            scope,
            construct_id,
            repository_name=repository_name,
            image_scan_on_push=image_scan_on_push,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE
            if immutable_tags
            else ecr.TagMutability.MUTABLE,
            encryption_key=encryption_key,
            lifecycle_rules=rules,
            removal_policy=removal_policy,
            empty_on_delete=empty_on_delete or None,
        )
        remember_child(self, scope, construct_id)
        if repository_name is not None and Token.is_unresolved(repository_name):
            warn_unchecked(self, argument="repository_name", rule=REPOSITORY_NAME.rule)
        if encryption_key is None:
            resource = self.node.default_child
            assert isinstance(resource, ecr.CfnRepository)
            resource.encryption_configuration = ecr.CfnRepository.EncryptionConfigurationProperty(
                encryption_type="AES256"
            )
        #: The application ARNs (or the ARN pattern) EMR Serverless may pull for.
        self.source_arns: tuple[str, ...] = self._source_arns(stack, application_arns)
        #: The resource-policy statement that lets EMR Serverless pull.
        self.pull_statement = iam.PolicyStatement(
            sid="EmrServerlessCustomImages",
            principals=[iam.ServicePrincipal(EMR_SERVERLESS_PRINCIPAL)],
            actions=list(APPLICATION_IMAGE_ACTIONS),
            conditions=pull_conditions(self.source_arns, stack.account),
        )
        self.add_to_resource_policy(self.pull_statement)

    @checked_arguments
    def image(self, *, tag: str | None = None, digest: str | None = None) -> ApplicationImage:
        """An image of this repository for ``EmrServerlessApplication(image=...)``.

        The URI is ``<account>.dkr.ecr.<region>.<URL suffix>/<name>`` with ``:<tag>`` or
        ``@<digest>``; it references the repository by name only, so an application in
        another stack reads one value from this one.

        :param tag: the image tag, 1-300 of ``[A-Za-z0-9._-]``.
        :param digest: ``sha256:<64 hex digits>``; pins the exact image.
        """
        if (tag is None) == (digest is None):
            raise EmrServerlessValidationError(
                argument="tag" if tag is None else "digest",
                value=digest,
                rule="an application image is named by a tag or by a digest, not both "
                "(CreateApplication ImageUri); this repository has no 'latest' default",
                fix="pass tag= (the tag you pushed) or digest= (sha256:..., pins the image)",
            )
        if tag is not None:
            check_literal(self, tag, IMAGE_TAG)
            suffix = f":{tag}"
        else:
            assert digest is not None
            check_literal(self, digest, IMAGE_DIGEST)
            suffix = f"@{digest}"
        registry = f"{self.env.account}.dkr.ecr.{self.env.region}.{Aws.URL_SUFFIX}"
        return ApplicationImage(
            image_uri=f"{registry}/{self.repository_name}{suffix}",
            region=_known(self.env.region),
        )

    @checked_arguments
    def grant_use_in_applications(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` create or update applications with this repository's images.

        ``ecr:BatchGetImage``, ``ecr:DescribeImages`` and ``ecr:GetDownloadUrlForLayer`` on
        this repository (guide L1676-1692), in a customer-managed policy of the grantee
        (:func:`constructs_lib.grants.policy_grantee`), never in an inline one.
        """
        return self.grant(policy_grantee(grantee), *APPLICATION_IMAGE_ACTIONS)

    def _source_arns(self, stack: Stack, application_arns: Sequence[str] | None) -> tuple[str, ...]:
        if application_arns is None:
            return (applications_arn(stack.partition, stack.region, stack.account),)
        if isinstance(application_arns, str) or not application_arns:
            raise EmrServerlessValidationError(
                argument="application_arns",
                value=application_arns,
                rule="a list of application ARNs; an empty list would let no application pull",
                fix="pass the applications' ARNs, or leave the argument out to allow every "
                "application of the account in the Region",
            )
        region, account = _known(stack.region), _known(stack.account)
        for arn in application_arns:
            _refuse_defined_application(arn)
            literal = stack.resolve(arn)
            if not isinstance(literal, str):
                warn_unchecked(
                    self,
                    argument="application_arns",
                    rule="an application ARN in the repository's account and Region",
                )
                continue
            parsed = parse_application_arn(literal)
            for what, mine, theirs in (
                ("Region", region, parsed.region),
                ("account", account, parsed.account),
            ):
                if mine is not None and theirs != mine:
                    raise EmrServerlessValidationError(
                        argument="application_arns",
                        value=arn,
                        rule=f"an application pulls from a repository in its own {what} "
                        f"({mine}; guide L1673, aws:SourceAccount)",
                        fix=f"name applications in {mine}, or create the repository there",
                    )
        return tuple(application_arns)


def _refuse_defined_application(arn: str) -> None:
    """Refuse the ARN attribute of a resource defined in this app (an application to be created)."""
    for token in Tokenization.reverse_string(arn).tokens:
        if isinstance(token, Reference) and isinstance(token.target, CfnResource):
            raise EmrServerlessValidationError(
                argument="application_arns",
                value=f"the ARN of {token.target.node.path}",
                rule="EMR Serverless checks image access when it creates an application, so "
                "the repository policy must exist first and cannot name an application "
                "created in the same deployment (a dependency cycle)",
                fix="leave application_arns out (every application of the account in the "
                "Region), and add the ARN once the application exists",
            )


def _lifecycle_rules(
    untagged_image_expiry_days: int | None, max_tagged_images: int | None
) -> list[ecr.LifecycleRule]:
    rules: list[ecr.LifecycleRule] = []
    if untagged_image_expiry_days is not None:
        days = check_lifecycle_count(
            untagged_image_expiry_days, argument="untagged_image_expiry_days", unit="days"
        )
        rules.append(
            ecr.LifecycleRule(
                description=f"Expire untagged images {days} days after they were pushed",
                tag_status=ecr.TagStatus.UNTAGGED,
                max_image_age=Duration.days(days),
            )
        )
    if max_tagged_images is not None:
        count = check_lifecycle_count(
            max_tagged_images, argument="max_tagged_images", unit="images"
        )
        rules.append(
            ecr.LifecycleRule(
                description=f"Keep the {count} most recently pushed tagged images",
                tag_status=ecr.TagStatus.TAGGED,
                tag_pattern_list=["*"],
                max_image_count=count,
            )
        )
    return rules


def _check_removal(removal_policy: RemovalPolicy, empty_on_delete: bool) -> None:
    if removal_policy is RemovalPolicy.SNAPSHOT:
        raise EmrServerlessValidationError(
            argument="removal_policy",
            value="SNAPSHOT",
            rule="an ECR repository has no snapshots (CloudFormation DeletionPolicy)",
            fix="use RETAIN (the default) or DESTROY",
        )
    if empty_on_delete and removal_policy is not RemovalPolicy.DESTROY:
        raise EmrServerlessValidationError(
            argument="empty_on_delete",
            value=True,
            rule="images are deleted with the repository only when the repository is deleted "
            "(removal_policy=DESTROY)",
            fix="set removal_policy=RemovalPolicy.DESTROY, or drop empty_on_delete",
        )


def _check_key_region(key: kms.IKey | None, region: str | None) -> None:
    if key is None:
        return
    key_region = _known(key.env.region)
    if key_region is not None and region is not None and key_region != region:
        raise EmrServerlessValidationError(
            argument="encryption_key",
            value=key_region,
            rule=f"the KMS key must be in the repository's Region ({region}) (CloudFormation "
            "AWS::ECR::Repository KmsKey)",
            fix=f"pass a key in {region}",
        )


def _known(value: str) -> str | None:
    return None if Token.is_unresolved(value) else value
