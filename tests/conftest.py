"""Shared fixtures: the reference app is synthesized once per test session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Set before aws_cdk starts its JavaScript runtime. jsii prints a banner on every
# start under an end-of-life Node.js; the Makefile sets these too, so that a bare
# `pytest` behaves the same. No test may reach AWS: no instance-metadata probing.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
# A call to a deprecated aws-cdk-lib API fails instead of printing a warning.
os.environ.setdefault("JSII_DEPRECATED", "fail")

import pytest
from hypothesis import HealthCheck, settings
from xdist.scheduler import LoadFileScheduling

import app as reference
from tests.harness import Synthesis, new_app, synthesize

#: One hypothesis profile for the whole suite: no per-example deadline and no "too slow"
#: health check. Both are timing checks, and nothing in this suite may depend on timing
#: (a loaded 2-core CI machine must pass every run). Example counts stay bounded instead.
HYPOTHESIS_PROFILE = "suite"
settings.register_profile(
    HYPOTHESIS_PROFILE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=False,
    print_blob=True,
)
settings.load_profile(HYPOTHESIS_PROFILE)


@pytest.fixture(scope="session")
def reference_app() -> Synthesis:
    """The reference app (``app.py``), environment-agnostic, synthesized with every check on."""
    cdk_app = new_app(compliance=False)
    reference.build_app(cdk_app, env=None)
    return synthesize(cdk_app)


#: The test modules that use :func:`reference_app` (read from their text).
REFERENCE_APP_MODULES = frozenset(
    f"tests/{path.name}"
    for path in Path(__file__).parent.glob("test_*.py")
    if "reference_app" in path.read_text(encoding="utf-8")
)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadfile``, run every module of :data:`REFERENCE_APP_MODULES` on one
    worker: the session fixture is then synthesized once per run, not once per worker.
    """
    if config.getoption("dist") != "loadfile":
        return None
    return _SharedReferenceApp(config, log)


class _SharedReferenceApp(LoadFileScheduling):  # type: ignore[misc]
    """``loadfile`` scheduling with the reference app's modules as one unit."""

    def _split_scope(self, nodeid: str) -> str:
        scope = str(super()._split_scope(nodeid))
        return "reference_app" if scope in REFERENCE_APP_MODULES else scope
