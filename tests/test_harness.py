"""The harness gates bite: each check fails on a template that breaks its rule."""

from __future__ import annotations

import copy
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_gamelift as gamelift
from aws_cdk import aws_s3 as s3

from constructs_lib.compliance import AcknowledgementError, acknowledge
from tests.harness import (
    CDK_CONTEXT,
    GateError,
    Synthesis,
    cfn_lint,
    iam_action_exists,
    new_app,
    synthesize,
)


@pytest.fixture(scope="module")
def broken() -> tuple[cdk.App, str]:
    """One app that breaks every gate, synthesized once: the app and the gate's message.

    - ``Insecure``: an unencrypted, public bucket (the nag packs);
    - ``InvertedPorts``: a GameLift fleet with an inverted port range (aws-cdk-lib's rules);
    - ``Blanket``: acknowledgements on a whole stack, without a finding or a reason.
    """
    app = new_app()
    insecure = cdk.Stack(app, "Insecure")
    # No encryption configured in the template (BucketEncryption.UNENCRYPTED is deprecated).
    s3.Bucket(
        insecure,
        "Public",
        block_public_access=s3.BlockPublicAccess(
            block_public_acls=False,
            block_public_policy=False,
            ignore_public_acls=False,
            restrict_public_buckets=False,
        ),
        public_read_access=True,
    )
    gamelift.CfnFleet(
        cdk.Stack(app, "InvertedPorts"),
        "Fleet",
        name="fleet",
        ec2_inbound_permissions=[
            gamelift.CfnFleet.IpPermissionProperty(
                from_port=2000, to_port=1000, ip_range="10.0.0.0/16", protocol="TCP"
            )
        ],
    )
    blanket = cdk.Stack(app, "Blanket")
    s3.Bucket(blanket, "B", enforce_ssl=True)
    Validations.of(blanket).acknowledge(
        Acknowledgment(id="AwsSolutions-S1", reason="no logs anywhere in this stack")
    )
    Validations.of(blanket).acknowledge(Acknowledgment(id="AwsSolutions-IAM5", reason="ok"))
    printed = s3.Bucket(cdk.Stack(app, "Printed"), "Logless", enforce_ssl=True)
    acknowledge(
        printed,
        "AwsSolutions::AwsSolutions-S1",
        "Acknowledged in the form cdk synth prints, with the pack's name in front.",
    )
    with pytest.raises(GateError) as failure:
        synthesize(app)
    return app, str(failure.value)


def test_nag_gate_fails_on_unencrypted_public_bucket(broken: tuple[cdk.App, str]) -> None:
    _, message = broken
    for rule in (
        "AwsSolutions-S2",
        "AwsSolutions-S10",
        "NIST.800.53.R5-S3DefaultEncryptionKMS",
        "HIPAA.Security-S3BucketPublicReadProhibited",
        "PCI.DSS.321-S3BucketSSLRequestsOnly",
    ):
        assert rule in message


def test_cloudformation_default_rules_are_errors(broken: tuple[cdk.App, str]) -> None:
    assert CDK_CONTEXT["@aws-cdk/core:validateAgainstDefaultRules"] is True
    _, message = broken
    assert "CDK-GameLift-001" in message


VALID_TEMPLATE = {
    "Resources": {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
        }
    }
}


def test_cfn_lint_passes_a_valid_template() -> None:
    assert cfn_lint(VALID_TEMPLATE) == []


def test_cfn_lint_gate_fails_on_invalid_property() -> None:
    template = copy.deepcopy(VALID_TEMPLATE)
    template["Resources"]["Bucket"]["Properties"]["NoSuchProperty"] = True
    findings = cfn_lint(template)
    assert any("E3002" in f and "NoSuchProperty" in f for f in findings), findings


def test_acknowledge_refuses_a_stack() -> None:
    app = new_app(compliance=False)
    stack = cdk.Stack(app, "S")
    with pytest.raises(AcknowledgementError, match="stack, stage or app"):
        acknowledge(stack, "AwsSolutions-S1", "x" * 40)


def test_acknowledge_refuses_a_bare_multi_finding_rule() -> None:
    app = new_app(compliance=False)
    bucket = s3.Bucket(cdk.Stack(app, "S"), "B")
    with pytest.raises(AcknowledgementError, match="name the finding"):
        acknowledge(bucket, "AwsSolutions-IAM5", "x" * 40)
    acknowledge(bucket, "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/p/*]", "x" * 40)


def test_acknowledge_takes_the_finding_id_as_cdk_synth_prints_it(
    broken: tuple[cdk.App, str],
) -> None:
    _, message = broken
    printed = [line for line in message.splitlines() if "Printed/Logless" in line]
    assert printed, "the bucket has other findings, so it must appear"
    assert not [line for line in printed if "AwsSolutions-S1 " in line]


def test_acknowledge_refuses_an_unknown_pack_prefix() -> None:
    app = new_app(compliance=False)
    bucket = s3.Bucket(cdk.Stack(app, "S"), "B")
    with pytest.raises(AcknowledgementError, match="not one of the packs"):
        acknowledge(bucket, "MadeUp::AwsSolutions-S1", "x" * 40)
    with pytest.raises(AcknowledgementError, match="name the finding"):
        acknowledge(bucket, "AwsSolutions::AwsSolutions-IAM5", "x" * 40)


def test_acknowledge_refuses_a_short_reason() -> None:
    app = new_app(compliance=False)
    bucket = s3.Bucket(cdk.Stack(app, "S"), "B")
    with pytest.raises(AcknowledgementError, match="at least 30 characters"):
        acknowledge(bucket, "AwsSolutions-S1", "because")


def test_acknowledgement_gate_finds_a_stack_wide_acknowledgement(
    broken: tuple[cdk.App, str],
) -> None:
    app, _ = broken
    # The gate reads the construct tree only.
    synthesis = Synthesis(app=app, outdir=Path(app.outdir), templates={})
    with pytest.raises(GateError) as failure:
        synthesis.assert_acknowledgements_specific()
    message = str(failure.value)
    assert "Blanket: 'AwsSolutions-S1' is on a stack" in message
    assert "'AwsSolutions-IAM5' names no finding" in message
    assert "has no specific reason ('ok')" in message


def test_iam_action_catalogue() -> None:
    assert iam_action_exists("emr-serverless:StartJobRun")
    assert iam_action_exists("s3:Get*")
    assert not iam_action_exists("glue:GetDataBases2")
    assert not iam_action_exists("emr-serverless:StartJob")
    assert not iam_action_exists("s3:Nothing*")
