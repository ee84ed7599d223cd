"""make review: what a change does to the infrastructure, from two cloud assemblies.

Assemblies are written as JSON (tests/review_fixtures.py), one base/head pair per change
kind, each asserted on the rendered Markdown. The size bound for a 50-team platform is proven
on synthetic templates cloned from the reference app's real ones (a 50-team synth takes
~100 s; one synthesis of the reference app is shared with tests/test_reference_app.py).
"""

from __future__ import annotations

import html
import json
import os
import re
import stat
import subprocess
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.application_updates import classify_update
from scripts import review
from tests import review_fixtures as fx
from tests.harness import Synthesis

NETWORK = fx.NETWORK
ANALYTICS = fx.team_stack_name("analytics")
REPORTING = fx.team_stack_name("reporting")


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def base_assembly(tmp_path_factory: pytest.TempPathFactory) -> review.Assembly:
    root = fx.write_assembly(tmp_path_factory.mktemp("base"), fx.platform())
    return review.load_assembly(root)


def compare(
    tmp_path: Path,
    base: review.Assembly,
    head: Mapping[str, Mapping[str, Any]],
    **options: Any,
) -> review.Review:
    root = fx.write_assembly(tmp_path / "head", head, **options)
    return review.compare(base, review.load_assembly(root))


def comment(result: review.Review) -> str:
    text = review.write_review(result)
    assert_inert(text)
    return text


def part(text: str, heading: str) -> list[str]:
    """The lines under ``### heading`` (up to the next ``###``)."""
    assert f"\n### {heading}\n" in text, heading
    return text.split(f"\n### {heading}\n", 1)[1].split("\n### ", 1)[0].strip().splitlines()


def details(text: str, stack: str) -> str:
    """The ``<details>`` block of ``stack``."""
    start = text.index(f"<summary><b>{stack}</b>")
    return text[start : text.index("</details>", start)]


def subsection(block: str, heading: str) -> list[str]:
    return block.split(f"#### {heading}\n", 1)[1].split("\n#### ", 1)[0].strip().splitlines()


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip()[1:-1].split("|")]


def rows(lines: list[str]) -> list[list[str]]:
    """The body rows of the first table in ``lines``."""
    table = []
    for line in lines:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    return [cells(line) for line in table[2:]]


def summary(text: str) -> dict[str, str]:
    """The ``What | Change`` table at the top."""
    return {row[0]: row[1] for row in rows(text.split("\n### ", 1)[0].splitlines())}


#: Every HTML tag the review writes; no other may appear.
_TAGS = frozenset(
    {"<details>", "</details>", "<summary>", "</summary>", "<code>", "</code>", "<br>"}
    | {"<b>", "</b>"}
)
_HEADINGS = re.compile(r"^(## Infrastructure review|### [A-Z][a-z -]+|#### [A-Za-z][A-Za-z -]+)$")


def assert_inert(text: str) -> None:
    """Nothing in ``text`` is HTML or Markdown structure but what the review writes."""
    assert "<!--" not in text
    assert "`" not in text
    assert set(re.findall(r"<[^<>]*>", text)) <= _TAGS
    assert "<" not in re.sub(r"<[^<>]*>", "", text)
    assert text.count("<details>") == text.count("</details>") == text.count("<summary>")
    for line in text.splitlines():
        if line.startswith("#"):
            assert _HEADINGS.match(line), line
    shown = html.unescape(text)
    assert not re.search(r"@[A-Za-z0-9]", shown)
    assert not re.search(r"#\d", shown)
    assert not re.search(r"(?i)(https?://|www\.)(?!aws\.amazon\.com/)", shown)
    assert "\r" not in text
    hidden = {c for c in text if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"}}
    assert hidden <= {"\n"}
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            assert {len(cells(row)) for row in table} == {len(cells(table[0]))}, table[0]
            assert set(table[1]) <= {"|", "-"}
        table = []


def skeleton(text: str) -> list[str]:
    """The structure of ``text``: headings, details, table widths, list items, paragraphs."""

    def kind(line: str) -> str:
        if line.startswith("|"):
            return f"table of {len(cells(line))}"
        if line.startswith("#") or line in ("<details>", "</details>", "", "---"):
            return line
        if line.startswith("<summary>"):
            return "summary"
        return "item" if line.startswith("- ") else "text"

    return [kind(line) for line in text.splitlines()]


# ---------------------------------------------------------------- each change kind


def test_team_added(tmp_path: Path, base_assembly: review.Assembly) -> None:
    science = fx.team_stack_name("science")
    text = comment(
        compare(tmp_path, base_assembly, fx.platform(("analytics", "reporting", "science")))
    )
    stacks = {row[0]: row for row in rows(part(text, "Stacks"))}
    assert list(stacks) == [f"<code>{science}</code>"]
    assert stacks[f"<code>{science}</code>"][1:4] == ["added", "+6 -0 ⟳0 ~0", "+3 -0"]
    assert "3 stacks unchanged." in part(text, "Stacks")
    assert summary(text)["Applications stopped (or replaced) for an update"] == "0"
    assert "### Applications this change stops" not in text
    assert "### Stateful resources and subnets replaced or removed" not in text
    block = details(text, science)
    added = {row[1]: row for row in rows(subsection(block, "Resources"))}
    assert added["<code>AWS::EMRServerless::Application</code>"][:3] == [
        "+ added",
        "<code>AWS::EMRServerless::Application</code>",
        "<code>Application</code>",
    ]
    iam = rows(subsection(block, "IAM statements"))
    assert [(r[0], r[1]) for r in iam] == [
        ("+", "<code>RuntimeRole</code> (trust policy)"),
        ("+", "<code>RuntimePolicy</code> (managed policy)"),
        ("+", "<code>RuntimePolicy</code> (managed policy)"),
    ]
    assert iam[0][4] == "<code>Service: emr-serverless.amazonaws.com</code>"
    # its pre-initialized workers: 2 ARM64 executors of 4 vCPU and 16 GB, all month
    hourly = (
        2 * 4 * review.PRICES["emr_vcpu_arm64"].usd + 2 * 16 * review.PRICES["emr_gb_arm64"].usd
    )
    (cost,) = [r for r in rows(part(text, "Cost-relevant changes")) if "Pre-initialized" in r[1]]
    assert cost[0] == f"<code>{science}</code>"
    assert cost[2:] == [
        "-",
        f"5,840 vCPU-hours (${hourly * 730:,.2f}; 8 vCPU, 32 GB, arm64)",
        f"+${hourly * 730:,.2f}",
    ]
    assert f"({review.EMR_PRICING})" in part(text, "Cost-relevant changes")[-1]


def test_worker_size_changed(tmp_path: Path, base_assembly: review.Assembly) -> None:
    head = fx.platform(team_options={"analytics": {"executor": ("8vCPU", "32GB")}})
    result = compare(tmp_path, base_assembly, head)
    text = comment(result)
    before = fx.team_template("analytics")["Resources"]["Application"]["Properties"]
    after = head[ANALYTICS]["Resources"]["Application"]["Properties"]
    update = classify_update(before, after)
    assert [c.name for c in update.changes] == ["InitialCapacity"]
    reason = update.changes[0].reason
    if update.stops:
        stops = part(text, "Applications this change stops")
        assert [line for line in stops if line.startswith("- ")] == [
            "- **Stops** application <code>analytics-application</code> of team "
            f"<code>analytics</code> (<code>{ANALYTICS}</code>) for an update: "
            f"<code>InitialCapacity</code> ({update.changes[0].effect.value}"
            + (f": {review.escape(reason)}" if reason else "")
            + ")"
        ]
    else:
        assert "### Applications this change stops" not in text
    (cost,) = rows(part(text, "Cost-relevant changes"))
    assert cost[2].startswith("5,840 vCPU-hours")
    assert cost[3].startswith("11,680 vCPU-hours")
    assert cost[4].startswith("+$")
    (row,) = rows(subsection(details(text, ANALYTICS), "Resources"))
    assert row == [
        "~ modified",
        "<code>AWS::EMRServerless::Application</code>",
        "<code>Application</code>",
        "changes <code>InitialCapacity</code>",
    ]


def test_release_changed(tmp_path: Path, base_assembly: review.Assembly) -> None:
    head = fx.platform(team_options={"reporting": {"release": "emr-7.7.0"}})
    text = comment(compare(tmp_path, base_assembly, head))
    update = classify_update(
        fx.team_template("reporting")["Resources"]["Application"]["Properties"],
        head[REPORTING]["Resources"]["Application"]["Properties"],
    )
    assert [c.name for c in update.changes] == ["ReleaseLabel"]
    if update.stops:
        (stop,) = [line for line in part(text, "Applications this change stops") if "- " in line]
        assert stop.startswith(
            "- **Stops** application <code>reporting-application</code> of team "
            f"<code>reporting</code> (<code>{REPORTING}</code>) for an update: "
            "<code>ReleaseLabel</code>"
        )
    assert summary(text)["Applications stopped (or replaced) for an update"] == str(
        int(update.stops)
    )
    assert "### Cost-relevant changes" not in text
    assert summary(text)["Stateful resources and subnets replaced or removed"] == "0"


def test_prefix_granted(tmp_path: Path, base_assembly: review.Assembly) -> None:
    head = fx.platform(team_options={"analytics": {"prefixes": ("input/", "curated/")}})
    text = comment(compare(tmp_path, base_assembly, head))
    assert summary(text)["IAM statements"] == "+1 / -0"
    iam = rows(subsection(details(text, ANALYTICS), "IAM statements"))
    added = [r for r in iam if r[0] == "+"]
    assert [r[5:7] for r in added if "curated" in r[6]] == [
        [
            "<code>s3:GetObject</code><br><code>s3:ListBucket</code>",
            "<code>&#36;{DataBucket.Arn}/curated/&#42;</code>",
        ]
    ]
    assert [r[2] for r in iam] == ["<code>Roles: &#36;{RuntimeRole}</code>"] * len(iam)
    assert "### Applications this change stops" not in text


def test_iam_statement_identity_is_its_text() -> None:
    template = fx.team_template("analytics", prefixes=("input/", "curated/"))
    before = {s.identity for s in review.iam_statements(fx.team_template("analytics"))}
    after = {s.identity for s in review.iam_statements(template)}
    assert len(after - before) == 1
    assert before <= after  # the statements already granted are the same statements


def test_subnet_grown(tmp_path: Path, base_assembly: review.Assembly) -> None:
    head = fx.platform(network={"cidrs": ("10.0.0.0/25", "10.0.0.128/25")})
    text = comment(compare(tmp_path, base_assembly, head))
    critical = part(text, "Stateful resources and subnets replaced or removed")
    assert critical == [
        f"- **⚠️ <code>AWS::EC2::Subnet</code> <code>Subnet1</code> in <code>{NETWORK}</code>** "
        "is **replaced** (the old one is deleted): CidrBlock: 10.0.0.0/26 → 10.0.0.0/25. "
        "**The new CIDR overlaps the old one: CloudFormation creates the replacement first, so "
        "this deploy fails**",
        f"- **⚠️ <code>AWS::EC2::Subnet</code> <code>Subnet2</code> in <code>{NETWORK}</code>** "
        "is **replaced** (the old one is deleted): CidrBlock: 10.0.0.64/26 → 10.0.0.128/25",
    ]
    assert text.index("### Stateful") < text.index("### Stacks") < text.index("### Details")
    block = details(text, NETWORK)
    assert rows(subsection(block, "Subnets")) == [
        [
            "<code>Subnet1</code>",
            "select(0, azs())",
            "<code>10.0.0.0/26</code>",
            "<code>10.0.0.0/25</code>",
        ],
        [
            "<code>Subnet2</code>",
            "select(1, azs())",
            "<code>10.0.0.64/26</code>",
            "<code>10.0.0.128/25</code>",
        ],
    ]
    resources = {r[2]: r for r in rows(subsection(block, "Resources"))}
    assert resources["<code>Subnet1</code>"][0] == "**⟳ replaced**"
    # what refers to a replaced subnet by a create-only property is replaced too (not bold)
    assert resources["<code>Association1</code>"][0] == "⟳ replaced"
    assert (
        resources["<code>Association1</code>"][3] == "SubnetId refers to Subnet1, which is replaced"
    )
    assert resources["<code>Nat1</code>"][0] == "⟳ replaced"
    assert resources["<code>EndpointLogs</code>"][0] == "~ modified"
    # the applications on those subnets: their network configuration changes
    (app,) = rows(subsection(details(text, REPORTING), "Resources"))
    assert app[3].startswith(
        "changes <code>NetworkConfiguration</code>; NetworkConfiguration refers to"
    )
    assert app[3].endswith(f"in {NETWORK}, which is replaced")
    update = classify_update({"NetworkConfiguration": 1}, {"NetworkConfiguration": 2})
    stops = (
        [line for line in part(text, "Applications this change stops") if line.startswith("- ")]
        if update.stops
        else []
    )
    assert len(stops) == (2 if update.stops else 0)


def test_stateful_resource_replaced(tmp_path: Path, base_assembly: review.Assembly) -> None:
    head = fx.platform(team_options={"analytics": {"log_group_name": "/emr/analytics"}})
    del head[REPORTING]["Resources"]["DataBucket"]
    del head[REPORTING]["Resources"]["Application"]
    text = comment(compare(tmp_path, base_assembly, head))
    assert text.index("**⚠️ 3 stateful resources or subnets replaced or removed") < text.index(
        "### Stateful"
    )
    assert part(text, "Stateful resources and subnets replaced or removed") == [
        f"- **⚠️ <code>AWS::EMRServerless::Application</code> <code>Application</code> in "
        f"<code>{REPORTING}</code>** is **removed and deleted**",
        f"- **⚠️ <code>AWS::S3::Bucket</code> <code>DataBucket</code> in <code>{REPORTING}</code>** "
        "is **removed** from the stack (retained in the account, no longer managed)",
        "- **⚠️ <code>AWS::Logs::LogGroup</code> <code>LogGroup</code> in "
        f"<code>{ANALYTICS}</code>** is **replaced** (the old one is retained, no longer "
        "managed by the stack): LogGroupName: (none) → /emr/analytics",
    ]
    stacks = {r[0]: r for r in rows(part(text, "Stacks"))}
    assert stacks[f"<code>{REPORTING}</code>"][7] == "**2**"
    assert stacks[f"<code>{ANALYTICS}</code>"][7] == "**1**"


def test_modified_property_that_is_not_create_only_is_not_a_replacement(
    tmp_path: Path, base_assembly: review.Assembly
) -> None:
    head = fx.platform()
    head[ANALYTICS]["Resources"]["DataBucket"]["Properties"]["Tags"] = [{"Key": "k", "Value": "v"}]
    result = compare(tmp_path, base_assembly, head)
    (stack,) = result.changed
    assert [(r.logical_id, r.change, r.properties, r.critical) for r in stack.resources] == [
        ("DataBucket", "modified", ("Tags",), False)
    ]


def _schema_create_only(resource_type: str) -> list[str]:
    directory = review._schemas_directory()
    assert directory is not None
    digest = json.loads((directory / "providers" / "us-east-1.json").read_text())[resource_type]
    schema = json.loads((directory / "resources" / f"{digest}.json").read_text())
    return list(schema.get("createOnlyProperties", []))


@pytest.mark.parametrize(
    "resource_type",
    [
        "AWS::EC2::Subnet",
        "AWS::S3::Bucket",
        "AWS::Logs::LogGroup",
        "AWS::ECR::Repository",
        "AWS::EMRServerless::Application",
        "AWS::KMS::Key",
    ],
)
def test_create_only_properties_are_the_schemas(resource_type: str) -> None:
    expected = [
        p.removeprefix("/properties/").split("/") for p in _schema_create_only(resource_type)
    ]
    assert [list(p) for p in review.create_only_properties(resource_type) or ()] == expected


def test_nested_create_only_property_and_unknown_types() -> None:
    base = {
        "Type": "AWS::ECR::Repository",
        "Properties": {"EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": "a"}},
    }
    head = json.loads(json.dumps(base))
    head["Properties"]["EncryptionConfiguration"]["KmsKey"] = "b"
    stacks = {"S": {"Resources": {"Repo": base}}}
    result = review.compare(_assembly(stacks), _assembly({"S": {"Resources": {"Repo": head}}}))
    (change,) = result.stacks[0].resources
    assert change.change == "replaced"
    assert "EncryptionConfiguration.KmsKey: a → b" in change.why
    assert review.create_only_properties("Custom::Thing") is None


def _assembly(stacks: Mapping[str, Mapping[str, Any]]) -> review.Assembly:
    return review.Assembly(
        root=Path("."),
        stacks=[
            review.Stack(name=name, path=name, template=template, stack_name=name)
            for name, template in stacks.items()
        ],
        findings=(),
    )


def test_security_group_rule_opened_to_the_world(
    tmp_path: Path, base_assembly: review.Assembly
) -> None:
    ssh = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "CidrIp": "0.0.0.0/0",
        "Description": "ssh",
    }
    text = comment(compare(tmp_path, base_assembly, fx.platform(network={"ingress": [ssh]})))
    assert summary(text)["Security-group rules"] == "+1 / -0 (1 ⚠️ ingress from anywhere added)"
    assert rows(subsection(details(text, NETWORK), "Security-group rules")) == [
        [
            "+",
            "<code>SecurityGroup</code>",
            "ingress",
            "tcp",
            "22",
            "⚠️ <code>0.0.0.0/0</code>",
            "ssh",
        ]
    ]


def test_acknowledgement_and_finding_added(tmp_path: Path, base_assembly: review.Assembly) -> None:
    head = fx.platform()
    head[ANALYTICS]["Resources"]["DataBucket"]["Metadata"] = {
        "cdk_nag": {"rules_to_suppress": [{"id": "AwsSolutions-S1", "reason": "logs go elsewhere"}]}
    }
    finding = {
        "rule": "AwsSolutions-S10",
        "path": f"{ANALYTICS}/DataBucket/Resource",
        "description": "TLS",
    }
    text = comment(compare(tmp_path, base_assembly, head, findings=[finding]))
    assert summary(text)["Acknowledged findings"] == "+1 / -0"
    assert summary(text)["Synth findings new in head"] == "1"
    block = details(text, ANALYTICS)
    assert rows(subsection(block, "Acknowledged findings")) == [
        ["+", "logs go elsewhere", "<code>AwsSolutions-S1</code> (<code>DataBucket</code>)"]
    ]
    assert rows(subsection(block, "Synth findings new in head")) == [
        [
            "error",
            "<code>AwsSolutions-S10</code>",
            f"<code>{ANALYTICS}/DataBucket/Resource</code>",
            "TLS",
        ]
    ]


def test_unchanged_and_no_base(tmp_path: Path, base_assembly: review.Assembly) -> None:
    same = comment(compare(tmp_path, base_assembly, fx.platform()))
    assert "0 of 3 stacks change" in same
    assert "No stack changes." in part(same, "Stacks")
    assert "<details>" not in same
    root = fx.write_assembly(tmp_path / "alone", fx.platform())
    alone = comment(review.compare(review.Assembly.empty(), review.load_assembly(root)))
    assert (
        "compared with no base: everything is shown as added. 3 of 3 stacks change (3 added"
        in alone
    )


# ---------------------------------------------------------------- assemblies


def test_stage_stacks_are_read_from_nested_assemblies(tmp_path: Path) -> None:
    finding = {"rule": "R1", "path": f"Prod/{ANALYTICS}/Application", "description": "d"}
    root = fx.write_assembly(
        tmp_path, {}, stages={"Prod": fx.platform(("analytics",))}, findings=[finding]
    )
    assembly = review.load_assembly(root)
    assert sorted(s.path for s in assembly.stacks) == [f"Prod/{NETWORK}", f"Prod/{ANALYTICS}"]
    owner = assembly.stack_of(finding["path"])
    assert owner is not None
    assert owner.path == f"Prod/{ANALYTICS}"
    assert owner.logical_id(f"Prod/{ANALYTICS}/Application") == "Application"


@pytest.mark.parametrize("where", ["../outside.json", "/etc/hostname", "", None])
def test_manifest_paths_stay_inside_the_assembly(tmp_path: Path, where: Any) -> None:
    root = fx.write_assembly(tmp_path / "a", {"S": {"Resources": {}}})
    (tmp_path / "outside.json").write_text("{}")
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["artifacts"]["S"]["properties"]["templateFile"] = where
    (root / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(review.AssemblyError, match="manifest"):
        review.load_assembly(root)


def test_symlinks_out_of_the_assembly_are_refused(tmp_path: Path) -> None:
    root = fx.write_assembly(tmp_path / "a", {"S": {"Resources": {}}})
    (tmp_path / "secret.json").write_text("{}")
    (root / "stack0.template.json").unlink()
    (root / "stack0.template.json").symlink_to(tmp_path / "secret.json")
    with pytest.raises(review.AssemblyError, match="leaves the assembly"):
        review.load_assembly(root)


def test_file_size_and_nesting_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fx.write_assembly(tmp_path / "deep", {"S": {"Resources": {}}})
    deep: Any = "x"
    for _ in range(review.MAX_JSON_DEPTH + 1):
        deep = [deep]
    (root / "stack0.template.json").write_text(json.dumps({"Resources": {}, "Metadata": deep}))
    with pytest.raises(review.AssemblyError, match="nested more than"):
        review.load_assembly(root)
    (root / "stack0.template.json").write_text("[" * 100_000)
    with pytest.raises(review.AssemblyError, match=r"nested deeper|JSONDecodeError"):
        review.load_assembly(root)
    big = fx.write_assembly(tmp_path / "big", {"S": {"Resources": {}}})
    monkeypatch.setattr(review, "MAX_FILE_BYTES", 20)
    with pytest.raises(review.AssemblyError, match="more than 20"):
        review.load_assembly(big)


def test_nested_assemblies_are_bounded(tmp_path: Path) -> None:
    manifest = {
        "artifacts": {"Self": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))  # names itself
    with pytest.raises(review.AssemblyError, match="nested more than"):
        review.load_assembly(tmp_path)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = fx.write_assembly(tmp_path / "base", fx.platform())
    head = fx.write_assembly(tmp_path / "head", fx.platform(("analytics",)))
    output = tmp_path / "out" / "review.md"
    argv = ["--head", str(head), "--base", str(base), "--output", str(output), "--no-lint"]
    assert review.main([*argv, "--base-label", "main", "--head-label", "pr"]) == 0
    text = output.read_text()
    assert "Head <code>pr</code> compared with base <code>main</code>. 1 of 3 stacks change" in text
    full = (tmp_path / "out" / review.FULL_REPORT).read_text()
    assert details(full, REPORTING) == details(text, REPORTING)
    assert "1 of 3 stacks change" in capsys.readouterr().out
    assert review.main(["--head", str(tmp_path / "nowhere")]) == 2
    assert (
        capsys.readouterr().err.strip().endswith("manifest.json not found: run `make synth` first")
    )
    (head / "manifest.json").write_text("{not json")
    assert review.main(["--head", str(head)]) == 2
    assert capsys.readouterr().err.startswith("review: error: ")


def test_base_ref_that_cannot_be_read_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = fx.write_assembly(tmp_path / "head", fx.platform())
    argv = ["--head", str(head), "--base-ref", "no-such-ref-anywhere", "--no-lint"]
    assert review.main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("review: error: synthesizing the base failed (git): ")
    assert len(error.strip().splitlines()) == 1


def test_base_ref_is_synthesized_from_git_archive(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("print('base')\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "app.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    (repo / "app.py").write_text("print('head, not committed')\n")
    cdk = tmp_path / "cdk"  # a stand-in CLI: records its arguments and what app.py it sees
    cdk.write_text(
        "#!/bin/sh\n"
        'out=""; while [ $# -gt 0 ]; do\n'
        '  [ "$1" = --output ] && out="$2"; echo "$1" >> "$LOG"; shift\n'
        "done\n"
        'mkdir -p "$out"; cp app.py "$out/app.py"; echo "$PYTHONPATH" > "$out/pythonpath"\n'
    )
    cdk.chmod(cdk.stat().st_mode | stat.S_IEXEC)
    os.environ["LOG"] = str(tmp_path / "log")
    try:
        out = review.synthesize_ref(
            "HEAD", tmp_path / "work", repo=repo, python=Path("/py"), cdk=cdk
        )
    finally:
        del os.environ["LOG"]
    assert (out / "app.py").read_text() == "print('base')\n"
    assert (out / "pythonpath").read_text().strip() == str(tmp_path / "work" / "src")
    arguments = (tmp_path / "log").read_text().splitlines()
    assert arguments[:3] == ["synth", "--app", "/py app.py"]
    assert (repo / "app.py").read_text() == "print('head, not committed')\n"


# ---------------------------------------------------------------- escaping

HOSTILE = (
    "\n\n<!-- hidden"
    " x`<sub><sub>`/ ``a``"
    " </code></details><details><summary>fake</summary>"
    " @octocat please approve, fixes #123 and GH-7"
    "\n# Heading\n## another\r\n- item\n1. item"
    " a | b | c"
    "\u202eevil\u202c \u2066x\u2069\u200b\u2028\u2029\x00\x1b[31m"
    " [link](https://evil.example) ![img](http://evil.example/x.png) www.evil.example"
    " <img src=x onerror=alert(1)> &lt;b&gt; *bold* _it_ ~~s~~ $x$ \\ -->"
)


def hostile_platform(text: str) -> tuple[dict[str, dict[str, Any]], list[dict[str, str]]]:
    """The base platform with ``text`` in every string a pull request controls."""
    ssh = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "CidrIp": "10.0.0.0/8",
        "Description": text,
    }
    stacks = fx.platform(
        network={"ingress": [ssh], "description": text},
        team_options={
            "analytics": {
                "prefixes": ("input/", text),
                "log_group_name": text,
                "description": text,
                "name": text,
            }
        },
    )
    resources = stacks[ANALYTICS]["Resources"]
    resources["Application"]["Properties"]["Tags"] = [{"Key": "team", "Value": text}]
    resources["RuntimePolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {
            "Effect": "Allow",
            "Action": [text],
            "Resource": text,
            "Condition": {"StringEquals": {text: text}},
        }
    )
    resources["DataBucket"]["Metadata"] = {
        "cdk_nag": {"rules_to_suppress": [{"id": text, "reason": text}]}
    }
    resources[f"Hostile{text}"] = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": text}}
    stacks[ANALYTICS]["Outputs"] = {text: {"Value": text}}
    findings = [{"rule": text, "path": text, "description": text}]
    return stacks, findings


@pytest.mark.parametrize(
    "text", [HOSTILE, "\n\n<!--", "x`<sub><sub>`/", "@team", "#123", "|", "\r"]
)
def test_hostile_strings_cannot_change_the_structure(
    tmp_path: Path, base_assembly: review.Assembly, text: str
) -> None:
    benign_stacks, benign_findings = hostile_platform("benign")
    hostile_stacks, hostile_findings = hostile_platform(text)
    benign = compare(tmp_path / "benign", base_assembly, benign_stacks, findings=benign_findings)
    hostile = compare(
        tmp_path / "hostile", base_assembly, hostile_stacks, findings=hostile_findings
    )
    for write in (review.write_review, review.write_full_review):
        rendered = write(hostile)
        assert_inert(rendered)
        assert skeleton(rendered) == skeleton(write(benign))
    assert skeleton(review.write_full_review(hostile)) == skeleton(review.write_full_review(benign))


def test_code_span_breakout_stays_in_its_code_element(
    tmp_path: Path, base_assembly: review.Assembly
) -> None:
    head = fx.platform(team_options={"analytics": {"prefixes": ("input/", "x`<sub><sub>`/")}})
    text = comment(compare(tmp_path, base_assembly, head))
    assert (
        "<code>&#36;{DataBucket.Arn}/x&#96;&lt;sub&gt;&lt;sub&gt;&#96;/&#42;</code>"
        in subsection(details(text, ANALYTICS), "IAM statements")[2]
    )


def test_hostile_stack_names_cannot_change_the_structure(tmp_path: Path) -> None:
    stacks = {HOSTILE: fx.team_template("analytics")}
    root = fx.write_assembly(tmp_path, stacks, display_names={HOSTILE: HOSTILE})
    result = review.compare(
        review.Assembly.empty(), review.load_assembly(root), head_label=HOSTILE, base_label=HOSTILE
    )
    for text in (review.write_review(result), review.write_full_review(result)):
        assert_inert(text)
        assert text.count("<details>") == 1


_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-z]+);")


@given(st.text(max_size=60))
def test_escaped_text_has_no_syntax_and_loses_nothing(text: str) -> None:
    escaped = review.escape(text, None)
    bare = _ENTITY.sub("", escaped)
    assert not set(bare) & set("<>&\"'\\`*_[]|~$#\n\r\t")
    assert not {
        c for c in bare if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
    }
    if not any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"} for c in text):
        assert html.unescape(escaped).replace("\u200b", "") == text
    assert not escaped.startswith(("-", "+", "="))


def test_escape_cuts_long_values() -> None:
    assert review.escape("a" * 10, 4) == "aaaa…"
    assert review.escape("a" * 4, 4) == "aaaa"
    assert review.code("<x>", 5) == "<code>&lt;x&gt;</code>"


# ---------------------------------------------------------------- the size bound


def test_budget_holds_for_any_amount_of_change(tmp_path: Path) -> None:
    """300 stacks of 30 long hostile statements each: the comment stays within budget."""
    statements = [
        {"Effect": "Allow", "Action": [f"{HOSTILE}{i}"] * 5, "Resource": HOSTILE * 3}
        for i in range(30)
    ]
    template = fx.team_template("analytics")
    template["Resources"]["RuntimePolicy"]["Properties"]["PolicyDocument"]["Statement"] = statements
    stacks = {f"Stack{n:03d}": template for n in range(300)}
    result = review.compare(review.Assembly.empty(), _assembly(stacks))
    text = review.write_review(result)
    assert len(text.encode()) <= review.DEFAULT_BUDGET_BYTES
    assert_inert(text)
    assert re.search(r"and \d+ more \w+: see review-full.md", text)


@pytest.fixture(scope="module")
def fifty_teams(
    reference_app: Synthesis, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A 50-team platform (two environments) cloned from the reference app's real templates,
    and the same platform with 49 teams: team stacks are copies of the reference teams'
    stacks with the team renamed in their names, tags, ids and descriptions.
    """
    templates = reference_app.templates
    team_stacks = sorted(n for n in templates if "-Team-" in n)
    shared = {n: t for n, t in templates.items() if "-Team-" not in n}

    def platform(teams: int) -> dict[str, dict[str, Any]]:
        stacks = dict(shared)
        for index in range(teams):
            for name in team_stacks:
                if (index % 2 == 0) != name.endswith("-Analytics"):
                    continue
                team = f"Team{index:02d}"
                text = json.dumps(templates[name])
                for old in ("Analytics", "Reporting"):
                    text = text.replace(f"-Team-{old}", f"-Team-{team}")
                text = text.replace('"analytics"', f'"{team.lower()}"').replace(
                    '"reporting"', f'"{team.lower()}"'
                )
                stacks[name.replace(name.rsplit("-", 1)[1], team)] = json.loads(text)
        return stacks

    base = fx.write_assembly(tmp_path_factory.mktemp("teams49"), platform(49))
    head = fx.write_assembly(tmp_path_factory.mktemp("teams50"), platform(50))
    return base, head


def test_fifty_teams_fit_in_a_comment(fifty_teams: tuple[Path, Path], tmp_path: Path) -> None:
    base, head = fifty_teams
    assembly = review.load_assembly(head)
    assert sum("-Team-" in s.name for s in assembly.stacks) == 100
    marker_and_footer = 400  # what review.yml adds around review.md
    for against in (review.Assembly.empty(), review.load_assembly(base)):
        result = review.compare(against, assembly)
        text = review.write_review(result)
        assert len(text.encode()) <= review.DEFAULT_BUDGET_BYTES
        assert len(text) + marker_and_footer <= review.GITHUB_COMMENT_LIMIT
        assert_inert(text)
        shown = {row[0] for row in rows(part(text, "Stacks"))}
        left = re.search(r"and (\d+) more stacks?: see", "\n".join(part(text, "Stacks")))
        assert len(shown) + (int(left[1]) if left else 0) == len(result.changed)
    # one team onboarded: both of its stacks, whole, with nothing cut
    added = review.compare(review.load_assembly(base), assembly)
    assert [s.path for s in added.changed] == [
        "EmrAnalytics-Dev-Team-Team49",
        "EmrAnalytics-Prod-Team-Team49",
    ]
    assert "_… and" not in review.write_review(added)


def test_acknowledgements_are_grouped_by_reason(
    tmp_path: Path, base_assembly: review.Assembly
) -> None:
    head = fx.platform()
    reason = "one reason that covers two findings on two resources"
    for logical_id, rule in (("DataBucket", "AwsSolutions-S1"), ("LogBucket", "AwsSolutions-S10")):
        resource = head[ANALYTICS]["Resources"].get(logical_id)
        if resource is None:
            continue
        resource["Metadata"] = {"cdk_nag": {"rules_to_suppress": [{"id": rule, "reason": reason}]}}
    text = comment(compare(tmp_path, base_assembly, head))
    (row,) = rows(subsection(details(text, ANALYTICS), "Acknowledged findings"))
    assert row[:2] == ["+", reason]
    assert row[2].count("<code>AwsSolutions-S1") == 1


def test_a_second_stack_shows_only_what_differs_from_the_first(
    tmp_path: Path, base_assembly: review.Assembly
) -> None:
    """The dev and prod stacks of a new team repeat each other: the second refers to the first."""
    head = fx.platform(teams=("analytics", "reporting", "science", "sales"))
    text = comment(compare(tmp_path, base_assembly, head))
    first, second = sorted(
        (fx.team_stack_name("science"), fx.team_stack_name("sales")), key=text.index
    )
    repeated = subsection(details(text, second), "IAM statements")
    assert repeated[0].startswith("- The same ")
    assert f"as in <b>{first}</b> above" in repeated[0]
    whole = rows(subsection(details(text, first), "IAM statements"))
    assert len(rows(repeated)) < len(whole)


def test_reference_app_compared_with_itself(reference_app: Synthesis) -> None:
    assembly = review.load_assembly(reference_app.outdir)
    text = comment(review.compare(assembly, assembly))
    assert f"0 of {len(reference_app.templates)} stacks change" in text


def test_application_replaced_when_its_name_changes(
    tmp_path: Path, base_assembly: review.Assembly
) -> None:
    head = fx.platform(team_options={"reporting": {"name": "reporting-2"}})
    text = comment(compare(tmp_path, base_assembly, head))
    (line,) = [x for x in part(text, "Applications this change stops") if x.startswith("- ")]
    assert line.startswith(
        "- **Replaces** application <code>reporting-2</code> of team <code>reporting</code>"
    )
    (critical,) = part(text, "Stateful resources and subnets replaced or removed")
    assert critical.endswith(
        "is **replaced** (the old one is deleted): Name: reporting-application → reporting-2"
    )
