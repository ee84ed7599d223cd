"""``emr-serverless-jobs``: submit a job run to a team's application, and follow it.

- ``submit`` reads the team's application id, runtime role ARN and log destinations from
  the deployed platform stack's outputs (``describe_stacks``; names from
  ``constructs_lib.stack_outputs``) and calls ``start_job_run`` with a Spark or Hive
  driver, the monitoring configuration, an optional retry policy, a name, tags, a
  client token (idempotency) and an execution timeout. ``--dry-run`` prints the request
  instead of sending it (no credentials needed with ``--application-id`` and
  ``--execution-role-arn``).
- ``status`` prints a job run; ``wait`` polls it until it ends, with a progress line on a
  terminal and one line per state change otherwise.

Exit codes: 0 done (``wait``: the run succeeded), 1 the run failed or was cancelled,
2 bad input or an AWS error (one line on stderr), 3 ``wait`` timed out.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from constructs_lib.platform_config import (
    BUCKET_NAME_RULE,
    DEFAULT_CONFIG_FILE,
    PlatformConfigError,
    is_bucket_name,
    load_platform_config,
)
from constructs_lib.stack_outputs import MissingOutputError, TeamOutputs, teams_in_outputs

PROG = "emr-serverless-jobs"

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_ERROR = 2
EXIT_TIMEOUT = 3

#: Job run states after which nothing changes (the guide's "CANCELLING" at L2274 is not one).
TERMINAL_STATES = frozenset({"SUCCESS", "FAILED", "CANCELLED"})

#: Retry policy bounds, batch ``maxAttempts`` and streaming ``maxFailedAttemptsPerHour``
#: (emr-7.1.0+, guide L3216, L3237).
RETRY_ATTEMPTS = (1, 10)
#: ``executionTimeoutMinutes`` bounds (StartJobRun API; 0 = no timeout, default 720).
EXECUTION_TIMEOUT_MINUTES = (0, 1_000_000)
#: Tag limits (guide L5757-5765).
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256

DEFAULT_POLL_SECONDS = 10.0

_S3_URI = re.compile(r"s3://(?P<bucket>[^/]+)(?:/(?P<key>.*))?")
_CLIENT_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*")
_SPINNER = "|/-\\"


class JobsError(Exception):
    """A problem to report in one line on stderr, with exit code 2."""


@dataclass
class Runtime:
    """What the command uses from outside itself (tests replace these)."""

    session: Callable[[str | None, str | None], Any] = field(
        default=lambda profile, region: boto3.Session(profile_name=profile, region_name=region)
    )
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    new_token: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    return run(argv, Runtime())


def run(argv: Sequence[str] | None, runtime: Runtime) -> int:
    """:func:`main` with its outside world passed in."""
    try:
        args = _parser().parse_args(argv)
        command: Callable[[argparse.Namespace, Runtime], int] = args.command
        return command(args, runtime)
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    except KeyboardInterrupt:
        print(file=runtime.stderr)
        return 130
    except PlatformConfigError as error:
        first, *others = error.problems
        message = str(first) + (f" (and {len(others)} more problems)" if others else "")
    except JobsError as error:
        message = str(error)
    except NoCredentialsError:
        message = (
            "no AWS credentials found. Fix: set AWS_PROFILE (or pass --profile), run "
            "'aws sso login', or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    except NoRegionError:
        message = "no AWS Region set. Fix: pass --region or set AWS_REGION"
    except ClientError as error:
        message = _client_error(error)
    except BotoCoreError as error:
        message = str(error)
    print(f"{PROG}: error: {' '.join(message.split())}", file=runtime.stderr)
    return EXIT_ERROR


def _client_error(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return f"{error.operation_name}: {details.get('Code', '?')}: {details.get('Message', error)}"


# --------------------------------------------------------------------------- the parser


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line like every other error."""

    def error(self, message: str) -> NoReturn:
        raise JobsError(f"{message}. Fix: see '{self.prog} --help'")


def _positive_seconds(text: str) -> float:
    seconds = float(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text}: must be more than 0")
    return seconds


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    where = common.add_argument_group("where the application is")
    where.add_argument(
        "--team", metavar="NAME", help="the team whose application to use (its name in the config)"
    )
    where.add_argument(
        "--stack",
        metavar="NAME",
        help="the team's stack name (default: from --environment, --team and --config)",
    )
    where.add_argument(
        "--environment", metavar="ENV", help="the platform environment, e.g. dev or prod"
    )
    where.add_argument(
        "--config",
        metavar="FILE",
        default=DEFAULT_CONFIG_FILE,
        help="the platform config file, to name the stack (default: %(default)s)",
    )
    where.add_argument(
        "--application-id", metavar="ID", help="use this application instead of the stack's output"
    )
    where.add_argument(
        "--region", metavar="REGION", help="AWS Region (default: the profile's or AWS_REGION)"
    )
    where.add_argument(
        "--profile", metavar="PROFILE", help="AWS profile (default: AWS_PROFILE or the default)"
    )

    parser = _Parser(
        prog=PROG, description="Submit EMR Serverless job runs to a team's application."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    submit = commands.add_parser(
        "submit", parents=[common], help="start a job run", description=_SUBMIT_HELP
    )
    submit.set_defaults(command=_submit)
    spark = submit.add_argument_group("Spark job (sparkSubmit)")
    spark.add_argument(
        "--entry-point", metavar="URI", help="s3://bucket/key of the script or JAR, or a path"
    )
    spark.add_argument(
        "--spark-submit-parameters", metavar="TEXT", help="e.g. '--conf spark.executor.cores=4'"
    )
    spark.add_argument("arguments", nargs="*", help="entry point arguments (after --)")
    hive = submit.add_argument_group("Hive job (hive)")
    hive.add_argument("--query", metavar="URI", help="s3://bucket/key of the Hive query file")
    hive.add_argument(
        "--init-query-file", metavar="URI", help="s3://bucket/key of an init query file"
    )
    hive.add_argument(
        "--hive-parameters", metavar="TEXT", help="e.g. '--hiveconf hive.exec.scratchdir=s3://...'"
    )
    run_group = submit.add_argument_group("the run")
    run_group.add_argument(
        "--name", metavar="NAME", help="job run name (default: <team>-<entry point file>)"
    )
    run_group.add_argument(
        "--mode",
        choices=("BATCH", "STREAMING"),
        default="BATCH",
        help="BATCH (default), or STREAMING for Spark streaming jobs (emr-7.1.0+)",
    )
    run_group.add_argument(
        "--max-attempts",
        type=int,
        metavar="N",
        help="batch retry policy: attempts in all, 1-10 (emr-7.1.0+)",
    )
    run_group.add_argument(
        "--max-failed-attempts-per-hour",
        type=int,
        metavar="N",
        help="streaming retry policy: failed attempts per hour before giving up, 1-10",
    )
    run_group.add_argument(
        "--execution-timeout-minutes",
        type=int,
        metavar="MINUTES",
        help="cancel the run after this long (0 = never; service default 720)",
    )
    run_group.add_argument(
        "--tag", action="append", default=[], metavar="KEY=VALUE", help="tag the run (repeat)"
    )
    run_group.add_argument(
        "--client-token",
        metavar="TOKEN",
        help="idempotency token: resubmitting with it starts no second run",
    )
    run_group.add_argument(
        "--execution-role-arn",
        metavar="ARN",
        help="use this runtime role instead of the stack's output",
    )
    run_group.add_argument(
        "--log-uri", metavar="URI", help="s3:// log destination instead of the stack's"
    )
    run_group.add_argument("--dry-run", action="store_true", help="print the request only")
    run_group.add_argument("--json", action="store_true", help="print the response as JSON")
    run_group.add_argument("--wait", action="store_true", help="then wait for the run to end")
    _add_wait_options(run_group)

    status = commands.add_parser("status", parents=[common], help="print a job run")
    status.set_defaults(command=_status)
    status.add_argument("job_run_id")
    status.add_argument("--json", action="store_true", help="print the job run as JSON")

    wait = commands.add_parser("wait", parents=[common], help="wait for a job run to end")
    wait.set_defaults(command=_wait)
    wait.add_argument("job_run_id")
    _add_wait_options(wait)
    return parser


_SUBMIT_HELP = """\
Start a job run: a Spark job (--entry-point, optional --spark-submit-parameters and
arguments after --) or a Hive job (--query, optional --init-query-file and
--hive-parameters). The application, runtime role and log destinations come from the
platform stack's outputs for --team."""


def _add_wait_options(group: Any) -> None:
    group.add_argument(
        "--poll-seconds",
        type=_positive_seconds,
        metavar="SECONDS",
        default=DEFAULT_POLL_SECONDS,
        help="seconds between checks (default: %(default)s)",
    )
    group.add_argument(
        "--timeout-minutes",
        type=float,
        metavar="MINUTES",
        help="give up waiting after this long (exit code 3)",
    )


# --------------------------------------------------------------------------- target


@dataclass(frozen=True)
class Target:
    """The application a command works on, and where its runs log."""

    application_id: str
    team: str | None = None
    outputs: TeamOutputs | None = None

    @property
    def log_uri(self) -> str | None:
        """The S3 log destination, if the stack exports one."""
        return self.outputs.log_uri if self.outputs else None


class _Aws:
    """The session and clients, made on first use (a dry run may need none)."""

    def __init__(self, args: argparse.Namespace, runtime: Runtime) -> None:
        self._args = args
        self._runtime = runtime
        self._session: Any = None

    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = self._runtime.session(self._args.profile, self._args.region)
        return self._session

    @property
    def region(self) -> str | None:
        region: str | None = self.session.region_name
        return region

    def client(self, service: str) -> Any:
        return self.session.client(service)


def _target(args: argparse.Namespace, aws: _Aws, *, need_role: bool) -> Target:
    """The application from ``--application-id`` (and ``--execution-role-arn``) or the stack."""
    explicit_role = getattr(args, "execution_role_arn", None)
    if args.application_id and (explicit_role or not need_role):
        return Target(application_id=args.application_id, team=args.team)
    if not args.team:
        raise JobsError(
            "which team? Fix: pass --team (and --stack or --environment), or --application-id"
            + (" with --execution-role-arn" if need_role else "")
        )
    stack = _stack_name(args)
    outputs = _stack_outputs(aws, stack)
    try:
        team_outputs = TeamOutputs.from_stack_outputs(args.team, outputs.values)
    except MissingOutputError as missing:
        teams = teams_in_outputs(outputs.descriptions)
        known = f" (teams in it: {', '.join(teams)})" if teams else ""
        raise JobsError(
            f"stack {stack!r} ({outputs.status}) has no output {missing} for team "
            f"{args.team!r}{known}. Fix: check --team, or deploy the team's stack"
        ) from missing
    return Target(
        application_id=args.application_id or team_outputs.application_id,
        team=args.team,
        outputs=team_outputs,
    )


def _stack_name(args: argparse.Namespace) -> str:
    if args.stack:
        return str(args.stack)
    if not args.environment:
        raise JobsError("which stack? Fix: pass --stack NAME, or --environment ENV")
    environment = load_platform_config(args.config).environment(args.environment)
    try:
        return environment.team_stack_name(args.team)
    except KeyError as unknown:
        raise JobsError(f"{unknown.args[0]} in {args.config}. Fix: check --team") from unknown


@dataclass(frozen=True)
class _Outputs:
    status: str
    values: Mapping[str, str]
    descriptions: Mapping[str, str]


def _stack_outputs(aws: _Aws, stack: str) -> _Outputs:
    cloudformation = aws.client("cloudformation")
    try:
        (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error.response.get("Error", {}).get("Message", "")):
            region = cloudformation.meta.region_name
            raise JobsError(
                f"stack {stack!r} not found in {region}. Fix: deploy it (npx cdk "
                "deploy), or check --stack, --environment and --region"
            ) from error
        raise
    outputs = described.get("Outputs", [])
    return _Outputs(
        status=described.get("StackStatus", "?"),
        values={o["OutputKey"]: o.get("OutputValue", "") for o in outputs},
        descriptions={o["OutputKey"]: o.get("Description", "") for o in outputs},
    )


# --------------------------------------------------------------------------- submit


def _submit(args: argparse.Namespace, runtime: Runtime) -> int:
    _check_submit_arguments(args)
    aws = _Aws(args, runtime)
    target = _target(args, aws, need_role=True)
    request = build_request(args, target, client_token=args.client_token or runtime.new_token())
    if args.dry_run:
        shown = {"operation": "StartJobRun", "region": aws.region, "request": request}
        print(json.dumps(shown, indent=2, sort_keys=True), file=runtime.stdout)
        return EXIT_OK
    response = aws.client("emr-serverless").start_job_run(**request)
    started = {key: response[key] for key in ("applicationId", "jobRunId", "arn")}
    if args.json:
        print(json.dumps({**started, "clientToken": request["clientToken"]}), file=runtime.stdout)
    else:
        print(
            f"started job run {started['jobRunId']} on application {started['applicationId']}"
            f"\n  arn:          {started['arn']}\n  client token: {request['clientToken']} "
            "(submit again with --client-token to retry without a second run)",
            file=runtime.stdout,
        )
    if args.wait:
        return _follow(args, runtime, aws, target, started["jobRunId"])
    return EXIT_OK


def _check_submit_arguments(args: argparse.Namespace) -> None:
    spark = args.entry_point is not None
    hive = args.query is not None
    if spark == hive:
        raise JobsError(
            "give one job driver. Fix: pass --entry-point for a Spark job or --query for a Hive job"
        )
    if hive and (args.spark_submit_parameters or args.arguments):
        raise JobsError("--spark-submit-parameters and arguments are for Spark jobs, not Hive")
    if spark and (args.init_query_file or args.hive_parameters):
        raise JobsError("--init-query-file and --hive-parameters are for Hive jobs, not Spark")
    if spark:
        check_entry_point(args.entry_point)
    else:
        check_s3_uri(args.query, what="--query", object_required=True)
        if args.init_query_file:
            check_s3_uri(args.init_query_file, what="--init-query-file", object_required=True)
    if args.log_uri:
        check_s3_uri(args.log_uri, what="--log-uri", object_required=False)
    if args.mode == "STREAMING" and hive:
        raise JobsError("streaming jobs are Spark jobs (guide L2654). Fix: drop --mode STREAMING")
    if args.max_attempts is not None and args.mode != "BATCH":
        raise JobsError(
            "--max-attempts is a batch retry policy. Fix: for streaming, pass "
            "--max-failed-attempts-per-hour"
        )
    if args.max_failed_attempts_per_hour is not None and args.mode != "STREAMING":
        raise JobsError(
            "--max-failed-attempts-per-hour is a streaming retry policy. Fix: "
            "for batch, pass --max-attempts"
        )
    for option in ("max_attempts", "max_failed_attempts_per_hour"):
        _check_range(args, option, *RETRY_ATTEMPTS, rule="emr-7.1.0+ retry policy, guide L3216")
    _check_range(
        args, "execution_timeout_minutes", *EXECUTION_TIMEOUT_MINUTES, rule="StartJobRun API"
    )
    if args.client_token is not None and not _CLIENT_TOKEN.fullmatch(args.client_token):
        raise JobsError(
            f"--client-token {args.client_token!r}: 1-64 letters, digits, '.', '_' or '-'"
        )
    parse_tags(args.tag)


def _check_range(args: argparse.Namespace, option: str, low: int, high: int, *, rule: str) -> None:
    value = getattr(args, option)
    if value is not None and not low <= value <= high:
        flag = "--" + option.replace("_", "-")
        raise JobsError(f"{flag} {value}: must be {low} to {high} ({rule})")


def check_s3_uri(uri: str, *, what: str, object_required: bool) -> tuple[str, str]:
    """``(bucket, key)`` of ``s3://bucket/key``.

    :raises JobsError: naming ``what`` if ``uri`` is not such a URI (with a key when
        ``object_required``).
    """
    match = _S3_URI.fullmatch(uri)
    shape = "s3://bucket/key" if object_required else "s3://bucket/prefix/"
    if match is None:
        hint = " (the scheme is lower-case s3://)" if uri.lower().startswith("s3") else ""
        raise JobsError(f"{what} {uri!r} is not an S3 URI{hint}. Fix: write {shape}")
    bucket, key = match["bucket"], match["key"] or ""
    if not is_bucket_name(bucket):
        raise JobsError(f"{what} {uri!r}: {bucket!r} is not a bucket name ({BUCKET_NAME_RULE})")
    if object_required and (not key or key.endswith("/")):
        raise JobsError(f"{what} {uri!r} names no object. Fix: write {shape}")
    return bucket, key


def check_entry_point(entry_point: str) -> None:
    """Refuse a Spark entry point that is neither an S3 object nor a path in the image."""
    if entry_point.startswith(("/", "local://")):
        return
    check_s3_uri(entry_point, what="--entry-point", object_required=True)


def parse_tags(pairs: Sequence[str]) -> dict[str, str]:
    """``{key: value}`` from ``KEY=VALUE`` pairs, within EMR Serverless's tag rules."""
    tags: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        problem = _tag_problem(key, value, tags) if equals else "is not KEY=VALUE"
        if problem:
            raise JobsError(f"--tag {pair!r}: {problem} (tag rules, guide L5757-5765)")
        tags[key] = value
    if len(tags) > MAX_TAGS:
        raise JobsError(f"{len(tags)} tags: a job run has at most {MAX_TAGS}")
    return tags


def _tag_problem(key: str, value: str, seen: Mapping[str, str]) -> str | None:
    if not 1 <= len(key) <= MAX_TAG_KEY:
        return f"a key has 1 to {MAX_TAG_KEY} characters"
    if len(value) > MAX_TAG_VALUE:
        return f"a value has at most {MAX_TAG_VALUE} characters"
    if key.lower().startswith("aws:"):
        return "keys starting with aws: are reserved"
    if not (_TAG_TEXT.fullmatch(key) and _TAG_TEXT.fullmatch(value)):
        return "tags hold letters, digits, spaces and _ . : / = + - @ only"
    if key in seen:
        return "the key is given twice"
    return None


def build_request(args: argparse.Namespace, target: Target, *, client_token: str) -> dict[str, Any]:
    """The ``start_job_run`` parameters for checked ``args``."""
    role = args.execution_role_arn or (target.outputs.runtime_role_arn if target.outputs else "")
    if target.outputs and target.outputs.application_type:
        wanted = "HIVE" if args.query else "SPARK"
        if target.outputs.application_type != wanted:
            raise JobsError(
                f"team {target.team!r} runs a {target.outputs.application_type} application; "
                f"this is a {wanted} job. Fix: use "
                + ("--query" if wanted == "SPARK" else "--entry-point")
            )
    request: dict[str, Any] = {
        "applicationId": target.application_id,
        "executionRoleArn": role,
        "clientToken": client_token,
        "jobDriver": _job_driver(args),
        "mode": args.mode,
        "name": args.name or _default_name(args, target),
    }
    monitoring = _monitoring(args, target)
    if monitoring:
        request["configurationOverrides"] = {"monitoringConfiguration": monitoring}
    if args.max_attempts is not None:
        request["retryPolicy"] = {"maxAttempts": args.max_attempts}
    if args.max_failed_attempts_per_hour is not None:
        request["retryPolicy"] = {"maxFailedAttemptsPerHour": args.max_failed_attempts_per_hour}
    if args.execution_timeout_minutes is not None:
        request["executionTimeoutMinutes"] = args.execution_timeout_minutes
    tags = parse_tags(args.tag)
    if tags:
        request["tags"] = tags
    return request


def _job_driver(args: argparse.Namespace) -> dict[str, Any]:
    if args.entry_point:
        spark: dict[str, Any] = {"entryPoint": args.entry_point}
        if args.arguments:
            spark["entryPointArguments"] = list(args.arguments)
        if args.spark_submit_parameters:
            spark["sparkSubmitParameters"] = args.spark_submit_parameters
        return {"sparkSubmit": spark}
    hive: dict[str, Any] = {"query": args.query}
    if args.init_query_file:
        hive["initQueryFile"] = args.init_query_file
    if args.hive_parameters:
        hive["parameters"] = args.hive_parameters
    return {"hive": hive}


def _default_name(args: argparse.Namespace, target: Target) -> str:
    script = str(args.entry_point or args.query).rstrip("/").rsplit("/", 1)[-1]
    return f"{target.team}-{script}" if target.team else script


def _monitoring(args: argparse.Namespace, target: Target) -> dict[str, Any]:
    outputs = target.outputs
    monitoring: dict[str, Any] = {}
    log_uri = args.log_uri or (outputs.log_uri if outputs else None)
    if log_uri:
        s3: dict[str, Any] = {"logUri": log_uri}
        if outputs and outputs.log_encryption_key_arn:
            s3["encryptionKeyArn"] = outputs.log_encryption_key_arn
        monitoring["s3MonitoringConfiguration"] = s3
    if outputs and outputs.log_group_name:
        monitoring["cloudWatchLoggingConfiguration"] = {
            "enabled": True,
            "logGroupName": outputs.log_group_name,
        }
    return monitoring


# --------------------------------------------------------------------------- status and wait


def _status(args: argparse.Namespace, runtime: Runtime) -> int:
    aws = _Aws(args, runtime)
    target = _target(args, aws, need_role=False)
    job_run = _get_job_run(aws, target, args.job_run_id)
    if args.json:
        print(json.dumps(job_run, indent=2, sort_keys=True, default=str), file=runtime.stdout)
    else:
        print(describe_job_run(job_run, log_uri=target.log_uri), file=runtime.stdout)
    return EXIT_OK


def _wait(args: argparse.Namespace, runtime: Runtime) -> int:
    aws = _Aws(args, runtime)
    target = _target(args, aws, need_role=False)
    return _follow(args, runtime, aws, target, args.job_run_id)


def _get_job_run(aws: _Aws, target: Target, job_run_id: str) -> dict[str, Any]:
    response = aws.client("emr-serverless").get_job_run(
        applicationId=target.application_id, jobRunId=job_run_id
    )
    job_run: dict[str, Any] = response["jobRun"]
    return job_run


def _follow(
    args: argparse.Namespace, runtime: Runtime, aws: _Aws, target: Target, job_run_id: str
) -> int:
    """Poll the run until it ends; show progress on stderr; the summary goes to stdout."""
    progress = Progress(runtime.stderr, job_run_id)
    start = runtime.clock()
    deadline = None if args.timeout_minutes is None else start + args.timeout_minutes * 60
    while True:
        job_run = _get_job_run(aws, target, job_run_id)
        now = runtime.clock()
        progress.show(job_run, elapsed=now - start)
        if job_run["state"] in TERMINAL_STATES:
            progress.done()
            print(describe_job_run(job_run, log_uri=target.log_uri), file=runtime.stdout)
            return EXIT_OK if job_run["state"] == "SUCCESS" else EXIT_JOB_FAILED
        if deadline is not None and now >= deadline:
            progress.done()
            print(
                f"gave up waiting after {_duration(now - start)}: job run {job_run_id} is "
                f"{job_run['state']} (it keeps running)",
                file=runtime.stdout,
            )
            return EXIT_TIMEOUT
        runtime.sleep(args.poll_seconds)


class Progress:
    """A run's progress: one rewritten line on a terminal, else one line per state change."""

    def __init__(self, stream: TextIO, job_run_id: str) -> None:
        self.stream = stream
        self.job_run_id = job_run_id
        self.live = stream.isatty()
        self.ticks = 0
        self.last: tuple[str, int] | None = None

    def show(self, job_run: Mapping[str, Any], *, elapsed: float) -> None:
        """Report the run's state after ``elapsed`` seconds."""
        state, attempt = str(job_run["state"]), int(job_run.get("attempt", 1))
        retry = f", attempt {attempt}" if attempt > 1 else ""
        if self.live:
            spinner = _SPINNER[self.ticks % len(_SPINNER)]
            self.ticks += 1
            line = f"{spinner} job run {self.job_run_id}: {state}{retry} ({_duration(elapsed)})"
            self.stream.write(f"\r\033[K{line}")
            self.stream.flush()
        elif (state, attempt) != self.last:
            print(
                f"[{_duration(elapsed)}] job run {self.job_run_id}: {state}{retry}",
                file=self.stream,
            )
        self.last = (state, attempt)

    def done(self) -> None:
        """End the live line."""
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


def describe_job_run(job_run: Mapping[str, Any], *, log_uri: str | None = None) -> str:
    """A job run as a few readable lines (state, times, resources used, logs)."""
    name = f" ({job_run['name']})" if job_run.get("name") else ""
    attempt = int(job_run.get("attempt") or 1)
    rows = {
        "state": f"{job_run['state']}" + (f" (attempt {attempt})" if attempt > 1 else ""),
        "details": job_run.get("stateDetails"),
        "release": f"{job_run.get('releaseLabel', '?')}, {job_run.get('mode', 'BATCH')} mode",
        "created": _timestamp(job_run.get("createdAt")),
        "started": _timestamp(job_run.get("startedAt")),
        "ended": _timestamp(job_run.get("endedAt")),
        "duration": _duration(job_run["totalExecutionDurationSeconds"])
        if job_run.get("totalExecutionDurationSeconds") is not None
        else None,
        "used": _utilization(job_run.get("totalResourceUtilization")),
        "logs": job_logs_uri(log_uri, job_run) if log_uri else None,
    }
    header = f"job run {job_run['jobRunId']}{name} on application {job_run['applicationId']}"
    return "\n".join(
        [header, *(f"  {label + ':':<10}{value}" for label, value in rows.items() if value)]
    )


def _utilization(used: Mapping[str, float] | None) -> str | None:
    if not used:
        return None
    return (
        f"{used.get('vCPUHour', 0):.3f} vCPU-hours, {used.get('memoryGBHour', 0):.3f} GB-hours "
        f"memory, {used.get('storageGBHour', 0):.3f} GB-hours storage"
    )


def job_logs_uri(log_uri: str, job_run: Mapping[str, Any]) -> str:
    """Where a run's logs are under ``log_uri`` (per attempt when it has a retry policy)."""
    path = (
        f"{log_uri.rstrip('/')}/applications/{job_run['applicationId']}/jobs/{job_run['jobRunId']}/"
    )
    retried = job_run.get("retryPolicy") or job_run.get("mode") == "STREAMING"
    return f"{path}attempts/{job_run.get('attempt', 1)}/" if retried else path


def _timestamp(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)


def _duration(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


if __name__ == "__main__":
    sys.exit(main())
