"""Cloud assemblies for the review tests, written as JSON (no synth).

A small platform in the shape the reference app synthesizes: one network stack (VPC, worker
subnets, route tables, NAT, interface endpoints, a security group, outputs the team stacks
read with ``Fn::GetStackOutput``) and one stack per team (runtime role and its managed
policy, data bucket and key, log group, the EMR Serverless application tagged with its
team). Each change kind of the review tests is a keyword of :func:`platform`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ENVIRONMENT = "aws://unknown-account/unknown-region"
NETWORK = "Plat-Dev-Network"


def team_stack_name(team: str) -> str:
    """The stack name of ``team`` (``Plat-Dev-Team-Analytics``)."""
    return f"Plat-Dev-Team-{team.capitalize()}"


def _output(name: str) -> dict[str, Any]:
    return {
        "Fn::GetStackOutput": {
            "StackName": NETWORK,
            "Region": {"Ref": "AWS::Region"},
            "OutputName": name,
        }
    }


def network_template(
    *,
    cidrs: Sequence[str] = ("10.0.0.0/26", "10.0.0.64/26"),
    nat_gateways: int = 1,
    endpoints: Sequence[str] = ("logs", "kms"),
    ingress: Sequence[Mapping[str, Any]] = (),
    description: str = "Platform (dev): network",
) -> dict[str, Any]:
    """The network stack: one worker subnet per CIDR."""
    resources: dict[str, Any] = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "SecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "EMR Serverless workers",
                "VpcId": {"Ref": "Vpc"},
                "SecurityGroupEgress": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "CidrIp": "0.0.0.0/0",
                        "Description": "HTTPS out",
                    }
                ],
                "SecurityGroupIngress": list(ingress),
            },
        },
    }
    outputs: dict[str, Any] = {
        "SecurityGroupId": {"Value": {"Fn::GetAtt": ["SecurityGroup", "GroupId"]}}
    }
    for index, cidr in enumerate(cidrs, start=1):
        resources[f"Subnet{index}"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "CidrBlock": cidr,
                "AvailabilityZone": {"Fn::Select": [index - 1, {"Fn::GetAZs": ""}]},
            },
        }
        resources[f"RouteTable{index}"] = {
            "Type": "AWS::EC2::RouteTable",
            "Properties": {"VpcId": {"Ref": "Vpc"}},
        }
        resources[f"Association{index}"] = {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {
                "SubnetId": {"Ref": f"Subnet{index}"},
                "RouteTableId": {"Ref": f"RouteTable{index}"},
            },
        }
        outputs[f"Subnet{index}Id"] = {"Value": {"Ref": f"Subnet{index}"}}
    for index in range(1, nat_gateways + 1):
        resources[f"Eip{index}"] = {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}
        resources[f"Nat{index}"] = {
            "Type": "AWS::EC2::NatGateway",
            "Properties": {
                "SubnetId": {"Ref": "Subnet1"},
                "AllocationId": {"Fn::GetAtt": [f"Eip{index}", "AllocationId"]},
            },
        }
    for name in endpoints:
        resources[f"Endpoint{name.capitalize()}"] = {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {
                "ServiceName": {"Fn::Sub": f"com.amazonaws.${{AWS::Region}}.{name}"},
                "VpcEndpointType": "Interface",
                "VpcId": {"Ref": "Vpc"},
                "SubnetIds": [{"Ref": f"Subnet{i}"} for i in range(1, len(cidrs) + 1)],
            },
        }
    return {"Description": description, "Resources": resources, "Outputs": outputs}


def team_template(
    team: str,
    *,
    release: str = "emr-7.6.0",
    executor: tuple[str, str] = ("4vCPU", "16GB"),
    pre_initialized: int = 2,
    prefixes: Sequence[str] = ("input/",),
    log_group_name: str | None = None,
    subnets: int = 2,
    description: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """A team stack: runtime role, policy, bucket, key, log group and application."""
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["DataBucket", "Arn"]}, f"/{prefix}*"]]},
        }
        for prefix in prefixes
    ]
    statements.append(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": {"Fn::GetAtt": ["DataKey", "Arn"]},
        }
    )
    log_group: dict[str, Any] = {"RetentionInDays": 90}
    if log_group_name is not None:
        log_group["LogGroupName"] = log_group_name
    cpu, memory = executor
    return {
        "Description": description or f"Platform (dev): team {team}",
        "Resources": {
            "RuntimeRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "emr-serverless.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                },
            },
            "RuntimePolicy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                    "Roles": [{"Ref": "RuntimeRole"}],
                },
                "Metadata": {
                    "cdk_nag": {
                        "rules_to_suppress": [
                            {
                                "id": "AwsSolutions-IAM5[Resource::<DataBucket.Arn>/input/*]",
                                "reason": "objects under the team's input prefix",
                            }
                        ]
                    }
                },
            },
            "DataKey": {
                "Type": "AWS::KMS::Key",
                "Properties": {"EnableKeyRotation": True},
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
            },
            "DataBucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"Tags": [{"Key": "team", "Value": team}]},
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
            },
            "LogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": log_group,
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
            },
            "Application": {
                "Type": "AWS::EMRServerless::Application",
                "Properties": {
                    "Name": name or f"{team}-application",
                    "Type": "SPARK",
                    "ReleaseLabel": release,
                    "Architecture": "ARM64",
                    "InitialCapacity": [
                        {
                            "Key": "EXECUTOR",
                            "Value": {
                                "WorkerCount": pre_initialized,
                                "WorkerConfiguration": {"Cpu": cpu, "Memory": memory},
                            },
                        }
                    ],
                    "NetworkConfiguration": {
                        "SubnetIds": [_output(f"Subnet{i}Id") for i in range(1, subnets + 1)],
                        "SecurityGroupIds": [_output("SecurityGroupId")],
                    },
                    "Tags": [{"Key": "team", "Value": team}],
                },
            },
        },
    }


def platform(
    teams: Sequence[str] = ("analytics", "reporting"),
    *,
    network: Mapping[str, Any] | None = None,
    team_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Stack name -> template of a platform: the network and one stack per team."""
    stacks = {NETWORK: network_template(**(network or {}))}
    for team in teams:
        options = (team_options or {}).get(team, {})
        stacks[team_stack_name(team)] = team_template(team, **options)
    return stacks


def write_assembly(
    root: Path,
    stacks: Mapping[str, Mapping[str, Any]],
    *,
    findings: Sequence[Mapping[str, str]] = (),
    stages: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    display_names: Mapping[str, str] | None = None,
) -> Path:
    """Write a cloud assembly of ``stacks`` (and of ``stages``, as nested assemblies) to ``root``.

    :param findings: validation-report violations: ``{"rule", "path", "description"}``.
    """
    root.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {}
    for index, (name, template) in enumerate(stacks.items()):
        template_file = f"stack{index}.template.json"
        (root / template_file).write_text(json.dumps(template))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": ENVIRONMENT,
            "displayName": (display_names or {}).get(name, name),
            "properties": {"templateFile": template_file, "stackName": name},
            "metadata": {
                f"/{(display_names or {}).get(name, name)}/{logical_id}/Resource": [
                    {"type": "aws:cdk:logicalId", "data": logical_id}
                ]
                for logical_id in template.get("Resources", {})
            },
        }
    for stage, stage_stacks in (stages or {}).items():
        directory = f"assembly-{stage}"
        write_assembly(
            root / directory,
            stage_stacks,
            display_names={n: f"{stage}/{n}" for n in stage_stacks},
        )
        artifacts[f"assembly-{stage}"] = {
            "type": "cdk:cloud-assembly",
            "properties": {"directoryName": directory, "displayName": stage},
        }
    (root / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    report = {
        "title": "Validation Report",
        "pluginReports": [
            {
                "pluginName": "AwsSolutions",
                "violations": [
                    {
                        "ruleName": f["rule"],
                        "description": f["description"],
                        "severity": "error",
                        "violatingConstructs": [{"constructPath": f["path"]}],
                    }
                    for f in findings
                ],
            }
        ],
    }
    (root / "validation-report.json").write_text(json.dumps(report))
    return root


def changed(stacks: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A deep copy of ``stacks`` to change."""
    return copy.deepcopy({k: dict(v) for k, v in stacks.items()})
