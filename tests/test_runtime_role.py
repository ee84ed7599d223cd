"""JobRuntimeRole: trust, each grant statement by statement, IAM catalogue, linters, refusals."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_aps as aps
from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.iam_actions import JOB_RUN_ACTIONS, JOB_SUBMIT_APPLICATION_ACTIONS
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.runtime_permissions import (
    GLUE_DATABASE_READ_ACTIONS,
    GLUE_FUNCTION_READ_ACTIONS,
    GLUE_TABLE_READ_ACTIONS,
    GLUE_TABLE_WRITE_ACTIONS,
    LOGS_WRITE_ACTIONS,
    SECRET_READ_ACTIONS,
)
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.secure_bucket import SecureBucket
from tests.harness import Synthesis, new_app, synthesize
from tests.iam_checks import (
    Environment,
    attached_policies,
    cloudsplaining_findings,
    identity_policies,
    parliament_findings,
    render,
    resource_type_problems,
    stack_outputs,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTNER_ROLE = "arn:aws:iam::210987654321:role/partner-data-reader"
WORKSPACE = f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/ws-1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:jdbc-login-AbC123"
ENV = Environment(account=ACCOUNT, region=REGION)
GUIDE_TRUST = {
    "Statement": [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "emr-serverless.amazonaws.com"},
        }
    ],
    "Version": "2012-10-17",
}


@dataclass(frozen=True)
class StandInApplication:
    """An IEmrServerlessApplication over a CfnApplication (the application construct's shape)."""

    application_id: str
    application_arn: str
    log_encryption_keys: tuple[kms.IKey, ...] = ()

    @classmethod
    def of(cls, application: emr.CfnApplication) -> StandInApplication:
        return cls(application.attr_application_id, application.attr_arn)


def build(stack: cdk.Stack) -> None:
    """Every grant of the role, on resources defined in the stack and imported."""
    application = StandInApplication.of(
        emr.CfnApplication(stack, "App", release_label="emr-7.9.0", type="SPARK")
    )
    role = JobRuntimeRole(stack, "Runtime", source_applications=[application])
    data = SecureBucket(stack, "Data")
    role.grant_s3_read(data, "input/")
    role.grant_s3_read(data, "input/")  # twice: one statement set, one acknowledgement
    role.grant_s3_read_write(data, "output/")
    role.grant_s3_write(data, "exports/")
    role.grant_s3_logs(data, "logs/")
    samples = s3.Bucket.from_bucket_name(stack, "Samples", "us-east-1.elasticmapreduce")
    role.grant_s3_read(samples, whole_bucket=True)
    role.grant_glue_read("sales", tables=["orders", "customers"])
    role.grant_glue_read_write("analytics", all_tables=True)
    role.grant_glue_read("shared", tables=["rates"], catalog_account="210987654321")
    log_key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    log_group = logs.LogGroup(
        stack, "Logs", encryption_key=log_key, retention=logs.RetentionDays.ONE_YEAR
    )
    role.grant_cloudwatch_logs(log_group, encryption_key=log_key)
    role.grant_log_encryption_key(log_key)
    role.grant_secret_read(
        secretsmanager.Secret.from_secret_attributes(
            stack, "Jdbc", secret_complete_arn=SECRET, encryption_key=log_key
        )
    )
    role.grant_secret_read(secretsmanager.Secret.from_secret_name_v2(stack, "Api", "api-token"))
    role.grant_prometheus_remote_write(aps.CfnWorkspace(stack, "Metrics"))
    role.grant_lake_formation_data_access()
    role.grant_s3_access_grants()
    role.grant_assume(iam.Role.from_role_arn(stack, "Partner", PARTNER_ROLE))
    submitter = ManagedPolicyRole(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    role.grant_start_job_run(submitter, application=application)
    operator = ManagedPolicyRole(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    role.grant_pass_role(operator)


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    build(cdk.Stack(app, "Runtime", env=cdk.Environment(account=ACCOUNT, region=REGION)))
    plain = cdk.Stack(app, "Plain")
    JobRuntimeRole(plain, "Runtime").grant_glue_read("sales", tables=["orders"])
    JobRuntimeRole(plain, "Other").grant_prometheus_remote_write(WORKSPACE)
    shared = cdk.Stack(app, "Shared")
    lake = SecureBucket(shared, "Lake")
    job_logs = logs.LogGroup(
        shared,
        "JobLogs",
        encryption_key=kms.Key(shared, "JobLogsKey", enable_key_rotation=True),
        retention=logs.RetentionDays.ONE_YEAR,
    )
    cross_stack = JobRuntimeRole(cdk.Stack(app, "Jobs"), "Runtime")
    cross_stack.grant_s3_read(lake, "input/")
    cross_stack.grant_cloudwatch_logs(job_logs)
    return synthesize(app)


@pytest.fixture(scope="module")
def template(synthesis: Synthesis) -> dict[str, Any]:
    return synthesis.templates["Runtime"]


def logical_id(template: dict[str, Any], resource_type: str, prefix: str) -> str:
    found: str
    (found,) = [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type and name.startswith(prefix)
    ]
    return found


def role_documents(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    """The rendered documents of a role's managed policies (one, or more after spill-over)."""
    role = logical_id(template, "AWS::IAM::Role", role_prefix)
    documents = identity_policies(template, ENV)
    return [documents[policy] for policy in attached_policies(template, role)]


def role_statements(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    """The rendered statements of a role's managed policies."""
    return [s for document in role_documents(template, role_prefix) for s in document["Statement"]]


def allowing(statements: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [s for s in statements if action in as_list(s["Action"])]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def runtime(template: dict[str, Any]) -> list[dict[str, Any]]:
    return role_statements(template, "Runtime")


@pytest.fixture(scope="module")
def names(template: dict[str, Any]) -> dict[str, str]:
    """Rendered physical names of the stack's resources, by construct id."""
    found = {
        "data": ("AWS::S3::Bucket", "Data"),
        "data_key": ("AWS::KMS::Key", "DataKey"),
        "log_key": ("AWS::KMS::Key", "LogKey"),
        "logs": ("AWS::Logs::LogGroup", "Logs"),
        "app": ("AWS::EMRServerless::Application", "App"),
        "role": ("AWS::IAM::Role", "Runtime"),
        "metrics": ("AWS::APS::Workspace", "Metrics"),
    }
    return {key: ENV.name_of(logical_id(template, *where)) for key, where in found.items()}


# --- Trust ------------------------------------------------------------------------------------


def test_trust_is_the_guides_by_default(synthesis: Synthesis) -> None:
    template = synthesis.templates["Plain"]
    role = template["Resources"][logical_id(template, "AWS::IAM::Role", "Runtime")]
    assert role["Properties"]["AssumeRolePolicyDocument"] == GUIDE_TRUST


def test_trust_names_source_account_and_applications_on_request(
    template: dict[str, Any], names: dict[str, str]
) -> None:
    role = template["Resources"][logical_id(template, "AWS::IAM::Role", "Runtime")]
    (statement,) = render(role["Properties"]["AssumeRolePolicyDocument"], template, ENV)[
        "Statement"
    ]
    app_arn = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{names['app']}"
    assert statement == {
        "Action": "sts:AssumeRole",
        "Effect": "Allow",
        "Principal": {"Service": "emr-serverless.amazonaws.com"},
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": [app_arn, f"{app_arn}/jobruns/*"]},
        },
    }


# --- S3 -------------------------------------------------------------------------------------


def test_object_actions_are_on_their_prefix_only(
    runtime: list[dict[str, Any]], names: dict[str, str]
) -> None:
    bucket = f"arn:aws:s3:::{names['data']}"
    expected = {
        "s3:GetObject": {
            f"{bucket}/input/*",
            f"{bucket}/output/*",
            "arn:aws:s3:::us-east-1.elasticmapreduce/*",
        },
        "s3:PutObject": {f"{bucket}/output/*", f"{bucket}/exports/*", f"{bucket}/logs/*"},
        "s3:AbortMultipartUpload": {f"{bucket}/output/*", f"{bucket}/exports/*"},
        "s3:DeleteObject": {f"{bucket}/output/*"},
    }
    for action, resources in expected.items():
        found = {r for s in allowing(runtime, action) for r in as_list(s["Resource"])}
        assert found == resources, action
        assert all("Condition" not in s for s in allowing(runtime, action))


def test_list_bucket_is_limited_by_prefix(
    runtime: list[dict[str, Any]], names: dict[str, str]
) -> None:
    conditions = {
        json.dumps(s.get("Condition"), sort_keys=True): as_list(s["Resource"])
        for s in allowing(runtime, "s3:ListBucket")
    }
    bucket = f"arn:aws:s3:::{names['data']}"
    assert conditions == {
        json.dumps({"StringLike": {"s3:prefix": [f"{p}*"]}}): [bucket]
        for p in ("input/", "output/", "exports/")
    } | {"null": ["arn:aws:s3:::us-east-1.elasticmapreduce"]}


def test_bucket_key_is_used_through_s3_for_this_bucket_and_prefix(
    runtime: list[dict[str, Any]], names: dict[str, str]
) -> None:
    bucket = f"arn:aws:s3:::{names['data']}"
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{names['data_key']}"
    on_key = [s for s in runtime if s["Resource"] == key]
    assert all(
        s["Condition"]["StringEquals"] == {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
        for s in on_key
    )
    grants = sorted(
        (
            sorted(as_list(s["Action"])),
            s["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"],
        )
        for s in on_key
    )
    writes = [f"{bucket}/{prefix}/*" for prefix in ("output", "exports", "logs")]
    assert grants == [
        (["kms:Decrypt"], [bucket, f"{bucket}/input/*"]),
        (["kms:Decrypt", "kms:GenerateDataKey"], [bucket, *writes]),
    ]


# --- Glue -----------------------------------------------------------------------------------


def glue(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:glue:{REGION}:{account}:{name}"


def resources_of(statements: list[dict[str, Any]], actions: tuple[str, ...]) -> set[str]:
    """Resources of the statements that allow all of ``actions``."""
    return {
        r
        for s in statements
        if set(actions) <= set(as_list(s["Action"]))
        for r in as_list(s["Resource"])
    }


def test_glue_reads_name_catalog_databases_and_tables(runtime: list[dict[str, Any]]) -> None:
    partner = "210987654321"
    assert resources_of(runtime, GLUE_TABLE_READ_ACTIONS) == {
        glue("catalog"),
        glue("database/sales"),
        glue("table/sales/orders"),
        glue("table/sales/customers"),
        glue("database/analytics"),
        glue("table/analytics/*"),
        glue("catalog", partner),
        glue("database/shared", partner),
        glue("table/shared/rates", partner),
    }
    assert resources_of(runtime, GLUE_DATABASE_READ_ACTIONS) == {
        glue("catalog"),
        glue("database/sales"),
        glue("database/analytics"),
        glue("catalog", partner),
        glue("database/shared", partner),
    }
    assert resources_of(runtime, GLUE_FUNCTION_READ_ACTIONS) == {
        glue("catalog"),
        glue("database/sales"),
        glue("userDefinedFunction/sales/*"),
        glue("database/analytics"),
        glue("userDefinedFunction/analytics/*"),
        glue("catalog", partner),
        glue("database/shared", partner),
        glue("userDefinedFunction/shared/*", partner),
    }


def test_glue_looks_up_the_default_database_in_each_catalog(runtime: list[dict[str, Any]]) -> None:
    default = {r for s in allowing(runtime, "glue:GetDatabase") for r in as_list(s["Resource"])}
    assert {glue("database/default"), glue("database/default", "210987654321")} <= default


def test_glue_writes_only_the_read_write_database(runtime: list[dict[str, Any]]) -> None:
    assert resources_of(runtime, GLUE_TABLE_WRITE_ACTIONS) == {
        glue("catalog"),
        glue("database/analytics"),
        glue("table/analytics/*"),
    }
    every = {a for s in runtime for a in as_list(s["Action"])}
    assert not {"glue:CreateDatabase", "glue:DeleteDatabase"} & every


def test_no_statement_names_star_except_the_action_without_a_resource_type(
    runtime: list[dict[str, Any]],
) -> None:
    star = [s for s in runtime if "*" in as_list(s["Resource"])]
    assert {a for s in star for a in as_list(s["Action"])} == {"lakeformation:GetDataAccess"}


def test_describe_log_groups_is_scoped_to_the_account_and_region(
    runtime: list[dict[str, Any]],
) -> None:
    # Guide L4732-4745: logs:DescribeLogGroups on arn:aws:logs:<Region>:<account>:*.
    assert resources_of(runtime, ("logs:DescribeLogGroups",)) == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:*"
    }


# --- Logs, secrets, metrics, other services -----------------------------------------------------


def test_cloudwatch_logs_on_one_group(runtime: list[dict[str, Any]], names: dict[str, str]) -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{names['logs']}:*"
    assert resources_of(runtime, (*LOGS_WRITE_ACTIONS, "logs:AssociateKmsKey")) == {group}


def test_log_key_and_secret_key(runtime: list[dict[str, Any]], names: dict[str, str]) -> None:
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{names['log_key']}"
    on_key = [s for s in runtime if s["Resource"] == key]
    plain = [s for s in on_key if "Condition" not in s]
    via_secrets = [s for s in on_key if "Condition" in s]
    assert [sorted(as_list(s["Action"])) for s in plain] == [["kms:Decrypt", "kms:GenerateDataKey"]]
    assert [(s["Action"], s["Condition"]) for s in via_secrets] == [
        (
            "kms:Decrypt",
            {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}},
        )
    ]


def test_secrets_by_full_arn_or_name_suffix(runtime: list[dict[str, Any]]) -> None:
    assert resources_of(runtime, SECRET_READ_ACTIONS) == {
        SECRET,
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:api-token-??????",
    }


def test_single_resource_grants(runtime: list[dict[str, Any]], names: dict[str, str]) -> None:
    found = {a: as_list(s["Resource"]) for s in runtime for a in as_list(s["Action"])}
    workspace = f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/ws-{names['metrics']}"
    assert found["aps:RemoteWrite"] == [workspace]
    grants_instance = [f"arn:aws:s3:{REGION}:{ACCOUNT}:access-grants/default"]
    assert found["s3:GetDataAccess"] == grants_instance
    assert found["s3:GetAccessGrantsInstanceForPrefix"] == grants_instance
    assert found["sts:AssumeRole"] == [PARTNER_ROLE]


def test_submitter_runs_jobs_on_one_application_with_this_role(
    template: dict[str, Any], names: dict[str, str]
) -> None:
    app_arn = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{names['app']}"
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{names['role']}"
    assert role_statements(template, "Submitter") == [
        {"Action": sorted(JOB_SUBMIT_APPLICATION_ACTIONS), "Effect": "Allow", "Resource": app_arn},
        {"Action": sorted(JOB_RUN_ACTIONS), "Effect": "Allow", "Resource": f"{app_arn}/jobruns/*"},
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": role_arn,
        },
    ]


def test_pass_role_is_narrowed_to_emr_serverless(
    template: dict[str, Any], names: dict[str, str]
) -> None:
    assert role_statements(template, "Operator") == [
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/{names['role']}",
        }
    ]


# --- Acknowledgements and gates ------------------------------------------------------------------


def test_only_wildcards_the_grants_need_are_acknowledged(
    synthesis: Synthesis, template: dict[str, Any]
) -> None:
    data = logical_id(template, "AWS::S3::Bucket", "Data")
    on_role = {
        rule: reason
        for path, rule, reason in synthesis.acknowledgements()
        if path == "Runtime/Runtime"
    }
    prefix = "AwsSolutions-IAM5[Resource::"
    glue_arn = "arn:<AWS::Partition>:glue:us-east-1:{}:{}]"
    assert set(on_role) == {
        f"{prefix}<{data}.Arn>/input/*]",
        f"{prefix}<{data}.Arn>/output/*]",
        f"{prefix}<{data}.Arn>/exports/*]",
        f"{prefix}<{data}.Arn>/logs/*]",
        f"{prefix}arn:aws:s3:::us-east-1.elasticmapreduce/*]",
        prefix + glue_arn.format(ACCOUNT, "userDefinedFunction/sales/*"),
        prefix + glue_arn.format(ACCOUNT, "userDefinedFunction/analytics/*"),
        prefix + glue_arn.format(ACCOUNT, "table/analytics/*"),
        prefix + glue_arn.format("210987654321", "userDefinedFunction/shared/*"),
        f"{prefix}arn:<AWS::Partition>:logs:us-east-1:{ACCOUNT}:log-group:"
        f"<{logical_id(template, 'AWS::Logs::LogGroup', 'Logs')}>:*]",
        f"{prefix}arn:<AWS::Partition>:logs:us-east-1:{ACCOUNT}:*]",
        f"{prefix}*]",
    }
    reasons = {rule.split("::", 1)[1]: reason for rule, reason in on_role.items()}
    assert "sibling prefixes are excluded" in reasons[f"<{data}.Arn>/input/*]"]
    assert "whole_bucket=True" in reasons["arn:aws:s3:::us-east-1.elasticmapreduce/*]"]
    assert "all_tables=True" in reasons[glue_arn.format(ACCOUNT, "table/analytics/*")]
    assert "CREATE FUNCTION" in reasons[glue_arn.format(ACCOUNT, "userDefinedFunction/sales/*")]
    assert "no resource type" in reasons["*]"]
    assert "L4740" in reasons[f"arn:<AWS::Partition>:logs:us-east-1:{ACCOUNT}:*]"]


def test_a_role_without_wildcards_acknowledges_nothing(synthesis: Synthesis) -> None:
    assert not [path for path, _, _ in synthesis.acknowledgements() if path == "Plain/Other"]


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_no_warnings()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()


def test_cross_stack_wildcards_are_acknowledged_as_cdk_nag_names_them(
    synthesis: Synthesis,
) -> None:
    """References to another stack are acknowledged in their resolved form, not a stale one."""
    on_role = [rule for path, rule, _ in synthesis.acknowledgements() if path == "Jobs/Runtime"]
    assert len(on_role) == 3
    assert sum("Fn::GetStackOutput" in rule for rule in on_role) == 2
    assert not [rule for rule in on_role if "<Lake" in rule or "<JobLogs" in rule]


@pytest.fixture(scope="module")
def app_env(synthesis: Synthesis) -> Environment:
    return replace(ENV, names=stack_outputs(synthesis.templates, ENV))


def test_every_action_acts_on_its_resources(synthesis: Synthesis, app_env: Environment) -> None:
    for name, template in synthesis.templates.items():
        assert resource_type_problems(template, app_env) == [], name


def test_linters_find_nothing(synthesis: Synthesis, app_env: Environment) -> None:
    for template in synthesis.templates.values():
        for document in identity_policies(template, app_env).values():
            assert parliament_findings(document) == []
            assert cloudsplaining_findings(document) == []


def test_each_policy_fits_the_managed_policy_quota(template: dict[str, Any]) -> None:
    for document in role_documents(template, "Runtime"):
        assert len(json.dumps(document, separators=(",", ":"))) < 6144


# --- The checkers can fail -----------------------------------------------------------------------


def policy_template(statement: dict[str, Any]) -> dict[str, Any]:
    return {
        "Resources": {
            "P": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": {"Statement": [statement]}},
            }
        }
    }


@pytest.mark.parametrize(
    ("action", "resource", "problem"),
    [
        ("s3:GetObject", "arn:aws:s3:::data", "does not act on"),
        ("s3:ListBucket", "arn:aws:s3:::data/input/*", "does not act on"),
        ("glue:GetDatabase", "arn:aws:glue:us-east-1:123456789012:table/db/t", "does not act on"),
        ("lakeformation:GetDataAccess", "arn:aws:glue:us-east-1:1:table/a/b", "does not act on"),
        ("glue:GetDataBasez", "*", "is not an IAM action"),
    ],
)
def test_the_resource_type_check_catches_mismatches(
    action: str, resource: str, problem: str
) -> None:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    (found,) = resource_type_problems(policy_template(statement))
    assert problem in found


def test_the_resource_type_check_can_accept_mixed_statements_on_request() -> None:
    statement = {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
    }
    assert len(resource_type_problems(policy_template(statement))) == 2
    assert resource_type_problems(policy_template(statement), every_pair=False) == []
    only_objects = {**statement, "Resource": "arn:aws:s3:::data/*"}
    (problem,) = resource_type_problems(policy_template(only_objects), every_pair=False)
    assert "s3:ListBucket acts on none" in problem


def test_the_linters_catch_broad_policies() -> None:
    broad = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}
        ],
    }
    assert cloudsplaining_findings(broad)
    assert parliament_findings(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data"}
            ],
        }
    )


# --- Refusals (construct only, no synth) ----------------------------------------------------------


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "S", env=cdk.Environment(account=ACCOUNT, region=REGION))


@pytest.fixture
def role(stack: cdk.Stack) -> JobRuntimeRole:
    return JobRuntimeRole(stack, "Runtime")


@pytest.fixture
def bucket(stack: cdk.Stack) -> s3.IBucket:
    return s3.Bucket.from_bucket_name(stack, "Data", "data-bucket")


def refused(call: Any, *args: Any, **kwargs: Any) -> EmrServerlessValidationError:
    with pytest.raises(EmrServerlessValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("prefix", "neighbour"),
    [
        ("input", "input/"),
        ("/input/", "input/"),
        ("input/../secret/", "secret/"),
        ("", "input/"),
        ("*", "input/"),
        ("in*put/", "input/"),
    ],
)
def test_bad_prefixes_are_refused_and_neighbours_pass(
    role: JobRuntimeRole, bucket: s3.IBucket, prefix: str, neighbour: str
) -> None:
    grants = (role.grant_s3_read, role.grant_s3_write, role.grant_s3_read_write, role.grant_s3_logs)
    for grant in grants:
        error = refused(grant, bucket, prefix)
        assert error.argument == "prefix"
        assert error.value == prefix
        assert grant(bucket, neighbour).success


def test_whole_bucket_is_explicit(role: JobRuntimeRole, bucket: s3.IBucket) -> None:
    assert (
        refused(role.grant_s3_read, bucket, "input/", whole_bucket=True).argument == "whole_bucket"
    )
    assert role.grant_s3_read(bucket, whole_bucket=True).success


def test_unknown_bucket_name_with_literal_arn_is_refused(
    stack: cdk.Stack, role: JobRuntimeRole
) -> None:
    name = cdk.CfnParameter(stack, "BucketName").value_as_string
    mixed = s3.Bucket.from_bucket_attributes(
        stack, "Mixed", bucket_arn="arn:aws:s3:::data-bucket", bucket_name=name
    )
    assert "unknown at synth" in refused(role.grant_s3_read, mixed, "input/").rule
    by_name = s3.Bucket.from_bucket_attributes(stack, "ByName", bucket_name=name)
    assert role.grant_s3_read(by_name, "input/").success


@pytest.mark.parametrize(
    ("database", "tables", "argument"),
    [
        ("*", ["orders"], "database"),
        ("sales", ["*"], "tables"),
        ("Sales", ["orders"], "database"),
        ("sales", [], "tables"),
        ("sales", ["orders/2024"], "tables"),
    ],
)
def test_bad_glue_names_are_refused_and_neighbours_pass(
    role: JobRuntimeRole, database: str, tables: list[str], argument: str
) -> None:
    for grant in (role.grant_glue_read, role.grant_glue_read_write):
        assert refused(grant, database, tables=tables).argument == argument
        assert grant("sales", tables=["orders"]).success


def test_all_tables_is_explicit(role: JobRuntimeRole) -> None:
    assert refused(role.grant_glue_read, "sales", tables=["a"], all_tables=True).argument == (
        "all_tables"
    )
    assert role.grant_glue_read("sales", all_tables=True).success


def test_catalog_account_is_twelve_digits(role: JobRuntimeRole) -> None:
    error = refused(role.grant_glue_read, "sales", tables=["a"], catalog_account="1234567890")
    assert error.argument == "catalog_account"
    assert role.grant_glue_read("sales", tables=["a"], catalog_account="210987654321").success


def test_log_bucket_in_another_region_is_refused(stack: cdk.Stack, role: JobRuntimeRole) -> None:
    elsewhere = s3.Bucket.from_bucket_attributes(
        stack, "Elsewhere", bucket_name="logs-eu", region="eu-west-1"
    )
    assert "must be in the Region" in refused(role.grant_s3_logs, elsewhere, "logs/").rule
    here = s3.Bucket.from_bucket_attributes(stack, "Here", bucket_name="logs-us", region=REGION)
    assert role.grant_s3_logs(here, "logs/").success


def test_workspace_in_another_account_is_refused(role: JobRuntimeRole) -> None:
    elsewhere = WORKSPACE.replace(ACCOUNT, "210987654321")
    assert "job's account" in refused(role.grant_prometheus_remote_write, elsewhere).rule
    assert role.grant_prometheus_remote_write(WORKSPACE).success


def test_source_applications_must_name_some(stack: cdk.Stack) -> None:
    error = refused(JobRuntimeRole, stack, "None", source_applications=[])
    assert error.argument == "source_applications"
    app = StandInApplication("app", f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/a1")
    assert JobRuntimeRole(stack, "Some", source_applications=[app]).role_arn


def test_malformed_application_arn_is_refused(stack: cdk.Stack, role: JobRuntimeRole) -> None:
    submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    bad = StandInApplication("a1", f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:applications/a1")
    assert refused(role.grant_start_job_run, submitter, application=bad).argument == "application"
    good = StandInApplication("a1", f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/a1")
    assert role.grant_start_job_run(submitter, application=good).success


def test_tokens_are_skipped_with_a_warning() -> None:
    app = new_app(compliance=False)
    stack = cdk.Stack(app, "Tokens")
    role = JobRuntimeRole(stack, "Runtime")
    prefix = cdk.CfnParameter(stack, "Prefix").value_as_string
    database = cdk.CfnParameter(stack, "Database").value_as_string
    role.grant_s3_read(s3.Bucket.from_bucket_name(stack, "Data", "data-bucket"), prefix)
    role.grant_glue_read(database, tables=["orders"])
    warnings = {f.rule for f in synthesize(app, require_clean=False).warnings("emr-serverless")}
    assert warnings == {
        "Annotation::emr-serverless:unchecked:prefix",
        "Annotation::emr-serverless:unchecked:database",
    }


def test_an_application_without_log_encryption_keys_is_refused(
    stack: cdk.Stack, role: JobRuntimeRole
) -> None:
    """The keys are part of IEmrServerlessApplication: never skipped for want of them."""

    @dataclass(frozen=True)
    class Keyless:
        application_id: str
        application_arn: str

    submitter = iam.Role(stack, "KeylessSubmitter", assumed_by=iam.AccountRootPrincipal())
    arn = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/a1"
    error = refused(role.grant_start_job_run, submitter, application=Keyless("a1", arn))
    assert error.argument == "application"
