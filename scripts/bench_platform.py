"""How synthesis grows with a platform's size (a figure, not a test).

Synthesizes the reference platform (one environment, every compliance pack on) with 1
and with 50 generated teams, each in a fresh process, alternating, and reports the median
wall time of each, the marginal time per added team application, and the peak memory
(resident set) of the Python process and of jsii's Node.js process.

``bench_platform`` is called by ``scripts/bench.py`` (``make bench``); run this file alone
to print the figures.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The team every generated team copies (the shipped config's Spark team).
TEMPLATE_TEAM = "analytics"


@dataclass(frozen=True)
class PlatformFigures:
    """Median seconds and peak memory for synthesizing ``small`` and ``large`` teams."""

    small: int
    large: int
    small_seconds: float
    large_seconds: float
    peak_python_mib: float
    peak_node_mib: float
    small_seconds_unvalidated: float
    large_seconds_unvalidated: float

    @property
    def marginal_ms(self) -> float:
        """Milliseconds each added team application costs."""
        return 1000 * (self.large_seconds - self.small_seconds) / (self.large - self.small)

    @property
    def marginal_validation_ms(self) -> float:
        """Of :attr:`marginal_ms`, what aws-cdk-lib's CloudFormation validation costs."""
        unvalidated = (self.large_seconds_unvalidated - self.small_seconds_unvalidated) / (
            self.large - self.small
        )
        return self.marginal_ms - 1000 * unvalidated


def generated_config_text(teams: int) -> str:
    """A platform file with one environment and ``teams`` copies of the shipped Spark team."""
    import yaml

    shipped = yaml.safe_load((ROOT / "platform.yaml").read_text())
    (template,) = [t for t in shipped["teams"] if t["name"] == TEMPLATE_TEAM]
    document = {
        "platform": {**shipped["platform"], "name": "bench"},
        "environments": {"dev": {}},
        "teams": [{**template, "name": f"team-{i:03d}"} for i in range(teams)],
    }
    return yaml.safe_dump(document, sort_keys=False)


def synthesize(teams: int, outdir: str) -> None:
    """Build and synthesize the generated platform in this process."""
    import aws_cdk as cdk

    import app as reference
    from constructs_lib.platform_config import parse_platform_config

    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    config = parse_platform_config(generated_config_text(teams), source="generated.yaml")
    application = cdk.App(outdir=outdir, context=context)
    reference.build_app(application, config=config)
    application.synth()


def _measure(teams: int, *, validation: bool = True) -> tuple[float, float, float]:
    """Seconds, Python peak MiB and Node.js peak MiB of one synthesis in fresh processes.

    :param validation: run aws-cdk-lib's CloudFormation validation (``CDK_VALIDATION``), as
        every real synth does; off only to measure what it costs.
    """
    with tempfile.TemporaryDirectory(prefix="bench-platform-") as outdir:
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(teams), "--outdir", outdir],
            check=True,
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "18,20",
                "CDK_VALIDATION": "true" if validation else "false",
            },
        )
        seconds = time.perf_counter() - start
    python_kib, node_kib = (int(v) for v in child.stdout.split())
    return seconds, python_kib / 1024, node_kib / 1024


def bench_platform(small: int = 1, large: int = 50, runs: int = 3) -> PlatformFigures:
    """Median figures over ``runs`` alternating syntheses of ``small`` and ``large`` teams."""
    small_runs, large_runs, small_bare, large_bare = [], [], [], []
    for _ in range(runs):
        small_runs.append(_measure(small))
        large_runs.append(_measure(large))
        small_bare.append(_measure(small, validation=False)[0])
        large_bare.append(_measure(large, validation=False)[0])
    return PlatformFigures(
        small=small,
        large=large,
        small_seconds=statistics.median(r[0] for r in small_runs),
        large_seconds=statistics.median(r[0] for r in large_runs),
        peak_python_mib=max(r[1] for r in large_runs),
        peak_node_mib=max(r[2] for r in large_runs),
        small_seconds_unvalidated=statistics.median(small_bare),
        large_seconds_unvalidated=statistics.median(large_bare),
    )


def _child(teams: int, outdir: str) -> None:
    """Synthesize, then print this process's and its children's peak RSS in KiB."""
    synthesize(teams, outdir)
    from jsii._runtime import kernel

    # Stop jsii's Node.js process so that its peak memory is counted among the children.
    kernel.provider._process.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(own, children)


def main() -> int:
    """Print the figures (or, with ``--child``, run one synthesis)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--outdir", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3, help="runs of each size (default 3)")
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child, args.outdir)
        return 0
    figures = bench_platform(runs=args.runs)
    print(format_figures(figures))
    return 0


def format_figures(figures: PlatformFigures) -> str:
    """The figures as the lines ``make bench`` prints."""
    return "\n".join(
        [
            "platform synthesis (one environment, all nag packs), median of runs, fresh process:",
            f"  {figures.small:>3} team(s):          {figures.small_seconds:6.2f} s",
            f"  {figures.large:>3} teams:            {figures.large_seconds:6.2f} s",
            f"  marginal per team:     {figures.marginal_ms:6.0f} ms "
            f"(of which aws-cdk-lib's CloudFormation validation "
            f"{figures.marginal_validation_ms:.0f} ms)",
            f"  peak memory ({figures.large} teams): Python {figures.peak_python_mib:.0f} MiB, "
            f"Node.js {figures.peak_node_mib:.0f} MiB",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
