"""Packaging a PySpark project offline: wheels for the application's platform, nothing else.

The tests build their own wheels (a pure-Python one and a "binary" one tagged
``manylinux_2_17_aarch64``) and a source distribution in a temporary folder, and pip
resolves from it alone (``--no-index --find-links``): no network.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.pyspark_packaging import (
    ARCHIVES,
    DRIVER_PYTHONPATH,
    EXECUTOR_PYTHONPATH,
    PLATFORMS,
    PY_FILES,
    MissingWheelError,
    package_project,
    pip_install_command,
    platform_for,
    spark_properties,
    write_zip,
)
from constructs_lib.releases import KNOWN_RELEASES, ReleaseLabel
from constructs_lib.workers import Architecture
from tests.wheels import build_sdist, build_wheel

ARM = platform_for(ReleaseLabel.EMR_7_6_0, Architecture.ARM64)
X86 = platform_for(ReleaseLabel.EMR_7_6_0, Architecture.X86_64)
NATIVE_TAG = "cp39-cp39-manylinux_2_17_aarch64.manylinux2014_aarch64"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    build_wheel(folder, "emrsl-pure", "1.0", {"emrsl_pure/__init__.py": b"VALUE = 42\n"})
    build_wheel(
        folder,
        "emrsl-native",
        "2.0",
        {
            "emrsl_native/__init__.py": b"from emrsl_pure import VALUE\n",
            "emrsl_native/_speed.cpython-39-aarch64-linux-gnu.so": b"\x7fELF not really",
        },
        tag=NATIVE_TAG,
        requires=["emrsl-pure>=1"],
    )
    build_wheel(
        folder,
        "emrsl-tool",
        "1.0",
        {"emrsl_tool/__init__.py": b""},
        requires=[],
    )
    build_sdist(folder, "emrsl-source", "1.0")
    return folder


def project(root: Path, requirements: str | None) -> Path:
    folder = root / "project"
    (folder / "mylib").mkdir(parents=True)
    (folder / "main.py").write_text("import mylib\nprint(mylib.answer())\n")
    (folder / "mylib" / "__init__.py").write_text("def answer():\n    return 42\n")
    (folder / "mylib" / "helpers.py").write_text("X = 1\n")
    (folder / "single.py").write_text("Y = 2\n")
    (folder / "tests").mkdir()
    (folder / "tests" / "__init__.py").write_text("")
    (folder / "notes.txt").write_text("not code")
    if requirements is not None:
        (folder / "requirements.txt").write_text(requirements)
    return folder


def build(root: Path, wheels: Path, requirements: str | None, platform: object = ARM) -> object:
    return package_project(
        project(root, requirements),
        platform=platform,  # type: ignore[arg-type]
        out_dir=root / "out",
        find_links=[str(wheels)],
        no_index=True,
    )


def names(archive: Path) -> list[str]:
    return zipfile.ZipFile(archive).namelist()


def test_pure_dependency(tmp_path: Path, wheels: Path) -> None:
    built = build(tmp_path, wheels, "# comment\nemrsl-pure==1.0\n")
    assert names(built.dependencies) == [  # type: ignore[attr-defined]
        "emrsl_pure-1.0.dist-info/INSTALLER",
        "emrsl_pure-1.0.dist-info/METADATA",
        "emrsl_pure-1.0.dist-info/RECORD",
        "emrsl_pure-1.0.dist-info/REQUESTED",
        "emrsl_pure-1.0.dist-info/WHEEL",
        "emrsl_pure/__init__.py",
    ]
    assert names(built.modules) == [  # type: ignore[attr-defined]
        "mylib/__init__.py",
        "mylib/helpers.py",
        "single.py",
    ]
    assert built.entry_point.read_text() == "import mylib\nprint(mylib.answer())\n"  # type: ignore[attr-defined]


def test_binary_dependency_and_its_requirement_for_arm64(tmp_path: Path, wheels: Path) -> None:
    built = build(tmp_path, wheels, "emrsl-native==2.0\n")
    files = names(built.dependencies)  # type: ignore[attr-defined]
    assert "emrsl_native/_speed.cpython-39-aarch64-linux-gnu.so" in files
    assert "emrsl_pure/__init__.py" in files  # resolved from emrsl-native's Requires-Dist
    assert not [f for f in files if f.endswith(".pyc") or f.startswith("bin/")]


def test_a_dependency_without_a_wheel_for_the_platform_is_refused_by_name(
    tmp_path: Path, wheels: Path
) -> None:
    with pytest.raises(MissingWheelError) as refused:
        build(tmp_path, wheels, "emrsl-native==2.0\n", platform=X86)
    message = str(refused.value)
    assert (
        "pip found no wheel of emrsl-native for CPython 3.9 on Amazon Linux 2023 x86_64" in message
    )
    assert "Fix: pin a version of emrsl-native" in message


def test_a_source_distribution_only_is_refused(tmp_path: Path, wheels: Path) -> None:
    with pytest.raises(MissingWheelError, match="no wheel of emrsl-source"):
        build(tmp_path, wheels, "emrsl-source\n")


def test_the_wrong_python_is_refused(tmp_path: Path, wheels: Path) -> None:
    emr_6 = platform_for(ReleaseLabel.EMR_6_15_0, Architecture.ARM64)
    assert emr_6.python_version == "3.7"
    with pytest.raises(MissingWheelError, match=r"CPython 3\.7 on Amazon Linux 2 aarch64"):
        build(tmp_path, wheels, "emrsl-native==2.0\n", platform=emr_6)


def test_without_requirements_there_is_no_archive(tmp_path: Path, wheels: Path) -> None:
    assert build(tmp_path, wheels, None).dependencies is None  # type: ignore[attr-defined]
    other = tmp_path / "other"
    assert build(other, wheels, "# nothing\n\n").dependencies is None  # type: ignore[attr-defined]


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path, wheels: Path) -> None:
    first = build(tmp_path / "a", wheels, "emrsl-native==2.0\n")
    second = build(tmp_path / "b", wheels, "emrsl-native==2.0\n")
    assert first.fingerprint == second.fingerprint  # type: ignore[attr-defined]
    assert first.dependencies.read_bytes() == second.dependencies.read_bytes()  # type: ignore[attr-defined]


def test_a_missing_entry_point_or_module_is_refused(tmp_path: Path, wheels: Path) -> None:
    folder = project(tmp_path, None)
    with pytest.raises(EmrServerlessValidationError, match="entry point is a Python script"):
        package_project(folder, platform=ARM, out_dir=tmp_path / "o", entry_point="job.py")
    with pytest.raises(EmrServerlessValidationError, match=r"package folder or a \.py file"):
        package_project(folder, platform=ARM, out_dir=tmp_path / "o", modules=["nothing"])
    chosen = package_project(folder, platform=ARM, out_dir=tmp_path / "o", modules=["single"])
    assert names(chosen.modules) == ["single.py"]  # type: ignore[arg-type]


def test_pip_is_asked_for_wheels_of_the_platform_only(tmp_path: Path) -> None:
    command = pip_install_command(
        target=tmp_path / "t", requirements=tmp_path / "r.txt", platform=ARM, no_index=True
    )
    assert "--only-binary=:all:" in command
    assert command[command.index("--python-version") + 1] == "3.9"
    assert command[command.index("--implementation") + 1] == "cp"
    platforms = [command[i + 1] for i, part in enumerate(command) if part == "--platform"]
    assert platforms[0] == "manylinux_2_34_aarch64"
    assert platforms[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
    assert "--no-compile" in command
    assert "--no-index" in command


def test_x86_64_tags_reach_back_to_manylinux1() -> None:
    assert X86.platform_tags[-2:] == ("manylinux_2_5_x86_64", "manylinux1_x86_64")
    assert "manylinux2010_x86_64" in X86.platform_tags
    assert "manylinux2014_x86_64" in X86.platform_tags


@pytest.mark.parametrize(
    ("release", "python", "glibc"),
    [
        (ReleaseLabel.EMR_6_6_0, "3.7", "2.26"),
        (ReleaseLabel.EMR_6_15_0, "3.7", "2.26"),
        (ReleaseLabel.EMR_7_0_0, "3.9", "2.34"),
        (ReleaseLabel.EMR_7_12_0, "3.9", "2.34"),
    ],
)
def test_each_release_lines_python(release: ReleaseLabel, python: str, glibc: str) -> None:
    platform = platform_for(release, Architecture.X86_64)
    assert platform.python_version == python
    assert f"glibc {glibc}" in platform.description
    assert platform.abi == "cp" + python.replace(".", "")


def test_every_known_release_has_a_platform_with_a_source() -> None:
    for release in KNOWN_RELEASES:
        if release.line is not None and release.line.family == "emr":
            assert platform_for(release, Architecture.ARM64).platform_tags
    assert all(row.source for row in PLATFORMS)


def test_releases_past_the_table_need_a_python_version() -> None:
    future = ReleaseLabel.EMR_SPARK_8_1_0
    with pytest.raises(EmrServerlessValidationError, match="pass python_version"):
        platform_for(future, Architecture.X86_64)
    assert platform_for(future, Architecture.X86_64, python_version="3.11").abi == "cp311"
    with pytest.raises(EmrServerlessValidationError, match=r"major\.minor"):
        platform_for(ReleaseLabel.EMR_7_6_0, Architecture.X86_64, python_version="3")


def test_spark_properties() -> None:
    assert spark_properties(py_files="s3://b/m.zip", dependencies="s3://b/d.zip") == {
        PY_FILES: "s3://b/m.zip",
        ARCHIVES: "s3://b/d.zip#environment",
        DRIVER_PYTHONPATH: "./environment",
        EXECUTOR_PYTHONPATH: "./environment",
    }
    assert spark_properties(py_files=None, dependencies=None) == {}


@given(
    files=st.dictionaries(
        st.from_regex(r"\A[a-z]{1,8}(/[a-z]{1,8}){0,2}\.py\Z"), st.binary(max_size=64), max_size=6
    )
)
def test_zips_are_reproducible(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, bytes]
) -> None:
    root = tmp_path_factory.mktemp("zip")
    paths = {}
    for index, (name, data) in enumerate(files.items()):
        path = root / f"f{index}"
        path.write_bytes(data)
        paths[name] = path
    write_zip(root / "a.zip", paths)
    write_zip(root / "b.zip", dict(reversed(list(paths.items()))))
    assert (root / "a.zip").read_bytes() == (root / "b.zip").read_bytes()
    with zipfile.ZipFile(root / "a.zip") as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == files
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_the_packaged_code_imports_as_spark_would_set_it_up(tmp_path: Path, wheels: Path) -> None:
    """Without Spark: unpack the archive as ``#environment`` into a working directory, put
    the modules zip on the path as ``spark.submit.pyFiles`` does, set ``PYTHONPATH`` to
    ``./environment`` as the job's settings do, and run the entry point's imports."""
    built = build(tmp_path, wheels, "emrsl-pure==1.0\n")
    work = tmp_path / "container"
    zipfile.ZipFile(built.dependencies).extractall(work / "environment")  # type: ignore[attr-defined]
    probe = work / "probe.py"
    probe.write_text(
        "import emrsl_pure, mylib, single\n"
        "print(emrsl_pure.VALUE, mylib.answer(), single.Y, emrsl_pure.__file__)\n"
    )
    properties = spark_properties(py_files=str(built.modules), dependencies="s3://b/d.zip")  # type: ignore[attr-defined]
    path = os.pathsep.join([properties[EXECUTOR_PYTHONPATH], properties[PY_FILES]])
    result = subprocess.run(
        [sys.executable, "-s", "probe.py"],
        cwd=work,
        env={"PYTHONPATH": path, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    value, answer, y, location = result.stdout.split()
    assert (value, answer, y) == ("42", "42", "2")
    assert "/environment/emrsl_pure/" in location
