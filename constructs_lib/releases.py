"""EMR release labels, compared by version, and the features each release gates.

Pure module: imports nothing from ``aws_cdk``.

Line numbers (``L1654``) cite the *Amazon EMR Serverless User Guide* digested in
``requirements.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from constructs_lib.errors import EmrServerlessValidationError

_LABEL = re.compile(
    r"emr-(?P<major>0|[1-9]\d{0,3})\.(?P<minor>0|[1-9]\d{0,3})\.(?P<patch>0|[1-9]\d{0,3})"
)


@dataclass(frozen=True, order=True)
class ReleaseLabel:
    """An EMR release label such as ``emr-7.12.0``, ordered by version (not by text).

    Use a constant (``ReleaseLabel.EMR_7_12_0``) or :meth:`of` for any other release,
    including ones newer than this library.
    """

    major: int
    minor: int
    patch: int

    #: The oldest release EMR Serverless runs (guide L9139).
    MINIMUM: ClassVar[ReleaseLabel]

    EMR_6_6_0: ClassVar[ReleaseLabel]
    EMR_6_7_0: ClassVar[ReleaseLabel]
    EMR_6_8_0: ClassVar[ReleaseLabel]
    EMR_6_9_0: ClassVar[ReleaseLabel]
    EMR_6_10_0: ClassVar[ReleaseLabel]
    EMR_6_11_0: ClassVar[ReleaseLabel]
    EMR_6_12_0: ClassVar[ReleaseLabel]
    EMR_6_13_0: ClassVar[ReleaseLabel]
    EMR_6_14_0: ClassVar[ReleaseLabel]
    EMR_6_15_0: ClassVar[ReleaseLabel]
    EMR_7_0_0: ClassVar[ReleaseLabel]
    EMR_7_1_0: ClassVar[ReleaseLabel]
    EMR_7_2_0: ClassVar[ReleaseLabel]
    EMR_7_3_0: ClassVar[ReleaseLabel]
    EMR_7_4_0: ClassVar[ReleaseLabel]
    EMR_7_5_0: ClassVar[ReleaseLabel]
    EMR_7_6_0: ClassVar[ReleaseLabel]
    EMR_7_7_0: ClassVar[ReleaseLabel]
    EMR_7_8_0: ClassVar[ReleaseLabel]
    EMR_7_9_0: ClassVar[ReleaseLabel]
    EMR_7_10_0: ClassVar[ReleaseLabel]
    EMR_7_11_0: ClassVar[ReleaseLabel]
    EMR_7_12_0: ClassVar[ReleaseLabel]

    @classmethod
    def of(cls, label: str, *, argument: str = "release") -> ReleaseLabel:
        """Parse ``emr-X.Y.Z``; refuse malformed labels and releases before emr-6.6.0.

        :param argument: the argument name to report in the error.
        """
        match = _LABEL.fullmatch(label) if isinstance(label, str) else None
        if match is None:
            raise EmrServerlessValidationError(
                argument=argument,
                value=label,
                rule="a release label has the form emr-<major>.<minor>.<patch>, e.g. emr-7.12.0 "
                "(CreateApplication releaseLabel)",
                fix="pass a ReleaseLabel constant such as ReleaseLabel.EMR_7_12_0, or "
                "ReleaseLabel.of('emr-X.Y.Z')",
            )
        release = cls(int(match["major"]), int(match["minor"]), int(match["patch"]))
        if release < cls.MINIMUM:
            raise EmrServerlessValidationError(
                argument=argument,
                value=label,
                rule=f"EMR Serverless runs {cls.MINIMUM} and later only (guide L9139)",
                fix=f"use {cls.MINIMUM} or later; the default is {DEFAULT_RELEASE}",
            )
        return release

    @property
    def label(self) -> str:
        """The label as the API takes it, e.g. ``emr-7.12.0``."""
        return f"emr-{self.major}.{self.minor}.{self.patch}"

    def supports(self, feature: Feature) -> bool:
        """Whether this release has ``feature``."""
        return self >= feature.minimum

    def __str__(self) -> str:
        return self.label


ReleaseLabel.MINIMUM = ReleaseLabel(6, 6, 0)
ReleaseLabel.EMR_6_6_0 = ReleaseLabel(6, 6, 0)
ReleaseLabel.EMR_6_7_0 = ReleaseLabel(6, 7, 0)
ReleaseLabel.EMR_6_8_0 = ReleaseLabel(6, 8, 0)
ReleaseLabel.EMR_6_9_0 = ReleaseLabel(6, 9, 0)
ReleaseLabel.EMR_6_10_0 = ReleaseLabel(6, 10, 0)
ReleaseLabel.EMR_6_11_0 = ReleaseLabel(6, 11, 0)
ReleaseLabel.EMR_6_12_0 = ReleaseLabel(6, 12, 0)
ReleaseLabel.EMR_6_13_0 = ReleaseLabel(6, 13, 0)
ReleaseLabel.EMR_6_14_0 = ReleaseLabel(6, 14, 0)
ReleaseLabel.EMR_6_15_0 = ReleaseLabel(6, 15, 0)
ReleaseLabel.EMR_7_0_0 = ReleaseLabel(7, 0, 0)
ReleaseLabel.EMR_7_1_0 = ReleaseLabel(7, 1, 0)
ReleaseLabel.EMR_7_2_0 = ReleaseLabel(7, 2, 0)
ReleaseLabel.EMR_7_3_0 = ReleaseLabel(7, 3, 0)
ReleaseLabel.EMR_7_4_0 = ReleaseLabel(7, 4, 0)
ReleaseLabel.EMR_7_5_0 = ReleaseLabel(7, 5, 0)
ReleaseLabel.EMR_7_6_0 = ReleaseLabel(7, 6, 0)
ReleaseLabel.EMR_7_7_0 = ReleaseLabel(7, 7, 0)
ReleaseLabel.EMR_7_8_0 = ReleaseLabel(7, 8, 0)
ReleaseLabel.EMR_7_9_0 = ReleaseLabel(7, 9, 0)
ReleaseLabel.EMR_7_10_0 = ReleaseLabel(7, 10, 0)
ReleaseLabel.EMR_7_11_0 = ReleaseLabel(7, 11, 0)
ReleaseLabel.EMR_7_12_0 = ReleaseLabel(7, 12, 0)

#: Every release this library names, oldest first.
KNOWN_RELEASES: tuple[ReleaseLabel, ...] = tuple(
    sorted(
        value
        for name, value in vars(ReleaseLabel).items()
        if name.startswith("EMR_") and isinstance(value, ReleaseLabel)
    )
)

#: The release an application gets when none is passed: the newest release in the EMR
#: Serverless release list when this library was written (Spark 3.5, Java 17 available,
#: every feature gate below open). Pin ``release`` in production; defaults move.
DEFAULT_RELEASE = ReleaseLabel.EMR_7_12_0


class Feature(Enum):
    """A capability that needs a minimum release, with the source of that minimum."""

    ARM64 = (
        "the ARM64 (Graviton) architecture",
        "emr-6.8.0",
        "guide L2034: the Graviton example runs emr-6.8.0; the release notes (L9310) say "
        "6.9.0, and this library follows the worked example",
    )
    LOG4J2_CLASSIFICATIONS = (
        "the spark-driver-log4j2 and spark-executor-log4j2 classifications",
        "emr-6.8.0",
        "guide L1468, L5088",
    )
    CUSTOM_IMAGES = ("custom images", "emr-6.9.0", "guide L1654")
    JAVA_17 = ("the Java 17 runtime", "emr-6.11.0", "guide L5823")
    INTERACTIVE = (
        "interactive use (EMR Studio, the Livy endpoint, interactive sessions)",
        "emr-6.14.0",
        "guide L4168, L4255",
    )
    INTERNODE_TLS = (
        "mutual TLS between workers (spark.ssl.internode.enabled)",
        "emr-6.15.0",
        "guide L8538",
    )
    S3_ACCESS_GRANTS = ("S3 Access Grants", "emr-6.15.0", "guide L8798")
    SCHEDULER = (
        "job concurrency and queuing (scheduler configuration)",
        "emr-7.0.0",
        "guide L2150",
    )
    PROMETHEUS = (
        "Amazon Managed Service for Prometheus remote write",
        "emr-7.1.0",
        "guide L5508",
    )
    SHUFFLE_OPTIMIZED_DISKS = ("shuffle-optimized disks", "emr-7.1.0", "guide L2439")
    LAKE_FORMATION = (
        "Lake Formation fine-grained access control",
        "emr-7.2.0",
        "guide L8258",
    )
    IDENTITY_CENTER = (
        "IAM Identity Center trusted identity propagation",
        "emr-7.8.0",
        "CloudFormation schema of AWS::EMRServerless::Application",
    )
    METRICS_BY_APPLICATION_NAME = (
        "CloudWatch metrics with the ApplicationName dimension",
        "emr-7.10.0",
        "EMR Serverless 7.10.0 release notes",
    )

    def __init__(self, title: str, minimum: str, source: str) -> None:
        self.title = title
        self._minimum = minimum
        self.source = source

    @property
    def minimum(self) -> ReleaseLabel:
        """The first release with this feature."""
        return ReleaseLabel.of(self._minimum)


def require(
    release: ReleaseLabel,
    feature: Feature,
    *,
    argument: str,
    value: object,
    fix: str | None = None,
) -> None:
    """Refuse ``value`` of ``argument`` when ``release`` predates ``feature``."""
    if release.supports(feature):
        return
    raise EmrServerlessValidationError(
        argument=argument,
        value=value,
        rule=f"{feature.title} needs {feature.minimum} or later ({feature.source}); "
        f"the application runs {release}",
        fix=fix or f"set release to {feature.minimum} or later, or remove {argument}",
    )
