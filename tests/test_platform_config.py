"""The platform config file: every rule refuses with file, key path and fix; neighbours pass."""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib.config_reader import Problem, merge, origin
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.platform_config import (
    CONTEXT_KEY,
    DEFAULT_CONFIG_FILE,
    IDLE_TIMEOUT_MINUTES,
    LOG_RETENTION_DAYS,
    MAX_TEAM_NAME,
    NatGateways,
    PlatformConfig,
    PlatformConfigError,
    load_platform_config,
    parse_platform_config,
)
from constructs_lib.stack_outputs import platform_stack_name, team_stack_name
from constructs_lib.subnet_planning import MIN_AZS, Workload
from constructs_lib.workers import (
    Architecture,
    DiskType,
    EngineType,
    WorkerConfiguration,
    WorkerType,
)

ROOT = Path(__file__).resolve().parent.parent


def minimal() -> dict[str, Any]:
    """The smallest valid config: one platform, one environment, one Spark team."""
    return {
        "platform": {
            "name": "lake",
            "network": {"vpc_cidr": "10.0.0.0/16"},
            "log_retention_days": 30,
        },
        "environments": {"dev": {}},
        "teams": [
            {
                "name": "analytics",
                "application": {
                    "type": "SPARK",
                    "release_label": "emr-7.6.0",
                    "workers": {
                        "driver": {"vcpu": 2, "memory_gb": 4},
                        "executor": {"vcpu": 4, "memory_gb": 8},
                    },
                    "maximum_capacity": {"vcpu": 64},
                },
            }
        ],
    }


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def with_value(path: str, value: Any, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``doc`` (default: :func:`minimal`) with ``value`` at key ``path``."""
    doc = copy.deepcopy(minimal() if doc is None else doc)
    *parents, last = _steps(path)
    node: Any = doc
    for step in parents:
        node = node.setdefault(step, {}) if isinstance(step, str) else node[step]
    node[last] = value
    return doc


def without(path: str, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``doc`` (default: :func:`minimal`) without key ``path``."""
    doc = copy.deepcopy(minimal() if doc is None else doc)
    *parents, last = _steps(path)
    node: Any = doc
    for step in parents:
        node = node[step]
    del node[last]
    return doc


def parse(doc: dict[str, Any]) -> PlatformConfig:
    return parse_platform_config(yaml.safe_dump(doc, sort_keys=False))


def problems(doc: dict[str, Any] | str) -> list[str]:
    """Every problem's message; fails the test if the config is accepted."""
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
    with pytest.raises(PlatformConfigError) as caught:
        parse_platform_config(text)
    return [str(problem) for problem in caught.value.problems]


def only_problem(doc: dict[str, Any] | str) -> str:
    (problem,) = problems(doc)
    return problem


def test_minimal_config_and_its_defaults() -> None:
    config = parse(minimal())
    (dev,) = config.environments
    assert (config.source, config.name, dev.name) == (DEFAULT_CONFIG_FILE, "lake", "dev")
    assert dev.network.vpc_cidr == "10.0.0.0/16"
    assert dev.network.availability_zones == MIN_AZS
    assert dev.network.nat_gateways is NatGateways.ONE
    assert dev.network.nat_gateway_count == 1
    (team,) = dev.teams
    app = team.application
    assert (app.type, app.architecture, app.idle_timeout_minutes) == (
        EngineType.SPARK,
        Architecture.X86_64,
        15,
    )
    assert [w.worker_type for w in app.workers] == [
        WorkerType.SPARK_DRIVER,
        WorkerType.SPARK_EXECUTOR,
    ]
    executor = app.worker(WorkerType.SPARK_EXECUTOR)
    assert (executor.disk_gb, executor.disk_type, executor.pre_initialized) == (None, None, 0)
    assert (app.maximum_capacity.memory_gb, app.maximum_capacity.disk_gb) == (None, None)
    assert [(loc.bucket, loc.prefix) for loc in (team.data.input, team.data.output)] == [
        (None, "input/"),
        (None, "output/"),
    ]
    assert team.data.scripts.prefix == "scripts/"
    assert team.data.needs_team_bucket
    assert (team.glue_databases.read, team.glue_databases.read_write) == ((), ())
    assert (team.alarms.enabled, team.alarms.failed_jobs_threshold) == (True, 1)
    assert team.alarms.capacity_threshold_percent == 80
    assert team.prometheus is False


def test_every_setting_is_read() -> None:
    doc = minimal()
    doc["platform"]["network"].update(availability_zones=3, nat_gateways="per-az")
    doc["teams"][0] = {
        "name": "data-science",
        "application": {
            "type": "HIVE",
            "release_label": "emr-7.1.0",
            "architecture": "ARM64",
            "workers": {
                "driver": {"vcpu": 2, "memory_gb": 8, "pre_initialized": 1},
                "tez_task": {
                    "vcpu": 8,
                    "memory_gb": 32,
                    "disk_gb": 500,
                    "disk_type": "SHUFFLE_OPTIMIZED",
                    "pre_initialized": 3,
                },
            },
            "maximum_capacity": {"vcpu": 128, "memory_gb": 512, "disk_gb": 4000},
            "idle_timeout_minutes": 60,
        },
        "data": {
            "input": {"bucket": "raw-landing", "prefix": "events/"},
            "output": {"prefix": "curated/"},
            "scripts": {"bucket": "shared-jobs", "prefix": "ds/"},
        },
        "glue_databases": {"read": ["raw"], "read_write": ["science", "scratch_2"]},
        "alarms": {
            "enabled": False,
            "failed_jobs_threshold": 3,
            "capacity_threshold_percent": 95,
        },
        "prometheus": True,
    }
    (dev,) = parse(doc).environments
    assert dev.network.nat_gateway_count == 3
    (team,) = dev.teams
    assert (team.name, team.construct_id, team.index) == ("data-science", "DataScience", 0)
    app = team.application
    assert (app.type, app.release_label, app.architecture) == (
        EngineType.HIVE,
        "emr-7.1.0",
        Architecture.ARM64,
    )
    tez = app.worker(WorkerType.TEZ_TASK)
    assert (tez.config_key, tez.vcpu, tez.memory_gb, tez.disk_gb) == ("tez_task", 8, 32, 500)
    assert (tez.disk_type, tez.pre_initialized) == (DiskType.SHUFFLE_OPTIMIZED, 3)
    assert tez.configuration == WorkerConfiguration(
        vcpu=8, memory_gb=32, disk_gb=500, disk_type=DiskType.SHUFFLE_OPTIMIZED
    )
    assert app.worker(WorkerType.HIVE_DRIVER).pre_initialized == 1
    with pytest.raises(KeyError):
        app.worker(WorkerType.SPARK_EXECUTOR)
    capacity = app.maximum_capacity
    assert (capacity.vcpu, capacity.memory_gb, capacity.disk_gb) == (128, 512, 4000)
    assert app.idle_timeout_minutes == 60
    assert (team.data.input.bucket, team.data.input.prefix) == ("raw-landing", "events/")
    assert not team.data.input.created_by_platform
    assert team.data.output.created_by_platform
    assert team.data.needs_team_bucket
    assert team.glue_databases.read_write == ("science", "scratch_2")
    assert (team.alarms.enabled, team.alarms.failed_jobs_threshold) == (False, 3)
    assert team.alarms.capacity_threshold_percent == 95
    assert team.prometheus is True


def test_no_team_bucket_when_every_location_is_an_existing_bucket() -> None:
    data = {kind: {"bucket": "existing", "prefix": f"{kind}/"} for kind in ("input", "output")}
    data["scripts"] = {"bucket": "jobs-bucket", "prefix": "s/"}
    (team,) = parse(with_value("teams[0].data", data)).environments[0].teams
    assert not team.data.needs_team_bucket


@pytest.mark.parametrize(
    ("nat", "azs", "expected"),
    [(NatGateways.NONE, 3, 0), (NatGateways.ONE, 3, 1), (NatGateways.PER_AZ, 3, 3)],
)
def test_nat_gateway_count(nat: NatGateways, azs: int, expected: int) -> None:
    assert nat.count(azs) == expected


# ---------------------------------------------------------------- one rule, refused and passing

RULES = [
    # (key path, refused value, fragment of the rule, accepted neighbour)
    ("platform.name", "Lake", "lower-case letters", "lake"),
    ("platform.name", "lake-", "lower-case letters", "lake-1"),
    ("platform.name", "a" * 25, "at most 24", "a" * 24),
    ("platform.network.vpc_cidr", "10.0.0.1/16", "host bits set", "10.0.0.0/16"),
    ("platform.network.vpc_cidr", "10.0.0.0/15", "/16 to /28", "10.0.0.0/16"),
    ("platform.network.vpc_cidr", "10.0.0.0/29", "/16 to /28", "10.0.0.0/28"),
    ("platform.network.vpc_cidr", "10.0.0.0", "IPv4 CIDR block", "10.0.0.0/24"),
    ("platform.network.vpc_cidr", 10, "must be text", "10.1.0.0/16"),
    ("platform.network.availability_zones", MIN_AZS - 1, f"from {MIN_AZS} to 6", MIN_AZS),
    ("platform.network.availability_zones", 7, f"from {MIN_AZS} to 6", 6),
    ("platform.network.nat_gateways", 2, "one of 0, 1, per-az", 0),
    ("platform.network.nat_gateways", "per_az", "did you mean 'per-az'", "per-az"),
    ("platform.network.nat_gateways", True, "one of 0, 1, per-az", 1),
    ("platform.log_retention_days", 31, "one of 1, 3, 5", 30),
    ("platform.log_retention_days", "30", "one of 1, 3, 5", 3653),
    ("teams[0].name", "Analytics", "lower-case letters", "analytics"),
    ("teams[0].name", "a--b", "single hyphens", "a-b"),
    ("teams[0].name", "1team", "starting with a letter", "team1"),
    ("teams[0].name", "t" * (MAX_TEAM_NAME + 1), "at most 24", "t" * MAX_TEAM_NAME),
    ("teams[0].application.type", "spark", "did you mean 'SPARK'", "SPARK"),
    # The API's releaseLabel pattern: any such label passes the loader (emr-spark-8.x too).
    # (ReleaseLabel.of's rule, at the key path: "1-64 characters of A-Z ...")
    (
        "teams[0].application.release_label",
        "emr 7.6.0",
        "1-64 characters of A-Z",
        "emr-spark-8.1.0",
    ),
    ("teams[0].application.release_label", "e" * 65, "1-64 characters of A-Z", "emr-7.14.0"),
    ("teams[0].application.release_label", "emr-7.6.0 ", "1-64 characters of A-Z", "e" * 64),
    ("teams[0].application.release_label", "emr-6.5.0", "emr-6.6.0 and later", "emr-6.6.0"),
    ("teams[0].application.release_label", 7.6, "must be text", "emr-7.6.0"),
    ("teams[0].application.architecture", "arm64", "did you mean 'ARM64'", "ARM64"),
    ("teams[0].application.architecture", "x86", "one of X86_64, ARM64", "X86_64"),
    ("teams[0].application.workers.executor.vcpu", 0, "1 or more", 1),
    ("teams[0].application.workers.executor.vcpu", "4", "without quotes", 4),
    ("teams[0].application.workers.executor.vcpu", 4.0, "whole number", 16),
    ("teams[0].application.workers.executor.vcpu", True, "whole number", 8),
    ("teams[0].application.workers.executor.memory_gb", 0, "1 or more", 1),
    ("teams[0].application.workers.driver.disk_gb", 0, "1 or more", 1),
    ("teams[0].application.workers.driver.disk_type", "shuffle", "one of STANDARD", "STANDARD"),
    ("teams[0].application.workers.driver.pre_initialized", -1, "0 or more", 0),
    ("teams[0].application.maximum_capacity.vcpu", 0, "1 or more", 1),
    ("teams[0].application.maximum_capacity.memory_gb", 0, "1 or more", 1),
    ("teams[0].application.maximum_capacity.disk_gb", -5, "1 or more", 20),
    ("teams[0].application.idle_timeout_minutes", 0, "from 1 to 10080", 1),
    ("teams[0].application.idle_timeout_minutes", 10_081, "from 1 to 10080", 10_080),
    ("teams[0].data.input.prefix", "raw", "ends with '/'", "raw/"),
    ("teams[0].data.input.prefix", "/raw/", "does not start with '/'", "raw/day/"),
    ("teams[0].data.input.prefix", "raw/*/", "wildcards", "raw/x/"),
    ("teams[0].data.input.prefix", "my raw/", "spaces", "my-raw/"),
    ("teams[0].data.input.bucket", "My_Bucket", "S3 bucket names", "my-bucket"),
    ("teams[0].data.input.bucket", "ab", "3-63", "abc"),
    ("teams[0].data.input.bucket", "a..b", "single periods", "a.b"),
    ("teams[0].data.input.bucket", "192.168.10.1", "IP addresses", "192-168-10-1"),
    ("teams[0].data.input.bucket", "xn--bucket", "xn--", "xn-bucket"),
    ("teams[0].data.output", "curated/", "must be a mapping", {"prefix": "curated/"}),
    ("teams[0].glue_databases.read", ["Sales"], "lower-case letters", ["sales"]),
    ("teams[0].glue_databases.read", ["*"], "no wildcards", ["all_sales"]),
    ("teams[0].glue_databases.read", "sales", "must be a list", ["sales"]),
    ("teams[0].glue_databases.read_write", ["a", "a"], "listed twice", ["a", "b"]),
    ("teams[0].alarms.enabled", "yes", "true or false", False),
    ("teams[0].alarms.failed_jobs_threshold", 0, "1 or more", 1),
    ("teams[0].alarms.capacity_threshold_percent", 0, "from 1 to 100", 1),
    ("teams[0].alarms.capacity_threshold_percent", 101, "from 1 to 100", 100),
    ("teams[0].prometheus", "true", "true or false", True),
    ("teams[0].application", "SPARK", "must be a mapping", minimal()["teams"][0]["application"]),
    ("teams", {"name": "x"}, "must be a list", minimal()["teams"]),
    ("teams", [], "at least one team", minimal()["teams"]),
    ("environments", {}, "at least one environment", {"qa": None}),
    ("environments", ["dev"], "must be a mapping", {"dev": {}}),
]


@pytest.mark.parametrize(
    ("path", "bad", "rule", "good"), RULES, ids=[f"{r[0]}={r[1]!r}"[:60] for r in RULES]
)
def test_rule_refuses_and_neighbour_passes(path: str, bad: Any, rule: str, good: Any) -> None:
    problem = only_problem(with_value(path, bad))
    assert problem.startswith(f"{DEFAULT_CONFIG_FILE}: {path}")
    assert rule in problem
    assert "Fix: " in problem
    parse(with_value(path, good))


def test_glue_database_in_read_and_read_write_is_refused() -> None:
    doc = with_value("teams[0].glue_databases", {"read": ["a", "b"], "read_write": ["b"]})
    assert only_problem(doc).startswith(
        "platform.yaml: teams[0].glue_databases.read_write[0]='b': is listed twice"
    )


def test_bucket_and_location_keys() -> None:
    doc = with_value("teams[0].data.input", {"bucket": "raw", "prefx": "x/"})
    assert "did you mean 'prefix'" in only_problem(doc)


@pytest.mark.parametrize(
    ("path", "typo", "suggestion"),
    [
        ("", "team", "teams"),
        ("platform", "nmae", "name"),
        ("platform.network", "nat_gateway", "nat_gateways"),
        ("teams[0]", "glue_database", "glue_databases"),
        ("teams[0].application", "max_capacity", "maximum_capacity"),
        ("teams[0].application.workers.executor", "memory", "memory_gb"),
        ("teams[0].application.maximum_capacity", "vcpus", "vcpu"),
        ("teams[0].alarms", "enable", "enabled"),
        ("teams[0].glue_databases", "readwrite", "read_write"),
    ],
)
def test_unknown_keys_are_refused_with_a_suggestion(path: str, typo: str, suggestion: str) -> None:
    key = f"{path}.{typo}" if path else typo
    doc = with_value(key, {"vcpu": 1} if typo == "team" else 1)
    problem = only_problem(doc)
    assert problem.startswith(f"platform.yaml: {key}=")
    assert f"unknown key (did you mean {suggestion!r}?)" in problem


def test_unknown_key_without_a_close_match_lists_the_keys() -> None:
    problem = only_problem(with_value("teams[0].colour", "blue"))
    assert "unknown key. Fix: use one of: name, application, data" in problem


def test_spark_worker_keys_are_refused_for_hive() -> None:
    doc = with_value("teams[0].application.type", "HIVE")
    assert problems(doc) == [
        "platform.yaml: teams[0].application.workers.executor={'memory_gb': 8, 'vcpu': 4}: "
        "unknown key. Fix: use one of: driver, tez_task",
        "platform.yaml: teams[0].application.workers.tez_task: is required. Fix: add tez_task: ...",
    ]
    workers = {"driver": {"vcpu": 2, "memory_gb": 4}, "tez_task": {"vcpu": 4, "memory_gb": 8}}
    parse(with_value("teams[0].application.workers", workers, doc))


def test_wrong_type_does_not_cascade_into_worker_keys() -> None:
    assert only_problem(with_value("teams[0].application.type", ["SPARK"])).startswith(
        "platform.yaml: teams[0].application.type=['SPARK']: must be one of SPARK, HIVE"
    )


@pytest.mark.parametrize(
    "path",
    [
        "platform",
        "platform.name",
        "platform.network",
        "platform.network.vpc_cidr",
        "platform.log_retention_days",
        "environments",
        "teams",
        "teams[0].name",
        "teams[0].application",
        "teams[0].application.type",
        "teams[0].application.release_label",
        "teams[0].application.workers",
        "teams[0].application.workers.driver",
        "teams[0].application.workers.executor.vcpu",
        "teams[0].application.workers.executor.memory_gb",
        "teams[0].application.maximum_capacity",
        "teams[0].application.maximum_capacity.vcpu",
    ],
)
def test_required_keys(path: str) -> None:
    key = path.rsplit(".", 1)[-1]
    assert only_problem(without(path)) == (
        f"platform.yaml: {path}: is required. Fix: add {key}: ..."
    )


def test_a_missing_mapping_is_reported_once_not_for_each_key_inside() -> None:
    assert len(problems(without("teams[0].application"))) == 1


def test_every_problem_is_reported_at_once() -> None:
    doc = with_value("teams[0].application.workers.executor.vcpu", 0)
    doc = with_value("platform.log_retention_days", 2, doc)
    doc = with_value("teams[0].prometheus", "no", doc)
    with pytest.raises(PlatformConfigError) as caught:
        parse(doc)
    error = caught.value
    assert [p.location for p in error.problems] == [
        "platform.yaml: platform.log_retention_days",
        "platform.yaml: teams[0].application.workers.executor.vcpu",
        "platform.yaml: teams[0].prometheus",
    ]
    assert str(error).startswith("3 problems:\n  platform.yaml: platform.log_retention_days=2")
    assert isinstance(error, EmrServerlessValidationError)
    first = error.problems[0]
    assert (error.argument, error.value, error.rule, error.fix) == (
        first.location,
        first.value,
        first.rule,
        first.fix,
    )


def test_team_names_are_unique_as_construct_ids() -> None:
    second = copy.deepcopy(minimal()["teams"][0])
    doc = with_value("teams[0].name", "data-science")
    doc["teams"].append({**second, "name": "datascience"})
    problem = only_problem(doc)
    assert problem.startswith("platform.yaml: teams[1].name='datascience': clashes with team")
    doc["teams"][1]["name"] = "data-sciences"
    assert [t.construct_id for t in parse(doc).environments[0].teams] == [
        "DataScience",
        "DataSciences",
    ]


def test_many_teams_each_get_their_own_stack() -> None:
    team = minimal()["teams"][0]
    doc = with_value("teams", [{**team, "name": f"t{i}"} for i in range(60)])
    environment = parse(doc).environments[0]
    assert len(environment.teams) == 60
    names = {environment.team_stack_name(t.name) for t in environment.teams}
    assert len(names) == 60
    assert environment.team_stack_name("t7") == team_stack_name("lake", environment.name, "t7")


@pytest.mark.parametrize("name", ["Prod", "pre-prod", "production123"])
def test_environment_names_are_refused(name: str) -> None:
    problem = only_problem(with_value(f"environments.{name}", {}))
    assert problem.startswith(f"platform.yaml: environments.{name}: environment names are")


def test_environment_without_overrides() -> None:
    config = parse(with_value("environments", {"dev": None, "test": {}}))
    assert [env.name for env in config.environments] == ["dev", "test"]
    assert dataclasses.replace(config.environments[1], name="dev") == config.environments[0]


# ---------------------------------------------------------------- YAML itself


def test_yaml_syntax_error_names_line_and_column() -> None:
    problem = only_problem("platform:\n  name: [lake\n")
    assert problem.startswith("platform.yaml: line 3, column 1: is not valid YAML")


def test_duplicate_keys_are_refused() -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False) + "environments: {prod: {}}\n"
    assert "duplicate key 'environments'" in only_problem(text)


def test_anchors_and_merge_keys_work() -> None:
    text = (
        yaml.safe_dump(minimal(), sort_keys=False)
        .replace(
            "      driver:\n        vcpu: 2\n        memory_gb: 4\n",
            "      driver: &small\n        vcpu: 2\n        memory_gb: 4\n",
        )
        .replace(
            "      executor:\n        vcpu: 4\n        memory_gb: 8\n",
            "      executor:\n        <<: *small\n        memory_gb: 8\n",
        )
    )
    assert "<<: *small" in text
    executor = parse_platform_config(text).environments[0].teams[0].application.workers[1]
    assert (executor.vcpu, executor.memory_gb) == (2, 8)


@pytest.mark.parametrize("text", ["", "- a\n", "just text\n"])
def test_document_must_be_a_mapping(text: str) -> None:
    assert only_problem(text).startswith("platform.yaml: must be a YAML mapping")


def test_keys_must_be_text() -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False) + "1: one\n"
    assert only_problem(text).startswith("platform.yaml: 1=1: keys must be text")


def test_yaml_booleans_are_not_names() -> None:
    problem = only_problem(with_value("teams[0].name", True))
    assert problem.startswith("platform.yaml: teams[0].name=True: must be text")


# ---------------------------------------------------------------- environments' overrides


def two_environments() -> dict[str, Any]:
    doc = minimal()
    doc["environments"] = {
        "dev": {},
        "prod": {
            "platform": {
                "network": {"vpc_cidr": "10.1.0.0/16", "nat_gateways": "per-az"},
                "log_retention_days": 365,
            },
            "teams": {
                "analytics": {
                    "application": {
                        "maximum_capacity": {"vcpu": 256},
                        "workers": {"executor": {"pre_initialized": 2}},
                    },
                    "glue_databases": {"read": ["prod_only"]},
                }
            },
        },
    }
    doc["teams"][0]["glue_databases"] = {"read": ["a", "b"], "read_write": ["c"]}
    return doc


def test_overrides_apply_to_their_environment_only() -> None:
    config = parse(two_environments())
    dev, prod = config.environment("dev"), config.environment("prod")
    assert (dev.network.vpc_cidr, dev.network.nat_gateways, dev.log_retention_days) == (
        "10.0.0.0/16",
        NatGateways.ONE,
        30,
    )
    assert (prod.network.vpc_cidr, prod.network.nat_gateways, prod.log_retention_days) == (
        "10.1.0.0/16",
        NatGateways.PER_AZ,
        365,
    )
    dev_app, prod_app = dev.teams[0].application, prod.teams[0].application
    assert (dev_app.maximum_capacity.vcpu, prod_app.maximum_capacity.vcpu) == (64, 256)
    dev_executor = dev_app.worker(WorkerType.SPARK_EXECUTOR)
    prod_executor = prod_app.worker(WorkerType.SPARK_EXECUTOR)
    assert (dev_executor.pre_initialized, prod_executor.pre_initialized) == (0, 2)
    assert (prod_executor.vcpu, prod_executor.memory_gb) == (4, 8)  # merged, not replaced
    assert dev.teams[0].glue_databases.read == ("a", "b")
    assert prod.teams[0].glue_databases == type(prod.teams[0].glue_databases)(
        read=("prod_only",), read_write=("c",)
    )  # a list is replaced whole
    assert (dev.stack_name, prod.stack_name) == (
        platform_stack_name("lake", "dev"),
        platform_stack_name("lake", "prod"),
    )


def test_bad_override_is_reported_where_it_is_written() -> None:
    doc = with_value(
        "environments.prod.teams.analytics.application.maximum_capacity.vcpu",
        -1,
        two_environments(),
    )
    assert only_problem(doc).startswith(
        "platform.yaml: environments.prod.teams.analytics.application.maximum_capacity.vcpu=-1: "
        "must be 1 or more"
    )


def test_unknown_key_in_an_override_is_reported_where_it_is_written() -> None:
    doc = with_value("environments.prod.platform.network.nat_gatways", 0, two_environments())
    problem = only_problem(doc)
    assert problem.startswith("platform.yaml: environments.prod.platform.network.nat_gatways=0")
    assert "did you mean 'nat_gateways'" in problem


def test_override_of_a_missing_mapping_is_reported_at_the_override() -> None:
    doc = with_value("environments.prod.teams.analytics.alarms", "off", two_environments())
    assert only_problem(doc).startswith(
        "platform.yaml: environments.prod.teams.analytics.alarms='off': must be a mapping"
    )


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("environments.prod.platform.name", "other", "same in every environment"),
        ("environments.prod.teams.analytics.name", "other", "same in every environment"),
        ("environments.prod.teams.analytic", {}, "no team named 'analytic' (did you mean"),
        ("environments.prod.regions", ["eu-west-1"], "unknown key"),
        ("environments.prod", "big", "must be a mapping"),
    ],
)
def test_refused_overrides(path: str, value: Any, rule: str) -> None:
    problem = only_problem(with_value(path, value, two_environments()))
    assert problem.startswith(f"platform.yaml: {path}=")
    assert rule in problem


def test_base_problems_are_reported_once_across_environments() -> None:
    doc = with_value("teams[0].prometheus", 1, two_environments())
    assert len(problems(doc)) == 1


# ---------------------------------------------------------------- key paths for construct errors


def test_key_path_points_at_the_override_when_there_is_one() -> None:
    config = parse(two_environments())
    dev, prod = (config.environment(name).teams[0] for name in ("dev", "prod"))
    setting = "application.maximum_capacity.vcpu"
    assert dev.key_path(setting) == f"platform.yaml: teams[0].{setting}"
    assert prod.key_path(setting) == (
        "platform.yaml: environments.prod.teams.analytics.application.maximum_capacity.vcpu"
    )
    assert prod.key_path("application.workers.executor.memory_gb") == (
        "platform.yaml: teams[0].application.workers.executor.memory_gb"
    )
    assert config.environment("prod").key_path("network.vpc_cidr") == (
        "platform.yaml: environments.prod.platform.network.vpc_cidr"
    )
    assert config.environment("dev").key_path("network") == "platform.yaml: platform.network"


@pytest.mark.parametrize("setting", ["colour", "", "maximum_capacity.vcpu"])
def test_key_path_of_an_unknown_setting_is_a_programming_error(setting: str) -> None:
    team = parse(minimal()).environments[0].teams[0]
    with pytest.raises(ValueError, match="is not one of the settings"):
        team.key_path(setting)


def test_blame_rewraps_a_construct_error_at_the_key_path() -> None:
    team = parse(two_environments()).environment("prod").teams[0]
    construct_error = EmrServerlessValidationError(
        argument="maximum_capacity", value="256vCPU", rule="needs more", fix="raise it"
    )
    setting = "application.maximum_capacity.vcpu"
    with pytest.raises(PlatformConfigError) as caught, team.blame(setting):
        raise construct_error
    assert str(caught.value) == (
        f"platform.yaml: environments.prod.teams.analytics.{setting}='256vCPU': "
        "needs more (checked as maximum_capacity). Fix: raise it"
    )
    assert caught.value.__cause__ is construct_error


def test_blame_leaves_other_errors_alone() -> None:
    env = parse(minimal()).environments[0]
    with pytest.raises(RuntimeError, match="boom"), env.blame("network.vpc_cidr"):
        raise RuntimeError("boom")
    config_error = PlatformConfigError([problem_of(with_value("teams[0].prometheus", 1))])
    with pytest.raises(PlatformConfigError) as caught, env.blame("network"):
        raise config_error
    assert caught.value is config_error


def problem_of(doc: dict[str, Any]) -> Any:
    with pytest.raises(PlatformConfigError) as caught:
        parse(doc)
    return caught.value.problems[0]


# ---------------------------------------------------------------- the subnet plan's inputs


def test_workloads_take_maximum_vcpu_and_the_smallest_worker() -> None:
    doc = minimal()
    second = copy.deepcopy(doc["teams"][0])
    second["name"] = "reporting"
    second["application"]["workers"] = {
        "driver": {"vcpu": 8, "memory_gb": 16},
        "executor": {"vcpu": 1, "memory_gb": 2},
    }
    second["application"]["maximum_capacity"] = {"vcpu": 100}
    doc["teams"].append(second)
    (env,) = parse(doc).environments
    assert env.workloads() == (
        Workload(max_vcpu=64, worker_vcpu=2, name="analytics"),
        Workload(max_vcpu=100, worker_vcpu=1, name="reporting"),
    )


def test_smallest_worker_prefers_the_driver_on_a_tie() -> None:
    doc = with_value("teams[0].application.workers.executor.vcpu", 2)
    worker = parse(doc).environments[0].teams[0].application.smallest_worker
    assert worker.worker_type is WorkerType.SPARK_DRIVER


def test_workload_refused_by_the_planner_names_the_worker_key() -> None:
    doc = with_value("teams[0].application.workers.executor.vcpu", 3)
    doc = with_value("teams[0].application.workers.driver.vcpu", 8, doc)
    env = parse(doc).environments[0]  # 3 vCPU is a domain rule, not the config's
    with pytest.raises(PlatformConfigError) as caught:
        env.workloads()
    assert str(caught.value).startswith(
        "platform.yaml: teams[0].application.workers.executor.vcpu=3:"
    )


# ---------------------------------------------------------------- lookups


def test_unknown_environment_names_the_known_ones() -> None:
    config = parse(two_environments())
    with pytest.raises(PlatformConfigError, match=r"defines dev, prod.*did you mean 'prod'"):
        config.environment("prd")


def test_unknown_team() -> None:
    with pytest.raises(KeyError, match="did you mean 'analytics'"):
        parse(minimal()).environments[0].team("analytic")


# ---------------------------------------------------------------- files


def test_shipped_example_is_valid_and_has_two_environments() -> None:
    config = load_platform_config(ROOT / DEFAULT_CONFIG_FILE)
    assert [env.name for env in config.environments] == ["dev", "prod"]
    for env in config.environments:
        assert env.teams
        assert all(w.max_vcpu >= 1 for w in env.workloads())


def test_load_uses_the_path_as_the_source(tmp_path: Path) -> None:
    path = tmp_path / "teams.yaml"
    path.write_text(yaml.safe_dump(with_value("teams[0].prometheus", "on")))
    with pytest.raises(PlatformConfigError) as caught:
        load_platform_config(path)
    assert str(caught.value).startswith(f"{path}: teams[0].prometheus='on'")


def test_missing_file_names_the_context_key(tmp_path: Path) -> None:
    with pytest.raises(PlatformConfigError) as caught:
        load_platform_config(tmp_path / "nope.yaml")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'nope.yaml'}: cannot be read")
    assert CONTEXT_KEY in message


# ---------------------------------------------------------------- properties

_VALID_NAMES = st.from_regex(r"\A[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,7}){0,2}\Z")


@given(name=_VALID_NAMES)
def test_valid_team_names_are_accepted(name: str) -> None:
    team = parse(with_value("teams[0].name", name)).environments[0].teams[0]
    assert team.name == name
    assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", team.construct_id)


@given(name=st.text(max_size=12))
def test_names_outside_the_pattern_are_refused(name: str) -> None:
    valid = re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name) is not None
    doc = with_value("teams[0].name", name)
    if valid:
        parse(doc)
    else:
        assert only_problem(doc).startswith("platform.yaml: teams[0].name=")


@given(minutes=st.integers(min_value=-50, max_value=20_000))
def test_idle_timeout_range(minutes: int) -> None:
    doc = with_value("teams[0].application.idle_timeout_minutes", minutes)
    low, high = IDLE_TIMEOUT_MINUTES
    if low <= minutes <= high:
        assert parse(doc).environments[0].teams[0].application.idle_timeout_minutes == minutes
    else:
        assert "from 1 to 10080" in only_problem(doc)


@given(days=st.integers(min_value=0, max_value=4000))
def test_log_retention_accepts_exactly_cloudwatch_periods(days: int) -> None:
    doc = with_value("platform.log_retention_days", days)
    if days in LOG_RETENTION_DAYS:
        assert parse(doc).environments[0].log_retention_days == days
    else:
        assert only_problem(doc).startswith(f"platform.yaml: platform.log_retention_days={days}")


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _leaf_paths(node: Any, path: str = "") -> list[str]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaf_paths(v, f"{path}.{k}" if path else k)]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaf_paths(v, f"{path}[{i}]")]
    return [path]


_PATHS = _leaf_paths(two_environments())


@settings(max_examples=300)
@given(path=st.sampled_from(_PATHS), junk=_JUNK)
def test_any_replaced_value_is_accepted_or_refused_with_a_key_path(path: str, junk: Any) -> None:
    doc = with_value(path, junk, two_environments())
    found: tuple[Problem, ...] = ()
    try:
        assert isinstance(parse(doc), PlatformConfig)
    except PlatformConfigError as error:
        found = error.problems or (Problem("", None, "", ""),)
    for problem in found:
        assert problem.location.startswith("platform.yaml")
        assert problem.rule
        assert problem.fix


_TREES = st.recursive(
    st.integers(),
    lambda children: st.dictionaries(st.sampled_from("abc"), children, max_size=3),
    max_leaves=8,
)


@given(base=_TREES, override=_TREES)
def test_merge_takes_each_override_leaf_and_records_where_it_was_written(
    base: Any, override: Any
) -> None:
    origins: dict[str, str] = {}
    merged = merge(base, override, "root", "env", origins)
    for path in _leaf_paths(override, "root"):
        value: Any = merged
        for step in _steps(path)[1:]:
            value = value[step]
        assert value == _at(override, path)
        assert origin(origins, path) == "env" + path.removeprefix("root")
    if isinstance(base, dict) and isinstance(override, dict):
        for key in base.keys() - override.keys():
            assert merged[key] == base[key]
            assert origin(origins, f"root.{key}") == f"root.{key}"


def _at(tree: Any, path: str) -> Any:
    for step in _steps(path)[1:]:
        tree = tree[step]
    return tree


def test_image_tag_names_the_teams_custom_image() -> None:
    (dev,) = parse(with_value("teams[0].application.image_tag", "etl-2026.11.1")).environments
    assert dev.teams[0].application.image_tag == "etl-2026.11.1"
    (default,) = parse(minimal()).environments
    assert default.teams[0].application.image_tag is None


def test_image_tag_must_be_a_docker_tag() -> None:
    problem = only_problem(with_value("teams[0].application.image_tag", "-latest"))
    assert "teams[0].application.image_tag" in problem
    assert "image tag is 1-300" in problem
