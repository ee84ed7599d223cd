"""Review what a change does to the infrastructure: the head synth compared with the base synth.

``make review`` (``BASE=<git ref> make review`` to compare with a branch) writes two files:

- ``review.md``: the pull-request comment. Summary first; then replaced or removed stateful
  resources and subnets (in bold), applications the change stops, cost-relevant changes, the
  changed stacks, and per stack, in collapsible sections, the resources added, removed,
  replaced and modified, IAM statements and security-group rules added and removed, subnet
  CIDR changes, acknowledgements, synth findings and new cfn-lint matches. Every section has
  a size budget, so the comment fits GitHub's 65,536-character limit whatever the change.
- ``review-full.md``: the same report with nothing left out.

Replacements come from each resource type's ``createOnlyProperties`` in the CloudFormation
resource schemas cfn-lint ships; application stops from
:func:`constructs_lib.application_updates.classify_update`.

Both assemblies are untrusted data (the head is the pull request's synth): every path is
kept inside its assembly, file sizes and nesting are bounded, and every string from them is
escaped for Markdown and HTML (:func:`escape`) before it is written.

    python scripts/review.py --head cdk.out --base base/cdk.out --output cdk.out/review.md
    python scripts/review.py --head cdk.out --base-ref main        # synthesizes main here

Reads only files (and, with ``--base-ref``, runs git and the CDK CLI): no AWS, no aws_cdk.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import ipaddress
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from constructs_lib.application_updates import ApplicationUpdate, classify_update
from constructs_lib.validation_report import Finding, read_findings

#: Regions cfn-lint checks every template against (as the test harness does).
DEFAULT_LINT_REGIONS = ("us-east-1", "eu-west-1")

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
LOGICAL_ID = "aws:cdk:logicalId"
WARNING = "⚠️"

#: GitHub refuses an issue comment longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
#: What ``review.md`` may use, in UTF-8 bytes (never fewer than characters): the rest of the
#: comment is left for the workflow's marker and footer.
DEFAULT_BUDGET_BYTES = 60_000
#: Untrusted strings are cut to this many characters in the comment (the full report: more).
COMMENT_VALUE_CHARS = 160
FULL_VALUE_CHARS = 4_000

#: Bounds on what an assembly may hold (it is untrusted): CloudFormation takes templates up
#: to 1 MB from S3; the metadata and the validation report of a large app are bigger.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_JSON_DEPTH = 100
MAX_NESTED_ASSEMBLIES = 4
MAX_STACKS = 2_000

_WORLD = frozenset({"0.0.0.0/0", "::/0"})
_CONTROL_IDS = re.compile(r"\s*-\s*\(Control IDs:.*\)\.?\s*$", re.DOTALL)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(vCPU|GB)?\s*$", re.IGNORECASE)


class AssemblyError(ValueError):
    """A cloud assembly that cannot be read (missing, malformed, or outside the bounds)."""


# --------------------------------------------------------------------------- escaping

#: Characters that are HTML or Markdown syntax anywhere in a line, written as entities.
_ENTITIES: dict[str, str] = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "|": "&#124;",
    "~": "&#126;",
    "$": "&#36;",
    "#": "&#35;&#8203;",  # and a zero-width space: no #123 issue reference
    "@": "@&#8203;",  # no @mention
    "\n": "&#92;n",
    "\r": "&#92;r",
    "\t": "&#92;t",
}
#: Characters that are Markdown syntax at the start of a line (a list, heading, quote...).
_LINE_START = frozenset("-+=")
#: Unicode categories never written as they are: controls, format characters (bidi
#: overrides, zero-width characters), line and paragraph separators, private use, surrogates
#: and unassigned code points. They are shown as ``<U+202E>``.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
#: Autolinks GitHub would make of text: links are broken with a zero-width space.
_AUTOLINKS = re.compile(r"(?i)(://|www\.|GH-(?=\d))")


def escape(value: Any, limit: int | None = COMMENT_VALUE_CHARS) -> str:
    """``value`` as text that renders as itself in GitHub Markdown and HTML, and nothing else.

    HTML and Markdown metacharacters become entities, ``@`` and ``#`` cannot mention or
    reference, new lines and other invisible characters (bidi controls, zero-width
    characters) are shown as ``\\n`` or ``<U+202E>``, links are not made, and text longer
    than ``limit`` characters is cut (with ``…``). The result never starts a block, so it
    is safe anywhere inline: in a table cell, a list item, a heading, ``<summary>`` or
    ``<code>``.
    """
    text = value if isinstance(value, str) else render(value)
    cut = limit is not None and len(text) > limit
    if cut:
        text = text[:limit]
    if text.isascii():
        escaped = text.translate(_ASCII)
    else:
        escaped = "".join(_escape_character(char) for char in text)
    if escaped[:1] in _LINE_START:
        escaped = f"&#{ord(escaped[0])};{escaped[1:]}"
    escaped = _AUTOLINKS.sub(lambda m: f"{m[1][0]}&#8203;{m[1][1:]}", escaped)
    return escaped + ("…" if cut else "")


def _escape_character(char: str) -> str:
    entity = _ENTITIES.get(char)
    if entity is not None:
        return entity
    if unicodedata.category(char) in _HIDDEN:
        return f"&lt;U+{ord(char):04X}&gt;"
    return char


#: :func:`escape` of each ASCII character, for ``str.translate``.
_ASCII = {code: _escape_character(chr(code)) for code in range(128)}


def code(value: Any, limit: int | None = COMMENT_VALUE_CHARS) -> str:
    """``value`` in a ``<code>`` element, escaped (a Markdown code span could be broken out of)."""
    return f"<code>{escape(value, limit)}</code>"


# --------------------------------------------------------------------------- the assembly


@dataclass(frozen=True)
class Stack:
    """One synthesized stack: its template and which construct path made which resource."""

    name: str
    path: str
    template: Mapping[str, Any]
    logical_ids: Mapping[str, str] = field(default_factory=dict)
    acknowledged: Sequence[tuple[str, str, str]] = ()  # (construct path, rule, reason)
    stack_name: str = ""
    environment: str = ""

    @property
    def key(self) -> str:
        """What identifies the stack across synths: its environment and CloudFormation name."""
        return f"{self.environment}|{self.stack_name or self.name}"

    @property
    def resources(self) -> Mapping[str, Any]:
        """The template's resources by logical id."""
        resources = self.template.get("Resources", {})
        return resources if isinstance(resources, dict) else {}

    @property
    def outputs(self) -> Mapping[str, Any]:
        """The template's outputs by name."""
        outputs = self.template.get("Outputs", {})
        return outputs if isinstance(outputs, dict) else {}

    def logical_id(self, construct_path: str) -> str | None:
        """The logical id of the resource ``construct_path`` (or its ``Resource`` child) made."""
        path = "/" + construct_path.lstrip("/")
        return self.logical_ids.get(path) or self.logical_ids.get(f"{path}/Resource")


@dataclass(frozen=True)
class Assembly:
    """A cloud assembly: its stacks and the synth's findings."""

    root: Path | None
    stacks: Sequence[Stack]
    findings: Sequence[Finding]

    @classmethod
    def empty(cls) -> Assembly:
        """No stacks: what a review without a base compares with."""
        return cls(root=None, stacks=(), findings=())

    def stack_of(self, construct_path: str) -> Stack | None:
        """The stack that holds ``construct_path`` (the longest matching stack path)."""
        matches = [
            s
            for s in self.stacks
            if construct_path == s.path or construct_path.startswith(f"{s.path}/")
        ]
        return max(matches, key=lambda s: len(s.path), default=None)

    def by_name(self, stack_name: str) -> Stack | None:
        """The stack deployed as ``stack_name`` (the first, if environments repeat it)."""
        return next((s for s in self.stacks if (s.stack_name or s.name) == stack_name), None)


def load_assembly(root: Path) -> Assembly:
    """Read ``root``'s manifest, nested assemblies (stages), templates and validation report.

    Raises :class:`AssemblyError` for a missing or malformed assembly, a path that leaves
    ``root``, or a file or nesting beyond the bounds.
    """
    root = Path(root)
    if not (root / "manifest.json").is_file():
        raise AssemblyError(f"{root / 'manifest.json'} not found: run `make synth` first")
    real_root = root.resolve()
    stacks = list(_stacks(real_root, real_root, depth=0))
    if len(stacks) > MAX_STACKS:
        raise AssemblyError(f"{root}: {len(stacks)} stacks, more than {MAX_STACKS}")
    report_path = real_root / "validation-report.json"
    report = _read_json(real_root, report_path) if report_path.is_file() else {}
    findings = list(_findings(report)) if isinstance(report, dict) else []
    return Assembly(root=root, stacks=stacks, findings=findings)


def _inside(root: Path, directory: Path, relative: Any) -> Path:
    """``directory / relative``, refused unless it is a file or folder inside ``root``."""
    if not isinstance(relative, str) or not relative or "\0" in relative:
        raise AssemblyError(f"{directory}: a manifest names the path {relative!r:.80}")
    path = (directory / relative).resolve()
    if not path.is_relative_to(root):
        raise AssemblyError(f"{directory}: the manifest path {relative!r:.80} leaves the assembly")
    return path


def _read_json(root: Path, path: Path) -> Any:
    """A JSON file of the assembly, bounded in size and nesting."""
    path = path.resolve()
    if not path.is_relative_to(root):
        raise AssemblyError(f"{path} is outside the assembly {root}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise AssemblyError(f"{path}: {size} bytes, more than {MAX_FILE_BYTES}")
        value = json.loads(path.read_bytes())
    except RecursionError as error:
        raise AssemblyError(f"{path}: nested deeper than Python can read") from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise AssemblyError(f"{path}: {type(error).__name__}: {str(error)[:200]}") from error
    _check_depth(path, value)
    return value


def _check_depth(path: Path, value: Any) -> None:
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise AssemblyError(f"{path}: nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(item, dict):
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)


def _stacks(root: Path, directory: Path, *, depth: int) -> Iterable[Stack]:
    if depth > MAX_NESTED_ASSEMBLIES:
        raise AssemblyError(f"{directory}: assemblies nested more than {MAX_NESTED_ASSEMBLIES}")
    manifest = _read_json(root, directory / "manifest.json")
    artifacts = manifest.get("artifacts", {}) if isinstance(manifest, dict) else {}
    if not isinstance(artifacts, dict):
        raise AssemblyError(f"{directory}/manifest.json: artifacts is not a mapping")
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        properties = artifact.get("properties", {})
        properties = properties if isinstance(properties, dict) else {}
        kind = artifact.get("type")
        if kind == "cdk:cloud-assembly":
            nested = _inside(root, directory, properties.get("directoryName"))
            yield from _stacks(root, nested, depth=depth + 1)
        elif kind == "aws:cloudformation:stack":
            yield _stack(root, directory, str(artifact_id), artifact, properties)


def _stack(
    root: Path,
    directory: Path,
    artifact_id: str,
    artifact: Mapping[str, Any],
    properties: Mapping[str, Any],
) -> Stack:
    template = _read_json(root, _inside(root, directory, properties.get("templateFile")))
    metadata = artifact.get("metadata", {})
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    if artifact.get("additionalMetadataFile"):
        extra = _inside(root, directory, artifact["additionalMetadataFile"])
        more = _read_json(root, extra) if extra.is_file() else {}
        metadata.update(more if isinstance(more, dict) else {})
    entries = [
        (str(path), entry)
        for path, listed in metadata.items()
        if isinstance(listed, list)
        for entry in listed
        if isinstance(entry, dict)
    ]
    return Stack(
        name=artifact_id,
        path=str(artifact.get("displayName", artifact_id)),
        template=template if isinstance(template, dict) else {},
        logical_ids={
            path: str(entry.get("data"))
            for path, entry in entries
            if entry.get("type") == LOGICAL_ID
        },
        acknowledged=[
            (path.lstrip("/"), str(rule).removeprefix("Annotation::"), str(reason))
            for path, entry in entries
            if entry.get("type") == ACKNOWLEDGED and isinstance(entry.get("data"), dict)
            for rule, reason in entry["data"].items()
        ],
        stack_name=str(properties.get("stackName") or artifact_id),
        environment=str(artifact.get("environment", "")),
    )


def _findings(report: Mapping[str, Any]) -> Iterable[Finding]:
    try:
        found = read_findings(report)
    except (AttributeError, TypeError):  # not the shape aws-cdk-lib writes
        return
    for finding in found:
        yield replace(finding, description=_CONTROL_IDS.sub("", str(finding.description)))


# --------------------------------------------------------------------------- intrinsics


def render(value: Any) -> str:
    """A template value with CloudFormation functions written readably (``${Bucket.Arn}/*``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)
    if isinstance(value, list):
        return ", ".join(render(item) for item in value)
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        rendered = _FUNCTIONS.get(function)
        if rendered is not None:
            try:
                return rendered(argument)
            except (TypeError, ValueError):
                pass
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _sub(argument: Any) -> str:
    text, variables = (argument, {}) if isinstance(argument, str) else argument
    if not isinstance(text, str) or not isinstance(variables, dict):
        raise ValueError(argument)
    for name, replacement in variables.items():
        text = text.replace("${" + str(name) + "}", render(replacement))
    return text


def _call(name: str) -> Callable[[Any], str]:
    def call(argument: Any) -> str:
        items = argument if isinstance(argument, list) else [argument]
        return f"{name}({', '.join(render(item) for item in items)})"

    return call


def _join(argument: Any) -> str:
    if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list)):
        raise ValueError(argument)
    return str(argument[0]).join(render(item) for item in argument[1])


def _get_att(argument: Any) -> str:
    parts = argument if isinstance(argument, list) else [argument]
    return "${" + ".".join(render(part) for part in parts) + "}"


def _stack_output(argument: Any) -> str:
    if not isinstance(argument, dict):
        raise ValueError(argument)
    return f"output({render(argument.get('StackName'))}.{render(argument.get('OutputName'))})"


_FUNCTIONS: dict[str, Callable[[Any], str]] = {
    "Ref": lambda name: "${" + render(name) + "}",
    "Fn::GetAtt": _get_att,
    "Fn::Join": _join,
    "Fn::Sub": _sub,
    "Fn::ImportValue": _call("import"),
    "Fn::GetStackOutput": _stack_output,
    "Fn::Select": _call("select"),
    "Fn::Split": _call("split"),
    "Fn::If": _call("if"),
    "Fn::GetAZs": _call("azs"),
    "Fn::FindInMap": _call("map"),
    "Fn::Base64": _call("base64"),
    "Fn::Cidr": _call("cidr"),
}

_SUB_VARIABLE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def references(value: Any) -> Iterator[tuple[str, Any]]:
    """What ``value`` refers to: ``("local", logical id)``, ``("output", (stack, output))``,
    ``("import", export name)``.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get("Ref"), str) and not item["Ref"].startswith("AWS::"):
                yield ("local", item["Ref"])
            attribute = item.get("Fn::GetAtt")
            if isinstance(attribute, list) and attribute and isinstance(attribute[0], str):
                yield ("local", attribute[0])
            elif isinstance(attribute, str):
                yield ("local", attribute.split(".", 1)[0])
            output = item.get("Fn::GetStackOutput")
            if isinstance(output, dict):
                yield (
                    "output",
                    (render(output.get("StackName")), render(output.get("OutputName"))),
                )
            if isinstance(item.get("Fn::ImportValue"), str):
                yield ("import", item["Fn::ImportValue"])
            sub = item.get("Fn::Sub")
            text = (
                sub if isinstance(sub, str) else sub[0] if isinstance(sub, list) and sub else None
            )
            if isinstance(text, str):
                yield from (("local", name) for name in _SUB_VARIABLE.findall(text))
            pending.extend(item.values())


# --------------------------------------------------------------------------- resource schemas


def _schemas_directory() -> Path | None:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@cache
def _provider_maps() -> tuple[dict[str, str], ...]:
    """cfn-lint's resource type -> schema file maps, us-east-1 first, then every other Region."""
    directory = _schemas_directory()
    if directory is None:
        return ()
    providers = directory / "providers"
    files = sorted(providers.glob("*.json"), key=lambda p: (p.name != "us-east-1.json", p.name))
    return tuple(json.loads(path.read_text()) for path in files)


@cache
def create_only_properties(resource_type: str) -> tuple[tuple[str, ...], ...] | None:
    """The create-only property paths of ``resource_type`` (``("CidrBlock",)``,
    ``("EncryptionConfiguration", "KmsKey")``, ``*`` for every item of a list), from the
    CloudFormation resource schema cfn-lint ships; ``None`` when there is no schema.
    """
    directory = _schemas_directory()
    for provider in _provider_maps():
        digest = provider.get(resource_type)
        if isinstance(digest, str) and directory is not None:
            schema = json.loads((directory / "resources" / f"{digest}.json").read_text())
            return tuple(
                tuple(path.removeprefix("/properties/").split("/"))
                for path in schema.get("createOnlyProperties", [])
                if path.startswith("/properties/")
            )
    return None


_MISSING = object()


def _at(value: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` in ``value`` (``*``: every item of a list); ``_MISSING`` if none."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head == "*":
        return tuple(_at(item, rest) for item in value) if isinstance(value, list) else _MISSING
    if isinstance(value, dict) and head in value:
        return _at(value[head], rest)
    return _MISSING


# --------------------------------------------------------------------------- IAM


@dataclass(frozen=True)
class IamStatement:
    """One statement of one policy, with what it is attached to."""

    logical_id: str
    policy: str
    attached_to: str
    statement: Mapping[str, Any]

    @property
    def principal(self) -> str:
        """Who the statement is about (resource and trust policies), or ``-``."""
        for key in ("Principal", "NotPrincipal"):
            if key in self.statement:
                return ("NOT " if key == "NotPrincipal" else "") + _principal(self.statement[key])
        return "-"

    @property
    def actions(self) -> list[str]:
        """The actions, ``NOT``-prefixed for ``NotAction``."""
        return _listed(self.statement, "Action")

    @property
    def resources(self) -> list[str]:
        """The resources rendered, ``NOT``-prefixed for ``NotResource``."""
        return _listed(self.statement, "Resource")

    @property
    def conditions(self) -> list[str]:
        """Each condition as ``Operator key = value``."""
        block = self.statement.get("Condition", {})
        if not isinstance(block, dict):
            return [render(block)]
        return [
            f"{operator} {key} = {render(value)}"
            for operator, keys in block.items()
            for key, value in (keys.items() if isinstance(keys, dict) else [("?", keys)])
        ]

    @property
    def broad(self) -> bool:
        """Whether an Allow grants a wildcard action or resource."""
        if self.statement.get("Effect") != "Allow":
            return False
        return any("*" in item for item in self.actions) or "*" in self.resources

    @property
    def identity(self) -> str:
        """What a statement is, for comparing two synths: its policy and its exact text."""
        text = json.dumps(self.statement, sort_keys=True, separators=(",", ":"))
        return f"{self.logical_id}\0{self.policy}\0{self.attached_to}\0{text}"


def _principal(principal: Any) -> str:
    if principal == "*":
        return "* (anyone)"
    if isinstance(principal, dict):
        return "; ".join(f"{kind}: {render(who)}" for kind, who in sorted(principal.items()))
    return render(principal)


def _listed(statement: Mapping[str, Any], key: str) -> list[str]:
    for name, prefix in ((key, ""), (f"Not{key}", "NOT ")):
        if name in statement:
            values = statement[name] if isinstance(statement[name], list) else [statement[name]]
            return [prefix + render(value) for value in values]
    return []


#: Where each resource type keeps its policy documents: property -> what the policy is.
_POLICIES: dict[str, dict[str, str]] = {
    "AWS::IAM::Role": {"AssumeRolePolicyDocument": "trust policy", "Policies": "inline policy"},
    "AWS::IAM::User": {"Policies": "inline policy"},
    "AWS::IAM::Group": {"Policies": "inline policy"},
    "AWS::IAM::Policy": {"PolicyDocument": "policy"},
    "AWS::IAM::ManagedPolicy": {"PolicyDocument": "managed policy"},
    "AWS::S3::BucketPolicy": {"PolicyDocument": "bucket policy"},
    "AWS::KMS::Key": {"KeyPolicy": "key policy"},
    "AWS::ECR::Repository": {"RepositoryPolicyText": "repository policy"},
    "AWS::SNS::TopicPolicy": {"PolicyDocument": "topic policy"},
    "AWS::SQS::QueuePolicy": {"PolicyDocument": "queue policy"},
    "AWS::SecretsManager::ResourcePolicy": {"ResourcePolicy": "secret policy"},
    "AWS::Logs::ResourcePolicy": {"PolicyDocument": "log resource policy"},
}

#: Resources whose policies are about themselves (identities, keys, repositories).
_SELF_ATTACHED = frozenset(
    {"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::KMS::Key", "AWS::ECR::Repository"}
)

#: The properties that name what a standalone policy is attached to.
_ATTACHED_BY = ("Bucket", "Topics", "Queues", "SecretId", "Roles", "Users", "Groups")


def iam_statements(template: Mapping[str, Any]) -> list[IamStatement]:
    """Every statement of every identity, trust and resource policy in ``template``."""
    found: list[IamStatement] = []
    for logical_id, resource in _resources(template):
        kind = resource.get("Type", "")
        properties = _properties(resource)
        if kind in _SELF_ATTACHED:
            attached_to = logical_id
        else:
            named = [
                f"{key}: {render(properties[key])}" for key in _ATTACHED_BY if key in properties
            ]
            attached_to = "; ".join(named) or "-"
        for key, policy in _POLICIES.get(kind, {}).items():
            for label, document in _documents(properties, key, policy):
                if not isinstance(document, dict):
                    continue
                statements = _as_list(document.get("Statement"))
                found.extend(
                    IamStatement(logical_id, label, attached_to, s)
                    for s in statements
                    if isinstance(s, dict)
                )
    return found


def _documents(properties: Mapping[str, Any], key: str, policy: str) -> list[tuple[str, Any]]:
    """``(label, document)`` of each policy document held in ``properties[key]``."""
    value = properties.get(key)
    if value is None:
        return []
    if key == "Policies":  # inline policies: [{PolicyName, PolicyDocument}, ...]
        return [
            (f"{policy} {render(item.get('PolicyName', ''))}".strip(), item.get("PolicyDocument"))
            for item in _as_list(value)
            if isinstance(item, dict)
        ]
    if isinstance(value, str):  # Logs resource policies are JSON text
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [(policy, value)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _resources(template: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    resources = template.get("Resources", {})
    if isinstance(resources, dict):
        for logical_id, resource in resources.items():
            if isinstance(resource, dict):
                yield str(logical_id), resource


def _properties(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = resource.get("Properties", {})
    return properties if isinstance(properties, dict) else {}


# --------------------------------------------------------------------------- security groups


@dataclass(frozen=True)
class SecurityGroupRule:
    """One ingress or egress rule of a security group."""

    group: str
    direction: str
    protocol: str
    ports: str
    peer: str
    description: str

    @property
    def open_to_the_world(self) -> bool:
        """Whether it is an ingress rule from 0.0.0.0/0 or ::/0."""
        return self.direction == "ingress" and self.peer in _WORLD


_PROTOCOLS = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_PEERS = {
    "ingress": ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId"),
    "egress": ("CidrIp", "CidrIpv6", "DestinationSecurityGroupId", "DestinationPrefixListId"),
}
#: CDK writes this egress rule for a group that allows no outbound traffic.
_NO_EGRESS = {"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}


def security_group_rules(template: Mapping[str, Any]) -> list[SecurityGroupRule]:
    """Every rule of every security group, inline or standalone, in ``template``."""
    rules: list[SecurityGroupRule] = []
    groups_with_egress: set[str] = set()
    for logical_id, resource in _resources(template):
        kind, properties = resource.get("Type"), _properties(resource)
        if kind == "AWS::EC2::SecurityGroup":
            for direction, key in (
                ("ingress", "SecurityGroupIngress"),
                ("egress", "SecurityGroupEgress"),
            ):
                for rule in _as_list(properties.get(key)):
                    if isinstance(rule, dict):
                        rules.append(_rule(logical_id, direction, rule))
            if "SecurityGroupEgress" in properties:
                groups_with_egress.add(logical_id)
        elif kind in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            direction = "ingress" if kind.endswith("Ingress") else "egress"
            group = render(properties.get("GroupId", properties.get("GroupName", "?")))
            rules.append(_rule(group, direction, properties))
            if direction == "egress":
                groups_with_egress.add(_referenced(properties.get("GroupId")) or group)
    for logical_id, resource in _resources(template):
        if (
            resource.get("Type") == "AWS::EC2::SecurityGroup"
            and logical_id not in groups_with_egress
        ):
            rules.append(
                SecurityGroupRule(
                    logical_id,
                    "egress",
                    "all",
                    "all",
                    "0.0.0.0/0",
                    "CloudFormation's default egress",
                )
            )
    return rules


def _referenced(value: Any) -> str | None:
    """The logical id in ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, ...]}``."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and isinstance(value.get("Fn::GetAtt"), list):
        return str(value["Fn::GetAtt"][0])
    return None


def _rule(group: str, direction: str, rule: Mapping[str, Any]) -> SecurityGroupRule:
    if direction == "egress" and all(rule.get(k) == v for k, v in _NO_EGRESS.items()):
        return SecurityGroupRule(group, direction, "none", "-", "-", "no outbound traffic (CDK)")
    protocol = _PROTOCOLS.get(str(rule.get("IpProtocol", "-1")), render(rule.get("IpProtocol")))
    peer = next((render(rule[key]) for key in _PEERS[direction] if key in rule), "?")
    return SecurityGroupRule(
        group=group,
        direction=direction,
        protocol=protocol,
        ports=_ports(protocol, rule.get("FromPort"), rule.get("ToPort")),
        peer=peer,
        description=render(rule.get("Description", "")),
    )


def _ports(protocol: str, low: Any, high: Any) -> str:
    if protocol == "all" or (low in (None, -1) and high in (None, -1)):
        return "all"
    if protocol.startswith("icmp"):
        return f"type {render(low)}, code {render(high)}"
    if low == high:
        return render(low)
    return "all" if (low, high) == (0, 65535) else f"{render(low)}-{render(high)}"


# --------------------------------------------------------------------------- acknowledgements


@dataclass(frozen=True)
class Acknowledgement:
    """A finding acknowledged on a resource (or construct), with the reason."""

    where: str
    rule: str
    reason: str
    stack_wide: bool = False


def acknowledgements(stack: Stack) -> list[Acknowledgement]:
    """Resource metadata (``cdk_nag.rules_to_suppress``) plus acknowledgements on constructs."""
    found: dict[tuple[str, str], Acknowledgement] = {}
    for logical_id, resource in _resources(stack.template):
        metadata = resource.get("Metadata", {})
        nag = metadata.get("cdk_nag", {}) if isinstance(metadata, dict) else {}
        for entry in _as_list(nag.get("rules_to_suppress") if isinstance(nag, dict) else None):
            if isinstance(entry, dict):
                rule = str(entry.get("id", "?"))
                found[(logical_id, rule)] = Acknowledgement(
                    logical_id, rule, str(entry.get("reason", ""))
                )
    for path, rule, reason in stack.acknowledged:
        where = stack.logical_id(path) or path
        if (where, rule) not in found:
            found[(where, rule)] = Acknowledgement(
                where, rule, reason, stack_wide=path == stack.path
            )
    return sorted(found.values(), key=lambda a: (a.rule, a.where))


# --------------------------------------------------------------------------- costs


@dataclass(frozen=True)
class Price:
    """One list price the review multiplies, with the page it is published on."""

    item: str
    unit: str
    usd: float
    source: str


EMR_PRICING = "https://aws.amazon.com/emr/pricing/"
VPC_PRICING = "https://aws.amazon.com/vpc/pricing/"
PRIVATELINK_PRICING = "https://aws.amazon.com/privatelink/pricing/"
KMS_PRICING = "https://aws.amazon.com/kms/pricing/"
#: Where and when the prices below were recorded. Stacks are often environment-agnostic,
#: so one Region's on-demand list prices stand for all: check the pages for yours.
PRICES_REGION = "us-east-1"
PRICES_RECORDED = "2026-12"
HOURS_PER_MONTH = 730

PRICES: dict[str, Price] = {
    "emr_vcpu_x86_64": Price(
        "EMR Serverless worker vCPU, x86_64", "vCPU-hour", 0.052624, EMR_PRICING
    ),
    "emr_gb_x86_64": Price(
        "EMR Serverless worker memory, x86_64", "GB-hour", 0.0057785, EMR_PRICING
    ),
    "emr_vcpu_arm64": Price(
        "EMR Serverless worker vCPU, ARM64", "vCPU-hour", 0.042094, EMR_PRICING
    ),
    "emr_gb_arm64": Price("EMR Serverless worker memory, ARM64", "GB-hour", 0.004628, EMR_PRICING),
    "emr_storage": Price(
        "EMR Serverless ephemeral storage beyond 20 GB a worker", "GB-hour", 0.000111, EMR_PRICING
    ),
    "nat_gateway": Price("NAT gateway (plus per GB processed)", "hour", 0.045, VPC_PRICING),
    "interface_endpoint": Price(
        "Interface VPC endpoint, per AZ (plus per GB processed)", "hour", 0.01, PRIVATELINK_PRICING
    ),
    "public_ipv4": Price("Public IPv4 address (Elastic IP)", "hour", 0.005, VPC_PRICING),
    "kms_key": Price("KMS customer managed key (plus requests)", "month", 1.0, KMS_PRICING),
}

#: EMR Serverless includes this much ephemeral storage with every worker.
FREE_STORAGE_GB = 20


@dataclass(frozen=True)
class CostItem:
    """Something billed whether or not it is used, with its quantity and monthly price."""

    item: str
    quantity: float
    unit: str
    monthly_usd: float
    prices: tuple[str, ...]
    detail: str = ""


def cost_items(template: Mapping[str, Any]) -> dict[str, CostItem]:
    """The always-on cost of ``template`` by item: NAT gateways, interface endpoint AZs,
    public IPv4 addresses, KMS keys, and each application's pre-initialized workers (as if
    started the whole month: the upper bound).
    """
    counts: dict[str, float] = defaultdict(float)
    items: dict[str, CostItem] = {}
    for logical_id, resource in _resources(template):
        kind, properties = resource.get("Type", ""), _properties(resource)
        if kind == "AWS::EC2::NatGateway":
            counts["nat_gateway"] += 1
        elif kind == "AWS::EC2::EIP":
            counts["public_ipv4"] += 1
        elif kind == "AWS::KMS::Key":
            counts["kms_key"] += 1
        elif kind == "AWS::EC2::VPCEndpoint" and properties.get("VpcEndpointType") in (
            "Interface",
            "GatewayLoadBalancer",
        ):
            counts["interface_endpoint"] += max(1, len(_as_list(properties.get("SubnetIds"))))
        elif kind == "AWS::EMRServerless::Application":
            warm = _pre_initialized(logical_id, properties)
            if warm is not None:
                items[warm.item] = warm
    labels = {
        "nat_gateway": ("NAT gateways", "gateway"),
        "public_ipv4": ("Public IPv4 addresses", "address"),
        "kms_key": ("KMS keys", "key"),
        "interface_endpoint": ("Interface endpoints", "endpoint-AZ"),
    }
    for key, count in counts.items():
        price = PRICES[key]
        per_month = price.usd * (1 if price.unit == "month" else HOURS_PER_MONTH)
        label, unit = labels[key]
        items[label] = CostItem(label, count, unit, count * per_month, (key,))
    return items


def _pre_initialized(logical_id: str, properties: Mapping[str, Any]) -> CostItem | None:
    vcpu = memory = storage = 0.0
    for entry in _as_list(properties.get("InitialCapacity")):
        value = entry.get("Value", {}) if isinstance(entry, dict) else {}
        count = value.get("WorkerCount", 0) if isinstance(value, dict) else 0
        config = value.get("WorkerConfiguration", {}) if isinstance(value, dict) else {}
        config = config if isinstance(config, dict) else {}
        cpu, mem = _amount(config.get("Cpu")), _amount(config.get("Memory"))
        disk = _amount(config.get("Disk")) or FREE_STORAGE_GB
        if isinstance(count, int) and cpu is not None and mem is not None:
            vcpu += count * cpu
            memory += count * mem
            storage += count * max(0.0, disk - FREE_STORAGE_GB)
    if not vcpu:
        return None
    arch = "arm64" if properties.get("Architecture") == "ARM64" else "x86_64"
    keys = (f"emr_vcpu_{arch}", f"emr_gb_{arch}", "emr_storage")
    hourly = (
        vcpu * PRICES[keys[0]].usd + memory * PRICES[keys[1]].usd + storage * PRICES[keys[2]].usd
    )
    name = render(properties.get("Name", logical_id))
    return CostItem(
        f"Pre-initialized workers of {name}",
        vcpu * HOURS_PER_MONTH,
        "vCPU-hour",
        hourly * HOURS_PER_MONTH,
        keys,
        f"{vcpu:g} vCPU, {memory:g} GB, {arch}",
    )


def _amount(value: Any) -> float | None:
    match = _SIZE.match(value) if isinstance(value, str) else None
    return float(match[1]) if match else None


# --------------------------------------------------------------------------- cfn-lint


@dataclass(frozen=True)
class LintMatch:
    """One cfn-lint match."""

    rule: str
    level: str
    where: str
    message: str


def cfn_lint(template: Mapping[str, Any], regions: Sequence[str]) -> list[LintMatch]:
    """cfn-lint's errors and warnings for ``template``."""
    from cfnlint.api import ManualArgs, lint

    levels = {"E": "error", "W": "warning", "I": "info"}
    matches = [
        LintMatch(
            rule=match.rule.id,
            level=levels.get(match.rule.id[:1], "?"),
            where="/".join(str(part) for part in match.path) or f"line {match.linenumber}",
            message=match.message,
        )
        for match in lint(json.dumps(template), config=ManualArgs(regions=list(regions)))
    ]
    return [m for m in matches if m.level != "info"]


# --------------------------------------------------------------------------- the diff

#: Resource types whose replacement or removal loses data or breaks what runs on them.
STATEFUL_TYPES = frozenset(
    {
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::ECR::Repository",
        "AWS::APS::Workspace",
        "AWS::EMRServerless::Application",
        "AWS::EC2::Subnet",
        "AWS::EC2::VPC",
        "AWS::SQS::Queue",
        "AWS::Glue::Database",
    }
)
_RETAINED = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})


@dataclass(frozen=True)
class ResourceChange:
    """One resource added, removed, replaced or modified."""

    logical_id: str
    kind: str
    change: str  # added, removed, replaced, modified
    properties: tuple[str, ...] = ()  # top-level properties that change
    why: tuple[str, ...] = ()  # why it is replaced (or changes though its text does not)
    stateful: bool = False
    retained: bool = False  # the old resource is kept (DeletionPolicy / UpdateReplacePolicy)

    @property
    def critical(self) -> bool:
        """A stateful resource or subnet replaced or removed: listed first, in bold."""
        return self.stateful and self.change in ("replaced", "removed")


@dataclass(frozen=True)
class SubnetChange:
    """A subnet whose CIDR block changes, appears or goes."""

    logical_id: str
    before: str | None
    after: str | None
    zone: str


@dataclass(frozen=True)
class ApplicationStop:
    """An application the change stops (or replaces) to update it."""

    logical_id: str
    name: str
    team: str
    update: ApplicationUpdate
    #: CloudFormation replaces it (a create-only property changes): a new application.
    replaced: bool = False


@dataclass(frozen=True)
class CostChange:
    """An always-on cost item whose quantity changes."""

    item: str
    before: CostItem | None
    after: CostItem | None

    @property
    def monthly_change(self) -> float:
        """USD per month, positive for more."""
        return (self.after.monthly_usd if self.after else 0.0) - (
            self.before.monthly_usd if self.before else 0.0
        )


@dataclass
class StackDiff:
    """What changes in one stack."""

    key: str
    path: str
    status: str  # added, removed, changed, unchanged
    description: str = ""
    resources: list[ResourceChange] = field(default_factory=list)
    iam_added: list[IamStatement] = field(default_factory=list)
    iam_removed: list[IamStatement] = field(default_factory=list)
    rules_added: list[SecurityGroupRule] = field(default_factory=list)
    rules_removed: list[SecurityGroupRule] = field(default_factory=list)
    subnets: list[SubnetChange] = field(default_factory=list)
    stops: list[ApplicationStop] = field(default_factory=list)
    costs: list[CostChange] = field(default_factory=list)
    acks_added: list[Acknowledgement] = field(default_factory=list)
    acks_removed: list[Acknowledgement] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lint: list[LintMatch] = field(default_factory=list)
    outputs_added: list[str] = field(default_factory=list)
    outputs_removed: list[str] = field(default_factory=list)
    other_sections: list[str] = field(default_factory=list)  # Parameters, Conditions, ...

    def count(self, change: str) -> int:
        """How many resources are ``change`` (added, removed, replaced, modified)."""
        return sum(r.change == change for r in self.resources)

    @property
    def critical(self) -> list[ResourceChange]:
        """Stateful resources and subnets replaced or removed."""
        return [r for r in self.resources if r.critical]

    @property
    def severity(self) -> tuple[int, ...]:
        """Sort key: the stacks a reviewer must see first come first."""
        return (
            -len(self.critical),
            -len(self.stops),
            -sum(s.broad for s in self.iam_added) - len(self.acks_added),
            -len(self.iam_added) - len(self.iam_removed) - len(self.rules_added),
            -len(self.resources),
        )

    @property
    def changed(self) -> bool:
        """Whether anything in the stack changes."""
        return self.status != "unchanged"


@dataclass(frozen=True)
class Review:
    """The differences between two cloud assemblies."""

    base_label: str
    head_label: str
    has_base: bool
    stacks: Sequence[StackDiff]
    unplaced_findings: Sequence[Finding] = ()
    lint_run: bool = False

    @property
    def changed(self) -> list[StackDiff]:
        """The stacks that change, those to look at first first."""
        return sorted((s for s in self.stacks if s.changed), key=lambda s: (s.severity, s.path))

    @property
    def unchanged(self) -> list[StackDiff]:
        """The stacks that do not change."""
        return [s for s in self.stacks if not s.changed]


def compare(
    base: Assembly,
    head: Assembly,
    *,
    base_label: str = "base",
    head_label: str = "head",
    lint: Callable[[Mapping[str, Any]], list[LintMatch]] | None = None,
) -> Review:
    """What changes from ``base`` to ``head``, stack by stack (matched by environment and name).

    :param lint: cfn-lint for a template (``None``: not run); only matches a changed stack's
        head template has and its base template has not are reported.
    """
    base_stacks = {s.key: s for s in base.stacks}
    head_stacks = {s.key: s for s in head.stacks}
    replaced = _Replacements(base_stacks, head)
    base_findings = {(f.plugin, f.rule, f.path) for f in base.findings}
    new_findings: dict[str, list[Finding]] = defaultdict(list)
    unplaced: list[Finding] = []
    for finding in head.findings:
        if (finding.plugin, finding.rule, finding.path) in base_findings:
            continue
        owner = head.stack_of(finding.path)
        (new_findings[owner.key] if owner else unplaced).append(finding)
    diffs = []
    for key in sorted(set(base_stacks) | set(head_stacks)):
        before, after = base_stacks.get(key), head_stacks.get(key)
        diff = _stack_diff(before, after, replaced)
        diff.findings = new_findings.get(key, [])
        if diff.findings and diff.status == "unchanged":
            diff.status = "changed"
        if lint is not None and diff.changed and after is not None:
            old = {(m.rule, m.where, m.message) for m in lint(before.template)} if before else set()
            diff.lint = [m for m in lint(after.template) if (m.rule, m.where, m.message) not in old]
        diffs.append(diff)
    return Review(
        base_label=base_label,
        head_label=head_label,
        has_base=base.root is not None,
        stacks=diffs,
        unplaced_findings=unplaced,
        lint_run=lint is not None,
    )


class _Replacements:
    """Which resources CloudFormation replaces, and why.

    A resource is replaced when its type or a create-only property changes, or when a
    create-only property refers (in its stack or through a stack output) to a resource that
    is replaced: its physical id changes with it. Repeated until nothing more is replaced.
    """

    def __init__(self, base: Mapping[str, Stack], head: Assembly) -> None:
        self.head = head
        self.stacks = {s.key: s for s in head.stacks}
        self.why: dict[tuple[str, str], tuple[str, ...]] = {}
        self._exports: dict[str, tuple[Stack, Any]] | None = None
        pairs = [
            (key, logical_id, old, new)
            for key, stack in self.stacks.items()
            if key in base
            for logical_id, new in _resources(stack.template)
            for old in [base[key].resources.get(logical_id)]
            if isinstance(old, dict)
        ]
        changed = True
        while changed:
            changed = False
            for key, logical_id, old, new in pairs:
                if (key, logical_id) not in self.why:
                    why = self._why(old, new, key)
                    if why:
                        self.why[(key, logical_id)] = why
                        changed = True

    def _why(self, old: Mapping[str, Any], new: Mapping[str, Any], key: str) -> tuple[str, ...]:
        if old.get("Type") != new.get("Type"):
            return (f"its type changes from {render(old.get('Type'))}",)
        paths = create_only_properties(str(new.get("Type", "")))
        if not paths:
            return ()
        before, after = _properties(old), _properties(new)
        why: list[str] = []
        for path in paths:
            was, now = _at(before, path), _at(after, path)
            name = ".".join(path).replace(".*", "[*]")
            if was != now:
                shown = [render(v) if v is not _MISSING else "(none)" for v in (was, now)]
                why.append(f"{name}: {shown[0]} → {shown[1]}")
            elif now is not _MISSING:
                target = self.reference(now, key)
                if target:
                    why.append(f"{name} refers to {target}, which is replaced")
        return tuple(why)

    def reference(self, value: Any, key: str) -> str | None:
        """The first replaced resource ``value`` (in stack ``key``) refers to, directly or
        through another stack's output.
        """
        for kind, target in references(value):
            if kind == "local" and (key, target) in self.why:
                return str(target)
            found = self._output(kind, target)
            if found is not None:
                stack, output_value = found
                for inner_kind, inner in references(output_value):
                    if inner_kind == "local" and (stack.key, inner) in self.why:
                        return f"{inner} in {stack.path}"
        return None

    def _output(self, kind: str, target: Any) -> tuple[Stack, Any] | None:
        if kind == "output":
            stack_name, output_name = target
            stack = self.head.by_name(stack_name)
            output = stack.outputs.get(output_name) if stack else None
            return (stack, output.get("Value")) if stack and isinstance(output, dict) else None
        if kind == "import":
            if self._exports is None:
                self._exports = {
                    render(o["Export"].get("Name")): (s, o.get("Value"))
                    for s in self.stacks.values()
                    for o in s.outputs.values()
                    if isinstance(o, dict) and isinstance(o.get("Export"), dict)
                }
            return self._exports.get(target)
        return None


def _stack_diff(before: Stack | None, after: Stack | None, replaced: _Replacements) -> StackDiff:
    stack = after or before
    assert stack is not None
    status = "added" if before is None else "removed" if after is None else "changed"
    description = render(stack.template.get("Description", ""))
    diff = StackDiff(key=stack.key, path=stack.path, status=status, description=description)
    old_template = before.template if before else {}
    new_template = after.template if after else {}
    old_resources = dict(_resources(old_template))
    new_resources = dict(_resources(new_template))
    for logical_id in sorted(set(old_resources) | set(new_resources)):
        old, new = old_resources.get(logical_id), new_resources.get(logical_id)
        moved: tuple[str, ...] = ()
        if old is not None and new is not None:
            moved = tuple(
                f"{name} refers to {target}, which is replaced"
                for name, value in sorted(_properties(new).items())
                for target in [replaced.reference(value, stack.key)]
                if target
            )
        change = _resource_change(
            logical_id, old, new, replaced.why.get((stack.key, logical_id)), moved
        )
        if change is not None:
            diff.resources.append(change)
        kind = (new or old or {}).get("Type")
        if kind == "AWS::EMRServerless::Application" and old is not None and new is not None:
            stop = _application_stop(logical_id, old, new, stack, replaced)
            if stop is not None:
                diff.stops.append(stop)
    diff.subnets = _subnet_changes(old_resources, new_resources)
    old_iam = {s.identity: s for s in iam_statements(old_template)}
    new_iam = {s.identity: s for s in iam_statements(new_template)}
    diff.iam_added = [s for k, s in new_iam.items() if k not in old_iam]
    diff.iam_removed = [s for k, s in old_iam.items() if k not in new_iam]
    old_rules, new_rules = security_group_rules(old_template), security_group_rules(new_template)
    diff.rules_added = [r for r in new_rules if r not in old_rules]
    diff.rules_removed = [r for r in old_rules if r not in new_rules]
    old_acks = {(a.where, a.rule, a.reason): a for a in acknowledgements(before)} if before else {}
    new_acks = {(a.where, a.rule, a.reason): a for a in acknowledgements(after)} if after else {}
    diff.acks_added = [a for k, a in new_acks.items() if k not in old_acks]
    diff.acks_removed = [a for k, a in old_acks.items() if k not in new_acks]
    old_costs, new_costs = cost_items(old_template), cost_items(new_template)
    for item in sorted(set(old_costs) | set(new_costs)):
        was, now = old_costs.get(item), new_costs.get(item)
        if (was and (was.quantity, was.monthly_usd, was.detail)) != (
            now and (now.quantity, now.monthly_usd, now.detail)
        ):
            diff.costs.append(CostChange(item, was, now))
    old_outputs = before.outputs if before else {}
    new_outputs = after.outputs if after else {}
    diff.outputs_added = sorted(set(new_outputs) - set(old_outputs))
    diff.outputs_removed = sorted(set(old_outputs) - set(new_outputs))
    old_norm, new_norm = _normalized(old_template), _normalized(new_template)
    diff.other_sections = sorted(
        k
        for k in (set(old_norm) | set(new_norm)) - {"Resources", "Outputs"}
        if old_norm.get(k) != new_norm.get(k)
    )
    if status == "changed" and old_norm == new_norm and not _anything(diff):
        diff.status = "unchanged"
    return diff


def _normalized(template: Mapping[str, Any]) -> dict[str, Any]:
    """``template`` without the metadata CloudFormation does not deploy."""
    normalized = {k: v for k, v in template.items() if k != "Metadata"}
    normalized["Resources"] = {k: _without_metadata(v) for k, v in _resources(template)}
    return normalized


def _anything(diff: StackDiff) -> bool:
    return bool(
        diff.resources
        or diff.iam_added
        or diff.iam_removed
        or diff.rules_added
        or diff.rules_removed
        or diff.acks_added
        or diff.acks_removed
        or diff.outputs_added
        or diff.outputs_removed
    )


def _resource_change(
    logical_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    why_replaced: tuple[str, ...] | None,
    moved: tuple[str, ...] = (),
) -> ResourceChange | None:
    resource = new if new is not None else old
    assert resource is not None
    kind = str(resource.get("Type", "?"))
    policies = {str(resource.get(k)) for k in ("DeletionPolicy", "UpdateReplacePolicy")}
    stateful = kind in STATEFUL_TYPES or bool(policies & _RETAINED)
    if old is None:
        return ResourceChange(logical_id, kind, "added", stateful=stateful)
    if new is None:
        retained = str(old.get("DeletionPolicy")) in _RETAINED
        return ResourceChange(logical_id, kind, "removed", stateful=stateful, retained=retained)
    if _without_metadata(old) == _without_metadata(new) and not why_replaced:
        if moved:  # the same text, but what it refers to is replaced
            names = tuple(sorted({m.split(" ", 1)[0] for m in moved}))
            return ResourceChange(logical_id, kind, "modified", names, moved, stateful)
        return None
    before, after = _properties(old), _properties(new)
    names = tuple(sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)))
    others = (set(old) | set(new)) - {"Properties", "Metadata"}
    changed = names + tuple(sorted(k for k in others if old.get(k) != new.get(k)))
    if why_replaced:
        retained = str(old.get("UpdateReplacePolicy")) in _RETAINED
        return ResourceChange(
            logical_id, kind, "replaced", changed, why_replaced, stateful, retained
        )
    return ResourceChange(logical_id, kind, "modified", changed, moved, stateful=stateful)


def _without_metadata(resource: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k != "Metadata"}


def _application_stop(
    logical_id: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    stack: Stack,
    replaced: _Replacements,
) -> ApplicationStop | None:
    before, after = dict(_properties(old)), dict(_properties(new))
    for name, value in after.items():  # same text, new physical ids: the value changes
        if before.get(name) == value and replaced.reference(value, stack.key):
            after[name] = {"refers to replaced resources": value}
    update = classify_update(before, after)
    replaces = (stack.key, logical_id) in replaced.why
    if not update.changes or not (update.stops or update.replaces or replaces):
        return None
    tags = after.get("Tags", [])
    team = next(
        (
            render(tag.get("Value"))
            for tag in _as_list(tags)
            if isinstance(tag, dict) and tag.get("Key") == "team"
        ),
        stack.path,
    )
    name = render(after.get("Name", logical_id))
    return ApplicationStop(logical_id, name, team, update, replaced=replaces)


def _subnet_changes(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> list[SubnetChange]:
    def cidr(resource: Mapping[str, Any] | None) -> str | None:
        if resource is None or resource.get("Type") != "AWS::EC2::Subnet":
            return None
        return render(_properties(resource).get("CidrBlock", "?"))

    changes = []
    for logical_id in sorted(set(old) | set(new)):
        was, now = cidr(old.get(logical_id)), cidr(new.get(logical_id))
        if was != now:
            resource = new.get(logical_id) or old.get(logical_id) or {}
            zone = _properties(resource).get(
                "AvailabilityZone", _properties(resource).get("AvailabilityZoneId", "?")
            )
            changes.append(SubnetChange(logical_id, was, now, render(zone)))
    return changes


# --------------------------------------------------------------------------- Markdown

FULL_REPORT = "review-full.md"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _bytes(lines: Sequence[str]) -> int:
    return sum(len(line.encode()) + 1 for line in lines)


@dataclass(frozen=True)
class Table:
    """A Markdown table whose cells are already escaped."""

    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]

    def head(self) -> list[str]:
        """The header and delimiter lines."""
        return [
            "| " + " | ".join(self.headers) + " |",
            "|" + "|".join("---" for _ in self.headers) + "|",
        ]

    def line(self, row: tuple[str, ...]) -> str:
        """One body row (an empty cell is a space)."""
        return "| " + " | ".join(cell or " " for cell in row) + " |"

    def lines(self) -> list[str]:
        """The whole table."""
        return [*self.head(), *(self.line(row) for row in self.rows)]


#: Repeated rows a section needs before they are shown as a reference to the first stack.
_REPEAT_MINIMUM = 3


@dataclass(frozen=True)
class _NotedTable(Table):
    """The rows of a section that differ from an earlier stack's, after a note saying so."""

    note: str = ""


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"The same {noun}"
    return f"The same {count} {noun}{'es' if noun.endswith(('ch', 's')) else 's'}"


def _note(omitted: int, noun: str) -> str:
    if omitted != 1:
        noun += "es" if noun.endswith(("ch", "s")) else "s"
    return f"_… and {omitted} more {noun}: see {FULL_REPORT} in the workflow's review artifact._"


#: Room kept for a truncation note.
_NOTE_BYTES = 160


def fit_table(table: Table, budget: int | None, noun: str = "row") -> list[str]:
    """``table``'s lines within ``budget`` bytes: whole rows, then a note of what was left out."""
    lines = table.lines()
    if budget is None or _bytes(lines) <= budget:
        return lines
    kept = table.head()
    used = _bytes(kept) + _NOTE_BYTES
    rows = 0
    for row in table.rows:
        line = table.line(row)
        if used + _bytes([line]) > budget:
            break
        kept.append(line)
        used += _bytes([line])
        rows += 1
    note = _note(len(table.rows) - rows, noun)
    return [*kept, "", note] if rows else [note]


def fit_lines(lines: Sequence[str], budget: int | None, noun: str) -> list[str]:
    """Whole ``lines`` (list items) within ``budget`` bytes, then a note of what was left out."""
    if budget is None or _bytes(lines) <= budget:
        return list(lines)
    kept: list[str] = []
    used = _NOTE_BYTES
    for line in lines:
        if used + _bytes([line]) > budget:
            break
        kept.append(line)
        used += _bytes([line])
    return [*kept, _note(len(lines) - len(kept), noun)]


def share(sizes: Sequence[int], budget: int) -> list[int]:
    """Split ``budget`` over parts of ``sizes``: small parts whole, the rest equal shares."""
    allotted = [0] * len(sizes)
    left = budget
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for done, index in enumerate(order):
        allotted[index] = min(sizes[index], left // (len(sizes) - done))
        left -= allotted[index]
    return allotted


@dataclass(frozen=True)
class Budgets:
    """Bytes each part of the comment may use; the details get what the others leave."""

    total: int = DEFAULT_BUDGET_BYTES
    critical: int = 12_000
    stops: int = 6_000
    costs: int = 6_000
    stacks: int = 9_000
    findings: int = 3_000
    #: A stack's details get at least this much, or are left to the full report.
    stack_details_minimum: int = 700


class Markdown:
    """Writes a :class:`Review` as Markdown: the comment (with budgets) or the full report."""

    def __init__(self, budgets: Budgets | None, value_chars: int) -> None:
        self.budgets = budgets
        self.value_chars = value_chars
        #: ``(stack path, section title)`` -> an earlier stack with many of the same rows.
        self._same: dict[tuple[str, str], str] = {}
        self._rows_of: dict[tuple[str, str], set[Any]] = {}

    def text(self, value: Any) -> str:
        """Untrusted ``value`` escaped."""
        return escape(value, self.value_chars)

    def code(self, value: Any) -> str:
        """Untrusted ``value`` escaped in ``<code>``."""
        return code(value, self.value_chars)

    def codes(self, values: Iterable[Any]) -> str:
        """Several values, each in ``<code>``, one a line; ``-`` for none."""
        return "<br>".join(self.code(v) for v in values) or "-"

    def budget(self, name: str) -> int | None:
        """The byte budget of one part (``None``: unbounded)."""
        return None if self.budgets is None else int(getattr(self.budgets, name))

    # ------------------------------------------------------------------ the document

    def document(self, review: Review) -> str:
        """The whole review."""
        changed = review.changed
        parts: list[list[str]] = [
            self.header(review),
            self.critical(changed),
            self.stops(changed),
            self.costs(changed),
            self.stacks_table(review),
            self.unplaced(review),
        ]
        used = sum(_bytes(part) for part in parts)
        footer = self.footer(review)
        room = None
        if self.budgets is not None:
            room = self.budgets.total - used - _bytes(footer) - 16
        parts += [self.details(changed, room), footer]
        lines = [line for part in parts for line in part]
        return "\n".join(lines) + "\n"

    def header(self, review: Review) -> list[str]:
        """Title, what is compared, and the counts that matter."""
        changed = review.changed
        critical = sum(len(s.critical) for s in changed)
        stops = sum(len(s.stops) for s in changed)
        compared = (
            f"Head {self.code(review.head_label)} compared with base {self.code(review.base_label)}"
            if review.has_base
            else f"Head {self.code(review.head_label)} compared with no base: "
            "everything is shown as added"
        )
        added = sum(s.status == "added" for s in changed)
        removed = sum(s.status == "removed" for s in changed)
        lines = [
            "## Infrastructure review",
            "",
            f"{compared}. {len(changed)} of {_count(len(review.stacks), 'stack')} change "
            f"({added} added, {removed} removed).",
            "",
        ]
        if critical:
            things = (
                "stateful resource or subnet" if critical == 1 else "stateful resources or subnets"
            )
            lines += [
                f"**{WARNING} {critical} {things} replaced or removed: read that section first.**",
                "",
            ]
        iam_added = sum(len(s.iam_added) for s in changed)
        broad = sum(st.broad for s in changed for st in s.iam_added)
        monthly = sum(c.monthly_change for s in changed for c in s.costs)
        rows = [
            ("Resources", self._resource_counts(changed)),
            ("Stateful resources and subnets replaced or removed", str(critical)),
            ("Applications stopped (or replaced) for an update", str(stops)),
            (
                "IAM statements",
                f"+{iam_added} / -{sum(len(s.iam_removed) for s in changed)}"
                + (f" ({broad} {WARNING} wildcard Allow added)" if broad else ""),
            ),
            (
                "Security-group rules",
                f"+{sum(len(s.rules_added) for s in changed)} / "
                f"-{sum(len(s.rules_removed) for s in changed)}" + self._open_flag(changed),
            ),
            ("Subnet CIDR changes", str(sum(len(s.subnets) for s in changed))),
            (
                "Acknowledged findings",
                f"+{sum(len(s.acks_added) for s in changed)} / "
                f"-{sum(len(s.acks_removed) for s in changed)}",
            ),
            (
                "Synth findings new in head",
                str(sum(len(s.findings) for s in changed) + len(review.unplaced_findings)),
            ),
            ("Always-on cost per month (upper bound)", _usd(monthly, signed=True)),
        ]
        return [*lines, *Table(("What", "Change"), rows).lines(), ""]

    @staticmethod
    def _resource_counts(changed: Sequence[StackDiff]) -> str:
        counts = [
            f"{sum(s.count(kind) for s in changed)} {kind}"
            for kind in ("added", "removed", "replaced", "modified")
        ]
        return ", ".join(counts)

    @staticmethod
    def _open_flag(changed: Sequence[StackDiff]) -> str:
        opened = sum(r.open_to_the_world for s in changed for r in s.rules_added)
        return f" ({opened} {WARNING} ingress from anywhere added)" if opened else ""

    def critical(self, changed: Sequence[StackDiff]) -> list[str]:
        """Stateful resources and subnets replaced or removed, in bold."""
        items = []
        for stack in changed:
            for r in stack.critical:
                if r.change == "replaced":
                    fate = (
                        "the old one is retained, no longer managed by the stack"
                        if r.retained
                        else "the old one is deleted"
                    )
                    why = "; ".join(self.text(w) for w in r.why)
                    what = f"is **replaced** ({fate}): {why}{self._overlap(stack, r)}"
                else:
                    what = (
                        "is **removed** from the stack (retained in the account, no longer managed)"
                        if r.retained
                        else "is **removed and deleted**"
                    )
                items.append(
                    f"- **{WARNING} {self.code(r.kind)} {self.code(r.logical_id)} in "
                    f"{self.code(stack.path)}** {what}"
                )
        if not items:
            return []
        heading = ["### Stateful resources and subnets replaced or removed", ""]
        return [*heading, *fit_lines(items, self.budget("critical"), "resource"), ""]

    @staticmethod
    def _overlap(stack: StackDiff, change: ResourceChange) -> str:
        subnet = next((s for s in stack.subnets if s.logical_id == change.logical_id), None)
        if subnet is None or not _overlaps(subnet.before, subnet.after):
            return ""
        return (
            ". **The new CIDR overlaps the old one: CloudFormation creates the replacement "
            "first, so this deploy fails**"
        )

    def stops(self, changed: Sequence[StackDiff]) -> list[str]:
        """Applications the change stops (or replaces) for an update."""
        items = []
        for stack in changed:
            for stop in stack.stops:
                verb = "**Replaces**" if stop.update.replaces or stop.replaced else "**Stops**"
                changes = "; ".join(
                    f"{self.code(c.name)} ({self.text(c.effect.value)}"
                    + (f": {self.text(c.reason)}" if c.reason else "")
                    + ")"
                    for c in stop.update.changes
                )
                items.append(
                    f"- {verb} application {self.code(stop.name)} of team "
                    f"{self.code(stop.team)} ({self.code(stack.path)}) for an update: {changes}"
                )
        if not items:
            return []
        heading = [
            "### Applications this change stops",
            "",
            "EMR Serverless updates these only while the application is stopped: running "
            "jobs must finish or be cancelled first.",
            "",
        ]
        return [*heading, *fit_lines(items, self.budget("stops"), "application"), ""]

    def costs(self, changed: Sequence[StackDiff]) -> list[str]:
        """Always-on cost items whose quantity changes, with the prices used."""
        rows = [
            (
                self.code(stack.path),
                self.text(c.item),
                _quantity(c.before),
                _quantity(c.after),
                _usd(c.monthly_change, signed=True),
            )
            for stack in changed
            for c in stack.costs
        ]
        if not rows:
            return []
        used = sorted(
            {
                key
                for s in changed
                for c in s.costs
                for x in (c.before, c.after)
                if x
                for key in x.prices
            }
        )
        prices = "; ".join(
            f"{PRICES[k].item}: ${PRICES[k].usd:g} per {PRICES[k].unit} ({PRICES[k].source})"
            for k in used
        )
        table = Table(("Stack", "Item", "Before", "After", "Per month"), rows)
        return [
            "### Cost-relevant changes",
            "",
            f"Billed whether or not jobs run, for {HOURS_PER_MONTH} hours a month; pre-initialized "
            "workers as if the application were started all month (auto-stop lowers it).",
            "",
            *fit_table(table, self.budget("costs"), "cost item"),
            "",
            f"Prices: {PRICES_REGION} on-demand list prices recorded {PRICES_RECORDED}. {prices}.",
            "",
        ]

    def stacks_table(self, review: Review) -> list[str]:
        """One row per changed stack; unchanged stacks counted."""
        changed = review.changed
        rows = [
            (
                self.code(s.path),
                s.status,
                f"+{s.count('added')} -{s.count('removed')} "
                f"⟳{s.count('replaced')} ~{s.count('modified')}",
                f"+{len(s.iam_added)} -{len(s.iam_removed)}",
                f"+{len(s.rules_added)} -{len(s.rules_removed)}",
                str(len(s.subnets)),
                str(len(s.stops)),
                (f"**{len(s.critical)}**" if s.critical else "0"),
            )
            for s in changed
        ]
        lines = ["### Stacks", ""]
        if rows:
            table = Table(
                (
                    "Stack",
                    "Change",
                    "Resources + - ⟳ ~",
                    "IAM",
                    "SG rules",
                    "Subnets",
                    "Stops",
                    "Stateful ⟳/-",
                ),
                rows,
            )
            lines += [*fit_table(table, self.budget("stacks"), "stack"), ""]
        else:
            lines += ["No stack changes.", ""]
        if review.unchanged:
            lines += [f"{_count(len(review.unchanged), 'stack')} unchanged.", ""]
        return lines

    def unplaced(self, review: Review) -> list[str]:
        """Synth findings new in head that belong to no stack."""
        if not review.unplaced_findings:
            return []
        return [
            "### Synth findings outside any stack",
            "",
            *fit_table(
                self._findings(review.unplaced_findings), self.budget("findings"), "finding"
            ),
            "",
        ]

    def footer(self, review: Review) -> list[str]:
        """What the symbols mean and where the rest is."""
        return [
            "---",
            "",
            f"⟳ replaced, ~ modified, {WARNING} needs a second look. Replacements come from the "
            "CloudFormation resource schemas' create-only properties; application stops from "
            "constructs_lib.application_updates. The full report is "
            f"{FULL_REPORT} in the workflow's review artifact"
            + ("" if review.lint_run else "; cfn-lint was not run")
            + ".",
        ]

    # ------------------------------------------------------------------ per stack

    def details(self, changed: Sequence[StackDiff], room: int | None) -> list[str]:
        """One collapsible section per changed stack, within ``room`` bytes together.

        Each stack gets a share of ``room`` (small ones whole, the rest equal shares); when
        shares would fall below :attr:`Budgets.stack_details_minimum`, the stacks that
        matter least are left to the full report.
        """
        if not changed:
            return []
        self._find_repeated_sections(changed)
        heading = ["### Details", ""]
        full = [self.stack_details(s, None) for s in changed]
        if room is None:
            return [*heading, *(line for block in full for line in block)]
        room -= _bytes(heading) + _NOTE_BYTES
        minimum = self.budgets.stack_details_minimum if self.budgets else 0
        sizes = [_bytes(block) for block in full]
        kept = len(changed)
        allotted = share(sizes, max(room, 0))
        while kept and any(a < min(sizes[i], minimum) for i, a in enumerate(allotted)):
            kept -= 1
            allotted = share(sizes[:kept], max(room, 0))
        blocks: list[str] = []
        left_out = 0
        for index, allowance in enumerate(allotted):
            block = (
                full[index]
                if sizes[index] <= allowance
                else self.stack_details(changed[index], allowance)
            )
            if not block or _bytes(block) > allowance:
                left_out += 1
                continue
            blocks += block
        # Cut tables leave some of their share unused: it goes to the stacks left out.
        for index in range(kept, len(changed)):
            left = room - _bytes(blocks)
            allowance = min(sizes[index], left // (len(changed) - index))
            block = [] if allowance < minimum else self.stack_details(changed[index], allowance)
            if block and _bytes(block) <= left:
                blocks += block
            else:
                left_out += 1
        note = (
            [
                f"_Details of {_count(left_out, 'more stack')} are left out: see {FULL_REPORT} "
                "in the workflow's review artifact._"
            ]
            if left_out
            else []
        )
        return [*heading, *blocks, *note]

    def stack_details(self, stack: StackDiff, budget: int | None) -> list[str]:
        """A stack's ``<details>`` block: every change, tables cut to fit ``budget`` bytes.

        Returns no lines when not even the summary fits.
        """
        summary = (
            f"<summary><b>{self.text(stack.path)}</b> ({stack.status}): "
            f"+{stack.count('added')} -{stack.count('removed')} ⟳{stack.count('replaced')} "
            f"~{stack.count('modified')} resources, IAM +{len(stack.iam_added)} "
            f"-{len(stack.iam_removed)}</summary>"
        )
        opening = ["<details>", summary, ""]
        if stack.description:
            opening += [f"Description: {self.text(stack.description)}", ""]
        closing = ["", "</details>", ""]
        sections = self._sections(stack)
        whole = [self._section(title, table, None, noun) for title, table, noun in sections]
        full = [*opening, *(line for part in whole for line in part), *closing]
        if budget is None or _bytes(full) <= budget:
            return full
        room = budget - _bytes(opening) - _bytes(closing)
        minimums = [_bytes([f"#### {title}", ""]) + 1 + _NOTE_BYTES for title, _, _ in sections]
        if room < sum(minimums):
            cut = [*opening, _note(len(sections), "section"), *closing]
            return cut if _bytes(cut) <= budget else []
        extra = share(
            [_bytes(part) - low for part, low in zip(whole, minimums, strict=True)],
            room - sum(minimums),
        )
        body = [
            line
            for (title, table, noun), low, more in zip(sections, minimums, extra, strict=True)
            for line in self._section(title, table, low + more, noun)
        ]
        return [*opening, *body, *closing]

    def _find_repeated_sections(self, changed: Sequence[StackDiff]) -> None:
        """Note rows that repeat an earlier stack's section, word for word.

        A team's stacks in two environments (or a construct used in many stacks) change in
        the same way; a later stack shows only its rows that differ, with a reference to
        the first stack for the rest, so that the comment keeps room for what differs.
        Fewer than :data:`_REPEAT_MINIMUM` repeated rows are shown again.
        """
        self._same = {}
        earlier: dict[str, list[tuple[str, set[Any]]]] = {}
        for stack in changed:
            for title, table, _ in self._sections(stack, dedupe=False):
                rows = set(table.rows) if isinstance(table, Table) else set(table)
                best = max(
                    earlier.get(title, []), key=lambda seen: len(seen[1] & rows), default=None
                )
                if best is not None and len(best[1] & rows) >= _REPEAT_MINIMUM:
                    self._same[(stack.path, title)] = best[0]
                earlier.setdefault(title, []).append((stack.path, rows))
        self._rows_of = {
            (path, title): rows for title, seen in earlier.items() for path, rows in seen
        }

    def _section(
        self, title: str, table: Table | list[str], budget: int | None, noun: str
    ) -> list[str]:
        heading = [f"#### {title}", ""]
        if isinstance(table, _NotedTable):
            heading += [table.note, ""]
            if not table.rows:
                return [*heading[:-1], ""]
        room = None if budget is None else budget - _bytes(heading) - 1
        if isinstance(table, Table):
            body = fit_table(table, room, noun)
        else:
            body = fit_lines(table, room, noun)
        return [*heading, *body, ""]

    def _sections(
        self, stack: StackDiff, *, dedupe: bool = True
    ) -> list[tuple[str, Table | list[str], str]]:
        sections = self._all_sections(stack)
        if not dedupe:
            return sections
        deduped: list[tuple[str, Table | list[str], str]] = []
        for title, table, noun in sections:
            earlier = self._same.get((stack.path, title))
            if earlier is None:
                deduped.append((title, table, noun))
                continue
            before = self._rows_of[(earlier, title)]
            rows = list(table.rows) if isinstance(table, Table) else list(table)
            rest = [row for row in rows if row not in before]
            same = len(rows) - len(rest)
            note = f"- {_plural(same, noun)} as in <b>{self.text(earlier)}</b> above" + (
                "; the others:" if rest else "."
            )
            if isinstance(table, Table):
                deduped.append((title, _NotedTable(table.headers, rest, note), noun))
            else:
                deduped.append((title, [note, *rest], noun))
        return deduped

    def _all_sections(self, stack: StackDiff) -> list[tuple[str, Table | list[str], str]]:
        sections: list[tuple[str, Table | list[str], str]] = []
        if stack.resources:
            sections.append(("Resources", self._resources(stack), "resource row"))
        if stack.iam_added or stack.iam_removed:
            sections.append(("IAM statements", self._iam(stack), "statement"))
        if stack.rules_added or stack.rules_removed:
            sections.append(("Security-group rules", self._rules(stack), "rule"))
        if stack.subnets:
            rows = [
                (
                    self.code(s.logical_id),
                    self.text(s.zone),
                    self.code(s.before or "(none)"),
                    self.code(s.after or "(none)"),
                )
                for s in stack.subnets
            ]
            sections.append(
                ("Subnets", Table(("Subnet", "Zone", "Before", "After"), rows), "subnet")
            )
        if stack.acks_added or stack.acks_removed:
            sections.append(
                (
                    "Acknowledged findings",
                    Table(("", "Reason", "Findings (on)"), self._acknowledgement_rows(stack)),
                    "reason",
                )
            )
        if stack.findings:
            sections.append(
                ("Synth findings new in head", self._findings(stack.findings), "finding")
            )
        if stack.lint:
            rows = [
                (m.level, self.code(m.rule), self.code(m.where), self.text(m.message))
                for m in stack.lint
            ]
            sections.append(
                (
                    "cfn-lint matches new in head",
                    Table(("Level", "Rule", "Where", "Message"), rows),
                    "match",
                )
            )
        if stack.other_sections and stack.status == "changed":
            items = [
                "- Other template sections change: "
                + ", ".join(self.code(k) for k in stack.other_sections)
            ]
            sections.append(("Other changes", items, "line"))
        if stack.outputs_added or stack.outputs_removed:
            items = [f"- Output added: {self.code(o)}" for o in stack.outputs_added] + [
                f"- Output removed: {self.code(o)}" for o in stack.outputs_removed
            ]
            sections.append(("Outputs", items, "output"))
        return sections

    def _acknowledgement_rows(self, stack: StackDiff) -> list[tuple[str, ...]]:
        """One row per reason (a reason often covers many findings), added before removed."""
        rows: list[tuple[str, ...]] = []
        for sign, acks in (("+", stack.acks_added), ("-", stack.acks_removed)):
            by_reason: dict[str, list[Acknowledgement]] = {}
            for a in acks:
                by_reason.setdefault(a.reason, []).append(a)
            for reason, group in by_reason.items():
                findings = "<br>".join(
                    f"{self.code(a.rule)} ({self.code(a.where)})"
                    + (f" {WARNING} stack-wide" if a.stack_wide else "")
                    for a in group
                )
                rows.append((sign, self.text(reason), findings))
        return rows

    def _resources(self, stack: StackDiff) -> Table:
        rows: list[tuple[str, ...]] = []
        for change in ("replaced", "removed", "modified"):
            for r in (r for r in stack.resources if r.change == change):
                detail = (
                    "; ".join(self.text(w) for w in r.why)
                    if change == "replaced"
                    else ("retained in the account" if r.retained else "deleted")
                    if change == "removed"
                    else "changes "
                    + ", ".join(self.code(p) for p in r.properties)
                    + "".join(f"; {self.text(w)}" for w in r.why)
                )
                sign = {"replaced": "⟳", "removed": "-", "modified": "~"}[change]
                bold = "**" if r.critical else ""
                rows.append(
                    (
                        f"{bold}{sign} {change}{bold}",
                        self.code(r.kind),
                        self.code(r.logical_id),
                        detail,
                    )
                )
        added: dict[str, list[str]] = defaultdict(list)
        for r in stack.resources:
            if r.change == "added":
                added[r.kind].append(r.logical_id)
        for kind, ids in sorted(added.items()):
            rows.append(("+ added", self.code(kind), self.codes(ids), _count(len(ids), "resource")))
        return Table(("Change", "Type", "Logical id", "Detail"), rows)

    def _iam(self, stack: StackDiff) -> Table:
        rows = [
            (
                sign,
                f"{self.code(s.logical_id)} ({self.text(s.policy)})",
                self.code(s.attached_to),
                ("" if not s.broad or sign == "-" else f"{WARNING} ")
                + self.text(s.statement.get("Effect", "?")),
                self.code(s.principal),
                self.codes(s.actions),
                self.codes(s.resources),
                self.codes(s.conditions),
            )
            for sign, statements in (("+", stack.iam_added), ("-", stack.iam_removed))
            for s in statements
        ]
        return Table(
            (
                "",
                "Policy",
                "Attached to",
                "Effect",
                "Principal",
                "Actions",
                "Resources",
                "Conditions",
            ),
            rows,
        )

    def _rules(self, stack: StackDiff) -> Table:
        rows = [
            (
                sign,
                self.code(r.group),
                r.direction,
                self.text(r.protocol),
                self.text(r.ports),
                (f"{WARNING} " if r.open_to_the_world and sign == "+" else "") + self.code(r.peer),
                self.text(r.description or "-"),
            )
            for sign, rules in (("+", stack.rules_added), ("-", stack.rules_removed))
            for r in rules
        ]
        return Table(
            ("", "Security group", "Direction", "Protocol", "Ports", "Peer", "Description"), rows
        )

    def _findings(self, findings: Sequence[Finding]) -> Table:
        ordered = sorted(findings, key=lambda f: (f.severity != "error", f.plugin, f.rule, f.path))
        return Table(
            ("Severity", "Rule", "Construct", "Description"),
            [
                (
                    self.text(f.severity),
                    self.code(f.rule),
                    self.code(f.path),
                    self.text(f.description),
                )
                for f in ordered
            ],
        )


def _overlaps(before: str | None, after: str | None) -> bool:
    """Whether two CIDR blocks overlap (``False`` when either is not a literal CIDR)."""
    try:
        old, new = ipaddress.ip_network(str(before)), ipaddress.ip_network(str(after))
    except ValueError:
        return False
    return old.version == new.version and old.overlaps(new)


def _quantity(item: CostItem | None) -> str:
    if item is None:
        return "-"
    unit = item.unit
    if item.quantity != 1:
        unit += "es" if unit.endswith("ss") else "s"
    detail = f"; {escape(item.detail)}" if item.detail else ""
    return f"{item.quantity:,g} {unit} ({_usd(item.monthly_usd)}{detail})"


def _usd(amount: float, *, signed: bool = False) -> str:
    sign = ("+" if amount > 0 else "-" if amount < 0 else "±") if signed else ""
    return f"{sign}${abs(amount):,.2f}"


def write_review(review: Review, *, budgets: Budgets | None = None) -> str:
    """The comment: every section within ``budgets`` (default :class:`Budgets`)."""
    text = Markdown(budgets or Budgets(), COMMENT_VALUE_CHARS).document(review)
    limit = (budgets or Budgets()).total
    if len(text.encode()) > limit:  # the budgets leave room: this is a bug, not an input
        raise AssertionError(f"review is {len(text.encode())} bytes, over its {limit}")
    return text


def write_full_review(review: Review) -> str:
    """The full report: nothing left out."""
    return Markdown(None, FULL_VALUE_CHARS).document(review)


# --------------------------------------------------------------------------- the base synth


def synthesize_ref(ref: str, workdir: Path, *, repo: Path, python: Path, cdk: Path) -> Path:
    """Synthesize git ``ref`` of ``repo`` in ``workdir`` with this checkout's venv and CDK CLI.

    The ref's files come from ``git archive`` (nothing in this checkout changes); its
    ``constructs_lib`` and ``stacks`` are imported ahead of this checkout's. Returns the
    cloud assembly directory.
    """
    source = workdir / "src"
    source.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    out = workdir / "cdk.out"
    environment = {**os.environ, "PYTHONPATH": str(source)}
    subprocess.run(
        [
            str(cdk),
            "synth",
            "--app",
            f"{python} app.py",
            "--output",
            str(out),
            "--quiet",
            "--no-notices",
            "--no-version-reporting",
            "--ci",
        ],
        cwd=source,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """Write the review and the full report; print where, with the counts that matter."""
    parser = argparse.ArgumentParser(
        description="Review what changes between two synthesized cloud assemblies (make review)."
    )
    parser.add_argument(
        "--head", "--cdk-out", type=Path, default=Path("cdk.out"), help="the head's cloud assembly"
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--base", type=Path, help="the base's cloud assembly")
    base.add_argument("--base-ref", help="a git ref to synthesize here as the base")
    parser.add_argument("--base-label", help="what the base is (default: the ref or path)")
    parser.add_argument("--head-label", default="working tree", help="what the head is")
    parser.add_argument("--output", type=Path, help="default: <head>/review.md")
    parser.add_argument(
        "--full-output", type=Path, help=f"default: next to --output, {FULL_REPORT}"
    )
    parser.add_argument(
        "--lint-region",
        action="append",
        help=f"region cfn-lint checks against (repeat; default: {', '.join(DEFAULT_LINT_REGIONS)})",
    )
    parser.add_argument("--no-lint", action="store_true", help="skip cfn-lint")
    args = parser.parse_args(argv)
    try:
        head = load_assembly(args.head)
        with tempfile.TemporaryDirectory(prefix="review-base-") as scratch:
            if args.base_ref:
                root = Path(__file__).resolve().parent.parent
                base_out = synthesize_ref(
                    args.base_ref,
                    Path(scratch),
                    repo=root,
                    python=Path(sys.executable),
                    cdk=root / "node_modules" / ".bin" / "cdk",
                )
                base_assembly = load_assembly(base_out)
                label = args.base_label or args.base_ref
            elif args.base:
                base_assembly = load_assembly(args.base)
                label = args.base_label or str(args.base)
            else:
                base_assembly, label = Assembly.empty(), args.base_label or "none"
    except AssemblyError as error:
        print(f"review: error: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        detail = " ".join((error.stderr or b"").decode(errors="replace").split())[-400:]
        print(
            f"review: error: synthesizing the base failed ({error.cmd[0]}): {detail}",
            file=sys.stderr,
        )
        return 2
    regions = args.lint_region or list(DEFAULT_LINT_REGIONS)
    result = compare(
        base_assembly,
        head,
        base_label=label,
        head_label=args.head_label,
        lint=None if args.no_lint else lambda t: cfn_lint(t, regions),
    )
    output: Path = args.output or args.head / "review.md"
    full_output: Path = args.full_output or output.with_name(FULL_REPORT)
    output.parent.mkdir(parents=True, exist_ok=True)
    full_output.parent.mkdir(parents=True, exist_ok=True)
    text = write_review(result)
    output.write_text(text, encoding="utf-8")
    full_output.write_text(write_full_review(result), encoding="utf-8")
    changed = result.changed
    print(
        f"Wrote {output} ({len(text)} characters) and {full_output}: "
        f"{len(changed)} of {_count(len(result.stacks), 'stack')} change, "
        f"{sum(len(s.critical) for s in changed)} stateful replaced or removed, "
        f"{sum(len(s.stops) for s in changed)} application stops"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
