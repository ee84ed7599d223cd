"""The consumer test: the library as another team's CDK app gets it.

1. Build the wheel from the files of this checkout (what ``git`` tracks, plus new files it
   does not ignore), with setuptools' build backend, in a temporary copy of the tree.
2. Install it, without its dependencies, into a virtual environment that holds the
   **lowest** releases ``pyproject.toml`` allows (``>=X`` becomes ``==X``). That
   environment is cached under ``.consumer/``, keyed on those pins and the interpreter,
   so only the first run downloads; the wheel is reinstalled on every run.
3. ``pip check``; import every public name of ``constructs_lib`` outside the repository;
   check that no ``stacks`` package came with it.
4. Copy each example of ``examples/`` to a temporary directory outside the repository,
   type-check it with ``mypy --strict`` against the installed package (its ``py.typed``),
   and synthesize it twice: ``python app.py`` (aws-cdk-lib's default feature flags: no
   context at all) and ``cdk synth`` with the pinned CDK CLI (the example's ``cdk.json``,
   the flags a fresh ``cdk init`` writes). Each must finish with no cdk-nag finding and no
   error or warning annotation.

No AWS call: the examples are environment-agnostic and the CLI runs with notices,
telemetry and version checks off (``make consumer`` exports the variables).

Usage: ``python scripts/consumer.py [--cdk node_modules/.bin/cdk] [--keep]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".consumer"
EXAMPLES = ROOT / "examples"

#: Metadata annotation types that fail an example's synthesis.
FAILING_ANNOTATIONS = ("aws:cdk:error", "aws:cdk:warning")

#: What a consumer imports to prove the public API loads (and that ``stacks`` stays home).
IMPORT_CHECK = """
import importlib.util, json, sys
import constructs_lib
missing = [name for name in constructs_lib.__all__ if getattr(constructs_lib, name) is None]
print(json.dumps({
    "file": constructs_lib.__file__,
    "names": len(constructs_lib.__all__),
    "missing": missing,
    "stacks": importlib.util.find_spec("stacks") is not None,
}))
"""


class ConsumerError(RuntimeError):
    """A step of the consumer test failed; the message says which and why."""


def lowest_pins(pyproject: Path) -> list[str]:
    """``name==X`` for each dependency of ``pyproject`` with a lower bound ``>=X``."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = []
    for requirement in dependencies:
        name, _, rest = requirement.partition(">=")
        if not rest:
            raise ConsumerError(f"{requirement!r}: every dependency needs a lower bound (>=X)")
        pins.append(f"{name.strip()}=={rest.split(',')[0].strip()}")
    return pins


def cache_key(pins: Sequence[str], python: str) -> str:
    """A short key for a dependency set installed with one interpreter."""
    text = "\n".join([python, *sorted(pins)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: What a checkout without git metadata skips when listing its source files.
_NOT_SOURCES = {
    ".git",
    ".venv",
    ".consumer",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".bench",
    "node_modules",
    "cdk.out",
    "__pycache__",
    "build",
}


def source_files(root: Path) -> list[str]:
    """The files a clean checkout of ``root`` has: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=False,
        text=True,
    )
    if listed.returncode == 0:
        names = listed.stdout.split("\0")
    else:  # not a git checkout (an unpacked archive): every file outside the caches
        names = [
            str(path.relative_to(root))
            for path in root.rglob("*")
            if not _NOT_SOURCES.intersection(path.relative_to(root).parts)
            and not path.name.endswith((".pyc", ".egg-info"))
        ]
    return sorted(name for name in names if name and (root / name).is_file())


def build(root: Path, out_dir: Path, *, kind: str = "wheel", python: str = sys.executable) -> Path:
    """Build the ``kind`` (``wheel`` or ``sdist``) of ``root`` from a copy of its sources."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="emr-serverless-src-") as source:
        for name in source_files(root):
            target = Path(source, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target)
        built = subprocess.run(
            [
                python,
                "-c",
                "import sys; from setuptools import build_meta; "
                f"print(build_meta.build_{kind}(sys.argv[1]))",
                str(out_dir),
            ],
            cwd=source,
            check=False,
            capture_output=True,
            text=True,
        )
    if built.returncode != 0:
        raise ConsumerError(f"building the {kind} failed:\n{built.stdout}\n{built.stderr}")
    return out_dir / built.stdout.strip().splitlines()[-1]


def _run(
    command: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    done = subprocess.run(
        list(command), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        output = "\n".join(part for part in (done.stdout, done.stderr) if part)
        raise ConsumerError(f"{' '.join(command)} (in {cwd or Path.cwd()}) failed:\n{output}")
    return done.stdout


def consumer_venv(pins: Sequence[str]) -> Path:
    """The cached environment holding ``pins`` (created and filled on first use)."""
    key = cache_key(pins, f"{platform.python_implementation()}-{platform.python_version()}")
    venv = CACHE / f"venv-{key}"
    stamp = venv / ".installed"
    python = venv / "bin" / "python"
    if stamp.exists():
        return venv
    for stale in CACHE.glob("venv-*"):
        shutil.rmtree(stale)
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(python), "-m", "pip", "install", "--quiet", "--require-virtualenv", *pins])
    stamp.write_text("\n".join(pins) + "\n")
    return venv


def _consumer_env(venv: Path) -> dict[str, str]:
    """The environment of a consumer's shell: the venv first on PATH, no repo on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def _failing_annotations(entries_by_path: dict[str, list[dict[str, object]]]) -> list[str]:
    return [
        f"{path}: {entry['type']}: {entry.get('data')}"
        for path, entries in entries_by_path.items()
        for entry in entries
        if entry.get("type") in FAILING_ANNOTATIONS
    ]


def check_cloud_assembly(outdir: Path) -> list[str]:
    """Problems in a synthesized cloud assembly: nag findings and error/warning annotations."""
    problems = []
    report = outdir / "validation-report.json"
    if report.exists():
        for plugin in json.loads(report.read_text()).get("pluginReports", []):
            for violation in plugin.get("violations", []):
                problems.append(f"{plugin.get('pluginName')}: {violation.get('ruleName')}")
    for metadata in sorted(outdir.glob("*.metadata.json")):
        problems += _failing_annotations(json.loads(metadata.read_text()))
    manifest = outdir / "manifest.json"
    if not manifest.exists():
        return [*problems, "no cloud assembly manifest was written"]
    for artifact in json.loads(manifest.read_text()).get("artifacts", {}).values():
        problems += _failing_annotations(artifact.get("metadata", {}))
    if not list(outdir.glob("*.template.json")):
        problems.append("no template was synthesized")
    return problems


@contextmanager
def _step(name: str, timings: list[tuple[str, float]]) -> Iterator[None]:
    started = time.monotonic()
    print(f"consumer: {name} ...", flush=True)
    yield
    timings.append((name, time.monotonic() - started))


def check_example(example: Path, venv: Path, work: Path, cdk: Path | None) -> None:
    """Type-check and synthesize a copy of ``example`` under ``work``."""
    copy = work / example.name
    shutil.copytree(example, copy, ignore=shutil.ignore_patterns("cdk.out", "__pycache__"))
    env = _consumer_env(venv)
    python = str(venv / "bin" / "python")
    # The dev environment's mypy, reading the consumer environment's packages: it sees our
    # types only through the installed py.typed. Its cache lives (and dies) with the venv.
    _run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-executable",
            python,
            "--cache-dir",
            str(venv / ".mypy-cache"),
            "app.py",
        ],
        cwd=copy,
        env={k: v for k, v in env.items() if k != "MYPYPATH"},
    )
    print(f"consumer:   examples/{example.name}: mypy --strict: clean", flush=True)
    runs: list[tuple[str, list[str], dict[str, str]]] = [
        (
            "default feature flags (python app.py)",
            [str(venv / "bin" / "python"), "app.py"],
            {**env, "CDK_OUTDIR": str(work / f"{example.name}.default")},
        )
    ]
    if cdk is not None:
        runs.append(
            (
                "cdk.json (cdk synth)",
                [
                    str(cdk),
                    "synth",
                    "--app",
                    f"{venv / 'bin' / 'python'} app.py",
                    "--output",
                    str(work / f"{example.name}.cdk-json"),
                    "--quiet",
                    "--no-notices",
                    "--no-version-reporting",
                    "--ci",
                ],
                env,
            )
        )
    for label, command, run_env in runs:
        _run(command, cwd=copy, env=run_env)
        outdir = Path(run_env.get("CDK_OUTDIR") or command[command.index("--output") + 1])
        problems = check_cloud_assembly(outdir)
        if problems:
            raise ConsumerError(f"examples/{example.name}, {label}:\n  " + "\n  ".join(problems))
        print(f"consumer:   examples/{example.name}: {label}: clean", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cdk", type=Path, help="the CDK CLI; default: none (python app.py only)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    timings: list[tuple[str, float]] = []
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="emr-serverless-consumer-"))
    try:
        pins = lowest_pins(ROOT / "pyproject.toml")
        with _step(f"environment with the lowest versions ({', '.join(pins)})", timings):
            venv = consumer_venv(pins)
        with _step("build the wheel", timings):
            wheel = build(ROOT, work / "dist")
        with _step(f"install {wheel.name}", timings):
            python = str(venv / "bin" / "python")
            _run(
                [
                    python,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--force-reinstall",
                    "--require-virtualenv",
                    str(wheel),
                ]
            )
            _run([python, "-m", "pip", "check"])
        with _step("import every public name outside the repository", timings):
            found = json.loads(
                _run([python, "-c", IMPORT_CHECK], cwd=work, env=_consumer_env(venv))
            )
            if not found["file"].startswith(str(venv)):
                raise ConsumerError(f"constructs_lib came from {found['file']}, not {venv}")
            if found["missing"] or found["stacks"]:
                raise ConsumerError(f"the installed package is wrong: {found}")
        examples = sorted(p for p in EXAMPLES.iterdir() if (p / "app.py").is_file())
        if not examples:
            raise ConsumerError("no example under examples/")
        cdk = args.cdk.resolve() if args.cdk else None
        for example in examples:
            with _step(f"type-check and synthesize examples/{example.name}", timings):
                check_example(example, venv, work, cdk)
    except ConsumerError as error:
        print(f"consumer: FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"consumer: work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for name, seconds in timings:
        print(f"consumer: {seconds:6.1f} s  {name}")
    print(f"consumer: passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
