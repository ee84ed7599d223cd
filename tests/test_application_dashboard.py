"""ApplicationDashboard: sections, metrics, Metrics Insights queries and limits, as rendered."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_dashboard import ApplicationDashboard
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import ReleaseLabel
from constructs_lib.workers import EngineType
from tests.harness import Synthesis, new_app, synthesize
from tests.monitoring_support import (
    EXISTING_APP,
    REGION,
    STACK_ENV,
    existing_application,
    refusal_stack,
)

APP_ID = "APPLICATION-ID"


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    env = STACK_ENV
    named = cdk.Stack(app, "Named", env=env)
    application = EmrServerlessApplication(
        named, "App", application_name="etl", release=ReleaseLabel.EMR_7_12_0
    )
    ApplicationDashboard(named, "Dashboard", application=application, dashboard_name="etl-emr")
    existing = cdk.Stack(app, "Existing", env=env)
    ApplicationDashboard(
        existing,
        "Dashboard",
        application=EmrServerlessApplication.from_application_id(existing, "App", EXISTING_APP),
        account_vcpu_quota=None,
    )
    hive = cdk.Stack(app, "Hive")
    ApplicationDashboard(
        hive,
        "Dashboard",
        application=EmrServerlessApplication(
            hive, "App", engine=EngineType.HIVE, release=ReleaseLabel.EMR_7_9_0
        ),
        account_vcpu_quota=64,
        default_interval=cdk.Duration.hours(12),
    )
    return synthesize(app)


def _dashboard(synthesis: Synthesis, stack: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dashboard's properties and its body, with the application id as ``APP_ID``."""
    (resource,) = [
        r
        for r in synthesis.templates[stack]["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Dashboard"
    ]
    body = resource["Properties"]["DashboardBody"]
    if isinstance(body, dict):
        parts = body["Fn::Join"][1]
        body = "".join(p if isinstance(p, str) else _placeholder(p) for p in parts)
    return resource["Properties"], json.loads(body)


def _placeholder(part: dict[str, Any]) -> str:
    if part == {"Ref": "AWS::Region"}:
        return REGION
    assert part["Fn::GetAtt"][1] == "ApplicationId", part
    return APP_ID


def _widgets(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["widgets"])


def _by_title(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        w["properties"]["title"]: w["properties"] for w in _widgets(body) if w["type"] != "text"
    }


def test_sections_in_order(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Named")
    headings = [w["properties"]["markdown"] for w in _widgets(body) if w["type"] == "text"]
    assert headings == [
        "### Capacity against the application's maximum",
        "### Workers by type and allocation",
        "### Job runs by state",
        "### Job workers: used against allocated (Metrics Insights, last two weeks)",
        "### Account vCPU against the quota",
    ]
    assert list(_by_title(body)) == [
        "vCPU allocated / maximum",
        "Memory allocated / maximum",
        "Disk allocated / maximum",
        "Running workers by type and allocation",
        "Pre-initialized workers in use",
        "Workers pending creation, idle, total",
        "Job runs in progress",
        "Job runs ended",
        "Worker vCPU used / allocated",
        "Worker memory used / allocated",
        "vCPU used by job (top 10)",
        "EMR Serverless vCPU in use in this account and Region",
    ]


def test_widgets_fill_whole_rows(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Named")
    rows: dict[int, int] = {}
    for widget in _widgets(body):
        rows[widget["y"]] = rows.get(widget["y"], 0) + widget["width"]
    assert set(rows.values()) == {24}


def test_one_minute_periods_everywhere(synthesis: Synthesis) -> None:
    properties, body = _dashboard(synthesis, "Named")
    assert (body["periodOverride"], body["start"]) == ("inherit", "-PT3H")
    assert properties["DashboardName"] == "etl-emr"
    for title, widget in _by_title(body).items():
        for metric in widget["metrics"]:
            assert metric[-1]["period"] == 60, title


def test_capacity_against_the_maximum(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Named")
    widget = _by_title(body)["vCPU allocated / maximum"]
    dimensions = ["ApplicationId", APP_ID, "ApplicationName", "etl"]
    assert widget["metrics"] == [
        ["AWS/EMRServerless", "CPUAllocated", *dimensions, {"label": "allocated", "period": 60}],
        [
            "AWS/EMRServerless",
            "MaxCPUAllowed",
            *dimensions,
            {"label": "maximum", "period": 60, "stat": "Maximum"},
        ],
    ]
    names = [
        [m[1] for m in _by_title(body)[title]["metrics"]]
        for title in ("Memory allocated / maximum", "Disk allocated / maximum")
    ]
    assert names == [
        ["MemoryAllocated", "MaxMemoryAllowed"],
        ["StorageAllocated", "MaxStorageAllowed"],
    ]


def test_workers_by_type_and_allocation_with_metrics_insights(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Named")
    ((query,),) = _by_title(body)["Running workers by type and allocation"]["metrics"]
    assert query["expression"] == (
        'SELECT SUM(RunningWorkerCount) FROM SCHEMA("AWS/EMRServerless", ApplicationId, '
        "ApplicationName, WorkerType, CapacityAllocationType) WHERE ApplicationId = "
        f"'{APP_ID}' AND ApplicationName = 'etl' GROUP BY WorkerType, CapacityAllocationType"
    )


def test_pre_initialized_share_in_use(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Existing")
    widget = _by_title(body)["Pre-initialized workers in use"]
    ((expression,),) = widget["metrics"]
    search = (
        "SEARCH('{{AWS/EMRServerless,ApplicationId,WorkerType,CapacityAllocationType}} "
        f'MetricName="{{}}" ApplicationId="{EXISTING_APP}" '
        "CapacityAllocationType=\"PreInitCapacity\"', 'Average', 60)"
    )
    assert expression["expression"] == (
        f"100 * SUM({search.format('RunningWorkerCount')}) / "
        f"SUM({search.format('TotalWorkerCount')})"
    )
    assert widget["yAxis"]["left"] == {"label": "%", "min": 0, "max": 100, "showUnits": False}


def test_job_runs_by_state(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Existing")
    widgets = _by_title(body)
    in_progress = [(m[1], m[-1]["stat"]) for m in widgets["Job runs in progress"]["metrics"]]
    ended = [m[1] for m in widgets["Job runs ended"]["metrics"]]
    assert in_progress == [
        ("SubmittedJobs", "Sum"),
        ("PendingJobs", "Sum"),
        ("ScheduledJobs", "Sum"),
        ("RunningJobs", "Sum"),
        ("CancellingJobs", "Sum"),
    ]
    assert ended == ["SuccessJobs", "FailedJobs", "CancelledJobs"]
    assert widgets["Job runs in progress"]["metrics"][0][2:4] == ["ApplicationId", EXISTING_APP]


def test_worker_use_against_allocation(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Existing")
    widgets = _by_title(body)
    used, allocated = widgets["Worker memory used / allocated"]["metrics"]
    assert used[0] == {
        "label": "used",
        "expression": 'SELECT SUM(WorkerMemoryUsed) FROM SCHEMA("AWS/EMRServerless", '
        "ApplicationId, JobId, WorkerType, CapacityAllocationType) "
        f"WHERE ApplicationId = '{EXISTING_APP}'",
        "period": 60,
    }
    assert allocated[:2] == ["AWS/EMRServerless", "MemoryAllocated"]
    ((top,),) = widgets["vCPU used by job (top 10)"]["metrics"]
    assert top["expression"].endswith("GROUP BY JobId ORDER BY SUM() DESC LIMIT 10")
    assert "SUM(WorkerCpuUsed)" in top["expression"]


def test_named_applications_query_job_names_too(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Named")
    used, _ = _by_title(body)["Worker vCPU used / allocated"]["metrics"]
    assert (
        'SCHEMA("AWS/EMRServerless", ApplicationId, ApplicationName, JobId, JobName, '
        in (used[0]["expression"])
    )


def test_account_usage_against_the_quota(synthesis: Synthesis) -> None:
    title = "EMR Serverless vCPU in use in this account and Region"
    quotas = {}
    for stack in ("Named", "Existing", "Hive"):
        _, body = _dashboard(synthesis, stack)
        widget = _by_title(body)[title]
        assert widget["metrics"] == [
            [
                "AWS/Usage",
                "ResourceCount",
                "Class",
                "None",
                "Resource",
                "vCPU",
                "Service",
                "EMR Serverless",
                "Type",
                "Resource",
                {"period": 60, "stat": "Maximum"},
            ]
        ]
        quotas[stack] = widget.get("annotations", {}).get("horizontal")
    assert quotas == {
        "Named": [{"label": "quota (16 vCPU)", "value": 16, "yAxis": "left"}],
        "Existing": None,
        "Hive": [{"label": "quota (64 vCPU)", "value": 64, "yAxis": "left"}],
    }


def test_releases_before_7_10_select_by_application_id_only(synthesis: Synthesis) -> None:
    _, body = _dashboard(synthesis, "Hive")
    assert body["start"] == "-PT12H"
    ((query,),) = _by_title(body)["Running workers by type and allocation"]["metrics"]
    assert "ApplicationName" not in query["expression"]


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_no_warnings()


# --- Refusals (construct only) --------------------------------------------------------------


def _dashboard_with(**settings: Any) -> ApplicationDashboard:
    stack = refusal_stack()
    return ApplicationDashboard(
        stack, "Dashboard", application=existing_application(stack), **settings
    )


@pytest.mark.parametrize("name", ["", "etl/emr", "etl emr", "d" * 256])
def test_dashboard_names_outside_the_api_rule_are_refused(name: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="PutDashboard") as error:
        _dashboard_with(dashboard_name=name)
    assert error.value.argument == "dashboard_name"


@pytest.mark.parametrize("name", ["e", "Etl_emr-1", "d" * 255])
def test_dashboard_names_within_the_rule_pass(name: str) -> None:
    _dashboard_with(dashboard_name=name)


def test_a_quota_below_one_is_refused_and_one_passes() -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"endpoints-quotas\.html"):
        _dashboard_with(account_vcpu_quota=0)
    _dashboard_with(account_vcpu_quota=1)
