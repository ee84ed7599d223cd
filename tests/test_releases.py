"""ReleaseLabel parses and orders by version; each feature gate refuses below its release."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import (
    DEFAULT_RELEASE,
    KNOWN_RELEASES,
    Feature,
    ReleaseLabel,
    require,
)

versions = st.tuples(st.integers(0, 9999), st.integers(0, 9999), st.integers(0, 9999)).filter(
    lambda v: v >= (6, 6, 0)
)


@given(versions)
def test_of_round_trips_any_supported_version(version: tuple[int, int, int]) -> None:
    label = "emr-{}.{}.{}".format(*version)
    release = ReleaseLabel.of(label)
    assert (release.major, release.minor, release.patch) == version
    assert str(release) == release.label == label


@given(versions, versions)
def test_ordering_is_by_version_not_text(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
    left = ReleaseLabel.of("emr-{}.{}.{}".format(*a))
    right = ReleaseLabel.of("emr-{}.{}.{}".format(*b))
    assert (left < right) == (a < b)
    assert (left == right) == (a == b)


def test_minor_ten_sorts_after_minor_nine() -> None:
    ten, nine = "emr-6.10.0", "emr-6.9.0"
    assert ReleaseLabel.of(ten) > ReleaseLabel.of(nine)
    assert ten < nine  # the text order this class avoids


def test_future_release_is_accepted() -> None:
    release = ReleaseLabel.of("emr-7.13.0")
    assert release > max(KNOWN_RELEASES)
    assert all(release.supports(feature) for feature in Feature)


@pytest.mark.parametrize(
    "label",
    [
        "emr-7.9",
        "7.9.0",
        "emr-7.9.0-latest",
        "EMR-7.9.0",
        "emr-07.9.0",
        "emr-6.6",
        "",
        "emr-spark-8.0.0",
    ],
)
def test_malformed_labels_are_refused(label: str) -> None:
    with pytest.raises(
        EmrServerlessValidationError, match=r"emr-<major>\.<minor>\.<patch>"
    ) as error:
        ReleaseLabel.of(label)
    assert error.value.argument == "release"
    assert error.value.value == label


@given(
    st.tuples(st.integers(0, 6), st.integers(0, 99), st.integers(0, 99)).filter(
        lambda v: v < (6, 6, 0)
    )
)
def test_releases_before_6_6_0_are_refused(version: tuple[int, int, int]) -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"emr-6\.6\.0 and later.*L9139"):
        ReleaseLabel.of("emr-{}.{}.{}".format(*version))


def test_6_6_0_is_the_oldest_accepted() -> None:
    assert ReleaseLabel.of("emr-6.6.0") == ReleaseLabel.MINIMUM == min(KNOWN_RELEASES)


def test_constants_match_their_names() -> None:
    for name, value in vars(ReleaseLabel).items():
        if name.startswith("EMR_"):
            assert value.label == "emr-" + name.removeprefix("EMR_").replace("_", ".")
    assert len(KNOWN_RELEASES) == len(set(KNOWN_RELEASES))


def test_default_is_a_known_release_with_every_gate_open() -> None:
    assert DEFAULT_RELEASE in KNOWN_RELEASES
    assert all(DEFAULT_RELEASE.supports(feature) for feature in Feature)


#: (feature, first release with it) from the guide and the CloudFormation schema.
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
]


def test_gate_table_is_complete() -> None:
    assert {feature for feature, _ in GATES} == set(Feature)


@pytest.mark.parametrize(("feature", "first"), GATES)
def test_gate_refuses_the_release_before_and_accepts_its_own(feature: Feature, first: str) -> None:
    release = ReleaseLabel.of(first)
    assert feature.minimum == release
    previous = max(r for r in KNOWN_RELEASES if r < release)
    with pytest.raises(EmrServerlessValidationError) as error:
        require(previous, feature, argument="thing", value="x")
    assert f"needs {first} or later" in error.value.rule
    assert feature.source in error.value.rule
    assert error.value.argument == "thing"
    require(release, feature, argument="thing", value="x")


def test_arm64_gate_follows_the_guides_worked_example() -> None:
    # The guide's Graviton example runs emr-6.8.0 (L2034); its release notes say 6.9.0 (L9310).
    assert ReleaseLabel.EMR_6_8_0.supports(Feature.ARM64)
    assert not ReleaseLabel.EMR_6_7_0.supports(Feature.ARM64)
