"""The documentation's construct examples synthesize, and pass every gate.

A Python block right after the line ``<!-- example: synth -->`` in ``README.md`` or
``docs/*.md`` runs inside a stack (``self`` and ``stack``), with the names an example
leaves to the reader defined below (``submitter``, ``data_bucket``, ...). All marked
examples go into one app, synthesized once with the five nag packs.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.secure_bucket import SecureBucket
from tests.harness import ROOT, Synthesis, new_app, synthesize

MARKER = "<!-- example: synth -->"
_BLOCK = re.compile(re.escape(MARKER) + r"\s*\n```python\n(?P<code>.*?)\n```", re.DOTALL)
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def examples() -> list[tuple[str, str]]:
    """``(document:line, code)`` of every marked example."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{document.relative_to(ROOT)}:{line}", match["code"]))
    return found


def _names(stack: cdk.Stack) -> dict[str, Any]:
    """What the examples take as given."""
    submitter = iam.Role(stack, "SubmitterRole", assumed_by=iam.AccountRootPrincipal())
    runtime_role = JobRuntimeRole(stack, "GivenRuntimeRole")
    runtime_role.grant_glue_read("given", all_tables=True)
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    return {
        "self": stack,
        "stack": stack,
        "submitter": submitter,
        "submitter_role": submitter,
        "runtime_role": runtime_role,
        "application": EmrServerlessApplication(stack, "GivenApplication"),
        "airflow_role": iam.Role.from_role_arn(
            stack, "Airflow", "arn:aws:iam::123456789012:role/airflow"
        ),
        "data_bucket": SecureBucket(stack, "DataBucket"),
        "log_key": key,
        "log_group": logs.LogGroup(
            stack, "LogGroup", encryption_key=key, retention=logs.RetentionDays.ONE_YEAR
        ),
    }


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    for index, (where, code) in enumerate(examples()):
        stack = cdk.Stack(app, f"Example{index}", description=where)
        namespace = _names(stack)
        exec(compile(code, where, "exec"), namespace)
    return synthesize(app)


def test_the_documentation_has_marked_examples() -> None:
    where = {w.split(":")[0] for w, _ in examples()}
    assert {"README.md", "docs/monitoring.md", "docs/application.md"} <= where


def test_every_example_synthesizes_and_passes_the_gates(synthesis: Synthesis) -> None:
    assert len(synthesis.templates) == len(examples())
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()
