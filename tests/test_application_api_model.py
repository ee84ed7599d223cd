"""Synthesized applications, as CreateApplication requests, pass the EMR Serverless API model.

The CloudFormation properties are turned into the API's request (its parameter names and
shapes) and checked with botocore's ``ParamValidator`` plus what it leaves out: length and
count ranges, number ranges, enums and patterns of the ``emr-serverless`` service model,
loaded offline. Every value is a literal here, so nothing is left unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from botocore.model import Shape
from botocore.validate import ParamValidator

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_image import ApplicationImage
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.monitoring_configuration import (
    ManagedPersistence,
    MonitoringConfiguration,
)
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_configuration import (
    Classification,
    hive_site,
    java17_properties,
    spark_defaults,
    spark_executor_log4j2,
)
from constructs_lib.workers import (
    Architecture,
    DiskType,
    EngineType,
    InitialWorkers,
    WorkerConfiguration,
    WorkerType,
)
from tests.application_examples import ACCOUNT, ENV, REGION, full_monitoring, guide_applications
from tests.harness import new_app, synthesize

IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/analytics/spark"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _applications(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=[f"{REGION}a", f"{REGION}b"],
        private_subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
        private_subnet_ipv4_cidr_blocks=["10.0.0.0/22", "10.0.4.0/22"],
    )
    group = ec2.SecurityGroup.from_security_group_id(stack, "Group", "sg-0123456789abcdef0")
    key = kms.Key.from_key_arn(stack, "Key", KEY_ARN)
    guide_applications(stack)
    EmrServerlessApplication(
        stack,
        "Full",
        application_name="analytics/full#1",
        architecture=Architecture.ARM64,
        initial_capacity={
            WorkerType.SPARK_DRIVER: InitialWorkers(2, WorkerConfiguration(16, 120)),
            WorkerType.SPARK_EXECUTOR: InitialWorkers(
                8, WorkerConfiguration(8, 60, disk_gb=2000, disk_type=DiskType.SHUFFLE_OPTIMIZED)
            ),
        },
        maximum_capacity=MaximumCapacity(vcpu=1000, memory_gb=8000, disk_gb=40000),
        idle_timeout=cdk.Duration.days(7),
        vpc=vpc,
        security_groups=[group],
        image=ApplicationImage.from_uri(f"{IMAGE}@sha256:{'0123456789abcdef' * 4}"),
        monitoring=full_monitoring(
            stack, s3.Bucket.from_bucket_name(stack, "Logs", "my-logs"), key
        ),
        runtime_configuration=[
            spark_defaults(
                {**java17_properties(Architecture.ARM64), "spark.executor.memory": "50g"}
            ),
            spark_executor_log4j2({"rootLogger.level": "error"}),
            Classification(
                "hadoop-env", configurations=(Classification("export", {"JAVA_OPTS": "-Xss4m"}),)
            ),
        ],
        studio=True,
        livy_endpoint=True,
        interactive_sessions=True,
        max_concurrent_runs=1000,
        queue_timeout=cdk.Duration.minutes(720),
        identity_center_instance_arn="arn:aws:sso:::instance/ssoins-1234567890abcdef",
        tags={f"key {i}": "value:/_.=+-@" for i in range(50)},
    )
    EmrServerlessApplication(
        stack,
        "HiveImages",
        engine=EngineType.HIVE,
        release=ReleaseLabel.EMR_6_9_0,
        worker_images={
            WorkerType.HIVE_DRIVER: ApplicationImage.from_uri(f"{IMAGE}:driver-1"),
            WorkerType.TEZ_TASK: ApplicationImage.from_uri(f"{IMAGE}:tez_task.2"),
        },
        runtime_configuration=[hive_site({"hive.exec.scratchdir": "s3://my-data/scratch"})],
        auto_start=False,
        auto_stop=False,
        monitoring=MonitoringConfiguration(managed_persistence=ManagedPersistence(enabled=False)),
    )


@pytest.fixture(scope="module")
def properties() -> dict[str, dict[str, Any]]:
    app = new_app(compliance=False)
    _applications(cdk.Stack(app, "Api", env=ENV))
    template = synthesize(app, require_clean=False).templates["Api"]
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::EMRServerless::Application"
    }


@pytest.fixture(scope="module")
def create_application() -> Shape:
    model = botocore.session.get_session().get_service_model("emr-serverless")
    return model.operation_model("CreateApplication").input_shape


# --- CloudFormation properties -> CreateApplication request --------------------------------


def _camel(name: str) -> str:
    return name[0].lower() + name[1:]


def _literal(value: Any, path: str) -> Any:
    if isinstance(value, dict) and any(k == "Ref" or k.startswith("Fn::") for k in value):
        raise AssertionError(f"{path} is not a literal: {value}")
    return value


def _structure(node: dict[str, Any], path: str) -> dict[str, Any]:
    """A CloudFormation object as the API's structure: keys camelCase, values converted."""
    return {_camel(k): _value(k, v, f"{path}.{k}") for k, v in _literal(node, path).items()}


def _pairs(items: list[dict[str, Any]], path: str, convert: Any) -> dict[str, Any]:
    return {item["Key"]: convert(item["Value"], f"{path}[{item['Key']}]") for item in items}


def _configurations(items: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [_structure(item, f"{path}[{index}]") for index, item in enumerate(items)]


#: Properties whose CloudFormation shape differs from the API's (lists of pairs are maps;
#: map keys and configuration properties are kept as they are).
_SPECIAL: dict[str, Callable[[Any, str], Any]] = {
    "InitialCapacity": lambda value, path: _pairs(value, path, _structure),
    "Tags": lambda value, path: _pairs(value, path, lambda item, _: item),
    "WorkerTypeSpecifications": lambda value, path: {
        key: _structure(item, f"{path}.{key}") for key, item in value.items()
    },
    "RuntimeConfiguration": _configurations,
    "Configurations": _configurations,
    "Properties": lambda value, _: value,
}


def _value(key: str, value: Any, path: str) -> Any:
    value = _literal(value, path)
    if key in _SPECIAL:
        return _SPECIAL[key](value, path)
    if isinstance(value, dict):
        return _structure(value, path)
    if isinstance(value, list):
        return [_literal(item, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def to_request(properties: dict[str, Any]) -> dict[str, Any]:
    """The CreateApplication request CloudFormation makes from ``properties``."""
    request = _structure(properties, "Properties")
    monitoring = request.get("monitoringConfiguration", {})
    cloudwatch = monitoring.get("cloudWatchLoggingConfiguration")
    if cloudwatch is not None and "logTypeMap" in cloudwatch:
        cloudwatch["logTypes"] = _pairs(
            properties["MonitoringConfiguration"]["CloudWatchLoggingConfiguration"]["LogTypeMap"],
            "LogTypeMap",
            lambda v, _: v,
        )
        del cloudwatch["logTypeMap"]
    return {"clientToken": "synth-check-1", **request}


# --- the model's constraints ---------------------------------------------------------------


_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "structure": dict,
    "map": dict,
    "list": list,
}


def constraint_problems(value: Any, shape: Shape, path: str = "") -> Iterator[str]:
    """Ranges, enums and patterns of ``shape`` that ``value`` breaks (ParamValidator's gaps)."""
    if not isinstance(value, _PYTHON_TYPES.get(shape.type_name, object)):
        return  # ParamValidator reports the wrong type
    yield from _own_problems(value, shape, path)
    for child, child_shape, child_path in _children(value, shape, path):
        yield from constraint_problems(child, child_shape, child_path)


def _own_problems(value: Any, shape: Shape, path: str) -> Iterator[str]:
    meta, kind = shape.metadata, shape.type_name
    size = {"string": len, "list": len, "map": len, "integer": int, "long": int}.get(kind)
    if size is not None and "min" in meta and size(value) < meta["min"]:
        yield f"{path}: {size(value)} below min {meta['min']}"
    if size is not None and "max" in meta and size(value) > meta["max"]:
        yield f"{path}: {size(value)} above max {meta['max']}"
    if kind == "string" and "enum" in meta and value not in meta["enum"]:
        yield f"{path}: {value!r} not in {meta['enum']}"
    if kind == "string" and "pattern" in meta and not re.fullmatch(meta["pattern"], value):
        yield f"{path}: {value!r} does not match {meta['pattern']}"


def _children(value: Any, shape: Shape, path: str) -> Iterator[tuple[Any, Shape, str]]:
    if shape.type_name == "structure":
        for name, member in value.items():
            if name in shape.members:  # ParamValidator reports unknown members
                yield member, shape.members[name], f"{path}.{name}"
    elif shape.type_name == "list":
        for index, item in enumerate(value):
            yield item, shape.member, f"{path}[{index}]"
    elif shape.type_name == "map":
        for key, item in value.items():
            yield key, shape.key, f"{path}<key {key}>"
            yield item, shape.value, f"{path}[{key}]"


def model_problems(request: dict[str, Any], shape: Shape) -> list[str]:
    report = ParamValidator().validate(request, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    return problems + list(constraint_problems(request, shape, "CreateApplication"))


# --- tests ---------------------------------------------------------------------------------


def test_every_request_passes_the_api_model(
    properties: dict[str, dict[str, Any]], create_application: Shape
) -> None:
    assert len(properties) == 4
    for logical_id, props in properties.items():
        assert model_problems(to_request(props), create_application) == [], logical_id


def test_requests_use_every_cloudformation_property(properties: dict[str, dict[str, Any]]) -> None:
    used = {name for props in properties.values() for name in props}
    every = set(cdk.aws_emrserverless.CfnApplicationProps.__init__.__annotations__) - {"return"}
    assert {_camel(name) for name in used} == {
        "".join(w.title() if i else w for i, w in enumerate(name.split("_"))) for name in every
    }


def test_request_of_the_guides_spark_example(properties: dict[str, dict[str, Any]]) -> None:
    (props,) = [p for logical_id, p in properties.items() if logical_id.startswith("Spark")]
    request = to_request(props)
    assert request["initialCapacity"] == {
        "DRIVER": {"workerCount": 5, "workerConfiguration": {"cpu": "2vCPU", "memory": "4GB"}},
        "EXECUTOR": {"workerCount": 50, "workerConfiguration": {"cpu": "4vCPU", "memory": "8GB"}},
    }
    assert request["maximumCapacity"] == {"cpu": "400vCPU", "memory": "1024GB"}
    assert (request["type"], request["releaseLabel"]) == ("SPARK", "emr-6.6.0")


def test_request_maps_log_types_and_tags(properties: dict[str, dict[str, Any]]) -> None:
    (props,) = [p for logical_id, p in properties.items() if logical_id.startswith("Full")]
    request = to_request(props)
    cloudwatch = request["monitoringConfiguration"]["cloudWatchLoggingConfiguration"]
    assert cloudwatch["logTypes"] == {
        "SPARK_DRIVER": ["STDOUT", "STDERR"],
        "SPARK_EXECUTOR": ["STDERR"],
    }
    assert len(request["tags"]) == 50
    assert request["runtimeConfiguration"][2] == {
        "classification": "hadoop-env",
        "configurations": [{"classification": "export", "properties": {"JAVA_OPTS": "-Xss4m"}}],
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": "has space"}, "does not match"),
        ({"architecture": "arm64"}, "not in"),
        ({"autoStopConfiguration": {"enabled": True, "idleTimeoutMinutes": 0}}, "below min 1"),
        ({"networkConfiguration": {"subnetIds": ["s"] * 17}}, "above max 16"),
        ({"initialCapacity": {"DRIVER": {"workerCount": 0}}}, "below min 1"),
        ({"tags": {"k": "v!"}}, "does not match"),
        ({"releaseLabel": 7}, "Invalid type"),
        ({"unknown": 1}, "Unknown parameter"),
    ],
)
def test_the_model_check_catches_bad_requests(
    create_application: Shape, change: dict[str, Any], expected: str
) -> None:
    request = {"clientToken": "t", "releaseLabel": "emr-7.12.0", "type": "SPARK", **change}
    problems = model_problems(request, create_application)
    assert any(expected in problem for problem in problems), problems
