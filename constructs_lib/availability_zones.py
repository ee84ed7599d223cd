"""Regions EMR Serverless runs in, and the Availability Zone ids it supports in each.

In most Regions EMR Serverless runs in every Availability Zone; in some it runs only in
listed zone ids (zone *names* map to different ids in each account, so only ids are
checked). Data with its source per row.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from constructs_lib.errors import EmrServerlessValidationError

#: The service endpoints and quotas page: Regions, and the zone ids supported where limited.
ENDPOINTS_PAGE = (
    "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/endpoints-quotas.html"
)

#: Regions with an EMR Serverless endpoint (ENDPOINTS_PAGE).
EMR_SERVERLESS_REGIONS: frozenset[str] = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "me-south-1",
        "sa-east-1",
    }
)

#: Region -> the only Availability Zone ids EMR Serverless supports there (ENDPOINTS_PAGE);
#: a Region not listed supports all of its zones.
SUPPORTED_AZ_IDS: Mapping[str, frozenset[str]] = {
    "us-east-1": frozenset({"use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"}),
    "us-east-2": frozenset({"use2-az1", "use2-az2", "use2-az3"}),
    "us-west-1": frozenset({"usw1-az1", "usw1-az3"}),
    "us-west-2": frozenset({"usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"}),
    "ca-central-1": frozenset({"cac1-az1", "cac1-az2"}),
}


def supported_az_ids(region: str) -> frozenset[str] | None:
    """The zone ids EMR Serverless supports in ``region``; ``None`` when it supports all."""
    return SUPPORTED_AZ_IDS.get(region)


def check_az_ids(region: str, az_ids: Iterable[str], *, argument: str) -> None:
    """Refuse zone ids EMR Serverless does not support in ``region``."""
    supported = supported_az_ids(region)
    if supported is None:
        return
    unsupported = sorted(set(az_ids) - supported)
    if unsupported:
        raise EmrServerlessValidationError(
            argument=argument,
            value=unsupported,
            rule=f"EMR Serverless supports only the Availability Zones {sorted(supported)} in "
            f"{region} ({ENDPOINTS_PAGE})",
            fix=f"use subnets in {', '.join(sorted(supported))}",
        )
