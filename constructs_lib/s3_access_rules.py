"""Whether jobs in a subnet reach Amazon S3: one row per kind of route, with its source.

EMR Serverless jobs read their scripts and data from S3 and write logs there. From a
private subnet, S3 is reached through a NAT gateway or an S3 VPC endpoint ("For Amazon S3
connectivity, configure either a NAT Gateway or a VPC endpoint", and "we recommend that
you also set up VPC endpoints for Amazon S3" to avoid NAT charges: User Guide, VPC access).

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from constructs_lib.sources import user_guide

#: The User Guide page behind every row.
VPC_ACCESS = user_guide("vpc-access")


class S3Route(enum.Enum):
    """How a subnet's route table reaches S3."""

    #: An S3 gateway endpoint is associated with the route table.
    GATEWAY_ENDPOINT = "gateway-endpoint"
    #: The default route goes to a NAT gateway, and no S3 gateway endpoint is associated.
    NAT_ONLY = "nat-only"
    #: The default route goes to an internet gateway (a public subnet).
    INTERNET_GATEWAY = "internet-gateway"
    #: No default route and no S3 gateway endpoint: S3 is not routed.
    NONE = "none"
    #: Routes not known at synth (an imported subnet), or a default route to another target.
    UNKNOWN = "unknown"


class Outcome(enum.Enum):
    """What the synth does."""

    ACCEPT = "accept"
    WARN = "warn"
    UNCHECKED = "unchecked"


#: The warning ids (``Annotation::<id>`` to acknowledge one on an application).
S3_UNREACHABLE_WARNING = "emr-serverless:s3-unreachable"
S3_THROUGH_NAT_WARNING = "emr-serverless:s3-through-nat"


@dataclass(frozen=True)
class S3AccessRule:
    """What the synth does for one kind of route, why, and the fix.

    EMR Serverless creates an application whatever its subnets' routes, so no route is
    refused: a route that leaves jobs without S3 is a warning, like the guide's advice.
    """

    outcome: Outcome
    rule: str
    fix: str
    source: str
    warning: str = ""


#: One row per kind of route.
S3_ACCESS_RULES: Mapping[S3Route, S3AccessRule] = {
    S3Route.GATEWAY_ENDPOINT: S3AccessRule(
        Outcome.ACCEPT,
        "S3 traffic stays in the VPC through the gateway endpoint",
        "",
        VPC_ACCESS,
    ),
    S3Route.INTERNET_GATEWAY: S3AccessRule(
        Outcome.ACCEPT,
        "a public subnet reaches S3 through its internet gateway",
        "",
        VPC_ACCESS,
    ),
    S3Route.NONE: S3AccessRule(
        Outcome.WARN,
        "a private subnet reaches Amazon S3 (job scripts, data and logs) only through a NAT "
        f"gateway or an S3 VPC endpoint, and these subnets have neither, so jobs that use S3 "
        f"fail ({VPC_ACCESS}; EMR Serverless still creates the application)",
        "add an S3 gateway endpoint on the subnets' route tables (vpc.add_gateway_endpoint("
        "'S3', service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[...]); "
        "EmrServerlessNetwork creates one) or a NAT gateway route",
        VPC_ACCESS,
        S3_UNREACHABLE_WARNING,
    ),
    S3Route.NAT_ONLY: S3AccessRule(
        Outcome.WARN,
        "jobs reach Amazon S3 through the NAT gateway, which bills every gigabyte of S3 "
        f"traffic; the guide recommends an S3 VPC endpoint for private subnets ({VPC_ACCESS})",
        "add an S3 gateway endpoint on the subnets' route tables (no charge)",
        VPC_ACCESS,
        S3_THROUGH_NAT_WARNING,
    ),
    S3Route.UNKNOWN: S3AccessRule(
        Outcome.UNCHECKED,
        "jobs in a private subnet need a NAT gateway or an S3 VPC endpoint to reach Amazon S3 "
        f"({VPC_ACCESS}); the subnets' routes are not known at synth",
        "check the route tables before deploying",
        VPC_ACCESS,
    ),
}


def s3_access_rule(route: S3Route) -> S3AccessRule:
    """The row for ``route``."""
    return S3_ACCESS_RULES[route]
