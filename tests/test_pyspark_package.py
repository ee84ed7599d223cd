"""PySparkPackage: a project packaged offline, uploaded as assets, read by its runtime role only."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_definition import SparkJob
from constructs_lib.pyspark_package import PySparkPackage
from constructs_lib.pyspark_packaging import MissingWheelError
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.workers import Architecture
from tests.harness import Synthesis, new_app, synthesize
from tests.iam_checks import Environment, Request, identity_policies, is_allowed
from tests.test_pyspark_packaging import NATIVE_TAG, project
from tests.wheels import build_wheel

BUILT: dict[str, Any] = {}
ASSETS = "cdk-hnb659fds-assets-123456789012-eu-west-1"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    build_wheel(folder, "emrsl-pure", "1.0", {"emrsl_pure/__init__.py": b"VALUE = 42\n"})
    build_wheel(
        folder,
        "emrsl-native",
        "2.0",
        {"emrsl_native/__init__.py": b"", "emrsl_native/_speed.so": b"\x7fELF"},
        tag=NATIVE_TAG,
        requires=["emrsl-pure"],
    )
    return folder


@pytest.fixture(scope="module")
def synthesis(tmp_path_factory: pytest.TempPathFactory, wheels: Path) -> Synthesis:
    folder = project(tmp_path_factory.mktemp("project"), "emrsl-native==2.0\n")
    app = new_app()
    stack = cdk.Stack(app, "Package")
    application = EmrServerlessApplication(
        stack, "App", release=ReleaseLabel.EMR_7_6_0, architecture=Architecture.ARM64
    )
    runtime = JobRuntimeRole(stack, "Runtime")
    package = PySparkPackage(
        stack,
        "Code",
        project=str(folder),
        application=application,
        find_links=[str(wheels)],
        no_index=True,
    )
    BUILT["package"] = package
    BUILT["job"] = SparkJob(
        stack,
        "Job",
        application=application,
        runtime_role=runtime,
        code=package,
        arguments=["s3://lake/in/"],
    )
    # A plain iam.Role (not a ManagedPolicyRole) that reads the package too.
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    BUILT["plain grant"] = package.grant_read(reader)
    return synthesize(app)


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_no_warnings()


def _assets(synthesis: Synthesis) -> dict[str, dict[str, Any]]:
    """The file assets of the stack by their content hash."""
    manifest = json.loads((synthesis.outdir / "Package.assets.json").read_text())
    return {
        asset_hash: entry
        for asset_hash, entry in manifest["files"].items()
        if entry["source"]["packaging"] == "file" and not entry["source"]["path"].endswith(".json")
    }


def test_three_content_hashed_file_assets(synthesis: Synthesis) -> None:
    assets = _assets(synthesis)
    keys = sorted(
        destination["objectKey"]
        for entry in assets.values()
        for destination in entry["destinations"].values()
    )
    assert sorted(key.rsplit(".", 1)[1] for key in keys) == ["py", "zip", "zip"]
    for asset_hash, entry in assets.items():
        (destination,) = entry["destinations"].values()
        assert destination["objectKey"].startswith(asset_hash)
        staged = synthesis.outdir / entry["source"]["path"]
        if staged.suffix == ".zip":
            members = zipfile.ZipFile(staged).namelist()
            assert "mylib/__init__.py" in members or "emrsl_native/_speed.so" in members


def test_the_job_takes_the_entry_point_and_settings(synthesis: Synthesis) -> None:
    request = BUILT["job"].request
    package = BUILT["package"]
    stack = cdk.Stack.of(package)
    assert stack.resolve(request["jobDriver"]["sparkSubmit"]["entryPoint"]) == stack.resolve(
        package.entry_point
    )
    (defaults,) = request["configurationOverrides"]["applicationConfiguration"]
    properties = stack.resolve(defaults["properties"])
    assert set(properties) == {
        "spark.submit.pyFiles",
        "spark.archives",
        "spark.emr-serverless.driverEnv.PYTHONPATH",
        "spark.executorEnv.PYTHONPATH",
    }
    assert properties["spark.emr-serverless.driverEnv.PYTHONPATH"] == "./environment"
    archives = properties["spark.archives"]["Fn::Join"][1]
    assert archives[0]["Fn::Sub"].startswith("s3://cdk-hnb659fds-assets-${AWS::AccountId}-")
    assert archives[0]["Fn::Sub"].endswith(".zip")
    assert archives[1] == "#environment"


def test_the_runtime_role_reads_exactly_the_packaged_objects(synthesis: Synthesis) -> None:
    template = synthesis.templates["Package"]
    env = Environment(region="eu-west-1", account="123456789012")
    documents = [d for k, d in identity_policies(template, env).items() if k.startswith("Runtime")]
    keys = [
        destination["objectKey"]
        for entry in _assets(synthesis).values()
        for destination in entry["destinations"].values()
    ]
    assert len(keys) == 3
    for key in keys:
        assert is_allowed(documents, Request("s3:GetObject", f"arn:aws:s3:::{ASSETS}/{key}"))
        assert not is_allowed(documents, Request("s3:PutObject", f"arn:aws:s3:::{ASSETS}/{key}"))
    assert not is_allowed(documents, Request("s3:GetObject", f"arn:aws:s3:::{ASSETS}/other.zip"))
    assert not is_allowed(documents, Request("s3:ListBucket", f"arn:aws:s3:::{ASSETS}"))
    statements = [s for d in documents for s in d["Statement"] if s["Action"] == "s3:GetObject"]
    assert len(statements) == 1
    assert statements[0]["Effect"] == "Allow"
    assert sorted(statements[0]["Resource"]) == sorted(f"arn:aws:s3:::{ASSETS}/{k}" for k in keys)


def test_a_plain_role_is_granted_in_a_managed_policy_not_an_inline_one(
    synthesis: Synthesis,
) -> None:
    template = synthesis.templates["Package"]
    assert [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"] == []
    env = Environment(region="eu-west-1", account="123456789012")
    documents = {
        k: d for k, d in identity_policies(template, env).items() if k.startswith("Reader")
    }
    (name,) = documents
    assert template["Resources"][name]["Type"] == "AWS::IAM::ManagedPolicy"
    for entry in _assets(synthesis).values():
        for destination in entry["destinations"].values():
            arn = f"arn:aws:s3:::{ASSETS}/{destination['objectKey']}"
            assert is_allowed(list(documents.values()), Request("s3:GetObject", arn))
    assert BUILT["plain grant"].success


def test_the_platform_follows_the_application(synthesis: Synthesis) -> None:
    platform = BUILT["package"].platform
    assert platform.python_version == "3.9"
    assert platform.platform_tags[0] == "manylinux_2_34_aarch64"


def test_a_dependency_without_a_wheel_is_refused_at_synth(tmp_path: Path, wheels: Path) -> None:
    folder = project(tmp_path, "emrsl-native==2.0\n")
    stack = cdk.Stack(new_app(compliance=False), "X86")
    application = EmrServerlessApplication(stack, "App", release=ReleaseLabel.EMR_7_6_0)
    with pytest.raises(MissingWheelError, match="no wheel of emrsl-native"):
        PySparkPackage(
            stack,
            "Code",
            project=str(folder),
            application=application,
            find_links=[str(wheels)],
            no_index=True,
        )


def test_without_a_folder_it_is_refused(tmp_path: Path) -> None:
    stack = cdk.Stack(new_app(compliance=False), "Nothing")
    default = PySparkPackage(stack, "Default", project=str(project(tmp_path / "d", None)))
    assert default.platform.python_version == "3.9"  # the default release is an emr-7.x one
    with pytest.raises(EmrServerlessValidationError, match="is a folder"):
        PySparkPackage(
            stack, "Missing", project=str(tmp_path / "none"), release=ReleaseLabel.EMR_7_6_0
        )
    folder = project(tmp_path, None)
    built = PySparkPackage(stack, "Bare", project=str(folder), release=ReleaseLabel.EMR_7_6_0)
    assert built.dependencies is None
    assert "spark.archives" not in built.spark_properties
