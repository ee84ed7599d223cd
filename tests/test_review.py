"""make review: the Markdown review of a cloud assembly synthesized here, section by section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_aps as aps
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.grants import grant_job_submission
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.secure_bucket import SecureBucket
from scripts import review
from tests.harness import Synthesis, cfn_lint, new_app, policy_statements, synthesize


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    net = cdk.Stack(app, "Net", description="network for the review test")
    vpc = ec2.Vpc(net, "Vpc", max_azs=2, nat_gateways=1)
    vpc.add_interface_endpoint("Logs", service=ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS)
    vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    workers = ec2.SecurityGroup(net, "Workers", vpc=vpc, allow_all_outbound=False)
    workers.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(22), "ssh from anywhere")
    clients = ec2.SecurityGroup(net, "Clients", vpc=vpc)
    workers.add_ingress_rule(clients, ec2.Port.tcp_range(8000, 8100), "from clients")
    workers.add_egress_rule(ec2.Peer.ipv4("10.0.0.0/16"), ec2.Port.tcp(443), "to the VPC")
    cdk.CfnParameter(net, "Unused")

    platform = cdk.Stack(app, "Platform")
    data = SecureBucket(platform, "Data")
    runtime = ManagedPolicyRole(
        platform, "Runtime", assumed_by=iam.ServicePrincipal("emr-serverless.amazonaws.com")
    )
    data.grant_read(runtime, "input/*")
    application = emr.CfnApplication(
        platform,
        "App",
        release_label="emr-7.6.0",
        type="SPARK",
        initial_capacity=[
            _capacity("DRIVER", 1, "2vCPU", "4GB"),
            _capacity("EXECUTOR", 4, "4vCPU", "16GB", disk="50GB"),
        ],
        maximum_capacity=emr.CfnApplication.MaximumAllowedResourcesProperty(
            cpu="64vCPU", memory="256GB"
        ),
        auto_stop_configuration=emr.CfnApplication.AutoStopConfigurationProperty(
            enabled=True, idle_timeout_minutes=30
        ),
    )
    submitter = ManagedPolicyRole(platform, "Submitter", assumed_by=iam.AccountRootPrincipal())
    grant_job_submission(submitter, application_arn=application.attr_arn, runtime_roles=[runtime])
    aps.CfnWorkspace(platform, "Metrics", alias="team-metrics")

    stage = cdk.Stage(app, "Later")
    sns.Topic(cdk.Stack(stage, "Alerts"), "Topic")
    return synthesize(app, require_clean=False)


def _capacity(
    key: str, count: int, cpu: str, memory: str, *, disk: str | None = None
) -> emr.CfnApplication.InitialCapacityConfigKeyValuePairProperty:
    return emr.CfnApplication.InitialCapacityConfigKeyValuePairProperty(
        key=key,
        value=emr.CfnApplication.InitialCapacityConfigProperty(
            worker_count=count,
            worker_configuration=emr.CfnApplication.WorkerConfigurationProperty(
                cpu=cpu, memory=memory, disk=disk
            ),
        ),
    )


@pytest.fixture(scope="module")
def templates(synthesis: Synthesis) -> dict[str, dict[str, Any]]:
    """Every stack's template, the stage's (in ``assembly-Later``) included."""
    (nested,) = (synthesis.outdir / "assembly-Later").glob("*.template.json")
    return {
        **synthesis.templates,
        nested.name.removesuffix(".template.json"): json.loads(nested.read_text()),
    }


@pytest.fixture(scope="module")
def text(synthesis: Synthesis) -> str:
    output = synthesis.outdir / "review.md"
    assert review.main(["--cdk-out", str(synthesis.outdir), "--output", str(output)]) == 0
    return output.read_text()


def logical_id(synthesis: Synthesis, stack: str, prefix: str, kind: str) -> str:
    resources = synthesis.templates[stack]["Resources"]
    (found,) = [k for k, v in resources.items() if k.startswith(prefix) and v["Type"] == kind]
    return found


def section(text: str, stack: str, heading: str) -> list[str]:
    """The lines under ``### heading`` in ``## Stack `stack```."""
    stack_part = text.split(f"## Stack `{stack}`\n", 1)[1].split("\n## ", 1)[0]
    return stack_part.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0].strip().splitlines()


def rows(lines: list[str]) -> list[list[str]]:
    """The body rows of the Markdown table in ``lines``, as cells."""
    table = [line for line in lines if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table]


# ---------------------------------------------------------------- summary and resources


def test_summary_lists_every_stack_with_its_counts(
    synthesis: Synthesis, templates: dict[str, dict[str, Any]], text: str
) -> None:
    summary = rows(text.split("\n## ", 1)[0].splitlines())
    names = sorted(templates)
    assert [row[0].split("]")[0].strip("[`") for row in summary] == names
    for row, name in zip(summary, names, strict=True):
        assert row[1] == str(len(templates[name]["Resources"]))
    assert text.startswith(
        f"# Infrastructure review\n\nCloud assembly `{synthesis.outdir}`: 3 stacks"
    )


def test_resources_by_type_with_counts_and_logical_ids(
    templates: dict[str, dict[str, Any]], text: str
) -> None:
    for stack, template in templates.items():
        by_type: dict[str, list[str]] = {}
        for logical, resource in template["Resources"].items():
            by_type.setdefault(resource["Type"], []).append(logical)
        table = {row[0].strip("`"): row for row in rows(section(text, stack, "Resources by type"))}
        assert sorted(table) == sorted(by_type)
        for kind, ids in by_type.items():
            assert table[kind][1] == str(len(ids))
            assert table[kind][2] == "<br>".join(f"`{i}`" for i in sorted(ids))


def test_stage_stacks_are_found_in_nested_assemblies(
    templates: dict[str, dict[str, Any]], text: str
) -> None:
    (nested,) = [name for name in templates if name.startswith("Later")]
    assert f"## Stack `{nested}`" in text
    findings = rows(
        section(text, nested, "Synth findings (cdk-nag, CloudFormation rules, warnings)")
    )
    assert any("(Later/Alerts/Topic/Resource)" in row[2] for row in findings)


# ---------------------------------------------------------------- IAM


def iam_rows(text: str, stack: str) -> list[list[str]]:
    return rows(section(text, stack, "IAM statements"))


def test_every_policy_statement_is_listed(templates: dict[str, dict[str, Any]], text: str) -> None:
    for stack, template in templates.items():
        expected = list(policy_statements(template))  # the harness's own walk
        listed = iam_rows(text, stack) if expected else []
        assert len(listed) == len(expected), stack


def test_trust_policy(synthesis: Synthesis, text: str) -> None:
    role = logical_id(synthesis, "Platform", "Runtime", "AWS::IAM::Role")
    (row,) = [r for r in iam_rows(text, "Platform") if r[0] == f"`{role}` (trust policy)"]
    assert row[1:] == [
        f"`{role}`",
        "Allow",
        "`Service: emr-serverless.amazonaws.com`",
        "`sts:AssumeRole`",
        "-",
        "-",
    ]


def test_identity_policy_with_rendered_intrinsics(synthesis: Synthesis, text: str) -> None:
    role = logical_id(synthesis, "Platform", "Runtime", "AWS::IAM::Role")
    bucket = logical_id(synthesis, "Platform", "Data", "AWS::S3::Bucket")
    submitter = logical_id(synthesis, "Platform", "Submitter", "AWS::IAM::Role")
    platform = iam_rows(text, "Platform")
    read = [r for r in platform if f"`${{{bucket}.Arn}}/input/*`" in r[5]]
    (row,) = read
    assert row[0].endswith("(managed policy)")
    assert row[1] == f"`Roles: ${{{role}}}`"
    assert "`s3:GetObject*`" in row[4].split("<br>")
    assert row[2] == "⚠️ Allow"  # s3:GetObject* is a wildcard action
    (pass_role,) = [r for r in platform if r[4] == "`iam:PassRole`"]
    assert pass_role[1] == f"`Roles: ${{{submitter}}}`"
    assert pass_role[5] == f"`${{{role}.Arn}}`"
    assert pass_role[6] == "`StringEquals iam:PassedToService = emr-serverless.amazonaws.com`"
    (runs,) = [r for r in platform if "`emr-serverless:GetJobRun`" in r[4].split("<br>")]
    assert runs[5] == "`${App.Arn}/jobruns/*`"


def test_resource_policies(synthesis: Synthesis, text: str) -> None:
    bucket = logical_id(synthesis, "Platform", "Data", "AWS::S3::Bucket")
    tls = [
        r
        for r in iam_rows(text, "Platform")
        if r[1] == f"`Bucket: ${{{bucket}}}`" and r[6] == "`Bool aws:SecureTransport = false`"
    ]
    assert [r[2:6] for r in tls] == [
        ["Deny", "`AWS: *`", "`s3:*`", f"`${{{bucket}.Arn}}`<br>`${{{bucket}.Arn}}/*`"]
    ]
    keys = [r for r in iam_rows(text, "Platform") if r[0].endswith("(key policy)")]
    assert keys
    assert all(r[3] == "`AWS: arn:${AWS::Partition}:iam::${AWS::AccountId}:root`" for r in keys)


# ---------------------------------------------------------------- security groups


def test_security_group_rules(synthesis: Synthesis, text: str) -> None:
    workers = logical_id(synthesis, "Net", "Workers", "AWS::EC2::SecurityGroup")
    clients = logical_id(synthesis, "Net", "Clients", "AWS::EC2::SecurityGroup")
    table = rows(section(text, "Net", "Security-group rules"))
    assert [f"`{workers}`", "ingress", "tcp", "22", "⚠️ `0.0.0.0/0`", "ssh from anywhere"] in table
    assert [f"`{workers}`", "egress", "tcp", "443", "`10.0.0.0/16`", "to the VPC"] in table
    assert [
        f"`${{{workers}.GroupId}}`",
        "ingress",
        "tcp",
        "8000-8100",
        f"`${{{clients}.GroupId}}`",
        "from clients",
    ] in table
    assert [
        f"`{clients}`",
        "egress",
        "all",
        "all",
        "`0.0.0.0/0`",
        "Allow all outbound traffic by default",
    ] in table
    endpoint_rules = [r for r in table if r[0].startswith("`VpcLogs")]
    assert [r[1:5] for r in endpoint_rules if r[1] == "ingress"] == [
        [
            "ingress",
            "tcp",
            "443",
            f"`${{{logical_id(synthesis, 'Net', 'Vpc', 'AWS::EC2::VPC')}.CidrBlock}}`",
        ]
    ]
    open_rows = [r for r in table if r[4].startswith("⚠️")]
    assert len(open_rows) == 1
    (summary,) = [r for r in rows(text.split("\n## ", 1)[0].splitlines()) if "`Net`" in r[0]]
    assert summary[3] == f"{len(table)} (1 ⚠️)"


# ---------------------------------------------------------------- findings and acknowledgements


FINDINGS = "Synth findings (cdk-nag, CloudFormation rules, warnings)"


def test_findings_are_placed_in_their_stack(synthesis: Synthesis, text: str) -> None:
    workers = logical_id(synthesis, "Net", "Workers", "AWS::EC2::SecurityGroup")
    table = rows(section(text, "Net", FINDINGS))
    assert ["error", "`AwsSolutions-EC23`", f"`{workers}` (Net/Workers/Resource)"] in [
        row[:3] for row in table
    ]
    in_net = [f for f in synthesis.findings if f.path == "Net" or f.path.startswith("Net/")]
    assert len(table) == len(in_net)
    assert all(" - (Control IDs" not in row[3] for row in table)
    assert [r[0] for r in table] == sorted((r[0] for r in table), key=lambda s: s != "error")


def test_acknowledgements_with_reasons(synthesis: Synthesis, text: str) -> None:
    submitter = logical_id(synthesis, "Platform", "Submitter", "AWS::IAM::Role")
    table = rows(section(text, "Platform", "Acknowledged findings"))
    (iam5,) = [r for r in table if r[0] == "`AwsSolutions-IAM5[Resource::<App.Arn>/jobruns/*]`"]
    assert iam5[1].startswith("Job run ids are generated when a run starts")
    assert f"`{submitter}`" in iam5[2].split("<br>")
    data = logical_id(synthesis, "Platform", "Data", "AWS::S3::Bucket")
    replication = [r for r in table if r[0] == "`NIST.800.53.R5-S3BucketReplicationEnabled`"]
    assert any(f"`{data}`" in r[2].split("<br>") for r in replication)


def test_stack_wide_acknowledgements_are_flagged(synthesis: Synthesis, text: str) -> None:
    stack_wide = [
        r for r in rows(section(text, "Net", "Acknowledged findings")) if "stack-wide" in r[2]
    ]
    net_acks = [(p, rule) for p, rule, _ in synthesis.acknowledgements() if p == "Net"]
    assert len(stack_wide) == len(net_acks) > 0
    resources = len(synthesis.templates["Net"]["Resources"])
    assert all(r[2] == f"⚠️ stack-wide `Net` (copied to {resources} resources)" for r in stack_wide)


# ---------------------------------------------------------------- cfn-lint and costs


def test_cfn_lint_results(synthesis: Synthesis, text: str) -> None:
    table = rows(section(text, "Net", "cfn-lint"))
    assert ["warning", "`W2001`", "`Parameters/Unused`"] in [r[:3] for r in table]
    for stack, template in synthesis.templates.items():
        expected = cfn_lint(template)  # the harness's own run: errors and warnings
        listed = section(text, stack, "cfn-lint")
        if expected:
            assert len(rows(listed)) == len(expected), stack
        else:
            assert listed[0] == "No errors or warnings.", stack


def test_cost_relevant_resources(synthesis: Synthesis, text: str) -> None:
    net = {(r[0], r[1]): r for r in rows(section(text, "Net", "Cost-relevant resources"))}
    resources = synthesis.templates["Net"]["Resources"]
    nat = [k for k, v in resources.items() if v["Type"] == "AWS::EC2::NatGateway"]
    assert [key[1] for key in net if key[0] == "`AWS::EC2::NatGateway`"] == [f"`{n}`" for n in nat]
    endpoints = [r for key, r in net.items() if key[0] == "`AWS::EC2::VPCEndpoint`"]
    assert [r[2] for r in endpoints] == ["com.amazonaws.${AWS::Region}.logs in 2 subnet(s)"]
    eips = [k for k, v in resources.items() if v["Type"] == "AWS::EC2::EIP"]
    assert len([key for key in net if key[0] == "`AWS::EC2::EIP`"]) == len(eips) > 0

    platform = rows(section(text, "Platform", "Cost-relevant resources"))
    (app,) = [r for r in platform if r[0] == "`AWS::EMRServerless::Application`"]
    assert app[2] == (
        "DRIVER 1 x 2vCPU, 4GB; EXECUTOR 4 x 4vCPU, 16GB, 50GB disk = 18 vCPU, 68 GB warm "
        "(auto-stop after 30 idle minutes)"
    )
    keys = [
        k
        for k, v in synthesis.templates["Platform"]["Resources"].items()
        if v["Type"] == "AWS::KMS::Key"
    ]
    assert sorted(r[1] for r in platform if r[0] == "`AWS::KMS::Key`") == sorted(
        f"`{k}`" for k in keys
    )
    assert [r[1] for r in platform if r[0] == "`AWS::APS::Workspace`"] == ["`Metrics`"]


# ---------------------------------------------------------------- pure pieces


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "AWS::Partition"}, "${AWS::Partition}"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "${Bucket.Arn}"),
        ({"Fn::GetAtt": "Bucket.Arn"}, "${Bucket.Arn}"),
        ({"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/*"]]}, "${B.Arn}/*"),
        ({"Fn::Sub": "arn:${AWS::Partition}:s3:::x"}, "arn:${AWS::Partition}:s3:::x"),
        ({"Fn::Sub": ["${A}-${B}", {"A": {"Ref": "X"}, "B": "b"}]}, "${X}-b"),
        ({"Fn::ImportValue": "Net:ExportsVpc"}, "import(Net:ExportsVpc)"),
        ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "select(0, azs())"),
        ({"Fn::Join": "broken"}, '{"Fn::Join":"broken"}'),
        ({"Custom": 1}, '{"Custom":1}'),
        (["a", {"Ref": "B"}], "a, ${B}"),
        (5, "5"),
        (True, "true"),
    ],
)
def test_render(value: Any, expected: str) -> None:
    assert review.render(value) == expected


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Ref", "Fn::Join", "Fn::Sub", "Fn::GetAtt", "Fn::If", "x"]),
            children,
            max_size=2,
        )
    ),
    max_leaves=10,
)


@given(value=_JSON)
def test_render_never_fails(value: Any) -> None:
    assert isinstance(review.render(value), str)


@given(parts=st.lists(st.text(max_size=5), max_size=4), delimiter=st.text(max_size=2))
def test_join_of_text_is_the_text_joined(parts: list[str], delimiter: str) -> None:
    assert review.render({"Fn::Join": [delimiter, parts]}) == delimiter.join(parts)


def test_statement_negations_and_wildcards() -> None:
    statement = review.IamStatement(
        "P",
        "policy",
        "-",
        {"Effect": "Allow", "NotAction": "iam:*", "NotResource": ["arn:x"], "NotPrincipal": "*"},
    )
    assert statement.actions == ["NOT iam:*"]
    assert statement.resources == ["NOT arn:x"]
    assert statement.principal == "NOT * (anyone)"
    assert statement.broad
    deny = review.IamStatement(
        "P", "policy", "-", {"Effect": "Deny", "Action": "*", "Resource": "*"}
    )
    assert not deny.broad


def test_log_resource_policy_text_is_parsed() -> None:
    document = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "logs:Put*"}]
    }
    template = {
        "Resources": {
            "P": {
                "Type": "AWS::Logs::ResourcePolicy",
                "Properties": {"PolicyDocument": json.dumps(document)},
            }
        }
    }
    (statement,) = review.iam_statements(template)
    assert (statement.policy, statement.principal, statement.actions) == (
        "log resource policy",
        "Service: x",
        ["logs:Put*"],
    )


def test_security_group_without_egress_gets_cloudformations_default() -> None:
    template = {
        "Resources": {
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "SecurityGroupIngress": [
                        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "CidrIpv6": "::/0"},
                        {"IpProtocol": "-1", "SourcePrefixListId": "pl-1"},
                    ]
                },
            },
            "Other": {"Type": "AWS::EC2::SecurityGroup", "Properties": {}},
            "OtherEgress": {
                "Type": "AWS::EC2::SecurityGroupEgress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["Other", "GroupId"]},
                    "IpProtocol": "6",
                    "FromPort": 0,
                    "ToPort": 65535,
                    "DestinationSecurityGroupId": {"Ref": "Sg"},
                },
            },
        }
    }
    assert [
        (r.group, r.direction, r.protocol, r.ports, r.peer, r.open_to_the_world)
        for r in review.security_group_rules(template)
    ] == [
        ("Sg", "ingress", "icmp", "type 8, code -1", "::/0", True),
        ("Sg", "ingress", "all", "all", "pl-1", False),
        ("${Other.GroupId}", "egress", "tcp", "all", "${Sg}", False),
        ("Sg", "egress", "all", "all", "0.0.0.0/0", False),
    ]


def test_missing_assembly_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert review.main(["--cdk-out", str(tmp_path / "nowhere")]) == 2
    assert (
        capsys.readouterr().err.strip().endswith("manifest.json not found: run `make synth` first")
    )


def test_lint_can_be_skipped(synthesis: Synthesis, tmp_path: Path) -> None:
    output = tmp_path / "review.md"
    assert (
        review.main(["--cdk-out", str(synthesis.outdir), "--output", str(output), "--no-lint"]) == 0
    )
    assert section(output.read_text(), "Net", "cfn-lint") == ["Not run (`--no-lint`)."]
