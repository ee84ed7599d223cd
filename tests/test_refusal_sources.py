"""Every refusal in the application's rule modules cites the source that makes it a refusal.

The principle (docs/application.md, "What is refused and what is a warning"): an error only
for what the service refuses, with its source; what the guide only recommends is a
warning. This test reads the rule modules' source and finds every rule text of an
``EmrServerlessValidationError``, ``PatternRule`` and ``check_range`` call: each must cite
the guide (``guide L<line>``), an API operation or shape, the CloudFormation schema, or an
AWS documentation address, unless it is listed below as a contract of this library's own
Python API (misuse that no AWS service ever sees), with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "constructs_lib"

#: The modules whose refusals issue 14 re-checked.
RULE_MODULES = (
    "application_rules",
    "workers",
    "releases",
    "runtime_configuration",
    "monitoring_configuration",
    "image_references",
    "application",
    "application_image",
    "availability_zones",
    "network_rules",
)

#: A rule text cites a source when it matches one of these.
CITATION = re.compile(
    r"guide L\d+|https://|\(API\)|CloudFormation|Create[A-Z]\w+|[A-Z][a-z]+[A-Z]\w*(?:Configuration|Name|Arn|Uri|Size|Type|Counts|Ids|Map|Url|String|Digest|Config)|"
    r"subnetIds|securityGroupIds|ECR|AutoStopConfig|countNumber|"
    r"\{[a-z_.]*source[a-z_.]*\}|\{[A-Z_]*PAGE\}",
)

#: Rule texts that are contracts of this library's Python API, not service rules.
LIBRARY_CONTRACTS = {
    "Spark cores are a positive whole number": "parses spark-defaults for a warning only",
    "a memory overhead factor is a fraction": "parses spark-defaults for a warning only",
    "a Spark memory size is a whole number": "parses spark-defaults for a warning only",
    "an imported application is identified by its id or its ARN": "importer arguments",
    "the network is given either as network": "two ways to pass one network",
    "subnets and security groups belong to a VPC": "vpc_subnets without vpc",
    "the release decides which settings are valid": "a token release cannot be checked",
    "a duration from a token converts to minutes only": "aws-cdk-lib's Duration of a token",
    "the selection must match subnets of the VPC": "aws-cdk-lib's subnet selection",
    "the application enables no interactive endpoint": "a grant with nothing to grant",
    "the application does not enable": "a grant for an endpoint that does not exist",
    "a pull statement names at least one application ARN": "an empty IAM condition",
    "an ECR lifecycle rule counts whole": "ECR lifecycle policy countNumber",
    "an application publishes the capacity and job-state metrics": "the metric table",
    "is published per": "the metric table's dimensions",
    "an application ARN is arn:": "an ARN for an IAM condition",
    "is named twice": "two keys of one Python mapping naming one worker type",
}


_RULE_CALLS = {
    "EmrServerlessValidationError",
    "SubnetPlanningError",
    "PatternRule",
    "fullmatch",
    "check_at_most",
    "TagProblem",
}


def _rule_texts(module: str) -> list[tuple[int, str]]:
    tree = ast.parse((ROOT / f"{module}.py").read_text())
    assigned: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(_text(node.value))
    functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        wanted = "source" if name == "check_range" else "rule" if name in _RULE_CALLS else None
        for keyword in node.keywords if wanted else ():
            if keyword.arg != wanted:
                continue
            if _rule_of_a_rule_function(keyword.value, assigned, functions):
                continue  # `problem.rule` of `problem = tag_problem(...)`: scanned there
            if isinstance(keyword.value, ast.Name) and keyword.value.id in assigned:
                # A rule built in a variable: every text assigned to it.
                found.extend((node.lineno, t) for t in assigned[keyword.value.id])
            else:
                found.append((node.lineno, _text(keyword.value)))
    return found


def _rule_of_a_rule_function(
    value: ast.expr, assigned: dict[str, list[str]], functions: set[str]
) -> bool:
    """Whether ``value`` is ``<name>.rule`` of a result of this module's own functions only.

    Those functions build their rule texts in scanned calls (``TagProblem(rule=...)``).
    """
    if not (
        isinstance(value, ast.Attribute)
        and value.attr == "rule"
        and isinstance(value.value, ast.Name)
    ):
        return False
    texts = assigned.get(value.value.id, [])
    return bool(texts) and all(
        re.fullmatch(r"\{(\w+)\(.*\)\}", text) and text[1:].split("(", 1)[0] in functions
        for text in texts
    )


def _text(node: ast.expr) -> str:
    """The literal parts of a rule text; formatted fields as ``{name}``."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(v.value) if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
            for v in node.values
            if isinstance(v, (ast.Constant, ast.FormattedValue))
        )
    if isinstance(node, ast.BinOp):
        return _text(node.left) + _text(node.right)
    return "{" + ast.unparse(node) + "}"


@pytest.mark.parametrize("module", RULE_MODULES)
def test_every_refusal_cites_its_source(module: str) -> None:
    uncited = [
        f"{module}.py:{line}: {text[:90]}"
        for line, text in _rule_texts(module)
        if not CITATION.search(text) and not any(c in text for c in LIBRARY_CONTRACTS)
    ]
    assert uncited == []


def test_the_scan_finds_the_refusals() -> None:
    counts = {module: len(_rule_texts(module)) for module in RULE_MODULES}
    assert all(counts[m] > 0 for m in RULE_MODULES if m != "network_rules")
    texts = [t for m in RULE_MODULES for _, t in _rule_texts(m)]
    assert any("guide L9139" in t for t in texts)
    assert not CITATION.search("a value must be nice")


def test_library_contracts_are_still_in_the_code() -> None:
    texts = " ".join(t for m in RULE_MODULES for _, t in _rule_texts(m))
    assert [c for c in LIBRARY_CONTRACTS if c not in texts] == []
