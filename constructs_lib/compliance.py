"""cdk-nag rule packs and per-finding acknowledgements.

Every stack built with this library is checked by the five cdk-nag packs below.
A finding that is right for a resource is acknowledged on that resource only,
one finding id at a time, with a reason: :func:`acknowledge` refuses anything
broader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import jsii
from aws_cdk import Acknowledgment, Stack, Stage, Validations
from cdk_nag import (
    AwsSolutionsChecks,
    HIPAASecurityChecks,
    NagPack,
    NIST80053R5Checks,
    PCIDSS321Checks,
    ServerlessChecks,
)
from constructs import Construct, IConstruct, IValidation

from constructs_lib._stack_facts import jsii_key, stack_of

#: The packs every stack is checked against, in report order.
NAG_PACKS: tuple[Callable[..., NagPack], ...] = (
    AwsSolutionsChecks,
    NIST80053R5Checks,
    HIPAASecurityChecks,
    PCIDSS321Checks,
    ServerlessChecks,
)

#: Report names of the packs above (the ``pluginName`` in ``validation-report.json``).
NAG_PACK_NAMES = frozenset(
    {"AwsSolutions", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321", "Serverless"}
)

#: Rules that report one finding per offending value; these must be acknowledged per finding.
MULTI_FINDING_RULES = frozenset({"AwsSolutions-IAM4", "AwsSolutions-IAM5"})

#: A reason shorter than this cannot say why the finding is right for the resource.
MIN_REASON_LENGTH = 30

#: A finding id: a rule id (group ``rule``), plus ``[<finding>]`` for IAM4/IAM5 (``finding``),
#: optionally after the pack's name and ``::`` (``plugin``), as ``cdk synth`` prints it:
#: ``AwsSolutions::AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]``.
FINDING_ID = re.compile(
    r"^(?:(?P<plugin>[A-Za-z0-9.]+)::)?(?P<rule>[A-Za-z0-9.]+-[A-Za-z0-9]+)(?P<finding>\[.+\])?$"
)


class AcknowledgementError(ValueError):
    """An acknowledgement that would hide more than one finding on one resource."""


def add_compliance_checks(scope: Stage) -> None:
    """Register the five cdk-nag packs on an app or stage.

    Findings go to the synth's validation report; any error fails the synth.
    Acknowledgements are also written into each template's resource metadata
    (``cdk_nag.rules_to_suppress``) so that reviewers see them in ``cdk diff``.
    """
    for pack in NAG_PACKS:
        Validations.of(scope).add_plugins(pack(scope, write_suppressions_to_cloud_formation=True))


def acknowledge(resource: IConstruct, finding_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on one resource, with the reason it is right there.

    :param resource: the construct the finding is reported on (or its L2 parent); never a
        stack, stage or app.
    :param finding_id: the rule id, plus ``[<finding>]`` for IAM4/IAM5, e.g.
        ``AwsSolutions-IAM5[Resource::<BucketArn>/input/*]``; also as ``cdk synth`` prints it
        ("Acknowledge with ..."), with the pack's name in front:
        ``AwsSolutions::AwsSolutions-IAM5[Resource::<BucketArn>/input/*]``.
    :param reason: why the finding is right for this resource (at least 30 characters).
    :raises AcknowledgementError: for a stack-wide, rule-wide or unexplained acknowledgement.
    """
    acknowledge_findings(resource, {finding_id: reason})


def acknowledge_findings(resource: IConstruct, findings: Mapping[str, str]) -> None:
    """Acknowledge several findings on one resource: ``{finding id: reason}``.

    The same rules as :func:`acknowledge`, for each finding; one call into aws-cdk-lib.
    """
    if isinstance(resource, Stack | Stage):
        first = next(iter(findings), "")
        raise AcknowledgementError(
            f"acknowledge({resource.node.path!r}, {first!r}): acknowledgements on a "
            "stack, stage or app hide findings on every resource in it. Fix: acknowledge on "
            "the resource the finding is reported on."
        )
    for finding_id, reason in findings.items():
        _check_finding(finding_id, reason)
    Validations.of(resource).acknowledge(
        *(Acknowledgment(id=finding_id, reason=reason) for finding_id, reason in findings.items())
    )


def _check_finding(finding_id: str, reason: str) -> None:
    match = FINDING_ID.match(finding_id)
    if match is None:
        raise AcknowledgementError(
            f"acknowledge(finding_id={finding_id!r}): not a cdk-nag rule id. Fix: use the id "
            "from the validation report, e.g. 'AwsSolutions-S1' or "
            "'AwsSolutions-IAM5[Resource::arn:...]' (with or without the 'AwsSolutions::' "
            "prefix cdk synth prints)."
        )
    if match["plugin"] and match["plugin"] not in NAG_PACK_NAMES | {"Annotation"}:
        raise AcknowledgementError(
            f"acknowledge(finding_id={finding_id!r}): {match['plugin']!r} is not one of the "
            f"packs {', '.join(sorted(NAG_PACK_NAMES))}. Fix: copy the id cdk synth prints "
            "after 'Acknowledge with'."
        )
    if match["rule"] in MULTI_FINDING_RULES and not match["finding"]:
        raise AcknowledgementError(
            f"acknowledge(finding_id={finding_id!r}): {match['rule']} reports one finding per "
            "action or resource, and the bare rule id would acknowledge them all. Fix: name "
            f"the finding, e.g. '{match['rule']}[Resource::<arn>]'."
        )
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise AcknowledgementError(
            f"acknowledge(reason={reason!r}): a reason must say why the finding is right for "
            f"this resource (at least {MIN_REASON_LENGTH} characters). Fix: write the reason."
        )


def acknowledge_wildcard_resource(resource: IConstruct, arn: str, reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for one wildcard resource ARN in ``resource``'s policies.

    cdk-nag names the finding after the ARN as written in the final template, and a
    reference to a resource in another stack is written differently once CDK resolves
    it. So the finding id is computed when the app is synthesized (construct validations
    run after references are resolved and before the nag packs), not when this is called.

    :param resource: the role, user, group or policy whose statement holds ``arn``.
    :param arn: the resource ARN exactly as passed to the statement (tokens allowed).
    :param reason: why the wildcard is as narrow as the service allows.
    """
    _DeferredWildcardAcknowledgements.of(resource).add(resource, arn, reason)


class _DeferredWildcardAcknowledgements(Construct):
    """The IAM5 wildcard acknowledgements of one stack's resources, made when the app is
    synthesized, each on its own resource.

    One per stack, a child of it (id ``EmrServerlessWildcardAcknowledgements``): its ARNs
    are resolved together, in one call into aws-cdk-lib.
    """

    CHILD_ID = "EmrServerlessWildcardAcknowledgements"

    #: By stack (its jsii reference), so that a grant costs no look-up in the construct tree.
    _of: ClassVar[dict[str, _DeferredWildcardAcknowledgements]] = {}

    @classmethod
    def of(cls, resource: IConstruct) -> _DeferredWildcardAcknowledgements:
        stack = stack_of(resource)
        key = jsii_key(stack)
        existing = cls._of.get(key)
        if existing is None:
            existing = cls._of[key] = cls(stack)
        return existing

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack, self.CHILD_ID)
        self._stack = stack
        #: Per resource (its jsii reference): the resource and its ``{arn: reason}``.
        self._pending: dict[str, tuple[IConstruct, dict[str, str]]] = {}
        self._done: dict[str, set[str]] = {}
        self.node.add_validation(_Run(self))

    def add(self, resource: IConstruct, arn: str, reason: str) -> None:
        key = jsii_key(resource)
        self._pending.setdefault(key, (resource, {}))[1].setdefault(arn, reason)

    def run(self) -> None:
        if not self._pending:
            return
        pending = [
            (key, resource, arn, reason)
            for key, (resource, arns) in self._pending.items()
            for arn, reason in arns.items()
        ]
        self._pending.clear()
        # One resolution for every pending ARN: each call into aws-cdk-lib costs a request.
        flattened = nag_flatten_all(self._stack, [arn for _, _, arn, _ in pending])
        findings: dict[str, tuple[IConstruct, dict[str, str]]] = {}
        for (key, resource, _, reason), arn in zip(pending, flattened, strict=True):
            finding = f"AwsSolutions-IAM5[Resource::{arn}]"
            done = self._done.setdefault(key, set())
            if finding not in done:
                done.add(finding)
                findings.setdefault(key, (resource, {}))[1].setdefault(finding, reason)
        for resource, resource_findings in findings.values():
            acknowledge_findings(resource, resource_findings)


@jsii.implements(IValidation)
class _Run:
    def __init__(self, deferred: _DeferredWildcardAcknowledgements) -> None:
        self._deferred = deferred

    def validate(self) -> list[str]:
        self._deferred.run()
        return []


def nag_flatten(scope: IConstruct, value: Any) -> str:
    """``value`` as cdk-nag writes it inside a finding id (``<Logical.Attr>`` for references).

    Resolved in ``scope``'s stack at call time; a reference that later crosses stacks
    is written differently by cdk-nag and needs its own acknowledgement.
    """
    return _flatten(stack_of(scope).resolve(value))


def nag_flatten_all(scope: IConstruct, values: list[Any]) -> list[str]:
    """:func:`nag_flatten` of each of ``values``, resolved together in one call."""
    resolved = stack_of(scope).resolve(values)
    return [_flatten(node) for node in resolved]


def _flatten(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(_flatten(item) for item in items)
        if "Fn::Sub" in node:
            return _flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
        if "Fn::ImportValue" in node:
            return _flatten(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{_flatten(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))
