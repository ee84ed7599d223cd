"""Package a PySpark project for EMR Serverless without Docker: modules zip and wheel archive.

EMR Serverless runs PySpark with its image's Python on its image's Linux (:data:`PLATFORMS`).
A project's own modules go in a zip on ``spark.submit.pyFiles`` (Spark puts it on
``PYTHONPATH``; guide L5974-5979). Its dependencies are resolved by ``pip`` for the image's
platform (``--platform manylinux_..._<arch> --python-version <x.y> --only-binary=:all:``),
installed (unpacked) into one folder, and zipped; ``spark.archives=<zip>#environment``
unpacks it into every driver's and executor's working directory (guide L2911), and
``PYTHONPATH=./environment`` puts it on their path. No virtual environment and no Python
binary are shipped, so nothing has to be built on Amazon Linux: only wheels, which pip
picks for the target platform.

Limits: dependencies must have wheels for the platform (no source distributions: building
one needs the target's compilers), and the job runs on the image's Python. A project that
needs another Python builds a custom image (guide L6418-6443).

Archives are reproducible: entries sorted, timestamps fixed, permissions normalised, no
byte code, so the same inputs give the same bytes and the same content hash.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import ReleaseLabel
from constructs_lib.workers import Architecture

#: What the dependencies archive is unpacked as, under each working directory.
ARCHIVE_ALIAS = "environment"
#: Spark properties the packaged code sets (guide L2911, L2931, L2951).
PY_FILES = "spark.submit.pyFiles"
ARCHIVES = "spark.archives"
DRIVER_PYTHONPATH = "spark.emr-serverless.driverEnv.PYTHONPATH"
EXECUTOR_PYTHONPATH = "spark.executorEnv.PYTHONPATH"

#: A fixed timestamp for archive entries (the earliest a zip can hold).
_EPOCH = (1980, 1, 1, 0, 0, 0)
#: Folders and files never packaged from a project.
_SKIPPED = frozenset({"__pycache__", ".git", ".venv", "venv", "build", "dist", "tests", "test"})
_MISSING = re.compile(
    r"(?:No matching distribution found for|Could not find a version that satisfies the "
    r"requirement) (?P<name>[A-Za-z0-9._\-\[\],<>=!~ ]+?)(?: \(from|$)",
    re.MULTILINE,
)
_PYTHON = re.compile(r"3\.\d{1,2}")


@dataclass(frozen=True)
class Platform:
    """The Python and Linux a release line runs PySpark on."""

    line: str
    python_version: str
    glibc: tuple[int, int]
    linux: str
    source: str


#: Per release line: the Python PySpark uses and the C library wheels link to.
PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "emr-6.x",
        "3.7",
        (2, 26),
        "Amazon Linux 2",
        "guide L5991 (Python 3.7.10 for emr-6.6.0, Amazon Linux 2), L6075 (6.x: Amazon "
        "Linux 2, whose glibc is 2.26)",
    ),
    Platform(
        "emr-7.x",
        "3.9",
        (2, 34),
        "Amazon Linux 2023",
        "guide L6073 (7.0.0+: Amazon Linux 2023); Python 3.9 in every 7.x release "
        "(https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-app-versions-7.x.html); "
        "glibc 2.34 (https://docs.aws.amazon.com/linux/al2023/ug/core-glibc.html)",
    ),
)
#: The first glibc minor of each architecture's manylinux tags, and pip's legacy aliases.
_FIRST_GLIBC = {Architecture.X86_64: 5, Architecture.ARM64: 17}
_MACHINE = {Architecture.X86_64: "x86_64", Architecture.ARM64: "aarch64"}
_LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


@dataclass(frozen=True)
class TargetPlatform:
    """What pip resolves for: one Python version and the wheel platform tags that run."""

    python_version: str
    platform_tags: tuple[str, ...]
    description: str

    @property
    def abi(self) -> str:
        """The CPython ABI tag, e.g. ``cp39``."""
        return "cp" + self.python_version.replace(".", "")


def platform_for(
    release: ReleaseLabel, architecture: Architecture, *, python_version: str | None = None
) -> TargetPlatform:
    """The Python and wheel platforms of ``release`` on ``architecture``.

    :param python_version: another Python (``3.x``), for a custom image that runs it.
        Default: the release's.
    :raises EmrServerlessValidationError: for a release this table does not know, without
        ``python_version``.
    """
    if python_version is not None and not _PYTHON.fullmatch(python_version):
        raise EmrServerlessValidationError(
            argument="python_version",
            value=python_version,
            rule="a Python version is major.minor, e.g. 3.9",
            fix="pass the Python the image runs PySpark with, e.g. '3.9'",
        )
    line = release.line
    row = next((row for row in PLATFORMS if line is not None and row.line == line.name), None)
    if row is None:
        if python_version is None:
            raise EmrServerlessValidationError(
                argument="release",
                value=release.label,
                rule="this library knows the Python of the "
                + " and ".join(row.line for row in PLATFORMS)
                + f" release lines only ({PLATFORMS[-1].source})",
                fix="pass python_version: the glibc of the newest known image "
                f"({'.'.join(map(str, PLATFORMS[-1].glibc))}) is then assumed",
            )
        row = PLATFORMS[-1]
    major, minor = row.glibc
    machine = _MACHINE[architecture]
    tags: list[str] = []
    for glibc_minor in range(minor, _FIRST_GLIBC[architecture] - 1, -1):
        tags.append(f"manylinux_{major}_{glibc_minor}_{machine}")
        if glibc_minor in _LEGACY:
            tags.append(f"{_LEGACY[glibc_minor]}_{machine}")
    version = python_version or row.python_version
    return TargetPlatform(
        python_version=version,
        platform_tags=tuple(tags),
        description=f"CPython {version} on {row.linux} {machine} (glibc {major}.{minor}; "
        f"{row.source})",
    )


def pip_install_command(
    *,
    target: Path,
    requirements: Path,
    platform: TargetPlatform,
    find_links: Sequence[str] = (),
    index_url: str | None = None,
    no_index: bool = False,
    python: str = sys.executable,
) -> list[str]:
    """``pip install --target`` of ``requirements`` for ``platform``, wheels only, no byte code."""
    command = [
        python,
        "-m",
        "pip",
        "install",
        "--target",
        str(target),
        "--requirement",
        str(requirements),
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        platform.python_version,
        "--abi",
        platform.abi,
        "--abi",
        "abi3",
        "--abi",
        "none",
        "--no-compile",
        "--no-warn-script-location",
        "--disable-pip-version-check",
        "--no-input",
    ]
    for tag in platform.platform_tags:
        command += ["--platform", tag]
    if no_index:
        command.append("--no-index")
    if index_url is not None:
        command += ["--index-url", index_url]
    for link in find_links:
        command += ["--find-links", link]
    return command


class MissingWheelError(EmrServerlessValidationError):
    """A dependency has no wheel for the application's platform."""


@dataclass(frozen=True)
class PackagedProject:
    """The files a job needs, built from a project folder."""

    entry_point: Path
    modules: Path | None
    dependencies: Path | None
    fingerprint: str


def package_project(
    project: Path,
    *,
    platform: TargetPlatform,
    out_dir: Path,
    entry_point: str = "main.py",
    requirements: str | None = "requirements.txt",
    modules: Sequence[str] | None = None,
    find_links: Sequence[str] = (),
    index_url: str | None = None,
    no_index: bool = False,
) -> PackagedProject:
    """Build ``project``'s entry point, modules zip and dependencies zip into ``out_dir``.

    :param entry_point: the script, relative to ``project``.
    :param requirements: the requirements file, relative to ``project``; a missing file
        means no dependencies. ``None``: none.
    :param modules: the top-level packages and modules to zip. Default: every package
        (folder with ``__init__.py``) and module beside the entry point.
    :param no_index: resolve from ``find_links`` only, ignoring pip's configuration
        (offline builds and tests).
    :raises EmrServerlessValidationError: for a missing entry point or module.
    :raises MissingWheelError: naming a dependency without a wheel for ``platform``.
    """
    project = Path(project)
    script = project / entry_point
    if not script.is_file():
        raise EmrServerlessValidationError(
            argument="entry_point",
            value=str(script),
            rule="the entry point is a Python script in the project folder",
            fix="pass entry_point relative to the project, e.g. 'main.py'",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    staged_script = out_dir / script.name
    shutil.copyfile(script, staged_script)
    names = list(modules) if modules is not None else _default_modules(project, script)
    module_zip = None
    if names:
        module_zip = out_dir / "modules.zip"
        write_zip(module_zip, _module_files(project, names))
    requirements_file = project / requirements if requirements else None
    dependencies = None
    if (
        requirements_file is not None
        and requirements_file.is_file()
        and _has_requirements(requirements_file)
    ):
        dependencies = out_dir / "dependencies.zip"
        _install_dependencies(
            requirements_file,
            platform=platform,
            archive=dependencies,
            find_links=find_links,
            index_url=index_url,
            no_index=no_index,
        )
    digest = hashlib.sha256()
    for path in (staged_script, module_zip, dependencies):
        digest.update(b"-" if path is None else path.read_bytes())
    return PackagedProject(staged_script, module_zip, dependencies, digest.hexdigest())


def spark_properties(*, py_files: str | None, dependencies: str | None) -> dict[str, str]:
    """The ``spark-defaults`` that put the packaged modules and dependencies on the path."""
    properties: dict[str, str] = {}
    if py_files is not None:
        properties[PY_FILES] = py_files
    if dependencies is not None:
        properties[ARCHIVES] = f"{dependencies}#{ARCHIVE_ALIAS}"
        properties[DRIVER_PYTHONPATH] = f"./{ARCHIVE_ALIAS}"
        properties[EXECUTOR_PYTHONPATH] = f"./{ARCHIVE_ALIAS}"
    return properties


def _has_requirements(path: Path) -> bool:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return any(lines)


def _default_modules(project: Path, script: Path) -> list[str]:
    names = []
    for child in sorted(project.iterdir()):
        if child.name.startswith(".") or child.name in _SKIPPED or child == script:
            continue
        package = child.is_dir() and (child / "__init__.py").is_file()
        module = child.is_file() and child.suffix == ".py" and child.name != "setup.py"
        if package or module:
            names.append(child.name)
    return names


def _module_files(project: Path, names: Iterable[str]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for name in names:
        path = project / name
        if not path.exists() and (project / f"{name}.py").is_file():
            path = project / f"{name}.py"
        if path.is_file():
            files[path.name] = path
        elif path.is_dir():
            files.update(_tree(path, prefix=path.name))
        else:
            raise EmrServerlessValidationError(
                argument="modules",
                value=name,
                rule="each module is a package folder or a .py file in the project folder",
                fix="name top-level packages or modules of the project",
            )
    return files


def _tree(root: Path, *, prefix: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f != "__pycache__" and not f.startswith("."))
        for name in files:
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(directory) / name
            found[f"{prefix}/{path.relative_to(root).as_posix()}"] = path
    return found


def _install_dependencies(
    requirements: Path,
    *,
    platform: TargetPlatform,
    archive: Path,
    find_links: Sequence[str],
    index_url: str | None,
    no_index: bool,
) -> None:
    with tempfile.TemporaryDirectory(prefix="emr-serverless-deps-") as work:
        target = Path(work) / "site-packages"
        command = pip_install_command(
            target=target,
            requirements=requirements,
            platform=platform,
            find_links=find_links,
            index_url=index_url,
            no_index=no_index,
        )
        environment = dict(os.environ)
        if no_index:
            environment["PIP_CONFIG_FILE"] = os.devnull
            for name in [n for n in environment if n.startswith("PIP_") and n != "PIP_CONFIG_FILE"]:
                del environment[name]
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, env=environment
        )
        if result.returncode != 0:
            raise _pip_error(result.stderr + result.stdout, requirements, platform)
        files = {
            name: path
            for name, path in _tree(target, prefix="").items()
            if not name.lstrip("/").startswith("bin/")
        }
        write_zip(archive, {name.lstrip("/"): path for name, path in files.items()})


def _pip_error(output: str, requirements: Path, platform: TargetPlatform) -> Exception:
    match = _MISSING.search(output)
    if match is not None:
        requirement = match["name"].strip()
        name = re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0]
        return MissingWheelError(
            argument=f"requirements ({requirements.name})",
            value=requirement,
            rule=f"pip found no wheel of {name} for {platform.description}; EMR Serverless "
            "jobs cannot build source distributions, and this packaging installs wheels only "
            f"(platform tags tried: {', '.join(platform.platform_tags[:3])}, ...)",
            fix=f"pin a version of {name} that publishes a manylinux wheel for this platform "
            "and Python, build one, or run the job on a custom image that has it",
        )
    last = [line for line in output.strip().splitlines() if line.strip()][-3:]
    return EmrServerlessValidationError(
        argument=f"requirements ({requirements.name})",
        value=str(requirements),
        rule=f"pip could not install the requirements for {platform.description}: "
        + " / ".join(last),
        fix="fix the requirements file (pip's message above), or the index settings",
    )


def write_zip(archive: Path, files: Mapping[str, Path]) -> None:
    """A zip of ``{name in archive: file}`` with the same bytes for the same files."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name in sorted(files):
            path = files[name]
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            executable = os.access(path, os.X_OK)
            info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, path.read_bytes(), compresslevel=6)
