"""What one more application costs to synthesize: jsii kernel requests and milliseconds.

Figures, not tests (``make bench`` prints them). Each measurement runs in a fresh Python
process and synthesizes an app holding ``n`` copies of one *unit of work*; the marginal
cost of a unit is the difference between ``n = LARGE`` and ``n = SMALL`` divided by the
units added. Runs alternate between the sizes (and implementations) so that a slow moment
of the machine hits every figure alike; medians are reported.

The unit is the same work for both implementations:

- **ours**: an ``EmrServerlessNetwork`` (a private VPC), ``ApplicationLogs`` (S3 logs),
  a ``JobRuntimeRole`` with prefix-scoped S3 read/write and Glue read, and an
  ``EmrServerlessApplication`` on the network sending logs there;
- **DSF** (the Data Solutions Framework's ``SparkEmrServerlessRuntime``, installed in a
  benchmark-only virtual environment, never a library dependency): a runtime (its own
  VPC), an ``AnalyticsBucket`` for logs, and an execution role from
  ``SparkEmrServerlessRuntime.create_execution_role`` with the same S3 and Glue access.

Each marginal cost is split: ``(build)`` is building the constructs (our Python and its
requests into jsii), the rest is ``app.synth()`` (aws-cdk-lib rendering the templates, its
built-in CloudFormation validation, the nag packs), which no request count changes.

Requests into jsii's Node.js kernel are counted by wrapping the kernel process's
``send`` in the benchmark's child process (never in the library). ``--nag`` registers
the five cdk-nag packs on the app (ours: ``add_compliance_checks``; DSF: the same packs).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SMALL = 1
#: Units in the larger app: as many as fit one stack (500 resources) with room to spare.
LARGE = 9

#: The DSF release measured, in its own virtual environment (``make bench`` creates it).
DSF_REQUIREMENT = "cdklabs.aws-data-solutions-framework==1.21.3"
DSF_VENV = ROOT / ".bench" / "venv-dsf"


# --------------------------------------------------------------------------- the child


class RequestCounter:
    """Counts requests sent to jsii's Node.js kernel (every create/invoke/get/set/callback)."""

    def __init__(self) -> None:
        self.count = 0

    def install(self) -> None:
        from jsii._kernel.providers import process

        original = process._NodeProcess.send
        counter = self

        def send(self: Any, request: Any, response_type: Any) -> Any:
            counter.count += 1
            return original(self, request, response_type)

        process._NodeProcess.send = send  # type: ignore[method-assign]

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        """Yields a one-element list that holds the requests made inside the block."""
        result = [0]
        start = self.count
        try:
            yield result
        finally:
            result[0] = self.count - start


#: The child's request counter, and the requests of its last unit by construct.
COUNTER = RequestCounter()
BY_CONSTRUCT: dict[str, int] = {}


class _Steps:
    """Splits a unit's requests by the step that made them (the last unit's are kept)."""

    def __init__(self) -> None:
        BY_CONSTRUCT.clear()
        self._last = COUNTER.count

    def __call__(self, step: str) -> None:
        BY_CONSTRUCT[step] = BY_CONSTRUCT.get(step, 0) + COUNTER.count - self._last
        self._last = COUNTER.count


def _our_unit(stack: Any, index: int) -> None:
    from aws_cdk import aws_s3 as s3

    from constructs_lib import (
        ApplicationLogs,
        EmrServerlessApplication,
        EmrServerlessNetwork,
        JobRuntimeRole,
        Workload,
    )

    step = _Steps()
    network = EmrServerlessNetwork(
        stack, f"Network{index}", workloads=[Workload(max_vcpu=400, worker_vcpu=4)]
    )
    step("EmrServerlessNetwork")
    logs = ApplicationLogs(stack, f"Logs{index}", cloudwatch_logging=False)
    step("ApplicationLogs")
    role = JobRuntimeRole(stack, f"Role{index}")
    step("JobRuntimeRole")
    data = s3.Bucket.from_bucket_name(stack, f"Data{index}", f"bench-data-{index}")
    role.grant_s3_read(data, "input/")
    role.grant_s3_read_write(data, "output/")
    role.grant_glue_read("sales", all_tables=True)
    logs.grant_write(role)
    step("grants (S3 read, S3 read/write, Glue, logs)")
    EmrServerlessApplication(
        stack,
        f"Spark{index}",
        network=network,
        monitoring=logs.monitoring_configuration(),
    )
    step("EmrServerlessApplication")


def _dsf_unit(stack: Any, index: int) -> None:
    from aws_cdk import Aws
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_kms as kms
    from cdklabs.aws_data_solutions_framework import processing, storage

    key = kms.Key(stack, f"LogKey{index}", enable_key_rotation=True)
    logs = storage.AnalyticsBucket(stack, f"Logs{index}", encryption_key=key)
    data = f"arn:{Aws.PARTITION}:s3:::bench-data-{index}"
    glue = f"arn:{Aws.PARTITION}:glue:{Aws.REGION}:{Aws.ACCOUNT_ID}"
    policy = iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[f"{data}/input/*"]),
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                resources=[f"{data}/output/*"],
            ),
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[data]),
            iam.PolicyStatement(
                actions=["glue:GetDatabase", "glue:GetTable", "glue:GetTables"],
                resources=[
                    f"{glue}:catalog",
                    f"{glue}:database/sales",
                    f"{glue}:table/sales/*",
                ],
            ),
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[f"{logs.bucket_arn}/logs/*"]),
        ]
    )
    role = processing.SparkEmrServerlessRuntime.create_execution_role(stack, f"Role{index}", policy)
    runtime = processing.SparkEmrServerlessRuntime(stack, f"Spark{index}", name=f"spark{index}")
    runtime.grant_start_execution(role, runtime.application.attr_arn)


UNITS: dict[str, Callable[[Any, int], None]] = {
    "ours": _our_unit,
    "before": _our_unit,
    "dsf": _dsf_unit,
}


@dataclass(frozen=True)
class Sample:
    """One child's figures."""

    seconds: float
    requests: int
    python_mib: float
    node_mib: float
    #: Of ``seconds``, building the constructs (Python and its requests into jsii); the
    #: rest is ``app.synth()``: aws-cdk-lib rendering and validating the templates.
    build_seconds: float = 0.0
    #: Requests made by ``app.synth()`` (validations, lazy values, the nag packs' callbacks).
    synth_requests: int = 0
    #: The last unit's requests by the construct (or grants) that made them (ours only).
    by_construct: dict[str, int] = field(default_factory=dict)


def child(implementation: str, units: int, *, nag: bool, kind: str = "application") -> Sample:
    """Build and synthesize ``units`` units in this process; figures of build + synth.

    :param kind: ``application`` (the unit of work above) or ``team`` (a team of the
        reference platform: ``units`` copies of the shipped Spark team in one environment).
    """
    counter = COUNTER
    counter.install()
    start = time.perf_counter()
    import aws_cdk as cdk

    outdir = tempfile.mkdtemp(prefix="bench-cost-")
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    context.pop("emr-serverless:platformConfig", None)
    with counter.counting() as requests:
        app = cdk.App(outdir=outdir, context=context)
        if kind == "team":
            _platform(app, units)
        else:
            if nag:
                _add_packs(app, implementation)
            stack = cdk.Stack(
                app, "Bench", env=cdk.Environment(account="123456789012", region="eu-west-1")
            )
            for index in range(units):
                UNITS[implementation](stack, index)
        built = time.perf_counter()
        built_requests = counter.count
        try:
            app.synth()
        except RuntimeError as error:
            # DSF's stacks do not pass the five packs: the synth has done all its work
            # (templates and the report are written) when it fails on the findings.
            if "Validation failed" not in str(error):
                raise
    seconds = time.perf_counter() - start
    return Sample(
        seconds=seconds,
        build_seconds=built - start,
        synth_requests=counter.count - built_requests,
        by_construct=dict(BY_CONSTRUCT),
        requests=requests[0],
        python_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        node_mib=_node_peak_mib(),
    )


def _node_peak_mib() -> float:
    """Peak resident memory (``VmHWM``) of jsii's Node.js processes (the runtime and the
    program it starts), 0 where not readable."""
    from jsii._runtime import kernel

    try:
        pids = [kernel.provider._process._process.pid]
    except AttributeError:
        return 0.0
    for task in Path(f"/proc/{pids[0]}/task").glob("*/children"):
        pids += [int(child) for child in task.read_text().split()]
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")),
            0,
        )
    return total / 1024


def _platform(app: Any, teams: int) -> None:
    """The reference platform with ``teams`` copies of the shipped Spark team (packs on)."""
    # The reference app and the library of the tree on PYTHONPATH, imported before
    # bench_platform (which puts this repository first on sys.path).
    import app as reference
    from constructs_lib.platform_config import parse_platform_config

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_platform import generated_config_text

    config = parse_platform_config(generated_config_text(teams), source="generated.yaml")
    reference.build_app(app, config=config)


def _add_packs(app: Any, implementation: str) -> None:
    if implementation != "dsf":
        from constructs_lib.compliance import add_compliance_checks

        add_compliance_checks(app)
        return
    from aws_cdk import Validations
    from cdk_nag import (
        AwsSolutionsChecks,
        HIPAASecurityChecks,
        NIST80053R5Checks,
        PCIDSS321Checks,
        ServerlessChecks,
    )

    for pack in (
        AwsSolutionsChecks,
        NIST80053R5Checks,
        HIPAASecurityChecks,
        PCIDSS321Checks,
        ServerlessChecks,
    ):
        Validations.of(app).add_plugins(pack(app))


# --------------------------------------------------------------------------- the parent


def python_for(implementation: str) -> str:
    """The interpreter whose environment has ``implementation``."""
    return str(DSF_VENV / "bin" / "python") if implementation == "dsf" else sys.executable


def ensure_dsf_venv() -> bool:
    """Create the benchmark-only DSF environment once; whether it is usable."""
    python = DSF_VENV / "bin" / "python"
    marker = DSF_VENV / f".installed-{DSF_REQUIREMENT}"
    if marker.exists():
        return True
    try:
        subprocess.run([sys.executable, "-m", "venv", str(DSF_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", DSF_REQUIREMENT, "cdk-nag>=3,<4"],
            check=True,
            stderr=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError as error:
        print(f"  (DSF not measured: installing {DSF_REQUIREMENT} failed: {error})")
        return False
    marker.touch()
    return True


#: The code tree each implementation of ours runs from (``before``: ``--before DIR``).
CODE: dict[str, Path] = {"ours": ROOT, "dsf": ROOT}


def measure(implementation: str, units: int, *, nag: bool, kind: str = "application") -> Sample:
    """One fresh-process measurement."""
    command = [
        python_for(implementation),
        __file__,
        "--child",
        implementation,
        str(units),
        "--kind",
        kind,
    ]
    if nag:
        command.append("--nag")
    done = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        cwd=CODE[implementation],
        env={
            **os.environ,
            "PYTHONPATH": str(CODE[implementation]),
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "18,20",
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        },
    )
    return Sample(**json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass(frozen=True)
class Marginal:
    """The marginal cost of one unit."""

    implementation: str
    nag: bool
    ms: float
    #: Of ``ms``, building the constructs (the rest is aws-cdk-lib's synthesis).
    build_ms: float
    requests: float
    small_seconds: float
    large_seconds: float
    peak_python_mib: float
    peak_node_mib: float
    #: Requests of one more unit by construct, and ``app.synth()``'s share (ours only).
    by_construct: dict[str, float] = field(default_factory=dict)


def marginal_costs(
    implementations: list[str], runs: int, *, kind: str = "application"
) -> list[Marginal]:
    """Marginal ms and requests per unit, for each implementation, with and without nag.

    A team of the reference platform is always measured with the packs on (the platform
    registers them).
    """
    samples: dict[tuple[str, bool, int], list[Sample]] = {}
    nags = (True,) if kind == "team" else (False, True)
    for _ in range(runs):
        for nag in nags:
            for implementation in implementations:
                for units in (SMALL, LARGE):
                    key = (implementation, nag, units)
                    sample = measure(implementation, units, nag=nag, kind=kind)
                    samples.setdefault(key, []).append(sample)
    results = []
    for implementation in implementations:
        for nag in nags:
            small = samples[(implementation, nag, SMALL)]
            large = samples[(implementation, nag, LARGE)]
            small_s = statistics.median(s.seconds for s in small)
            large_s = statistics.median(s.seconds for s in large)
            results.append(
                Marginal(
                    implementation=implementation,
                    nag=nag,
                    ms=1000 * (large_s - small_s) / (LARGE - SMALL),
                    build_ms=1000
                    * (
                        statistics.median(s.build_seconds for s in large)
                        - statistics.median(s.build_seconds for s in small)
                    )
                    / (LARGE - SMALL),
                    requests=(large[0].requests - small[0].requests) / (LARGE - SMALL),
                    small_seconds=small_s,
                    large_seconds=large_s,
                    peak_python_mib=max(s.python_mib for s in large),
                    peak_node_mib=max(s.node_mib for s in large),
                    by_construct=_by_construct(small[0], large[0]),
                )
            )
    return results


def _by_construct(small: Sample, large: Sample) -> dict[str, float]:
    """The last unit's requests by construct, and ``app.synth()``'s per added unit."""
    if not large.by_construct:
        return {}
    synth = (large.synth_requests - small.synth_requests) / (LARGE - SMALL)
    return {**large.by_construct, "app.synth()": synth}


def format_marginals(results: list[Marginal], *, kind: str = "application") -> str:
    """The lines ``make bench`` prints."""
    what = (
        "one team of the reference platform" if kind == "team" else "one application (unit of work)"
    )
    lines = [
        f"marginal cost of {what}, {SMALL} -> {LARGE} units, fresh processes, medians:",
        f"  implementation  nag   ms/unit  (build)  requests/unit  {SMALL} unit   {LARGE} units  "
        "peak Python/Node",
    ]
    for r in results:
        lines.append(
            f"  {r.implementation:<14}  {'on ' if r.nag else 'off'}  {r.ms:7.0f}  "
            f"{r.build_ms:7.0f}  "
            f"{r.requests:13.0f}  {r.small_seconds:5.2f} s  {r.large_seconds:6.2f} s  "
            f"{r.peak_python_mib:.0f}/{r.peak_node_mib:.0f} MiB"
        )
    shown: set[str] = set()
    for r in results:
        if r.by_construct and r.implementation not in shown:
            shown.add(r.implementation)
            parts = ", ".join(f"{name} {count:.0f}" for name, count in r.by_construct.items())
            lines.append(f"  {r.implementation} requests of one more unit, by construct: {parts}")
    return "\n".join(lines)


def main() -> int:
    """Print the figures (or, with ``--child``, take one measurement and print it as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("IMPLEMENTATION", "UNITS"))
    parser.add_argument("--kind", choices=("application", "team"), default="application")
    parser.add_argument("--nag", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-dsf", action="store_true", help="measure ours only")
    parser.add_argument(
        "--before", type=Path, help="also measure the library in this checkout ('before')"
    )
    parser.add_argument(
        "--kinds", default="application,team", help="what to measure (default: both)"
    )
    args = parser.parse_args()
    if args.child:
        implementation, units = args.child
        sample = child(implementation, int(units), nag=args.nag, kind=args.kind)
        print(json.dumps(sample.__dict__))
        return 0
    implementations = ["ours"]
    if args.before is not None:
        CODE["before"] = args.before.resolve()
        implementations.insert(0, "before")
    if not args.no_dsf and ensure_dsf_venv():
        implementations.append("dsf")
    kinds = args.kinds.split(",")
    if "application" in kinds:
        print(format_marginals(marginal_costs(implementations, args.runs)))
    if "team" in kinds:
        teams = [i for i in implementations if i != "dsf"]
        print(format_marginals(marginal_costs(teams, args.runs, kind="team"), kind="team"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
