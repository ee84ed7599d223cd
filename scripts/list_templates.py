"""Print each stack of a cloud assembly (and of its stages) and where its template is."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def stacks(root: Path) -> dict[str, Path]:
    """``{stack: template}`` of the assembly in ``root``; a stage's stacks as ``Stage/Stack``."""
    manifest = json.loads((root / "manifest.json").read_text())
    found: dict[str, Path] = {}
    for name, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "aws:cloudformation:stack":
            found[artifact.get("displayName", name)] = root / properties["templateFile"]
        elif artifact.get("type") == "cdk:cloud-assembly":
            found.update(stacks(root / properties["directoryName"]))
    return found


def main(outdir: str) -> int:
    """List the CloudFormation stacks in ``outdir/manifest.json`` and its nested assemblies."""
    root = Path(outdir).resolve()
    found = stacks(root)
    print(f"Synthesized {len(found)} stack(s) into {root}:")
    for name, template in sorted(found.items()):
        resources = len(json.loads(template.read_text()).get("Resources", {}))
        print(f"  {name:<40} {resources:>4} resources  {template}")
    report = root / "validation-report.json"
    if report.exists():
        print(f"Validation report (cdk-nag, CloudFormation rules): {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "cdk.out"))
