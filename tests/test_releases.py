"""The release model: labels the API takes, lines and releases as data, and their gates.

Only what the service refuses is refused (a label outside the API's pattern, a release
before emr-6.6.0, a feature a release is documented not to have); everything else is
accepted, with a warning where this library cannot vouch for the release.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import botocore
import cfnlint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib._advice import collecting
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import (
    CREATE_APPLICATION_PAGE,
    DEFAULT_LINE,
    DEFAULT_RELEASE,
    KNOWN_RELEASES,
    LABEL_PATTERN,
    LINES,
    MAX_LABEL_LENGTH,
    REGIONAL_MINIMUM_RELEASES,
    RELEASES,
    Feature,
    ReleaseLabel,
    Status,
    application_level_digest_resolution_default,
    check_engine,
    check_region,
    newest_release,
    require,
)
from constructs_lib.sources import cite

API_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-"
classic_versions = st.tuples(st.integers(0, 9999), st.integers(0, 9999), st.integers(0, 9999))
supported_versions = classic_versions.filter(lambda v: v >= (6, 6, 0))


# --- labels the API takes -----------------------------------------------------------------


@given(supported_versions)
def test_of_round_trips_any_supported_version(version: tuple[int, int, int]) -> None:
    label = "emr-{}.{}.{}".format(*version)
    release = ReleaseLabel.of(label)
    assert (release.major, release.minor, release.patch) == version
    assert str(release) == release.label == label


@given(supported_versions, supported_versions)
def test_ordering_is_by_version_not_text(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
    left = ReleaseLabel.of("emr-{}.{}.{}".format(*a))
    right = ReleaseLabel.of("emr-{}.{}.{}".format(*b))
    assert (left < right) == (a < b)
    assert (left == right) == (a == b)


@given(st.tuples(st.integers(0, 99), st.integers(0, 99)), st.integers(0, 99))
def test_a_preview_sorts_before_its_release_and_after_the_one_before(
    version: tuple[int, int], patch: int
) -> None:
    preview = ReleaseLabel.of(f"emr-spark-8.{version[1]}-preview")
    release = ReleaseLabel.of(f"emr-spark-8.{version[1]}.{patch}")
    earlier = ReleaseLabel.of(f"emr-spark-8.{version[1] - 1}.99") if version[1] else None
    assert preview < release
    assert preview.preview
    assert not release.preview
    assert preview.patch is None
    if earlier is not None:
        assert earlier < preview


def test_minor_ten_sorts_after_minor_nine() -> None:
    ten, nine = "emr-6.10.0", "emr-6.9.0"
    assert ReleaseLabel.of(ten) > ReleaseLabel.of(nine)
    assert ten < nine  # the text order this class avoids


def test_the_spark_4_line_sorts_after_every_emr_7_release() -> None:
    assert max(r for r in KNOWN_RELEASES if r.line == LINES[1]) < ReleaseLabel.EMR_SPARK_8_0_PREVIEW


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("emr-7.10.0", False),  # the release before: refused side of a 7.11 rule
        ("emr-7.11.0", True),  # its own release
        ("emr-7.14.0", True),
        ("emr-8.0.0", True),  # emr-X.Y.Z is numbered as one sequence
        ("emr-spark-8.0-preview", False),  # sorts after emr-7.11.0, another family
        ("emr-spark-8.1.0", False),
        ("custom/label", False),  # a form this library does not read
    ],
)
def test_at_least_compares_within_the_first_releases_family(label: str, expected: bool) -> None:
    assert ReleaseLabel(label).at_least(ReleaseLabel.EMR_7_11_0) is expected
    # `<` alone still orders across families (sorting, KNOWN_RELEASES): at_least is the gate.
    assert ReleaseLabel.EMR_SPARK_8_0_PREVIEW > ReleaseLabel.EMR_7_11_0


def test_at_least_within_the_spark_4_family() -> None:
    assert ReleaseLabel.EMR_SPARK_8_1_0.at_least(ReleaseLabel.EMR_SPARK_8_0_0)
    assert not ReleaseLabel.EMR_SPARK_8_0_PREVIEW.at_least(ReleaseLabel.EMR_SPARK_8_0_0)
    assert not ReleaseLabel.EMR_7_14_0.at_least(ReleaseLabel.EMR_SPARK_8_0_PREVIEW)


@given(st.text(API_CHARS, min_size=1, max_size=MAX_LABEL_LENGTH))
def test_any_label_the_api_takes_is_accepted_unless_before_6_6_0(label: str) -> None:
    match = re.fullmatch(r"emr-(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})", label)
    if match and tuple(map(int, match.groups())) < (6, 6, 0):
        return
    release = ReleaseLabel.of(label)
    assert release.label == label
    assert release.known or release.warning is not None


@pytest.mark.parametrize(
    ("label", "neighbour"),
    [
        ("", "e"),
        ("emr 7.12.0", "emr_7.12.0"),
        ("emr-7.12.0!", "emr-7.12.0."),
        ("e" * (MAX_LABEL_LENGTH + 1), "e" * MAX_LABEL_LENGTH),
        ("émr-7.12.0", "emr-7.12.0"),
    ],
)
def test_labels_outside_the_api_pattern_are_refused(label: str, neighbour: str) -> None:
    # Source: CreateApplication releaseLabel, 1-64 of [A-Za-z0-9._/-].
    with pytest.raises(EmrServerlessValidationError) as error:
        ReleaseLabel.of(label)
    assert CREATE_APPLICATION_PAGE in error.value.rule
    assert error.value.argument == "release"
    assert ReleaseLabel.of(neighbour).label == neighbour


@given(classic_versions.filter(lambda v: v < (6, 6, 0)))
def test_releases_before_6_6_0_are_refused(version: tuple[int, int, int]) -> None:
    # Source: guide L9139, "This deployment option isn't available with earlier releases".
    with pytest.raises(EmrServerlessValidationError, match=r"emr-6\.6\.0 and later"):
        ReleaseLabel.of("emr-{}.{}.{}".format(*version))


def test_6_6_0_is_the_oldest_accepted() -> None:
    assert ReleaseLabel.of("emr-6.6.0") == ReleaseLabel.MINIMUM == min(KNOWN_RELEASES)
    with pytest.raises(EmrServerlessValidationError, match=r"release-versions\.html"):
        ReleaseLabel.of("emr-6.5.0")


# --- warnings for labels this library cannot vouch for ------------------------------------


@pytest.mark.parametrize(
    ("label", "newest"),
    [
        ("emr-7.15.0", "emr-7.14.0"),
        ("emr-7.99.3", "emr-7.14.0"),
        ("emr-spark-8.2.0", "emr-spark-8.1.0"),
    ],
)
def test_a_release_newer_than_the_table_is_assumed_to_be_the_newest(
    label: str, newest: str
) -> None:
    release = ReleaseLabel.of(label)
    known = ReleaseLabel.of(newest)
    assert release.effective == known
    assert release.warning is not None
    assert f"assumed to have the features of {newest}" in release.warning
    for feature in Feature:
        if known.availability(feature).status is Status.AVAILABLE:
            assert feature.title in release.warning
            require(release, feature, argument="x", value=1)  # accepted, as the newest


def test_a_feature_the_newest_spark_4_release_lacks_is_not_refused_on_a_newer_one() -> None:
    newer = ReleaseLabel.of("emr-spark-8.2.0")
    with collecting() as advice:
        warning = require(newer, Feature.PROMETHEUS, argument="monitoring.prometheus", value="u")
    assert warning is not None
    assert "not documented" in warning
    assert [a.id for a in advice] == ["release:prometheus"]


@pytest.mark.parametrize(
    "label", ["custom/release", "EMR-7.12.0", "emr-07.9.0", "emr-6.6", "emr-8.0.0"]
)
def test_unknown_forms_and_lines_are_accepted_and_no_gate_refuses(label: str) -> None:
    release = ReleaseLabel.of(label)
    assert release.line is None
    assert release.effective is None
    assert release.warning is not None
    assert "no release gate is checked" in release.warning
    for feature in Feature:
        assert release.availability(feature).status is Status.UNKNOWN
        assert require(release, feature, argument="x", value=1) is not None


def test_a_miscased_known_label_is_named_in_the_warning() -> None:
    warning = ReleaseLabel.of("EMR-7.12.0").warning
    assert warning is not None
    assert "did you mean emr-7.12.0?" in warning


def test_a_release_missing_from_the_list_is_accepted_with_a_warning() -> None:
    release = ReleaseLabel.of("emr-7.12.1")
    assert not release.known
    assert release.warning is not None
    assert "not in the EMR Serverless release list" in release.warning
    assert release.supports(Feature.SCHEDULER)
    assert not release.supports(Feature.SESSIONS)


def test_known_releases_have_no_warning_except_previews() -> None:
    for release in KNOWN_RELEASES:
        assert (release.warning is None) == (not release.preview), release
    preview = ReleaseLabel.EMR_SPARK_8_0_PREVIEW.warning
    assert preview is not None
    assert "preview" in preview


# --- the table ----------------------------------------------------------------------------


def test_the_table_is_sorted_unique_and_every_row_cites_a_source() -> None:
    labels = [ReleaseLabel(row.label) for row in RELEASES]
    assert labels == sorted(labels) == list(KNOWN_RELEASES)
    assert len(set(labels)) == len(labels)
    for row in RELEASES:
        assert "https://docs.aws.amazon.com/" in row.source, row
        assert ReleaseLabel(row.label).line is not None, row
        for source in row.lacks.values():
            assert "https://docs.aws.amazon.com/" in source, row
    for line in LINES:
        assert "https://docs.aws.amazon.com/" in line.source
        assert any(r.line == line for r in KNOWN_RELEASES), line


def test_constants_match_the_table() -> None:
    constants = {
        name: value
        for name, value in vars(ReleaseLabel).items()
        if name.startswith("EMR_") and isinstance(value, ReleaseLabel)
    }
    assert sorted(constants.values()) == list(KNOWN_RELEASES)
    for name, value in constants.items():
        assert name == value.label.upper().replace("-", "_").replace(".", "_")
    assert ReleaseLabel.EMR_7_12_0 < ReleaseLabel.EMR_7_13_0 < ReleaseLabel.EMR_7_14_0
    assert ReleaseLabel.EMR_SPARK_8_0_0 < ReleaseLabel.EMR_SPARK_8_1_0


def test_the_newest_releases_are_known() -> None:
    for label in (
        "emr-7.13.0",
        "emr-7.14.0",
        "emr-spark-8.0-preview",
        "emr-spark-8.0.0",
        "emr-spark-8.1.0",
    ):
        assert ReleaseLabel.of(label).known, label


def test_default_is_the_newest_generally_available_release_for_every_engine() -> None:
    assert DEFAULT_RELEASE == ReleaseLabel.EMR_7_14_0
    assert newest_release(DEFAULT_LINE, generally_available=True) == DEFAULT_RELEASE
    assert DEFAULT_RELEASE.runs("SPARK")
    assert DEFAULT_RELEASE.runs("HIVE")
    every_engine = [r for r in KNOWN_RELEASES if r.runs("HIVE") and not r.preview]
    assert max(every_engine) == DEFAULT_RELEASE
    assert all(DEFAULT_RELEASE.supports(feature) for feature in Feature)


def _botocore_release_label_shape() -> dict[str, object]:
    path = Path(botocore.__file__).parent / "data/emr-serverless/2021-07-13/service-2.json.gz"
    shapes = json.loads(gzip.decompress(path.read_bytes()))["shapes"]
    shape: dict[str, object] = shapes["ReleaseLabel"]
    return shape


def _cloudformation_release_label() -> dict[str, object]:
    schemas = Path(cfnlint.__file__).parent / "data/schemas"
    digest = json.loads((schemas / "providers/us-east-1.json").read_text())[
        "AWS::EMRServerless::Application"
    ]
    schema = json.loads((schemas / f"resources/{digest}.json").read_text())
    prop: dict[str, object] = schema["properties"]["ReleaseLabel"]
    return prop


def test_the_table_is_in_step_with_the_api_and_cloudformation_patterns() -> None:
    # Neither the pinned botocore model nor cfn-lint's CloudFormation schema has an enum of
    # release labels (both have only a pattern), so the table is checked against the pattern.
    api = _botocore_release_label_shape()
    cfn = _cloudformation_release_label()
    assert "enum" not in api
    assert "enum" not in cfn
    assert api["pattern"] == LABEL_PATTERN.pattern
    assert str(cfn["pattern"]).removeprefix("^").removesuffix("$") == LABEL_PATTERN.pattern
    assert api["max"] == cfn["maxLength"] == MAX_LABEL_LENGTH
    for release in KNOWN_RELEASES:
        assert re.fullmatch(str(api["pattern"]), release.label)
        assert re.search(str(cfn["pattern"]), release.label)
        assert len(release.label) <= MAX_LABEL_LENGTH


# --- gates --------------------------------------------------------------------------------

#: (feature, first emr-6.x/7.x release with it) from the guide, the API and the pages cited.
GATES = [
    (Feature.ARM64, "emr-6.8.0"),
    (Feature.LOG4J2_CLASSIFICATIONS, "emr-6.8.0"),
    (Feature.CUSTOM_IMAGES, "emr-6.9.0"),
    (Feature.JAVA_17, "emr-6.11.0"),
    (Feature.INTERACTIVE, "emr-6.14.0"),
    (Feature.INTERNODE_TLS, "emr-6.15.0"),
    (Feature.S3_ACCESS_GRANTS, "emr-6.15.0"),
    (Feature.SCHEDULER, "emr-7.0.0"),
    (Feature.PROMETHEUS, "emr-7.1.0"),
    (Feature.SHUFFLE_OPTIMIZED_DISKS, "emr-7.1.0"),
    (Feature.LAKE_FORMATION, "emr-7.2.0"),
    (Feature.IDENTITY_CENTER, "emr-7.8.0"),
    (Feature.METRICS_BY_APPLICATION_NAME, "emr-7.10.0"),
    (Feature.SESSIONS, "emr-7.13.0"),
    (Feature.LAKE_FORMATION_CUSTOM_IMAGES, "emr-7.14.0"),
]


def test_every_feature_has_a_first_release_and_a_source() -> None:
    assert len({feature for feature, _ in GATES}) == len(GATES)
    for feature in Feature:
        assert feature.minimum.line is not None
        assert feature.minimum.line.family == "emr"
        assert feature.source
        assert feature.title


@pytest.mark.parametrize(("feature", "first"), GATES)
def test_gate_refuses_the_release_before_and_accepts_its_own(feature: Feature, first: str) -> None:
    release = ReleaseLabel.of(first)
    assert feature.minimum == release
    previous = max(r for r in KNOWN_RELEASES if r < release)
    with pytest.raises(EmrServerlessValidationError) as error:
        require(previous, feature, argument="thing", value="x")
    assert f"needs {first} or later" in error.value.rule
    # The cited source: its guide lines become page addresses (cite() may append more).
    assert cite(feature.source).split("; see https://")[0] in error.value.rule
    assert error.value.argument == "thing"
    assert require(release, feature, argument="thing", value="x") is None


def test_arm64_gate_follows_the_guides_worked_example() -> None:
    # The guide's Graviton example runs emr-6.8.0 (L2034); its release notes say 6.9.0 (L9310).
    assert ReleaseLabel.EMR_6_8_0.supports(Feature.ARM64)
    assert not ReleaseLabel.EMR_6_7_0.supports(Feature.ARM64)


@pytest.mark.parametrize("feature", [Feature.INTERACTIVE, Feature.SESSIONS, Feature.LAKE_FORMATION])
def test_the_spark_4_preview_refuses_what_it_is_documented_to_lack(feature: Feature) -> None:
    # Source: release-version-emr-spark-8.0-preview (no Studio, Livy, Spark Connect or FGAC).
    with pytest.raises(EmrServerlessValidationError, match=r"emr-spark-8\.0-preview") as error:
        require(ReleaseLabel.EMR_SPARK_8_0_PREVIEW, feature, argument="x", value=True)
    assert "release-version-emr-spark-8.0-preview" in error.value.rule


@pytest.mark.parametrize("feature", [Feature.INTERACTIVE, Feature.LAKE_FORMATION, Feature.JAVA_17])
def test_spark_4_ga_releases_have_what_8_0_0_added(feature: Feature) -> None:
    for release in (ReleaseLabel.EMR_SPARK_8_0_0, ReleaseLabel.EMR_SPARK_8_1_0):
        assert require(release, feature, argument="x", value=True) is None


def test_a_feature_undocumented_on_spark_4_is_accepted_with_a_warning() -> None:
    with collecting() as advice:
        warning = require(ReleaseLabel.EMR_SPARK_8_1_0, Feature.ARM64, argument="arch", value=1)
    assert warning is not None
    assert "emr-spark-8.1.0" in warning
    assert [a.text for a in advice] == [warning]
    assert ReleaseLabel.EMR_SPARK_8_1_0.supports(Feature.ARM64)  # assumed, not refused


def test_hive_is_refused_on_spark_4_and_accepted_elsewhere() -> None:
    # Source: the emr-spark-8.0.0 release (Release Guide): Spark, Delta, Hudi, Iceberg, Livy
    # and Jupyter Enterprise Gateway, no Hive.
    with pytest.raises(EmrServerlessValidationError, match="no Hive") as error:
        check_engine(ReleaseLabel.EMR_SPARK_8_1_0, "HIVE")
    assert "emr-spark800-release" in error.value.rule
    check_engine(ReleaseLabel.EMR_SPARK_8_1_0, "SPARK")
    check_engine(ReleaseLabel.EMR_7_14_0, "HIVE")
    check_engine(ReleaseLabel.of("custom/release"), "HIVE")


@pytest.mark.parametrize(("region", "minimum"), sorted(REGIONAL_MINIMUM_RELEASES.items()))
def test_regional_minimum_releases(region: str, minimum: str) -> None:
    # Source: endpoints-quotas, Regional release support.
    first = ReleaseLabel.of(minimum)
    previous = max(r for r in KNOWN_RELEASES if r < first and r.line and r.line.family == "emr")
    with pytest.raises(EmrServerlessValidationError, match="endpoints-quotas"):
        check_region(previous, region)
    check_region(first, region)
    check_region(previous, "eu-west-1")


def test_spark_4_is_not_offered_in_the_middle_east_regions() -> None:
    # Source: release-version-emr-spark-8.0.0, "except Middle East (Bahrain) and (UAE)".
    with pytest.raises(EmrServerlessValidationError, match="not available in me-south-1"):
        check_region(ReleaseLabel.EMR_SPARK_8_0_0, "me-south-1")
    check_region(ReleaseLabel.EMR_SPARK_8_0_0, "eu-west-1")


def test_image_digest_resolution_default_changed_in_7_14_0() -> None:
    # Source: updating-running-applications, image digest resolution by release.
    assert application_level_digest_resolution_default(ReleaseLabel.EMR_7_13_0) is True
    assert application_level_digest_resolution_default(ReleaseLabel.EMR_7_14_0) is False
    assert application_level_digest_resolution_default(ReleaseLabel.of("emr-7.15.0")) is False
    assert application_level_digest_resolution_default(ReleaseLabel.EMR_SPARK_8_1_0) is None


def test_release_rows_describe_their_engines() -> None:
    rows = {row.label: row for row in RELEASES}
    assert rows["emr-6.6.0"].spark == "3.2.0"
    assert rows["emr-6.6.0"].hive == "3.1.2"
    assert rows["emr-7.11.0"].spark == "3.5.6"
    assert rows["emr-spark-8.0.0"].spark == "4.0.2"
    assert rows["emr-spark-8.0.0"].hive is None
    assert Feature.LAKE_FORMATION in rows["emr-spark-8.0.0"].features
    assert Feature.SESSIONS in rows["emr-7.13.0"].features
    assert Feature.SESSIONS not in rows["emr-7.12.0"].features
