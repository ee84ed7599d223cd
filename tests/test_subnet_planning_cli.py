"""``emr-serverless-subnet-plan`` / ``python -m constructs_lib.subnet_planning``."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from constructs_lib.subnet_planning import SubnetGroup, Workload, plan_subnets
from constructs_lib.subnet_planning.__main__ import main

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_table_has_the_guides_rows(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(
        capsys, "--vpc-cidr", "10.0.0.0/16", "--azs", "4", "--workload", "4000:4"
    )
    assert (status, err) == (0, "")
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Subnet "))
    assert header.split() == [
        "Subnet",
        "Group",
        "AZ",
        "Subnet",
        "address",
        "Subnet",
        "mask",
        "IP",
        "address",
        "range",
        "Available",
        "Usable",
        "Required",
    ]
    rows = [line.split() for line in lines if line.lstrip()[:1].isdigit()]
    assert [row[3:] for row in rows] == [
        ["10.0.0.0", "255.255.252.0/22", "10.0.0.0", "-", "10.0.3.255", "1,024", "1,019", "1,000"],
        ["10.0.4.0", "255.255.252.0/22", "10.0.4.0", "-", "10.0.7.255", "1,024", "1,019", "1,000"],
        ["10.0.8.0", "255.255.252.0/22", "10.0.8.0", "-", "10.0.11.255", "1,024", "1,019", "1,000"],
        [
            "10.0.12.0",
            "255.255.252.0/22",
            "10.0.12.0",
            "-",
            "10.0.15.255",
            "1,024",
            "1,019",
            "1,000",
        ],
    ]
    assert [row[:3] for row in rows] == [[str(i + 1), "emr-serverless", str(i)] for i in range(4)]
    assert "peak 1,000 workers" in lines[0]
    assert (
        lines[-1]
        == "Free: 10.0.16.0/20, 10.0.32.0/19, 10.0.64.0/18, 10.0.128.0/17 (61,440 addresses)"
    )


def test_json_is_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(
        capsys,
        "--vpc-cidr",
        "10.0.0.0/16",
        "--workload",
        "4000:4",
        "--workload",
        "4000:4",
        "--workload",
        "4000:4:10",
        "--group",
        "public:28",
        "--other-addresses",
        "9",
        "--json",
    )
    assert status == 0
    document = json.loads(out)
    expected = plan_subnets(
        [Workload(4000, 4), Workload(4000, 4), Workload(4000, 4, headroom_percent=10)],
        vpc_cidr="10.0.0.0/16",
        extra_groups=[SubnetGroup("public", prefix=28)],
        other_addresses=9,
    )
    assert document == expected.to_dict()
    first = document["subnets"][0]
    assert {
        k: first[k] for k in ("cidr", "netmask", "first_ip", "last_ip", "az_index", "group")
    } == {
        "cidr": "10.0.0.0/20",
        "netmask": "255.255.240.0",
        "first_ip": "10.0.0.0",
        "last_ip": "10.0.15.255",
        "az_index": 0,
        "group": "emr-serverless",
    }
    assert (first["available"], first["usable"], first["required"]) == (4096, 4091, 3109)
    assert [s["cidr"] for s in document["subnets"] if s["group"] == "public"] == [
        "10.0.255.240/28",
        "10.0.255.224/28",
        "10.0.255.208/28",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vpc-cidr", "10.0.0.0/16", "--workload", "4000:3"], "1, 2, 4, 8 or 16 vCPU"),
        (["--vpc-cidr", "10.0.0.0/16", "--workload", "4000"], "not MAX_VCPU:WORKER_VCPU"),
        (["--vpc-cidr", "10.0.0.0/16", "--workload", "4000:4:x"], "not MAX_VCPU:WORKER_VCPU"),
        (["--vpc-cidr", "10.0.0.0/16", "--workload", "4000:4", "--azs", "1"], "from 2 to 6"),
        (["--vpc-cidr", "10.0.0.1/16", "--workload", "4000:4"], "use 10.0.0.0/16"),
        (["--vpc-cidr", "10.0.0.0/22", "--workload", "4000:4"], "use a /20 or larger"),
        (["--vpc-cidr", "10.0.0.0/8", "--workload", "400000:1"], "65,531 usable"),
        (["--vpc-cidr", "10.0.0.0/16", "--workload", "4:4", "--group", "p:29"], "/16 to /28"),
        (["--vpc-cidr", "10.0.0.0/16", "--workload", "4:4", "--group", "p"], "not NAME:PREFIX"),
        (["--workload", "4000:4"], "--vpc-cidr"),
    ],
)
def test_bad_input_exits_2_with_the_reason_on_stderr(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = _run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert message in err


def test_valid_neighbours_of_bad_input_pass(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--vpc-cidr", "10.0.0.0/16", "--workload", "4000:4", "--azs", "2"],
        ["--vpc-cidr", "10.0.0.0/20", "--workload", "4000:4"],
        ["--vpc-cidr", "10.0.0.0/16", "--workload", "4:4", "--group", "p:/28"],
    ):
        status, _, err = _run(capsys, *argv)
        assert (status, err) == (0, "")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "--help")
    assert status == 0
    assert "--workload MAX_VCPU:WORKER_VCPU[:HEADROOM_PERCENT]" in out


def test_console_script_is_main() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["emr-serverless-subnet-plan"].partition(":")
    assert getattr(importlib.import_module(module), function) is main


def test_module_runs_without_loading_aws_cdk() -> None:
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['x', '--vpc-cidr', '10.0.0.0/16', '--workload', '4000:4', '--json']\n"
        "try:\n"
        "    runpy.run_module('constructs_lib.subnet_planning', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "roots = ('aws_cdk', 'jsii', 'constructs')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout)["subnets"][0]["cidr"] == "10.0.0.0/22"
    assert done.stderr.strip() == "[]"
