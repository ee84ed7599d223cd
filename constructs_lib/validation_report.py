"""The findings in a synth's ``validation-report.json`` (cdk-nag, CloudFormation rules).

Pure module: imports nothing from ``aws_cdk``, so review tooling can read a cloud
assembly without starting aws-cdk-lib.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The plugin that reports construct annotations (warnings) in the validation report.
ANNOTATIONS_PLUGIN = "Construct Annotations"


@dataclass(frozen=True)
class Finding:
    """One violation in the validation report, on one construct."""

    plugin: str
    rule: str
    severity: str
    path: str
    description: str

    def __str__(self) -> str:
        return f"[{self.plugin}] {self.severity} {self.rule} at {self.path}: {self.description}"


def read_findings(report: Mapping[str, Any]) -> list[Finding]:
    """Every violation of every plugin in a parsed ``validation-report.json``."""
    return [
        Finding(
            plugin=plugin.get("pluginName", "?"),
            rule=violation.get("ruleName", "?"),
            severity=violation.get("severity", "?"),
            path=construct.get("constructPath", "?"),
            description=violation.get("description", ""),
        )
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", []) or [{}]
    ]
