"""Regions EMR Serverless runs in, and the Availability Zone ids it supports in each.

EMR Serverless runs only in listed zone ids in almost every Region (the endpoints page
says "limited to the following Availability Zones"). Zone *names* (``us-east-1a``) map to
different zone *ids* (``use1-az1``) in each account, so only ids are checked, and a
construct that knows only names (or lets ``Fn::GetAZs`` choose) can refuse only a zone
count larger than the supported set. Data with its source per row.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from constructs_lib.errors import EmrServerlessValidationError

#: The service endpoints and quotas page: Regions, and the zone ids supported where limited.
ENDPOINTS_PAGE = (
    "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/endpoints-quotas.html"
)
_ENDPOINTS_TABLE = ENDPOINTS_PAGE + "#endpoints"


@dataclass(frozen=True)
class RegionEndpoint:
    """One Region of the EMR Serverless endpoints table.

    :param region: the Region code.
    :param az_ids: the only zone ids EMR Serverless supports there; empty when the page
        names none (every zone).
    :param source: where the row comes from.
    """

    region: str
    az_ids: tuple[str, ...]
    source: str = _ENDPOINTS_TABLE


def _zones(prefix: str, *numbers: int) -> tuple[str, ...]:
    return tuple(f"{prefix}-az{n}" for n in numbers)


#: The endpoints table, in the page's order.
REGION_ENDPOINTS: tuple[RegionEndpoint, ...] = (
    RegionEndpoint("us-east-2", _zones("use2", 1, 2, 3)),
    RegionEndpoint("us-east-1", _zones("use1", 1, 2, 4, 5, 6)),
    RegionEndpoint("us-west-1", _zones("usw1", 1, 3)),
    RegionEndpoint("us-west-2", _zones("usw2", 1, 2, 3, 4)),
    RegionEndpoint("af-south-1", _zones("afs1", 1, 2, 3)),
    RegionEndpoint("ap-east-1", _zones("ape1", 1, 2, 3)),
    RegionEndpoint("ap-east-2", _zones("ape2", 1, 2, 3)),
    RegionEndpoint("ap-southeast-3", _zones("apse3", 1, 2, 3)),
    RegionEndpoint("ap-southeast-4", _zones("apse4", 1, 2, 3)),
    RegionEndpoint("ap-southeast-5", _zones("apse5", 1, 2, 3)),
    RegionEndpoint("ap-southeast-6", _zones("apse6", 1, 2, 3)),
    RegionEndpoint("ap-southeast-7", _zones("apse7", 1, 2, 3)),
    RegionEndpoint("ap-south-1", _zones("aps1", 1, 2, 3)),
    RegionEndpoint("ap-south-2", _zones("aps2", 1, 2, 3)),
    RegionEndpoint("ap-northeast-3", _zones("apne3", 1, 2, 3)),
    RegionEndpoint("ap-northeast-2", _zones("apne2", 1, 2, 3, 4)),
    RegionEndpoint("ap-southeast-1", _zones("apse1", 1, 2, 3)),
    RegionEndpoint("ap-southeast-2", _zones("apse2", 1, 2, 3)),
    RegionEndpoint("ap-northeast-1", _zones("apne1", 1, 2, 4)),
    RegionEndpoint("ca-central-1", _zones("cac1", 1, 2, 4)),
    RegionEndpoint("ca-west-1", _zones("caw1", 1, 2, 3)),
    RegionEndpoint("eu-central-1", _zones("euc1", 1, 2, 3)),
    RegionEndpoint("eu-central-2", _zones("euc2", 1, 2, 3)),
    RegionEndpoint("eu-west-1", _zones("euw1", 1, 2, 3)),
    RegionEndpoint("eu-west-2", _zones("euw2", 1, 2, 3)),
    RegionEndpoint("eu-south-1", _zones("eus1", 1, 2, 3)),
    RegionEndpoint("eu-west-3", _zones("euw3", 1, 2, 3)),
    RegionEndpoint("eu-south-2", _zones("eus2", 1, 2, 3)),
    RegionEndpoint("eu-north-1", _zones("eun1", 1, 2, 3)),
    RegionEndpoint("il-central-1", _zones("ilc1", 1, 2, 3)),
    RegionEndpoint("me-south-1", ()),
    RegionEndpoint("me-central-1", _zones("mec1", 1, 2, 3)),
    RegionEndpoint("mx-central-1", _zones("mxc1", 1, 2, 3)),
    RegionEndpoint("sa-east-1", _zones("sae1", 1, 2, 3)),
    RegionEndpoint("cn-north-1", _zones("cnn1", 1, 2)),
    RegionEndpoint("us-gov-east-1", _zones("usge1", 1, 2, 3)),
    RegionEndpoint("us-gov-west-1", _zones("usgw1", 1, 2, 3)),
)

#: Regions with an EMR Serverless endpoint (ENDPOINTS_PAGE).
EMR_SERVERLESS_REGIONS: frozenset[str] = frozenset(row.region for row in REGION_ENDPOINTS)

#: What a Region code looks like in every partition (botocore ``partitions.json``: each
#: partition's ``regionRegex`` is a prefix, a word and a number, e.g. ``us-gov-west-1``,
#: ``eusc-de-east-1``). A code of this form that is not in :data:`EMR_SERVERLESS_REGIONS`
#: may be a Region opened after this table: warned about, not refused.
REGION_CODE = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-[0-9]+")

#: Region -> the only Availability Zone ids EMR Serverless supports there (ENDPOINTS_PAGE);
#: a Region not listed supports all of its zones.
SUPPORTED_AZ_IDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {row.region: frozenset(row.az_ids) for row in REGION_ENDPOINTS if row.az_ids}
)

_AZ_NUMBER = re.compile(r"-az(\d+)$")


def supported_az_ids(region: str) -> frozenset[str] | None:
    """The zone ids EMR Serverless supports in ``region``; ``None`` when it supports all."""
    return SUPPORTED_AZ_IDS.get(region)


def skips_zones(region: str) -> bool:
    """Whether ``region`` has zone ids EMR Serverless does not support.

    True when the supported ids of ``region`` skip a number (``use1-az3`` between
    ``use1-az2`` and ``use1-az4``): zone names chosen without their ids may land there.
    """
    supported = supported_az_ids(region)
    if supported is None:
        return False
    numbers = sorted(int(m[1]) for m in map(_AZ_NUMBER.search, supported) if m)
    return numbers != list(range(1, len(numbers) + 1))


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


def check_az_count(region: str, azs: int, *, argument: str = "azs") -> None:
    """Refuse more Availability Zones than EMR Serverless supports in ``region``."""
    supported = supported_az_ids(region)
    if supported is None or azs <= len(supported):
        return
    raise EmrServerlessValidationError(
        argument=argument,
        value=azs,
        rule=f"EMR Serverless supports {len(supported)} Availability Zones in {region} "
        f"({', '.join(sorted(supported))}; {ENDPOINTS_PAGE}), so with more zones at least "
        "one subnet is in a zone it does not support",
        fix=f"use at most {len(supported)} zones in {region}",
    )


def unknown_region_warning(region: str) -> str | None:
    """The caveat for a well-formed Region this table does not list; ``None`` when listed."""
    if region in EMR_SERVERLESS_REGIONS:
        return None
    return (
        f"{region} is not in the EMR Serverless endpoints table this library knows "
        f"({ENDPOINTS_PAGE}): if EMR Serverless runs there (a Region opened since), it is "
        "used as it is and its Availability Zone ids are not checked; if not, the deployment "
        "fails"
    )


def zone_choice_warning(region: str) -> str | None:
    """The caveat for zones chosen by name in ``region``; ``None`` where every zone works."""
    if not skips_zones(region):
        return None
    supported = ", ".join(sorted(supported_az_ids(region) or ()))
    return (
        f"EMR Serverless runs only in the zone ids {supported} of {region} ({ENDPOINTS_PAGE}). "
        "Zone names map to different ids in each account, so zones chosen by name (or by "
        "Fn::GetAZs) may include one it does not support: pass availability_zones whose ids "
        "are among these (aws ec2 describe-availability-zones shows each name's ZoneId)"
    )
