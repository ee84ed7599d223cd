"""docs/jobs.md: its Python compiles, and its Airflow DAG reads what the job's output holds."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from tests.harness import Synthesis
from tests.iam_checks import Environment, render

DOC = Path(__file__).resolve().parent.parent / "docs" / "jobs.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_every_python_block_compiles() -> None:
    assert len(BLOCKS) >= 5
    for block in BLOCKS:
        ast.parse(block)


def test_the_dag_reads_members_the_request_output_has(reference_app: Synthesis) -> None:
    (dag,) = [block for block in BLOCKS if "EmrServerlessStartJobOperator(" in block]
    read = set(re.findall(r'JOB \+ "\.(\w+) }}"', dag))
    assert read == {
        "applicationId",
        "executionRoleArn",
        "jobDriver",
        "configurationOverrides",
        "name",
        "retryPolicy",
    }
    template = reference_app.templates["EmrAnalytics-Prod-Team-Analytics"]
    imported = re.findall(r'"(?:OutputName|Fn::ImportValue)": "([^"]+)"', json.dumps(template))
    env = Environment(names={name: f"imported-{name}" for name in imported})
    value = template["Outputs"]["AnalyticsJobNightlyWordcountRequest"]["Value"]
    request = json.loads(render(value, template, env))
    assert read <= set(request)
    assert "clientToken" not in request
