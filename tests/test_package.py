"""The package: its public API, pure modules, and the wheel and sdist a user installs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path
from types import ModuleType

import pytest

import constructs_lib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIST_INFO = "emr_serverless_constructs-{version}.dist-info".format(
    version=PYPROJECT["project"]["version"]
)

PURE_MODULES = [
    "constructs_lib.errors",
    "constructs_lib.iam_actions",
    "constructs_lib.subnet_planning",
    "constructs_lib.runtime_permissions",
    "constructs_lib.releases",
    "constructs_lib.workers",
    "constructs_lib.runtime_configuration",
    "constructs_lib.metrics",
    "constructs_lib.application_rules",
    "constructs_lib._checks",
    "constructs_lib._cli",
    "constructs_lib.config_reader",
    "constructs_lib.platform_config",
    "constructs_lib.stack_outputs",
    "constructs_lib.jobs",
    "constructs_lib.image_references",
    "constructs_lib.job_defaults",
    "constructs_lib.monitoring_rules",
    "constructs_lib.prometheus_rules",
    "constructs_lib.sources",
    "constructs_lib.validation_report",
]

#: Blocks the modules named in argv[1:] (as if they were not installed), then runs stdin.
WITHOUT_MODULES = (
    "import sys\nfor name in sys.argv[1:]:\n    sys.modules[name] = None\nexec(sys.stdin.read())\n"
)


def _load_consumer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("consumer", ROOT / "scripts" / "consumer.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["consumer"] = module
    spec.loader.exec_module(module)
    return module


consumer = _load_consumer()


def _without(modules: list[str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_MODULES, *modules],
        input=code,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_every_export_resolves() -> None:
    for name in constructs_lib.__all__:
        assert getattr(constructs_lib, name) is not None, name


def test_pure_modules_do_not_load_aws_cdk() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE_MODULES)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_constructs_load_without_the_cli_extra() -> None:
    """boto3 comes with the [cli] extra only: no public name needs it."""
    loaded = _without(
        ["boto3"],
        "import constructs_lib\n"
        "print(sum(getattr(constructs_lib, n) is not None for n in constructs_lib.__all__))",
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == str(len(constructs_lib.__all__))


def test_the_jobs_command_without_the_extra_names_it() -> None:
    ran = _without(
        ["boto3", "botocore"],
        "from constructs_lib._cli import jobs\nraise SystemExit(jobs())",
    )
    assert ran.returncode == 2
    assert ran.stderr.strip() == (
        "emr-serverless-jobs: needs boto3 and botocore, installed with the [cli] extra: "
        "pip install 'emr-serverless-constructs[cli]'"
    )


def test_the_jobs_command_with_the_extra_runs_the_tool() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", "from constructs_lib._cli import jobs; raise SystemExit(jobs())"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 2
    assert ran.stderr.startswith("emr-serverless-jobs: error: the following arguments are required")


# --- the distributions -----------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel and the sdist, each built once from a copy of this checkout's sources."""
    out = tmp_path_factory.mktemp("dist")
    return {
        "wheel": consumer.build(ROOT, out, kind="wheel"),
        "sdist": consumer.build(ROOT, out, kind="sdist"),
    }


@pytest.fixture(scope="module")
def wheel_names(dist: dict[str, Path]) -> list[str]:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        return wheel.namelist()


@pytest.fixture(scope="module")
def metadata(dist: dict[str, Path]) -> dict[str, list[str]]:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        message = Parser().parsestr(wheel.read(f"{DIST_INFO}/METADATA").decode())
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key, []).append(value)
    return fields


def test_the_wheel_holds_the_library_alone(wheel_names: list[str]) -> None:
    tops = {name.split("/")[0] for name in wheel_names}
    assert tops == {"constructs_lib", DIST_INFO}
    assert "constructs_lib/py.typed" in wheel_names


def test_the_wheel_holds_every_file_of_the_package(wheel_names: list[str]) -> None:
    """Data files too (a handler a construct bundles, say): what is in git is installed."""
    sources = {
        name
        for name in consumer.source_files(ROOT)
        if name.startswith("constructs_lib/") and "__pycache__" not in name
    }
    packaged = {name for name in wheel_names if name.startswith("constructs_lib/")}
    assert packaged == sources


def test_the_wheel_names_one_top_level_package(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        top_level = wheel.read(f"{DIST_INFO}/top_level.txt").decode().split()
        entry_points = wheel.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert top_level == ["constructs_lib"]
    assert "emr-serverless-jobs = constructs_lib._cli:jobs" in entry_points
    assert "emr-serverless-subnet-plan = constructs_lib.subnet_planning.__main__:main" in (
        entry_points
    )


def test_the_metadata_a_pypi_user_expects(metadata: dict[str, list[str]]) -> None:
    project = PYPROJECT["project"]
    assert metadata["Name"] == ["emr-serverless-constructs"]
    assert metadata["Version"] == [project["version"]]
    assert metadata["License-Expression"] == ["Apache-2.0"]
    assert metadata["License-File"] == ["LICENSE"]
    assert metadata["Requires-Python"] == [">=3.11"]
    classifiers = set(metadata["Classifier"])
    assert {
        "Typing :: Typed",
        "Framework :: AWS CDK :: 2",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3 :: Only",
    } <= classifiers
    assert metadata["Project-URL"]
    assert metadata["Description-Content-Type"] == ["text/markdown"]


def test_dependencies_are_ranges_up_to_the_next_major(metadata: dict[str, list[str]]) -> None:
    required = {r for r in metadata["Requires-Dist"] if "extra ==" not in r}
    assert required == {
        "aws-cdk-lib<3,>=2.269.0",
        "constructs<11,>=10.5.1",
        "cdk-nag<4,>=3.0.2",
        "PyYAML<7,>=6.0.1",
        "botocore<2,>=1.43.24",
    }
    extras = {r for r in metadata["Requires-Dist"] if "extra ==" in r}
    assert 'boto3<2,>=1.43.24; extra == "cli"' in extras
    assert not [r for r in metadata["Requires-Dist"] if "==" in r.split(";")[0]]
    # The development tools are a dependency group: not part of what users install.
    assert metadata["Provides-Extra"] == ["cli"]


def test_the_sdist_builds_the_same_wheel(dist: dict[str, Path], tmp_path: Path) -> None:
    """An sdist holds the library's sources and metadata, and nothing of the platform."""
    with tarfile.open(dist["sdist"]) as sdist:
        names = sdist.getnames()
        sdist.extractall(tmp_path, filter="data")
    base = names[0].split("/")[0]
    inside = {name.removeprefix(f"{base}/") for name in names if "/" in name}
    assert {"pyproject.toml", "README.md", "LICENSE", "constructs_lib/py.typed"} <= inside
    assert not [n for n in inside if n.split("/")[0] in {"stacks", "tests", "examples"}]
    assert "app.py" not in inside
    rebuilt = consumer.build(tmp_path / base, tmp_path / "out", kind="wheel")
    with zipfile.ZipFile(rebuilt) as wheel, zipfile.ZipFile(dist["wheel"]) as original:
        assert sorted(wheel.namelist()) == sorted(original.namelist())


# --- the consumer test's own logic -------------------------------------------------------


def test_the_consumer_installs_the_lower_bounds() -> None:
    assert consumer.lowest_pins(ROOT / "pyproject.toml") == [
        "aws-cdk-lib==2.269.0",
        "constructs==10.5.1",
        "cdk-nag==3.0.2",
        "PyYAML==6.0.1",
        "botocore==1.43.24",
    ]


def test_a_dependency_without_a_lower_bound_is_refused(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["aws-cdk-lib<3"]\n')
    with pytest.raises(consumer.ConsumerError, match="lower bound"):
        consumer.lowest_pins(pyproject)


def test_the_cached_environment_is_keyed_on_pins_and_interpreter() -> None:
    key = consumer.cache_key(["a==1", "b==2"], "CPython-3.11.9")
    assert key == consumer.cache_key(["b==2", "a==1"], "CPython-3.11.9")
    assert key != consumer.cache_key(["a==1", "b==3"], "CPython-3.11.9")
    assert key != consumer.cache_key(["a==1", "b==2"], "CPython-3.12.1")


def _assembly(tmp_path: Path, *, report: list[dict], metadata: list[dict]) -> Path:
    (tmp_path / "validation-report.json").write_text(json.dumps({"pluginReports": report}))
    (tmp_path / "S.metadata.json").write_text(json.dumps({"/S/Bucket": metadata}))
    (tmp_path / "S.template.json").write_text("{}")
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": {}}))
    return tmp_path


def test_a_clean_assembly_passes(tmp_path: Path) -> None:
    clean = _assembly(tmp_path, report=[], metadata=[{"type": "aws:cdk:logicalId", "data": "B"}])
    assert consumer.check_cloud_assembly(clean) == []


def test_findings_and_warnings_fail_an_example(tmp_path: Path) -> None:
    report = [{"pluginName": "AwsSolutions", "violations": [{"ruleName": "AwsSolutions-S1"}]}]
    metadata = [{"type": "aws:cdk:warning", "data": "something unchecked"}]
    problems = consumer.check_cloud_assembly(_assembly(tmp_path, report=report, metadata=metadata))
    assert problems == [
        "AwsSolutions: AwsSolutions-S1",
        "/S/Bucket: aws:cdk:warning: something unchecked",
    ]
