"""The lifecycle custom resources of EMR Serverless applications (one Lambda handler module).

Two custom resources surround each ``AWS::EMRServerless::Application``, both served by
this module through aws-cdk-lib's provider framework (``on_event`` starts a request,
``is_complete`` is polled until it is done):

- ``BeforeUpdate`` (the application depends on it): when CloudFormation is about to
  change a property that EMR Serverless refuses to change on a STARTED application
  (:func:`constructs_lib.application_updates.classify_update` on the old and new
  properties), it stops the application first. Its physical id records whether it stopped
  a running application (``<logical id>:stopped:<request>``), so that a rollback, which
  reaches it after the application has been rolled back, starts the application again.
- ``AfterUpdate`` (it depends on the application): applies the API-only settings, then
  starts the application again when ``BeforeUpdate`` stopped it, or when it keeps
  pre-initialized capacity with auto-start. On deletion it stops the application so that
  CloudFormation can delete it; during a rollback it stops the application before
  CloudFormation rolls it back, when the rollback needs that.

Stopping needs no active job runs: they are waited for up to the policy's timeout (then
the request fails naming them), or cancelled when the policy says so.

Standard library and boto3 only. The Lambda function loads the update table module
(``application_updates.py``) beside this one, and botocore's EMR Serverless model from
``AWS_DATA_PATH`` (the model the library was built with, for fields newer than the
runtime's boto3).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

try:  # in the library (tests and synthesis)
    from constructs_lib.application_updates import classify_update
except ImportError:  # in the Lambda function: the table module is copied beside this one
    from application_updates import classify_update  # type: ignore[import-not-found,no-redef]

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

BEFORE = "BeforeUpdate"
AFTER = "AfterUpdate"
STOPPED_MARKER = "stopped"
KEPT_MARKER = "kept"

#: Job run states that keep an application from stopping (StopApplication).
ACTIVE_JOB_STATES = ("SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "QUEUED", "CANCELLING")
#: Application states in which UpdateApplication and DeleteApplication are accepted.
AT_REST = ("CREATED", "STOPPED")
RUNNING = ("STARTING", "STARTED")
#: Error codes worth another try: throttling and transient service errors.
RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "InternalServerException",
        "ServiceUnavailable",
    }
)
MAX_ATTEMPTS = 5
#: IAM changes take a little while to reach every endpoint: access denied this soon after
#: the request started is retried by the next poll.
IAM_PROPAGATION_SECONDS = 120
#: How long after the running-jobs bound the API-only settings may take to show in
#: GetApplication before the step fails (instead of sending them again until the
#: provider's hour is up, with the application stopped all that time).
SETTINGS_SECONDS = 600
#: botocore retries throttling itself too (standard mode).
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})

#: Replaced in tests so that back-off does not wait.
sleep: Callable[[float], None] = time.sleep
clock: Callable[[], float] = time.time


class LifecycleError(RuntimeError):
    """A request that cannot complete; its message reaches CloudFormation."""


@dataclass(frozen=True)
class Clients:
    """The two service clients the handler uses."""

    emr: Any
    cloudformation: Any


def make_clients() -> Clients:
    """Clients for the function's Region (replaced in tests)."""
    return Clients(
        emr=boto3.client("emr-serverless", config=CLIENT_CONFIG),
        cloudformation=boto3.client("cloudformation", config=CLIENT_CONFIG),
    )


# --- entry points -----------------------------------------------------------------------


def on_event(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Decide what the request needs; ``is_complete`` carries it out."""
    clients = make_clients()
    properties = event.get("ResourceProperties") or {}
    status = _stack_status(clients, event["StackId"])
    LOGGER.info(
        "%s %s for %s while the stack is %s",
        event["RequestType"],
        properties.get("Step"),
        properties.get("ApplicationLogicalId"),
        status,
    )
    if properties.get("Step") == BEFORE:
        physical_id, plan = _before(event, status, clients)
    elif properties.get("Step") == AFTER:
        physical_id, plan = _after(event, status, clients)
    else:
        raise LifecycleError(f"unknown lifecycle step {properties.get('Step')!r}")
    minutes = float(properties.get("RunningJobsTimeoutMinutes", 5))
    plan.update(
        since=clock(),
        deadline=clock() + minutes * 60,
        runningJobs=str(properties.get("RunningJobs", "WAIT")).upper(),
        minutes=minutes,
    )
    LOGGER.info("plan: %s", plan)
    return {"PhysicalResourceId": physical_id, "Data": {"Plan": json.dumps(plan)}}


def is_complete(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Take the next step of the plan; complete when nothing is left."""
    plan = json.loads(event["Data"]["Plan"])
    clients = make_clients()
    try:
        done = _drive(event, plan, clients)
    except ClientError as error:
        if _code(error) == "AccessDeniedException" and clock() - plan["since"] < (
            IAM_PROPAGATION_SECONDS
        ):
            LOGGER.info("access denied right after a policy change; trying again: %s", error)
            return {"IsComplete": False}
        raise
    return {"IsComplete": done}


# --- planning ---------------------------------------------------------------------------


def _plan(app: str | None, **steps: Any) -> dict[str, Any]:
    return {
        "app": app,
        "stopAlso": steps.get("stop_also", []),
        "stop": steps.get("stop", False),
        "settings": steps.get("settings", False),
        "start": steps.get("start", False),
    }


def _before(event: Mapping[str, Any], status: str, clients: Clients) -> tuple[str, dict[str, Any]]:
    properties = event["ResourceProperties"]
    logical_id = properties["ApplicationLogicalId"]
    request = event["RequestType"]
    rollback = "ROLLBACK" in status
    if request == "Delete" or (request == "Update" and rollback):
        # Reached after the application was rolled back: start it again if this step
        # stopped it. Any other deletion leaves the application to the AfterUpdate step.
        restore = rollback and marker(event.get("PhysicalResourceId")) == STOPPED_MARKER
        app = _find_application(clients, event["StackId"], logical_id) if restore else None
        return event["PhysicalResourceId"], _plan(app, start=app is not None)
    app = _find_application(clients, event["StackId"], logical_id)
    if request == "Create":
        # The lifecycle is new; an application that already exists may change with it.
        needs_stop = app is not None
    else:
        update = classify_update(
            desired(event.get("OldResourceProperties") or {}), desired(properties)
        )
        LOGGER.info("changes: %s", [(c.name, c.effect.value) for c in update.changes])
        # A replaced application is stopped too, while this role may still act on it, so
        # that CloudFormation can delete it after creating the new one.
        needs_stop = update.stops
    state = _state(clients, app) if needs_stop and app else None
    stopped = STOPPED_MARKER if state in RUNNING else KEPT_MARKER
    physical_id = f"{logical_id}:{stopped}:{event['RequestId']}"
    return physical_id, _plan(app if needs_stop else None, stop=needs_stop)


def _after(event: Mapping[str, Any], status: str, clients: Clients) -> tuple[str, dict[str, Any]]:
    properties = event["ResourceProperties"]
    logical_id = properties["ApplicationLogicalId"]
    app = properties["ApplicationId"]
    request = event["RequestType"]
    physical_id = event.get("PhysicalResourceId") or f"{logical_id}:state"
    if request == "Delete":
        # Stop the application only when CloudFormation is about to delete it (not when
        # only the lifecycle is removed).
        # A failed creation (ROLLBACK_IN_PROGRESS) deletes every resource it created.
        leaving = (
            status.startswith("DELETE")
            or status == "ROLLBACK_IN_PROGRESS"
            or logical_id not in _template_resources(clients, event["StackId"])
        )
        return physical_id, _plan(app, stop=leaving)
    previous = event.get("OldResourceProperties") or {}
    if request == "Update" and "ROLLBACK" in status:
        # Before CloudFormation rolls the application back: stop it if the rollback needs
        # that (BeforeUpdate starts it again afterwards), and stop an application created
        # by the failed update, which CloudFormation is about to delete.
        created = previous.get("ApplicationId")
        stop_also = [created] if created and created != app else []
        update = classify_update(desired(previous), desired(properties))
        return physical_id, _plan(app, stop_also=stop_also, stop=update.stops, settings=True)
    document = _get_application(clients, app)
    if document is None:
        raise LifecycleError(f"application {app} does not exist")
    state = document["state"]
    drift = _changes(clients, document, settings_to_apply(properties, previous))
    warm = _warm(properties.get("Application") or {})
    start = (
        marker(properties.get("Marker")) == STOPPED_MARKER
        or (bool(drift) and state in RUNNING)
        or (warm and state not in RUNNING)
    )
    return physical_id, _plan(app, settings=True, start=start)


def marker(physical_id: Any) -> str | None:
    """What ``BeforeUpdate`` did, read from its physical id ``<logical>:<marker>:<request>``."""
    if not isinstance(physical_id, str) or physical_id.count(":") < 2:
        return None
    return physical_id.split(":")[1]


def desired(properties: Mapping[str, Any]) -> dict[str, Any]:
    """The application's properties and API-only settings, as the update table names them."""
    result = dict(properties.get("Application") or {})
    for name, setting in (properties.get("ApiOnlySettings") or {}).items():
        result[name] = setting.get("Value")
    return result


def settings_to_apply(
    properties: Mapping[str, Any], previous: Mapping[str, Any]
) -> list[tuple[list[str], Any]]:
    """``(path, value)`` per API-only setting: the wanted ones, and removed ones cleared."""
    wanted = properties.get("ApiOnlySettings") or {}
    removed = {
        name: setting
        for name, setting in (previous.get("ApiOnlySettings") or {}).items()
        if name not in wanted
    }
    return [(list(s["Path"]), s["Value"]) for s in wanted.values()] + [
        (list(s["Path"]), s["Clear"]) for s in removed.values()
    ]


def _warm(application: Mapping[str, Any]) -> bool:
    """Pre-initialized capacity with auto-start on (the service's default is on)."""
    auto_start = (application.get("AutoStartConfiguration") or {}).get("Enabled", True)
    return bool(application.get("InitialCapacity")) and str(auto_start).lower() == "true"


# --- carrying out -----------------------------------------------------------------------


def _drive(event: Mapping[str, Any], plan: dict[str, Any], clients: Clients) -> bool:
    for other in plan["stopAlso"]:
        if not _ensure_stopped(clients, other, plan):
            return False
    app = plan["app"]
    if not app:
        return True
    if plan["stop"] and not _ensure_stopped(clients, app, plan):
        return False
    if plan["settings"]:
        properties = event["ResourceProperties"]
        previous = event.get("OldResourceProperties") or {}
        document = _get_application(clients, app)
        if document is None:
            raise LifecycleError(f"application {app} does not exist")
        changes = _changes(clients, document, settings_to_apply(properties, previous))
        if changes:
            if document["state"] not in AT_REST:
                _ensure_stopped(clients, app, plan)
                return False
            if clock() > plan["deadline"] + SETTINGS_SECONDS:
                names = sorted({".".join(path) for path, _ in changes})
                raise LifecycleError(
                    f"application {app} does not show the API-only settings "
                    f"{', '.join(names)} {SETTINGS_SECONDS // 60} minutes after they were "
                    "sent with UpdateApplication; see the handler's log for the request"
                )
            _update(clients, app, document, changes, restart=plan["start"])
            return False
    return not plan["start"] or _ensure_started(clients, app)


def _ensure_stopped(clients: Clients, app: str, plan: Mapping[str, Any]) -> bool:
    """One step towards a stopped application; ``True`` once it is at rest (or gone)."""
    document = _get_application(clients, app)
    if document is None:
        return True
    state = document["state"]
    if state in (*AT_REST, "TERMINATED"):
        return True
    if state != "STARTED":  # CREATING, STARTING, STOPPING: wait
        return False
    jobs = _active_jobs(clients, app)
    late = clock() > plan["deadline"]
    if jobs:
        if plan["runningJobs"] == "CANCEL":
            for job_id, job_state in jobs:
                if job_state != "CANCELLING":
                    _call(clients.emr.cancel_job_run, applicationId=app, jobRunId=job_id)
        if late:
            raise LifecycleError(_jobs_message(app, jobs, plan))
        return False
    try:
        _call(clients.emr.stop_application, applicationId=app)
    except ClientError as error:
        if _code(error) != "ValidationException":
            raise
        if late:
            raise LifecycleError(
                f"EMR Serverless refused to stop application {app}: {_message(error)}"
            ) from error
        LOGGER.info("stop refused, trying again: %s", error)
    return False


def _ensure_started(clients: Clients, app: str) -> bool:
    """One step towards a started application; ``True`` once it is STARTED."""
    document = _get_application(clients, app)
    if document is None:
        raise LifecycleError(f"application {app} does not exist, so it cannot be started")
    state = document["state"]
    if state == "STARTED":
        return True
    if state == "TERMINATED":
        raise LifecycleError(f"application {app} is TERMINATED, so it cannot be started")
    if state in AT_REST:
        try:
            _call(clients.emr.start_application, applicationId=app)
        except ClientError as error:
            raise LifecycleError(
                f"EMR Serverless did not start application {app}: {_message(error)}"
            ) from error
    return False


def _jobs_message(app: str, jobs: list[tuple[str, str]], plan: Mapping[str, Any]) -> str:
    ids = ", ".join(f"{job_id} ({state})" for job_id, state in jobs)
    minutes = plan.get("minutes", "?")
    if plan["runningJobs"] == "CANCEL":
        return (
            f"Application {app} cannot be stopped: job runs cancelled {minutes:g} minutes ago "
            f"have not finished cancelling: {ids}. Deploy again once they have."
        )
    return (
        f"Application {app} cannot be stopped for this change: job runs still active after "
        f"{minutes:g} minutes: {ids}. Let them finish (or cancel them) and deploy again, or set "
        "LifecyclePolicy(running_jobs=RunningJobs.CANCEL, ...) to cancel them."
    )


def _active_jobs(clients: Clients, app: str) -> list[tuple[str, str]]:
    jobs: list[tuple[str, str]] = []
    token: str | None = None
    while True:
        arguments: dict[str, Any] = {"applicationId": app, "states": list(ACTIVE_JOB_STATES)}
        if token:
            arguments["nextToken"] = token
        page = _call(clients.emr.list_job_runs, **arguments)
        jobs += [(run["id"], run["state"]) for run in page.get("jobRuns", [])]
        token = page.get("nextToken")
        if not token:
            return jobs


# --- API-only settings --------------------------------------------------------------------

_IMAGE = "imageConfiguration"
_WORKERS = "workerTypeSpecifications"


def _changes(
    clients: Clients, document: Mapping[str, Any], settings: list[tuple[list[str], Any]]
) -> list[tuple[list[str], Any]]:
    """The settings whose current value differs, with their values typed for the API."""
    changes = []
    for path, value in settings:
        typed = _typed(_shape(clients, path), value)
        if any(not _matches(current, typed) for current in _current(document, path)):
            changes.append((path, typed))
    return changes


def _current(document: Mapping[str, Any], path: list[str]) -> list[Any]:
    """The value(s) at ``path``; an image setting is read from every worker type's image."""
    if path[0] == _IMAGE and _IMAGE not in document and document.get(_WORKERS):
        images = [spec.get(_IMAGE) or {} for spec in document[_WORKERS].values()]
        return [image.get(path[1]) for image in images]
    node: Any = document
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return [node]


def _matches(current: Any, wanted: Any) -> bool:
    if current is None:
        return _unset(wanted)
    if isinstance(wanted, Mapping) and isinstance(current, Mapping):
        keys = set(wanted) | set(current)
        return all(_matches(current.get(k), wanted.get(k)) for k in keys)
    return bool(current == wanted)


def _unset(value: Any) -> bool:
    """A value the service reports as absent: empty, false, or made only of those."""
    if isinstance(value, Mapping):
        return all(_unset(v) for v in value.values())
    return value in (None, False, "")


def _update(
    clients: Clients,
    app: str,
    document: Mapping[str, Any],
    changes: list[tuple[list[str], Any]],
    *,
    restart: bool,
) -> None:
    request: dict[str, Any] = {"applicationId": app}
    members = _update_input(clients).members
    for path, value in changes:
        top = path[0]
        if len(path) == 1:
            request[top] = value
        elif top == _IMAGE and _IMAGE not in document and document.get(_WORKERS):
            workers = request.setdefault(
                _WORKERS,
                {
                    worker: {_IMAGE: _input(spec.get(_IMAGE) or {}, members[top])}
                    for worker, spec in document[_WORKERS].items()
                },
            )
            for spec in workers.values():
                spec[_IMAGE][path[1]] = value
        else:
            request.setdefault(top, _input(document.get(top) or {}, members[top]))[path[1]] = value
    LOGGER.info("UpdateApplication %s", request)
    try:
        _call(clients.emr.update_application, **request)
    except ClientError as error:
        if restart:  # leave the application as usable as it was
            try:
                _call(clients.emr.start_application, applicationId=app)
            except ClientError:
                LOGGER.exception("could not start application %s again", app)
        raise LifecycleError(
            f"EMR Serverless refused the API-only settings of application {app}: {_message(error)}"
        ) from error


def _input(current: Mapping[str, Any], shape: Any) -> dict[str, Any]:
    """``current`` (GetApplication's form) with only what UpdateApplication takes."""
    return {k: v for k, v in current.items() if k in shape.members}


def _update_input(clients: Clients) -> Any:
    return clients.emr.meta.service_model.operation_model("UpdateApplication").input_shape


def _shape(clients: Clients, path: list[str]) -> Any:
    shape = _update_input(clients)
    for key in path:
        shape = shape.members[key]
    return shape


def _typed(shape: Any, value: Any) -> Any:
    """``value`` as ``shape`` takes it (CloudFormation passes numbers and booleans as text)."""
    kind = shape.type_name
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind in ("integer", "long"):
        return int(value)
    if kind == "structure" and isinstance(value, Mapping):
        return {k: _typed(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if kind == "map" and isinstance(value, Mapping):
        return {k: _typed(shape.value, v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_typed(shape.member, v) for v in value]
    return value


# --- AWS calls --------------------------------------------------------------------------


def _call(operation: Callable[..., Any], **arguments: Any) -> Any:
    """``operation(**arguments)``, tried again after throttling or a transient error."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return operation(**arguments)
        except ClientError as error:
            if _code(error) not in RETRYABLE or attempt == MAX_ATTEMPTS:
                raise
            LOGGER.info("%s, attempt %d: %s", _code(error), attempt, error)
            sleep(min(2**attempt, 20))
    raise AssertionError("unreachable")  # pragma: no cover


def _get_application(clients: Clients, app: str) -> dict[str, Any] | None:
    try:
        return dict(_call(clients.emr.get_application, applicationId=app)["application"])
    except ClientError as error:
        if _code(error) == "ResourceNotFoundException":
            return None
        raise


def _state(clients: Clients, app: str) -> str | None:
    document = _get_application(clients, app)
    return None if document is None else str(document["state"])


def _stack_status(clients: Clients, stack_id: str) -> str:
    stacks = _call(clients.cloudformation.describe_stacks, StackName=stack_id)["Stacks"]
    return str(stacks[0]["StackStatus"])


def _find_application(clients: Clients, stack_id: str, logical_id: str) -> str | None:
    """The application's id, from its stack resource; ``None`` before it is created."""
    try:
        detail = _call(
            clients.cloudformation.describe_stack_resource,
            StackName=stack_id,
            LogicalResourceId=logical_id,
        )["StackResourceDetail"]
    except ClientError as error:
        if _code(error) == "ValidationError":  # no such resource (yet)
            return None
        raise
    physical_id = detail.get("PhysicalResourceId")
    if not physical_id or str(detail.get("ResourceStatus", "")).startswith("DELETE_COMPLETE"):
        return None
    return str(physical_id)


def _template_resources(clients: Clients, stack_id: str) -> set[str]:
    """Logical ids of the stack's current template."""
    body = _call(
        clients.cloudformation.get_template, StackName=stack_id, TemplateStage="Processed"
    )["TemplateBody"]
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:  # YAML: a logical id appears as a key in the text
            return {line.strip().rstrip(":") for line in body.splitlines() if line.endswith(":")}
    return set((body or {}).get("Resources", {}))


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", error))
