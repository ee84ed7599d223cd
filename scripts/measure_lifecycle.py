"""Resources and synthesis time the application lifecycle adds (figures, not a test).

Synthesizes one stack of N applications with the lifecycle on and off, with the five
cdk-nag packs as ``make synth`` runs them, each in a fresh process (so jsii start-up is
not counted), and prints resource counts and the median synth time of ``--repeat`` runs.

    .venv/bin/python scripts/measure_lifecycle.py --applications 1 11 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, {root!r})
    import aws_cdk as cdk
    from tests.harness import new_app
    from constructs_lib.application import EmrServerlessApplication
    count, lifecycle = {count}, {lifecycle}
    warm = new_app()
    EmrServerlessApplication(cdk.Stack(warm, "Warm"), "App", lifecycle=lifecycle)
    warm.synth()  # loads aws-cdk-lib's modules once, outside the measure
    app = new_app()
    env = cdk.Environment(account="123456789012", region="eu-west-1")
    stack = cdk.Stack(app, "Measured", env=env)
    start = time.perf_counter()
    for index in range(count):
        EmrServerlessApplication(stack, f"App{{index}}", lifecycle=lifecycle)
    template = app.synth().get_stack_by_name("Measured").template
    seconds = time.perf_counter() - start
    print(json.dumps({{"seconds": seconds, "resources": len(template["Resources"])}}))
    """
)


def _run(count: int, lifecycle: bool) -> dict[str, float]:
    code = _CHILD.format(root=str(ROOT), count=count, lifecycle=lifecycle)
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, nargs=2, default=(1, 11))
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    low, high = arguments.applications
    results: dict[tuple[int, bool], tuple[float, float]] = {}
    for count in (low, high):
        for lifecycle in (False, True):
            runs = [_run(count, lifecycle) for _ in range(arguments.repeat)]
            seconds = statistics.median(r["seconds"] for r in runs)
            results[count, lifecycle] = (seconds, runs[0]["resources"])
            print(
                f"{count:3d} applications, lifecycle {'on ' if lifecycle else 'off'}: "
                f"{runs[0]['resources']:4.0f} resources, {seconds:6.2f} s (median of "
                f"{arguments.repeat})"
            )
    span = high - low
    slope = {}
    for lifecycle in (False, True):
        seconds = (results[high, lifecycle][0] - results[low, lifecycle][0]) / span
        resources = (results[high, lifecycle][1] - results[low, lifecycle][1]) / span
        slope[lifecycle] = (seconds, resources)
        label = "on " if lifecycle else "off"
        print(f"per application, lifecycle {label}: {resources:.1f} resources, {seconds:.2f} s")
    added_seconds = slope[True][0] - slope[False][0]
    added_resources = slope[True][1] - slope[False][1]
    provider = results[low, True][1] - results[low, False][1] - low * added_resources
    provider_seconds = results[low, True][0] - results[low, False][0] - low * added_seconds
    print(
        f"the lifecycle adds per application: {added_resources:.1f} resources, "
        f"{added_seconds:.2f} s; per stack (the provider): {provider:.0f} resources, "
        f"{provider_seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
