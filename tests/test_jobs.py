"""emr-serverless-jobs against botocore's Stubber (and moto for EMR Serverless); never real AWS."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from constructs_lib.application_rules import MAX_TAGS, tag_problem
from constructs_lib.job_outputs import job_request_output_key, release_output_key
from constructs_lib.jobs import (
    EXIT_ERROR,
    EXIT_JOB_FAILED,
    EXIT_OK,
    EXIT_TIMEOUT,
    JobsError,
    Runtime,
    check_s3_uri,
    describe_job_run,
    job_logs_uri,
    parse_tags,
    run,
)
from constructs_lib.stack_outputs import OutputField, output_description, output_key

REGION = "eu-west-1"
STACK = "Lake-Dev-Team-Analytics"
APP_ID = "00fabc123def4567"
JOB_ID = "00fjob987zyx6543"
ROLE = "arn:aws:iam::123456789012:role/analytics-runtime"
LOG_URI = "s3://lake-logs/emr/analytics/"
LOG_GROUP = "/emr-serverless/lake/analytics"
LOG_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOKEN = "token-1"
ARN_PREFIX = f"arn:aws:emr-serverless:{REGION}:123456789012:"


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a Region; no shared config; no instance-metadata lookups."""
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": "/nonexistent/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


def team_outputs(team: str = "analytics", app_type: str = "SPARK") -> dict[str, str]:
    values = {
        OutputField.APPLICATION_ID: APP_ID,
        OutputField.APPLICATION_ARN: f"{ARN_PREFIX}/applications/{APP_ID}",
        OutputField.APPLICATION_TYPE: app_type,
        OutputField.RUNTIME_ROLE_ARN: ROLE,
        OutputField.LOG_URI: LOG_URI,
        OutputField.LOG_GROUP_NAME: LOG_GROUP,
        OutputField.LOG_ENCRYPTION_KEY_ARN: LOG_KEY,
    }
    return {output_key(team, field): value for field, value in values.items()}


def stack(outputs: dict[str, str], *, team: str = "analytics") -> dict[str, Any]:
    fields = {output_key(team, field): field for field in OutputField}
    described = {
        "StackName": STACK,
        "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
        "StackStatus": "CREATE_COMPLETE",
        "Outputs": [
            {
                "OutputKey": key,
                "OutputValue": value,
                "Description": output_description(team, fields[key]) if key in fields else key,
            }
            for key, value in outputs.items()
        ],
    }
    return {"Stacks": [described]}


class FakeSession:
    """A session whose clients are stubbed; ``real`` services go to the real client (moto)."""

    region_name = REGION

    def __init__(self, *, real: tuple[str, ...] = ()) -> None:
        self.clients = {
            service: boto3.client(service, region_name=REGION)
            for service in ("cloudformation", "emr-serverless")
        }
        self.stubs = {s: Stubber(c) for s, c in self.clients.items() if s not in real}
        for stub in self.stubs.values():
            stub.activate()
        self.opened: list[tuple[str | None, str | None]] = []

    def client(self, service: str) -> Any:
        return self.clients[service]

    def factory(self, profile: str | None, region: str | None) -> FakeSession:
        self.opened.append((profile, region))
        return self


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def aws() -> Iterator[FakeSession]:
    session = FakeSession()
    yield session
    for stub in session.stubs.values():
        stub.assert_no_pending_responses()


def runtime(session: FakeSession, *, stderr: io.StringIO | None = None) -> Runtime:
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    return Runtime(
        session=session.factory,
        sleep=sleep,
        clock=lambda: clock[0],
        new_token=lambda: TOKEN,
        stdout=io.StringIO(),
        stderr=stderr if stderr is not None else io.StringIO(),
    )


def expect_stack(aws: FakeSession, outputs: dict[str, str] | None = None) -> None:
    aws.stubs["cloudformation"].add_response(
        "describe_stacks",
        stack(team_outputs() if outputs is None else outputs),
        {"StackName": STACK},
    )


def out(rt: Runtime) -> str:
    return rt.stdout.getvalue()  # type: ignore[attr-defined]


def err(rt: Runtime) -> str:
    return rt.stderr.getvalue()  # type: ignore[attr-defined]


def one_error_line(rt: Runtime) -> str:
    lines = err(rt).splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("emr-serverless-jobs: error: ")
    return lines[0]


TARGET = ["--stack", STACK, "--team", "analytics"]
MONITORING = {
    "monitoringConfiguration": {
        "s3MonitoringConfiguration": {"logUri": LOG_URI, "encryptionKeyArn": LOG_KEY},
        "cloudWatchLoggingConfiguration": {"enabled": True, "logGroupName": LOG_GROUP},
    }
}
STARTED = {
    "applicationId": APP_ID,
    "jobRunId": JOB_ID,
    "arn": f"{ARN_PREFIX}/applications/{APP_ID}/jobruns/{JOB_ID}",
}


# ---------------------------------------------------------------- submit


def request(job_driver: dict[str, Any], name: str, **more: Any) -> dict[str, Any]:
    """The StartJobRun request for the stack's team with ``job_driver``, plus ``more``."""
    sent = {
        "applicationId": APP_ID,
        "executionRoleArn": ROLE,
        "clientToken": TOKEN,
        "jobDriver": job_driver,
        "mode": "BATCH",
        "name": name,
        "configurationOverrides": MONITORING,
    }
    return sent | more


def expect_start(aws: FakeSession, expected: dict[str, Any]) -> None:
    aws.stubs["emr-serverless"].add_response("start_job_run", STARTED, expected)


def test_submit_spark_sends_the_stack_outputs_and_every_option(aws: FakeSession) -> None:
    expect_stack(aws)
    spark = {
        "entryPoint": "s3://lake-jobs/wordcount.py",
        "entryPointArguments": ["s3://lake-data/in/", "--limit", "5"],
        "sparkSubmitParameters": "--conf spark.executor.cores=4",
    }
    expect_start(
        aws,
        request(
            {"sparkSubmit": spark},
            "analytics-wordcount.py",
            retryPolicy={"maxAttempts": 3},
            executionTimeoutMinutes=60,
            tags={"cost-center": "42", "owner": "ana@example.com"},
        ),
    )
    rt = runtime(aws)
    argv = [
        "submit",
        *TARGET,
        "--region",
        REGION,
        "--entry-point",
        "s3://lake-jobs/wordcount.py",
        "--spark-submit-parameters",
        "--conf spark.executor.cores=4",
        "--max-attempts",
        "3",
        "--execution-timeout-minutes",
        "60",
        "--tag",
        "cost-center=42",
        "--tag",
        "owner=ana@example.com",
        "--",
        "s3://lake-data/in/",
        "--limit",
        "5",
    ]
    assert run(argv, rt) == EXIT_OK
    assert f"started job run {JOB_ID} on application {APP_ID}" in out(rt)
    assert f"client token: {TOKEN}" in out(rt)
    assert err(rt) == ""
    assert aws.opened == [(None, REGION)]


def test_submit_hive(aws: FakeSession) -> None:
    expect_stack(aws, team_outputs(app_type="HIVE"))
    hive = {
        "query": "s3://lake-jobs/hive/report.sql",
        "initQueryFile": "s3://lake-jobs/hive/init.sql",
        "parameters": "--hiveconf hive.exec.scratchdir=s3://lake-data/scratch",
    }
    expect_start(aws, request({"hive": hive}, "nightly", clientToken="my-token.2"))
    rt = runtime(aws)
    argv = [
        "submit",
        *TARGET,
        "--query",
        "s3://lake-jobs/hive/report.sql",
        "--init-query-file",
        "s3://lake-jobs/hive/init.sql",
        "--hive-parameters",
        "--hiveconf hive.exec.scratchdir=s3://lake-data/scratch",
        "--name",
        "nightly",
        "--client-token",
        "my-token.2",
        "--json",
    ]
    assert run(argv, rt) == EXIT_OK
    assert json.loads(out(rt)) == {**STARTED, "clientToken": "my-token.2"}


def test_streaming_retry_policy(aws: FakeSession) -> None:
    expect_stack(aws)
    expect_start(
        aws,
        request(
            {"sparkSubmit": {"entryPoint": "s3://lake-jobs/stream.py"}},
            "analytics-stream.py",
            mode="STREAMING",
            retryPolicy={"maxFailedAttemptsPerHour": 7},
        ),
    )
    argv = ["submit", *TARGET, "--entry-point", "s3://lake-jobs/stream.py", "--mode", "STREAMING"]
    assert run([*argv, "--max-failed-attempts-per-hour", "7"], runtime(aws)) == EXIT_OK


def test_monitoring_uses_only_the_outputs_there_are(aws: FakeSession) -> None:
    outputs = team_outputs()
    for field in (OutputField.LOG_GROUP_NAME, OutputField.LOG_ENCRYPTION_KEY_ARN):
        del outputs[output_key("analytics", field)]
    expect_stack(aws, outputs)
    rt = runtime(aws)
    assert run(["submit", *TARGET, "--entry-point", "/opt/job.jar", "--dry-run"], rt) == EXIT_OK
    request = json.loads(out(rt))["request"]
    assert request["configurationOverrides"] == {
        "monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": LOG_URI}}
    }
    assert "retryPolicy" not in request
    assert "executionTimeoutMinutes" not in request


def test_dry_run_reads_the_stack_but_sends_nothing(aws: FakeSession) -> None:
    expect_stack(aws)
    rt = runtime(aws)
    argv = ["submit", *TARGET, "--entry-point", "s3://lake-jobs/wordcount.py", "--dry-run"]
    assert run(argv, rt) == EXIT_OK
    shown = json.loads(out(rt))
    assert (shown["operation"], shown["region"]) == ("StartJobRun", REGION)
    assert shown["request"] == request(
        {"sparkSubmit": {"entryPoint": "s3://lake-jobs/wordcount.py"}}, "analytics-wordcount.py"
    )


def test_dry_run_with_explicit_ids_needs_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    rt = Runtime(new_token=lambda: TOKEN, stdout=io.StringIO(), stderr=io.StringIO())
    argv = [
        "submit",
        "--application-id",
        APP_ID,
        "--execution-role-arn",
        ROLE,
        "--log-uri",
        "s3://lake-logs/adhoc/",
        "--entry-point",
        "/usr/lib/spark/examples/jars/spark-examples.jar",
        "--spark-submit-parameters",
        "--class org.apache.spark.examples.SparkPi",
        "--dry-run",
        "--",
        "1",
    ]
    assert run(argv, rt) == EXIT_OK, err(rt)
    request = json.loads(out(rt))["request"]
    assert request["jobDriver"]["sparkSubmit"]["entryPointArguments"] == ["1"]
    assert request["name"] == "spark-examples.jar"
    assert request["configurationOverrides"] == {
        "monitoringConfiguration": {
            "s3MonitoringConfiguration": {"logUri": "s3://lake-logs/adhoc/"}
        }
    }


def test_submit_then_wait(aws: FakeSession) -> None:
    expect_stack(aws)
    aws.stubs["emr-serverless"].add_response("start_job_run", STARTED)
    for state in ("SUBMITTED", "SUCCESS"):
        aws.stubs["emr-serverless"].add_response(
            "get_job_run", {"jobRun": job_run(state)}, {"applicationId": APP_ID, "jobRunId": JOB_ID}
        )
    rt = runtime(aws)
    argv = [
        "submit",
        *TARGET,
        "--entry-point",
        "s3://lake-jobs/a.py",
        "--wait",
        "--poll-seconds",
        "5",
    ]
    assert run(argv, rt) == EXIT_OK
    assert "state:    SUCCESS" in out(rt)


# ---------------------------------------------------------------- errors: one line, exit 2


def test_missing_stack(aws: FakeSession) -> None:
    aws.stubs["cloudformation"].add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {STACK} does not exist",
        http_status_code=400,
    )
    rt = runtime(aws)
    assert run(["status", *TARGET, JOB_ID], rt) == EXIT_ERROR
    assert f"stack '{STACK}' not found in {REGION}" in one_error_line(rt)
    assert out(rt) == ""


def test_missing_output_names_it_and_the_teams_there_are(aws: FakeSession) -> None:
    aws.stubs["cloudformation"].add_response(
        "describe_stacks", stack(team_outputs("reporting"), team="reporting")
    )
    rt = runtime(aws)
    assert run(["wait", *TARGET, JOB_ID], rt) == EXIT_ERROR
    line = one_error_line(rt)
    assert "has no output AnalyticsApplicationId for team 'analytics'" in line
    assert "(teams in it: reporting)" in line
    assert "(CREATE_COMPLETE)" in line


def test_other_cloudformation_errors_are_reported(aws: FakeSession) -> None:
    aws.stubs["cloudformation"].add_client_error(
        "describe_stacks", service_error_code="AccessDenied", service_message="not allowed"
    )
    rt = runtime(aws)
    assert run(["status", *TARGET, JOB_ID], rt) == EXIT_ERROR
    assert one_error_line(rt).endswith("DescribeStacks: AccessDenied: not allowed")


def test_start_job_run_error_is_one_line(aws: FakeSession) -> None:
    expect_stack(aws)
    aws.stubs["emr-serverless"].add_client_error(
        "start_job_run",
        service_error_code="ValidationException",
        service_message="Application is in TERMINATED state",
    )
    rt = runtime(aws)
    assert run(["submit", *TARGET, "--entry-point", "s3://b-1/a.py"], rt) == EXIT_ERROR
    assert one_error_line(rt).endswith(
        "StartJobRun: ValidationException: Application is in TERMINATED state"
    )


def test_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    rt = Runtime(stdout=io.StringIO(), stderr=io.StringIO())
    assert run(["status", *TARGET, JOB_ID], rt) == EXIT_ERROR
    assert "no AWS credentials found" in one_error_line(rt)


def test_no_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    rt = Runtime(stdout=io.StringIO(), stderr=io.StringIO())
    assert run(["status", *TARGET, JOB_ID], rt) == EXIT_ERROR
    assert "no AWS Region set. Fix: pass --region" in one_error_line(rt)


def test_unknown_profile() -> None:
    rt = Runtime(stdout=io.StringIO(), stderr=io.StringIO())
    assert run(["status", *TARGET, "--profile", "nobody", JOB_ID], rt) == EXIT_ERROR
    assert "nobody" in one_error_line(rt)


def refuses(argv: list[str], fragment: str) -> None:
    session = FakeSession()  # nothing stubbed: any AWS call fails the test
    rt = runtime(session)
    assert run(argv, rt) == EXIT_ERROR
    assert fragment in one_error_line(rt)
    assert session.opened == []


def submit(*extra: str, entry: tuple[str, ...] = ("--entry-point", "s3://b-1/job.py")) -> list[str]:
    return ["submit", *TARGET, *entry, *extra]


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("S3://lake-jobs/a.py", "(the scheme is lower-case s3://)"),
        ("s3a://lake-jobs/a.py", "is not an S3 URI"),
        ("https://lake-jobs/a.py", "is not an S3 URI"),
        ("wordcount.py", "is not an S3 URI"),
        ("s3://Lake_Jobs/a.py", "'Lake_Jobs' is not a bucket name"),
        ("s3://lake-jobs", "names no object"),
        ("s3://lake-jobs/scripts/", "names no object"),
    ],
)
def test_bad_entry_point(uri: str, fragment: str) -> None:
    refuses(submit(entry=("--entry-point", uri)), f"--entry-point {uri!r}")
    refuses(submit(entry=("--entry-point", uri)), fragment)


@pytest.mark.parametrize(
    ("option", "uri"),
    [
        ("--query", "s3://lake-jobs"),
        ("--init-query-file", "s3:/lake-jobs/init.sql"),
        ("--log-uri", "s3://ab/logs/"),
    ],
)
def test_bad_s3_uris_in_other_options(option: str, uri: str) -> None:
    entry = ("--query", "s3://lake-jobs/q.sql") if option != "--query" else ()
    if option == "--log-uri":
        entry = ("--entry-point", "s3://lake-jobs/a.py")
    refuses(submit(option, uri, entry=entry), f"{option} {uri!r}")


@pytest.mark.parametrize(
    ("extra", "entry", "fragment"),
    [
        ((), (), "give one job driver"),
        (("--query", "s3://b-1/q.sql"), None, "give one job driver"),
        (("--hive-parameters", "--hiveconf a=b"), None, "are for Hive jobs"),
        (("--spark-submit-parameters", "--conf a=b"), ("--query", "s3://b-1/q.sql"), "for Spark"),
        (("--mode", "STREAMING"), ("--query", "s3://b-1/q.sql"), "streaming jobs are Spark"),
        (("--mode", "STREAMING", "--max-attempts", "2"), None, "is a batch retry policy"),
        (("--max-failed-attempts-per-hour", "2"), None, "is a streaming retry policy"),
        (("--max-attempts", "0"), None, "--max-attempts 0: must be 1 to 10"),
        (("--max-attempts", "11"), None, "--max-attempts 11: must be 1 to 10"),
        (("--execution-timeout-minutes", "-1"), None, "must be 0 to 1000000"),
        (("--client-token", "has space"), None, "--client-token 'has space'"),
        (("--client-token", "x" * 65), None, "1-64 letters"),
        (("--tag", "novalue"), None, "is not KEY=VALUE"),
        (("--tag", "=v"), None, "--tag[''] '': a tag key has 1-128"),
        (("--tag", "aws:team=x"), None, "reserved"),
        (("--tag", "k=" + "v" * 257), None, "a tag value has 0-256"),
        (("--tag", "k=a;b"), None, "letters, digits, spaces"),
        (("--tag", "k=1", "--tag", "k=2"), None, "given twice"),
        (tuple(a for i in range(MAX_TAGS + 1) for a in ("--tag", f"k{i}=v")), None, "at most 50"),
        (
            ("--poll-seconds", "0", "--wait"),
            None,
            "argument --poll-seconds: '0' is not a number more than 0 and at most 3,600",
        ),
        (("--mode", "FAST"), None, "argument --mode: invalid choice: 'FAST'"),
        (("--max-attempts", "two"), None, "argument --max-attempts: invalid int value: 'two'"),
    ],
)
def test_refused_options(
    extra: tuple[str, ...], entry: tuple[str, ...] | None, fragment: str
) -> None:
    refuses(submit(*extra) if entry is None else submit(*extra, entry=entry), fragment)


@pytest.mark.parametrize(
    ("pair", "part"), [("équipe=data", "key"), ("team=données", "value"), ("k=\u00a0", "value")]
)
def test_non_ascii_tags_are_refused_once_with_the_shared_rule(pair: str, part: str) -> None:
    # StartJobRun's TagKey and TagValue patterns are ASCII ([A-Za-z0-9 /_.:=+@-]); \w and
    # \s would let these through here and the request's check would refuse them later.
    key, _, value = pair.partition("=")
    problem = tag_problem(key, value)
    assert problem is not None
    assert problem.part == part
    assert parse_tags([pair]) == {key: value}  # the form is fine: the rules refuse it
    refuses(submit("--tag", pair), f"{problem.rule}. Fix: {problem.fix}")


@pytest.mark.parametrize(
    "extra",
    [
        ("--max-attempts", "1"),
        ("--max-attempts", "10"),
        ("--mode", "STREAMING", "--max-failed-attempts-per-hour", "10"),
        ("--execution-timeout-minutes", "0"),
        ("--client-token", "a" * 64),
        ("--tag", "k=", "--tag", "Team Name=Data: Lake/1 +@_-."),
        tuple(a for i in range(MAX_TAGS) for a in ("--tag", f"k{i}=v")),
    ],
)
def test_valid_neighbours(aws: FakeSession, extra: tuple[str, ...]) -> None:
    expect_stack(aws)
    rt = runtime(aws)
    assert run(submit(*extra, "--dry-run"), rt) == EXIT_OK, err(rt)


def test_application_type_must_match_the_driver(aws: FakeSession) -> None:
    expect_stack(aws)  # a SPARK application
    rt = runtime(aws)
    assert run(submit(entry=("--query", "s3://b-1/q.sql")), rt) == EXIT_ERROR
    assert "team 'analytics' runs a SPARK application; this is a HIVE job" in one_error_line(rt)


def test_which_team_and_which_stack() -> None:
    refuses(["status", "--stack", STACK, JOB_ID], "which team?")
    refuses(["submit", "--application-id", APP_ID, "--entry-point", "/a.jar"], "which team?")
    refuses(["status", "--team", "analytics", JOB_ID], "which stack?")


def test_environment_names_the_stack_from_the_config(aws: FakeSession, tmp_path: Path) -> None:
    config = yaml.safe_load((Path(__file__).parent.parent / "platform.yaml").read_text())
    config["platform"]["name"] = "lake"
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(config))
    expect_stack(aws)  # expects StackName Lake-Dev-Team-Analytics
    aws.stubs["emr-serverless"].add_response("get_job_run", {"jobRun": job_run("RUNNING")})
    rt = runtime(aws)
    argv = ["status", "--environment", "dev", "--config", str(path), "--team", "analytics", JOB_ID]
    assert run(argv, rt) == EXIT_OK
    rt = runtime(FakeSession())
    argv[2] = "qa"
    assert run(argv, rt) == EXIT_ERROR
    assert "no such environment; the file defines dev, prod" in one_error_line(rt)
    rt = runtime(FakeSession())
    argv[2], argv[6] = "dev", "nobody"
    assert run(argv, rt) == EXIT_ERROR
    assert "no team 'nobody'" in one_error_line(rt)


def test_a_config_with_problems_is_reported_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "platform.yaml"
    path.write_text("platform: {}\nenvironments: {}\nteams: []\n")
    refuses(
        ["status", "--environment", "dev", "--config", str(path), "--team", "a", JOB_ID],
        f"{path}: platform.name: is required. Fix: add name: ... (and 4 more problems)",
    )


def test_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"], runtime(FakeSession())) == EXIT_OK
    assert "submit" in capsys.readouterr().out
    refuses(["launch"], "argument COMMAND: invalid choice: 'launch'")
    refuses(["status"], "the following arguments are required: job_run_id. Fix: see")


def test_module_runs_as_a_program_without_aws_cdk() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "constructs_lib.jobs", "submit", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--entry-point" in result.stdout
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, constructs_lib.jobs; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


# ---------------------------------------------------------------- numbers (issue 15)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--poll-seconds", "nan"),
        ("--poll-seconds", "inf"),
        ("--poll-seconds", "-inf"),
        ("--poll-seconds", "-1"),
        ("--poll-seconds", "3600.5"),
        ("--poll-seconds", "1e309"),
        ("--timeout-minutes", "nan"),
        ("--timeout-minutes", "inf"),
        ("--timeout-minutes", "-0.5"),
        ("--timeout-minutes", "1000721"),
    ],
)
def test_wait_numbers_must_be_finite_and_in_range(option: str, value: str) -> None:
    for argv in (
        ["wait", "--application-id", APP_ID, JOB_ID, f"{option}={value}"],
        [*submit("--wait"), f"{option}={value}"],
    ):
        refuses(argv, f"argument {option}: {value!r} is not a number")


@pytest.mark.parametrize(
    ("option", "value"), [("--poll-seconds", "3600"), ("--poll-seconds", "0.001")]
)
def test_wait_numbers_valid_neighbours(aws: FakeSession, option: str, value: str) -> None:
    expect_runs(aws, job_run("SUCCESS"))
    rt = runtime(aws)
    assert run(["wait", "--application-id", APP_ID, JOB_ID, option, value], rt) == EXIT_OK


@pytest.mark.parametrize(("minutes", "code"), [("0", EXIT_TIMEOUT), ("1000720", EXIT_OK)])
def test_wait_timeout_neighbours(aws: FakeSession, minutes: str, code: int) -> None:
    final = "RUNNING" if code == EXIT_TIMEOUT else "SUCCESS"
    expect_runs(aws, job_run(final))
    rt = runtime(aws)
    argv = ["wait", "--application-id", APP_ID, JOB_ID, "--timeout-minutes", minutes]
    assert run(argv, rt) == code


# ---------------------------------------------------------------- timeouts by release (issue 14)


def config_with_release(tmp_path: Path, release: str) -> Path:
    config = yaml.safe_load((Path(__file__).parent.parent / "platform.yaml").read_text())
    config["platform"]["name"] = "lake"
    config["teams"][0]["application"]["release_label"] = release
    config["teams"][0].pop("jobs", None)
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.parametrize(
    ("release", "minutes", "fragment"),
    [
        ("emr-7.11.0", "0", "cannot turn its timeout off with 0"),
        ("emr-7.11.0", "10081", "1-10,080 minutes for a batch run on emr-7.11.0"),
        ("emr-7.12.0", "0", "release-version-7110"),
    ],
)
def test_batch_timeouts_are_refused_by_the_configs_release(
    aws: FakeSession, tmp_path: Path, release: str, minutes: str, fragment: str
) -> None:
    path = config_with_release(tmp_path, release)
    expect_stack(aws)
    rt = runtime(aws)
    argv = [
        "submit",
        "--environment",
        "dev",
        "--config",
        str(path),
        "--team",
        "analytics",
        "--entry-point",
        "s3://b-1/a.py",
        "--execution-timeout-minutes",
        minutes,
    ]
    assert run(argv, rt) == EXIT_ERROR
    line = one_error_line(rt)
    assert f"--execution-timeout-minutes {int(minutes)}" in line
    assert fragment in line


@pytest.mark.parametrize(
    ("release", "minutes"), [("emr-7.11.0", "1"), ("emr-7.11.0", "10080"), ("emr-7.10.0", "0")]
)
def test_batch_timeout_neighbours_by_release(
    aws: FakeSession, tmp_path: Path, release: str, minutes: str
) -> None:
    path = config_with_release(tmp_path, release)
    expect_stack(aws)
    rt = runtime(aws)
    argv = [
        "submit",
        "--environment",
        "dev",
        "--config",
        str(path),
        "--team",
        "analytics",
        "--entry-point",
        "s3://b-1/a.py",
        "--execution-timeout-minutes",
        minutes,
        "--dry-run",
    ]
    assert run(argv, rt) == EXIT_OK, err(rt)
    assert json.loads(out(rt))["request"]["executionTimeoutMinutes"] == int(minutes)


def test_the_stacks_release_output_bounds_timeouts_with_stack(aws: FakeSession) -> None:
    expect_stack(aws, team_outputs() | {release_output_key("analytics"): "emr-7.12.0"})
    rt = runtime(aws)
    assert run(submit("--execution-timeout-minutes", "0"), rt) == EXIT_ERROR
    assert "cannot turn its timeout off" in one_error_line(rt)


def test_streaming_timeouts_keep_the_api_range(aws: FakeSession) -> None:
    expect_stack(aws, team_outputs() | {release_output_key("analytics"): "emr-7.12.0"})
    rt = runtime(aws)
    extra = ("--mode", "STREAMING", "--execution-timeout-minutes", "0", "--dry-run")
    assert run(submit(*extra), rt) == EXIT_OK, err(rt)


def test_retry_policy_before_7_1_is_refused_by_release(aws: FakeSession) -> None:
    expect_stack(aws, team_outputs() | {release_output_key("analytics"): "emr-7.0.0"})
    rt = runtime(aws)
    assert run(submit("--max-attempts", "2"), rt) == EXIT_ERROR
    assert "--max-attempts 2: retry policies need emr-7.1.0 or later" in one_error_line(rt)


# ---------------------------------------------------------------- declared jobs (--job)

DECLARED = {
    "applicationId": APP_ID,
    "executionRoleArn": ROLE,
    "jobDriver": {
        "sparkSubmit": {
            "entryPoint": "s3://lake-assets/abc.py",
            "entryPointArguments": ["s3://lake-data/raw/"],
        }
    },
    "name": "analytics-nightly",
    "configurationOverrides": {
        "applicationConfiguration": [
            {"classification": "spark-defaults", "properties": {"spark.archives": "s3://x/y.zip#e"}}
        ],
        **MONITORING,
    },
    "retryPolicy": {"maxAttempts": 2},
    "executionTimeoutMinutes": 120,
    "tags": {"job": "nightly"},
}


def declared_outputs(document: str | None = None) -> dict[str, str]:
    value = json.dumps(DECLARED) if document is None else document
    return team_outputs() | {job_request_output_key("analytics", "nightly"): value}


def test_a_declared_job_sends_the_request_its_stack_rendered(aws: FakeSession) -> None:
    expect_stack(aws, declared_outputs())
    expect_start(aws, {**DECLARED, "clientToken": TOKEN})
    rt = runtime(aws)
    assert run(["submit", *TARGET, "--job", "nightly", "--json"], rt) == EXIT_OK, err(rt)
    assert json.loads(out(rt))["jobRunId"] == JOB_ID


def test_a_declared_job_with_the_config(aws: FakeSession, tmp_path: Path) -> None:
    path = config_with_release(tmp_path, "emr-7.6.0")
    expect_stack(aws, declared_outputs())
    rt = runtime(aws)
    argv = ["submit", "--environment", "dev", "--config", str(path), "--team", "analytics"]
    assert run([*argv, "--job", "nightly", "--dry-run", "--client-token", "t.1"], rt) == EXIT_OK
    assert json.loads(out(rt))["request"] == {**DECLARED, "clientToken": "t.1"}


@pytest.mark.parametrize(
    "extra",
    [
        ("--entry-point", "s3://b-1/a.py"),
        ("--name", "other"),
        ("--tag", "a=b"),
        ("--execution-timeout-minutes", "5"),
        ("--mode", "STREAMING"),
        ("--", "arg"),
    ],
)
def test_a_declared_job_takes_no_request_options(extra: tuple[str, ...]) -> None:
    refuses(["submit", *TARGET, "--job", "nightly", *extra], "with --job: a declared job sends")


def test_an_undeclared_job_is_named(aws: FakeSession) -> None:
    expect_stack(aws, declared_outputs())
    rt = runtime(aws)
    assert run(["submit", *TARGET, "--job", "nightli"], rt) == EXIT_ERROR
    line = one_error_line(rt)
    assert "has no output AnalyticsJobNightliRequest for job 'nightli'" in line
    assert "did you mean 'AnalyticsJobNightly'" in line


@pytest.mark.parametrize(
    ("document", "fragment"),
    [("not json", "is not a job request"), ('{"applicationId": "a"}', "is required")],
)
def test_a_broken_job_output_is_reported(aws: FakeSession, document: str, fragment: str) -> None:
    expect_stack(aws, declared_outputs(document))
    rt = runtime(aws)
    assert run(["submit", *TARGET, "--job", "nightly"], rt) == EXIT_ERROR
    assert fragment in one_error_line(rt)


def test_a_declared_job_is_checked_against_the_release(aws: FakeSession) -> None:
    outputs = declared_outputs() | {release_output_key("analytics"): "emr-7.0.0"}
    expect_stack(aws, outputs)
    rt = runtime(aws)
    assert run(["submit", *TARGET, "--job", "nightly"], rt) == EXIT_ERROR
    assert "retry policies need emr-7.1.0" in one_error_line(rt)


# ---------------------------------------------------------------- status and wait


def job_run(state: str, **extra: Any) -> dict[str, Any]:
    return {
        "applicationId": APP_ID,
        "jobRunId": JOB_ID,
        "name": "analytics-wordcount.py",
        "arn": STARTED["arn"],
        "createdBy": "arn:aws:iam::123456789012:user/ana",
        "createdAt": datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        "updatedAt": datetime(2026, 1, 1, 12, 5, tzinfo=UTC),
        "executionRole": ROLE,
        "state": state,
        "stateDetails": extra.pop("stateDetails", f"the run is {state.lower()}"),
        "releaseLabel": "emr-7.6.0",
        "jobDriver": {"sparkSubmit": {"entryPoint": "s3://lake-jobs/wordcount.py"}},
        **extra,
    }


def expect_runs(aws: FakeSession, *runs: dict[str, Any]) -> None:
    for each in runs:
        aws.stubs["emr-serverless"].add_response(
            "get_job_run", {"jobRun": each}, {"applicationId": APP_ID, "jobRunId": JOB_ID}
        )


def test_status_prints_the_run_and_its_logs(aws: FakeSession) -> None:
    expect_stack(aws)
    expect_runs(
        aws,
        job_run(
            "FAILED",
            stateDetails="Job failed, ExitCode: 1",
            mode="BATCH",
            attempt=2,
            retryPolicy={"maxAttempts": 3},
            startedAt=datetime(2026, 1, 1, 12, 1, tzinfo=UTC),
            endedAt=datetime(2026, 1, 1, 13, 2, 3, tzinfo=UTC),
            totalExecutionDurationSeconds=3723,
            totalResourceUtilization={"vCPUHour": 1.5, "memoryGBHour": 6.25, "storageGBHour": 20},
        ),
    )
    rt = runtime(aws)
    assert run(["status", *TARGET, JOB_ID], rt) == EXIT_OK
    assert out(rt).splitlines() == [
        f"job run {JOB_ID} (analytics-wordcount.py) on application {APP_ID}",
        "  state:    FAILED (attempt 2)",
        "  details:  Job failed, ExitCode: 1",
        "  release:  emr-7.6.0, BATCH mode",
        "  created:  2026-01-01T12:00:00+00:00",
        "  started:  2026-01-01T12:01:00+00:00",
        "  ended:    2026-01-01T13:02:03+00:00",
        "  duration: 1h02m03s",
        "  used:     1.500 vCPU-hours, 6.250 GB-hours memory, 20.000 GB-hours storage",
        f"  logs:     {LOG_URI}applications/{APP_ID}/jobs/{JOB_ID}/attempts/2/",
    ]


def test_status_as_json(aws: FakeSession) -> None:
    expect_runs(aws, job_run("RUNNING"))
    rt = runtime(aws)
    argv = ["status", "--application-id", APP_ID, JOB_ID, "--json"]
    assert run(argv, rt) == EXIT_OK
    shown = json.loads(out(rt))
    assert (shown["state"], shown["createdAt"]) == ("RUNNING", "2026-01-01 12:00:00+00:00")


@pytest.mark.parametrize(
    ("final", "code"),
    [("SUCCESS", EXIT_OK), ("FAILED", EXIT_JOB_FAILED), ("CANCELLED", EXIT_JOB_FAILED)],
)
def test_wait_prints_a_line_per_state_change_off_a_terminal(
    aws: FakeSession, final: str, code: int
) -> None:
    expect_stack(aws)
    states = ["SUBMITTED", "SUBMITTED", "RUNNING", "RUNNING", "RUNNING", final]
    expect_runs(aws, *(job_run(state) for state in states))
    rt = runtime(aws)
    assert run(["wait", *TARGET, JOB_ID, "--poll-seconds", "30"], rt) == code
    assert err(rt).splitlines() == [
        f"[0m00s] job run {JOB_ID}: SUBMITTED",
        f"[1m00s] job run {JOB_ID}: RUNNING",
        f"[2m30s] job run {JOB_ID}: {final}",
    ]
    assert f"  state:    {final}" in out(rt)
    assert f"  logs:     {LOG_URI}applications/{APP_ID}/jobs/{JOB_ID}/" in out(rt)


def test_wait_reports_a_new_attempt(aws: FakeSession) -> None:
    expect_runs(
        aws, job_run("RUNNING"), job_run("RUNNING", attempt=2), job_run("SUCCESS", attempt=2)
    )
    rt = runtime(aws)
    assert run(["wait", "--application-id", APP_ID, JOB_ID], rt) == EXIT_OK
    assert err(rt).splitlines()[1] == f"[0m10s] job run {JOB_ID}: RUNNING, attempt 2"


def test_wait_shows_a_live_line_on_a_terminal(aws: FakeSession) -> None:
    expect_runs(aws, job_run("PENDING"), job_run("RUNNING"), job_run("SUCCESS"))
    tty = FakeTty()
    rt = runtime(aws, stderr=tty)
    assert run(["wait", "--application-id", APP_ID, JOB_ID, "--poll-seconds", "2"], rt) == EXIT_OK
    shown = tty.getvalue()
    assert shown.split("\r\033[K")[1:] == [
        f"| job run {JOB_ID}: PENDING (0m00s)",
        f"/ job run {JOB_ID}: RUNNING (0m02s)",
        f"- job run {JOB_ID}: SUCCESS (0m04s)\n",
    ]


def test_wait_gives_up_after_the_timeout(aws: FakeSession) -> None:
    expect_runs(aws, *(job_run("RUNNING") for _ in range(4)))
    rt = runtime(aws)
    argv = [
        "wait",
        "--application-id",
        APP_ID,
        JOB_ID,
        "--poll-seconds",
        "20",
        "--timeout-minutes",
        "1",
    ]
    assert run(argv, rt) == EXIT_TIMEOUT
    assert (
        out(rt) == f"gave up waiting after 1m00s: job run {JOB_ID} is RUNNING (it keeps running)\n"
    )


def test_interrupted_wait(aws: FakeSession) -> None:
    expect_runs(aws, job_run("RUNNING"))
    rt = runtime(aws)

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    rt.sleep = interrupt
    assert run(["wait", "--application-id", APP_ID, JOB_ID], rt) == 130


# ---------------------------------------------------------------- end to end with moto


def test_submit_and_status_against_moto() -> None:
    with mock_aws():
        session = FakeSession(real=("emr-serverless",))
        emr = session.clients["emr-serverless"]
        app_id = emr.create_application(name="a", releaseLabel="emr-7.6.0", type="SPARK")[
            "applicationId"
        ]
        emr.start_application(applicationId=app_id)
        outputs = team_outputs() | {output_key("analytics", OutputField.APPLICATION_ID): app_id}
        for _ in range(2):
            session.stubs["cloudformation"].add_response("describe_stacks", stack(outputs))
        rt = runtime(session)
        argv = ["submit", *TARGET, "--entry-point", "s3://lake-jobs/a.py", "--json"]
        assert run(argv, rt) == EXIT_OK, err(rt)
        started = json.loads(out(rt))
        listed = emr.list_job_runs(applicationId=app_id)["jobRuns"]
        assert [r["id"] for r in listed] == [started["jobRunId"]]
        rt = runtime(session)
        assert run(["status", *TARGET, started["jobRunId"]], rt) == EXIT_OK, err(rt)
        assert f"on application {app_id}" in out(rt)


# ---------------------------------------------------------------- helpers


@given(
    bucket=st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,20}[a-z0-9]\Z"),
    key=st.from_regex(r"\A[A-Za-z0-9_.=-]{1,8}(/[A-Za-z0-9_.=-]{1,8}){0,3}\Z"),
)
def test_s3_uri_round_trip(bucket: str, key: str) -> None:
    assert check_s3_uri(f"s3://{bucket}/{key}", what="x", object_required=True) == (bucket, key)
    assert check_s3_uri(f"s3://{bucket}/", what="x", object_required=False) == (bucket, "")
    with pytest.raises(JobsError, match="names no object"):
        check_s3_uri(f"s3://{bucket}/{key}/", what="x", object_required=True)


@given(
    tags=st.dictionaries(
        st.from_regex(r"\A[A-Za-z0-9 _.:/=+@-]{1,20}\Z").filter(
            lambda k: not k.lower().startswith("aws:") and "=" not in k
        ),
        st.from_regex(r"\A[A-Za-z0-9 _.:/=+@-]{0,20}\Z"),
        max_size=MAX_TAGS,
    )
)
def test_valid_tags_round_trip(tags: dict[str, str]) -> None:
    assert parse_tags([f"{k}={v}" for k, v in tags.items()]) == tags


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, f"s3://logs/applications/{APP_ID}/jobs/{JOB_ID}/"),
        (
            {"mode": "STREAMING", "attempt": 4},
            f"s3://logs/applications/{APP_ID}/jobs/{JOB_ID}/attempts/4/",
        ),
        (
            {"retryPolicy": {"maxAttempts": 2}},
            f"s3://logs/applications/{APP_ID}/jobs/{JOB_ID}/attempts/1/",
        ),
    ],
)
def test_job_logs_uri(extra: dict[str, Any], expected: str) -> None:
    for log_uri in ("s3://logs", "s3://logs/"):
        assert job_logs_uri(log_uri, job_run("RUNNING", **extra)) == expected


def test_describe_job_run_skips_what_is_unknown() -> None:
    minimal = {"applicationId": APP_ID, "jobRunId": JOB_ID, "state": "QUEUED"}
    assert describe_job_run(minimal).splitlines() == [
        f"job run {JOB_ID} on application {APP_ID}",
        "  state:    QUEUED",
        "  release:  ?, BATCH mode",
    ]
