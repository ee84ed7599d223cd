"""Declared jobs in the platform config (``teams[].jobs``): shape, kinds and schedules."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from constructs_lib.config_reader import MAX_TEXT
from constructs_lib.job_outputs import job_request_output_key, job_state_machine_output_key
from constructs_lib.platform_config import (
    MAX_JOB_NAME,
    MAX_TEAM_NAME,
    TIME_ZONE_WITHOUT_SCHEDULE_WARNING,
    JobConfig,
    PlatformConfigError,
    load_platform_config,
    parse_platform_config,
)
from tests.test_platform_config import minimal

ROOT = Path(__file__).resolve().parent.parent


def with_jobs(*jobs: dict[str, Any], team_type: str = "SPARK") -> dict[str, Any]:
    document = minimal()
    team = document["teams"][0]
    if team_type == "HIVE":
        team["application"]["type"] = "HIVE"
        team["application"]["workers"] = {
            "driver": {"vcpu": 2, "memory_gb": 8},
            "tez_task": {"vcpu": 2, "memory_gb": 8},
        }
    team["jobs"] = list(jobs)
    return document


def parse(document: dict[str, Any]) -> tuple[JobConfig, ...]:
    config = parse_platform_config(yaml.safe_dump(document), source="platform.yaml")
    return config.environments[0].teams[0].jobs


def problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(PlatformConfigError) as refused:
        parse(document)
    return [str(problem) for problem in refused.value.problems]


SPARK_JOB = {"name": "nightly", "entry_point": "s3://lake-jobs/a.py"}


def test_the_shipped_platform_declares_jobs() -> None:
    config = load_platform_config(ROOT / "platform.yaml")
    analytics = config.environment("dev").team("analytics")
    (wordcount, pi) = analytics.jobs
    assert wordcount.project == "jobs/wordcount"
    assert wordcount.project_folder(analytics.source) == ROOT / "jobs" / "wordcount"
    assert (wordcount.schedule, wordcount.time_zone, wordcount.retries) == (
        "cron(0 2 * * ? *)",
        "Europe/Paris",
        1,
    )
    assert pi.entry_point
    assert pi.project is None
    assert pi.project_folder(analytics.source) is None
    (report,) = config.environment("prod").team("reporting").jobs
    assert report.query == "reports/daily.sql"


def test_a_full_spark_job() -> None:
    (job,) = parse(
        with_jobs(
            {
                "name": "n" * MAX_JOB_NAME,
                "project": "jobs/x",
                "arguments": ["a", "b"],
                "spark_submit_parameters": "--conf a=b",
                "schedule": "rate(1 day)",
                "time_zone": "UTC",
                "flexible_window_minutes": 1440,
                "retries": 9,
                "timeout_minutes": 0,
            }
        )
    )
    assert job == JobConfig(
        name="n" * MAX_JOB_NAME,
        index=0,
        project="jobs/x",
        arguments=("a", "b"),
        spark_submit_parameters="--conf a=b",
        schedule="rate(1 day)",
        time_zone="UTC",
        flexible_window_minutes=1440,
        retries=9,
        timeout_minutes=0,
    )
    assert job.setting == "jobs[0]"


def test_a_hive_job() -> None:
    (job,) = parse(
        with_jobs(
            {"name": "report", "query": "q.sql", "init_query_file": "i.sql"}, team_type="HIVE"
        )
    )
    assert (job.query, job.init_query_file, job.entry_point) == ("q.sql", "i.sql", None)


@pytest.mark.parametrize(
    ("job", "team_type", "expected"),
    [
        (
            {"name": "x"},
            "SPARK",
            "teams[0].jobs[0].entry_point: a Spark job has one of entry_point",
        ),
        (
            {**SPARK_JOB, "project": "p"},
            "SPARK",
            "teams[0].jobs[0].entry_point='s3://lake-jobs/a.py': a Spark job has one of",
        ),
        ({**SPARK_JOB, "query": "q.sql"}, "SPARK", "teams[0].jobs[0].query='q.sql': the team runs"),
        (SPARK_JOB, "HIVE", "teams[0].jobs[0].entry_point='s3://lake-jobs/a.py': the team runs"),
        ({"name": "x"}, "HIVE", "teams[0].jobs[0].query: is required for a Hive job"),
        ({**SPARK_JOB, "name": "Nightly"}, "SPARK", "teams[0].jobs[0].name='Nightly'"),
        # (was "at most 40 characters": the bound is now derived from the names it ends)
        ({**SPARK_JOB, "name": "n" * (MAX_JOB_NAME + 1)}, "SPARK", "at most 213 characters"),
        (
            {**SPARK_JOB, "schedule": "cron(0 2 * * *)"},
            "SPARK",
            "jobs[0].schedule='cron(0 2 * * *)'",
        ),
        ({**SPARK_JOB, "schedule": "rate(1 day)", "time_zone": "Mars"}, "SPARK", "IANA"),
        ({**SPARK_JOB, "retries": 10}, "SPARK", "jobs[0].retries=10: must be from 0 to 9"),
        ({**SPARK_JOB, "flexible_window_minutes": 0}, "SPARK", "must be from 1 to 1440"),
        ({**SPARK_JOB, "timeout_minutes": -1}, "SPARK", "jobs[0].timeout_minutes=-1"),
        ({**SPARK_JOB, "arguments": "a b"}, "SPARK", "jobs[0].arguments='a b': must be a list"),
        (
            {**SPARK_JOB, "schedul": "rate(1 day)"},
            "SPARK",
            "unknown key (did you mean 'schedule'?)",
        ),
    ],
)
def test_refused_with_the_key_path(job: dict[str, Any], team_type: str, expected: str) -> None:
    found = problems(with_jobs(job, team_type=team_type))
    assert any(expected in problem for problem in found), found
    assert all(problem.startswith("platform.yaml: ") for problem in found)


def test_the_longest_job_name_fits_run_names_and_output_keys() -> None:
    """213: ``<team>-<job>`` (StartJobRun name, 256) and the outputs' ids (255) fit."""
    team, job = "t" * MAX_TEAM_NAME, "n" * MAX_JOB_NAME
    assert MAX_JOB_NAME == 213
    assert len(f"{team}-{job}") <= 256
    assert (
        max(len(job_request_output_key(team, job)), len(job_state_machine_output_key(team, job)))
        == 255
    )
    document = with_jobs({**SPARK_JOB, "name": job})
    document["teams"][0]["name"] = team
    assert [j.name for j in parse(document)] == [job]


def test_a_time_zone_without_a_schedule_is_a_warning() -> None:
    document = with_jobs({**SPARK_JOB, "time_zone": "UTC"})
    config = parse_platform_config(yaml.safe_dump(document), source="platform.yaml")
    (job,) = config.environments[0].teams[0].jobs
    assert (job.schedule, job.time_zone) == (None, "UTC")
    (warning,) = config.warnings
    assert warning.id == TIME_ZONE_WITHOUT_SCHEDULE_WARNING
    assert warning.text.startswith("platform.yaml: teams[0].jobs[0].time_zone: ")
    assert "a time zone goes with a schedule" in warning.text


def test_a_time_zone_with_a_schedule_gives_no_warning() -> None:
    document = with_jobs({**SPARK_JOB, "schedule": "rate(1 day)", "time_zone": "UTC"})
    assert parse_platform_config(yaml.safe_dump(document), source="platform.yaml").warnings == ()


def test_submit_parameters_as_long_as_the_api_takes_are_read() -> None:
    """StartJobRun takes sparkSubmitParameters and hiveParameters of 1-102,400 characters."""
    longest = "--conf a=" + "b" * (MAX_TEXT - len("--conf a="))
    (job,) = parse(with_jobs({**SPARK_JOB, "spark_submit_parameters": longest}))
    assert job.spark_submit_parameters == longest
    hive = {"name": "report", "query": "q.sql", "hive_parameters": longest}
    (job,) = parse(with_jobs(hive, team_type="HIVE"))
    assert job.hive_parameters == longest
    found = problems(with_jobs({**SPARK_JOB, "spark_submit_parameters": longest + "b"}))
    assert any(f"longer than {MAX_TEXT:,}" in problem for problem in found), found


def test_job_names_are_unique_per_team() -> None:
    found = problems(with_jobs(SPARK_JOB, {**SPARK_JOB}))
    assert any("teams[0].jobs[1].name='nightly': another job" in p for p in found)


def test_an_environment_may_replace_a_teams_jobs() -> None:
    document = with_jobs(SPARK_JOB)
    document["environments"] = {
        "dev": {},
        "prod": {"teams": {"analytics": {"jobs": [{"name": "other", "entry_point": "/a.jar"}]}}},
    }
    config = parse_platform_config(yaml.safe_dump(document), source="platform.yaml")
    assert [j.name for j in config.environment("dev").team("analytics").jobs] == ["nightly"]
    assert [j.name for j in config.environment("prod").team("analytics").jobs] == ["other"]
    broken = copy.deepcopy(document)
    broken["environments"]["prod"]["teams"]["analytics"]["jobs"][0]["retries"] = 99
    found = problems(broken)
    assert any("environments.prod.teams.analytics.jobs[0].retries=99" in p for p in found), found


def test_a_teams_job_settings_have_key_paths() -> None:
    config = parse_platform_config(yaml.safe_dump(with_jobs(SPARK_JOB)), source="platform.yaml")
    team = config.environments[0].teams[0]
    assert (
        team.key_path("jobs[0].timeout_minutes")
        == "platform.yaml: teams[0].jobs[0].timeout_minutes"
    )
