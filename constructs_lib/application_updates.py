"""What a change to an EMR Serverless application's properties does to a running application.

EMR Serverless updates an application only while it is CREATED or STOPPED ("An application
has to be in a stopped or created state in order to be updated", UpdateApplication), except
for the settings it changes live on a STARTED application. :data:`UPDATE_RULES` says which
is which: one row per CloudFormation property of ``AWS::EMRServerless::Application`` and
one per setting that only the API has (applied by the lifecycle handler), each with its
reason and source. :func:`classify_update` applies it to a before/after pair of property
maps (as in two synthesized templates, or the old and new properties CloudFormation sends
the lifecycle handler). The lifecycle handler and ``make review`` both read this table.

Pure module: imports nothing but the standard library (the lifecycle Lambda function
loads it beside its handler).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

USER_GUIDE = "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/"
UPDATE_APPLICATION = (
    "https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_UpdateApplication.html"
)
CLOUDFORMATION_APPLICATION = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-emrserverless-application.html"
)
UPDATING_RUNNING_APPLICATIONS = f"{USER_GUIDE}updating-running-applications.html"
#: CloudFormation's handler calls UpdateApplication for a tag-only change too.
TAGS_NEED_STOP_ISSUE = (
    "https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/2370"
)

#: The first release whose custom images are resolved at each job submission by default
#: (``applicationLevelDigestResolution`` false); before it, at application start
#: (updating-running-applications.html#image-digest-resolution). A tuple, not a
#: ``ReleaseLabel``: the lifecycle Lambda function loads this module without the library.
WORKLOAD_DIGEST_RESOLUTION_SINCE = (7, 14, 0)

#: Names of the settings only the API has, as they appear in the property maps
#: :func:`classify_update` compares (the lifecycle custom resources carry them).
DISK_ENCRYPTION = "DiskEncryptionConfiguration"
JOB_LEVEL_COST_ALLOCATION = "JobLevelCostAllocationConfiguration"
DIGEST_RESOLUTION = "ImageConfiguration.ApplicationLevelDigestResolution"
USER_BACKGROUND_SESSIONS = "IdentityCenterConfiguration.UserBackgroundSessionsEnabled"


class UpdateEffect(Enum):
    """What changing a property does to a STARTED application."""

    #: Changed while the application runs (no stop).
    LIVE = "live"
    #: EMR Serverless refuses the change unless the application is stopped first.
    STOPS = "stops"
    #: CloudFormation replaces the application (a create-only property).
    REPLACES = "replaces"


@dataclass(frozen=True)
class LiveCondition:
    """When a change of a stopping property is made live instead.

    Every part given must hold: ``without`` names properties that must be absent (or
    empty) before and after; ``only_keys`` names the keys of the property whose change is
    live (any other key changing stops); ``workload_digest_resolution`` requires custom
    images to be resolved at each job submission (emr-7.14.0+ by default, or
    ``applicationLevelDigestResolution`` false), since otherwise a new image takes effect
    only at the next start.
    """

    reason: str
    source: str
    without: tuple[str, ...] = ()
    only_keys: tuple[str, ...] = ()
    workload_digest_resolution: bool = False


@dataclass(frozen=True)
class UpdateRule:
    """One property (or API-only setting) and what changing it does."""

    name: str
    effect: UpdateEffect
    reason: str
    source: str
    #: The change is live when this holds (rows whose effect is STOPS).
    live_when: LiveCondition | None = None
    #: Set by the lifecycle handler through UpdateApplication: CloudFormation lacks it.
    api_only: bool = False


_STOPPED_OR_CREATED = (
    "UpdateApplication refuses it unless the application is STOPPED or CREATED, and it is "
    "not among the settings changed on a running application"
)
_IMAGE_LIVE = LiveCondition(
    reason="a custom image changes on a STARTED application when it has no pre-initialized "
    "capacity and images are resolved at each job submission (default from emr-7.14.0)",
    source=f"{UPDATING_RUNNING_APPLICATIONS}#updating-custom-image",
    without=("InitialCapacity",),
    workload_digest_resolution=True,
)

#: One row per writable property of ``AWS::EMRServerless::Application`` (cfn-lint's schema
#: of the resource) and per API-only setting, in name order within each group.
UPDATE_RULES: tuple[UpdateRule, ...] = (
    UpdateRule(
        "Architecture",
        UpdateEffect.STOPS,
        "the architecture changes only on a stopped application with no jobs running (stop, "
        "update, start)",
        UPDATE_APPLICATION,
    ),
    UpdateRule(
        "AutoStartConfiguration",
        UpdateEffect.STOPS,
        "auto-start and auto-stop change only while the application is CREATED or STOPPED",
        f"{USER_GUIDE}app-behavior.html",
    ),
    UpdateRule(
        "AutoStopConfiguration",
        UpdateEffect.STOPS,
        "auto-start and auto-stop change only while the application is CREATED or STOPPED",
        f"{USER_GUIDE}app-behavior.html",
    ),
    UpdateRule(
        "IdentityCenterConfiguration",
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
    ),
    UpdateRule(
        "ImageConfiguration",
        UpdateEffect.STOPS,
        "with pre-initialized capacity, or images resolved at application start (default "
        "before emr-7.14.0), a new image needs a stop and start",
        f"{UPDATING_RUNNING_APPLICATIONS}#updating-custom-image-considerations",
        live_when=_IMAGE_LIVE,
    ),
    UpdateRule(
        "InitialCapacity",
        UpdateEffect.STOPS,
        "initial capacity and worker sizes change only while the application is CREATED or STOPPED",
        f"{USER_GUIDE}pre-init-capacity.html",
    ),
    UpdateRule(
        "InteractiveConfiguration",
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
    ),
    UpdateRule(
        "MaximumCapacity",
        UpdateEffect.LIVE,
        "UpdateApplication raises or lowers the maximum capacity of a STARTED application",
        f"{UPDATING_RUNNING_APPLICATIONS}#updating-max-capacity",
    ),
    UpdateRule(
        "MonitoringConfiguration",
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
    ),
    UpdateRule(
        "Name",
        UpdateEffect.REPLACES,
        "a create-only property: CloudFormation creates a new application and deletes the old",
        CLOUDFORMATION_APPLICATION,
    ),
    UpdateRule(
        "NetworkConfiguration",
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
    ),
    UpdateRule(
        "ReleaseLabel",
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
    ),
    UpdateRule(
        "RuntimeConfiguration",
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
    ),
    UpdateRule(
        "SchedulerConfiguration",
        UpdateEffect.STOPS,
        "only the concurrency (MaxConcurrentRuns) changes on a STARTED application; the "
        "service refuses other scheduler changes then",
        f"{USER_GUIDE}applications-concurrency-queuing.html",
        live_when=LiveCondition(
            reason="only MaxConcurrentRuns changes, which EMR Serverless updates on a STARTED "
            "application",
            source=f"{USER_GUIDE}applications-concurrency-queuing.html",
            only_keys=("MaxConcurrentRuns",),
        ),
    ),
    UpdateRule(
        "Tags",
        UpdateEffect.STOPS,
        "CloudFormation's handler calls UpdateApplication for every change, a tag-only one "
        "too, and the service refuses it on a STARTED application (TagResource alone would "
        "not need a stop)",
        TAGS_NEED_STOP_ISSUE,
    ),
    UpdateRule(
        "Type",
        UpdateEffect.REPLACES,
        "a create-only property: CloudFormation creates a new application and deletes the old",
        CLOUDFORMATION_APPLICATION,
    ),
    UpdateRule(
        "WorkerTypeSpecifications",
        UpdateEffect.STOPS,
        "only the application-wide image configuration is documented as changing on a running "
        "application; per-worker-type images are treated as stopping",
        f"{UPDATING_RUNNING_APPLICATIONS}#updating-custom-image",
    ),
    UpdateRule(
        DISK_ENCRYPTION,
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
        api_only=True,
    ),
    UpdateRule(
        DIGEST_RESOLUTION,
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
        api_only=True,
    ),
    UpdateRule(
        USER_BACKGROUND_SESSIONS,
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
        api_only=True,
    ),
    UpdateRule(
        JOB_LEVEL_COST_ALLOCATION,
        UpdateEffect.STOPS,
        _STOPPED_OR_CREATED,
        UPDATE_APPLICATION,
        api_only=True,
    ),
)

RULES_BY_NAME: dict[str, UpdateRule] = {rule.name: rule for rule in UPDATE_RULES}

#: A property the table does not know (a newer schema) is treated as stopping: a needless
#: stop is safer than a failed update.
UNKNOWN_PROPERTY_REASON = "not in the update table; treated as stopping"


@dataclass(frozen=True)
class PropertyChange:
    """One changed property and its effect."""

    name: str
    effect: UpdateEffect
    reason: str
    source: str


@dataclass(frozen=True)
class ApplicationUpdate:
    """Every changed property of one application, and whether the update stops it."""

    changes: tuple[PropertyChange, ...]

    @property
    def stops(self) -> bool:
        """Whether the update stops a STARTED application (or replaces it)."""
        return any(c.effect is not UpdateEffect.LIVE for c in self.changes)

    @property
    def replaces(self) -> bool:
        """Whether CloudFormation replaces the application."""
        return any(c.effect is UpdateEffect.REPLACES for c in self.changes)


def classify_update(before: Mapping[str, Any], after: Mapping[str, Any]) -> ApplicationUpdate:
    """The changes between two ``Properties`` maps of one application, classified.

    Keys are CloudFormation property names, plus the API-only setting names of
    :data:`UPDATE_RULES` where those are compared too. Values are compared as
    CloudFormation passes them to custom resources (numbers and booleans as strings), so
    ``5`` and ``"5"`` are the same value.
    """
    names = sorted(set(before) | set(after))
    changes = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if _same(old, new):
            continue
        rule = RULES_BY_NAME.get(name)
        if rule is None:
            unknown = PropertyChange(
                name, UpdateEffect.STOPS, UNKNOWN_PROPERTY_REASON, UPDATE_APPLICATION
            )
            changes.append(unknown)
        elif rule.live_when is not None and _live(rule.live_when, name, before, after):
            changes.append(
                PropertyChange(
                    name, UpdateEffect.LIVE, rule.live_when.reason, rule.live_when.source
                )
            )
        else:
            changes.append(PropertyChange(name, rule.effect, rule.reason, rule.source))
    return ApplicationUpdate(changes=tuple(changes))


def _live(
    condition: LiveCondition, name: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> bool:
    if any(not _empty(side.get(other)) for other in condition.without for side in (before, after)):
        return False
    if condition.only_keys:
        old, new = _as_map(before.get(name)), _as_map(after.get(name))
        changed = {k for k in set(old) | set(new) if not _same(old.get(k), new.get(k))}
        if not changed <= set(condition.only_keys):
            return False
    return not condition.workload_digest_resolution or (
        _workload_digest_resolution(before) and _workload_digest_resolution(after)
    )


def _workload_digest_resolution(properties: Mapping[str, Any]) -> bool:
    """Whether custom images are resolved at each job submission (see the module notes)."""
    flag = properties.get(DIGEST_RESOLUTION)
    if flag is not None:
        return bool(_canonical(flag) == "false")
    label = properties.get("ReleaseLabel")
    if not isinstance(label, str) or label.startswith("emr-spark-"):
        return False  # not documented for the emr-spark line: treated as stopping
    release = release_version(label)
    return release is not None and release >= WORKLOAD_DIGEST_RESOLUTION_SINCE


_VERSION = re.compile(r"^emr-(?:spark-)?(\d+)\.(\d+)(?:\.(\d+)|-preview)$")


def release_version(label: Any) -> tuple[int, int, int] | None:
    """``(major, minor, patch)`` of ``emr-7.14.0``, ``emr-spark-8.0.0`` or
    ``emr-spark-8.0-preview`` (patch 0); ``None`` for any other text."""
    match = _VERSION.match(label) if isinstance(label, str) else None
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3] or 0)


def _as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _empty(value: Any) -> bool:
    return value is None or value in ({}, [], "")


def _same(old: Any, new: Any) -> bool:
    return bool(_canonical(old) == _canonical(new))


def _canonical(value: Any) -> Any:
    """``value`` as CloudFormation hands it to a custom resource (scalars as strings)."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


#: Resource type of the lifecycle step that carries an application's API-only settings.
LIFECYCLE_SETTINGS_TYPE = "Custom::EmrServerlessAfterUpdate"


def desired_properties(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    """An application's ``Properties`` in ``template``, with its API-only settings.

    The settings come from the application's lifecycle step (``ApiOnlySettings`` of the
    ``Custom::EmrServerlessAfterUpdate`` whose ``ApplicationLogicalId`` is ``logical_id``),
    under the names :data:`UPDATE_RULES` uses, so that :func:`classify_update` on two
    templates' results covers them too. An application without the lifecycle has none.
    """
    resources = template.get("Resources") or {}
    properties = dict((resources.get(logical_id) or {}).get("Properties") or {})
    for resource in resources.values():
        step = resource.get("Properties") or {}
        if (
            resource.get("Type") == LIFECYCLE_SETTINGS_TYPE
            and step.get("ApplicationLogicalId") == logical_id
        ):
            for name, setting in (step.get("ApiOnlySettings") or {}).items():
                properties[name] = setting.get("Value")
    return properties
