"""scripts/environment_stacks.py: the stacks the deploy workflow selects, and their health check
(CloudFormation stubbed with botocore's Stubber; nothing reaches AWS)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scripts import environment_stacks, list_templates
from scripts.environment_stacks import (
    HEALTHY,
    DeployedStack,
    UnhealthyStacksError,
    assembly_stacks,
    check,
    clients,
    selectors,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "two_accounts.yaml"
LOOKUP = (
    "arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-us-east-1"
)


def test_selectors_of_the_shipped_platform_are_top_level_stacks() -> None:
    assert selectors(ROOT / "platform.yaml", "dev") == (
        "EmrAnalytics-Images",
        "EmrAnalytics-Dev-Network",
        "EmrAnalytics-Dev-Platform",
        "EmrAnalytics-Dev-Team-Analytics",
        "EmrAnalytics-Dev-Team-Reporting",
    )
    assert "EmrAnalytics-Images" not in selectors(ROOT / "platform.yaml", "prod")


def test_selectors_of_a_platform_in_accounts_are_a_stages_stacks() -> None:
    assert selectors(FIXTURE, "prod") == (
        "Prod/EmrAnalytics-Images",
        "Prod/EmrAnalytics-Prod-Network",
        "Prod/EmrAnalytics-Prod-Platform",
        "Prod/EmrAnalytics-Prod-Team-Analytics",
        "Prod/EmrAnalytics-Prod-Team-Reporting",
    )


def _stack(display: str, name: str, environment: str, role: str) -> dict[str, Any]:
    return {
        "type": "aws:cloudformation:stack",
        "environment": environment,
        "displayName": display,
        "properties": {
            "templateFile": f"{name}.template.json",
            "stackName": name,
            "lookupRole": {"arn": role},
        },
    }


def _cloud_assembly(root: Path) -> Path:
    """A cloud assembly shaped like aws-cdk-lib's: a top-level stack and a stage's."""
    (root / "assembly-Dev").mkdir(parents=True)
    agnostic = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-lookup-role"
    top = {
        "artifacts": {
            "Top": _stack("Top", "Top", "aws://unknown-account/unknown-region", agnostic),
            "assembly-Dev": {
                "type": "cdk:cloud-assembly",
                "properties": {"directoryName": "assembly-Dev", "displayName": "Dev"},
            },
        }
    }
    nested = {
        "artifacts": {
            "DevNet1234": _stack(
                "Dev/Plat-Dev-Network", "Plat-Dev-Network", "aws://111111111111/us-east-1", LOOKUP
            )
        }
    }
    (root / "manifest.json").write_text(json.dumps(top))
    (root / "assembly-Dev" / "manifest.json").write_text(json.dumps(nested))
    return root


def test_the_assembly_names_each_stack_its_account_region_and_lookup_role(tmp_path: Path) -> None:
    stacks = assembly_stacks(_cloud_assembly(tmp_path))
    assert stacks["Top"] == DeployedStack("Top", "Top", None, None, None)
    assert stacks["Dev/Plat-Dev-Network"] == DeployedStack(
        selector="Dev/Plat-Dev-Network",
        stack_name="Plat-Dev-Network",
        account="111111111111",
        region="us-east-1",
        lookup_role_arn=LOOKUP.replace("${AWS::Partition}", "aws"),
    )


def _client(region: str = "us-east-1") -> Any:
    return boto3.client(
        "cloudformation",
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _described(status: str) -> dict[str, Any]:
    return {
        "Stacks": [
            {
                "StackName": "Plat-Dev-Network",
                "CreationTime": "2026-01-01T00:00:00Z",
                "StackStatus": status,
            }
        ]
    }


STACK = DeployedStack("Dev/Plat-Dev-Network", "Plat-Dev-Network", "111111111111", "us-east-1", None)


@pytest.mark.parametrize("status", sorted(HEALTHY))
def test_a_stack_whose_last_operation_succeeded_is_healthy(status: str) -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("describe_stacks", _described(status), {"StackName": "Plat-Dev-Network"})
        assert check([STACK], lambda _: client) == [
            f"Dev/Plat-Dev-Network (Plat-Dev-Network): {status}"
        ]
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    "status", ["UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE", "UPDATE_IN_PROGRESS"]
)
def test_a_stack_left_rolled_back_or_busy_is_not(status: str) -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("describe_stacks", _described(status))
        with pytest.raises(UnhealthyStacksError) as failed:
            check([STACK], lambda _: client)
    assert failed.value.lines == (f"Dev/Plat-Dev-Network (Plat-Dev-Network): {status}",)


def test_a_missing_stack_is_not_healthy() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error(
            "describe_stacks",
            service_error_code="ValidationError",
            service_message="Stack with id Plat-Dev-Network does not exist",
        )
        with pytest.raises(UnhealthyStacksError, match="Dev/Plat-Dev-Network"):
            check([STACK], lambda _: client)


def test_other_errors_are_not_hidden() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("describe_stacks", service_error_code="AccessDenied")
        with pytest.raises(Exception, match="AccessDenied"):
            check([STACK], lambda _: client)


class _Session:
    """A boto3 session double: hands out stubbed clients and records how they were made."""

    def __init__(self, sts: Any, cloudformation: Any) -> None:
        self.made: list[tuple[str, dict[str, Any]]] = []
        self._clients = {"sts": sts, "cloudformation": cloudformation}

    def client(self, service: str, **kwargs: Any) -> Any:
        self.made.append((service, kwargs))
        return self._clients[service]


def test_a_stack_in_an_account_is_read_through_its_lookup_role() -> None:
    sts = boto3.client(
        "sts",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    cloudformation = _client()
    session = _Session(sts, cloudformation)
    role = LOOKUP.replace("${AWS::Partition}", "aws")
    stack = DeployedStack("Dev/X", "X", "111111111111", "us-east-1", role)
    credentials = {
        "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
        "SecretAccessKey": "secret-of-the-stub",
        "SessionToken": "token-of-the-stub",
        "Expiration": "2026-01-01T01:00:00Z",
    }
    with Stubber(sts) as stub:
        stub.add_response(
            "assume_role",
            {"Credentials": credentials},
            {"RoleArn": role, "RoleSessionName": "check-stack-health"},
        )
        client_for = clients(session)
        assert client_for(stack) is cloudformation
        assert client_for(stack) is cloudformation  # one role assumption per role and Region
    (_, cloudformation_kwargs) = next(m for m in session.made if m[0] == "cloudformation")
    assert cloudformation_kwargs["aws_session_token"] == "token-of-the-stub"
    assert cloudformation_kwargs["region_name"] == "us-east-1"
    assert [m[0] for m in session.made] == ["sts", "cloudformation"]


def test_an_environment_agnostic_stack_is_read_with_the_current_credentials() -> None:
    session = _Session(sts=None, cloudformation=_client())
    clients(session)(DeployedStack("Top", "Top", None, None, None))
    assert session.made == [("cloudformation", {"region_name": None})]


def test_main_prints_the_selectors(capsys: pytest.CaptureFixture[str]) -> None:
    code = environment_stacks.main(["selectors", "--environment", "dev", "--config", str(FIXTURE)])
    assert code == 0
    assert capsys.readouterr().out.split() == list(selectors(FIXTURE, "dev"))


def test_main_fails_when_the_assembly_lacks_a_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _cloud_assembly(tmp_path)
    argv = ["check", "--environment", "dev", "--config", str(FIXTURE), "--cdk-out", str(tmp_path)]
    assert environment_stacks.main(argv, session=_Session(None, None)) == 1
    assert "Dev/EmrAnalytics-Images" in capsys.readouterr().err


def test_make_synth_lists_the_stacks_of_stages_too(tmp_path: Path) -> None:
    found = list_templates.stacks(_cloud_assembly(tmp_path))
    assert found == {
        "Top": tmp_path / "Top.template.json",
        "Dev/Plat-Dev-Network": tmp_path / "assembly-Dev" / "Plat-Dev-Network.template.json",
    }


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_the_lookup_role_is_in_the_regions_partition(region: str, partition: str) -> None:
    arn = environment_stacks._lookup_role(LOOKUP, "111111111111", region)
    assert arn is not None
    assert arn.startswith(f"arn:{partition}:iam::111111111111:role/")
