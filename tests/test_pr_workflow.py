""".github/workflows/pr.yml: the steps that must be there, pinned actions, least privilege."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pr.yml"
_PINNED = re.compile(r"[\w.-]+/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})")


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return found


def step_using(workflow: dict[str, Any], job: str, action: str) -> dict[str, Any]:
    (step,) = [s for s in steps(workflow, job) if s.get("uses", "").startswith(f"{action}@")]
    return step


def test_runs_on_pull_requests_only(workflow: dict[str, Any]) -> None:
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert list(triggers) == ["pull_request"]


def test_every_action_is_pinned_to_a_version(workflow: dict[str, Any]) -> None:
    used = [s["uses"] for job in workflow["jobs"] for s in steps(workflow, job) if "uses" in s]
    assert used
    assert [u for u in used if not _PINNED.fullmatch(u)] == []


def test_permissions_are_least_privilege(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["test-and-review"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
    }
    assert workflow["jobs"]["diff"]["permissions"] == {"contents": "read", "id-token": "write"}


def test_checkouts_keep_no_token(workflow: dict[str, Any]) -> None:
    for job in workflow["jobs"]:
        assert step_using(workflow, job, "actions/checkout")["with"]["persist-credentials"] is False


def test_python_and_node_with_caches(workflow: dict[str, Any]) -> None:
    for job in workflow["jobs"]:
        python = step_using(workflow, job, "actions/setup-python")["with"]
        node = step_using(workflow, job, "actions/setup-node")["with"]
        assert (python["python-version"], python["cache"]) == ("3.11", "pip")
        assert python["cache-dependency-path"] == "requirements.lock"
        assert (node["node-version"], node["cache"]) == ("20", "npm")
        assert node["cache-dependency-path"] == "package-lock.json"


def test_make_test_then_make_review(workflow: dict[str, Any]) -> None:
    runs = [s.get("run") for s in steps(workflow, "test-and-review")]
    assert runs.index("make test") < runs.index("make review")
    phony = next(line for line in (ROOT / "Makefile").read_text().splitlines() if ".PHONY" in line)
    assert {"test", "review", "setup"} <= set(phony.split(":", 1)[1].split())


def test_review_is_one_sticky_comment(workflow: dict[str, Any]) -> None:
    comment = step_using(workflow, "test-and-review", "actions/github-script")
    script = comment["with"]["script"]
    assert "cdk.out/review.md" in script
    assert "updateComment" in script
    assert "createComment" in script
    assert "<!-- emr-serverless-review -->" in script
    assert "head.repo.full_name == github.repository" in comment["if"]


def test_cloud_assembly_is_uploaded_even_on_failure(workflow: dict[str, Any]) -> None:
    upload = step_using(workflow, "test-and-review", "actions/upload-artifact")
    assert (upload["if"], upload["with"]["path"]) == ("always()", "cdk.out/")


def test_diff_runs_only_with_a_deploy_role(workflow: dict[str, Any]) -> None:
    diff = workflow["jobs"]["diff"]
    assert "vars.CDK_DIFF_ROLE_ARN != ''" in diff["if"]
    assert diff["needs"] == "test-and-review"
    credentials = step_using(workflow, "diff", "aws-actions/configure-aws-credentials")["with"]
    assert credentials["role-to-assume"] == "${{ vars.CDK_DIFF_ROLE_ARN }}"
    assert "aws-access-key-id" not in credentials  # OIDC only, no long-lived keys
    assert any("cdk diff" in s.get("run", "") for s in steps(workflow, "diff"))
