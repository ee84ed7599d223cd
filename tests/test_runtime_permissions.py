"""runtime_permissions: action lists, prefix and name rules, ARN shapes (pure, no jsii)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib import runtime_permissions as rp
from constructs_lib.errors import EmrServerlessValidationError
from tests.harness import iam_action_exists
from tests.iam_checks import arn_formats, arn_matches_format, wildcard_match

WHERE = {"partition": "aws", "region": "eu-west-1", "account": "123456789012"}

ACTION_LISTS = {
    name: value
    for name, value in vars(rp).items()
    if name.endswith("_ACTIONS") and isinstance(value, tuple)
}

# Key segments as Spark and Hive write them: no '/', and never '.' or '..'.
segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-=.", min_size=1, max_size=12)
segment = segment.filter(lambda s: s not in (".", ".."))
prefixes = st.lists(segment, min_size=1, max_size=5).map(lambda parts: "/".join(parts) + "/")
keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/_-.=2", max_size=40)
glue_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=40)


def refusal(call: object, *args: object, **kwargs: object) -> EmrServerlessValidationError:
    with pytest.raises(EmrServerlessValidationError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


# --- Action lists -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTION_LISTS))
def test_every_listed_action_exists(name: str) -> None:
    assert ACTION_LISTS[name], name
    for action in ACTION_LISTS[name]:
        assert "*" not in action, f"{name}: {action}"
        assert iam_action_exists(action), f"{name}: {action}"


def test_the_guides_typos_are_not_copied() -> None:
    every = {action for actions in ACTION_LISTS.values() for action in actions}
    assert "glue:GetDatabases" in every
    assert not {a for a in every if ">" in a or " " in a or a == "glue:GetDataBases"}


def test_only_read_write_deletes_and_only_reads_read() -> None:
    deleting = {a for a, acts in rp.S3_ACCESS_ACTIONS.items() if "s3:DeleteObject" in acts.objects}
    reading = {a for a, acts in rp.S3_ACCESS_ACTIONS.items() if "s3:GetObject" in acts.objects}
    assert deleting == {rp.S3Access.READ_WRITE}
    assert reading == {rp.S3Access.READ, rp.S3Access.READ_WRITE}
    assert rp.S3_ACCESS_ACTIONS[rp.S3Access.LOG_DELIVERY].objects == ("s3:PutObject",)
    assert rp.S3_ACCESS_ACTIONS[rp.S3Access.LOG_DELIVERY].bucket == ()


def test_glue_lists_act_on_the_arns_the_grants_attach() -> None:
    catalog = rp.glue_catalog_arn(**WHERE)
    database = rp.glue_database_arn(**WHERE, database="sales")
    table = rp.glue_table_arn(**WHERE, database="sales", table="orders")
    every_table = rp.glue_table_arn(**WHERE, database="sales", table=None)
    functions = rp.glue_functions_arn(**WHERE, database="sales")
    expected = {
        rp.GLUE_DATABASE_READ_ACTIONS: [catalog, database],
        rp.GLUE_DEFAULT_DATABASE_ACTIONS: [catalog, database],
        rp.GLUE_TABLE_READ_ACTIONS: [catalog, database, table, every_table],
        rp.GLUE_TABLE_WRITE_ACTIONS: [catalog, database, table, every_table],
        rp.GLUE_FUNCTION_READ_ACTIONS: [catalog, database, functions],
    }
    for actions, arns in expected.items():
        for action in actions:
            for arn in arns:
                assert any(arn_matches_format(arn, f) for f in arn_formats(action)), (action, arn)


def test_glue_tables_are_not_databases() -> None:
    table = rp.glue_table_arn(**WHERE, database="sales", table="orders")
    for action in rp.GLUE_DATABASE_READ_ACTIONS:
        assert not any(arn_matches_format(table, f) for f in arn_formats(action)), action


def test_logs_and_other_services_act_on_their_arns() -> None:
    group = rp.log_group_arn(**WHERE, log_group_name="/aws/emr-serverless")
    expected = {
        rp.LOGS_WRITE_ACTIONS + rp.LOGS_KMS_ACTIONS: group,
        rp.S3_ACCESS_GRANTS_ACTIONS: rp.access_grants_instance_arn(**WHERE),
        rp.S3_READ_OBJECT_ACTIONS + rp.S3_WRITE_OBJECT_ACTIONS: rp.s3_objects_arn(
            "arn:aws:s3:::data", "input/"
        ),
    }
    for actions, arn in expected.items():
        for action in actions:
            assert any(arn_matches_format(arn, f) for f in arn_formats(action)), (action, arn)
    for action in rp.LAKE_FORMATION_ACTIONS:
        assert arn_formats(action) == ("*",), action
    # The guide scopes logs:DescribeLogGroups to the account and Region (L4740).
    account_arn = rp.logs_account_arn(partition="aws", region="eu-west-1", account="123456789012")
    assert account_arn == "arn:aws:logs:eu-west-1:123456789012:*"
    for action in rp.LOGS_DESCRIBE_ACTIONS:
        assert any(arn_matches_format(account_arn, f) for f in arn_formats(action)), action


# --- S3 prefixes ----------------------------------------------------------------------------


@given(prefixes)
def test_valid_prefixes_are_kept(prefix: str) -> None:
    assert rp.check_s3_prefix(prefix, whole_bucket=False) == prefix


@given(prefixes, keys)
def test_a_prefix_grant_matches_exactly_the_keys_under_it(prefix: str, key: str) -> None:
    pattern = rp.s3_objects_arn("arn:aws:s3:::data", prefix).removeprefix("arn:aws:s3:::data/")
    assert wildcard_match(pattern, key) == key.startswith(prefix)


@given(prefixes)
def test_a_sibling_prefix_is_never_matched(prefix: str) -> None:
    sibling = prefix[:-1] + "2/part-0"
    objects = rp.s3_objects_arn("arn:aws:s3:::data", prefix)
    assert not wildcard_match(objects, f"arn:aws:s3:::data/{sibling}")
    assert wildcard_match(objects, f"arn:aws:s3:::data/{prefix}part-0")


@given(prefixes)
def test_a_prefix_without_trailing_slash_is_refused_with_the_fix(prefix: str) -> None:
    error = refusal(rp.check_s3_prefix, prefix[:-1], whole_bucket=False)
    assert error.argument == "prefix"
    assert "input2/" in error.rule
    assert repr(prefix) in error.fix


@given(prefixes)
def test_a_leading_slash_is_refused(prefix: str) -> None:
    error = refusal(rp.check_s3_prefix, "/" + prefix, whole_bucket=False)
    assert "do not start with '/'" in error.rule
    assert repr(prefix) in error.fix


@given(prefixes, st.sampled_from(["..", ".", ""]), st.integers(min_value=0, max_value=5))
def test_dot_and_empty_segments_are_refused(prefix: str, bad: str, at: int) -> None:
    parts = prefix[:-1].split("/")
    parts.insert(min(at, len(parts)), bad)
    error = refusal(rp.check_s3_prefix, "/".join(parts) + "/", whole_bucket=False)
    assert error.argument == "prefix"


@given(prefixes, st.sampled_from(["*", "?", "${aws:username}"]))
def test_wildcards_and_policy_variables_are_refused(prefix: str, wildcard: str) -> None:
    error = refusal(rp.check_s3_prefix, wildcard + prefix, whole_bucket=False)
    assert "wildcards" in error.rule


@pytest.mark.parametrize("prefix", ["", "*"])
def test_the_whole_bucket_needs_whole_bucket(prefix: str) -> None:
    error = refusal(rp.check_s3_prefix, prefix, whole_bucket=False)
    assert "whole_bucket=True" in error.fix
    assert rp.check_s3_prefix(prefix, whole_bucket=True) == ""


def test_whole_bucket_takes_no_prefix() -> None:
    error = refusal(rp.check_s3_prefix, "input/", whole_bucket=True)
    assert error.argument == "whole_bucket"


def test_a_prefix_fits_in_an_s3_key() -> None:
    longest = "a" * (rp.S3_MAX_KEY_BYTES - 1) + "/"
    assert rp.check_s3_prefix(longest, whole_bucket=False) == longest
    error = refusal(rp.check_s3_prefix, "é" + longest[1:], whole_bucket=False)
    assert "1,024 bytes" in error.rule


def test_list_and_key_conditions_follow_the_prefix() -> None:
    assert rp.s3_list_condition("input/") == {"StringLike": {"s3:prefix": ["input/*"]}}
    assert rp.s3_list_condition("") is None
    contexts = rp.s3_key_contexts("arn:aws:s3:::data", "input/")
    condition = rp.s3_key_condition(contexts=contexts, region="eu-west-1", url_suffix="x")
    assert condition["StringEquals"] == {"kms:ViaService": "s3.eu-west-1.x"}
    assert condition["StringLike"] == {
        "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::data", "arn:aws:s3:::data/input/*"]
    }


# --- Buckets --------------------------------------------------------------------------------


def test_a_bucket_reference_with_matching_name_and_arn_passes() -> None:
    rp.check_bucket_reference(name="data-bucket", arn="arn:aws:s3:::data-bucket")
    rp.check_bucket_reference(name=None, arn=None)
    rp.check_bucket_reference(name="data-bucket", arn=None)


def test_an_unknown_name_with_a_literal_arn_is_refused() -> None:
    error = refusal(rp.check_bucket_reference, name=None, arn="arn:aws:s3:::data-bucket")
    assert "unknown at synth" in error.rule


def test_a_name_and_arn_of_different_buckets_are_refused() -> None:
    error = refusal(rp.check_bucket_reference, name="one", arn="arn:aws:s3:::two")
    assert "different buckets" in error.rule


@pytest.mark.parametrize(
    "arn", ["arn:aws:s3::data-bucket", "arn:aws:s3:::data-*", "arn:aws:s3:::data/key"]
)
def test_malformed_bucket_arns_are_refused(arn: str) -> None:
    error = refusal(rp.check_bucket_reference, name="data-bucket", arn=arn)
    assert "three colons" in error.rule


# --- Glue names -----------------------------------------------------------------------------


@given(glue_names)
def test_lower_case_glue_names_pass(name: str) -> None:
    assert rp.check_glue_name(name, argument="database", kind="database") == name


@given(glue_names.filter(lambda n: n != n.upper()))
def test_upper_case_glue_names_are_refused_with_the_fix(name: str) -> None:
    error = refusal(rp.check_glue_name, name.upper(), argument="tables", kind="table")
    assert "lower case" in error.rule
    assert repr(name) in error.fix


@pytest.mark.parametrize("name", ["*", "sales*", "s?les", "${aws:username}"])
def test_wildcard_glue_names_are_refused(name: str) -> None:
    error = refusal(rp.check_glue_name, name, argument="database", kind="database")
    assert "every matching database" in error.rule


@pytest.mark.parametrize("name", ["sales/orders", "sales:orders"])
def test_arn_separators_in_glue_names_are_refused(name: str) -> None:
    error = refusal(rp.check_glue_name, name, argument="tables", kind="table")
    assert "separate the parts" in error.rule


def test_glue_name_length() -> None:
    longest = "a" * rp.GLUE_MAX_NAME_LENGTH
    assert rp.check_glue_name(longest, argument="tables", kind="table") == longest
    for bad in ("", longest + "a"):
        assert "1-255" in refusal(rp.check_glue_name, bad, argument="tables", kind="table").rule


def test_table_selection() -> None:
    assert rp.check_table_selection(["b", "a", "b"], all_tables=False) == ("b", "a")
    assert rp.check_table_selection([], all_tables=True) == ()
    assert refusal(rp.check_table_selection, [], all_tables=False).argument == "tables"
    assert refusal(rp.check_table_selection, ["a"], all_tables=True).argument == "all_tables"


# --- Accounts, applications, workspaces -----------------------------------------------------


@given(st.from_regex(r"\d{12}", fullmatch=True))
def test_twelve_digit_accounts_pass(account: str) -> None:
    assert rp.check_account_id(account, argument="catalog_account") == account


@pytest.mark.parametrize("account", ["1234567890", "12345678901a", ""])
def test_other_accounts_are_refused(account: str) -> None:
    assert "12 digits" in refusal(rp.check_account_id, account, argument="x").rule


def test_application_arns() -> None:
    good = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/00f1abcd2efg3h4i"
    assert rp.check_application_arn(good) == good
    for bad in (good.replace(":/applications", ":applications"), good + "/jobruns/x"):
        assert "/applications/" in refusal(rp.check_application_arn, bad).rule
    assert rp.source_arn_patterns(good) == [good, good + "/jobruns/*"]


def test_workspace_arns() -> None:
    good = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1234abcd-12ab-34cd-56ef-1234567890ab"
    assert rp.check_workspace_arn(good, account="123456789012") == good
    assert rp.check_workspace_arn(good, account=None) == good
    malformed = good.replace(":workspace/", ":workspaces/")
    assert (
        "workspace/<workspace id>" in refusal(rp.check_workspace_arn, malformed, account=None).rule
    )
    error = refusal(rp.check_workspace_arn, good, account="210987654321")
    assert "job's account" in error.rule


def test_log_bucket_location() -> None:
    here = {"account": "123456789012", "region": "eu-west-1"}
    rp.check_log_bucket_location(bucket_account="123456789012", bucket_region="eu-west-1", **here)
    rp.check_log_bucket_location(bucket_account=None, bucket_region=None, **here)
    for bucket_account, bucket_region, what in (
        ("210987654321", "eu-west-1", "account"),
        ("123456789012", "us-east-1", "Region"),
    ):
        error = refusal(
            rp.check_log_bucket_location,
            bucket_account=bucket_account,
            bucket_region=bucket_region,
            **here,
        )
        assert f"must be in the {what}" in error.rule


def test_source_applications() -> None:
    rp.check_source_applications(1)
    assert refusal(rp.check_source_applications, 0).argument == "source_applications"


def test_the_module_does_not_load_aws_cdk() -> None:
    code = (
        "import sys, constructs_lib.runtime_permissions\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
