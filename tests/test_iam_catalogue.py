"""The IAM catalogue extension: only what policy_sentry lacks, each row sourced, no fakes."""

from __future__ import annotations

from policy_sentry.querying.actions import get_action_data
from policy_sentry.querying.all import get_all_actions

from constructs_lib.iam_actions import SESSION_ACTIONS, SESSION_APPLICATION_ACTIONS
from tests.harness import iam_action_exists
from tests.iam_catalogue import EXTRA_ACTIONS, EXTRA_RESOURCE_FORMATS
from tests.iam_checks import arn_formats, arn_matches_format

SESSION_ARN = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/00abc/sessions/*"
APPLICATION_ARN = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/00abc"


def test_rows_are_only_what_policy_sentry_lacks() -> None:
    # When policy_sentry's data catches up, this fails: drop the row it now has.
    known = {action.lower() for action in get_all_actions()}
    assert [a for a in EXTRA_ACTIONS if a.lower() in known] == []
    for action in EXTRA_RESOURCE_FORMATS:
        service, name = action.split(":")
        formats = {row["resource_arn_format"] for row in get_action_data(service, name)[service]}
        assert formats == {"*"}, action


def test_every_row_cites_the_service_authorization_reference_or_the_guide() -> None:
    for formats, source in (*EXTRA_ACTIONS.values(), *EXTRA_RESOURCE_FORMATS.values()):
        assert formats
        assert source.startswith("https://docs.aws.amazon.com/")


def test_the_session_actions_are_known_with_their_resource_types() -> None:
    for action in SESSION_ACTIONS:
        assert iam_action_exists(action)
        assert any(arn_matches_format(SESSION_ARN, f) for f in arn_formats(action))
        assert not any(arn_matches_format(APPLICATION_ARN, f) for f in arn_formats(action))
    for action in SESSION_APPLICATION_ACTIONS:
        assert iam_action_exists(action)
        assert any(arn_matches_format(APPLICATION_ARN, f) for f in arn_formats(action))


def test_made_up_actions_are_still_unknown() -> None:
    for action in (
        "emr-serverless:StartSessions",
        "emr-serverless:OpenSession",
        "logs:DescribeLogGroup",
    ):
        assert not iam_action_exists(action)
        assert arn_formats(action) == ()
