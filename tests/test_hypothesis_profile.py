"""The suite's hypothesis profile has no timing checks, and no test module overrides that."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, settings

from tests.conftest import HYPOTHESIS_PROFILE

TESTS = Path(__file__).resolve().parent


def test_the_suite_profile_is_loaded_and_untimed() -> None:
    current = settings()
    assert settings._current_profile == HYPOTHESIS_PROFILE
    assert current.deadline is None
    assert HealthCheck.too_slow in current.suppress_health_check


def test_no_module_sets_a_deadline() -> None:
    setting_a_deadline = re.compile(r"deadline\s*=\s*(?!None)")
    offenders = [
        path.name
        for path in sorted(TESTS.glob("test_*.py"))
        if path.name != Path(__file__).name and setting_a_deadline.search(path.read_text())
    ]
    assert offenders == []
