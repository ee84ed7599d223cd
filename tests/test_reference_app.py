"""The reference app: every gate on every stack, and a snapshot per stack as a change detector."""

from __future__ import annotations

import json
import re

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.harness import Synthesis

REFERENCE_STACKS = ["EmrServerlessStorage"]


def test_stacks(reference_app: Synthesis) -> None:
    assert sorted(reference_app.templates) == sorted(REFERENCE_STACKS)


def test_nag_packs_report_nothing_unacknowledged(reference_app: Synthesis) -> None:
    reference_app.assert_nag_clean()


def test_no_construct_warnings(reference_app: Synthesis) -> None:
    reference_app.assert_no_warnings()


def test_acknowledgements_are_per_resource_and_finding(reference_app: Synthesis) -> None:
    reference_app.assert_acknowledgements_specific()
    assert reference_app.acknowledgements(), "expected the documented acknowledgements"


def test_cfn_lint_clean(reference_app: Synthesis) -> None:
    reference_app.assert_cfn_lint_clean()


def test_environment_agnostic(reference_app: Synthesis) -> None:
    text = json.dumps(reference_app.templates)
    assert not re.search(r"\b\d{12}\b", text), "an account id is baked into a template"
    assert not re.search(r"\b(us|eu|ap|sa|ca|me|af)-[a-z]+-\d\b", text), "a region is baked in"


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_snapshot(reference_app: Synthesis, stack: str, snapshot: SnapshotAssertion) -> None:
    assert reference_app.templates[stack] == snapshot
