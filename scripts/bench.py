"""Benchmarks (``make bench``): figures, not pass/fail tests.

1. The reference app's ``cdk synth`` against a minimal one-bucket CDK app, alternating,
   with the same CLI, flags and environment; prints both medians and their ratio
   (target: at most 1.25).
2. The subnet planner planning 1,000 workloads in a /8 (target: under 50 ms).
3. The platform synthesized with 1 and with 50 generated teams: the marginal time per
   added team application and the peak memory.
4. The marginal cost of one application (the library alone) and of one team of the
   reference platform: jsii kernel requests and milliseconds, with and without the nag
   packs, against the same work done with the Data Solutions Framework
   (``scripts/bench_synthesis_cost.py``; DSF is installed in a benchmark-only venv).

Run with the project's venv (``make bench``); ``--runs N`` changes the run count.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_platform import bench_platform, format_figures  # noqa: E402
from bench_subnet_planning import bench_plan  # noqa: E402
from bench_synthesis_cost import ensure_dsf_venv, format_marginals, marginal_costs  # noqa: E402

CDK = ROOT / "node_modules" / ".bin" / "cdk"
CDK_FLAGS = ["--no-notices", "--no-version-reporting", "--ci", "--quiet"]

MINIMAL_APP = """\
import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

app = cdk.App()
stack = cdk.Stack(app, "OneBucket")
s3.Bucket(stack, "Bucket")
app.synth()
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CDK_DISABLE_CLI_TELEMETRY="true",
        CDK_DISABLE_VERSION_CHECK="true",
        AWS_EC2_METADATA_DISABLED="true",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="18,20",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
    )
    for key in [k for k in env if k.startswith("AWS_") and k != "AWS_EC2_METADATA_DISABLED"]:
        del env[key]
    return env


def time_synth(app_command: str, outdir: Path, cwd: Path) -> float:
    """Seconds for one ``cdk synth`` of ``app_command`` into a fresh ``outdir``."""
    shutil.rmtree(outdir, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        [str(CDK), "synth", "--app", app_command, "--output", str(outdir), *CDK_FLAGS],
        cwd=cwd,
        env=_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def bench_reference_vs_minimal(runs: int, workdir: Path) -> tuple[float, float]:
    """Median seconds of the reference app and of the one-bucket app, run alternately."""
    minimal = workdir / "minimal_app.py"
    minimal.write_text(MINIMAL_APP)
    python = sys.executable
    reference_times: list[float] = []
    minimal_times: list[float] = []
    for _ in range(runs):
        reference_times.append(time_synth(f"{python} app.py", workdir / "reference.out", ROOT))
        minimal_times.append(time_synth(f"{python} {minimal}", workdir / "minimal.out", workdir))
    return statistics.median(reference_times), statistics.median(minimal_times)


def main() -> int:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs of each app (default 5)")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    workdir = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / ".bench"))
    reference, minimal = bench_reference_vs_minimal(args.runs, workdir)
    print(f"cdk synth, median of {args.runs} alternating runs each:")
    print(f"  reference app (app.py):   {reference:6.2f} s")
    print(f"  one-bucket app:           {minimal:6.2f} s")
    print(f"  ratio reference/minimal:  {reference / minimal:6.2f}")
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"subnet planner, 1,000 workloads in a /8: {1000 * bench_plan(1000):.2f} ms (median)")
    print(format_figures(bench_platform()))
    implementations = ["ours", "dsf"] if ensure_dsf_venv() else ["ours"]
    print(format_marginals(marginal_costs(implementations, 5)))
    print(format_marginals(marginal_costs(["ours"], 3, kind="team"), kind="team"))
    return 0


if __name__ == "__main__":
    (ROOT / ".bench").mkdir(exist_ok=True)
    sys.exit(main())
