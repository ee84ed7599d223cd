"""EMR release labels, the release lines and releases EMR Serverless offers, and their gates.

The model is data:

- :data:`LINES`: the release lines (``emr-6.x``, ``emr-7.x``, ``emr-spark-8.x``), each
  with the label form it uses and the engines it runs, with its source;
- :data:`RELEASES`: every release this library knows, with its engine versions (Spark,
  Hive, Tez, Java, Python where the documentation gives them), whether it is a preview,
  and its source. Rows of the ``emr-spark-8.x`` line also say which :class:`Feature`\\ s
  each release adds or is documented to lack;
- :class:`Feature`: what needs a release, with the first ``emr-6.x``/``emr-7.x`` release
  that has it and its source.

:class:`ReleaseLabel` takes any label the API takes (1-64 of ``[A-Za-z0-9._/-]``). Only
what the service refuses is refused: a malformed label, a release before emr-6.6.0, a
feature a release is documented not to have. A release newer than the table in a known
line is assumed to have the features of the newest known release of that line, and a
label of a form this library does not know is passed on unchecked; both are accepted with
a warning (:meth:`ReleaseLabel.warning`). Warnings go through
:func:`constructs_lib._advice.advise`, for the construct to record.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, total_ordering
from types import MappingProxyType
from typing import ClassVar

from constructs_lib._advice import advise
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.sources import api_reference, user_guide

# --- sources ---------------------------------------------------------------------------------

#: The EMR Serverless release list (every release the service offers).
RELEASE_VERSIONS_PAGE = user_guide("release-versions")
#: CreateApplication: ``releaseLabel`` is 1-64 of ``[A-Za-z0-9._/-]``.
CREATE_APPLICATION_PAGE = api_reference("CreateApplication")
#: Spark versions of every EMR release (EMR on EC2, the same engine builds).
SPARK_HISTORY_PAGE = (
    "https://docs.aws.amazon.com/emr/latest/ReleaseGuide/Spark-release-history.html"
)
#: The Lake Formation considerations page (custom images in user space from emr-7.14.0).
LAKE_FORMATION_CONSIDERATIONS_PAGE = user_guide("emr-serverless-lf-enable-considerations")
#: Spark Connect sessions (the session APIs), emr-7.13.0 and later.
SPARK_CONNECT_PAGE = user_guide("spark-connect")
#: Endpoints and quotas: Regions, their Availability Zones and regional minimum releases.
ENDPOINTS_PAGE = user_guide("endpoints-quotas", "regional-release-support")
#: Updating running applications: the image digest resolution default by release.
UPDATING_RUNNING_APPLICATIONS_PAGE = user_guide("updating-running-applications")


def release_page(label: str) -> str:
    """The User Guide page of one release, e.g. ``release-version-7110.html``."""
    if label.startswith("emr-spark-"):
        return user_guide(f"release-version-{label}")
    return user_guide("release-version-" + label.removeprefix("emr-").replace(".", ""))


# --- label forms -----------------------------------------------------------------------------

#: What the API takes as ``releaseLabel`` (CreateApplication; the CloudFormation schema of
#: ``AWS::EMRServerless::Application`` has the same pattern and lengths).
LABEL_PATTERN = re.compile(r"[A-Za-z0-9._/-]+")
MIN_LABEL_LENGTH = 1
MAX_LABEL_LENGTH = 64

_N = r"(?:0|[1-9]\d{0,3})"
#: ``emr-<major>.<minor>.<patch>``: the emr-5.x, emr-6.x and emr-7.x lines.
_EMR = re.compile(rf"emr-(?P<major>{_N})\.(?P<minor>{_N})\.(?P<patch>{_N})")
#: ``emr-spark-<major>.<minor>.<patch>`` and ``emr-spark-<major>.<minor>-preview``.
_EMR_SPARK = re.compile(
    rf"emr-spark-(?P<major>{_N})\.(?P<minor>{_N})(?:\.(?P<patch>{_N})|-(?P<stage>preview))"
)

#: The oldest release EMR Serverless runs (guide L9139).
MINIMUM_LABEL = "emr-6.6.0"
_MINIMUM_VERSION = (6, 6, 0)


@dataclass(frozen=True)
class ReleaseLine:
    """A release line: its label family and major version, and the engines it runs."""

    name: str
    family: str
    major: int
    engines: tuple[str, ...]
    title: str
    source: str


#: The release lines EMR Serverless offers, oldest first.
LINES: tuple[ReleaseLine, ...] = (
    ReleaseLine(
        "emr-6.x",
        "emr",
        6,
        ("SPARK", "HIVE"),
        "Amazon EMR 6.x (Spark 3 and Hive 3), from emr-6.6.0",
        RELEASE_VERSIONS_PAGE,
    ),
    ReleaseLine(
        "emr-7.x",
        "emr",
        7,
        ("SPARK", "HIVE"),
        "Amazon EMR 7.x (Spark 3.5 and Hive 3)",
        RELEASE_VERSIONS_PAGE,
    ),
    ReleaseLine(
        "emr-spark-8.x",
        "emr-spark",
        8,
        ("SPARK",),
        "AWS runtime for Apache Spark (Spark 4): its releases hold Spark, Delta, Hudi, "
        "Iceberg, Livy and Jupyter Enterprise Gateway, and no Hive or Tez",
        "https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-spark800-release.html",
    ),
)


@dataclass(frozen=True)
class _Parsed:
    family: str | None
    major: int | None = None
    minor: int | None = None
    patch: int | None = None
    preview: bool = False

    @property
    def key(self) -> tuple[int, int, int, int]:
        if self.major is None or self.minor is None:
            return (-1, -1, -1, -1)
        return (
            self.major,
            self.minor,
            -1 if self.patch is None else self.patch,
            0 if self.preview else 1,
        )


@cache
def _parse(label: str) -> _Parsed:
    for family, pattern in (("emr", _EMR), ("emr-spark", _EMR_SPARK)):
        match = pattern.fullmatch(label)
        if match is not None:
            patch = match["patch"]
            return _Parsed(
                family=family,
                major=int(match["major"]),
                minor=int(match["minor"]),
                patch=None if patch is None else int(patch),
                preview=bool(match.groupdict().get("stage")),
            )
    return _Parsed(family=None)


def _line_of(parsed: _Parsed) -> ReleaseLine | None:
    return next(
        (line for line in LINES if (line.family, line.major) == (parsed.family, parsed.major)),
        None,
    )


# --- the label -------------------------------------------------------------------------------


@total_ordering
@dataclass(frozen=True, eq=True)
class ReleaseLabel:
    """An EMR release label as the API takes it, e.g. ``emr-7.14.0`` or ``emr-spark-8.1.0``.

    Ordered by version, not by text (``emr-6.10.0`` > ``emr-6.9.0``; a preview before its
    release, ``emr-spark-8.0-preview`` < ``emr-spark-8.0.0``); labels of forms this
    library does not know sort first. Use a constant (``ReleaseLabel.EMR_7_14_0``) or
    :meth:`of` for any other label, including releases newer than this library.
    """

    #: The label as the API takes it.
    label: str

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
    EMR_7_13_0: ClassVar[ReleaseLabel]
    EMR_7_14_0: ClassVar[ReleaseLabel]
    EMR_SPARK_8_0_PREVIEW: ClassVar[ReleaseLabel]
    EMR_SPARK_8_0_0: ClassVar[ReleaseLabel]
    EMR_SPARK_8_1_0: ClassVar[ReleaseLabel]

    @classmethod
    def of(cls, label: str, *, argument: str = "release") -> ReleaseLabel:
        """``label`` as a release; refuse only what the API refuses.

        Refused: a label that is not 1-64 of ``[A-Za-z0-9._/-]`` (CreateApplication
        ``releaseLabel``), and an ``emr-X.Y.Z`` release before emr-6.6.0 (guide L9139).
        Anything else is accepted; see :attr:`warning` for labels this library does not
        know.

        :param argument: the argument name to report in the error.
        """
        if (
            not isinstance(label, str)
            or not MIN_LABEL_LENGTH <= len(label) <= MAX_LABEL_LENGTH
            or not LABEL_PATTERN.fullmatch(label)
        ):
            raise EmrServerlessValidationError(
                argument=argument,
                value=label,
                rule=f"a release label is {MIN_LABEL_LENGTH}-{MAX_LABEL_LENGTH} characters of "
                f"A-Z, a-z, 0-9, '.', '_', '/' and '-' ({CREATE_APPLICATION_PAGE}, "
                "releaseLabel)",
                fix="pass a ReleaseLabel constant such as ReleaseLabel.EMR_7_14_0, or a label "
                f"from {RELEASE_VERSIONS_PAGE}",
            )
        parsed = _parse(label)
        if parsed.family == "emr" and parsed.key[:3] < _MINIMUM_VERSION:
            raise EmrServerlessValidationError(
                argument=argument,
                value=label,
                rule=f"EMR Serverless runs {MINIMUM_LABEL} and later only (guide L9139)",
                fix=f"use {MINIMUM_LABEL} or later; the default is {DEFAULT_RELEASE}",
            )
        return cls(label)

    # --- what the label says ---------------------------------------------------------------

    @property
    def line(self) -> ReleaseLine | None:
        """The release line, or ``None`` for a form or line this library does not know."""
        return _line_of(_parse(self.label))

    @property
    def major(self) -> int | None:
        """The major version (``7`` of ``emr-7.14.0``, ``8`` of ``emr-spark-8.1.0``)."""
        return _parse(self.label).major

    @property
    def minor(self) -> int | None:
        """The minor version."""
        return _parse(self.label).minor

    @property
    def patch(self) -> int | None:
        """The patch version; ``None`` for a preview such as ``emr-spark-8.0-preview``."""
        return _parse(self.label).patch

    @property
    def preview(self) -> bool:
        """Whether the label names a preview release."""
        return _parse(self.label).preview

    @property
    def known(self) -> bool:
        """Whether the release is in :data:`RELEASES`."""
        return self.label in _rows()

    @property
    def release(self) -> Release | None:
        """This release's row of :data:`RELEASES`, or ``None``."""
        return _rows().get(self.label)

    @property
    def effective(self) -> ReleaseLabel | None:
        """The known release whose features this one is taken to have.

        Itself when known or older than the newest known release of its line; the newest
        known release of its line when newer; ``None`` for an unknown form or line.
        """
        line = self.line
        if line is None:
            return None
        newest = newest_release(line)
        return newest if self > newest else self

    @property
    def warning(self) -> str | None:
        """Why this label is accepted unchecked or on assumptions; ``None`` when known."""
        line = self.line
        hint = _did_you_mean(self.label)
        if _parse(self.label).family is None:
            return (
                f"{self.label} is not a release label form this library knows (emr-X.Y.Z, "
                "emr-spark-X.Y.Z, emr-spark-X.Y-preview): it is passed to the service as is "
                f"(the API takes 1-64 of [A-Za-z0-9._/-], {CREATE_APPLICATION_PAGE}) and no "
                f"release gate is checked; the releases EMR Serverless offers are listed at "
                f"{RELEASE_VERSIONS_PAGE}{hint}"
            )
        if line is None:
            return (
                f"{self.label} is in a release line this library does not know: it is passed "
                "to the service as is and no release gate is checked; the releases EMR "
                f"Serverless offers are listed at {RELEASE_VERSIONS_PAGE}{hint}"
            )
        newest = newest_release(line)
        if self > newest:
            titles = ", ".join(
                feature.title
                for feature in Feature
                if newest.availability(feature).status is Status.AVAILABLE
            )
            return (
                f"{self.label} is newer than the newest {line.name} release this library "
                f"knows ({newest}): it is assumed to have the features of {newest} "
                f"({titles or 'none'}); check its release notes at {RELEASE_VERSIONS_PAGE}"
            )
        row = self.release
        if row is None:
            return (
                f"{self.label} is not in the EMR Serverless release list this library knows "
                f"({RELEASE_VERSIONS_PAGE}): the service refuses a release it does not offer"
                f"{hint}"
            )
        if row.preview:
            return f"{self.label} is a preview release, with the limitations of {row.source}"
        return None

    # --- features ------------------------------------------------------------------------------

    def availability(self, feature: Feature) -> Availability:
        """Whether this release has ``feature``: yes, no (with the source), or unknown."""
        effective = self.effective
        line = self.line
        if effective is None or line is None:
            return Availability(Status.UNKNOWN, None, RELEASE_VERSIONS_PAGE)
        if line.family == "emr":  # numbered as one sequence: a feature stays once added
            status = Status.AVAILABLE if self >= feature.minimum else Status.ABSENT
            return Availability(status, feature.minimum, feature.source)
        return _line_availability(line, effective, feature, newer=effective != self)

    def supports(self, feature: Feature) -> bool:
        """Whether this release has ``feature`` (assumed so when not documented)."""
        return self.availability(feature).status is not Status.ABSENT

    def runs(self, engine: str) -> bool:
        """Whether this release runs ``engine`` (``"SPARK"``/``"HIVE"``; assumed when unknown)."""
        line = self.line
        return line is None or engine.upper() in line.engines

    def at_least(self, first: ReleaseLabel) -> bool:
        """Whether this release is ``first`` or later *in ``first``'s family*.

        For a rule that starts at one release: an emr-X.Y.Z rule (from emr-7.11.0) says
        nothing about emr-spark-8.x, nor about a label of a form this library does not
        read, and ``<`` alone orders across families (emr-spark-8.0-preview sorts after
        emr-7.11.0). ``False`` for another family or an unknown form.
        """
        mine, theirs = _parse(self.label), _parse(first.label)
        return mine.family is not None and mine.family == theirs.family and self >= first

    # --- ordering ------------------------------------------------------------------------------

    @property
    def _key(self) -> tuple[tuple[int, int, int, int], str, str]:
        parsed = _parse(self.label)
        return (parsed.key, parsed.family or "", self.label)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ReleaseLabel):
            return NotImplemented
        return self._key < other._key

    def __str__(self) -> str:
        return self.label


class Status(Enum):
    """Whether a release has a feature."""

    AVAILABLE = "available"
    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Availability:
    """A feature on one release: the status, the first release of the line with it, the source."""

    status: Status
    first: ReleaseLabel | None
    source: str


# --- features --------------------------------------------------------------------------------


class Feature(Enum):
    """A capability that needs a release: its title, first emr-6.x/7.x release and source.

    On the ``emr-spark-8.x`` line, the rows of :data:`RELEASES` say which releases add a
    feature or are documented to lack it; a feature they do not mention is accepted with
    a warning.
    """

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
        "interactive use through EMR Studio and the Livy endpoint",
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
        "CloudFormation schema of AWS::EMRServerless::Application; "
        + user_guide("security-iam-service-trusted-prop-considerations-limitations"),
    )
    METRICS_BY_APPLICATION_NAME = (
        "CloudWatch metrics with the ApplicationName dimension",
        "emr-7.10.0",
        "EMR Serverless 7.10.0 release notes, " + release_page("emr-7.10.0"),
    )
    SESSIONS = (
        "interactive sessions (the session APIs, Spark Connect)",
        "emr-7.13.0",
        f"{SPARK_CONNECT_PAGE}; {api_reference('StartSession')}",
    )
    LAKE_FORMATION_CUSTOM_IMAGES = (
        "custom images on a Lake Formation-enabled application (user space only)",
        "emr-7.14.0",
        LAKE_FORMATION_CONSIDERATIONS_PAGE,
    )

    def __init__(self, title: str, minimum: str, source: str) -> None:
        self.title = title
        self._minimum = minimum
        self.source = source

    @property
    def minimum(self) -> ReleaseLabel:
        """The first emr-6.x/emr-7.x release with this feature."""
        return ReleaseLabel(self._minimum)


# --- the release table -----------------------------------------------------------------------

_GUIDE_TABLE = "guide L9161-9349; "


@dataclass(frozen=True)
class Release:
    """One release EMR Serverless offers, as its documentation describes it.

    :param spark: the Apache Spark version. Default: not documented here.
    :param hive: the Apache Hive version (``None`` when the release has no Hive or it is
        not documented here).
    :param tez: the Apache Tez version.
    :param java: the default Java runtime, where documented.
    :param python: the Python versions, where documented.
    :param preview: a preview release.
    :param adds: features this release adds to its line (``emr-spark-8.x``; the emr-6.x and
        emr-7.x gates are :attr:`Feature.minimum`).
    :param lacks: features this release is documented not to have, with the source.
    :param regions_without: Regions where this release is documented as unavailable.
    :param source: the page(s) the row comes from.
    """

    label: str
    spark: str | None = None
    hive: str | None = None
    tez: str | None = None
    java: str | None = None
    python: str | None = None
    preview: bool = False
    adds: frozenset[Feature] = frozenset()
    lacks: Mapping[Feature, str] = field(default_factory=lambda: MappingProxyType({}))
    regions_without: tuple[str, ...] = ()
    source: str = ""

    @property
    def features(self) -> tuple[Feature, ...]:
        """The features this release has (documented or, on emr-6.x/7.x, by first release)."""
        release = ReleaseLabel(self.label)
        return tuple(f for f in Feature if release.availability(f).status is Status.AVAILABLE)


def _classic(
    label: str, spark: str | None, hive: str | None, tez: str | None, source: str
) -> Release:
    return Release(label, spark=spark, hive=hive, tez=tez, source=source + release_page(label))


_SPARK8_PREVIEW = release_page("emr-spark-8.0-preview")
_SPARK8_0 = release_page("emr-spark-8.0.0")
_SPARK8_1 = release_page("emr-spark-8.1.0")
_SPARK8_0_GUIDE = "https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-spark800-release.html"
_SPARK8_1_GUIDE = "https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-spark810-release.html"

#: Every release this library knows, oldest first, each with its source.
RELEASES: tuple[Release, ...] = (
    _classic("emr-6.6.0", "3.2.0", "3.1.2", "0.9.2", _GUIDE_TABLE),
    _classic("emr-6.7.0", "3.2.1", "3.1.3", "0.9.2", _GUIDE_TABLE),
    _classic("emr-6.8.0", "3.3.0", "3.1.3", "0.9.2", _GUIDE_TABLE),
    _classic("emr-6.9.0", "3.3.0", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-6.10.0", "3.3.1", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-6.11.0", "3.3.2", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-6.12.0", "3.4.0", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-6.13.0", "3.4.1", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-6.14.0", "3.4.1", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-6.15.0", "3.4.1", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.0.0", "3.5.0", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.1.0", "3.5.0", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.2.0", "3.5.1", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.3.0", "3.5.1", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.4.0", "3.5.2", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.5.0", "3.5.2", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.6.0", "3.5.3", "3.1.3", "0.10.2", _GUIDE_TABLE),
    _classic("emr-7.7.0", "3.5.3", "3.1.3", "0.10.2", ""),
    _classic("emr-7.8.0", "3.5.4", "3.1.3", "0.10.2", ""),
    _classic("emr-7.9.0", "3.5.5", None, None, SPARK_HISTORY_PAGE + "; "),
    _classic("emr-7.10.0", "3.5.5", "3.1.3", "0.10.2", ""),
    _classic("emr-7.11.0", "3.5.6", "3.1.3", "0.10.2", ""),
    _classic("emr-7.12.0", "3.5.6", None, None, SPARK_HISTORY_PAGE + "; "),
    _classic("emr-7.13.0", "3.5.6", None, None, SPARK_HISTORY_PAGE + "; "),
    _classic("emr-7.14.0", None, None, None, UPDATING_RUNNING_APPLICATIONS_PAGE + "; "),
    Release(
        "emr-spark-8.0-preview",
        spark="4.0.1",
        java="17 (Amazon Corretto)",
        python="3.9, 3.11, 3.12",
        preview=True,
        adds=frozenset({Feature.JAVA_17}),
        lacks=MappingProxyType(
            {
                Feature.INTERACTIVE: f"{_SPARK8_PREVIEW}: EMR Studio integration and Livy "
                "are not supported in the preview",
                Feature.SESSIONS: f"{_SPARK8_PREVIEW}: Spark Connect is not supported in the "
                "preview",
                Feature.LAKE_FORMATION: f"{_SPARK8_PREVIEW}: fine-grained access control is "
                f"not available in the preview ({_SPARK8_0})",
            }
        ),
        regions_without=("cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1"),
        source=_SPARK8_PREVIEW,
    ),
    Release(
        "emr-spark-8.0.0",
        spark="4.0.2",
        python="3.11, 3.12, 3.13",
        adds=frozenset({Feature.INTERACTIVE, Feature.LAKE_FORMATION}),
        regions_without=("me-south-1", "me-central-1"),
        source=f"{_SPARK8_0}; {_SPARK8_0_GUIDE} (includes Livy, Jupyter Enterprise Gateway; "
        "replaces the preview, which lacked fine-grained access control)",
    ),
    Release(
        "emr-spark-8.1.0",
        python="3.11, 3.13",
        source=f"{RELEASE_VERSIONS_PAGE}; {_SPARK8_1_GUIDE} (a long-term support release)",
    ),
)


@cache
def _rows() -> Mapping[str, Release]:
    return MappingProxyType({row.label: row for row in RELEASES})


def _line_availability(
    line: ReleaseLine, effective: ReleaseLabel, feature: Feature, *, newer: bool
) -> Availability:
    """A feature on a release of a line gated by its rows (adds are kept by later releases).

    :param newer: the release is newer than the table, and ``effective`` the newest row: it
        is assumed to have what that row has, and nothing is known to be missing.
    """
    rows = [ReleaseLabel(row.label) for row in RELEASES if ReleaseLabel(row.label).line == line]
    first = next((r for r in sorted(rows) if r.release and feature in r.release.adds), None)
    if first is not None and effective >= first:
        assert first.release is not None
        return Availability(Status.AVAILABLE, first, first.release.source)
    row = effective.release
    if row is not None and feature in row.lacks and not newer:
        return Availability(Status.ABSENT, first, row.lacks[feature])
    return Availability(Status.UNKNOWN, first, line.source)


def newest_release(line: ReleaseLine, *, generally_available: bool = False) -> ReleaseLabel:
    """The newest release of ``line`` in :data:`RELEASES` (optionally not a preview)."""
    return max(
        ReleaseLabel(row.label)
        for row in RELEASES
        if ReleaseLabel(row.label).line == line and not (generally_available and row.preview)
    )


def _did_you_mean(label: str) -> str:
    folded = label.strip().lower()
    matches = [row.label for row in RELEASES if row.label == folded and row.label != label]
    return f" (did you mean {matches[0]}?)" if matches else ""


for _row in RELEASES:
    _name = _row.label.upper().replace("-", "_").replace(".", "_")
    setattr(ReleaseLabel, _name, ReleaseLabel(_row.label))
ReleaseLabel.MINIMUM = ReleaseLabel(MINIMUM_LABEL)

#: Every release this library knows, oldest first.
KNOWN_RELEASES: tuple[ReleaseLabel, ...] = tuple(sorted(ReleaseLabel(r.label) for r in RELEASES))

#: The line whose newest generally available release is the default: the newest line
#: that runs every engine (Spark and Hive). emr-spark-8.x runs Spark 4 only.
DEFAULT_LINE: ReleaseLine = LINES[1]

#: The release an application gets when none is passed: the newest generally available
#: release of :data:`DEFAULT_LINE` (emr-7.14.0). Pin ``release`` in production; defaults
#: move. For Spark 4 pass ``ReleaseLabel.EMR_SPARK_8_1_0``.
DEFAULT_RELEASE: ReleaseLabel = newest_release(DEFAULT_LINE, generally_available=True)


# --- checks ----------------------------------------------------------------------------------


def require(
    release: ReleaseLabel,
    feature: Feature,
    *,
    argument: str,
    value: object,
    fix: str | None = None,
) -> str | None:
    """Refuse ``value`` of ``argument`` when ``release`` is documented not to have ``feature``.

    :returns: a warning (also given to :func:`constructs_lib._advice.advise`) when the
        release table does not say whether ``release`` has ``feature``; else ``None``.
    """
    availability = release.availability(feature)
    if availability.status is Status.AVAILABLE:
        return None
    if availability.status is Status.UNKNOWN:
        text = (
            f"{argument}: whether {release} has {feature.title} is not documented in this "
            f"library's release table ({availability.source}); it is passed to the service "
            "unchecked"
        )
        return advise(f"release:{feature.name.lower()}", text).text
    first = availability.first
    if first is not None and release < first:
        rule = (
            f"{feature.title} needs {first} or later ({availability.source}); the "
            f"application runs {release}"
        )
        default_fix = f"set release to {first} or later, or remove {argument}"
    else:
        rule = f"{feature.title} is not available on {release} ({availability.source})"
        default_fix = f"use a release that has it, e.g. {DEFAULT_RELEASE}, or remove {argument}"
    raise EmrServerlessValidationError(
        argument=argument, value=value, rule=rule, fix=fix or default_fix
    )


def check_engine(release: ReleaseLabel, engine: str, *, argument: str = "engine") -> None:
    """Refuse an engine the release's line does not have (Hive on emr-spark-8.x)."""
    line = release.line
    if line is None or release.runs(engine):
        return
    raise EmrServerlessValidationError(
        argument=argument,
        value=engine,
        rule=f"{release} is a release of {line.name}, {line.title} ({line.source})",
        fix=f"use {', '.join(line.engines)} with {release}, or a release of "
        f"{DEFAULT_LINE.name} such as {DEFAULT_RELEASE}",
    )


#: Region -> the oldest release EMR Serverless offers there (Regions not listed: emr-6.6.0).
REGIONAL_MINIMUM_RELEASES: Mapping[str, str] = MappingProxyType(
    {
        "ap-east-2": "emr-7.10.0",
        "ap-southeast-5": "emr-7.10.0",
        "ap-southeast-6": "emr-7.10.0",
        "ap-southeast-7": "emr-7.10.0",
        "ca-west-1": "emr-6.9.0",
        "mx-central-1": "emr-7.10.0",
    }
)


def check_region(release: ReleaseLabel, region: str, *, argument: str = "release") -> None:
    """Refuse a release EMR Serverless does not offer in ``region`` (when both are known)."""
    line = release.line
    minimum = REGIONAL_MINIMUM_RELEASES.get(region)
    if (
        line is not None
        and line.family == "emr"
        and minimum is not None
        and release < ReleaseLabel(minimum)
    ):
        raise EmrServerlessValidationError(
            argument=argument,
            value=release.label,
            rule=f"EMR Serverless offers {minimum} and later in {region} ({ENDPOINTS_PAGE})",
            fix=f"use {minimum} or later in {region}",
        )
    row = release.release
    if row is not None and region in row.regions_without:
        raise EmrServerlessValidationError(
            argument=argument,
            value=release.label,
            rule=f"{release} is not available in {region} ({row.source})",
            fix=f"use another release in {region}, e.g. {DEFAULT_RELEASE}",
        )


def application_level_digest_resolution_default(release: ReleaseLabel) -> bool | None:
    """The service's default for ``imageConfiguration.applicationLevelDigestResolution``.

    ``True`` (the image digest is resolved when the application starts) through emr-7.13.0,
    ``False`` (resolved per job) from emr-7.14.0 (:data:`UPDATING_RUNNING_APPLICATIONS_PAGE`);
    ``None`` where not documented (other lines, unknown labels).
    """
    line = release.line
    if line is None or line.family != "emr":
        return None
    return release < ReleaseLabel.EMR_7_14_0
