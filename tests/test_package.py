"""The package re-exports its public API, and pure modules load without aws-cdk-lib."""

from __future__ import annotations

import subprocess
import sys

import constructs_lib

PURE_MODULES = [
    "constructs_lib.errors",
    "constructs_lib.iam_actions",
    "constructs_lib.subnet_planning",
    "constructs_lib.runtime_permissions",
    "constructs_lib.releases",
    "constructs_lib.workers",
    "constructs_lib.runtime_configuration",
    "constructs_lib.metrics",
    "constructs_lib.application_rules",
    "constructs_lib._checks",
    "constructs_lib.config_reader",
    "constructs_lib.platform_config",
    "constructs_lib.stack_outputs",
    "constructs_lib.jobs",
    "constructs_lib.image_references",
    "constructs_lib.job_defaults",
    "constructs_lib.monitoring_rules",
    "constructs_lib.prometheus_rules",
    "constructs_lib.validation_report",
]


def test_every_export_resolves() -> None:
    for name in constructs_lib.__all__:
        assert getattr(constructs_lib, name) is not None, name


def test_pure_modules_do_not_load_aws_cdk() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE_MODULES)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
