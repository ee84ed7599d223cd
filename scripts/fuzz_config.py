#!/usr/bin/env python3
"""Run the hostile config corpus through the loader and the jobs command; classify each case.

Each case runs in its own child process with limits (``resource.setrlimit``: CPU
seconds and address space) and a wall-clock timeout, and ends as one of:

- ``clean``: our error, one line per problem, each naming the file, printable and short;
- ``accepted``: the file is a valid config;
- ``bad-message``: our error, but a line is too long, unprintable, or does not name the file;
- ``traceback``: any other exception (a Python traceback for the user);
- ``hang``: the CPU or memory limit ended it, or it blocked (used no CPU for a while).

Times are CPU seconds of the child (user + system), not wall-clock: the machine may be
loaded.

Usage::

    .venv/bin/python scripts/fuzz_config.py                 # loader and jobs command
    .venv/bin/python scripts/fuzz_config.py --target loader --json .fuzz.json -v
    .venv/bin/python scripts/fuzz_config.py --case teams-10000 -v
    .venv/bin/python scripts/fuzz_config.py --code /tmp/main-checkout   # "before" figures

Never calls AWS: the jobs command gets a session factory that refuses, and a team
name no config defines, so a valid config ends at "no team" before any AWS call.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile_configs import Case, corpus  # noqa: E402

#: Each case's limits: CPU seconds and address space (resource.setrlimit in the child),
#: and a wall clock only for a child that blocks (uses no CPU for IDLE_SECONDS).
CPU_SECONDS = 20
MEMORY_BYTES = 1536 * 1024 * 1024
IDLE_SECONDS = 15
WALL_SECONDS = 900
#: A clean error line is at most this long (the file, the key path, a cut value, rule, fix).
MAX_LINE = 1000
#: The team the jobs command is asked about: no case defines it.
GHOST_TEAM = "zz-fuzz-ghost"

_RUNNER = r"""
import resource, sys
cpu, memory, target, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
if target == "loader":
    from constructs_lib.platform_config import PlatformConfigError, load_platform_config
    try:
        load_platform_config(path)
    except PlatformConfigError as error:
        sys.stdout.write("OUR-ERROR\n" + str(error).encode("utf-8", "backslashreplace").decode())
        sys.exit(3)
    except MemoryError:
        sys.stdout.write("MEMORY\n")
        sys.exit(4)
    sys.stdout.write("ACCEPTED\n")
else:
    from constructs_lib import jobs
    def refuse(profile, region):
        raise AssertionError("the fuzz harness never calls AWS")
    try:
        code = jobs.run(
            ["status", "jr-1", "--team", "TEAM", "--environment", "dev", "--config", path],
            jobs.Runtime(session=refuse),
        )
    except MemoryError:
        sys.stdout.write("MEMORY\n")
        sys.exit(4)
    sys.exit(code)
""".replace("TEAM", GHOST_TEAM)


def materialize(case: Case, directory: Path) -> Path:
    """The case as a path in ``directory``."""
    path = directory / f"{case.name.replace('/', '_')}.yaml"
    if case.kind == "directory":
        path.mkdir()
    elif case.kind == "fifo":
        os.mkfifo(path)
    elif case.kind == "file":
        path.write_bytes(case.data)
    return path


def _printable_line(line: str) -> bool:
    return len(line) <= MAX_LINE and line.isprintable()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a running process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_limited(command: list[str], code: Path, env: dict[str, str]) -> tuple[Any, str]:
    """Run ``command``; stop it only if it blocks (uses no CPU) or runs for WALL_SECONDS.

    A busy child is stopped by its own CPU limit: on a loaded machine the wall clock says
    nothing about the work done.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, cwd=code, env=env)
        started = time.monotonic()
        last_cpu, last_change = 0.0, started
        while child.poll() is None:
            time.sleep(0.2)
            now, cpu = time.monotonic(), _cpu_seconds(child.pid)
            if cpu > last_cpu + 0.05:
                last_cpu, last_change = cpu, now
            blocked = now - last_change > IDLE_SECONDS
            if blocked or now - started > WALL_SECONDS:
                child.kill()
                child.wait()
                return None, "blocked (no CPU used)" if blocked else f"over {WALL_SECONDS} s"
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(command, child.returncode, out.read(), err.read())
        return done, ""


def classify(target: str, path: Path, code: Path = ROOT) -> tuple[str, str]:
    """(category, detail) of running ``target`` on ``path`` in a limited child process.

    ``code`` is the checkout whose ``constructs_lib`` runs (e.g. an older commit's).
    """
    command = [sys.executable, "-c", _RUNNER, str(CPU_SECONDS), str(MEMORY_BYTES), target]
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "PYTHONPATH": str(code)}
    done, stopped = _run_limited([*command, str(path)], code, env)
    if done is None:
        return "hang", stopped
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode < 0:
        return "hang", f"killed by signal {-done.returncode} (the CPU or memory limit)"
    if "MEMORY" in out[:10] or "MemoryError" in err:
        return "hang", "out of memory"
    if "Traceback" in err:
        return "traceback", err.strip().splitlines()[-1][:200]
    if target == "loader":
        if done.returncode == 0 and out.startswith("ACCEPTED"):
            return "accepted", ""
        if done.returncode == 3:
            lines = out.split("\n", 1)[1].splitlines()
            problems = [line.strip() for line in lines if not line.endswith("problems:")]
            ok = all(_printable_line(line) for line in lines) and all(
                line.startswith((str(path), "...")) for line in problems
            )
            return ("clean" if ok else "bad-message"), (problems[0] if problems else "")[:300]
        return "traceback", f"exit {done.returncode}: {err[-200:]}"
    lines = err.splitlines()
    if done.returncode == 2 and GHOST_TEAM in err and "no team" in err:
        return "accepted", ""
    if done.returncode == 2 and len(lines) == 1 and _printable_line(lines[0]):
        return "clean", lines[0][:300]
    if done.returncode == 2:
        return "bad-message", f"{len(lines)} lines: {err[:300]}"
    return "traceback", f"exit {done.returncode}: {err[-200:]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=["loader", "jobs", "all"], default="all")
    parser.add_argument("--case", action="append", default=[], help="run only this case")
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="the checkout whose constructs_lib to run (default: this one), e.g. a "
        "'git worktree' of main to measure before a change",
    )
    args = parser.parse_args()
    cases = [c for c in corpus() if not args.case or c.name in args.case]
    targets = ["loader", "jobs"] if args.target == "all" else [args.target]
    results: dict[str, dict[str, dict[str, object]]] = {t: {} for t in targets}
    with tempfile.TemporaryDirectory(prefix="fuzz-config-") as tmp:
        for case in cases:
            path = materialize(case, Path(tmp))
            for target in targets:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                category, detail = classify(target, path, args.code.resolve())
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                seconds = round(
                    after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
                )
                results[target][case.name] = {
                    "category": category,
                    "detail": detail,
                    "seconds": seconds,
                }
                if args.verbose:
                    print(
                        f"{target:6} {category:11} {seconds:6.2f}s CPU {case.name}: {detail[:160]}"
                    )
            if case.kind == "file":
                path.unlink()
    for target in targets:
        counts = collections.Counter(r["category"] for r in results[target].values())
        summary = ", ".join(f"{counts[c]} {c}" for c in sorted(counts))
        print(f"{target}: {len(results[target])} cases: {summary}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
