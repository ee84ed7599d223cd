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


#: The User Guide's pages in the order of the digested text, each from its first line to
#: the next page's (the guide's table of contents, with each page's address).
GUIDE_PAGES: tuple[GuidePage, ...] = ()

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
_LINE = re.compile(r"L(\d+)")
_API = re.compile(r"\b(" + "|".join(API_OPERATIONS) + r")\b")
_CLOUDFORMATION = re.compile(r"\bCloudFormation (schema|[A-Z][A-Za-z]+)\b(?! rules)")


def cite(text: str) -> str:
    """``text`` with line citations of the guide replaced by the pages' addresses.

    ``"(guide L1328-1333, L2446)"`` becomes ``"(https://.../application-capacity.html,
    https://.../jobs-spark.html)"``; a line of no known page stays as written. A text that
    names an API operation or the CloudFormation schema without its address gets the
    address appended (``"...; see https://..."``).
    """

    def pages(match: re.Match[str]) -> str:
        urls: list[str] = []
        for line in _LINE.findall(match[1]):
            page = guide_page(int(line))
            if page is None:
                return match[0]
            if page.url not in urls:
                urls.append(page.url)
        return ", ".join(urls)

    text = _GUIDE_LINES.sub(pages, text)
    references = [api_reference(name) for name in dict.fromkeys(_API.findall(text))]
    if _CLOUDFORMATION.search(text):
        references.append(CLOUDFORMATION_APPLICATION)
    missing = [url for url in references if url not in text]
    return f"{text}; see {', '.join(missing)}" if missing else text
