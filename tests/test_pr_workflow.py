""".github/workflows/pr.yml and review.yml: no pull-request code with credentials, pinned
actions, least privilege per job, and the review rendered and posted by trusted code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
PR = WORKFLOWS / "pr.yml"
REVIEW = WORKFLOWS / "review.yml"

#: ``owner/name@<40 hex> # vX.Y.Z`` on one line.
_PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$")
#: Permissions that let a job change the repository, its pull requests or anything outside.
_WRITE = "write"


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


@pytest.fixture(scope="module")
def pr() -> dict[str, Any]:
    return load(PR)


@pytest.fixture(scope="module")
def review() -> dict[str, Any]:
    return load(REVIEW)


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = workflow[True]  # YAML 1.1 reads the key `on` as true
    return found


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return found


def all_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"] for s in steps(workflow, job)]


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@", 1)[0]


def step_using(workflow: dict[str, Any], job: str, action: str) -> list[dict[str, Any]]:
    return [s for s in steps(workflow, job) if uses(s) == action]


# ---------------------------------------------------------------- both workflows


@pytest.mark.parametrize("path", [PR, REVIEW], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_tag(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if re.match(r"^\s*(- )?uses:", line)]
    assert lines
    assert [line for line in lines if not _PINNED.match(line)] == []


def test_one_commit_per_action_across_workflows() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            match = _PINNED.match(line)
            if match:
                pins.setdefault(match[1], set()).add((match[2], match[3]))
    assert pins
    assert {action: len(found) for action, found in pins.items()} == dict.fromkeys(pins, 1)


@pytest.mark.parametrize("path", [PR, REVIEW], ids=lambda p: p.name)
def test_nothing_by_default_and_each_job_asks_for_what_it_needs(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), name
        assert "id-token" not in job["permissions"], name


@pytest.mark.parametrize("path", [PR, REVIEW], ids=lambda p: p.name)
def test_checkouts_keep_no_token(path: Path) -> None:
    workflow = load(path)
    checkouts = [s for s in all_steps(workflow) if uses(s) == "actions/checkout"]
    assert checkouts
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


@pytest.mark.parametrize("path", [PR, REVIEW], ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_script(path: Path) -> None:
    """Branch names, titles and other event text reach scripts only through ``env``."""
    for step in all_steps(load(path)):
        assert "${{" not in step.get("run", ""), step.get("name")
        assert "${{" not in step.get("with", {}).get("script", ""), step.get("name")


@pytest.mark.parametrize("path", [PR, REVIEW], ids=lambda p: p.name)
def test_no_aws_credentials_and_no_secrets(path: Path) -> None:
    text = path.read_text()
    assert "secrets." not in text
    assert "configure-aws-credentials" not in text
    assert "id-token" not in text
    assert "pull_request_target" not in text


# ---------------------------------------------------------------- pr.yml: runs the PR's code


def test_pr_runs_on_pull_requests_only(pr: dict[str, Any]) -> None:
    assert list(triggers(pr)) == ["pull_request"]


def test_jobs_that_run_pull_request_code_can_only_read(pr: dict[str, Any]) -> None:
    assert {name: job["permissions"] for name, job in pr["jobs"].items()} == {
        "test": {"contents": "read"},
        "base": {"contents": "read"},
    }
    assert not any(_WRITE in str(job.get("permissions")) for job in pr["jobs"].values())


def test_pr_tests_then_synthesizes_the_head(pr: dict[str, Any]) -> None:
    runs = [s.get("run") for s in steps(pr, "test")]
    assert runs.index("make test") < runs.index("make synth")
    (head,) = [
        s
        for s in step_using(pr, "test", "actions/upload-artifact")
        if "cdk.out" in s["with"]["path"]
    ]
    assert head["with"]["name"] == "head-assembly"
    (checkout,) = step_using(pr, "test", "actions/checkout")
    assert "ref" not in checkout["with"]  # the pull request merged into its base


def test_pr_synthesizes_the_base_at_its_commit(pr: dict[str, Any]) -> None:
    (checkout,) = step_using(pr, "base", "actions/checkout")
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert [s.get("run") for s in steps(pr, "base") if "run" in s] == ["make synth"]
    (upload,) = step_using(pr, "base", "actions/upload-artifact")
    assert (upload["with"]["name"], upload["with"]["path"]) == ("base-assembly", "cdk.out/")


def test_python_and_node_with_caches(pr: dict[str, Any]) -> None:
    for job in pr["jobs"]:
        (python,) = step_using(pr, job, "actions/setup-python")
        (node,) = step_using(pr, job, "actions/setup-node")
        assert (python["with"]["python-version"], python["with"]["cache"]) == ("3.11", "pip")
        assert python["with"]["cache-dependency-path"] == "requirements.lock"
        assert node["with"]["cache"] == "npm"
        assert node["with"]["cache-dependency-path"] == "package-lock.json"


def test_make_targets_exist() -> None:
    phony = next(line for line in (ROOT / "Makefile").read_text().splitlines() if ".PHONY" in line)
    assert {"test", "review", "setup", "synth"} <= set(phony.split(":", 1)[1].split())


# ---------------------------------------------------------------- review.yml: trusted code


def test_review_runs_after_the_pull_request_workflow(
    pr: dict[str, Any], review: dict[str, Any]
) -> None:
    run = triggers(review)["workflow_run"]
    assert list(triggers(review)) == ["workflow_run"]
    assert run == {"workflows": [pr["name"]], "types": ["completed"]}
    condition = review["jobs"]["render"]["if"]
    assert "github.event.workflow_run.event == 'pull_request'" in condition
    assert "github.event.workflow_run.conclusion == 'success'" in condition


def test_review_checks_out_only_the_default_branch(review: dict[str, Any]) -> None:
    checkouts = [s for s in all_steps(review) if uses(s) == "actions/checkout"]
    assert len(checkouts) == 1
    assert set(checkouts[0]["with"]) == {"persist-credentials"}  # no ref, no repository
    assert [s for s in all_steps(review) if "allow-unsafe-pr-checkout" in s.get("with", {})] == []


def test_review_reads_the_pull_requests_artifacts_as_data(
    pr: dict[str, Any], review: dict[str, Any]
) -> None:
    uploaded = {s["with"]["name"] for s in all_steps(pr) if uses(s) == "actions/upload-artifact"}
    downloaded = {
        s["with"]["name"]: s["with"]
        for s in all_steps(review)
        if uses(s) == "actions/download-artifact" and "run-id" in s["with"]
    }
    assert set(downloaded) == uploaded == {"head-assembly", "base-assembly", "pull-request"}
    for options in downloaded.values():
        assert options["run-id"] == "${{ github.event.workflow_run.id }}"
    (render,) = [s for s in steps(review, "render") if "scripts/review.py" in s.get("run", "")]
    assert '--head "$UNTRUSTED/head" --base "$UNTRUSTED/base"' in render["run"]


def test_review_permissions_per_job(review: dict[str, Any]) -> None:
    assert {name: job["permissions"] for name, job in review["jobs"].items()} == {
        "render": {"contents": "read", "actions": "read"},
        "comment": {"actions": "read", "pull-requests": "write"},
    }


def test_the_job_that_can_write_runs_no_code_of_its_own(review: dict[str, Any]) -> None:
    """The comment job has a write token: it checks nothing out and runs no shell."""
    comment = steps(review, "comment")
    assert {uses(s) for s in comment} == {"actions/download-artifact", "actions/github-script"}
    assert not any("run" in s for s in comment)
    assert review["jobs"]["comment"]["needs"] == "render"


def test_review_is_one_sticky_comment_for_the_checked_pull_request(review: dict[str, Any]) -> None:
    (post,) = step_using(review, "comment", "actions/github-script")
    script = post["with"]["script"]
    assert "review/review.md" in script
    assert "<!-- emr-serverless-review -->" in script
    assert "updateComment" in script
    assert "createComment" in script
    assert "Number.isSafeInteger(number)" in script
    assert "pr.head.sha !== run.head_sha" in script  # the number is checked, not trusted
    assert "const limit = 65536" in script


def test_review_and_full_report_are_an_artifact(review: dict[str, Any]) -> None:
    (upload,) = step_using(review, "render", "actions/upload-artifact")
    assert (upload["with"]["name"], upload["with"]["path"]) == ("review", "review/")
    (render,) = [s for s in steps(review, "render") if "scripts/review.py" in s.get("run", "")]
    assert "--output review/review.md --full-output review/review-full.md" in render["run"]
