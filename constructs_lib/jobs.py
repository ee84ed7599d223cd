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

from constructs_lib.cli import finite_number
from constructs_lib.config_reader import did_you_mean
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_outputs import job_request_output_key, release_output_key
from constructs_lib.job_runs import (
    HiveQuery,
    JobDriver,
    JobMode,
    JobMonitoring,
    JobRunSpec,
    RetryPolicy,
    SparkSubmit,
    check_job_run_tags,
    parse_start_job_run_request,
    start_job_run_request,
)
from constructs_lib.platform_config import (
    BUCKET_NAME_RULE,
    DEFAULT_CONFIG_FILE,
    PlatformConfigError,
    TeamConfig,
    is_bucket_name,
    load_platform_config,
)
from constructs_lib.releases import ReleaseLabel
from constructs_lib.stack_outputs import MissingOutputError, TeamOutputs, teams_in_outputs
from constructs_lib.workers import EngineType

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
#: ``executionTimeoutMinutes`` bounds of the API model (0 = no timeout, default 720). Batch
#: runs on emr-7.11.0 and later take 1-10,080 only: see ``job_runs.timeout_limit``.
EXECUTION_TIMEOUT_MINUTES = (0, 1_000_000)
#: ``--poll-seconds``: more than 0, at most an hour between checks.
POLL_SECONDS = (0.0, 3600.0)
#: ``--timeout-minutes``: 0 (check once) to a run's longest timeout plus the longest
#: queue time (1,000,000 + 720 minutes, StartJobRun and the scheduler's queue timeout).
WAIT_TIMEOUT_MINUTES = (0.0, 1_000_720.0)

DEFAULT_POLL_SECONDS = 10.0

_S3_URI = re.compile(r"s3://(?P<bucket>[^/]+)(?:/(?P<key>.*))?")
_CLIENT_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
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


_poll_seconds = finite_number(*POLL_SECONDS, above_minimum=True)
_wait_minutes = finite_number(*WAIT_TIMEOUT_MINUTES)


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
    declared = submit.add_argument_group("a job declared in the platform config")
    declared.add_argument(
        "--job",
        metavar="NAME",
        help="run the team's declared job NAME with the request its stack rendered "
        "(the same its workflow and schedule send)",
    )
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
        help="cancel the run after this long (service default 720; batch runs on "
        "emr-7.11.0+: 1-10,080, before: 0 = never)",
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
--hive-parameters), or a job declared in the platform config (--job). The application,
runtime role and log destinations come from the platform stack's outputs for --team."""


def _add_wait_options(group: Any) -> None:
    group.add_argument(
        "--poll-seconds",
        type=_poll_seconds,
        metavar="SECONDS",
        default=DEFAULT_POLL_SECONDS,
        help="seconds between checks (default: %(default)s)",
    )
    group.add_argument(
        "--timeout-minutes",
        type=_wait_minutes,
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
    #: The application's release, from the platform config or the stack (unknown: ``None``).
    release: ReleaseLabel | None = None
    #: Every output of the team's stack (declared jobs' requests among them).
    stack_outputs: Mapping[str, str] = field(default_factory=dict)
    stack: str | None = None

    @property
    def log_uri(self) -> str | None:
        """The S3 log destination, if the stack exports one."""
        return self.outputs.log_uri if self.outputs else None

    @property
    def engine(self) -> EngineType | None:
        """The application's type, if the stack exports it."""
        kind = self.outputs.application_type if self.outputs else None
        return EngineType(kind) if kind in {e.value for e in EngineType} else None


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
    declared = getattr(args, "job", None)
    if args.application_id and (explicit_role or not need_role) and not declared:
        return Target(application_id=args.application_id, team=args.team)
    if not args.team:
        raise JobsError(
            "which team? Fix: pass --team (and --stack or --environment), or --application-id"
            + (" with --execution-role-arn" if need_role else "")
        )
    stack, team_config = _stack_name(args)
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
        release=_release(team_config, outputs.values.get(release_output_key(args.team))),
        stack_outputs=outputs.values,
        stack=stack,
    )


def _release(team: TeamConfig | None, exported: str | None) -> ReleaseLabel | None:
    """The application's release: the platform config's, else the stack's output, else unknown."""
    label = team.application.release_label if team is not None else exported
    if not label:
        return None
    try:
        return ReleaseLabel.of(label)
    except EmrServerlessValidationError:
        return None  # a release this version of the command cannot read: the API's limits apply


def _stack_name(args: argparse.Namespace) -> tuple[str, TeamConfig | None]:
    """The team's stack name and, when read from the config, the team's settings."""
    if args.stack:
        return str(args.stack), None
    if not args.environment:
        raise JobsError("which stack? Fix: pass --stack NAME, or --environment ENV")
    environment = load_platform_config(args.config).environment(args.environment)
    try:
        return environment.team_stack_name(args.team), environment.team(args.team)
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
    token = args.client_token or runtime.new_token()
    if args.job:
        request = declared_request(args.job, target, client_token=token)
    else:
        request = build_request(args, target, client_token=token)
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


#: Options that shape the request, which a declared job (``--job``) takes from its stack.
_REQUEST_OPTIONS = (
    "entry_point",
    "query",
    "init_query_file",
    "hive_parameters",
    "spark_submit_parameters",
    "arguments",
    "name",
    "max_attempts",
    "max_failed_attempts_per_hour",
    "execution_timeout_minutes",
    "tag",
    "execution_role_arn",
    "log_uri",
    "application_id",
)


def _check_declared_arguments(args: argparse.Namespace) -> None:
    """``--job`` takes no option that shapes the request."""
    given = [o for o in _REQUEST_OPTIONS if getattr(args, o) not in (None, [], ())]
    if args.mode != "BATCH":
        given.append("mode")
    if given:
        flag = "--" + given[0].replace("_", "-") if given[0] != "arguments" else "arguments"
        raise JobsError(
            f"{flag} with --job: a declared job sends the request its stack rendered. "
            "Fix: drop it, or change the job in the platform config and deploy"
        )


def _check_submit_arguments(args: argparse.Namespace) -> None:
    if args.client_token is not None and not _CLIENT_TOKEN.fullmatch(args.client_token):
        raise JobsError(
            f"--client-token {args.client_token!r}: 1-64 letters, digits, '.', '_' or '-'"
        )
    if args.job is not None:
        _check_declared_arguments(args)
        return
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
    _check_run_arguments(args)
    try:  # before any AWS call; the request's check (the same rules) repeats it
        check_job_run_tags(parse_tags(args.tag))
    except EmrServerlessValidationError as error:
        raise _jobs_error(error) from error


def _check_run_arguments(args: argparse.Namespace) -> None:
    """Retry policy and timeout options: the mode they belong to and the API's ranges."""
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
    """``{key: value}`` from ``KEY=VALUE`` pairs, each key once.

    Only the form is checked here: the tag rules (characters, lengths, the ``aws:`` prefix,
    at most 50) are ``job_runs.check_job_run_tags``'s, which uses the shared
    ``application_rules.tag_problem``.
    """
    tags: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals:
            raise JobsError(f"--tag {pair!r} is not KEY=VALUE. Fix: write --tag KEY=VALUE")
        if key in tags:
            raise JobsError(
                f"--tag {pair!r}: the key {key!r} is given twice. Fix: give each key once"
            )
        tags[key] = value
    return tags


def build_request(args: argparse.Namespace, target: Target, *, client_token: str) -> dict[str, Any]:
    """The ``start_job_run`` parameters for checked ``args``, rendered by ``job_runs``."""
    role = args.execution_role_arn or (target.outputs.runtime_role_arn if target.outputs else "")
    if target.outputs and target.outputs.application_type:
        wanted = "HIVE" if args.query else "SPARK"
        if target.outputs.application_type != wanted:
            raise JobsError(
                f"team {target.team!r} runs a {target.outputs.application_type} application; "
                f"this is a {wanted} job. Fix: use "
                + ("--query" if wanted == "SPARK" else "--entry-point")
            )
    retry = None
    if args.max_attempts is not None or args.max_failed_attempts_per_hour is not None:
        retry = RetryPolicy(
            max_attempts=args.max_attempts,
            max_failed_attempts_per_hour=args.max_failed_attempts_per_hour,
        )
    spec = JobRunSpec(
        application_id=target.application_id,
        execution_role_arn=role,
        driver=_job_driver(args),
        name=args.name or _default_name(args, target),
        mode=JobMode(args.mode),
        retry_policy=retry,
        execution_timeout_minutes=args.execution_timeout_minutes,
        tags=parse_tags(args.tag),
        monitoring=_monitoring(args, target),
    )
    return _rendered(spec, target, client_token=client_token)


def declared_request(job: str, target: Target, *, client_token: str) -> dict[str, Any]:
    """The request the team's stack rendered for its declared ``job``, with ``client_token``."""
    key = job_request_output_key(target.team or "", job)
    document = target.stack_outputs.get(key)
    if document is None:
        declared = sorted(
            k for k in target.stack_outputs if k.startswith(key.split("Job", 1)[0] + "Job")
        )
        names = [k.removesuffix("Request") for k in declared if k.endswith("Request")]
        raise JobsError(
            f"stack {target.stack!r} has no output {key} for job {job!r} of team "
            f"{target.team!r}{did_you_mean(key.removesuffix('Request'), names)}. Fix: declare "
            "the job under the team's jobs: in the platform config and deploy the stack"
        )
    try:
        parsed = json.loads(document)
        spec = parse_start_job_run_request(parsed)
    except (ValueError, EmrServerlessValidationError) as error:
        raise JobsError(
            f"output {key} of stack {target.stack!r} is not a job request: {error}"
        ) from error
    return _rendered(spec, target, client_token=client_token)


#: The option behind each argument of a job run, for messages.
_FLAGS = {
    "entry_point": "--entry-point",
    "arguments": "arguments",
    "submit_parameters": "--spark-submit-parameters",
    "query": "--query",
    "init_query_file": "--init-query-file",
    "parameters": "--hive-parameters",
    "name": "--name",
    "mode": "--mode",
    "retry_policy.max_attempts": "--max-attempts",
    "retry_policy.max_failed_attempts_per_hour": "--max-failed-attempts-per-hour",
    "execution_timeout_minutes": "--execution-timeout-minutes",
    "execution_role_arn": "--execution-role-arn",
    "application_id": "--application-id",
    "client_token": "--client-token",
    "monitoring.log_uri": "--log-uri",
}


def _rendered(spec: JobRunSpec, target: Target, *, client_token: str) -> dict[str, Any]:
    try:
        return start_job_run_request(
            spec, client_token=client_token, release=target.release, engine=target.engine
        )
    except EmrServerlessValidationError as error:
        raise _jobs_error(error) from error


def _jobs_error(error: EmrServerlessValidationError) -> JobsError:
    """``error`` in the command's words: the option for the argument (``--tag['k']``)."""
    where = _FLAGS.get(error.argument) or error.argument
    if error.argument.startswith("tags"):
        where = "--tag" + error.argument.removeprefix("tags")
    return JobsError(f"{where} {error.value!r}: {error.rule}. Fix: {error.fix}")


def _job_driver(args: argparse.Namespace) -> JobDriver:
    if args.entry_point:
        return SparkSubmit(
            entry_point=args.entry_point,
            arguments=tuple(args.arguments),
            submit_parameters=args.spark_submit_parameters or None,
        )
    return HiveQuery(
        query=args.query,
        init_query_file=args.init_query_file or None,
        parameters=args.hive_parameters or None,
    )


def _default_name(args: argparse.Namespace, target: Target) -> str:
    script = str(args.entry_point or args.query).rstrip("/").rsplit("/", 1)[-1]
    return f"{target.team}-{script}" if target.team else script


def _monitoring(args: argparse.Namespace, target: Target) -> JobMonitoring | None:
    outputs = target.outputs
    log_uri = args.log_uri or (outputs.log_uri if outputs else None)
    log_group = outputs.log_group_name if outputs else None
    if not log_uri and not log_group:
        return None
    return JobMonitoring(
        log_uri=log_uri or None,
        log_encryption_key_arn=outputs.log_encryption_key_arn if outputs and log_uri else None,
        log_group_name=log_group,
    )


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
