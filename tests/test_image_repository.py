"""CustomImageRepository: the pull policy, lifecycle, images for applications, no cycle."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_image import ApplicationImage
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.image_repository import (
    APPLICATION_IMAGE_ACTIONS,
    DEFAULT_MAX_TAGGED_IMAGES,
    DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS,
    CustomImageRepository,
)
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.releases import DEFAULT_RELEASE
from constructs_lib.workers import WorkerType
from tests.application_examples import ACCOUNT, DIGEST, ENV, REGION
from tests.harness import Synthesis, new_app, synthesize
from tests.iam_checks import Environment, resource_type_problems

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/00fabcdef12525"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
BUILT: dict[str, Any] = {}


def _combined(stack: cdk.Stack) -> None:
    """The repository and two applications that use it, in one stack."""
    images = CustomImageRepository(stack, "Images")
    # The images are the subject here, not the applications' lifecycle (see its own tests).
    EmrServerlessApplication(stack, "Etl", image=images.image(tag="etl-1"), lifecycle=False)
    EmrServerlessApplication(
        stack,
        "PerWorker",
        lifecycle=False,
        worker_images={
            WorkerType.SPARK_DRIVER: images.image(tag="driver-1"),
            WorkerType.SPARK_EXECUTOR: images.image(digest=DIGEST),
        },
    )
    deployer = ManagedPolicyRole(stack, "Deployer", assumed_by=iam.AccountRootPrincipal())
    BUILT["grant"] = images.grant_use_in_applications(deployer)


def _tight(stack: cdk.Stack) -> None:
    """Every option away from its default."""
    key = kms.Key(stack, "ImageKey", enable_key_rotation=True)
    imported = EmrServerlessApplication.from_application_id(stack, "Existing", "00fexisting")
    parameter = cdk.CfnParameter(stack, "ApplicationArn").value_as_string
    CustomImageRepository(
        stack,
        "Pinned",
        repository_name="analytics/spark-etl",
        application_arns=[APPLICATION, imported.application_arn, parameter],
        immutable_tags=False,
        image_scan_on_push=False,
        encryption_key=key,
        untagged_image_expiry_days=None,
        max_tagged_images=5,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        empty_on_delete=True,
    )


def _agnostic(stack: cdk.Stack) -> None:
    """No account or Region: the policy names them with pseudo parameters."""
    CustomImageRepository(stack, "Images")
    asset = ecr_assets.DockerImageAsset(
        stack,
        "SparkImage",
        directory=str(ROOT / "images" / "spark"),
        build_args={"EMR_RELEASE": DEFAULT_RELEASE.label},
    )
    BUILT["asset"] = asset
    EmrServerlessApplication(
        stack,
        "FromAsset",
        image=ApplicationImage.from_docker_image_asset(asset),
        lifecycle=False,
    )


def _across_stacks(registry: cdk.Stack, analytics: cdk.Stack) -> None:
    images = CustomImageRepository(registry, "Images")
    EmrServerlessApplication(analytics, "Etl", image=images.image(digest=DIGEST), lifecycle=False)
    # A plain iam.Role (not a ManagedPolicyRole) as the deployer.
    deployer = iam.Role(registry, "Deployer", assumed_by=iam.AccountRootPrincipal())
    BUILT["plain grant"] = images.grant_use_in_applications(deployer)


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    _combined(cdk.Stack(app, "Combined", env=ENV))
    _tight(cdk.Stack(app, "Tight", env=ENV))
    _agnostic(cdk.Stack(app, "Agnostic"))
    _across_stacks(cdk.Stack(app, "Registry", env=ENV), cdk.Stack(app, "Analytics", env=ENV))
    return synthesize(app)


def _resources(synthesis: Synthesis, stack: str, kind: str) -> dict[str, dict[str, Any]]:
    resources = synthesis.templates[stack]["Resources"]
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def _repository(synthesis: Synthesis, stack: str) -> tuple[str, dict[str, Any]]:
    ((name, repository),) = _resources(synthesis, stack, "AWS::ECR::Repository").items()
    return name, repository


def _lifecycle(repository: Mapping[str, Any]) -> list[dict[str, Any]]:
    text = repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    return list(json.loads(text)["rules"])


# --- the pull policy --------------------------------------------------------------------------


def test_policy_lets_only_emr_serverless_pull_for_the_accounts_applications(
    synthesis: Synthesis,
) -> None:
    _, repository = _repository(synthesis, "Combined")
    assert repository["Properties"]["RepositoryPolicyText"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EmrServerlessCustomImages",
                "Effect": "Allow",
                "Principal": {"Service": "emr-serverless.amazonaws.com"},
                "Action": ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"],
                "Condition": {
                    "ArnLike": {"aws:SourceArn": APPLICATION.rsplit("/", 1)[0] + "/*"},
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                },
            }
        ],
    }


def test_policy_of_an_environment_agnostic_stack_uses_pseudo_parameters(
    synthesis: Synthesis,
) -> None:
    _, repository = _repository(synthesis, "Agnostic")
    (statement,) = repository["Properties"]["RepositoryPolicyText"]["Statement"]
    assert statement["Condition"] == {
        "ArnLike": {
            "aws:SourceArn": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":emr-serverless:",
                        {"Ref": "AWS::Region"},
                        ":",
                        {"Ref": "AWS::AccountId"},
                        ":/applications/*",
                    ],
                ]
            }
        },
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    }


def test_known_applications_are_named_exactly(synthesis: Synthesis) -> None:
    _, repository = _repository(synthesis, "Tight")
    (statement,) = repository["Properties"]["RepositoryPolicyText"]["Statement"]
    imported = APPLICATION.replace("00fabcdef12525", "00fexisting")
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:SourceArn": [APPLICATION, imported, {"Ref": "ApplicationArn"}],
            "aws:SourceAccount": ACCOUNT,
        }
    }
    unchecked = synthesis.warnings("emr-serverless:unchecked:application_arns")
    assert [w.path for w in unchecked] == ["Tight/Pinned"]


def test_no_repository_policy_has_a_wildcard_principal(synthesis: Synthesis) -> None:
    statements = [
        statement
        for template in synthesis.templates.values()
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::ECR::Repository"
        for statement in resource["Properties"]["RepositoryPolicyText"]["Statement"]
    ]
    assert len(statements) == 4
    assert all(s["Principal"] == {"Service": "emr-serverless.amazonaws.com"} for s in statements)


# --- repository settings ----------------------------------------------------------------------


def test_defaults_scan_keep_tags_encrypt_expire_and_retain(synthesis: Synthesis) -> None:
    _, repository = _repository(synthesis, "Combined")
    properties = repository["Properties"]
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert properties["ImageTagMutability"] == "IMMUTABLE"
    assert properties["EncryptionConfiguration"] == {"EncryptionType": "AES256"}
    assert "EmptyOnDelete" not in properties
    assert "RepositoryName" not in properties
    assert (repository["DeletionPolicy"], repository["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_default_lifecycle_expires_untagged_then_keeps_the_newest_tagged(
    synthesis: Synthesis,
) -> None:
    _, repository = _repository(synthesis, "Combined")
    assert _lifecycle(repository) == [
        {
            "rulePriority": 1,
            "description": "Expire untagged images 14 days after they were pushed",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countNumber": DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS,
                "countUnit": "days",
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Keep the 50 most recently pushed tagged images",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["*"],
                "countType": "imageCountMoreThan",
                "countNumber": DEFAULT_MAX_TAGGED_IMAGES,
            },
            "action": {"type": "expire"},
        },
    ]


def test_every_option_can_be_changed(synthesis: Synthesis) -> None:
    _, repository = _repository(synthesis, "Tight")
    properties = repository["Properties"]
    key = next(iter(_resources(synthesis, "Tight", "AWS::KMS::Key")))
    assert properties["RepositoryName"] == "analytics/spark-etl"
    assert properties["ImageTagMutability"] == "MUTABLE"
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": False}
    assert properties["EncryptionConfiguration"] == {
        "EncryptionType": "KMS",
        "KmsKey": {"Fn::GetAtt": [key, "Arn"]},
    }
    assert properties["EmptyOnDelete"] is True
    assert repository["DeletionPolicy"] == "Delete"
    ((rule),) = _lifecycle(repository)
    assert (rule["rulePriority"], rule["selection"]["tagStatus"]) == (1, "tagged")
    assert rule["selection"]["countNumber"] == 5


# --- images and the dependency order ----------------------------------------------------------


def _references(node: Any) -> Iterable[str]:
    """Logical ids that ``node`` refers to with Ref, Fn::GetAtt or Fn::Sub."""
    if isinstance(node, list):
        for item in node:
            yield from _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value[0] if isinstance(value, list) else value.split(".")[0]
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                yield from (part.split("}")[0].split(".")[0] for part in text.split("${")[1:])
                yield from _references(value[1:] if isinstance(value, list) else [])
            else:
                yield from _references(value)


def dependency_graph(template: Mapping[str, Any]) -> dict[str, set[str]]:
    """Each resource's logical id -> the resources CloudFormation must create before it."""
    resources = template["Resources"]
    graph: dict[str, set[str]] = {}
    for name, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        depends_on = [depends_on] if isinstance(depends_on, str) else depends_on
        referenced = set(_references(resource.get("Properties", {}))) | set(depends_on)
        graph[name] = {r for r in referenced if r in resources}
    return graph


def _reaches(graph: Mapping[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return False


def test_the_cycle_check_finds_a_cycle() -> None:
    template = {
        "Resources": {
            "Repo": {"Properties": {"Policy": {"Fn::GetAtt": ["App", "Arn"]}}},
            "App": {"Properties": {"Image": {"Fn::Sub": "${Repo}:1"}}},
        }
    }
    with pytest.raises(CycleError):
        tuple(TopologicalSorter(dependency_graph(template)).static_order())


def test_one_stack_holds_repository_and_applications_without_a_cycle(
    synthesis: Synthesis,
) -> None:
    template = synthesis.templates["Combined"]
    graph = dependency_graph(template)
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    repository, _ = _repository(synthesis, "Combined")
    applications = list(_resources(synthesis, "Combined", "AWS::EMRServerless::Application"))
    assert len(applications) == 2
    for application in applications:
        assert repository in graph[application]  # the image URI references the repository
        assert not _reaches(graph, repository, application)
        assert order.index(repository) < order.index(application)
    assert "DependsOn" not in template["Resources"][repository]


def test_the_image_uri_names_the_repository_with_a_tag_or_digest(synthesis: Synthesis) -> None:
    repository, _ = _repository(synthesis, "Combined")
    applications = _resources(synthesis, "Combined", "AWS::EMRServerless::Application")
    etl = next(a for name, a in applications.items() if name.startswith("Etl"))
    assert etl["Properties"]["ImageConfiguration"]["ImageUri"] == {
        "Fn::Join": [
            "",
            [
                f"{ACCOUNT}.dkr.ecr.{REGION}.",
                {"Ref": "AWS::URLSuffix"},
                "/",
                {"Ref": repository},
                ":etl-1",
            ],
        ]
    }
    assert "DependsOn" not in etl  # the reference orders creation (no redundant DependsOn)
    per_worker = next(a for name, a in applications.items() if name.startswith("PerWorker"))
    specifications = per_worker["Properties"]["WorkerTypeSpecifications"]
    assert set(specifications) == {"Driver", "Executor"}
    driver = specifications["Driver"]["ImageConfiguration"]["ImageUri"]["Fn::Join"][1]
    executor = specifications["Executor"]["ImageConfiguration"]["ImageUri"]["Fn::Join"][1]
    assert (driver[-1], executor[-1]) == (":driver-1", f"@{DIGEST}")


def test_an_application_in_another_stack_waits_for_the_repository_stack(
    synthesis: Synthesis,
) -> None:
    manifest = json.loads((synthesis.outdir / "manifest.json").read_text())
    assert "Registry" in manifest["artifacts"]["Analytics"]["dependencies"]
    ((_, application),) = _resources(
        synthesis, "Analytics", "AWS::EMRServerless::Application"
    ).items()
    uri = application["Properties"]["ImageConfiguration"]["ImageUri"]["Fn::Join"][1]
    (name,) = [part for part in uri if isinstance(part, dict) and "Ref" not in part]
    assert set(name) == {"Fn::GetStackOutput"}  # the repository name, read from Registry


def test_a_docker_image_asset_from_the_starter_dockerfile_is_staged_not_built(
    synthesis: Synthesis,
) -> None:
    asset: ecr_assets.DockerImageAsset = BUILT["asset"]
    staged = synthesis.outdir / f"asset.{asset.asset_hash}"
    assert sorted(p.name for p in staged.iterdir()) == [
        ".dockerignore",
        "Dockerfile",
        "requirements.txt",
    ]
    (warning,) = synthesis.warnings("emr-serverless:image")
    assert warning.path == "Agnostic/FromAsset"
    assert "bootstrap assets repository" in warning.description


# --- grants -----------------------------------------------------------------------------------


def test_deployers_may_read_images_of_this_repository_only(synthesis: Synthesis) -> None:
    assert BUILT["grant"].success
    repository, _ = _repository(synthesis, "Combined")
    ((_, policy),) = _resources(synthesis, "Combined", "AWS::IAM::ManagedPolicy").items()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": sorted(APPLICATION_IMAGE_ACTIONS),
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [repository, "Arn"]},
        }
    ]
    environment = Environment(region=REGION, account=ACCOUNT)
    assert resource_type_problems(synthesis.templates["Combined"], environment) == []


def test_a_plain_role_is_granted_in_a_managed_policy_not_an_inline_one(
    synthesis: Synthesis,
) -> None:
    assert BUILT["plain grant"].success
    assert _resources(synthesis, "Registry", "AWS::IAM::Policy") == {}
    repository, _ = _repository(synthesis, "Registry")
    ((_, policy),) = _resources(synthesis, "Registry", "AWS::IAM::ManagedPolicy").items()
    (role,) = _resources(synthesis, "Registry", "AWS::IAM::Role")
    assert policy["Properties"]["Roles"] == [{"Ref": role}]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": sorted(APPLICATION_IMAGE_ACTIONS),
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [repository, "Arn"]},
        }
    ]


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()
    assert synthesis.acknowledgements() == []


# --- validation -------------------------------------------------------------------------------


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(new_app(compliance=False), "Checks", env=ENV)


def _refused(match: str, build: Any) -> EmrServerlessValidationError:
    with pytest.raises(EmrServerlessValidationError, match=match) as error:
        build()
    return error.value


def test_repository_name_follows_ecrs_pattern(stack: cdk.Stack) -> None:
    error = _refused(
        "ECR repository name",
        lambda: CustomImageRepository(stack, "Bad", repository_name="Analytics/Spark"),
    )
    assert (error.argument, error.value) == ("repository_name", "Analytics/Spark")
    CustomImageRepository(stack, "Good", repository_name="analytics/spark")


def test_a_repository_name_from_a_token_is_not_checked(stack: cdk.Stack) -> None:
    name = cdk.CfnParameter(stack, "Name").value_as_string
    repository = CustomImageRepository(stack, "Images", repository_name=name)
    assert _warnings(repository) == ["emr-serverless:unchecked:repository_name"]


def _warnings(construct: Any) -> list[str]:
    return [
        str(entry.data).split("[ack: ")[-1].rstrip("]")
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:warning"
    ]


@pytest.mark.parametrize(
    ("arn", "match"),
    [
        (APPLICATION.replace(REGION, "us-east-1"), r"own Region \(eu-west-1"),
        (APPLICATION.replace(ACCOUNT, "210987654321"), r"own account \(123456789012"),
        (APPLICATION.replace("/applications/", "/application/"), "an application ARN is"),
    ],
)
def test_known_applications_must_be_in_the_repositorys_account_and_region(
    stack: cdk.Stack, arn: str, match: str
) -> None:
    error = _refused(match, lambda: CustomImageRepository(stack, "Bad", application_arns=[arn]))
    assert (error.argument, error.value) == ("application_arns", arn)
    CustomImageRepository(stack, "Good", application_arns=[APPLICATION])


@pytest.mark.parametrize(
    ("arns", "match"),
    [([], "an empty list would let no application pull"), (APPLICATION, "takes a list")],
)
def test_application_arns_is_a_non_empty_list(stack: cdk.Stack, arns: Any, match: str) -> None:
    _refused(match, lambda: CustomImageRepository(stack, "Bad", application_arns=arns))
    CustomImageRepository(stack, "Good", application_arns=[APPLICATION])


def test_the_arn_of_an_application_created_in_this_app_is_refused(stack: cdk.Stack) -> None:
    application = EmrServerlessApplication(stack, "App")
    error = _refused(
        "checks image access when it creates an application",
        lambda: CustomImageRepository(stack, "Bad", application_arns=[application.application_arn]),
    )
    assert error.value == "the ARN of Checks/App/Resource"
    parameter = cdk.CfnParameter(stack, "ApplicationArn").value_as_string
    passed = CustomImageRepository(stack, "Good", application_arns=[parameter])
    assert _warnings(passed) == ["emr-serverless:unchecked:application_arns"]


def test_kms_key_must_be_in_the_repositorys_region(stack: cdk.Stack) -> None:
    elsewhere = kms.Key.from_key_arn(stack, "Elsewhere", KEY_ARN.replace(REGION, "us-east-1"))
    error = _refused(
        r"KMS key must be in the repository's Region \(eu-west-1\)",
        lambda: CustomImageRepository(stack, "Bad", encryption_key=elsewhere),
    )
    assert (error.argument, error.value) == ("encryption_key", "us-east-1")
    here = kms.Key.from_key_arn(stack, "Here", KEY_ARN)
    CustomImageRepository(stack, "Good", encryption_key=here)


@pytest.mark.parametrize("argument", ["untagged_image_expiry_days", "max_tagged_images"])
def test_lifecycle_counts_are_whole_and_positive(stack: cdk.Stack, argument: str) -> None:
    def build(construct_id: str, count: Any) -> CustomImageRepository:
        return CustomImageRepository(stack, construct_id, **{argument: count})

    error = _refused("at least 1", lambda: build("Zero", 0))
    assert error.argument == argument
    token = cdk.CfnParameter(stack, "Count", type="Number").value_as_number
    _refused("known at synth", lambda: build("Token", token))
    build("One", 1)


def test_removal_policy_and_empty_on_delete(stack: cdk.Stack) -> None:
    _refused(
        "no snapshots",
        lambda: CustomImageRepository(stack, "Snapshot", removal_policy=cdk.RemovalPolicy.SNAPSHOT),
    )
    _refused(
        "removal_policy=DESTROY", lambda: CustomImageRepository(stack, "Kept", empty_on_delete=True)
    )
    CustomImageRepository(
        stack, "Emptied", removal_policy=cdk.RemovalPolicy.DESTROY, empty_on_delete=True
    )


def test_an_image_is_named_by_a_tag_or_a_digest(stack: cdk.Stack) -> None:
    images = CustomImageRepository(stack, "Images")
    _refused("named by a tag or by a digest, not both", images.image)
    _refused("not both", lambda: images.image(tag="1", digest=DIGEST))
    _refused("image tag is", lambda: images.image(tag="-1"))
    _refused("image digest is", lambda: images.image(digest="sha256:abc"))
    assert stack.resolve(images.image(tag="1").image_uri)["Fn::Join"][1][-1] == ":1"
    assert stack.resolve(images.image(digest=DIGEST).image_uri)["Fn::Join"][1][-1] == f"@{DIGEST}"
    assert images.image(tag="1").region == REGION
    tag = cdk.CfnParameter(stack, "Tag").value_as_string
    images.image(tag=tag)
    assert _warnings(images) == ["emr-serverless:unchecked:tag"]


def test_custom_images_from_the_repository_need_6_9_0(stack: cdk.Stack) -> None:
    images = CustomImageRepository(stack, "Images")
    error = _refused(
        r"custom images needs emr-6\.9\.0",
        lambda: EmrServerlessApplication(
            stack, "Old", release="emr-6.8.0", image=images.image(tag="1")
        ),
    )
    assert error.argument == "image"
    EmrServerlessApplication(stack, "New", release="emr-6.9.0", image=images.image(tag="1"))


def test_the_application_must_be_in_the_repositorys_region() -> None:
    app = new_app(compliance=False)
    images = CustomImageRepository(cdk.Stack(app, "Registry", env=ENV), "Images")
    virginia = cdk.Stack(app, "Virginia", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    error = _refused(
        r"application's Region \(us-east-1\)",
        lambda: EmrServerlessApplication(virginia, "Etl", image=images.image(tag="1")),
    )
    assert (error.argument, error.value) == ("image", REGION)
    ireland = cdk.Stack(app, "Ireland", env=ENV)
    EmrServerlessApplication(ireland, "Etl", image=images.image(tag="1"))
