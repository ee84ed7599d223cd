"""Write a Markdown review of a synthesized cloud assembly, for pull requests (``make review``).

Per stack: resources by type; every IAM statement (identity, trust and resource policies)
with intrinsics rendered readably; security-group rules; synth findings (cdk-nag, the
CloudFormation rules, construct warnings) and the acknowledgements with their reasons;
cfn-lint results; cost-relevant resources (NAT gateways, interface endpoints,
pre-initialized EMR Serverless workers, KMS keys, Prometheus workspaces, Elastic IPs).

    python scripts/review.py --cdk-out cdk.out --output cdk.out/review.md

Reads only files: no AWS, no aws_cdk.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from constructs_lib.validation_report import Finding, read_findings

#: Regions cfn-lint checks every template against (as the test harness does).
DEFAULT_LINT_REGIONS = ("us-east-1", "eu-west-1")

ANNOTATIONS_PLUGIN = "Construct Annotations"
ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
LOGICAL_ID = "aws:cdk:logicalId"
WARNING = "⚠️"

_WORLD = frozenset({"0.0.0.0/0", "::/0"})
_CONTROL_IDS = re.compile(r"\s*-\s*\(Control IDs:.*\)\.?\s*$", re.DOTALL)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(vCPU|GB)?\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- the assembly


@dataclass(frozen=True)
class Stack:
    """One synthesized stack: its template and which construct path made which resource."""

    name: str
    path: str
    template: Mapping[str, Any]
    logical_ids: Mapping[str, str] = field(default_factory=dict)
    acknowledged: Sequence[tuple[str, str, str]] = ()  # (construct path, rule, reason)

    @property
    def resources(self) -> Mapping[str, Any]:
        """The template's resources by logical id."""
        resources: Mapping[str, Any] = self.template.get("Resources", {})
        return resources

    def logical_id(self, construct_path: str) -> str | None:
        """The logical id of the resource ``construct_path`` (or its ``Resource`` child) made."""
        path = "/" + construct_path.lstrip("/")
        return self.logical_ids.get(path) or self.logical_ids.get(f"{path}/Resource")


@dataclass(frozen=True)
class Assembly:
    """A cloud assembly: its stacks and the synth's findings."""

    root: Path
    stacks: Sequence[Stack]
    findings: Sequence[Finding]

    def stack_of(self, construct_path: str) -> Stack | None:
        """The stack that holds ``construct_path`` (the longest matching stack path)."""
        matches = [
            s
            for s in self.stacks
            if construct_path == s.path or construct_path.startswith(f"{s.path}/")
        ]
        return max(matches, key=lambda s: len(s.path), default=None)


def load_assembly(root: Path) -> Assembly:
    """Read ``root``'s manifest (and nested assemblies), templates and validation report."""
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{manifest_path} not found: run `make synth` first")
    report_path = root / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    return Assembly(root=root, stacks=list(_stacks(root)), findings=list(_findings(report)))


def _stacks(directory: Path) -> Iterable[Stack]:
    manifest = json.loads((directory / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "cdk:cloud-assembly":
            yield from _stacks(directory / properties["directoryName"])
        elif artifact.get("type") == "aws:cloudformation:stack":
            metadata = dict(artifact.get("metadata", {}))
            if artifact.get("additionalMetadataFile"):
                extra = directory / artifact["additionalMetadataFile"]
                metadata.update(json.loads(extra.read_text()) if extra.is_file() else {})
            yield Stack(
                name=artifact_id,
                path=artifact.get("displayName", artifact_id),
                template=json.loads((directory / properties["templateFile"]).read_text()),
                logical_ids={
                    path: entry["data"]
                    for path, entries in metadata.items()
                    for entry in entries
                    if entry.get("type") == LOGICAL_ID
                },
                acknowledged=[
                    (path.lstrip("/"), rule.removeprefix("Annotation::"), str(reason))
                    for path, entries in metadata.items()
                    for entry in entries
                    if entry.get("type") == ACKNOWLEDGED
                    for rule, reason in dict(entry.get("data", {})).items()
                ],
            )


def _findings(report: Mapping[str, Any]) -> Iterable[Finding]:
    for finding in read_findings(report):
        yield replace(finding, description=_CONTROL_IDS.sub("", finding.description))


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


_FUNCTIONS: dict[str, Callable[[Any], str]] = {
    "Ref": lambda name: "${" + render(name) + "}",
    "Fn::GetAtt": _get_att,
    "Fn::Join": _join,
    "Fn::Sub": _sub,
    "Fn::ImportValue": _call("import"),
    "Fn::Select": _call("select"),
    "Fn::Split": _call("split"),
    "Fn::If": _call("if"),
    "Fn::GetAZs": _call("azs"),
    "Fn::FindInMap": _call("map"),
    "Fn::Base64": _call("base64"),
    "Fn::Cidr": _call("cidr"),
}


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
        return [
            f"{operator} {key} = {render(value)}"
            for operator, block in dict(self.statement.get("Condition", {})).items()
            for key, value in dict(block).items()
        ]

    @property
    def broad(self) -> bool:
        """Whether an Allow grants a wildcard action or resource."""
        if self.statement.get("Effect") != "Allow":
            return False
        return any("*" in item for item in self.actions) or "*" in self.resources


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
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type", "")
        properties = resource.get("Properties", {})
        if kind in _SELF_ATTACHED:
            attached_to = logical_id
        else:
            named = [
                f"{key}: {render(properties[key])}" for key in _ATTACHED_BY if key in properties
            ]
            attached_to = "; ".join(named) or "-"
        for key, policy in _POLICIES.get(kind, {}).items():
            for label, document in _documents(properties, key, policy):
                statements = _as_list(dict(document).get("Statement"))
                found.extend(IamStatement(logical_id, label, attached_to, s) for s in statements)
    return found


def _documents(properties: Mapping[str, Any], key: str, policy: str) -> list[tuple[str, Any]]:
    """``(label, document)`` of each policy document held in ``properties[key]``."""
    value = properties.get(key)
    if value is None:
        return []
    if key == "Policies":  # inline policies: [{PolicyName, PolicyDocument}, ...]
        return [
            (f"{policy} {render(item.get('PolicyName', ''))}".strip(), item.get("PolicyDocument"))
            for item in value
            if isinstance(item, dict)
        ]
    return [(policy, json.loads(value) if isinstance(value, str) else value)]  # Logs: JSON text


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


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
    resources = template.get("Resources", {})
    groups_with_egress: set[str] = set()
    for logical_id, resource in resources.items():
        kind, properties = resource.get("Type"), resource.get("Properties", {})
        if kind == "AWS::EC2::SecurityGroup":
            for direction, key in (
                ("ingress", "SecurityGroupIngress"),
                ("egress", "SecurityGroupEgress"),
            ):
                for rule in _as_list(properties.get(key)):
                    rules.append(_rule(logical_id, direction, rule))
            if "SecurityGroupEgress" in properties:
                groups_with_egress.add(logical_id)
        elif kind in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            direction = "ingress" if kind.endswith("Ingress") else "egress"
            group = render(properties.get("GroupId", properties.get("GroupName", "?")))
            rules.append(_rule(group, direction, properties))
            if direction == "egress":
                groups_with_egress.add(_referenced(properties.get("GroupId")) or group)
    for logical_id, resource in resources.items():
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
    protocol = _PROTOCOLS.get(str(rule.get("IpProtocol", "-1")), str(rule.get("IpProtocol")))
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
    for logical_id, resource in stack.resources.items():
        suppressions = dict(resource.get("Metadata", {}).get("cdk_nag", {}))
        for entry in suppressions.get("rules_to_suppress", []):
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
class CostItem:
    """A resource that is billed by the hour or month whether or not it is used."""

    kind: str
    logical_id: str
    detail: str
    billing: str


_BILLING = {
    "AWS::EC2::NatGateway": "per hour, plus per GB processed",
    "AWS::EC2::EIP": "per hour (public IPv4 address)",
    "AWS::KMS::Key": "per month, plus per request",
    "AWS::APS::Workspace": "per sample ingested, stored and queried",
    "AWS::EC2::VPCEndpoint": "per hour in each AZ, plus per GB processed",
    "AWS::EMRServerless::Application": "pre-initialized workers: per vCPU, GB and hour while "
    "the application is started, idle or not",
}


def cost_items(template: Mapping[str, Any]) -> list[CostItem]:
    """NAT gateways, Elastic IPs, KMS keys, AMP workspaces, interface endpoints, warm workers."""
    items: list[CostItem] = []
    for logical_id, resource in template.get("Resources", {}).items():
        kind, properties = resource.get("Type", ""), resource.get("Properties", {})
        detail: str | None = None
        if kind in (
            "AWS::EC2::NatGateway",
            "AWS::EC2::EIP",
            "AWS::KMS::Key",
            "AWS::APS::Workspace",
        ):
            detail = render(properties.get("Description") or properties.get("Alias") or "")
        elif kind == "AWS::EC2::VPCEndpoint" and properties.get("VpcEndpointType") in (
            "Interface",
            "GatewayLoadBalancer",
        ):
            azs = len(_as_list(properties.get("SubnetIds")))
            detail = f"{render(properties.get('ServiceName'))} in {azs} subnet(s)"
        elif kind == "AWS::EMRServerless::Application" and properties.get("InitialCapacity"):
            detail = _initial_capacity(properties)
        if detail is not None:
            items.append(CostItem(kind, logical_id, detail, _BILLING[kind]))
    return sorted(items, key=lambda item: (item.kind, item.logical_id))


def _initial_capacity(properties: Mapping[str, Any]) -> str:
    parts: list[str] = []
    vcpu = memory = 0.0
    for entry in _as_list(properties.get("InitialCapacity")):
        value = entry.get("Value", {})
        count = value.get("WorkerCount", 0)
        config = value.get("WorkerConfiguration", {})
        cpu, mem = _amount(config.get("Cpu")), _amount(config.get("Memory"))
        disk = f", {render(config['Disk'])} disk" if "Disk" in config else ""
        parts.append(
            f"{render(entry.get('Key'))} {render(count)} x {render(config.get('Cpu'))}, "
            f"{render(config.get('Memory'))}{disk}"
        )
        if isinstance(count, int) and cpu is not None and mem is not None:
            vcpu += count * cpu
            memory += count * mem
    stop = properties.get("AutoStopConfiguration", {})
    idle = (
        "auto-stop off"
        if stop.get("Enabled") is False
        else f"auto-stop after {render(stop.get('IdleTimeoutMinutes', 15))} idle minutes"
    )
    return f"{'; '.join(parts)} = {vcpu:g} vCPU, {memory:g} GB warm ({idle})"


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
    """cfn-lint's matches for ``template`` (errors, warnings and informational)."""
    from cfnlint.api import ManualArgs, lint

    levels = {"E": "error", "W": "warning", "I": "info"}
    return [
        LintMatch(
            rule=match.rule.id,
            level=levels.get(match.rule.id[:1], "?"),
            where="/".join(str(part) for part in match.path) or f"line {match.linenumber}",
            message=match.message,
        )
        for match in lint(json.dumps(template), config=ManualArgs(regions=list(regions)))
    ]


# --------------------------------------------------------------------------- Markdown


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else render(value)
    return text.replace("|", "\\|").replace("\n", "<br>") or " "


def _code(value: str) -> str:
    return f"`{value}`" if value and value != "-" else (value or " ")


def _codes(values: Iterable[str]) -> str:
    return "<br>".join(_code(value) for value in values) or "-"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A Markdown table (cells escaped for ``|`` and new lines)."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows)
    return lines


@dataclass(frozen=True)
class StackReview:
    """What the review says about one stack."""

    stack: Stack
    statements: Sequence[IamStatement]
    rules: Sequence[SecurityGroupRule]
    findings: Sequence[Finding]
    acknowledgements: Sequence[Acknowledgement]
    lint: Sequence[LintMatch] | None
    costs: Sequence[CostItem]


def review(
    assembly: Assembly, *, lint: Callable[[Mapping[str, Any]], list[LintMatch]] | None
) -> str:
    """The Markdown review of ``assembly``; cfn-lint runs through ``lint`` (``None``: skipped)."""
    by_stack: dict[str, list[Finding]] = defaultdict(list)
    unplaced: list[Finding] = []
    for finding in assembly.findings:
        owner = assembly.stack_of(finding.path)
        (by_stack[owner.name] if owner else unplaced).append(finding)
    reviews = [
        StackReview(
            stack=stack,
            statements=iam_statements(stack.template),
            rules=security_group_rules(stack.template),
            findings=by_stack[stack.name],
            acknowledgements=acknowledgements(stack),
            lint=None if lint is None else lint(stack.template),
            costs=cost_items(stack.template),
        )
        for stack in sorted(assembly.stacks, key=lambda s: s.name)
    ]
    lines = ["# Infrastructure review", "", *_summary(assembly, reviews)]
    if unplaced:
        lines += ["", "## Findings outside any stack", "", *_findings_table(unplaced, None)]
    for each in reviews:
        lines += ["", *_stack_section(each)]
    return "\n".join(lines) + "\n"


def _summary(assembly: Assembly, reviews: Sequence[StackReview]) -> list[str]:
    def lint_count(r: StackReview) -> str:
        if r.lint is None:
            return "not run"
        errors = sum(m.level == "error" for m in r.lint)
        warnings = sum(m.level == "warning" for m in r.lint)
        return f"{errors} errors, {warnings} warnings"

    rows = [
        (
            f"[`{r.stack.name}`](#stack-{r.stack.name.lower()})",
            str(len(r.stack.resources)),
            _flagged(len(r.statements), sum(s.broad for s in r.statements)),
            _flagged(len(r.rules), sum(rule.open_to_the_world for rule in r.rules)),
            str(len(r.findings)),
            str(len(r.acknowledgements)),
            lint_count(r),
            str(len(r.costs)),
        )
        for r in reviews
    ]
    headers = (
        "Stack",
        "Resources",
        "IAM statements",
        "SG rules",
        "Findings",
        "Acknowledged",
        "cfn-lint",
        "Cost items",
    )
    total = sum(len(r.stack.resources) for r in reviews)
    return [
        f"Cloud assembly `{assembly.root}`: {_count(len(reviews), 'stack')}, "
        f"{_count(total, 'resource')}. {WARNING} marks an Allow with a wildcard action or the "
        "resource `*`, ingress open to the world, and acknowledgements on a whole stack.",
        "",
        *table(headers, rows),
    ]


def _flagged(count: int, flagged: int) -> str:
    return f"{count} ({flagged} {WARNING})" if flagged else str(count)


def _stack_section(r: StackReview) -> list[str]:
    stack = r.stack
    lines = [f"## Stack `{stack.name}`", ""]
    if stack.template.get("Description"):
        lines += [f"_{stack.template['Description']}_", ""]
    lines += ["### Resources by type", ""]
    by_type: dict[str, list[str]] = defaultdict(list)
    for logical_id, resource in stack.resources.items():
        by_type[resource.get("Type", "?")].append(logical_id)
    lines += table(
        ("Type", "Count", "Logical ids"),
        ((f"`{t}`", str(len(ids)), _codes(sorted(ids))) for t, ids in sorted(by_type.items())),
    )
    lines += ["", "### IAM statements", ""]
    lines += _iam_table(r.statements) if r.statements else ["No IAM policies."]
    lines += ["", "### Security-group rules", ""]
    lines += _rules_table(r.rules) if r.rules else ["No security groups."]
    lines += ["", "### Synth findings (cdk-nag, CloudFormation rules, warnings)", ""]
    lines += _findings_table(r.findings, stack) if r.findings else ["None."]
    lines += ["", "### Acknowledged findings", ""]
    lines += _acknowledgements_table(r.acknowledgements) if r.acknowledgements else ["None."]
    lines += ["", "### cfn-lint", ""]
    lines += _lint_section(r.lint)
    lines += ["", "### Cost-relevant resources", ""]
    lines += (
        table(
            ("Type", "Logical id", "Detail", "Billed"),
            ((f"`{c.kind}`", f"`{c.logical_id}`", c.detail or "-", c.billing) for c in r.costs),
        )
        if r.costs
        else ["None."]
    )
    return lines


def _iam_table(statements: Sequence[IamStatement]) -> list[str]:
    return table(
        ("Policy", "Attached to", "Effect", "Principal", "Actions", "Resources", "Conditions"),
        (
            (
                f"`{s.logical_id}` ({s.policy})",
                _code(s.attached_to),
                ("" if not s.broad else f"{WARNING} ") + str(s.statement.get("Effect", "?")),
                _code(s.principal),
                _codes(s.actions),
                _codes(s.resources),
                _codes(s.conditions),
            )
            for s in statements
        ),
    )


def _rules_table(rules: Sequence[SecurityGroupRule]) -> list[str]:
    return table(
        ("Security group", "Direction", "Protocol", "Ports", "Peer", "Description"),
        (
            (
                _code(rule.group),
                rule.direction,
                rule.protocol,
                rule.ports,
                (f"{WARNING} " if rule.open_to_the_world else "") + _code(rule.peer),
                rule.description or "-",
            )
            for rule in rules
        ),
    )


def _findings_table(findings: Sequence[Finding], stack: Stack | None) -> list[str]:
    def where(finding: Finding) -> str:
        logical_id = stack.logical_id(finding.path) if stack else None
        return f"`{logical_id}` ({finding.path})" if logical_id else f"`{finding.path}`"

    ordered = sorted(findings, key=lambda f: (f.severity != "error", f.plugin, f.rule, f.path))
    return table(
        ("Severity", "Rule", "Resource", "Description"),
        ((f.severity, f"`{f.rule}`", where(f), f.description) for f in ordered),
    )


def _acknowledgements_table(acks: Sequence[Acknowledgement]) -> list[str]:
    grouped: dict[tuple[str, str], list[Acknowledgement]] = defaultdict(list)
    for ack in acks:
        grouped[(ack.rule, ack.reason)].append(ack)
    return table(
        ("Finding", "Reason", "On"),
        ((f"`{rule}`", reason, _on(group)) for (rule, reason), group in sorted(grouped.items())),
    )


def _on(group: Sequence[Acknowledgement]) -> str:
    stack_wide = [a.where for a in group if a.stack_wide]
    if stack_wide:  # written on every resource below too: name the stack only
        others = len(group) - len(stack_wide)
        return f"{WARNING} stack-wide `{stack_wide[0]}` (copied to {_count(others, 'resource')})"
    return "<br>".join(f"`{a.where}`" for a in group)


def _lint_section(matches: Sequence[LintMatch] | None) -> list[str]:
    if matches is None:
        return ["Not run (`--no-lint`)."]
    shown = [m for m in matches if m.level != "info"]
    info = len(matches) - len(shown)
    lines = (
        table(
            ("Level", "Rule", "Where", "Message"),
            ((m.level, f"`{m.rule}`", f"`{m.where}`", m.message) for m in shown),
        )
        if shown
        else ["No errors or warnings."]
    )
    return [*lines, *([""] if info else []), *([f"{info} informational matches."] if info else [])]


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """Write the review; print where, with the counts that matter."""
    parser = argparse.ArgumentParser(
        description="Write a Markdown review of a synthesized cloud assembly (make review)."
    )
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"), help="cloud assembly")
    parser.add_argument("--output", type=Path, help="default: <cdk-out>/review.md")
    parser.add_argument(
        "--lint-region",
        action="append",
        help=f"region cfn-lint checks against (repeat; default: {', '.join(DEFAULT_LINT_REGIONS)})",
    )
    parser.add_argument("--no-lint", action="store_true", help="skip cfn-lint")
    args = parser.parse_args(argv)
    try:
        assembly = load_assembly(args.cdk_out)
    except (OSError, ValueError) as error:
        print(f"review: error: {error}", file=sys.stderr)
        return 2
    regions = args.lint_region or list(DEFAULT_LINT_REGIONS)
    text = review(assembly, lint=None if args.no_lint else lambda t: cfn_lint(t, regions))
    output: Path = args.output or args.cdk_out / "review.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    stacks, findings = _count(len(assembly.stacks), "stack"), len(assembly.findings)
    print(f"Wrote {output}: {stacks}, {_count(findings, 'synth finding')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
