"""Every public argument of every construct refuses a wrong type with our error.

A wrong-typed argument must fail with :class:`EmrServerlessValidationError` naming the
argument, never with an ``AttributeError``/``TypeError`` from inside the library or a jsii
error. This walks the public API (``constructs_lib.__all__``): each construct's and each
input dataclass's constructor, and each public method that takes arguments
(``grant_*``, ``metric*``, ``from_*`` and the others listed below), and feeds one wrong
value at a time, every other argument valid. Enum arguments also take their string forms.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

import constructs_lib
from constructs_lib import (
    ApplicationImage,
    Architecture,
    DiskType,
    EmrServerlessApplication,
    EngineType,
    InitialWorkers,
    JobRuntimeRole,
    PrometheusWorkspace,
    WorkerConfiguration,
    WorkerType,
    Workload,
)
from constructs_lib.errors import EmrServerlessValidationError
from tests.harness import new_app

APPLICATION_ARN = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/00fabcdef12525"
REMOTE_WRITE = (
    "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-12345678-abcd/api/v1/remote_write"
)

#: Public methods (besides ``grant_*``, ``metric*`` and ``from_*``) that take arguments.
OTHER_METHODS = ("image", "monitoring_configuration", "add_rule_groups_namespace", "for_workspace")

#: Input classes whose constructors are not part of the public API (built by helpers or
#: read from files), or that take aws-cdk-lib's own arguments.
NOT_INPUTS = {
    "ApplicationArn",  # parse_application_arn builds it
    "ApplicationImage",  # built by its from_* methods (checked below)
    "EmrServerlessApplicationBase",  # abstract
    "PrometheusWorkspaceBase",  # abstract
    "EnvironmentConfig",  # read from platform.yaml
    "PlatformConfig",
    "TeamConfig",
    "TeamOutputs",
    "ManagedPolicyRole",  # iam.Role's own keyword arguments
    "MetricSpec",  # the library's tables
    "PlannedSubnet",  # planner results
    "SubnetPlan",
    "SparkAlertRule",
    "ReleaseLabel",  # ReleaseLabel.of parses labels
}


class Scene:
    """One stack with a valid value for every argument name the API uses."""

    def __init__(self) -> None:
        self.app = new_app(compliance=False)
        self.stack = cdk.Stack(self.app, "Scene", env=cdk.Environment(region="eu-west-1"))
        self._count = 0
        stack = self.stack
        self.role = iam.Role(stack, "Grantee", assumed_by=iam.AccountRootPrincipal())
        self.runtime_role = JobRuntimeRole(stack, "Runtime")
        self.application = EmrServerlessApplication(stack, "App")
        self.bucket = s3.Bucket(stack, "Bucket")
        self.key = kms.Key(stack, "Key")
        self.workspace = PrometheusWorkspace(stack, "Workspace")
        self.valid: dict[str, Any] = {
            "application": self.application,
            "grantee": self.role,
            "identity": self.role,
            "runtime_role": self.runtime_role,
            "role": self.role,
            "bucket": self.bucket,
            "key": self.key,
            "secret": secretsmanager.Secret.from_secret_name_v2(stack, "Secret", "s"),
            "workspace": self.workspace.workspace_arn,
            "workloads": [Workload(max_vcpu=16, worker_vcpu=4)],
            "prefix": "data/",
            "database": "sales",
            "metric_name": "RunningWorkerCount",
            "uri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag",
            "repository": constructs_lib.CustomImageRepository(stack, "Repository"),
            "tag": "v1",
            "application_id": "00fabcdef12525",
            "application_arn": APPLICATION_ARN,
            "workspace_id": "ws-12345678-abcd",
            "workspace_arn": "arn:aws:aps:eu-west-1:123456789012:workspace/ws-12345678-abcd",
            "region": "eu-west-1",
            "remote_write_url": REMOTE_WRITE,
            "vcpu": 4,
            "memory_gb": 16,
            "count": 1,
            "configuration": WorkerConfiguration(vcpu=4, memory_gb=16),
            "max_vcpu": 16,
            "worker_vcpu": 4,
            "name": "group",
            "classification": "spark-defaults",
            "namespace": "rules",
            "data": "groups: []",
            "log_group": logs.LogGroup.from_log_group_name(stack, "Logs", "/emr/logs"),
            # jobs (issue 16)
            "job": constructs_lib.SparkJob(
                stack,
                "Job",
                application=self.application,
                runtime_role=self.runtime_role,
                entry_point="s3://lake-jobs/a.py",
            ),
            "expression": "rate(1 day)",
            "project": str(Path(__file__).resolve().parent.parent / "jobs" / "wordcount"),
            "query": "s3://lake-jobs/q.sql",
            "action": constructs_lib.ApplicationAction.START,
            "entry_point": "s3://lake-jobs/a.py",
            "execution_role_arn": "arn:aws:iam::123456789012:role/runtime",
            "driver": constructs_lib.SparkSubmit("s3://lake-jobs/a.py"),
        }

    def construct_id(self) -> str:
        self._count += 1
        return f"C{self._count}"


def _wrong_value(annotation: Any) -> Any:
    """A value of a type the annotation does not admit (by the annotation's text)."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    if text in ("Any", "object"):
        return None
    return 12345 if "str" in text else "not-the-right-type"


def _targets() -> Iterator[tuple[str, str]]:
    for name in constructs_lib.__all__:
        value = getattr(constructs_lib, name)
        if not inspect.isclass(value) or name in NOT_INPUTS:
            continue
        if issubclass(value, Construct) or dataclasses.is_dataclass(value):
            yield name, "__init__"
        for method in sorted(vars(value)):
            if method.startswith(("grant_", "metric", "from_")) or method in OTHER_METHODS:
                yield name, method


def _parameters(function: Callable[..., Any]) -> list[inspect.Parameter]:
    skip = {"self", "cls", "scope", "construct_id", "id"}
    return [
        p
        for p in inspect.signature(function).parameters.values()
        if p.name not in skip and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]


def _call(scene: Scene, owner: str, method: str, overrides: dict[str, Any]) -> Any:
    cls = getattr(constructs_lib, owner)
    function = getattr(cls, method)
    arguments = {
        p.name: scene.valid[p.name]
        for p in _parameters(function)
        if p.default is inspect.Parameter.empty and p.name not in overrides
    }
    arguments.update(overrides)
    if method == "__init__":
        if issubclass(cls, Construct):
            return cls(scene.stack, scene.construct_id(), **arguments)
        return cls(**arguments)
    if isinstance(inspect.getattr_static(cls, method), classmethod | staticmethod):
        if "scope" in inspect.signature(function).parameters:
            return function(scene.stack, scene.construct_id(), **arguments)
        return function(**arguments)
    return getattr(_instance(scene, cls), method)(**arguments)


def _instance(scene: Scene, cls: type) -> Any:
    known = {
        EmrServerlessApplication: scene.application,
        JobRuntimeRole: scene.runtime_role,
        PrometheusWorkspace: scene.workspace,
        constructs_lib.CustomImageRepository: scene.valid["repository"],
    }
    if cls in known:
        return known[cls]
    return _call(scene, cls.__name__, "__init__", {})


CASES = [
    (owner, method, parameter.name, parameter.annotation)
    for owner, method in _targets()
    for parameter in _parameters(getattr(getattr(constructs_lib, owner), method))
    if _wrong_value(parameter.annotation) is not None
]


@pytest.fixture(scope="module")
def scene() -> Scene:
    return Scene()


def test_the_walk_covers_the_api() -> None:
    owners = {owner for owner, _, _, _ in CASES}
    assert {"EmrServerlessApplication", "JobRuntimeRole", "EmrServerlessNetwork"} <= owners
    assert len(CASES) > 150


@pytest.mark.parametrize(
    ("owner", "method", "argument", "annotation"),
    CASES,
    ids=[f"{o}.{m}({a})" for o, m, a, _ in CASES],
)
def test_a_wrong_type_is_refused_with_our_error(
    scene: Scene, owner: str, method: str, argument: str, annotation: Any
) -> None:
    wrong = _wrong_value(annotation)
    with pytest.raises(EmrServerlessValidationError) as caught:
        _call(scene, owner, method, {argument: wrong})
    assert argument in caught.value.argument
    assert "Fix:" in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"engine": "spark"}, {"engine": EngineType.SPARK}),
        ({"engine": "Hive"}, {"engine": EngineType.HIVE}),
        ({"architecture": "arm64"}, {"architecture": Architecture.ARM64}),
        ({"architecture": "X86_64"}, {"architecture": Architecture.X86_64}),
    ],
)
def test_enum_arguments_take_their_string_forms(
    scene: Scene, arguments: dict[str, Any], expected: dict[str, Any]
) -> None:
    application = EmrServerlessApplication(scene.stack, scene.construct_id(), **arguments)
    for name, value in expected.items():
        assert getattr(application, name) is value


@pytest.mark.parametrize(
    ("engine", "keys", "expected"),
    [
        ("SPARK", ("DRIVER", "EXECUTOR"), (WorkerType.SPARK_DRIVER, WorkerType.SPARK_EXECUTOR)),
        ("HIVE", ("DRIVER", "TEZ_TASK"), (WorkerType.HIVE_DRIVER, WorkerType.TEZ_TASK)),
        ("hive", ("hive_driver", "tez_task"), (WorkerType.HIVE_DRIVER, WorkerType.TEZ_TASK)),
    ],
)
def test_initial_capacity_takes_the_guides_keys(
    scene: Scene, engine: str, keys: tuple[str, str], expected: tuple[WorkerType, WorkerType]
) -> None:
    workers = InitialWorkers(count=1, configuration=WorkerConfiguration(vcpu=4, memory_gb=16))
    application = EmrServerlessApplication(
        scene.stack,
        scene.construct_id(),
        engine=engine,
        initial_capacity=dict.fromkeys(keys, workers),
    )
    assert tuple(application.initial_capacity) == expected


@pytest.mark.parametrize(
    ("engine", "key", "message"),
    [
        ("SPARK", "TEZ_TASK", "SPARK applications have the worker types"),
        ("HIVE", "EXECUTOR", "HIVE applications have the worker types"),
        ("SPARK", "WORKER", "SPARK applications have the worker types"),
    ],
)
def test_initial_capacity_refuses_keys_of_no_worker_type_of_the_engine(
    scene: Scene, engine: str, key: str, message: str
) -> None:
    workers = InitialWorkers(count=1, configuration=WorkerConfiguration(vcpu=4, memory_gb=16))
    with pytest.raises(EmrServerlessValidationError, match=message) as caught:
        EmrServerlessApplication(
            scene.stack, scene.construct_id(), engine=engine, initial_capacity={key: workers}
        )
    assert caught.value.argument == f"initial_capacity[{key!r}]"


def test_disk_type_takes_its_string_form() -> None:
    configuration = WorkerConfiguration(
        vcpu=4, memory_gb=16, disk_gb=100, disk_type="shuffle_optimized"
    )
    assert configuration.disk_type is DiskType.SHUFFLE_OPTIMIZED
    with pytest.raises(EmrServerlessValidationError, match="DiskType") as caught:
        WorkerConfiguration(vcpu=4, memory_gb=16, disk_type="fast")
    assert caught.value.argument == "disk_type"


def test_a_token_number_passes_the_type_check(scene: Scene) -> None:
    minutes = cdk.Token.as_number(cdk.Fn.ref("IdleMinutes"))
    application = EmrServerlessApplication(
        scene.stack, scene.construct_id(), idle_timeout=Duration.minutes(minutes)
    )
    assert application.release is not None


def test_image_from_uri_refuses_a_wrong_type() -> None:
    with pytest.raises(EmrServerlessValidationError) as caught:
        ApplicationImage.from_uri(42)  # type: ignore[arg-type]
    assert caught.value.argument == "uri"
