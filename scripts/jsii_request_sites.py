"""Where one more application (or team) makes its requests into jsii's Node.js kernel.

A tool for finding what to cut, not a figure (``make bench`` prints the figures). It builds
and synthesizes ``n`` and ``n + k`` units of ``scripts/bench_synthesis_cost.py`` in two
fresh processes, counts each request at the kernel boundary (wrapping the kernel process's
``send`` in this benchmark's process, never in the library) by the library line that made
it and by request kind, and prints the difference per added unit, largest first::

    python scripts/jsii_request_sites.py --kind application --top 30
    python scripts/jsii_request_sites.py --kind team --units 1 2
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_OURS = (f"{os.sep}constructs_lib{os.sep}", f"{os.sep}stacks{os.sep}")


def _site(frames: list[traceback.FrameSummary]) -> str:
    """The innermost line of the library (or the reference platform) on the stack."""
    ours = [
        f
        for f in frames
        if any(part in f.filename for part in _OURS) and not f.filename.endswith("_arguments.py")
    ]
    if not ours:
        return "(aws-cdk-lib, e.g. app.synth())"
    last = ours[-1]
    return f"{Path(last.filename).name}:{last.lineno} {last.name}"


def count(kind: str, units: int) -> dict[str, int]:
    """Requests of ``units`` units, by ``<request kind> <target> | <site>``."""
    from jsii._kernel.providers import process

    tally: collections.Counter[str] = collections.Counter()
    original = process._NodeProcess.send

    def send(self: Any, request: Any, response_type: Any) -> Any:
        target = (
            getattr(request, "fqn", None)
            or getattr(request, "method", None)
            or getattr(request, "property", None)
            or ""
        )
        site = _site(traceback.extract_stack()[:-1])
        tally[f"{type(request).__name__.removesuffix('Request')} {target} | {site}"] += 1
        return original(self, request, response_type)

    process._NodeProcess.send = send  # type: ignore[method-assign]
    sys.path.insert(0, str(ROOT / "scripts"))
    import aws_cdk as cdk
    import bench_synthesis_cost as bench

    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    context.pop("emr-serverless:platformConfig", None)
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="sites-"), context=context)
    if kind == "team":
        bench._platform(app, units)
    else:
        stack = cdk.Stack(
            app, "Bench", env=cdk.Environment(account="123456789012", region="eu-west-1")
        )
        for index in range(units):
            bench._our_unit(stack, index)
    app.synth()
    return dict(tally)


def main() -> int:
    """Print the requests of one more unit by site, or (``--child``) count as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=("application", "team"), default="application")
    parser.add_argument("--units", nargs=2, type=int, default=(1, 3), metavar=("N", "N+K"))
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(count(args.kind, args.child)))
        return 0
    small, large = args.units
    counts = []
    for units in (small, large):
        done = subprocess.run(
            [sys.executable, __file__, "--kind", args.kind, "--child", str(units)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        counts.append(json.loads(done.stdout.strip().splitlines()[-1]))
    added = large - small
    per_unit = {
        key: (counts[1].get(key, 0) - counts[0].get(key, 0)) / added
        for key in set(counts[0]) | set(counts[1])
    }
    total = sum(per_unit.values())
    print(f"requests of one more {args.kind} ({small} -> {large} units): {total:.0f}")
    for key, value in sorted(per_unit.items(), key=lambda kv: -kv[1])[: args.top]:
        if value:
            print(f"  {value:6.1f}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
