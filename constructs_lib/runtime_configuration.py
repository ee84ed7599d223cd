"""Runtime configuration: classifications with properties and nested configurations.

An application's ``runtimeConfiguration`` sets the defaults of every job it runs (it maps
to ``applicationConfiguration`` in StartJobRun, guide L1496). Typed helpers build the
classifications the guide documents; :func:`check_runtime_configuration` refuses what the
service or CloudFormation would.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from constructs_lib._advice import advise
from constructs_lib._arguments import checked_fields
from constructs_lib._checks import check_at_most
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import Feature, ReleaseLabel, require
from constructs_lib.workers import Architecture, EngineType

SPARK_DEFAULTS = "spark-defaults"
SPARK_DRIVER_LOG4J2 = "spark-driver-log4j2"
SPARK_EXECUTOR_LOG4J2 = "spark-executor-log4j2"
HIVE_SITE = "hive-site"

#: Classifications only Spark applications take (guide L1468, L9354).
SPARK_ONLY_CLASSIFICATIONS = frozenset({SPARK_DEFAULTS, SPARK_DRIVER_LOG4J2, SPARK_EXECUTOR_LOG4J2})
#: The log4j2 classifications (emr-6.8.0+, guide L1468).
LOG4J2_CLASSIFICATIONS = frozenset({SPARK_DRIVER_LOG4J2, SPARK_EXECUTOR_LOG4J2})
#: Log4j2 keys EMR Serverless does not let jobs change (guide L5263-5270).
FIXED_LOG4J2_KEYS = frozenset(
    {
        "rootLogger.appenderRef.stdout.ref",
        "appender.console.type",
        "appender.console.name",
        "appender.console.target",
        "appender.console.layout.type",
        "appender.console.layout.pattern",
    }
)

DRIVER_JAVA_HOME = "spark.emr-serverless.driverEnv.JAVA_HOME"
EXECUTOR_JAVA_HOME = "spark.executorEnv.JAVA_HOME"
LAKE_FORMATION = "spark.emr-serverless.lakeformation.enabled"
INTERNODE_TLS = "spark.ssl.internode.enabled"
S3_ACCESS_GRANTS = "spark.hadoop.fs.s3.s3AccessGrants.enabled"
DYNAMIC_ALLOCATION = "spark.dynamicAllocation.enabled"
MAX_EXECUTORS_RATIO = "spark.dynamicAllocation.maxExecutorsRatio"

#: spark-defaults switches that need a release, with the feature behind each.
_GATED_SWITCHES: Mapping[str, Feature] = {
    INTERNODE_TLS: Feature.INTERNODE_TLS,
    S3_ACCESS_GRANTS: Feature.S3_ACCESS_GRANTS,
    LAKE_FORMATION: Feature.LAKE_FORMATION,
}

#: Most classifications in one list, and most properties in one classification (API).
MAX_CLASSIFICATIONS = 100
MAX_PROPERTIES = 100
#: Longest classification name, property key and property value (API String1024).
MAX_TEXT = 1024

#: Property keys CloudFormation accepts (AWS::EMRServerless::Application schema).
_PROPERTY_KEY = re.compile(r"[a-zA-Z]+[-a-zA-Z0-9_.]*")
_CORRETTO_HOME = re.compile(
    r"/usr/lib/jvm/java-(?P<java>\d+)-amazon-corretto\.(?P<arch>[a-z0-9_]+)/?"
)
_ARCH_SUFFIX = {"x86_64": Architecture.X86_64, "aarch64": Architecture.ARM64}


@checked_fields
@dataclass(frozen=True)
class Classification:
    """One configuration classification (``{classification, properties, configurations}``).

    :param classification: the classification name, e.g. ``spark-defaults``.
    :param properties: settings in that classification. Default: none.
    :param configurations: nested classifications. Default: none.
    """

    classification: str
    properties: Mapping[str, str] = field(default_factory=dict)
    configurations: tuple[Classification, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", MappingProxyType(dict(self.properties)))
        object.__setattr__(self, "configurations", tuple(self.configurations))

    def render(self) -> dict[str, object]:
        """The API's ``Configuration`` object."""
        rendered: dict[str, object] = {"classification": self.classification}
        if self.properties:
            rendered["properties"] = dict(self.properties)
        if self.configurations:
            rendered["configurations"] = [c.render() for c in self.configurations]
        return rendered


def spark_defaults(properties: Mapping[str, str]) -> Classification:
    """``spark-defaults``: Spark properties every job starts from (guide L1502-1534)."""
    return Classification(SPARK_DEFAULTS, properties)


def hive_site(properties: Mapping[str, str]) -> Classification:
    """``hive-site``: Hive properties every job starts from (guide L2326, L3040-3056)."""
    return Classification(HIVE_SITE, properties)


def spark_driver_log4j2(properties: Mapping[str, str]) -> Classification:
    """``spark-driver-log4j2``: the driver's ``log4j2.properties`` (emr-6.8.0+, guide L5088)."""
    return Classification(SPARK_DRIVER_LOG4J2, properties)


def spark_executor_log4j2(properties: Mapping[str, str]) -> Classification:
    """``spark-executor-log4j2``: the executors' ``log4j2.properties`` (emr-6.8.0+)."""
    return Classification(SPARK_EXECUTOR_LOG4J2, properties)


def java17_properties(architecture: Architecture) -> dict[str, str]:
    """The ``spark-defaults`` properties that run drivers and executors on Java 17.

    ``JAVA_HOME`` must be the path for the application's architecture (emr-6.11.0+,
    guide L5823-5893). Merge these into your own :func:`spark_defaults` properties.
    """
    return {
        DRIVER_JAVA_HOME: architecture.java17_home,
        EXECUTOR_JAVA_HOME: architecture.java17_home,
    }


def java17(architecture: Architecture) -> Classification:
    """A ``spark-defaults`` classification holding only :func:`java17_properties`."""
    return spark_defaults(java17_properties(architecture))


def top_level_properties(classifications: Iterable[Classification], name: str) -> dict[str, str]:
    """The properties of the top-level classification ``name`` (empty when absent)."""
    found: dict[str, str] = {}
    for classification in classifications:
        if classification.classification == name:
            found.update(classification.properties)
    return found


def is_true(properties: Mapping[str, str], key: str) -> bool:
    """Whether ``properties[key]`` is ``true`` (any case)."""
    return properties.get(key, "").strip().lower() == "true"


def lake_formation_enabled(classifications: Iterable[Classification]) -> bool:
    """Whether ``spark-defaults`` turns Lake Formation on (guide L8290)."""
    return is_true(top_level_properties(classifications, SPARK_DEFAULTS), LAKE_FORMATION)


def check_runtime_configuration(
    classifications: Sequence[Classification],
    *,
    engine: EngineType,
    release: ReleaseLabel,
    architecture: Architecture,
    argument: str = "runtime_configuration",
) -> None:
    """Refuse classifications the API, CloudFormation or the engine would refuse."""
    _check_structure(classifications, argument=argument)
    for index, classification in enumerate(classifications):
        where = f"{argument}[{index}]"
        name = classification.classification
        if name in SPARK_ONLY_CLASSIFICATIONS and engine is not EngineType.SPARK:
            raise EmrServerlessValidationError(
                argument=f"{where}.classification",
                value=name,
                rule=f"{name} configures Spark; {engine.value} applications take hive-site, "
                "tez-site, emrfs-site and core-site (guide L9354)",
                fix="remove it, or create a SPARK application",
            )
        if name in LOG4J2_CLASSIFICATIONS:
            require(
                release,
                Feature.LOG4J2_CLASSIFICATIONS,
                argument=f"{where}.classification",
                value=name,
            )
            _check_log4j2(classification, argument=where)
        if name == SPARK_DEFAULTS:
            _check_spark_defaults(
                classification.properties,
                release=release,
                architecture=architecture,
                argument=where,
            )


def _check_structure(classifications: Sequence[Classification], *, argument: str) -> None:
    check_at_most(
        classifications,
        MAX_CLASSIFICATIONS,
        argument=argument,
        rule=f"a configuration list holds at most {MAX_CLASSIFICATIONS} classifications "
        "(CreateApplication ConfigurationList)",
        fix="merge properties into fewer classifications",
    )
    seen: dict[str, Classification] = {}
    for index, classification in enumerate(classifications):
        where = f"{argument}[{index}]"
        name = classification.classification
        if not name.strip() or len(name) > MAX_TEXT:
            raise EmrServerlessValidationError(
                argument=f"{where}.classification",
                value=name,
                rule=f"a classification name has 1-{MAX_TEXT} characters, not only spaces (API)",
                fix="name the classification, e.g. 'spark-defaults'",
            )
        if name in seen and seen[name] == classification:
            raise EmrServerlessValidationError(
                argument=f"{where}.classification",
                value=name,
                rule="a configuration list holds no two identical classifications "
                "(CloudFormation schema uniqueItems)",
                fix="remove the copy",
            )
        if name in seen:
            advise(
                "duplicate-classification",
                f"{where}.classification={name!r} appears twice in one list: the service takes "
                "both, and which value of a property set in both wins is not documented. Merge "
                "them, e.g. spark_defaults({**mine, **java17_properties(architecture)})",
            )
        seen[name] = classification
        _check_properties(classification.properties, argument=f"{where}.properties")
        _check_structure(classification.configurations, argument=f"{where}.configurations")


def _check_properties(properties: Mapping[str, str], *, argument: str) -> None:
    check_at_most(
        properties,
        MAX_PROPERTIES,
        argument=argument,
        rule=f"a classification holds at most {MAX_PROPERTIES} properties (API)",
        fix="split them across classifications, or set some per job",
    )
    for key, value in properties.items():
        if not _PROPERTY_KEY.fullmatch(key) or len(key) > MAX_TEXT:
            raise EmrServerlessValidationError(
                argument=argument,
                value=key,
                rule="a property key starts with a letter and holds letters, digits, '-', '_' "
                f"and '.', at most {MAX_TEXT} characters (CloudFormation schema)",
                fix="set this property per job (StartJobRun) instead",
            )
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise EmrServerlessValidationError(
                argument=f"{argument}[{key!r}]",
                value=value,
                rule=f"a property value is text of 1-{MAX_TEXT} characters, not only spaces (API)",
                fix="give the value as a non-empty string, e.g. 'true' or '4'",
            )


def _check_log4j2(classification: Classification, *, argument: str) -> None:
    fixed = sorted(FIXED_LOG4J2_KEYS & set(classification.properties))
    if fixed:
        raise EmrServerlessValidationError(
            argument=f"{argument}.properties",
            value=fixed,
            rule="EMR Serverless does not let Spark change these log4j2 keys (guide L5263-5270)",
            fix="remove them; set logger levels such as 'rootLogger.level' instead",
        )


def _check_spark_defaults(
    properties: Mapping[str, str],
    *,
    release: ReleaseLabel,
    architecture: Architecture,
    argument: str,
) -> None:
    for key in (DRIVER_JAVA_HOME, EXECUTOR_JAVA_HOME):
        if key in properties:
            _check_java_home(
                properties[key], architecture, release=release, argument=f"{argument}[{key!r}]"
            )
    for key, feature in _GATED_SWITCHES.items():
        if is_true(properties, key):
            require(release, feature, argument=f"{argument}[{key!r}]", value=properties[key])
    if is_true(properties, LAKE_FORMATION):
        _check_lake_formation_properties(properties, argument=argument)


def _check_java_home(
    value: str, architecture: Architecture, *, release: ReleaseLabel, argument: str
) -> None:
    match = _CORRETTO_HOME.fullmatch(value.strip())
    if match is None:
        return
    if match["java"] == "17":
        require(release, Feature.JAVA_17, argument=argument, value=value)
    on = _ARCH_SUFFIX.get(match["arch"])
    if on is not architecture:
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule=f"JAVA_HOME must be the JVM built for the application's architecture "
            f"({architecture.value}) (guide L5823-5893)",
            fix=f"use java17_properties(Architecture.{architecture.name}), i.e. "
            f"{architecture.java17_home}",
        )


def _check_lake_formation_properties(properties: Mapping[str, str], *, argument: str) -> None:
    if properties.get(DYNAMIC_ALLOCATION, "").strip().lower() == "false":
        raise EmrServerlessValidationError(
            argument=f"{argument}[{DYNAMIC_ALLOCATION!r}]",
            value=properties[DYNAMIC_ALLOCATION],
            rule="Lake Formation jobs cannot turn off dynamic allocation (guide L8473)",
            fix=f"remove {DYNAMIC_ALLOCATION}, or turn Lake Formation off",
        )
    ratio = properties.get(MAX_EXECUTORS_RATIO)
    if ratio is None:
        return
    try:
        value = float(ratio)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise EmrServerlessValidationError(
            argument=f"{argument}[{MAX_EXECUTORS_RATIO!r}]",
            value=ratio,
            rule="the share of executors per Lake Formation profile is between 0 and 1 "
            "(guide L8271)",
            fix="use a fraction such as '0.9' (the default)",
        )
