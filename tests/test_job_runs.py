"""The one StartJobRun renderer: the API model accepts what it renders, and it refuses the rest.

Every rendered request is checked with botocore's ``ParamValidator`` plus the model's
ranges, enums and patterns (``constraint_problems``), for Spark and Hive jobs; every
rule has a refusal and its valid neighbour; a rendered request reads back to its spec.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape
from botocore.validate import ParamValidator
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.application_rules import tag_problem
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_runs import (
    JOB_RUN_RULES,
    HiveQuery,
    JobMode,
    JobMonitoring,
    JobRunSpec,
    RetryPolicy,
    SparkSubmit,
    Unchecked,
    check_job_run,
    check_job_run_tags,
    parse_start_job_run_request,
    pascal_case_parameters,
    start_job_run_request,
    timeout_limit,
)
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_configuration import Classification, hive_site, spark_defaults
from constructs_lib.workers import EngineType
from tests.test_application_api_model import constraint_problems

APP = "00fabc123def4567"
ROLE = "arn:aws:iam::123456789012:role/analytics-runtime"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOKEN_TEXT = "${Token[TOKEN.123]}"
R7_0, R7_1 = ReleaseLabel.EMR_7_0_0, ReleaseLabel.EMR_7_1_0
R7_10, R7_11 = ReleaseLabel.EMR_7_10_0, ReleaseLabel.EMR_7_11_0

SPARK = JobRunSpec(
    application_id=APP,
    execution_role_arn=ROLE,
    driver=SparkSubmit(
        "s3://lake-jobs/wordcount.py", ("s3://in/", "s3://out/"), "--conf spark.executor.cores=4"
    ),
    name="analytics-wordcount",
    mode=JobMode.BATCH,
    retry_policy=RetryPolicy(max_attempts=3),
    execution_timeout_minutes=120,
    tags={"team": "analytics", "cost center": "42/a:b=c+d@e_f.g-h"},
    monitoring=JobMonitoring(
        log_uri="s3://lake-logs/emr/",
        log_encryption_key_arn=KEY,
        log_group_name="/emr-serverless/analytics",
        log_stream_prefix="nightly",
        cloudwatch_encryption_key_arn=KEY,
        log_types={"SPARK_DRIVER": ("STDOUT", "STDERR"), "SPARK_EXECUTOR": ("STDERR",)},
        managed_persistence=True,
        managed_encryption_key_arn=KEY,
        prometheus_remote_write_url="https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/"
        "ws-1234/api/v1/remote_write",
    ),
    application_configuration=(
        spark_defaults({"spark.executor.cores": "4", "spark.executor.memory": "12g"}),
        Classification("hadoop-env", configurations=(Classification("export", {"A": "b"}),)),
    ),
)
HIVE = JobRunSpec(
    application_id=APP,
    execution_role_arn=ROLE,
    driver=HiveQuery("s3://lake-jobs/report.sql", "s3://lake-jobs/init.sql", "--hiveconf a=b"),
    name="report",
    application_configuration=(hive_site({"hive.exec.scratchdir": "s3://lake/scratch/"}),),
)
STREAMING = dataclasses.replace(
    SPARK,
    mode=JobMode.STREAMING,
    retry_policy=RetryPolicy(max_failed_attempts_per_hour=7),
    execution_timeout_minutes=0,
)


@pytest.fixture(scope="module")
def start_job_run() -> Shape:
    model = botocore.session.get_session().get_service_model("emr-serverless")
    return model.operation_model("StartJobRun").input_shape


def model_problems(request: dict[str, Any], shape: Shape) -> list[str]:
    report = ParamValidator().validate(request, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    return problems + list(constraint_problems(request, shape, "StartJobRun"))


def render(spec: JobRunSpec, **kwargs: Any) -> dict[str, Any]:
    return start_job_run_request(spec, client_token="token-1", **kwargs)


@pytest.mark.parametrize(
    ("spec", "engine"),
    [(SPARK, EngineType.SPARK), (HIVE, EngineType.HIVE), (STREAMING, EngineType.SPARK)],
    ids=["spark", "hive", "streaming"],
)
def test_each_job_kind_passes_the_api_model(
    start_job_run: Shape, spec: JobRunSpec, engine: EngineType
) -> None:
    request = render(spec, release=ReleaseLabel.EMR_7_12_0, engine=engine)
    assert model_problems(request, start_job_run) == []
    assert parse_start_job_run_request(request) == spec


def test_the_spark_request_in_full() -> None:
    request = render(SPARK)
    assert request["jobDriver"] == {
        "sparkSubmit": {
            "entryPoint": "s3://lake-jobs/wordcount.py",
            "entryPointArguments": ["s3://in/", "s3://out/"],
            "sparkSubmitParameters": "--conf spark.executor.cores=4",
        }
    }
    assert request["configurationOverrides"]["monitoringConfiguration"][
        "cloudWatchLoggingConfiguration"
    ] == {
        "enabled": True,
        "logGroupName": "/emr-serverless/analytics",
        "logStreamNamePrefix": "nightly",
        "encryptionKeyArn": KEY,
        "logTypes": {"SPARK_DRIVER": ["STDOUT", "STDERR"], "SPARK_EXECUTOR": ["STDERR"]},
    }
    assert (request["clientToken"], request["retryPolicy"]) == ("token-1", {"maxAttempts": 3})


def test_a_minimal_request_sends_only_what_is_set(start_job_run: Shape) -> None:
    spec = JobRunSpec(application_id=APP, execution_role_arn=ROLE, driver=SparkSubmit("/a.jar"))
    request = start_job_run_request(spec, client_token=None)
    assert request == {
        "applicationId": APP,
        "executionRoleArn": ROLE,
        "jobDriver": {"sparkSubmit": {"entryPoint": "/a.jar"}},
    }
    assert model_problems({**request, "clientToken": "t"}, start_job_run) == []


def _member_names(value: Any, shape: Shape, path: str = "") -> Iterator[tuple[str, str]]:
    """``(path, member name)`` of every structure member of ``value`` under ``shape``."""
    if shape.type_name == "structure":
        for name, item in value.items():
            yield path, name
            yield from _member_names(item, shape.members[name], f"{path}.{name}")
    elif shape.type_name == "list":
        for index, item in enumerate(value):
            yield from _member_names(item, shape.member, f"{path}[{index}]")
    elif shape.type_name == "map":
        for key, item in value.items():
            yield from _member_names(item, shape.value, f"{path}[{key}]")


def _pascal_path(path: str) -> str:
    parts = path.split(".")
    return ".".join(p[:1].upper() + p[1:] for p in parts)


def test_pascal_case_renames_every_structure_member_and_no_map_key(start_job_run: Shape) -> None:
    request = render(SPARK)
    converted = pascal_case_parameters(request)
    members = list(_member_names(request, start_job_run))
    assert len(members) > 30
    for path, name in members:
        node: Any = converted
        for step in [s for s in _pascal_path(path).split(".") if s]:
            key, _, rest = step.partition("[")
            node = node[key]
            if rest:
                index = rest.rstrip("]")
                node = node[int(index)] if index.isdigit() else node[index]
        assert name[:1].upper() + name[1:] in node, (path, name)
    assert converted["Tags"] == request["tags"]
    properties = converted["ConfigurationOverrides"]["ApplicationConfiguration"][0]["Properties"]
    assert properties == {"spark.executor.cores": "4", "spark.executor.memory": "12g"}
    log_types = converted["ConfigurationOverrides"]["MonitoringConfiguration"][
        "CloudWatchLoggingConfiguration"
    ]["LogTypes"]
    assert set(log_types) == {"SPARK_DRIVER", "SPARK_EXECUTOR"}


# --- every rule: refused, and its valid neighbour -------------------------------------------


def refused(spec: JobRunSpec, fragment: str, **kwargs: Any) -> EmrServerlessValidationError:
    with pytest.raises(EmrServerlessValidationError) as error:
        render(spec, **kwargs)
    assert fragment in str(error.value), str(error.value)
    return error.value


def spark(**changes: Any) -> JobRunSpec:
    return dataclasses.replace(SPARK, **changes)


@pytest.mark.parametrize(
    ("release", "accepted", "refused_values"),
    [
        (R7_10, (0, 1_000_000), (-1, 1_000_001)),
        (R7_11, (1, 10_080), (0, 10_081)),
        (None, (0, 1_000_000), (-1, 1_000_001)),
        # The emr-7.11.0 rule is of the emr-X.Y.Z line; no source says it of Spark 8.
        (ReleaseLabel.EMR_SPARK_8_1_0, (0, 1_000_000), (-1, 1_000_001)),
    ],
)
def test_batch_timeouts_follow_the_release(
    start_job_run: Shape,
    release: ReleaseLabel | None,
    accepted: tuple[int, ...],
    refused_values: tuple[int, ...],
) -> None:
    for minutes in accepted:
        request = render(spark(execution_timeout_minutes=minutes), release=release)
        assert model_problems(request, start_job_run) == []
    for minutes in refused_values:
        error = refused(spark(execution_timeout_minutes=minutes), "minutes", release=release)
        assert error.argument == "execution_timeout_minutes"


def test_zero_on_a_batch_run_from_7_11_says_why() -> None:
    error = refused(
        spark(execution_timeout_minutes=0), "cannot turn its timeout off", release=R7_11
    )
    assert "release-version-7110" in error.rule


def test_streaming_runs_keep_the_models_timeout_range() -> None:
    assert render(dataclasses.replace(STREAMING, execution_timeout_minutes=0), release=R7_11)
    assert (
        timeout_limit(mode=JobMode.STREAMING, release=R7_11)
        == JOB_RUN_RULES["executionTimeoutMinutes"]
    )
    refused(dataclasses.replace(STREAMING, execution_timeout_minutes=1_000_001), "0-1,000,000")


def test_retry_attempts_are_whole_numbers() -> None:
    with pytest.raises(EmrServerlessValidationError, match="max_attempts takes a whole number"):
        RetryPolicy(max_attempts=True)


@pytest.mark.parametrize("value", [0, 11])
def test_retry_attempts_are_1_to_10(value: int) -> None:
    refused(spark(retry_policy=RetryPolicy(max_attempts=value)), "retry_policy.max_attempts")
    refused(
        dataclasses.replace(
            STREAMING, retry_policy=RetryPolicy(max_failed_attempts_per_hour=value)
        ),
        "1-10 attempts",
    )


@pytest.mark.parametrize("value", [1, 10])
def test_retry_attempts_neighbours(value: int) -> None:
    assert render(spark(retry_policy=RetryPolicy(max_attempts=value)))["retryPolicy"] == {
        "maxAttempts": value
    }
    streaming = dataclasses.replace(
        STREAMING, retry_policy=RetryPolicy(max_failed_attempts_per_hour=value)
    )
    assert render(streaming)["retryPolicy"] == {"maxFailedAttemptsPerHour": value}


def test_each_mode_takes_its_own_retry_setting() -> None:
    refused(spark(retry_policy=RetryPolicy(max_failed_attempts_per_hour=2)), "batch runs take")
    refused(
        dataclasses.replace(STREAMING, retry_policy=RetryPolicy(max_attempts=2)),
        "streaming runs take",
    )


def test_retry_policies_and_streaming_need_7_1() -> None:
    refused(spark(), "retry policies need emr-7.1.0", release=R7_0)
    assert render(spark(), release=R7_1)
    refused(dataclasses.replace(STREAMING, retry_policy=None), "streaming jobs need", release=R7_0)
    assert render(dataclasses.replace(STREAMING, retry_policy=None), release=R7_1)


def test_streaming_hive_is_refused() -> None:
    refused(dataclasses.replace(HIVE, mode=JobMode.STREAMING), "streaming jobs are Spark jobs")


def test_the_driver_must_match_the_application() -> None:
    refused(SPARK, "a HIVE application runs HIVE jobs only", engine=EngineType.HIVE)
    refused(HIVE, "a SPARK application runs SPARK jobs only", engine=EngineType.SPARK)
    assert render(HIVE, engine=EngineType.HIVE)


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 256)],
)
def test_text_lengths(field: str, limit: int) -> None:
    assert render(spark(**{field: "n" * limit}))
    refused(spark(**{field: "n" * (limit + 1)}), "1-256 characters")
    refused(spark(**{field: "   "}), "not only spaces")


def test_driver_text_lengths() -> None:
    for make, limit in (
        (SparkSubmit, 4096),
        (lambda text: SparkSubmit("/a.jar", submit_parameters=text), 102_400),
        (HiveQuery, 10_280),
        (lambda text: HiveQuery("s3://b/q.sql", init_query_file=text), 256),
        (lambda text: HiveQuery("s3://b/q.sql", parameters=text), 102_400),
    ):
        assert render(spark(driver=make("x" * limit)))
        refused(spark(driver=make("x" * (limit + 1))), f"{limit:,} characters")


def test_entry_point_arguments_count() -> None:
    assert render(spark(driver=SparkSubmit("/a.jar", ("a",) * 1024)))
    refused(spark(driver=SparkSubmit("/a.jar", ("a",) * 1025)), "at most 1,024")


def test_identities_and_token() -> None:
    refused(spark(application_id="App-1"), "applicationId")
    refused(spark(execution_role_arn="arn:aws:iam::123456789012:user/ana"), "IAM role ARN")
    with pytest.raises(EmrServerlessValidationError, match="clientToken"):
        start_job_run_request(SPARK, client_token="x" * 65)
    assert start_job_run_request(SPARK, client_token="x" * 64)


def test_tags() -> None:
    assert render(spark(tags={f"k{i}": "v" for i in range(50)}))
    refused(spark(tags={f"k{i}": "v" for i in range(51)}), "at most 50 tags")
    refused(spark(tags={"aws:team": "x"}), "aws:")
    refused(spark(tags={"k": "a;b"}), "letters")
    refused(spark(tags={"k" * 129: "v"}), "1-128")
    assert render(spark(tags={"k" * 128: "v" * 256}))


@pytest.mark.parametrize(
    ("tags", "value", "part"),
    [
        ({"équipe": "data"}, "équipe", "key"),
        ({"team": "données"}, "données", "value"),
        ({"aws:team": "x"}, "aws:team", "key"),
        ({"k": "v" * 257}, "v" * 257, "value"),
    ],
)
def test_tags_follow_the_shared_rule(tags: dict[str, str], value: str, part: str) -> None:
    # application_rules.tag_problem is the one tag rule (ASCII, like the API's TagKey and
    # TagValue patterns): the request names the key and shows what breaks it.
    [(key, tag_value)] = tags.items()
    problem = tag_problem(key, tag_value)
    assert problem is not None
    assert problem.part == part
    error = refused(spark(tags=tags), problem.rule)
    assert (error.argument, error.value, error.fix) == (f"tags[{key!r}]", value, problem.fix)
    with pytest.raises(EmrServerlessValidationError) as direct:
        check_job_run_tags(tags)  # what the command line checks before any AWS call
    assert str(direct.value) == str(error)


def test_token_tags_are_counted_not_checked() -> None:
    tags = {TOKEN_TEXT: "v", "k": TOKEN_TEXT}
    skipped = check_job_run_tags(tags)
    assert [u.argument for u in skipped] == [f"tags[{TOKEN_TEXT!r}]", "tags['k']"]
    assert all("TagKey and TagValue" in u.rule for u in skipped)
    with pytest.raises(EmrServerlessValidationError, match="at most 50 tags"):
        check_job_run_tags({f"k{i}": TOKEN_TEXT for i in range(51)})


def test_configuration() -> None:
    many = tuple(Classification(f"c{i}", {"k": "v"}) for i in range(101))
    refused(spark(application_configuration=many), "at most 100 classifications")
    assert render(spark(application_configuration=many[:100]))
    twice = (spark_defaults({"a": "1"}), spark_defaults({"b": "2"}))
    # the service takes a classification twice (the application-level rule is a warning)
    assert (
        len(
            render(spark(application_configuration=twice))["configurationOverrides"][
                "applicationConfiguration"
            ]
        )
        == 2
    )
    refused(
        dataclasses.replace(HIVE, application_configuration=(spark_defaults({"a": "1"}),)),
        "configures Spark",
        engine=EngineType.HIVE,
    )
    refused(spark(application_configuration=(spark_defaults({"a": " "}),)), "not only spaces")
    refused(spark(application_configuration=(spark_defaults({"a": "v" * 1025}),)), "1,024")
    props = {f"k{i}": "v" for i in range(101)}
    refused(spark(application_configuration=(spark_defaults(props),)), "100 properties")


def test_monitoring() -> None:
    def monitored(**changes: Any) -> JobRunSpec:
        return spark(monitoring=dataclasses.replace(SPARK.monitoring, **changes))

    refused(monitored(log_encryption_key_arn="alias/logs"), "KMS key ARN")
    refused(monitored(log_group_name="has space"), "logGroupName")
    refused(monitored(log_stream_prefix="a:b"), "logStreamNamePrefix")
    refused(monitored(log_types={f"W{c}W": ("STDOUT",) for c in "abcde"}), "1-4 worker types")
    refused(monitored(log_types={"SPARK_DRIVER": ("A",) * 6}), "1-5 log types")
    refused(monitored(managed_persistence=False), "managed persistence is on")
    refused(monitored(prometheus_remote_write_url="https://example.com/x"), "Prometheus")
    assert render(monitored(log_types={f"W{c}W": ("STDOUT",) for c in "abcd"}))


def test_tokens_are_skipped_and_reported() -> None:
    spec = spark(
        application_id=TOKEN_TEXT,
        execution_role_arn=f"arn:aws:iam::{TOKEN_TEXT}:role/x",
        driver=SparkSubmit(f"s3://{TOKEN_TEXT}/a.py", submit_parameters=TOKEN_TEXT),
        monitoring=JobMonitoring(log_uri=f"s3://{TOKEN_TEXT}/", log_encryption_key_arn=TOKEN_TEXT),
    )
    skipped = check_job_run(spec)
    # text around a token is surely not blank, and short enough for any value it stands for
    assert {u.argument for u in skipped} == {
        "application_id",
        "execution_role_arn",
        "submit_parameters",
        "monitoring.log_encryption_key_arn",
    }
    assert all(isinstance(u, Unchecked) and u.rule for u in skipped)
    long_literal = spark(driver=SparkSubmit(f"s3://{TOKEN_TEXT}/" + "a" * 3000))
    assert {u.argument for u in check_job_run(long_literal)} == {"entry_point"}


# --- reading a rendered request back --------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"flexExecution": {"enabled": True}}, "request.flexExecution is not a member"),
        ({"jobDriver": {}}, "request.jobDriver.hive is required"),
        ({"executionTimeoutMinutes": "60"}, "must be a whole number"),
        ({"tags": {"a": 1}}, "request.tags.a must be a string"),
        ({"mode": "FAST"}, "JobMode"),
    ],
)
def test_parse_refuses_what_it_cannot_render(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match=fragment):
        parse_start_job_run_request({**render(SPARK), **change})


_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=30)


@given(
    arguments=st.lists(st.text(max_size=10), max_size=5),
    name=st.none() | _text,
    timeout=st.none() | st.integers(1, 10_080),
    attempts=st.none() | st.integers(1, 10),
    tags=st.dictionaries(
        st.from_regex(r"\A[a-z][a-z0-9 _.:/=+@-]{0,20}\Z"),
        _text.filter(lambda t: all(c.isalnum() or c in " /_.:=+@-" for c in t)),
        max_size=5,
    ),
    properties=st.dictionaries(st.from_regex(r"\Aspark\.[a-z.]{1,20}\Z"), _text, max_size=5),
)
def test_any_valid_spec_renders_for_the_model_and_reads_back(
    *,
    arguments: list[str],
    name: str | None,
    timeout: int | None,
    attempts: int | None,
    tags: dict[str, str],
    properties: dict[str, str],
) -> None:
    spec = JobRunSpec(
        application_id=APP,
        execution_role_arn=ROLE,
        driver=SparkSubmit("s3://b/a.py", tuple(arguments)),
        name=name,
        retry_policy=None if attempts is None else RetryPolicy(max_attempts=attempts),
        execution_timeout_minutes=timeout,
        tags=tags,
        application_configuration=(spark_defaults(properties),) if properties else (),
    )
    shape = botocore.session.get_session().get_service_model("emr-serverless")
    request = render(spec, release=ReleaseLabel.EMR_7_12_0)
    assert model_problems(request, shape.operation_model("StartJobRun").input_shape) == []
    assert parse_start_job_run_request(request) == spec
