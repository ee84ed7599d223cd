""".github/workflows/deploy.yml: dev, a health check, an approval, prod; least privilege, OIDC
only in jobs bound to a protected environment, actions pinned by commit, one run at a time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from constructs_lib.platform_config import load_platform_config

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
DEPLOY = WORKFLOWS / "deploy.yml"
ENVIRONMENTS = ("dev", "prod")
#: The GitHub environment whose role may only read prod (the diff the approver reads).
REVIEW_ENVIRONMENT = "prod-review"
#: ``uses: owner/name@<40 hex digits> # vX.Y.Z``: a commit, with the release it is.
_PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$")


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return load(DEPLOY)


def jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = workflow["jobs"]
    return found


def environment_of(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(f"{action}@")]


def upstream(workflow: dict[str, Any], name: str) -> set[str]:
    """Every job ``name`` waits for, directly or through others."""
    needs = jobs(workflow)[name].get("needs", [])
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(upstream(workflow, job) for job in direct))


def runs(job: dict[str, Any]) -> str:
    return "\n".join(s.get("run", "") for s in job["steps"])


def test_runs_on_pushes_to_main_only(workflow: dict[str, Any]) -> None:
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers == {"push": {"branches": ["main"]}}


def test_no_workflow_runs_untrusted_code_with_the_base_repositorys_rights() -> None:
    # pull_request_target runs with the base repository's token and secrets; workflow_run
    # too, so there it may only check out the default branch and get no AWS credentials.
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        document = load(path)
        triggers = document[True]
        names = [triggers] if isinstance(triggers, str) else list(triggers)
        assert "pull_request_target" not in names, path.name
        if "workflow_run" not in names:
            continue
        for name, job in jobs(document).items():
            assert job.get("permissions", {}).get("id-token") != "write", f"{path.name}: {name}"
            for checkout in steps_using(job, "actions/checkout"):
                inputs = checkout.get("with", {})
                assert not {"ref", "repository"} & set(inputs), f"{path.name}: {name}"


def test_no_pull_request_job_gets_aws_credentials_for_a_fork() -> None:
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        document = load(path)
        triggers = document[True]
        if "pull_request" not in ([triggers] if isinstance(triggers, str) else list(triggers)):
            continue
        for name, job in jobs(document).items():
            if job.get("permissions", {}).get("id-token") == "write":
                condition = job.get("if", "")
                assert "github.event.pull_request.head.repo.full_name == github.repository" in (
                    condition
                ), f"{path.name}: {name}"


def test_permissions_are_least_privilege(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}
    for name, job in jobs(workflow).items():
        expected = {"contents": "read"}
        if environment_of(job) is not None:
            expected["id-token"] = "write"
        assert job["permissions"] == expected, name


def test_only_jobs_bound_to_a_protected_environment_assume_a_role(
    workflow: dict[str, Any],
) -> None:
    for name, job in jobs(workflow).items():
        assumes = steps_using(job, "aws-actions/configure-aws-credentials")
        oidc = job["permissions"].get("id-token") == "write"
        bound = environment_of(job) in (*ENVIRONMENTS, REVIEW_ENVIRONMENT)
        assert bool(assumes) == oidc == bound, name


def test_roles_come_from_variables_and_nothing_is_secret(workflow: dict[str, Any]) -> None:
    text = DEPLOY.read_text()
    assert "secrets." not in text
    assert not re.search(r"arn:aws[\w-]*:iam::\d{12}", text)
    for name, job in jobs(workflow).items():
        for step in steps_using(job, "aws-actions/configure-aws-credentials"):
            inputs = step["with"]
            assert re.fullmatch(r"\$\{\{ vars\.[A-Z_]+ \}\}", inputs["role-to-assume"]), name
            assert not {"aws-access-key-id", "aws-secret-access-key"} & set(inputs), name


def test_every_action_is_pinned_to_a_commit_with_its_release_in_a_comment() -> None:
    lines = [line for line in DEPLOY.read_text().splitlines() if "uses:" in line]
    assert lines
    assert [line for line in lines if not _PINNED.match(line)] == []
    commits: dict[str, set[str]] = {}
    for line in lines:
        match = _PINNED.match(line)
        assert match is not None
        commits.setdefault(match[1], set()).add(match[2])
    assert {action: len(shas) for action, shas in commits.items()} == dict.fromkeys(commits, 1)


def test_checkouts_keep_no_token(workflow: dict[str, Any]) -> None:
    for name, job in jobs(workflow).items():
        (checkout,) = steps_using(job, "actions/checkout")
        assert checkout["with"]["persist-credentials"] is False, name


def test_no_expression_is_expanded_into_a_shell_script(workflow: dict[str, Any]) -> None:
    # Values reach scripts through env:, never spliced into the script text.
    for name, job in jobs(workflow).items():
        assert "${{" not in runs(job), name


def test_one_run_at_a_time_and_a_running_deploy_is_never_cancelled(
    workflow: dict[str, Any],
) -> None:
    concurrency = workflow["concurrency"]
    assert concurrency["group"]
    assert concurrency["cancel-in-progress"] is False
    assert not [name for name, job in jobs(workflow).items() if "concurrency" in job]


def test_dev_is_deployed_and_checked_then_prod_after_its_approval(
    workflow: dict[str, Any],
) -> None:
    all_jobs = jobs(workflow)
    dev, prod = all_jobs["deploy-dev"], all_jobs["deploy-prod"]
    assert environment_of(dev) == "dev"
    assert environment_of(prod) == "prod"  # the environment's reviewers approve
    assert "deploy-dev" in prod["needs"]
    assert "needs.deploy-dev.result == 'success'" in prod["if"]
    for environment, job in (("dev", dev), ("prod", prod)):
        script = runs(job)
        deploy = script.index("cdk deploy --app cdk.out")
        check = script.index(f"check --environment {environment}")
        assert deploy < check
        assert f"selectors --environment {environment}" in script


def test_the_smoke_test_is_opt_in_and_gates_prod(workflow: dict[str, Any]) -> None:
    all_jobs = jobs(workflow)
    smoke = all_jobs["smoke-dev"]
    assert smoke["if"] == "vars.SMOKE_TEST == 'true'"
    assert environment_of(smoke) == "dev"
    prod = all_jobs["deploy-prod"]
    assert "smoke-dev" in prod["needs"]
    assert (
        "needs.smoke-dev.result == 'success' || needs.smoke-dev.result == 'skipped'" in (prod["if"])
    )


def test_dev_and_prod_deploy_the_one_assembly_synthesized_without_credentials(
    workflow: dict[str, Any],
) -> None:
    all_jobs = jobs(workflow)
    synth = all_jobs["synth"]
    assert "environment" not in synth
    assert not steps_using(synth, "aws-actions/configure-aws-credentials")
    (upload,) = steps_using(synth, "actions/upload-artifact")
    for name in ("deploy-dev", "deploy-prod"):
        (download,) = steps_using(all_jobs[name], "actions/download-artifact")
        assert download["with"]["name"] == upload["with"]["name"]
        assert download["with"]["path"] == "cdk.out"
        assert "synth" in upstream(workflow, name)


def test_the_workflows_environments_are_the_platforms() -> None:
    names = {
        environment.name
        for environment in load_platform_config(ROOT / "platform.yaml").environments
    }
    assert set(ENVIRONMENTS) <= names


def test_the_approver_reads_prods_diff_made_with_read_only_credentials(
    workflow: dict[str, Any],
) -> None:
    all_jobs = jobs(workflow)
    diff = all_jobs["diff-prod"]
    assert environment_of(diff) == REVIEW_ENVIRONMENT
    assert "deploy-dev" in upstream(workflow, "diff-prod")
    script = runs(diff)
    assert "cdk diff --app cdk.out --method template" in script  # the look-up role only
    assert "cdk deploy" not in script
    assert "GITHUB_STEP_SUMMARY" in script
    prod = all_jobs["deploy-prod"]
    assert "diff-prod" in prod["needs"]
    assert "needs.diff-prod.result == 'success'" in prod["if"]
    (role,) = [
        s["with"]["role-to-assume"]
        for s in steps_using(diff, "aws-actions/configure-aws-credentials")
    ]
    assert role == "${{ vars.DIFF_ROLE_ARN }}"


def test_dev_shows_its_diff_before_it_deploys(workflow: dict[str, Any]) -> None:
    script = runs(jobs(workflow)["deploy-dev"])
    assert script.index("cdk diff --app cdk.out --method template") < script.index("cdk deploy")


def _versions(path: Path, action: str, key: str) -> set[str]:
    """Every ``with.<key>`` of the steps of ``path`` that use ``action``."""
    return {
        str(step["with"][key])
        for job in load(path)["jobs"].values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith(f"{action}@")
    }


@pytest.mark.parametrize(
    ("action", "key"),
    [("actions/setup-node", "node-version"), ("actions/setup-python", "python-version")],
)
def test_deploy_runs_what_the_pull_request_tested(action: str, key: str) -> None:
    # The assembly that reaches prod is built by the runtimes the suite ran on.
    tested = _versions(WORKFLOWS / "pr.yml", action, key)
    assert len(tested) == 1
    assert _versions(DEPLOY, action, key) == tested
