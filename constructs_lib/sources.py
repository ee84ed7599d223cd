"""Where each rule comes from, as addresses a user can open.

Rules cite the AWS documentation: the *Amazon EMR Serverless User Guide*, the EMR
Serverless API Reference, the CloudFormation resource reference. New rules cite a page
with :func:`user_guide`, :func:`api_reference` or :data:`CLOUDFORMATION_APPLICATION`.
Older rule texts cite the guide by line (``guide L1328-1333``, the guide's text as
digested for this project); :func:`cite`, applied to every error message, turns those
into the address of the guide page that holds the line (:data:`GUIDE_PAGES`), and adds
the API Reference page to an API operation's name.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

USER_GUIDE = "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/"
API_REFERENCE = "https://docs.aws.amazon.com/emr-serverless/latest/APIReference/"
CLOUDFORMATION_APPLICATION = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-emrserverless-application.html"
)


def user_guide(page: str, anchor: str | None = None) -> str:
    """The address of a User Guide page, e.g. ``user_guide("application-capacity")``."""
    return f"{USER_GUIDE}{page}.html" + (f"#{anchor}" if anchor else "")


def api_reference(name: str) -> str:
    """The API Reference page of an operation or data type, e.g. ``StartJobRun``."""
    return f"{API_REFERENCE}API_{name}.html"


@dataclass(frozen=True)
class GuidePage:
    """One page of the User Guide: the guide lines it spans and its address."""

    first_line: int
    page: str
    title: str

    @property
    def url(self) -> str:
        """The page's address."""
        return user_guide(self.page)


#: The User Guide's pages in the order of the digested text, each from its first line (the
#: line of its heading) to the next page's. Addresses were confirmed on
#: docs.aws.amazon.com (the page itself, or the "Topics" list of its parent page) except
#: where a row says "inferred". Pages the table leaves out are not cited: the S3 Express
#: One Zone page (L2157-2253) falls to the row before it.
GUIDE_PAGES: tuple[GuidePage, ...] = (
    GuidePage(279, "emr-serverless", "What is Amazon EMR Serverless?"),
    GuidePage(339, "setting-up", "Prerequisites for getting started"),  # inferred
    GuidePage(528, "getting-started", "Getting started with Amazon EMR Serverless"),
    GuidePage(784, "gs-console", "Getting started from the console"),  # inferred
    GuidePage(940, "gs-cli", "Getting started from the AWS CLI"),
    GuidePage(1170, "applications", "Interact with and configure an EMR Serverless application"),
    GuidePage(1207, "studio", "Creating an application from the EMR Studio console"),
    GuidePage(1261, "applications-cli", "Interacting with your application on the AWS CLI"),
    GuidePage(1296, "application-capacity", "Configuring an application"),
    GuidePage(1306, "app-behavior", "Understanding application behavior in EMR Serverless"),
    GuidePage(1343, "pre-init-capacity", "Pre-initialized capacity"),
    GuidePage(1445, "default-configs", "Default application configuration"),
    GuidePage(1652, "application-custom-image", "Customizing an EMR Serverless image"),
    GuidePage(1897, "vpc-access", "Configuring VPC access"),
    GuidePage(2001, "architecture", "Amazon EMR Serverless architecture options"),
    GuidePage(2094, "applications-concurrency-queuing", "Job concurrency and queuing"),
    GuidePage(2254, "jobs", "Running jobs"),
    GuidePage(2272, "job-states", "Job run states"),
    GuidePage(2291, "jobs-studio", "Running jobs from the EMR Studio console"),
    GuidePage(2363, "jobs-cli", "Running jobs from the AWS CLI"),
    GuidePage(2437, "jobs-shuffle-optimized-disks", "Using shuffle-optimized disks"),
    GuidePage(2618, "jobs-streaming", "Streaming jobs"),
    GuidePage(2804, "jobs-spark", "Using Spark configurations"),
    GuidePage(2992, "jobs-hive", "Using Hive configurations"),
    GuidePage(3198, "jobs-resiliency", "EMR Serverless Job resiliency"),
    GuidePage(3305, "metastore-config", "Metastore configuration for EMR Serverless"),
    GuidePage(3770, "jobs-s3-access", "Accessing S3 data in another AWS account"),
    GuidePage(4113, "jobs-troubleshoot", "Troubleshooting errors in EMR Serverless"),
    GuidePage(4150, "interactive-workloads", "Run interactive workloads through EMR Studio"),
    GuidePage(
        4253, "interactive-workloads-livy-endpoints", "Run interactive workloads through Livy"
    ),
    GuidePage(4612, "logging-monitoring", "Logging and monitoring"),
    GuidePage(4625, "logging", "Storing logs"),
    GuidePage(4825, "rotating-logs", "Rotating logs"),
    GuidePage(4868, "jobs-log-encryption", "Encrypting logs"),
    GuidePage(5082, "log4j2", "Configure Apache Log4j2 properties"),
    GuidePage(5274, "metrics", "Monitoring EMR Serverless"),
    GuidePage(5284, "app-job-metrics", "Monitoring EMR Serverless applications and jobs"),
    GuidePage(5409, "monitor-with-prometheus", "Monitor Spark metrics with Prometheus"),
    GuidePage(5511, "monitoring-usage", "EMR Serverless usage metrics"),
    GuidePage(5538, "using-eventbridge", "Automating EMR Serverless with Amazon EventBridge"),
    GuidePage(5722, "tagging", "Tagging resources"),
    GuidePage(5753, "tagging-restrictions", "Tagging limitations"),
    GuidePage(5767, "tagging", "Working with tags (a section of Tagging resources)"),
    GuidePage(5803, "tutorials", "Tutorials for EMR Serverless"),
    GuidePage(5821, "using-java-runtime", "Using Java 17 with Amazon EMR Serverless"),
    GuidePage(5896, "using-hudi", "Using Apache Hudi with EMR Serverless"),
    GuidePage(5926, "using-iceberg", "Using Apache Iceberg with EMR Serverless"),
    GuidePage(5968, "using-python-libraries", "Using Python libraries"),  # inferred
    GuidePage(6063, "using-python", "Using different Python versions"),  # inferred
    GuidePage(6125, "using-delta-lake", "Using Delta Lake OSS"),  # inferred
    GuidePage(6235, "using-airflow", "Submitting EMR Serverless jobs from Airflow"),  # inferred
    GuidePage(6334, "using-hive-udf", "Using Hive user-defined functions"),  # inferred
    GuidePage(6408, "using-custom-images", "Using custom images"),  # inferred
    GuidePage(6523, "emr-spark-redshift", "Amazon Redshift integration for Spark"),  # inferred
    GuidePage(
        6573, "emr-spark-redshift-auth", "Authenticating with the Redshift integration for Spark"
    ),
    GuidePage(6650, "emr-spark-redshift", "Reading and writing Amazon Redshift"),  # inferred
    GuidePage(6755, "using-ddb-connector", "Connecting to DynamoDB"),  # inferred
    GuidePage(7110, "security", "Security"),  # inferred
    GuidePage(7137, "security-best-practices", "Security best practices"),
    GuidePage(7153, "data-protection", "Data protection"),
    GuidePage(7235, "security_iam_service-with-iam", "Identity and Access Management (IAM)"),
    GuidePage(7360, "security-iam-serverless", "How EMR Serverless works with IAM"),
    GuidePage(7522, "using-service-linked-roles", "Using service-linked roles"),
    GuidePage(7699, "security-iam-runtime-role", "Job runtime roles for Amazon EMR Serverless"),
    GuidePage(7806, "security-iam-user-access-policies", "User access policy examples"),
    GuidePage(7982, "security-iam-TBAC", "Policies for tag-based access control"),
    GuidePage(8113, "security-iam-id-based-policy-examples", "Identity-based policy examples"),
    GuidePage(8192, "security_iam_service-with-iam", "Updates to AWS managed policies"),
    GuidePage(8203, "security_iam_troubleshoot", "Troubleshooting identity and access"),
    GuidePage(8254, "emr-serverless-lf-enable", "Using EMR Serverless with AWS Lake Formation"),
    GuidePage(8461, "emr-serverless-lf-enable-considerations", "Lake Formation considerations"),
    GuidePage(8536, "interworker-encryption", "Inter-worker encryption"),
    GuidePage(8562, "secrets-manager", "Secrets Manager for data protection"),
    GuidePage(8794, "access-grants", "Using Amazon S3 Access Grants with EMR Serverless"),
    GuidePage(8872, "logging-using-cloudtrail", "Logging API calls using AWS CloudTrail"),
    GuidePage(8996, "infrastructure-security", "Infrastructure security"),
    GuidePage(9017, "endpoints-quotas", "Endpoints and quotas for EMR Serverless"),
    GuidePage(9135, "release-versions", "Amazon EMR Serverless release versions"),
    *(
        GuidePage(line, f"release-version-{release.replace('.', '')}", f"EMR Serverless {release}")
        for line, release in (
            (9161, "7.6.0"),
            (9170, "7.5.0"),
            (9179, "7.4.0"),
            (9188, "7.3.0"),
            (9201, "7.2.0"),
            (9214, "7.1.0"),
            (9223, "7.0.0"),
            (9232, "6.15.0"),
            (9245, "6.14.0"),
            (9254, "6.13.0"),
            (9263, "6.12.0"),
            (9272, "6.11.0"),
            (9285, "6.10.0"),
            (9298, "6.9.0"),
            (9317, "6.8.0"),
            (9326, "6.7.0"),
            (9342, "6.6.0"),
        )
    ),
    GuidePage(9366, "doc-history", "Document history"),  # inferred
)

_FIRST_LINES = [page.first_line for page in GUIDE_PAGES]


def guide_page(line: int) -> GuidePage | None:
    """The guide page holding ``line``; ``None`` before the first known page."""
    index = bisect.bisect_right(_FIRST_LINES, line) - 1
    return GUIDE_PAGES[index] if index >= 0 else None


#: API operations rules name, e.g. "(CreateApplication ApplicationName)".
API_OPERATIONS = (
    "CreateApplication",
    "UpdateApplication",
    "GetApplication",
    "StartApplication",
    "StopApplication",
    "DeleteApplication",
    "StartJobRun",
    "GetJobRun",
    "CancelJobRun",
    "ListJobRuns",
)

_GUIDE_LINES = re.compile(r"guide (L\d+(?:-\d+)?(?:(?:, | and )L\d+(?:-\d+)?)*)")
_LINES = re.compile(r"L(\d+)(?:-(\d+))?")
#: A guide line cited without the word "guide", as in "(L9310)" after a guide citation.
_BARE_LINES = re.compile(r"\bL(\d{3,4})(?:-(\d{3,4}))?\b")
_API = re.compile(r"\b(" + "|".join(API_OPERATIONS) + r")\b")
_CLOUDFORMATION = re.compile(r"\bCloudFormation (schema|[A-Z][A-Za-z]+)\b(?! rules)")


def _urls(match: re.Match[str]) -> list[str] | None:
    """The pages of the lines in ``match`` (a range's first and last line), or ``None``."""
    urls: list[str] = []
    for first, last in _LINES.findall(match[0]):
        for line in (first, last) if last else (first,):
            page = guide_page(int(line))
            if page is None:
                return None
            if page.url not in urls:
                urls.append(page.url)
    return urls


def cite(text: str) -> str:
    """``text`` with line citations of the guide replaced by the pages' addresses.

    ``"(guide L1328-1333, L2446)"`` becomes ``"(https://.../app-behavior.html,
    https://.../jobs-shuffle-optimized-disks.html)"``; in a text that cites the guide, a
    line cited alone (``"(L9310)"``) is replaced too. A line of no known page stays as
    written. A text that names an API operation or the CloudFormation schema without its
    address gets the address appended (``"...; see https://..."``). Idempotent.
    """

    def pages(match: re.Match[str]) -> str:
        urls = _urls(match)
        return match[0] if urls is None else ", ".join(urls)

    if _GUIDE_LINES.search(text):
        text = _GUIDE_LINES.sub(pages, text)
        text = _BARE_LINES.sub(pages, text)
    references = [api_reference(name) for name in dict.fromkeys(_API.findall(text))]
    if _CLOUDFORMATION.search(text):
        references.append(CLOUDFORMATION_APPLICATION)
    missing = [url for url in references if url not in text]
    return f"{text}; see {', '.join(missing)}" if missing else text
