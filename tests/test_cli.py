"""CLIs: our errors in one line and exit 2, a bug's traceback kept, checked numbers."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib.cli import (
    USAGE_ERROR,
    error_lines,
    exit_on_validation_error,
    finite_number,
    run_cli,
    whole_number,
)
from constructs_lib.config_reader import Problem
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.platform_config import PlatformConfigError
from constructs_lib.subnet_planning.__main__ import (
    MAX_AZS,
    MAX_HEADROOM_PERCENT,
    MAX_VCPU,
    MAX_VPC_ADDRESSES,
    main,
)
from tests.hostile_configs import VALID

ROOT = Path(__file__).resolve().parent.parent

OURS = EmrServerlessValidationError(argument="azs", value=9, rule="at most 6", fix="use 6")


def test_our_error_is_one_line_and_exit_2() -> None:
    stderr = io.StringIO()
    with pytest.raises(SystemExit) as exited, exit_on_validation_error("tool", stderr=stderr):
        raise OURS
    assert exited.value.code == USAGE_ERROR
    assert stderr.getvalue() == "tool: error: azs=9: at most 6. Fix: use 6\n"
    assert exited.value.__context__ is not None  # raised from the handler ...
    assert exited.value.__suppress_context__  # ... without showing the traceback


def test_config_errors_print_one_line_per_problem() -> None:
    problems = [Problem(f"p.yaml: k{i}", i, "must be text", "quote it") for i in range(2)]
    assert error_lines("app.py", PlatformConfigError(problems)) == [
        "app.py: error: 2 problems:",
        "app.py: error: p.yaml: k0=0: must be text. Fix: quote it",
        "app.py: error: p.yaml: k1=1: must be text. Fix: quote it",
    ]


def test_error_lines_are_printable() -> None:
    error = EmrServerlessValidationError(argument="a\x1bb", value="x", rule="r\u202e", fix="f")
    (line,) = error_lines("t", error)
    assert line.isprintable()
    assert "a\\x1bb" in line


def test_a_bug_keeps_its_traceback() -> None:
    stderr = io.StringIO()
    with pytest.raises(KeyError), exit_on_validation_error("tool", stderr=stderr):
        raise KeyError("bug")
    assert stderr.getvalue() == ""


def test_run_cli_returns_what_main_returns() -> None:
    assert run_cli(lambda: 7, prog="tool") == 7
    stderr = io.StringIO()

    def refused() -> int:
        raise OURS

    with pytest.raises(SystemExit) as exited:
        run_cli(refused, prog="tool", stderr=stderr)
    assert (exited.value.code, stderr.getvalue().count("\n")) == (USAGE_ERROR, 1)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2", 2), ("6", 6), (" 4 ", 4), ("+3", 3), ("0" * 17 + "5", 5)],
)
def test_whole_number_in_range(text: str, value: int) -> None:
    assert whole_number(2, 6)(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "7",
        "-2",
        "nan",
        "inf",
        "1e3",
        "3.0",
        "",
        "1_000",
        "\u0663",
        "0x5",
        "9" * 19,
        "0" * 18 + "5",
    ],
)
def test_whole_number_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is not a whole number from 2 to 6"):
        whole_number(2, 6)(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.5", 0.5), ("3600", 3600.0), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("3.6e3", 3600.0)],
)
def test_finite_number_in_range(text: str, value: float) -> None:
    assert finite_number(0.5, 3600)(text) == value


@pytest.mark.parametrize(
    "text",
    ["0.49", "3600.001", "nan", "NaN", "inf", "-inf", "1e999", "0x1p3", "", "1,5", "--1"],
)
def test_finite_number_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"is not a number from 0\.5 to 3,600"):
        finite_number(0.5, 3600)(text)


def test_finite_number_above_minimum_refuses_the_minimum() -> None:
    parse = finite_number(0, 3600, above_minimum=True)
    with pytest.raises(argparse.ArgumentTypeError, match="more than 0 and at most 3,600"):
        parse("0")
    assert parse("0.001") == 0.001
    assert parse("3600") == 3600.0


# ---------------------------------------------------------------- the subnet planner


def plan(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["--vpc-cidr", "10.0.0.0/16", *argv])
    return status, capsys.readouterr().err


def test_azs_up_to_the_most_a_region_has(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan(capsys, "--workload", "40:4", "--azs", str(MAX_AZS)) == (0, "")
    status, err = plan(capsys, "--workload", "40:4", "--azs", str(MAX_AZS + 1))
    assert status == USAGE_ERROR
    assert f"is not a whole number from 2 to {MAX_AZS}" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--azs", "nan"],
        ["--azs", "1e9"],
        ["--azs", "9" * 5000],
        ["--azs", "100000000"],
        ["--other-addresses", str(MAX_VPC_ADDRESSES + 1)],
        ["--other-addresses", "-1"],
        ["--group", "p:33"],
        ["--group", "p:" + "9" * 5000],
    ],
)
def test_numbers_out_of_range_exit_2_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, err = plan(capsys, "--workload", "40:4", *argv)
    assert status == USAGE_ERROR
    errors = [line for line in err.splitlines() if "error:" in line]  # after argparse's usage
    assert errors == [err.splitlines()[-1]]
    assert errors[0].startswith("emr-serverless-subnet-plan: error: argument")
    assert len(errors[0]) < 300


def test_other_addresses_up_to_a_whole_vpc(capsys: pytest.CaptureFixture[str]) -> None:
    status, err = plan(capsys, "--workload", "40:4", "--other-addresses", str(MAX_VPC_ADDRESSES))
    assert status == USAGE_ERROR  # parsed, then refused by the planner: it does not fit
    assert "argument" not in err
    assert err.startswith("emr-serverless-subnet-plan: error: ")


@pytest.mark.parametrize(
    ("workload", "refused_by_the_parser"),
    [
        (f"{MAX_VCPU}:16", False),
        (f"{MAX_VCPU + 1}:16", True),
        ("40:4:" + str(MAX_HEADROOM_PERCENT), False),
        ("40:4:" + str(MAX_HEADROOM_PERCENT + 1), True),
        ("0:4", True),
        ("9" * 5000 + ":4", True),
        ("nan:4", True),
    ],
)
def test_workload_numbers(
    capsys: pytest.CaptureFixture[str], workload: str, refused_by_the_parser: bool
) -> None:
    status, err = plan(capsys, "--workload", workload)
    assert ("argument --workload" in err) == refused_by_the_parser
    if refused_by_the_parser:
        assert status == USAGE_ERROR
        assert "is not MAX_VCPU:WORKER_VCPU[:HEADROOM_PERCENT]" in err
        assert len(err) < 1000


# ---------------------------------------------------------------- app.py under the CDK


def test_app_prints_a_config_error_in_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("driver: {vcpu: 2,", "driver: {vcpu: -4,"))
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({"emr-serverless:platformConfig": str(bad)}),
        "CDK_OUTDIR": str(tmp_path / "out"),
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == USAGE_ERROR
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"app.py: error: {bad}: teams[0].application.workers.driver.vcpu=-4: must be 1 or more. "
        "Fix: write a number 1 or more"
    )
