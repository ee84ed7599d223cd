"""make stops at once when a prerequisite is missing, naming it and how to install it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.harness import ROOT

SCRIPT = ROOT / "scripts" / "check_prereqs.sh"


def _run(python: str, path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), python],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        check=False,
    )


def _stub(directory: Path, name: str, body: str) -> None:
    tool = directory / name
    tool.write_text(f"#!/bin/sh\n{body}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


def test_passes_with_this_python_node_and_npm() -> None:
    result = _run(sys.executable, os.environ["PATH"])
    assert result.returncode == 0, result.stderr


def test_names_a_missing_python(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "python3.11"), os.environ["PATH"])
    assert result.returncode == 1
    assert "not found. Install Python 3.11 or newer" in result.stderr


def test_names_a_python_that_is_too_old(tmp_path: Path) -> None:
    _stub(tmp_path, "python3", 'case "$1" in --version) echo "Python 3.9.2";; *) exit 1;; esac')
    result = _run("python3", f"{tmp_path}:/usr/bin:/bin")
    assert result.returncode == 1
    assert "Python 3.9.2 is too old: Python 3.11 or newer is required" in result.stderr


def test_names_missing_node(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    for tool in ("bash", "sh", "cat"):
        (bin_dir / tool).symlink_to(f"/bin/{tool}")
    result = _run("python3", str(bin_dir))
    assert result.returncode == 1
    assert "node not found. Install Node.js 20 or newer" in result.stderr
