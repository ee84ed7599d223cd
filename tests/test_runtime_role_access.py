"""What a sample runtime role can and cannot do: an ALLOW/DENY table, evaluated offline.

The sample role reads ``data-bucket/input/``, reads and writes ``data-bucket/output/``,
reads table ``sales.orders`` and reads and writes ``analytics.daily``. Its synthesized
managed policy is rendered to concrete ARNs (account 123456789012, us-east-1) and
evaluated two ways:

- **moto** (S3 with IAM authentication on; the role is assumed through moto's STS) for
  S3 object reads, writes and deletes. moto matches actions and resource ARNs but
  evaluates only ``StringEquals`` conditions and ignores the rest (so it cannot evaluate
  the ``s3:prefix`` condition on ``ListBucket``), and it evaluates neither Glue nor KMS;
- **the local evaluator** (``tests.iam_checks.is_allowed``) for every row, including the
  ``s3:prefix`` condition, Glue (a Glue call is allowed only if the catalog, database and
  table ARNs it checks are all allowed) and the bucket key (``kms:ViaService`` and the
  ``aws:s3:arn`` encryption context). The two agree on every S3 object row.

Neither evaluates resource policies (bucket, key or catalog policies), SCPs or
permission boundaries: the table is about what the role's own policy allows.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws
from moto.core import enable_iam_authentication

from constructs_lib.runtime_role import JobRuntimeRole
from tests.harness import new_app, synthesize
from tests.iam_checks import (
    Environment,
    Request,
    UnsupportedPolicyError,
    arn_matches_format,
    attached_policies,
    identity_policies,
    is_allowed,
    wildcard_match,
)

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
DATA, OTHER = "data-bucket", "other-bucket"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
VIA_S3 = f"s3.{REGION}.amazonaws.com"


TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}],
}


def glue(name: str) -> str:
    return f"arn:aws:glue:{REGION}:{ACCOUNT}:{name}"


def s3_object(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


@dataclass(frozen=True)
class Row:
    """One line of the table: a call, the ARNs IAM checks for it, and the expected answer."""

    says: str
    action: str
    resources: tuple[str, ...]
    allowed: bool
    context: dict[str, str] = field(default_factory=dict)

    def requests(self) -> list[Request]:
        return [Request(self.action, resource, self.context) for resource in self.resources]

    def object(self) -> tuple[str, str] | None:
        """``(bucket, key)`` when this row is one S3 object call moto can evaluate."""
        match = re.fullmatch(r"arn:aws:s3:::([^/]+)/(.+)", self.resources[0])
        return (match[1], match[2]) if match and self.action.startswith("s3:") else None


def glue_call(says: str, action: str, database: str, table: str | None, allowed: bool) -> Row:
    """A Glue call: Glue checks the catalog, the database and (for table calls) the table."""
    resources = [glue("catalog"), glue(f"database/{database}")]
    if table is not None:
        resources.append(glue(f"table/{database}/{table}"))
    return Row(says, action, tuple(resources), allowed)


def decrypt(says: str, action: str, context_arn: str, allowed: bool, via: str = VIA_S3) -> Row:
    context = {"kms:EncryptionContext:aws:s3:arn": context_arn}
    if via:
        context["kms:ViaService"] = via
    return Row(says, action, (KEY,), allowed, context)


TABLE: list[Row] = [
    # S3 objects (moto and the local evaluator)
    Row("reads its input prefix", "s3:GetObject", (s3_object(DATA, "input/part-0"),), True),
    Row("reads nested input", "s3:GetObject", (s3_object(DATA, "input/2024/01/p"),), True),
    Row("cannot read a sibling prefix", "s3:GetObject", (s3_object(DATA, "input2/part-0"),), False),
    Row("cannot read the bare prefix name", "s3:GetObject", (s3_object(DATA, "input"),), False),
    Row("cannot read elsewhere", "s3:GetObject", (s3_object(DATA, "secret/k"),), False),
    Row("cannot read another bucket", "s3:GetObject", (s3_object(OTHER, "input/part-0"),), False),
    Row("reads its output", "s3:GetObject", (s3_object(DATA, "output/part-0"),), True),
    Row("writes its output", "s3:PutObject", (s3_object(DATA, "output/part-0"),), True),
    Row("cannot write its input", "s3:PutObject", (s3_object(DATA, "input/part-0"),), False),
    Row("cannot write a sibling", "s3:PutObject", (s3_object(DATA, "output2/part-0"),), False),
    Row("cannot write elsewhere", "s3:PutObject", (s3_object(OTHER, "output/part-0"),), False),
    Row("commits output", "s3:DeleteObject", (s3_object(DATA, "output/_temporary/0/p"),), True),
    Row("cannot delete input", "s3:DeleteObject", (s3_object(DATA, "input/part-0"),), False),
    # Listing (local evaluator: moto ignores the s3:prefix condition)
    Row(
        "lists its input", "s3:ListBucket", (f"arn:aws:s3:::{DATA}",), True, {"s3:prefix": "input/"}
    ),
    Row(
        "lists below input",
        "s3:ListBucket",
        (f"arn:aws:s3:::{DATA}",),
        True,
        {"s3:prefix": "input/2024/"},
    ),
    Row(
        "cannot list a sibling",
        "s3:ListBucket",
        (f"arn:aws:s3:::{DATA}",),
        False,
        {"s3:prefix": "input2/"},
    ),
    Row(
        "cannot list the bare name",
        "s3:ListBucket",
        (f"arn:aws:s3:::{DATA}",),
        False,
        {"s3:prefix": "input"},
    ),
    Row(
        "cannot list the bucket",
        "s3:ListBucket",
        (f"arn:aws:s3:::{DATA}",),
        False,
        {"s3:prefix": ""},
    ),
    Row("cannot list without a prefix", "s3:ListBucket", (f"arn:aws:s3:::{DATA}",), False),
    Row(
        "cannot list another bucket",
        "s3:ListBucket",
        (f"arn:aws:s3:::{OTHER}",),
        False,
        {"s3:prefix": "input/"},
    ),
    # The bucket key (local evaluator)
    decrypt("decrypts input through S3", "kms:Decrypt", s3_object(DATA, "input/p"), True),
    decrypt("decrypts with the bucket key", "kms:Decrypt", f"arn:aws:s3:::{DATA}", True),
    decrypt("cannot decrypt a sibling", "kms:Decrypt", s3_object(DATA, "input2/p"), False),
    decrypt("cannot decrypt another bucket", "kms:Decrypt", s3_object(OTHER, "input/p"), False),
    decrypt("cannot decrypt directly", "kms:Decrypt", s3_object(DATA, "input/p"), False, via=""),
    decrypt(
        "cannot decrypt via another service",
        "kms:Decrypt",
        s3_object(DATA, "input/p"),
        False,
        via=f"secretsmanager.{REGION}.amazonaws.com",
    ),
    decrypt("encrypts output", "kms:GenerateDataKey", s3_object(DATA, "output/p"), True),
    decrypt("cannot encrypt into input", "kms:GenerateDataKey", s3_object(DATA, "input/p"), False),
    # Glue (local evaluator)
    glue_call("reads its table", "glue:GetTable", "sales", "orders", True),
    glue_call("prunes its partitions", "glue:GetPartitions", "sales", "orders", True),
    glue_call("cannot read another table", "glue:GetTable", "sales", "customers", False),
    glue_call("cannot read another database", "glue:GetTable", "hr", "salaries", False),
    glue_call("cannot alter a read-only table", "glue:UpdateTable", "sales", "orders", False),
    glue_call("writes its output table", "glue:UpdateTable", "analytics", "daily", True),
    glue_call("adds partitions", "glue:BatchCreatePartition", "analytics", "daily", True),
    glue_call("cannot create other tables", "glue:CreateTable", "analytics", "weekly", False),
    glue_call("looks up default", "glue:GetDatabase", "default", None, True),
    glue_call("cannot read default's tables", "glue:GetTable", "default", "t", False),
    glue_call("cannot look up other databases", "glue:GetDatabase", "hr", None, False),
    glue_call("cannot create databases", "glue:CreateDatabase", "scratch", None, False),
    glue_call("cannot drop databases", "glue:DeleteDatabase", "analytics", None, False),
]


@pytest.fixture(scope="module")
def policy() -> dict[str, Any]:
    """The sample role's managed policy, synthesized with every gate on and rendered."""
    app = new_app()
    stack = cdk.Stack(app, "Sample", env=cdk.Environment(account=ACCOUNT, region=REGION))
    key = kms.Key.from_key_arn(stack, "DataKey", KEY)
    data = s3.Bucket.from_bucket_attributes(stack, "Data", bucket_name=DATA, encryption_key=key)
    role = JobRuntimeRole(stack, "Runtime")
    role.grant_s3_read(data, "input/")
    role.grant_s3_read_write(data, "output/")
    role.grant_glue_read("sales", tables=["orders"])
    role.grant_glue_read_write("analytics", tables=["daily"])
    template = synthesize(app).templates["Sample"]
    (role_id,) = [n for n, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role"]
    (policy_id,) = attached_policies(template, role_id)
    return identity_policies(template, Environment(account=ACCOUNT, region=REGION))[policy_id]


@pytest.mark.parametrize("row", TABLE, ids=lambda row: row.says)
def test_local_evaluator(policy: dict[str, Any], row: Row) -> None:
    assert all(is_allowed([policy], r) for r in row.requests()) == row.allowed


@pytest.fixture(scope="module")
def moto_s3(policy: dict[str, Any]) -> Iterator[Any]:
    """An S3 client in moto, signed as the assumed sample role, with IAM authentication on."""
    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    saved = {name: os.environ.get(name) for name in fake}
    os.environ.update(fake)
    try:
        with mock_aws():
            admin_s3 = boto3.client("s3", region_name=REGION)
            for bucket in (DATA, OTHER):
                admin_s3.create_bucket(Bucket=bucket)
            for row in TABLE:
                if (target := row.object()) is not None:
                    admin_s3.put_object(Bucket=target[0], Key=target[1], Body=b"x")
            iam = boto3.client("iam", region_name=REGION)
            iam.create_role(RoleName="runtime", AssumeRolePolicyDocument=json.dumps(TRUST))
            arn = iam.create_policy(PolicyName="grants", PolicyDocument=json.dumps(policy))
            iam.attach_role_policy(RoleName="runtime", PolicyArn=arn["Policy"]["Arn"])
            credentials = boto3.client("sts", region_name=REGION).assume_role(
                RoleArn=f"arn:aws:iam::{ACCOUNT}:role/runtime", RoleSessionName="job"
            )["Credentials"]
            job_s3 = boto3.client(
                "s3",
                region_name=REGION,
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
            with enable_iam_authentication():
                yield job_s3
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _moto_allows(client: Any, row: Row) -> bool:
    target = row.object()
    assert target is not None
    bucket, key = target
    call = {
        "s3:GetObject": lambda: client.get_object(Bucket=bucket, Key=key),
        "s3:PutObject": lambda: client.put_object(Bucket=bucket, Key=key, Body=b"y"),
        "s3:DeleteObject": lambda: client.delete_object(Bucket=bucket, Key=key),
    }[row.action]
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] == "AccessDenied":
            return False
        raise
    return True


@pytest.mark.parametrize(
    "row", [row for row in TABLE if row.object() is not None], ids=lambda row: row.says
)
def test_moto(moto_s3: Any, row: Row) -> None:
    assert _moto_allows(moto_s3, row) == row.allowed


def test_moto_cannot_evaluate_the_list_prefix_condition(
    moto_s3: Any, policy: dict[str, Any]
) -> None:
    """Why listing rows use the local evaluator: moto lists a sibling prefix the role cannot."""
    moto_s3.list_objects_v2(Bucket=DATA, Prefix="input2/")
    sibling = Request("s3:ListBucket", f"arn:aws:s3:::{DATA}", {"s3:prefix": "input2/"})
    assert not is_allowed([policy], sibling)


def test_every_table_row_exercises_a_statement(policy: dict[str, Any]) -> None:
    """The denials are not vacuous: each action of the table is granted somewhere."""
    granted = {a for s in policy["Statement"] for a in _as_list(s["Action"])}
    assert {row.action for row in TABLE} - granted == {"glue:CreateDatabase", "glue:DeleteDatabase"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- The evaluator and the ARN matcher themselves -------------------------------------------------

ALLOW_ALL_OBJECTS = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}


def test_explicit_deny_wins() -> None:
    deny = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"}
    document = {"Statement": [ALLOW_ALL_OBJECTS, deny]}
    assert is_allowed([document], Request("s3:GetObject", "arn:aws:s3:::b/public/k"))
    assert not is_allowed([document], Request("s3:GetObject", "arn:aws:s3:::b/secret/k"))


def test_not_action_and_not_resource() -> None:
    statement = {"Effect": "Allow", "NotAction": "s3:Delete*", "NotResource": "arn:aws:s3:::b/x"}
    document = {"Statement": [statement]}
    assert is_allowed([document], Request("s3:GetObject", "arn:aws:s3:::b/y"))
    assert not is_allowed([document], Request("s3:DeleteObject", "arn:aws:s3:::b/y"))
    assert not is_allowed([document], Request("s3:GetObject", "arn:aws:s3:::b/x"))


def test_conditions() -> None:
    def allowed(condition: dict[str, Any], context: dict[str, str]) -> bool:
        document = {"Statement": [{**ALLOW_ALL_OBJECTS, "Condition": condition}]}
        return is_allowed([document], Request("s3:GetObject", "arn:aws:s3:::b/k", context))

    like = {"StringLike": {"s3:prefix": ["in/*"]}}
    assert allowed(like, {"s3:prefix": "in/a"})
    assert not allowed(like, {"s3:prefix": "in2/a"})
    assert not allowed(like, {})
    assert allowed({"StringLikeIfExists": {"s3:prefix": "in/*"}}, {})
    assert allowed({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, {"aws:SourceVpc": "vpc-2"})
    assert not allowed({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, {"aws:SourceVpc": "vpc-1"})
    arn = {"ArnLike": {"aws:SourceArn": "arn:aws:emr-serverless:*:1:/applications/a/*"}}
    assert allowed(arn, {"aws:SourceArn": "arn:aws:emr-serverless:r:1:/applications/a/jobruns/j"})
    assert not allowed(arn, {"aws:SourceArn": "arn:aws:emr-serverless:r:2:/applications/a/j"})


@pytest.mark.parametrize(
    "condition",
    [{"NumericLessThan": {"s3:max-keys": "10"}}, {"ForAnyValue:StringLike": {"aws:TagKeys": "a"}}],
)
def test_unsupported_conditions_are_refused_not_ignored(condition: dict[str, Any]) -> None:
    document = {"Statement": [{**ALLOW_ALL_OBJECTS, "Condition": condition}]}
    with pytest.raises(UnsupportedPolicyError):
        is_allowed([document], Request("s3:GetObject", "arn:aws:s3:::b/k"))


@given(st.text(alphabet="ab*?", max_size=6), st.text(alphabet="ab", max_size=6))
def test_wildcard_match_is_a_glob(pattern: str, value: str) -> None:
    assert wildcard_match(pattern, value) == fnmatchcase(value, pattern)


_FORMAT_PARTS = st.sampled_from(["a", "/", ":", "${Name}", "${ObjectName}"])
_WITNESSES = [""] + [
    w for n in range(1, 8) for w in ("".join(chars) for chars in itertools.product("a/:", repeat=n))
]


def _format_regex(arn_format: str) -> str:
    escaped = re.escape(arn_format)
    return escaped.replace(r"\$\{Name\}", "[^:/]+").replace(r"\$\{ObjectName\}", "[^:]+")


@given(st.text(alphabet="a/:*?", max_size=4), st.lists(_FORMAT_PARTS, max_size=3))
def test_arn_matching_finds_exactly_the_shared_strings(resource: str, parts: list[str]) -> None:
    """Brute force: some short string matches both patterns iff the matcher says so."""
    arn_format = "".join(parts)
    regex = re.compile(_format_regex(arn_format))
    shared = any(wildcard_match(resource, w) and regex.fullmatch(w) is not None for w in _WITNESSES)
    assert arn_matches_format(resource, arn_format) == shared
