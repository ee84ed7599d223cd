"""The reference stacks report a construct's refusal at the platform file's key path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

import app as reference
from constructs_lib.platform_config import PlatformConfigError, parse_platform_config
from tests.harness import new_app

SHIPPED: dict[str, Any] = yaml.safe_load(Path(reference.DEFAULT_CONFIG).read_text())


def _build(document: dict[str, Any]) -> list[cdk.Stack]:
    config = parse_platform_config(yaml.safe_dump(document), source="platform.yaml")
    return reference.build_app(new_app(compliance=False), config=config)


def _with(path: list[str | int], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(SHIPPED)
    node: Any = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return document


REPORTING_TEZ = ["teams", 1, "application", "workers", "tez_task"]


def test_an_on_demand_worker_size_is_checked_at_its_key() -> None:
    document = _with([*REPORTING_TEZ, "memory_gb"], 3)
    with pytest.raises(PlatformConfigError) as refused:
        _build(document)
    message = str(refused.value)
    assert "platform.yaml: teams[1].application.workers.tez_task.memory_gb=3" in message
    assert "4-16 GB" in message


def test_its_valid_neighbour_builds() -> None:
    # The shipped platform but for this one size: images, then per environment a network,
    # a shared platform and two team stacks.
    stacks = _build(_with([*REPORTING_TEZ, "memory_gb"], 4))
    assert len(stacks) == 1 + 2 * (2 + 2)


def test_a_release_the_application_refuses_is_reported_at_its_key() -> None:
    document = _with(["teams", 0, "application", "release_label"], "emr-6.5.0")
    with pytest.raises(PlatformConfigError, match=r"teams\[0\]\.application\.release_label"):
        _build(document)


def test_an_override_is_blamed_where_it_is_written() -> None:
    overrides = SHIPPED["environments"]["prod"]["teams"]["analytics"]["application"]
    document = _with(["environments", "prod", "teams", "analytics", "application"], overrides)
    document["environments"]["prod"]["teams"]["analytics"]["application"]["maximum_capacity"] = {
        "vcpu": 1
    }
    with pytest.raises(PlatformConfigError) as refused:
        _build(document)
    assert "environments.prod.teams.analytics.application.maximum_capacity" in str(refused.value)
