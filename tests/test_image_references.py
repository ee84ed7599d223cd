"""Image naming rules: base images, repository names, tags, digests, source ARNs, the Dockerfile."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cfnlint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.application_rules import parse_image_uri
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.image_references import (
    IMAGE_DIGEST,
    IMAGE_TAG,
    REPOSITORY_NAME,
    applications_arn,
    base_image,
    check_lifecycle_count,
    parse_application_arn,
    pull_conditions,
)
from constructs_lib.releases import DEFAULT_RELEASE, KNOWN_RELEASES, ReleaseLabel
from constructs_lib.workers import EngineType

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
APPLICATION = f"arn:aws:emr-serverless:eu-west-1:{ACCOUNT}:/applications/00fabcdef12525"

image_releases = st.tuples(st.integers(6, 99), st.integers(0, 99), st.integers(0, 99)).filter(
    lambda v: v >= (6, 9, 0)
)

# --- base images ----------------------------------------------------------------------------


def test_base_image_is_the_guides_for_emr_6_9_0() -> None:
    assert base_image(EngineType.SPARK, "emr-6.9.0") == (
        "public.ecr.aws/emr-serverless/spark/emr-6.9.0:latest"
    )
    assert base_image(EngineType.HIVE, ReleaseLabel.EMR_6_9_0) == (
        "public.ecr.aws/emr-serverless/hive/emr-6.9.0:latest"
    )


@given(st.sampled_from(EngineType), image_releases)
def test_base_image_names_engine_and_release(
    engine: EngineType, version: tuple[int, int, int]
) -> None:
    label = "emr-{}.{}.{}".format(*version)
    assert base_image(engine, label) == (
        f"public.ecr.aws/emr-serverless/{engine.value.lower()}/{label}:latest"
    )


def test_base_images_need_6_9_0() -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"custom images needs emr-6\.9\.0") as e:
        base_image(EngineType.SPARK, ReleaseLabel.EMR_6_8_0)
    assert (e.value.argument, e.value.value) == ("release", "emr-6.8.0")
    assert base_image(EngineType.SPARK, ReleaseLabel.EMR_6_9_0).endswith("/emr-6.9.0:latest")


@pytest.mark.parametrize("release", [r for r in KNOWN_RELEASES if r >= ReleaseLabel.EMR_6_9_0])
def test_a_base_image_is_not_an_application_image(release: ReleaseLabel) -> None:
    with pytest.raises(EmrServerlessValidationError, match="FROM line"):
        parse_image_uri(base_image(EngineType.SPARK, release))
    private = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/spark:{release.label}"
    assert parse_image_uri(private).tag == release.label


# --- repository names -------------------------------------------------------------------------

segment = st.from_regex(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", fullmatch=True)
repository_names = (
    st.lists(segment, min_size=1, max_size=4)
    .map("/".join)
    .filter(lambda name: 2 <= len(name) <= 256)
)


def _cloudformation_repository_name_pattern() -> re.Pattern[str]:
    """RepositoryName's pattern in cfn-lint's copy of the CloudFormation resource schema."""
    schemas = Path(cfnlint.__file__).parent / "data" / "schemas"
    digest = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    schema = json.loads(
        (schemas / "resources" / f"{digest['AWS::ECR::Repository']}.json").read_text()
    )
    return re.compile(schema["properties"]["RepositoryName"]["pattern"])


CLOUDFORMATION_NAME = _cloudformation_repository_name_pattern()


@given(repository_names)
def test_accepted_repository_names_are_valid_for_cloudformation(name: str) -> None:
    REPOSITORY_NAME.check(name)
    assert CLOUDFORMATION_NAME.search(name)


@given(repository_names, st.sampled_from("A_Z!@ #:"), st.data())
def test_a_foreign_or_capital_character_is_refused(
    name: str, bad: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(name)))
    with pytest.raises(EmrServerlessValidationError, match="ECR repository name"):
        REPOSITORY_NAME.check(name[:at] + (bad if bad != "_" else "__") + name[at:])


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("ab", True),
        ("a", False),
        ("analytics/spark-etl", True),
        ("Analytics/spark", False),
        ("a.b_c-d/e0", True),
        ("a--b", False),
        ("a__b", False),
        ("a/", False),
        ("/a", False),
        ("-ab", False),
        ("ab.", False),
        ("a" * 256, True),
        ("a" * 257, False),
    ],
)
def test_repository_name_rule(name: str, valid: bool) -> None:
    if valid:
        REPOSITORY_NAME.check(name)
    else:
        with pytest.raises(EmrServerlessValidationError) as error:
            REPOSITORY_NAME.check(name)
        assert error.value.argument == "repository_name"
        assert "CreateRepository" in error.value.rule


# --- tags and digests -------------------------------------------------------------------------


@given(st.from_regex(r"[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", fullmatch=True))
def test_any_docker_tag_is_accepted(tag: str) -> None:
    IMAGE_TAG.check(tag)


@pytest.mark.parametrize(
    ("tag", "valid"),
    [
        ("etl-1", True),
        ("_private", True),
        ("v1.2.3", True),
        ("a" * 128, True),
        ("a" * 300, True),  # the CloudFormation ImageUri pattern allows 300
        ("a" * 301, False),
        ("", False),
        (".hidden", False),
        ("-x", False),
        ("a:b", False),
        ("a/b", False),
    ],
)
def test_tag_rule(tag: str, valid: bool) -> None:
    if valid:
        IMAGE_TAG.check(tag)
    else:
        with pytest.raises(EmrServerlessValidationError, match="image tag is 1-300"):
            IMAGE_TAG.check(tag)


@given(st.from_regex(r"[0-9a-f]{64}", fullmatch=True))
def test_any_sha256_digest_is_accepted(hex_digits: str) -> None:
    IMAGE_DIGEST.check(f"sha256:{hex_digits}")


@pytest.mark.parametrize(
    "digest",
    ["sha256:" + "0" * 63, "sha256:" + "A" * 64, "sha512:" + "0" * 64, "0" * 64, "sha256:"],
)
def test_digest_rule_refuses(digest: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="ImageDigest") as error:
        IMAGE_DIGEST.check(digest)
    assert error.value.argument == "digest"


# --- application ARNs and pull conditions -----------------------------------------------------


@given(
    st.sampled_from(["aws", "aws-cn", "aws-us-gov"]),
    st.sampled_from(["eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1"]),
    st.from_regex(r"\d{12}", fullmatch=True),
    st.from_regex(r"[0-9a-z]{1,64}", fullmatch=True),
)
def test_application_arns_round_trip(
    partition: str, region: str, account: str, application_id: str
) -> None:
    arn = f"arn:{partition}:emr-serverless:{region}:{account}:/applications/{application_id}"
    parsed = parse_application_arn(arn)
    assert (parsed.partition, parsed.region, parsed.account, parsed.application_id) == (
        partition,
        region,
        account,
        application_id,
    )
    assert applications_arn(partition, region, account) == arn.rsplit("/", 1)[0] + "/*"


@pytest.mark.parametrize(
    "arn",
    [
        APPLICATION.replace(":/applications/", ":applications/"),
        APPLICATION.replace("00fabcdef12525", "00FABCDEF"),
        APPLICATION.replace("00fabcdef12525", "*"),
        APPLICATION.replace(ACCOUNT, "12345"),
        APPLICATION.replace("emr-serverless", "emr"),
        APPLICATION + "/jobruns/1",
    ],
)
def test_malformed_application_arns_are_refused(arn: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="an application ARN is") as error:
        parse_application_arn(arn)
    assert error.value.argument == "application_arns"
    assert parse_application_arn(APPLICATION).application_id == "00fabcdef12525"


def test_a_pattern_is_compared_with_arn_like() -> None:
    pattern = applications_arn("aws", "eu-west-1", ACCOUNT)
    assert pull_conditions([pattern], ACCOUNT) == {
        "ArnLike": {"aws:SourceArn": pattern},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }


def test_known_applications_are_compared_exactly() -> None:
    other = APPLICATION.replace("00fabcdef12525", "00fother")
    assert pull_conditions([APPLICATION], ACCOUNT) == {
        "StringEquals": {"aws:SourceArn": APPLICATION, "aws:SourceAccount": ACCOUNT}
    }
    assert pull_conditions([APPLICATION, other], ACCOUNT) == {
        "StringEquals": {"aws:SourceArn": [APPLICATION, other], "aws:SourceAccount": ACCOUNT}
    }


@given(st.lists(st.from_regex(r"[0-9a-z]{1,16}", fullmatch=True), min_size=1, max_size=5))
def test_every_arn_is_in_the_condition(ids: list[str]) -> None:
    arns = [f"{APPLICATION.rsplit('/', 1)[0]}/{i}" for i in ids]
    (operator,) = [
        op for op, keys in pull_conditions(arns, ACCOUNT).items() if "aws:SourceArn" in keys
    ]
    source = pull_conditions(arns, ACCOUNT)[operator]["aws:SourceArn"]
    assert (source if isinstance(source, list) else [source]) == arns
    assert operator == "StringEquals"


def test_no_source_arn_is_refused() -> None:
    with pytest.raises(EmrServerlessValidationError, match="at least one application"):
        pull_conditions([], ACCOUNT)


# --- lifecycle counts -------------------------------------------------------------------------


@given(st.integers(1, 10_000))
def test_positive_counts_pass(count: int) -> None:
    assert check_lifecycle_count(count, argument="max_tagged_images", unit="images") == count


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "3", -1.8881545897087626e289])
def test_other_counts_are_refused(value: object) -> None:
    with pytest.raises(EmrServerlessValidationError, match="at least 1, known at synth") as error:
        check_lifecycle_count(value, argument="untagged_image_expiry_days", unit="days")
    assert error.value.argument == "untagged_image_expiry_days"


# --- the starter Dockerfile -------------------------------------------------------------------

DOCKERFILE = ROOT / "images" / "spark" / "Dockerfile"


def _instructions(path: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines if line and line[0] != "#")
    ]


def test_dockerfile_builds_from_the_default_releases_spark_base_image() -> None:
    instructions = _instructions(DOCKERFILE)
    arguments = dict(rest.split("=", 1) for word, rest in instructions if word == "ARG")
    (base,) = [rest for word, rest in instructions if word == "FROM"]
    resolved = re.sub(r"\$\{(\w+)\}", lambda m: arguments[m[1]], base)
    assert arguments["EMR_RELEASE"] == DEFAULT_RELEASE.label
    assert resolved == base_image(EngineType.SPARK, DEFAULT_RELEASE)


def test_dockerfile_follows_the_guides_rules() -> None:
    instructions = _instructions(DOCKERFILE)
    words = [word for word, _ in instructions]
    users = [rest for word, rest in instructions if word == "USER"]
    assert users == ["root", "hadoop:hadoop"]  # L1700-1711
    assert words[-1] == "USER"  # nothing runs after switching back to hadoop
    assert "CMD" not in words  # ignored (L1891)
    assert "ENTRYPOINT" not in words
    environment = " ".join(rest for word, rest in instructions if word == "ENV")
    assert not re.search(r"\b(JAVA|SPARK|HIVE|TEZ)_HOME\b", environment)  # L1892
    requirements = (DOCKERFILE.parent / "requirements.txt").read_text().splitlines()
    pins = [line for line in requirements if line and not line.startswith("#")]
    assert pins
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9.]+", pin) for pin in pins)
