"""The application lifecycle as synthesized: provider, roles, exact policies, order, opt-out."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from constructs_lib import api_only_settings
from constructs_lib.api_only_settings import MAX_ENCRYPTION_CONTEXT_PAIRS
from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_image import ApplicationImage
from constructs_lib.application_lifecycle import (
    DISK_KEY_POLICY_WARNING,
    HANDLER_RUNTIME,
    PROVIDER_ID,
    DiskEncryption,
)
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.lifecycle_policy import (
    LIFECYCLE_APPLICATION_ACTIONS,
    LIFECYCLE_JOB_RUN_ACTIONS,
    LIFECYCLE_STACK_ACTIONS,
    MAX_RUNNING_JOBS_TIMEOUT_MINUTES,
    LifecyclePolicy,
    RunningJobs,
)
from constructs_lib.releases import ReleaseLabel
from constructs_lib.workers import InitialWorkers, WorkerConfiguration, WorkerType
from tests.application_examples import ACCOUNT, DIGEST, ENV, REGION
from tests.harness import Synthesis, new_app, synthesize

IDENTITY_CENTER = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team@{DIGEST}"
OUTSIDE_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WARM = {WorkerType.SPARK_DRIVER: InitialWorkers(1, WorkerConfiguration(2, 4))}


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Lifecycle", env=ENV)
    EmrServerlessApplication(stack, "Plain")
    key = kms.Key(stack, "DiskKey", enable_key_rotation=True)
    EmrServerlessApplication(
        stack,
        "Settings",
        release=ReleaseLabel.EMR_7_8_0,
        initial_capacity=WARM,
        image=ApplicationImage.from_uri(IMAGE),
        identity_center_instance_arn=IDENTITY_CENTER,
        lifecycle=LifecyclePolicy(running_jobs=RunningJobs.CANCEL, running_jobs_timeout_minutes=20),
        disk_encryption=DiskEncryption(key, encryption_context={"team": "data", "env": "dev"}),
        job_level_cost_allocation=True,
        application_level_digest_resolution=False,
        user_background_sessions=True,
    )
    outside = cdk.Stack(app, "OutsideKey", env=ENV)
    EmrServerlessApplication(
        outside,
        "App",
        disk_encryption=DiskEncryption(kms.Key.from_key_arn(outside, "Key", OUTSIDE_KEY)),
    )
    off = cdk.Stack(app, "OptOut", env=ENV)
    EmrServerlessApplication(off, "App", lifecycle=False)
    return synthesize(app)


def _resources(synthesis: Synthesis, stack: str, kind: str | None = None) -> dict[str, Any]:
    resources = synthesis.templates[stack]["Resources"]
    return {k: v for k, v in resources.items() if kind is None or v["Type"] == kind}


def _one(synthesis: Synthesis, stack: str, kind: str, prefix: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (k, v) for k, v in _resources(synthesis, stack, kind).items() if k.startswith(prefix)
    ]
    return found


def _references(node: Any) -> set[str]:
    """Logical ids a template value refers to (Ref, Fn::GetAtt)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if "Ref" in node and isinstance(node["Ref"], str):
            found.add(node["Ref"])
        if "Fn::GetAtt" in node:
            found.add(node["Fn::GetAtt"][0])
        for value in node.values():
            found |= _references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _references(value)
    return found


def _dependencies(resource: dict[str, Any]) -> set[str]:
    depends_on = resource.get("DependsOn", [])
    return set([depends_on] if isinstance(depends_on, str) else depends_on) | _references(
        resource.get("Properties", {})
    )


def _closure(resources: dict[str, Any], start: str) -> set[str]:
    """Everything ``start`` depends on, directly or not."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for dependency in _dependencies(resources[todo.pop()]):
            if dependency in resources and dependency not in seen:
                seen.add(dependency)
                todo.append(dependency)
    return seen


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the provider: once per stack ------------------------------------------------------


def test_one_provider_serves_every_application_of_a_stack(synthesis: Synthesis) -> None:
    template = synthesis.template("Lifecycle")
    template.resource_count_is("AWS::Lambda::Function", 5)
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    template.resource_count_is("AWS::Logs::LogGroup", 1)
    template.resource_count_is("Custom::EmrServerlessBeforeUpdate", 2)
    template.resource_count_is("Custom::EmrServerlessAfterUpdate", 2)
    tokens = {
        str(r["Properties"]["ServiceToken"])
        for kind in ("Custom::EmrServerlessBeforeUpdate", "Custom::EmrServerlessAfterUpdate")
        for r in _resources(synthesis, "Lifecycle", kind).values()
    }
    assert len(tokens) == 1


def test_handler_functions(synthesis: Synthesis) -> None:
    functions = {
        r["Properties"]["Handler"]: r["Properties"]
        for r in _resources(synthesis, "Lifecycle", "AWS::Lambda::Function").values()
        if r["Properties"].get("Handler", "").startswith("handler.")
    }
    assert set(functions) == {"handler.on_event", "handler.is_complete"}
    log_group, _ = _one(synthesis, "Lifecycle", "AWS::Logs::LogGroup", PROVIDER_ID)
    key, _ = _one(synthesis, "Lifecycle", "AWS::KMS::Key", PROVIDER_ID)
    role, _ = _one(synthesis, "Lifecycle", "AWS::IAM::Role", f"{PROVIDER_ID}HandlerRole")
    for properties in functions.values():
        assert properties["Runtime"] == HANDLER_RUNTIME.name == "python3.14"
        assert properties["Environment"] == {"Variables": {"AWS_DATA_PATH": "/var/task/models"}}
        assert properties["KmsKeyArn"] == {"Fn::GetAtt": [key, "Arn"]}
        assert properties["LoggingConfig"] == {"LogGroup": {"Ref": log_group}}
        assert properties["Role"] == {"Fn::GetAtt": [role, "Arn"]}
        assert (properties["Timeout"], properties["MemorySize"]) == (60, 256)


def test_waiter_polls_every_15_seconds_for_up_to_an_hour(synthesis: Synthesis) -> None:
    (machine,) = _resources(synthesis, "Lifecycle", "AWS::StepFunctions::StateMachine").values()
    definition = str(machine["Properties"]["DefinitionString"])
    assert '"IntervalSeconds":15' in definition
    assert '"MaxAttempts":240' in definition
    assert machine["Properties"]["LoggingConfiguration"]["Level"] == "ALL"
    for custom in ("Custom::EmrServerlessBeforeUpdate", "Custom::EmrServerlessAfterUpdate"):
        for resource in _resources(synthesis, "Lifecycle", custom).values():
            assert resource["Properties"]["ServiceTimeout"] == "3600"


def test_log_group_is_encrypted_retained_and_kept_a_year(synthesis: Synthesis) -> None:
    _, group = _one(synthesis, "Lifecycle", "AWS::Logs::LogGroup", PROVIDER_ID)
    key_id, key = _one(synthesis, "Lifecycle", "AWS::KMS::Key", PROVIDER_ID)
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert group["Properties"]["RetentionInDays"] == 365
    assert group["DeletionPolicy"] == key["DeletionPolicy"] == "Retain"
    assert key["Properties"]["EnableKeyRotation"] is True
    # The name ends in the stack's UUID: a group retained by a deleted stack does not
    # block the stack's creation again.
    stack_uuid = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}
    prefix, suffix = group["Properties"]["LogGroupName"]["Fn::Join"][1]
    assert prefix.startswith("/aws/vendedlogs/emr-serverless-lifecycle/")
    assert prefix.endswith("-")
    assert suffix == stack_uuid
    (logs,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Sid") == "CloudWatchLogsLifecycleLogGroup"
    ]
    context = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert context == {
        "Fn::Join": ["", [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{prefix}", stack_uuid]]
    }


# --- roles and their exact policies ----------------------------------------------------


def _policy_statements(synthesis: Synthesis, role_prefix: str) -> list[dict[str, Any]]:
    role, _ = _one(synthesis, "Lifecycle", "AWS::IAM::Role", role_prefix)
    return [
        statement
        for policy in _resources(synthesis, "Lifecycle", "AWS::IAM::ManagedPolicy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_handler_role_acts_on_the_accounts_applications_in_the_region(
    synthesis: Synthesis,
) -> None:
    # Not each application's ARN: that statement would depend on the application, which
    # depends on its BeforeUpdate step (see LifecycleProvider._allow_applications).
    statements = _policy_statements(synthesis, f"{PROVIDER_ID}HandlerRole")
    applications = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/*"
    log_group, _ = _one(synthesis, "Lifecycle", "AWS::Logs::LogGroup", PROVIDER_ID)
    assert sorted(statements, key=str) == sorted(
        [
            {
                "Action": list(LIFECYCLE_STACK_ACTIONS),
                "Effect": "Allow",
                "Resource": {"Ref": "AWS::StackId"},
            },
            {
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [log_group, "Arn"]},
            },
            {
                "Action": list(LIFECYCLE_APPLICATION_ACTIONS),
                "Effect": "Allow",
                "Resource": applications,
            },
            {
                "Action": LIFECYCLE_JOB_RUN_ACTIONS[0],
                "Effect": "Allow",
                "Resource": f"{applications}/jobruns/*",
            },
        ],
        key=str,
    )


def test_framework_roles_invoke_the_handler_only(synthesis: Synthesis) -> None:
    functions = {
        r["Properties"]["Handler"]: k
        for k, r in _resources(synthesis, "Lifecycle", "AWS::Lambda::Function").items()
    }
    handlers = sorted(functions[h] for h in ("handler.on_event", "handler.is_complete"))
    invoke = {
        "Action": "lambda:InvokeFunction",
        "Effect": "Allow",
        "Resource": [{"Fn::GetAtt": [f, "Arn"]} for f in handlers]
        + [{"Fn::Join": ["", [{"Fn::GetAtt": [f, "Arn"]}, ":*"]]} for f in handlers],
    }
    for prefix in ("FrameworkOnEventRole", "FrameworkCompleteRole"):
        statements = _policy_statements(synthesis, f"{PROVIDER_ID}{prefix}")
        assert invoke in statements
        actions = sorted(a for s in statements for a in _as_list(s["Action"]))
        expected = ["lambda:GetFunction", "lambda:InvokeFunction", "logs:CreateLogStream"]
        expected += ["logs:PutLogEvents"]
        if prefix == "FrameworkOnEventRole":
            expected.append("states:StartExecution")
        assert actions == sorted(expected)


def test_no_inline_policy_not_even_the_waiters(synthesis: Synthesis) -> None:
    assert _resources(synthesis, "Lifecycle", "AWS::IAM::Policy") == {}
    role, _ = _one(synthesis, "Lifecycle", "AWS::IAM::Role", f"{PROVIDER_ID}Providerwaiter")
    (statement, logs) = [
        statement
        for policy in _resources(synthesis, "Lifecycle", "AWS::IAM::ManagedPolicy").values()
        if policy["Properties"]["Roles"] == [{"Ref": role}]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert logs["Resource"] == "*"
    assert all(a.startswith("logs:") for a in logs["Action"])


# --- order -----------------------------------------------------------------------------


def test_before_update_precedes_the_application_and_after_update_follows_it(
    synthesis: Synthesis,
) -> None:
    resources = _resources(synthesis, "Lifecycle")
    for app_id in _resources(synthesis, "Lifecycle", "AWS::EMRServerless::Application"):
        before, _ = _one(synthesis, "Lifecycle", "Custom::EmrServerlessBeforeUpdate", app_id[:-8])
        after, after_resource = _one(
            synthesis, "Lifecycle", "Custom::EmrServerlessAfterUpdate", app_id[:-8]
        )
        # CloudFormation updates BeforeUpdate first, then the application, then AfterUpdate;
        # it deletes in the reverse order, so AfterUpdate stops the application first.
        assert before in resources[app_id]["DependsOn"]
        assert app_id in _dependencies(after_resource)
        assert after_resource["Properties"]["ApplicationId"] == {
            "Fn::GetAtt": [app_id, "ApplicationId"]
        }
        assert app_id not in _closure(resources, before)
        assert after not in _closure(resources, app_id)
        assert before in _closure(resources, after)


def test_every_step_runs_with_its_permissions(synthesis: Synthesis) -> None:
    # The application statements do not depend on any application, and the handler
    # functions (which every step calls through the provider) depend on their policy, so
    # even the first step over an application deployed without a lifecycle may stop it.
    resources = _resources(synthesis, "Lifecycle")
    (access,) = [
        k
        for k, policy in _resources(synthesis, "Lifecycle", "AWS::IAM::ManagedPolicy").items()
        if any(
            s["Action"] == list(LIFECYCLE_APPLICATION_ACTIONS)
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
        )
    ]
    assert "EMRServerless" not in json.dumps(resources[access])
    handlers = [
        k
        for k, r in _resources(synthesis, "Lifecycle", "AWS::Lambda::Function").items()
        if r["Properties"]["Handler"] in ("handler.on_event", "handler.is_complete")
    ]
    assert len(handlers) == 2
    for function in handlers:
        assert access in resources[function]["DependsOn"]


def test_both_steps_carry_the_applications_properties(synthesis: Synthesis) -> None:
    resources = _resources(synthesis, "Lifecycle")
    for app_id in _resources(synthesis, "Lifecycle", "AWS::EMRServerless::Application"):
        for kind in ("Custom::EmrServerlessBeforeUpdate", "Custom::EmrServerlessAfterUpdate"):
            _, step = _one(synthesis, "Lifecycle", kind, app_id[:-8])
            assert step["Properties"]["Application"] == resources[app_id]["Properties"]
            assert step["Properties"]["ApplicationLogicalId"] == app_id


# --- policy and API-only settings ------------------------------------------------------


def test_policy_reaches_the_handler(synthesis: Synthesis) -> None:
    _, plain = _one(synthesis, "Lifecycle", "Custom::EmrServerlessBeforeUpdate", "Plain")
    _, settings = _one(synthesis, "Lifecycle", "Custom::EmrServerlessBeforeUpdate", "Settings")
    assert (
        plain["Properties"]["RunningJobs"],
        plain["Properties"]["RunningJobsTimeoutMinutes"],
    ) == (
        "WAIT",
        5,
    )
    assert (
        settings["Properties"]["RunningJobs"],
        settings["Properties"]["RunningJobsTimeoutMinutes"],
    ) == ("CANCEL", 20)


def test_api_only_settings_reach_the_handler_exactly(synthesis: Synthesis) -> None:
    key, _ = _one(synthesis, "Lifecycle", "AWS::KMS::Key", "DiskKey")
    expected = {
        "DiskEncryptionConfiguration": {
            "Path": ["diskEncryptionConfiguration"],
            "Value": {
                "encryptionKeyArn": {"Fn::GetAtt": [key, "Arn"]},
                "encryptionContext": {"env": "dev", "team": "data"},
            },
            "Clear": {},
        },
        "JobLevelCostAllocationConfiguration": {
            "Path": ["jobLevelCostAllocationConfiguration"],
            "Value": {"enabled": True},
            "Clear": {"enabled": False},
        },
        "ImageConfiguration.ApplicationLevelDigestResolution": {
            "Path": ["imageConfiguration", "applicationLevelDigestResolution"],
            "Value": False,
            "Clear": True,
        },
        "IdentityCenterConfiguration.UserBackgroundSessionsEnabled": {
            "Path": ["identityCenterConfiguration", "userBackgroundSessionsEnabled"],
            "Value": True,
            "Clear": False,
        },
    }
    _, after = _one(synthesis, "Lifecycle", "Custom::EmrServerlessAfterUpdate", "Settings")
    assert after["Properties"]["ApiOnlySettings"] == expected
    # BeforeUpdate only compares them: a reference is text there, so that it depends on
    # nothing the application does not (the key's policy names the application).
    _, before = _one(synthesis, "Lifecycle", "Custom::EmrServerlessBeforeUpdate", "Settings")
    disk = expected["DiskEncryptionConfiguration"]["Value"]
    disk["encryptionKeyArn"] = f'template:{{"Fn::GetAtt":["{key}","Arn"]}}'
    assert before["Properties"]["ApiOnlySettings"] == expected
    for kind in ("Custom::EmrServerlessBeforeUpdate", "Custom::EmrServerlessAfterUpdate"):
        _, plain = _one(synthesis, "Lifecycle", kind, "Plain")
        assert plain["Properties"]["ApiOnlySettings"] == {}


def test_api_only_settings_stay_off_the_application(synthesis: Synthesis) -> None:
    _, application = _one(synthesis, "Lifecycle", "AWS::EMRServerless::Application", "Settings")
    assert "DiskEncryptionConfiguration" not in application["Properties"]
    assert application["Properties"]["ImageConfiguration"] == {"ImageUri": IMAGE}
    assert application["Properties"]["IdentityCenterConfiguration"] == {
        "IdentityCenterInstanceArn": IDENTITY_CENTER
    }


def test_disk_key_lets_emr_serverless_use_it_for_this_application(synthesis: Synthesis) -> None:
    _, key = _one(synthesis, "Lifecycle", "AWS::KMS::Key", "DiskKey")
    app, _ = _one(synthesis, "Lifecycle", "AWS::EMRServerless::Application", "Settings")
    (statement,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Sid") == "EmrServerlessDiskEncryption"
    ]
    assert statement == {
        "Sid": "EmrServerlessDiskEncryption",
        "Effect": "Allow",
        "Principal": {"Service": "emr-serverless.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {
            "StringLike": {
                "aws:SourceArn": [
                    {"Fn::GetAtt": [app, "Arn"]},
                    {"Fn::Join": ["", [{"Fn::GetAtt": [app, "Arn"]}, "/jobruns/*"]]},
                ]
            }
        },
    }


def test_a_key_from_outside_the_app_gets_a_warning(synthesis: Synthesis) -> None:
    warnings = synthesis.warnings(DISK_KEY_POLICY_WARNING)
    assert len(warnings) == 1
    assert "OutsideKey/App/Lifecycle" in str(warnings[0])


# --- opt-out ---------------------------------------------------------------------------


def test_opting_out_removes_every_lifecycle_resource(synthesis: Synthesis) -> None:
    kinds = {r["Type"] for r in _resources(synthesis, "OptOut").values()}
    assert kinds == {"AWS::EMRServerless::Application"}
    (application,) = _resources(synthesis, "OptOut").values()
    assert "DependsOn" not in application


# --- gates -----------------------------------------------------------------------------


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()


def test_acknowledgements_are_on_the_providers_resources_only(synthesis: Synthesis) -> None:
    paths = {path for path, _, _ in synthesis.acknowledgements() if "Lifecycle/" in path}
    assert paths
    assert all(f"/{PROVIDER_ID}/" in path for path in paths)


# --- refusals (no synthesis) -----------------------------------------------------------


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Refusals", env=ENV)


def _key(stack: cdk.Stack) -> kms.IKey:
    return kms.Key.from_key_arn(stack, "Key", OUTSIDE_KEY)


def _refusal(**arguments: Any) -> EmrServerlessValidationError:
    stack = _stack()
    resolved = {k: (v(stack) if callable(v) else v) for k, v in arguments.items()}
    with pytest.raises(EmrServerlessValidationError) as raised:
        EmrServerlessApplication(stack, "App", **resolved)
    return raised.value


def _context(pairs: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(pairs)}


def test_settings_need_the_lifecycle() -> None:
    error = _refusal(lifecycle=False, job_level_cost_allocation=True)
    assert (error.argument, error.value) == ("lifecycle", False)
    assert "job_level_cost_allocation" in error.rule
    assert "lifecycle" in error.fix


def test_lifecycle_off_without_settings_is_accepted() -> None:
    app = EmrServerlessApplication(_stack(), "App", lifecycle=False)
    assert app.lifecycle is None


def test_encryption_context_holds_at_most_eight_pairs() -> None:
    stack = _stack()
    app = EmrServerlessApplication(
        stack,
        "App",
        disk_encryption=DiskEncryption(_key(stack), encryption_context=_context(8)),
    )
    assert app.lifecycle is not None
    error = _refusal(
        disk_encryption=lambda s: DiskEncryption(
            _key(s), encryption_context=_context(MAX_ENCRYPTION_CONTEXT_PAIRS + 1)
        )
    )
    assert error.argument == "disk_encryption.encryption_context"
    assert "API_DiskEncryptionConfiguration" in error.rule


@pytest.mark.parametrize(
    ("context", "valid"),
    [
        ({"k" * 128: "v"}, True),
        ({"k" * 129: "v"}, False),
        ({"k": "v" * 384}, True),
        ({"k": "v" * 385}, False),
        ({"k": ""}, False),
    ],
)
def test_encryption_context_key_and_value_lengths(context: dict[str, str], valid: bool) -> None:
    stack = _stack()
    disk = DiskEncryption(_key(stack), encryption_context=context)
    if valid:
        assert EmrServerlessApplication(stack, "App", disk_encryption=disk).lifecycle is not None
        return
    with pytest.raises(EmrServerlessValidationError) as raised:
        EmrServerlessApplication(stack, "App", disk_encryption=disk)
    assert raised.value.argument.startswith("disk_encryption.encryption_context[")


def test_an_alias_is_not_a_disk_encryption_key() -> None:
    error = _refusal(
        disk_encryption=lambda s: DiskEncryption(
            kms.Alias.from_alias_name(s, "Alias", "alias/team")
        )
    )
    assert error.argument == "disk_encryption.key"
    assert "not of an alias" in error.rule


def test_a_key_arn_string_is_refused_with_the_way_to_import_it() -> None:
    with pytest.raises(EmrServerlessValidationError) as raised:
        DiskEncryption(OUTSIDE_KEY)  # type: ignore[arg-type]
    assert "from_key_arn" in raised.value.fix


def test_digest_resolution_needs_an_image() -> None:
    error = _refusal(application_level_digest_resolution=True)
    assert error.argument == "application_level_digest_resolution"
    assert "updating-running-applications" in error.rule
    app = EmrServerlessApplication(
        _stack(),
        "App",
        image=ApplicationImage.from_uri(IMAGE),
        application_level_digest_resolution=True,
    )
    assert app.lifecycle is not None


def test_user_background_sessions_need_identity_center() -> None:
    error = _refusal(release=ReleaseLabel.EMR_7_8_0, user_background_sessions=True)
    assert error.argument == "user_background_sessions"
    assert "identity_center_instance_arn" in error.fix


@pytest.mark.parametrize(
    ("minutes", "valid"),
    [(0, False), (1, True), (MAX_RUNNING_JOBS_TIMEOUT_MINUTES, True), (46, False)],
)
def test_running_jobs_timeout_range(minutes: int, valid: bool) -> None:
    if valid:
        assert LifecyclePolicy(running_jobs_timeout_minutes=minutes).running_jobs_timeout_minutes
        return
    with pytest.raises(EmrServerlessValidationError) as raised:
        LifecyclePolicy(running_jobs_timeout_minutes=minutes)
    assert raised.value.argument == "running_jobs_timeout_minutes"
    assert "aws-resource-cloudformation-customresource" in raised.value.rule


@pytest.mark.parametrize("minutes", [2.5, "5", True])
def test_running_jobs_timeout_is_whole_minutes(minutes: Any) -> None:
    with pytest.raises(EmrServerlessValidationError, match="whole minutes"):
        LifecyclePolicy(running_jobs_timeout_minutes=minutes)


def test_running_jobs_policy_accepts_its_strings() -> None:
    assert LifecyclePolicy(running_jobs="cancel").running_jobs is RunningJobs.CANCEL  # type: ignore[arg-type]
    with pytest.raises(EmrServerlessValidationError) as raised:
        LifecyclePolicy(running_jobs="kill")  # type: ignore[arg-type]
    assert raised.value.argument == "running_jobs"


def test_lifecycle_takes_a_bool_or_a_policy() -> None:
    error = _refusal(lifecycle="yes")
    assert error.argument == "lifecycle"


def _names(items: Iterable[Any]) -> list[str]:
    return [item.node.id for item in items]


def test_lifecycle_is_a_child_of_the_application() -> None:
    app = EmrServerlessApplication(_stack(), "App")
    assert app.lifecycle is not None
    assert _names(app.lifecycle.node.children) == ["BeforeUpdate", "AfterUpdate"]
    assert app.lifecycle.policy == LifecyclePolicy()


def test_a_setting_cloudformation_gains_moves_to_the_resource_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "JobLevelCostAllocationConfiguration"
    row = api_only_settings.SETTINGS_BY_NAME[name]
    moved = dataclasses.replace(row, cloudformation_property=name)  # the one line
    monkeypatch.setitem(api_only_settings.SETTINGS_BY_NAME, name, moved)
    stack = _stack()
    app = EmrServerlessApplication(stack, "App", job_level_cost_allocation=True)
    assert app.lifecycle is not None
    assert app.lifecycle.settings == ()
    template = Template.from_stack(stack).to_json()
    (application,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::EMRServerless::Application"
    ]
    assert application["Properties"][name] == {"Enabled": True}
    (after,) = [
        r for r in template["Resources"].values() if r["Type"] == "Custom::EmrServerlessAfterUpdate"
    ]
    assert after["Properties"]["ApiOnlySettings"] == {}
    # BeforeUpdate still compares it (an override is not among the rendered properties),
    # so a change to it stops the application before CloudFormation updates it.
    (before,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "Custom::EmrServerlessBeforeUpdate"
    ]
    assert before["Properties"]["Application"][name] == {"Enabled": True}
