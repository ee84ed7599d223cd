"""A platform in two accounts and two Regions (tests/fixtures/two_accounts.yaml): one stage
per environment bound to its account and Region, an existing VPC, cost tags everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

import app as reference
from constructs_lib.platform_config import (
    NETWORK_TAGS_FROM_CONSTRUCTS,
    TEAM_TAGS_FROM_CONSTRUCTS,
    UNKNOWN_REGION_WARNING,
    EnvironmentConfig,
    load_platform_config,
    parse_platform_config,
)
from constructs_lib.subnet_planning import required_addresses
from stacks import ImagesStack
from tests.harness import Synthesis, new_app, synthesize
from tests.tag_checks import taggable_resources, tags_of, untagged

FIXTURE = Path(__file__).parent / "fixtures" / "two_accounts.yaml"
CONFIG = load_platform_config(FIXTURE)
DEV, PROD = CONFIG.environments


@pytest.fixture(scope="module")
def platform() -> Synthesis:
    """The fixture's platform, synthesized once with every check on."""
    cdk_app = new_app(compliance=False)
    reference.build_app(cdk_app, config=CONFIG)
    return synthesize(cdk_app)


def manifests(outdir: Path) -> dict[str, dict[str, Any]]:
    """Each stage's cloud-assembly manifest, by stage id."""
    root = json.loads((outdir / "manifest.json").read_text())
    return {
        artifact["properties"]["displayName"]: json.loads(
            (outdir / artifact["properties"]["directoryName"] / "manifest.json").read_text()
        )
        for artifact in root["artifacts"].values()
        if artifact["type"] == "cdk:cloud-assembly"
    }


def stacks_of(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        artifact["displayName"]: artifact
        for artifact in manifest["artifacts"].values()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def resources(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


# --------------------------------------------------------------------------- the gates


def test_nag_packs_report_nothing_unacknowledged(platform: Synthesis) -> None:
    platform.assert_nag_clean()


def test_no_construct_warnings(platform: Synthesis) -> None:
    platform.assert_no_warnings()


def test_cfn_lint_clean(platform: Synthesis) -> None:
    platform.assert_cfn_lint_clean()


def test_iam_actions_exist(platform: Synthesis) -> None:
    platform.assert_iam_actions_exist()


def test_acknowledgements_are_per_resource_and_finding(platform: Synthesis) -> None:
    platform.assert_acknowledgements_specific()


# --------------------------------------------------------------------------- stages


def test_one_stage_per_environment_with_its_stacks(platform: Synthesis) -> None:
    assert CONFIG.uses_stages
    assert sorted(manifests(platform.outdir)) == ["Dev", "Prod"]
    expected = [path for env in CONFIG.environments for path in CONFIG.stack_paths(env)]
    assert sorted(platform.artifact_ids) == sorted(expected)
    assert sorted(platform.templates) == sorted(platform.artifact_ids.values())


@pytest.mark.parametrize("environment", CONFIG.environments, ids=lambda e: e.name)
def test_each_stack_is_bound_to_its_environments_account_and_region(
    platform: Synthesis, environment: EnvironmentConfig
) -> None:
    stacks = stacks_of(manifests(platform.outdir)[environment.stage_id])
    assert environment.target is not None
    account, region = environment.target
    assert stacks
    for path, artifact in stacks.items():
        assert artifact["environment"] == f"aws://{account}/{region}", path
        # The stack keeps its name: no stage prefix.
        assert artifact["properties"]["stackName"] == path.split("/", 1)[1]


def test_the_synth_looks_nothing_up_in_the_accounts(platform: Synthesis) -> None:
    for stage, manifest in manifests(platform.outdir).items():
        assert "missing" not in manifest, stage


def test_each_account_has_its_own_images_stack(platform: Synthesis) -> None:
    for environment in CONFIG.environments:
        assert environment.target is not None
        account, region = environment.target
        template = platform.template_at(f"{environment.stage_id}/EmrAnalytics-Images")
        repositories = resources(template, "AWS::ECR::Repository")
        assert len(repositories) == len(environment.teams)
        for repository in repositories:
            (statement,) = repository["Properties"]["RepositoryPolicyText"]["Statement"]
            condition = json.dumps(statement["Condition"])
            assert account in condition
            assert f":emr-serverless:{region}:{account}:" in condition


def test_a_team_pulls_its_image_from_its_own_account_and_region(platform: Synthesis) -> None:
    (analytics,) = [t for t in PROD.teams if t.application.image_tag]
    template = platform.template_at(f"Prod/{PROD.team_stack_name(analytics.name)}")
    (application,) = resources(template, "AWS::EMRServerless::Application")
    uri = application["Properties"]["ImageConfiguration"]["ImageUri"]["Fn::Join"][1]
    assert uri[0] == "222222222222.dkr.ecr.us-west-2."
    assert uri[-1] == f"/emr-analytics/analytics:{analytics.application.image_tag}"


def test_team_stacks_deploy_after_the_images_stack_of_their_stage(platform: Synthesis) -> None:
    artifacts = manifests(platform.outdir)["Dev"]["artifacts"]
    ids = {a.get("displayName"): artifact_id for artifact_id, a in artifacts.items()}
    images = ids["Dev/EmrAnalytics-Images"]
    for team in DEV.teams:
        stack = artifacts[ids[f"Dev/{DEV.team_stack_name(team.name)}"]]
        assert images in stack["dependencies"]


def test_a_reference_to_another_stage_is_refused_by_aws_cdk_lib() -> None:
    # Why team stacks name their repository: dev and test in one account share dev's
    # images stack, and a reference from test's stage to it cannot be deployed in order.
    cdk_app = new_app(compliance=False)
    environment = cdk.Environment(account="111111111111", region="us-east-1")
    images = ImagesStack(cdk.Stage(cdk_app, "Dev", env=environment), "Images", platform=CONFIG)
    consumer = cdk.Stack(cdk.Stage(cdk_app, "Test", env=environment), "Consumer")
    cdk.CfnWaitConditionHandle(consumer, "Anything")
    repository = images.repositories["analytics"].node.default_child
    assert isinstance(repository, cdk.CfnResource)
    cdk.CfnOutput(consumer, "Arn", value=cdk.Token.as_string(repository.get_att("Arn")))
    with pytest.raises(RuntimeError, match="dependency cannot cross stage boundaries"):
        cdk_app.synth()


def _stack_outputs_read(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = [value["Fn::GetStackOutput"]] if "Fn::GetStackOutput" in value else []
        return found + [x for v in value.values() for x in _stack_outputs_read(v)]
    if isinstance(value, list):
        return [x for v in value for x in _stack_outputs_read(v)]
    return []


def test_no_stack_reads_outputs_of_another_account_or_stage(platform: Synthesis) -> None:
    # aws-cdk-lib would read another account's output with a role it adds to the producer
    # (Fn::GetStackOutput with RoleArn); the platform keeps each environment to itself.
    for path in platform.artifact_ids:
        template = platform.template_at(path)
        stage = path.split("/", 1)[0]
        names = {p.split("/", 1)[1] for p in platform.artifact_ids if p.startswith(f"{stage}/")}
        for read in _stack_outputs_read(template):
            assert "RoleArn" not in read, path
            assert read["StackName"] in names, path
        assert not [r for r in template["Resources"] if "GetStackOutputRole" in r], path


# --------------------------------------------------------------------------- networks


def test_planned_subnets_are_placed_by_zone_id(platform: Synthesis) -> None:
    template = platform.template_at(f"Dev/{DEV.network_stack_name}")
    subnets = resources(template, "AWS::EC2::Subnet")
    assert subnets
    assert {s["Properties"]["AvailabilityZoneId"] for s in subnets} == set(
        DEV.network.availability_zone_ids
    )
    assert not [s for s in subnets if "AvailabilityZone" in s["Properties"]]


def test_an_existing_vpc_gets_only_the_security_group(platform: Synthesis) -> None:
    assert PROD.network.existing is not None
    template = platform.template_at(f"Prod/{PROD.network_stack_name}")
    assert {r["Type"] for r in template["Resources"].values()} == {"AWS::EC2::SecurityGroup"}
    (group,) = resources(template, "AWS::EC2::SecurityGroup")
    assert group["Properties"]["VpcId"] == PROD.network.existing.vpc_id
    assert "SecurityGroupIngress" not in group["Properties"]


def test_an_existing_subnet_too_small_for_every_teams_peak_together_is_warned() -> None:
    document = yaml.safe_load(FIXTURE.read_text())
    subnets = document["environments"]["prod"]["platform"]["network"]["subnets"]
    subnets[0]["cidr"] = "10.50.0.0/25"  # 123 usable addresses
    analytics = document["environments"]["prod"]["teams"]["analytics"]["application"]
    analytics["maximum_capacity"]["vcpu"] = 220  # 110 workers of 2 vCPU
    config = parse_platform_config(yaml.safe_dump(document), source="platform.yaml")
    (prod,) = [e for e in config.environments if e.name == "prod"]
    peak = required_addresses(prod.workloads())
    # Each team alone fits; together they do not.
    assert peak > 123 >= max(required_addresses([t.workload]) for t in prod.teams)
    # EMR Serverless accepts the subnet (the guide only asks for enough addresses): the
    # network warns, as each application does (it was a refusal; the service refuses none).
    cdk_app = new_app(compliance=False)
    reference.build_app(cdk_app, config=config)
    warned = [
        (construct.node.path, str(entry.data))
        for construct in cdk_app.node.find_all()
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:warning" and f"cannot hold {peak} workers" in str(entry.data)
    ]
    ((path, message),) = [(p, m) for p, m in warned if p.endswith("/Network")]
    assert path == f"Prod/{prod.network_stack_name}/Network"
    assert message.startswith("vpc_subnets")
    assert "[ack: emr-serverless:subnet-capacity]" in message
    # The valid neighbour, the fixture itself, warns nothing (test_no_construct_warnings).


def test_applications_run_in_the_existing_subnets(platform: Synthesis) -> None:
    assert PROD.network.existing is not None
    for team in PROD.teams:
        template = platform.template_at(f"Prod/{PROD.team_stack_name(team.name)}")
        (application,) = resources(template, "AWS::EMRServerless::Application")
        subnet_ids = application["Properties"]["NetworkConfiguration"]["SubnetIds"]
        assert subnet_ids == [s.subnet_id for s in PROD.network.existing.subnets]


# --------------------------------------------------------------------------- tags


def test_every_taggable_resource_is_tagged(platform: Synthesis) -> None:
    assert list(taggable_resources(platform.templates))
    assert untagged(platform.templates, ["platform", "environment"]) == []


def _expected_tags(stack_path: str) -> dict[str, str] | None:
    stage, name = stack_path.split("/", 1)
    environment = next(e for e in CONFIG.environments if e.stage_id == stage)
    for team in environment.teams:
        if name == environment.team_stack_name(team.name):
            return environment.team_tags(team.name)
    if name in (environment.network_stack_name, environment.stack_name):
        return environment.resource_tags()
    return None  # the images stack: see below


@pytest.mark.parametrize("environment", CONFIG.environments, ids=lambda e: e.name)
def test_each_resource_carries_its_stacks_tags(
    platform: Synthesis, environment: EnvironmentConfig
) -> None:
    for path in CONFIG.stack_paths(environment):
        expected = _expected_tags(path)
        if expected is None:
            continue
        for _, logical_id, resource in taggable_resources({path: platform.template_at(path)}):
            tags = tags_of(resource)
            assert tags.items() >= expected.items(), f"{path}/{logical_id}"


def test_the_tag_budget_counts_exactly_what_constructs_add_themselves(
    platform: Synthesis,
) -> None:
    extra: dict[str, int] = {"network": 0, "team": 0}
    for environment in CONFIG.environments:
        for path in CONFIG.stack_paths(environment):
            expected = _expected_tags(path)
            if expected is None:
                continue
            kind = "network" if path.endswith("-Network") else "team"
            for _, _, resource in taggable_resources({path: platform.template_at(path)}):
                extra[kind] = max(extra[kind], len(tags_of(resource)) - len(expected))
    assert extra["network"] == NETWORK_TAGS_FROM_CONSTRUCTS
    assert extra["team"] == TEAM_TAGS_FROM_CONSTRUCTS


def test_image_repositories_carry_the_platform_and_team_tags(platform: Synthesis) -> None:
    base = dict(CONFIG.tags)
    for environment in CONFIG.environments:
        template = platform.template_at(f"{environment.stage_id}/EmrAnalytics-Images")
        teams = {tags_of(r)["team"] for r in resources(template, "AWS::ECR::Repository")}
        assert teams == {t.name for t in environment.teams}
        for repository in resources(template, "AWS::ECR::Repository"):
            tags = tags_of(repository)
            assert tags.items() >= base.items()
            assert (tags["platform"], tags["environment"]) == ("emr-analytics", environment.name)
            team_tags = dict(dict(CONFIG.team_tags)[tags["team"]])
            assert tags.items() >= team_tags.items()


def test_an_application_carries_the_teams_tags_in_its_tags_property(platform: Synthesis) -> None:
    template = platform.template_at(f"Prod/{PROD.team_stack_name('analytics')}")
    (application,) = resources(template, "AWS::EMRServerless::Application")
    assert tags_of(application) == PROD.team_tags("analytics")
    assert tags_of(application)["cost-centre"] == "4712"  # prod's override for the team


def test_the_files_warnings_reach_the_synth() -> None:
    # A Region newer than the library's table is accepted with a warning, which the app
    # records (cdk synth prints it) instead of dropping.
    text = FIXTURE.read_text().replace("region: us-west-2", "region: us-west-9", 1)
    config = parse_platform_config(text, source=str(FIXTURE))
    assert [w.id for w in config.warnings] == [UNKNOWN_REGION_WARNING]
    cdk_app = new_app(compliance=False)
    reference.build_app(cdk_app, config=config)
    recorded = [m.data for m in cdk_app.node.metadata if m.type == "aws:cdk:warning"]
    assert len(recorded) == 1
    assert "us-west-9" in str(recorded[0])
    assert UNKNOWN_REGION_WARNING in str(recorded[0])
