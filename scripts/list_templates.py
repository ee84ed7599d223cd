"""Print each stack of a cloud assembly and where its template is."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(outdir: str) -> int:
    """List the CloudFormation stacks in ``outdir/manifest.json``."""
    root = Path(outdir).resolve()
    manifest = json.loads((root / "manifest.json").read_text())
    stacks = {
        name: artifact
        for name, artifact in manifest.get("artifacts", {}).items()
        if artifact.get("type") == "aws:cloudformation:stack"
    }
    print(f"Synthesized {len(stacks)} stack(s) into {root}:")
    for name, artifact in sorted(stacks.items()):
        template = root / artifact["properties"]["templateFile"]
        resources = len(json.loads(template.read_text()).get("Resources", {}))
        print(f"  {name:<40} {resources:>4} resources  {template}")
    report = root / "validation-report.json"
    if report.exists():
        print(f"Validation report (cdk-nag, CloudFormation rules): {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "cdk.out"))
