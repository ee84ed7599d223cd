#!/usr/bin/env python3
"""Mutation testing of the pure rule modules with their fast tests: ``make mutation``.

mutmut changes the code of the pure modules one small edit at a time (``<`` to ``<=``,
``1`` to ``2``, ``and`` to ``or`` ...) and runs the tests that cover the changed function;
a mutant no test fails "survived": a limit or comparison no test pins down. The score of
a module is the share of its mutants killed. "Text-only" mutants change nothing but a
string literal (mostly message text); the score without them is reported too.

The run happens in a scratch copy (``.mutation/``) so that the working tree is never
mutated; only the fast tests of the pure modules run (``MODULES``), with a conftest that
keeps the suite's hypothesis profile but runs fewer,
derandomized examples, so that the run is repeatable and fits in about 15 minutes on
two cores. Not part of ``make test``.

mutmut forks each mutant's test run from a process that has already imported the
modules, so code that runs only at import time (tables built by calling a function at
module level) is never mutated and its mutants count as survivors. Importing afresh per
mutant (mutmut's ``forkserver_warmup=none``) kills them but runs twenty times slower.

Usage::

    .venv/bin/python scripts/mutation.py                       # every pure module
    .venv/bin/python scripts/mutation.py --module workers.py   # one module
    .venv/bin/python scripts/mutation.py --code /tmp/main      # another checkout (before)
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The pure rule modules (paths under constructs_lib/) and the fast tests that cover them.
MODULES: dict[str, tuple[str, ...]] = {
    "application_rules.py": ("test_application_rules.py", "test_rule_boundaries.py"),
    "workers.py": ("test_workers.py", "test_application_rules.py", "test_rule_boundaries.py"),
    "releases.py": ("test_releases.py", "test_application_rules.py"),
    "image_references.py": ("test_image_references.py",),
    "monitoring_rules.py": ("test_monitoring_rules.py",),
    "runtime_permissions.py": ("test_runtime_permissions.py", "test_rule_boundaries.py"),
    "job_defaults.py": ("test_job_defaults.py",),
    "metrics.py": ("test_metrics.py",),
    "prometheus_rules.py": ("test_prometheus_rules.py",),
    "platform_config.py": (
        "test_platform_config.py",
        "test_config_hostile.py",
        "test_rule_boundaries.py",
    ),
    "config_reader.py": ("test_platform_config.py", "test_config_hostile.py"),
    "service_limits.py": ("test_service_limits.py",),
    "cli.py": ("test_cli.py",),
    "subnet_planning/_plan.py": (
        "test_subnet_planning.py",
        "test_subnet_planning_cli.py",
        "test_rule_boundaries.py",
    ),
    "subnet_planning/_sizing.py": ("test_subnet_planning.py", "test_subnet_planning_cli.py"),
    "subnet_planning/_layout.py": ("test_subnet_planning.py",),
    "subnet_planning/_render.py": ("test_subnet_planning.py", "test_subnet_planning_cli.py"),
    "subnet_planning/__main__.py": ("test_subnet_planning_cli.py", "test_cli.py"),
}

#: Fewer hypothesis examples, derandomized: each mutant reruns its tests.
_CONFTEST = '''\
"""Mutation runs only: fewer, repeatable hypothesis examples; the slow corpus tests left out."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutation",
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    max_examples=20,
    database=None,
)
settings.load_profile("mutation")

#: Fuzz-corpus tests that read large valid files: they bound nothing a boundary test does not.
_SLOW = ("test_every_corpus_case_is_accepted_or_refused_cleanly", "test_ten_thousand_teams_load")


def pytest_collection_modifyitems(config, items):
    keep = [item for item in items if item.originalname not in _SLOW]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep
'''

_KILLED = {"killed", "timeout", "caught by type check"}


#: What is not copied into the scratch directory.
_SKIP = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "cdk.out", ".mutation", "mutants", "__pycache__", ".*cache"
)


def prepare(code: Path, work: Path, modules: list[str]) -> None:
    """A scratch copy of ``code`` in ``work``, configured for mutmut (only fast tests run)."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(code, work, ignore=_SKIP)
    (work / "tests" / "conftest.py").write_text(_CONFTEST)  # not the suite's: no app
    tests = sorted({test for module in modules for test in MODULES[module]})
    present = [test for test in tests if (code / "tests" / test).exists()]
    paths = [f"constructs_lib/{module}" for module in modules]
    # mutmut runs the tests in work/mutants/: everything they read goes there too.
    others = sorted(p.name for p in work.iterdir() if p.name not in ("constructs_lib", "tests"))
    lines = [
        "[mutmut]",
        "source_paths=constructs_lib",
        "only_mutate=" + "\n    ".join(paths),
        "pytest_add_cli_args_test_selection=" + "\n    ".join(f"tests/{t}" for t in present),
        "pytest_add_cli_args=-p\n    no:cacheprovider\n    -p\n    no:xdist\n    -q",
        "also_copy=" + "\n    ".join(others),
    ]
    (work / "setup.cfg").write_text("\n".join(lines) + "\n")
    for path in paths:
        _exclude_enums_with_init(work / path)


def _exclude_enums_with_init(path: Path) -> None:
    """Mark Enum classes with an ``__init__`` ``# pragma: no mutate block`` (scratch copy only).

    mutmut's trampoline cannot run a method while its class is being created, which is
    when an Enum calls its members' ``__init__`` (KeyError '_mutmut_orig' at import).
    """
    lines = path.read_text().splitlines()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.ClassDef):
            continue
        enum = any("Enum" in ast.unparse(base) for base in node.bases)
        init = any(isinstance(n, ast.FunctionDef) and n.name == "__init__" for n in node.body)
        if enum and init:
            lines[node.lineno - 1] += "  # pragma: no mutate block"
    path.write_text("\n".join(lines) + "\n")


def run(work: Path, max_children: int) -> float:
    """Run mutmut in ``work``; return the seconds it took."""
    started = time.monotonic()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
    env.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    mutmut = Path(sys.executable).with_name("mutmut")
    subprocess.run(
        [str(mutmut), "run", "--max-children", str(max_children)],
        cwd=work,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def _functions(source: str) -> dict[str, ast.AST]:
    return {
        node.name: node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


class _BlankStrings(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("") if isinstance(node.value, str) else node


def _shape(function: ast.AST, name: str) -> str:
    copied = ast.parse(ast.unparse(function))
    target = copied.body[0]
    assert isinstance(target, ast.FunctionDef | ast.AsyncFunctionDef)
    target.name = name
    return ast.dump(_BlankStrings().visit(copied))


def results(work: Path, modules: list[str]) -> dict[str, dict[str, int]]:
    """Per module: mutants by status, and ``text-only`` / ``text-only survived`` counts."""
    from mutmut.stats import status_by_exit_code

    table: dict[str, dict[str, int]] = {}
    for module in modules:
        path = work / "mutants" / "constructs_lib" / module
        meta = path.with_name(path.name + ".meta")
        counts: collections.Counter[str] = collections.Counter()
        if meta.exists():
            exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
            functions = _functions(path.read_text())
            for key, code in exit_codes.items():
                status = status_by_exit_code[code]
                counts[status] += 1
                name = key.rsplit(".", 1)[-1]
                original = functions.get(name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")
                mutant = functions.get(name)
                if original is None or mutant is None or status in _NOT_RUN:
                    continue
                if _shape(original, "f") == _shape(mutant, "f"):
                    counts[TEXT_ONLY] += 1
                    counts[TEXT_ONLY_SURVIVED] += status not in _KILLED
        table[module] = dict(counts)
    return table


TEXT_ONLY = "text-only"
TEXT_ONLY_SURVIVED = "text-only survived"
_NOT_RUN = {"skipped", "not checked", TEXT_ONLY, TEXT_ONLY_SURVIVED}


def score(counts: dict[str, int], *, without_text: bool = False) -> tuple[int, int]:
    """(killed, tested) mutants; tested leaves out skipped and unchecked ones."""
    tested = sum(n for status, n in counts.items() if status not in _NOT_RUN)
    killed = sum(counts.get(status, 0) for status in _KILLED)
    if without_text:
        text = counts.get(TEXT_ONLY, 0)
        return killed - (text - counts.get(TEXT_ONLY_SURVIVED, 0)), tested - text
    return killed, tested


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to test")
    parser.add_argument("--work", type=Path, default=ROOT / ".mutation", help="scratch dir")
    parser.add_argument("--module", action="append", choices=sorted(MODULES), default=[])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the per-module counts here")
    parser.add_argument("--report-only", action="store_true", help="read an earlier run")
    args = parser.parse_args()
    code = args.code.resolve()
    modules = [m for m in (args.module or MODULES) if (code / "constructs_lib" / m).exists()]
    seconds = 0.0
    if not args.report_only:
        prepare(code, args.work, modules)
        seconds = run(args.work, args.max_children)
    table = results(args.work, modules)
    total: collections.Counter[str] = collections.Counter()
    print(f"{'module':34} {'mutants':>7} {'checked':>7} {'killed':>6} {'score':>6} {'w/o text':>8}")
    for module, counts in table.items():
        total.update(counts)
        killed, tested = score(counts)
        killed_code, tested_code = score(counts, without_text=True)
        print(
            f"{module:34} {_all(counts):7} {tested:7} {killed:6} {_percent(killed, tested):>6} "
            f"{_percent(killed_code, tested_code):>8}"
        )
    killed, tested = score(dict(total))
    killed_code, tested_code = score(dict(total), without_text=True)
    print(
        f"{'all':34} {_all(dict(total)):7} {tested:7} {killed:6} {_percent(killed, tested):>6} "
        f"{_percent(killed_code, tested_code):>8}"
    )
    if seconds:
        print(f"mutmut ran {seconds / 60:.1f} minutes")
    if args.json:
        args.json.write_text(json.dumps({"seconds": seconds, "modules": table}, indent=2))
    return 0


def _all(counts: dict[str, int]) -> int:
    """Every mutant, checked or not (a run stopped early leaves some unchecked)."""
    return sum(n for status, n in counts.items() if status not in (TEXT_ONLY, TEXT_ONLY_SURVIVED))


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
