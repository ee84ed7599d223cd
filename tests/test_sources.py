"""Rule texts cite addresses a user can open: every guide line the code cites has its page."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import aws_cdk as cdk
import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib import sources
from constructs_lib.application import EmrServerlessApplication
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.sources import (
    API_REFERENCE,
    CLOUDFORMATION_APPLICATION,
    GUIDE_PAGES,
    USER_GUIDE,
    api_reference,
    cite,
    guide_page,
)
from tests.harness import new_app

ROOT = Path(__file__).resolve().parent.parent
CITING_TREES = ("constructs_lib", "stacks", "scripts")

#: "guide L1328-1333, L2446": the citations cite() rewrites.
GUIDE_CITATION = re.compile(r"guide (L\d+(?:-\d+)?(?:(?:, | and )L\d+(?:-\d+)?)*)")
#: A parenthesis that cites the guide: every line in it counts ("(guide L4980-5004; L5055)").
GUIDE_PARENTHESIS = re.compile(r"\(([^()]*\bguide L\d[^()]*)\)")
LINE = re.compile(r"\bL(\d+)(?:-(\d+))?")
#: What must not survive cite(): a guide line number.
LEFT_OVER = re.compile(r"guide L\d|\bL\d{2,5}\b")


def _python_files() -> Iterator[Path]:
    for tree in CITING_TREES:
        yield from sorted((ROOT / tree).rglob("*.py"))


def cited_lines() -> dict[int, set[str]]:
    """Every guide line cited in the code base, with the files citing it."""
    found: dict[int, set[str]] = {}
    for path in _python_files():
        text = path.read_text()
        spans = [m[1] for m in GUIDE_CITATION.finditer(text)]
        spans += [m[1] for m in GUIDE_PARENTHESIS.finditer(text)]
        for span in spans:
            for first, last in LINE.findall(span):
                for line in (first, last) if last else (first,):
                    found.setdefault(int(line), set()).add(str(path.relative_to(ROOT)))
    return found


def citing_string_literals() -> list[tuple[str, str]]:
    """``(file:line, text)`` for every string literal (not docstring) citing the guide."""
    found = []
    for path in _python_files():
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and GUIDE_CITATION.search(node.value)
            ):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return found


def test_the_code_base_cites_the_guide() -> None:
    """The collectors below find what they look for (a guard against a silent regex)."""
    assert len(cited_lines()) > 50
    assert len(citing_string_literals()) > 20


def test_every_cited_line_has_its_page() -> None:
    unresolved = {
        line: sorted(files) for line, files in cited_lines().items() if guide_page(line) is None
    }
    assert unresolved == {}


def test_cited_ranges_are_cited_whole() -> None:
    """A range whose lines span two pages is cited with both pages."""
    text = "(guide L1328-1443)"
    assert cite(text) == (
        f"({sources.user_guide('app-behavior')}, {sources.user_guide('pre-init-capacity')})"
    )


#: Lines checked by hand against the guide's headings: (line, page, what the line says).
KNOWN_CITATIONS = [
    (570, "getting-started", "the runtime role's trust policy"),
    (1328, "app-behavior", "the supported worker configurations table"),
    (1381, "pre-init-capacity", "Hive initialCapacity keys"),
    (1474, "default-configs", "application-level runtimeConfiguration"),
    (1849, "application-custom-image", "the ECR repository policy for EMR Serverless"),
    (1943, "vpc-access", "subnet considerations"),
    (2034, "architecture", "the Graviton example"),
    (2150, "applications-concurrency-queuing", "the concurrency limits"),
    (2274, "job-states", "job run states"),
    (2446, "jobs-shuffle-optimized-disks", "shuffle-optimized disk sizes"),
    (2821, "jobs-spark", "the Spark job runtime role"),
    (3052, "jobs-hive", "Hive job properties"),
    (3216, "jobs-resiliency", "the retry policy"),
    (3385, "metastore-config", "cross-account Glue Data Catalog"),
    (3836, "jobs-s3-access", "assumed-role cross-account access"),
    (4130, "jobs-troubleshoot", "maximumCapacity exceeded"),
    (4255, "interactive-workloads-livy-endpoints", "the Livy endpoint release"),
    (4666, "logging", "logs in Amazon S3"),
    (4980, "jobs-log-encryption", "the log key's policy for S3 and managed storage"),
    (5088, "log4j2", "Spark Log4j2 classifications"),
    (5312, "app-job-metrics", "application metrics"),
    (5491, "monitor-with-prometheus", "the Prometheus Spark properties"),
    (5536, "monitoring-usage", "usage metric dimensions"),
    (5577, "using-eventbridge", "the application state change event"),
    (5757, "tagging-restrictions", "tag limits"),
    (5823, "using-java-runtime", "Java 17"),
    (6577, "emr-spark-redshift-auth", "Redshift credentials from Secrets Manager"),
    (7787, "security-iam-runtime-role", "pass-role privileges"),
    (8267, "emr-serverless-lf-enable", "Lake Formation drivers"),
    (8467, "emr-serverless-lf-enable-considerations", "Lake Formation considerations"),
    (8538, "interworker-encryption", "mutual TLS"),
    (8712, "secrets-manager", "the secret's resource policy"),
    (8816, "access-grants", "S3 Access Grants permissions"),
    (9071, "endpoints-quotas", "service quotas"),
    (9139, "release-versions", "the first release"),
    (9310, "release-version-690", "6.9.0 release notes"),
    (9354, "release-version-660", "the initial release notes"),
]


@pytest.mark.parametrize(("line", "page", "about"), KNOWN_CITATIONS)
def test_known_lines_resolve_to_their_page(line: int, page: str, about: str) -> None:
    found = guide_page(line)
    assert found is not None, about
    assert found.page == page, about


def test_pages_are_in_guide_order_with_well_formed_addresses() -> None:
    firsts = [page.first_line for page in GUIDE_PAGES]
    assert firsts == sorted(set(firsts))
    for page in GUIDE_PAGES:
        parts = urlsplit(page.url)
        assert (parts.scheme, parts.netloc) == ("https", "docs.aws.amazon.com")
        assert parts.path == f"/emr/latest/EMR-Serverless-UserGuide/{page.page}.html"
        assert re.fullmatch(r"[A-Za-z0-9_-]+", page.page), page
        assert page.title
        assert page.title.strip() == page.title


def test_lines_before_the_first_page_resolve_to_nothing() -> None:
    first = GUIDE_PAGES[0].first_line
    assert guide_page(first - 1) is None
    assert guide_page(first) == GUIDE_PAGES[0]
    assert cite("(guide L1)") == "(guide L1)"


def test_every_citing_literal_cites_addresses_once_cited() -> None:
    left = {
        where: cite(text)
        for where, text in citing_string_literals()
        if LEFT_OVER.search(cite(text))
    }
    assert left == {}


def _refusals() -> Iterator[Callable[[], object]]:
    """Real refusals of the pure rules, one bad input each."""
    from constructs_lib import (  # noqa: PLC0415 - pure modules only, loaded for these cases
        application_rules,
        image_references,
        monitoring_rules,
        prometheus_rules,
        runtime_permissions,
    )
    from constructs_lib.releases import ReleaseLabel  # noqa: PLC0415
    from constructs_lib.subnet_planning import Workload  # noqa: PLC0415
    from constructs_lib.workers import WorkerConfiguration  # noqa: PLC0415

    release = ReleaseLabel.of("emr-7.1.0")
    yield lambda: WorkerConfiguration(vcpu=4, memory_gb=33).check(argument="w", release=release)
    yield lambda: WorkerConfiguration(vcpu=4, memory_gb=7).check(argument="w", release=release)
    yield lambda: WorkerConfiguration(vcpu=3, memory_gb=8).check(argument="w", release=release)
    yield lambda: WorkerConfiguration(vcpu=2, memory_gb=8, disk_gb=19).check(
        argument="w", release=release
    )
    yield lambda: WorkerConfiguration(vcpu=2, memory_gb=8, disk_gb=201).check(
        argument="w", release=release
    )
    yield lambda: ReleaseLabel.of("emr-5.36.0")
    yield lambda: ReleaseLabel.of("emr-6.5.0")
    yield lambda: application_rules.check_idle_timeout(0)
    yield lambda: application_rules.check_idle_timeout(10_081)
    yield lambda: application_rules.check_whole_minutes(90, argument="idle_timeout")
    yield lambda: application_rules.check_tags({f"k{i}": "v" for i in range(51)})
    yield lambda: application_rules.check_tags({"aws:owner": "me"})
    yield lambda: application_rules.check_tags({"k" * 129: "v"})
    yield lambda: application_rules.check_kms_key_arn("not-an-arn", argument="key")
    yield lambda: application_rules.check_network_counts(
        subnets=17, security_groups=1, argument="network"
    )
    yield lambda: application_rules.check_network_counts(
        subnets=1, security_groups=6, argument="network"
    )
    yield lambda: application_rules.check_ingress_sources(
        ["0.0.0.0/0"], argument="security_groups", group="g"
    )
    yield lambda: runtime_permissions.check_s3_prefix("", whole_bucket=False)
    yield lambda: runtime_permissions.check_s3_prefix("*", whole_bucket=False)
    yield lambda: runtime_permissions.check_glue_name("", argument="database", kind="database")
    yield lambda: runtime_permissions.check_account_id("12345", argument="account")
    yield lambda: runtime_permissions.check_application_arn("arn:aws:s3:::bucket")
    yield lambda: runtime_permissions.check_source_applications(0)
    yield lambda: monitoring_rules.check_notified_states([])
    yield lambda: monitoring_rules.check_failed_jobs_threshold(0)
    yield lambda: monitoring_rules.check_threshold_percent(101, argument="percent")
    yield lambda: monitoring_rules.check_vcpu_quota(0)
    yield lambda: monitoring_rules.check_pending_minutes(0)
    yield lambda: prometheus_rules.check_workspace_id("-bad")
    yield lambda: prometheus_rules.check_workspace_alias("")
    yield lambda: prometheus_rules.check_rules_namespace_name("bad name")
    yield lambda: image_references.check_lifecycle_count(0, argument="count", unit="images")
    yield lambda: Workload(max_vcpu=0, worker_vcpu=4)
    yield lambda: Workload(max_vcpu=100, worker_vcpu=3)


def refusal_messages() -> list[str]:
    messages = []
    for refuse in _refusals():
        with pytest.raises(EmrServerlessValidationError) as error:
            refuse()
        messages.append(str(error.value))
    return messages


def test_refusals_cite_addresses_not_lines() -> None:
    messages = refusal_messages()
    assert len(messages) >= 30
    assert [m for m in messages if LEFT_OVER.search(m)] == []


def test_refusals_that_cite_the_guide_name_its_pages() -> None:
    cited = [m for m in refusal_messages() if USER_GUIDE in m]
    assert len(cited) >= 5
    for message in cited:
        for url in re.findall(rf"{re.escape(USER_GUIDE)}[^\s,;)]*", message):
            assert url.endswith(".html"), message
            assert url.removeprefix(USER_GUIDE).removesuffix(".html") in {
                page.page for page in GUIDE_PAGES
            }, message


def test_api_and_cloudformation_references_get_their_address() -> None:
    assert cite("1-10,080 minutes (CreateApplication API)") == (
        f"1-10,080 minutes (CreateApplication API); see {API_REFERENCE}API_CreateApplication.html"
    )
    assert cite("1-50 (CloudFormation schema)").endswith(f"; see {CLOUDFORMATION_APPLICATION}")
    both = cite("at most 16 subnets (CreateApplication API, CloudFormation schema)")
    assert api_reference("CreateApplication") in both
    assert CLOUDFORMATION_APPLICATION in both
    assert cite("aws-cdk-lib's CloudFormation rules") == "aws-cdk-lib's CloudFormation rules"


def test_a_guide_citation_becomes_its_page() -> None:
    assert cite("8-30 GB (guide L1328-1333, L2446)") == (
        f"8-30 GB ({sources.user_guide('app-behavior')}, "
        f"{sources.user_guide('jobs-shuffle-optimized-disks')})"
    )
    assert cite("the example (guide L2034); the notes (L9310) disagree") == (
        f"the example ({sources.user_guide('architecture')}); the notes "
        f"({sources.user_guide('release-version-690')}) disagree"
    )
    # A line cited without "guide" in a text that does not cite the guide stays as written.
    assert cite("value L1234 is not a citation") == "value L1234 is not a citation"


citation_texts = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(exclude_characters="L"), max_size=20),
        st.builds(lambda n: f"guide L{n}", st.integers(1, 9400)),
        st.builds(
            lambda a, b: f"(guide L{a}-{a + b}, L{b + 300})",
            st.integers(1, 9000),
            st.integers(0, 90),
        ),
        st.sampled_from(["(CreateApplication API)", "(CloudFormation schema)", "(L9310)"]),
    ),
    max_size=6,
).map(" ".join)


@given(citation_texts)
def test_cite_is_idempotent(text: str) -> None:
    once = cite(text)
    assert cite(once) == once


def test_warnings_cite_addresses_not_lines() -> None:
    """Warnings go through the same citing as errors (constructs_lib.tokens.warn)."""
    app = new_app(compliance=False)
    stack = cdk.Stack(app, "Warned")
    owner = cdk.CfnParameter(stack, "Owner", default="data").value_as_string
    application = EmrServerlessApplication(
        stack, "App", release="emr-7.99.0", tags={"owner": owner}
    )
    warnings = [
        str(entry.data) for entry in application.node.metadata if entry.type == "aws:cdk:warning"
    ]
    assert len(warnings) >= 2
    assert not [w for w in warnings if re.search(r"\bguide L\d|\(L\d{3,4}\)", w)]
    assert [w for w in warnings if "https://docs.aws.amazon.com/" in w]
