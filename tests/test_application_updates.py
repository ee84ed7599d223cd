"""The update table: one row per property of AWS::EMRServerless::Application, each tested."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cfnlint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.api_only_settings import API_ONLY_SETTINGS
from constructs_lib.application_updates import (
    DIGEST_RESOLUTION,
    RULES_BY_NAME,
    UNKNOWN_PROPERTY_REASON,
    UPDATE_RULES,
    WORKLOAD_DIGEST_RESOLUTION_SINCE,
    ApplicationUpdate,
    PropertyChange,
    UpdateEffect,
    classify_update,
    desired_properties,
    release_version,
)
from constructs_lib.releases import ReleaseLabel, application_level_digest_resolution_default

SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"


def _schema() -> dict[str, Any]:
    provider = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())
    digest = provider["AWS::EMRServerless::Application"]
    return dict(json.loads((SCHEMAS / "resources" / f"{digest}.json").read_text()))


SCHEMA = _schema()
READ_ONLY = {p.removeprefix("/properties/") for p in SCHEMA["readOnlyProperties"]}
CREATE_ONLY = {p.removeprefix("/properties/") for p in SCHEMA["createOnlyProperties"]}
WRITABLE = set(SCHEMA["properties"]) - READ_ONLY

BASE: dict[str, Any] = {
    "Architecture": "X86_64",
    "AutoStartConfiguration": {"Enabled": True},
    "AutoStopConfiguration": {"Enabled": True, "IdleTimeoutMinutes": 15},
    "MaximumCapacity": {"Cpu": "400vCPU", "Memory": "3200GB"},
    "Name": "team-app",
    "ReleaseLabel": "emr-7.14.0",
    "Type": "SPARK",
}
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team"
CAPACITY = [
    {
        "Key": "DRIVER",
        "Value": {"WorkerCount": 1, "WorkerConfiguration": {"Cpu": "2vCPU", "Memory": "4GB"}},
    }
]

#: Per row: a change of that property alone on :data:`BASE`, and its effect.
ROW_CHANGES: dict[str, tuple[Any, UpdateEffect]] = {
    "Architecture": ("ARM64", UpdateEffect.STOPS),
    "AutoStartConfiguration": ({"Enabled": False}, UpdateEffect.STOPS),
    "AutoStopConfiguration": ({"Enabled": True, "IdleTimeoutMinutes": 30}, UpdateEffect.STOPS),
    "IdentityCenterConfiguration": (
        {"IdentityCenterInstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef"},
        UpdateEffect.STOPS,
    ),
    "ImageConfiguration": ({"ImageUri": f"{IMAGE}:v2"}, UpdateEffect.LIVE),
    "InitialCapacity": (CAPACITY, UpdateEffect.STOPS),
    "InteractiveConfiguration": ({"StudioEnabled": True}, UpdateEffect.STOPS),
    "MaximumCapacity": ({"Cpu": "200vCPU", "Memory": "1600GB"}, UpdateEffect.LIVE),
    "MonitoringConfiguration": (
        {"ManagedPersistenceMonitoringConfiguration": {"Enabled": False}},
        UpdateEffect.STOPS,
    ),
    "Name": ("team-app-2", UpdateEffect.REPLACES),
    "NetworkConfiguration": ({"SubnetIds": ["subnet-0a"]}, UpdateEffect.STOPS),
    "ReleaseLabel": ("emr-7.15.0", UpdateEffect.STOPS),
    "RuntimeConfiguration": (
        [{"Classification": "spark-defaults", "Properties": {"spark.executor.cores": "4"}}],
        UpdateEffect.STOPS,
    ),
    "SchedulerConfiguration": ({"MaxConcurrentRuns": 20}, UpdateEffect.LIVE),
    "Tags": ([{"Key": "team", "Value": "data"}], UpdateEffect.STOPS),
    "Type": ("HIVE", UpdateEffect.REPLACES),
    "WorkerTypeSpecifications": (
        {"Driver": {"ImageConfiguration": {"ImageUri": f"{IMAGE}:v2"}}},
        UpdateEffect.STOPS,
    ),
    "DiskEncryptionConfiguration": (
        {"encryptionKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/abcd"},
        UpdateEffect.STOPS,
    ),
    "JobLevelCostAllocationConfiguration": ({"enabled": True}, UpdateEffect.STOPS),
    DIGEST_RESOLUTION: (False, UpdateEffect.STOPS),
    "IdentityCenterConfiguration.UserBackgroundSessionsEnabled": (True, UpdateEffect.STOPS),
}


def test_every_writable_cloudformation_property_has_one_row() -> None:
    cloudformation_rows = {rule.name for rule in UPDATE_RULES if not rule.api_only}
    assert cloudformation_rows == WRITABLE
    assert len(UPDATE_RULES) == len(RULES_BY_NAME)


def test_create_only_properties_and_only_those_replace() -> None:
    replacing = {r.name for r in UPDATE_RULES if r.effect is UpdateEffect.REPLACES}
    assert replacing == CREATE_ONLY == {"Name", "Type"}


def test_api_only_rows_are_the_api_only_settings() -> None:
    assert {r.name for r in UPDATE_RULES if r.api_only} == {s.name for s in API_ONLY_SETTINGS}


def test_every_row_and_condition_cites_an_address() -> None:
    for rule in UPDATE_RULES:
        assert rule.source.startswith("https://"), rule.name
        assert len(rule.reason) > 20, rule.name
        if rule.live_when is not None:
            assert rule.live_when.source.startswith("https://"), rule.name
            assert rule.effect is UpdateEffect.STOPS, rule.name


def test_each_row_has_its_example() -> None:
    assert set(ROW_CHANGES) == set(RULES_BY_NAME)


@pytest.mark.parametrize("name", sorted(ROW_CHANGES))
def test_row(name: str) -> None:
    value, effect = ROW_CHANGES[name]
    update = classify_update(BASE, {**BASE, name: value})
    assert [(c.name, c.effect) for c in update.changes] == [(name, effect)]
    assert update.stops is (effect is not UpdateEffect.LIVE)
    assert update.replaces is (effect is UpdateEffect.REPLACES)
    change = update.changes[0]
    rule = RULES_BY_NAME[name]
    expected_source = (
        rule.live_when.source if effect is UpdateEffect.LIVE and rule.live_when else rule.source
    )
    assert change.source == expected_source


def test_an_image_change_stops_an_application_with_initial_capacity() -> None:
    before = {
        **BASE,
        "InitialCapacity": CAPACITY,
        "ImageConfiguration": {"ImageUri": f"{IMAGE}:v1"},
    }
    after = {**before, "ImageConfiguration": {"ImageUri": f"{IMAGE}:v2"}}
    (change,) = classify_update(before, after).changes
    assert change.effect is UpdateEffect.STOPS
    assert "pre-initialized capacity" in change.reason


def test_an_image_change_with_capacity_added_at_the_same_time_stops() -> None:
    before = {**BASE, "ImageConfiguration": {"ImageUri": f"{IMAGE}:v1"}}
    after = {
        **before,
        "ImageConfiguration": {"ImageUri": f"{IMAGE}:v2"},
        "InitialCapacity": CAPACITY,
    }
    effects = {c.name: c.effect for c in classify_update(before, after).changes}
    assert effects == {
        "ImageConfiguration": UpdateEffect.STOPS,
        "InitialCapacity": UpdateEffect.STOPS,
    }


def test_an_image_change_before_7_14_stops_unless_digests_resolve_per_job() -> None:
    old = {**BASE, "ReleaseLabel": "emr-7.13.0", "ImageConfiguration": {"ImageUri": f"{IMAGE}:v1"}}
    new = {**old, "ImageConfiguration": {"ImageUri": f"{IMAGE}:v2"}}
    assert classify_update(old, new).stops
    per_job = {DIGEST_RESOLUTION: "false"}
    assert not classify_update({**old, **per_job}, {**new, **per_job}).stops


def test_an_image_change_from_7_14_stops_when_digests_resolve_at_start() -> None:
    old = {**BASE, "ImageConfiguration": {"ImageUri": f"{IMAGE}:v1"}}
    new = {**old, "ImageConfiguration": {"ImageUri": f"{IMAGE}:v2"}}
    assert not classify_update(old, new).stops
    at_start = {DIGEST_RESOLUTION: True}
    assert classify_update({**old, **at_start}, {**new, **at_start}).stops


def test_the_spark_8_lines_default_is_undocumented_so_an_image_change_stops() -> None:
    old = {
        **BASE,
        "ReleaseLabel": "emr-spark-8.0.0",
        "ImageConfiguration": {"ImageUri": f"{IMAGE}:1"},
    }
    new = {**old, "ImageConfiguration": {"ImageUri": f"{IMAGE}:2"}}
    assert classify_update(old, new).stops
    per_job = {DIGEST_RESOLUTION: False}
    assert not classify_update({**old, **per_job}, {**new, **per_job}).stops


@pytest.mark.parametrize("label", ["emr-7.13.0", "emr-7.14.0", "emr-7.12.0", "emr-spark-8.0.0"])
def test_the_tables_digest_default_agrees_with_the_release_table(label: str) -> None:
    default = application_level_digest_resolution_default(ReleaseLabel.of(label))
    image = {"ImageConfiguration": {"ImageUri": f"{IMAGE}:1"}}
    old = {**BASE, "ReleaseLabel": label, **image}
    new = {**old, "ImageConfiguration": {"ImageUri": f"{IMAGE}:2"}}
    # resolved per job (False) is live; at start (True) or undocumented (None) stops
    assert classify_update(old, new).stops is (default is not False)


def test_scheduler_queue_timeout_stops() -> None:
    before = {**BASE, "SchedulerConfiguration": {"MaxConcurrentRuns": 5, "QueueTimeoutMinutes": 30}}
    for after_scheduler in (
        {"MaxConcurrentRuns": 5, "QueueTimeoutMinutes": 60},
        {"MaxConcurrentRuns": 9, "QueueTimeoutMinutes": 60},
        {"MaxConcurrentRuns": 5},
    ):
        update = classify_update(before, {**BASE, "SchedulerConfiguration": after_scheduler})
        assert update.stops, after_scheduler
    only_runs = {"MaxConcurrentRuns": 9, "QueueTimeoutMinutes": 30}
    assert not classify_update(before, {**BASE, "SchedulerConfiguration": only_runs}).stops


def test_an_unknown_property_is_treated_as_stopping() -> None:
    (change,) = classify_update(BASE, {**BASE, "FutureProperty": {"Enabled": True}}).changes
    assert (change.effect, change.reason) == (UpdateEffect.STOPS, UNKNOWN_PROPERTY_REASON)


def test_values_compare_as_cloudformation_passes_them_to_custom_resources() -> None:
    stringified = {
        **BASE,
        "AutoStartConfiguration": {"Enabled": "true"},
        "AutoStopConfiguration": {"Enabled": "true", "IdleTimeoutMinutes": "15"},
    }
    assert classify_update(BASE, stringified).changes == ()
    assert classify_update(
        BASE, {**stringified, "AutoStartConfiguration": {"Enabled": "false"}}
    ).stops


def test_a_property_removed_is_a_change() -> None:
    before = {**BASE, "Tags": [{"Key": "a", "Value": "b"}]}
    assert [c.name for c in classify_update(before, BASE).changes] == ["Tags"]


def test_a_live_only_update_does_not_stop() -> None:
    update = ApplicationUpdate(
        changes=(PropertyChange("MaximumCapacity", UpdateEffect.LIVE, "r", "https://x"),)
    )
    assert not update.stops
    assert not update.replaces


def test_release_version_reads_both_label_families() -> None:
    assert release_version("emr-7.14.0") == WORKLOAD_DIGEST_RESOLUTION_SINCE
    assert release_version("emr-spark-8.0.0") == (8, 0, 0)
    assert release_version("emr-spark-8.0-preview") == (8, 0, 0)
    assert release_version("emr-7.14") is None
    assert release_version("emr-7.14.0-beta") is None
    assert release_version(None) is None


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
_PROPERTIES = st.dictionaries(
    st.sampled_from([*sorted(RULES_BY_NAME), "Unknown"]), _VALUES, max_size=6
)


@given(_PROPERTIES)
def test_no_change_no_update(properties: dict[str, Any]) -> None:
    assert classify_update(properties, dict(properties)).changes == ()


@given(_PROPERTIES, _PROPERTIES)
def test_changes_name_exactly_the_differing_properties(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    update = classify_update(before, after)
    names = [c.name for c in update.changes]
    assert names == sorted(names)

    def text(value: Any) -> str:
        return json.dumps(value, sort_keys=True)

    keys = set(before) | set(after)
    assert set(names) <= {n for n in keys if text(before.get(n)) != text(after.get(n))}
    assert set(names) == {c.name for c in classify_update(after, before).changes}
    assert update.replaces == bool({"Name", "Type"} & set(names))


def test_desired_properties_add_the_lifecycles_api_only_settings() -> None:
    template = {
        "Resources": {
            "App": {"Type": "AWS::EMRServerless::Application", "Properties": BASE},
            "AppAfter": {
                "Type": "Custom::EmrServerlessAfterUpdate",
                "Properties": {
                    "ApplicationLogicalId": "App",
                    "ApiOnlySettings": {
                        "JobLevelCostAllocationConfiguration": {
                            "Path": ["jobLevelCostAllocationConfiguration"],
                            "Value": {"enabled": True},
                            "Clear": {"enabled": False},
                        }
                    },
                },
            },
            "OtherAfter": {
                "Type": "Custom::EmrServerlessAfterUpdate",
                "Properties": {"ApplicationLogicalId": "Other", "ApiOnlySettings": {"X": {}}},
            },
        }
    }
    properties = desired_properties(template, "App")
    assert properties == {**BASE, "JobLevelCostAllocationConfiguration": {"enabled": True}}
    update = classify_update(BASE, properties)
    assert [(c.name, c.effect) for c in update.changes] == [
        ("JobLevelCostAllocationConfiguration", UpdateEffect.STOPS)
    ]
    assert desired_properties(template, "Missing") == {}


def test_the_docs_table_lists_every_row() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "application.md").read_text()
    section = docs[docs.index("## Changing a running application") :]
    section = section[: section.index("\n### Running jobs")]
    assert all(f"`{rule.name}`" in section for rule in UPDATE_RULES)
