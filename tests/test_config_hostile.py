"""Hostile config files: refused with one line naming the file, the place and the fix.

The loader is bounded by its own limits (``config_reader.MAX_*``), never by a clock: each
test asserts that the limit refused the input (and where), so nothing here is timed.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib import config_reader
from constructs_lib.config_reader import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_LISTED,
    MAX_PROBLEMS,
    MAX_TEXT,
    MISSING,
    Context,
    Problem,
    load_yaml,
    one_line,
    read_text,
    shown_key,
)
from constructs_lib.jobs import Runtime, run
from constructs_lib.platform_config import (
    MAX_ENVIRONMENTS,
    PlatformConfig,
    PlatformConfigError,
    load_platform_config,
    parse_platform_config,
)
from tests.hostile_configs import VALID, Case, billion_laughs, corpus, is_heavy, many_teams

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"
ROOT = Path(__file__).resolve().parent.parent


def refusal(path: Path) -> str:
    """The one problem ``path`` is refused with, checked to be one clean line."""
    with pytest.raises(PlatformConfigError) as refused:
        load_platform_config(path)
    (problem,) = refused.value.problems
    line = str(refused.value)
    assert line == str(problem)
    assert "\n" not in line
    assert line.isprintable()
    assert line.startswith(f"{path}: ")
    assert ". Fix: " in line
    return line


def yaml_problem(text: str) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    value = load_yaml(text, Context("f.yaml", problems))
    return value, problems


def only_yaml_problem(text: str) -> str:
    value, problems = yaml_problem(text)
    assert value is MISSING
    (problem,) = problems
    return str(problem)


# ---------------------------------------------------------------- the named hostile files


@pytest.mark.parametrize(
    ("fixture", "place", "rule"),
    [
        # 10**9 values by aliases: refused once the count passes the limit, at the alias
        # of the level that crosses it (lol5, the first with more than 500,000 values).
        ("billion-laughs.yaml", "line 29, column 35", "more than 500,000 values"),
        ("non-utf8-comment.yaml", "line 1, column 3", "is not UTF-8 text (byte 0xE9)"),
        ("utf16.yaml", "line 1, column 1", "is not UTF-8 text (byte 0xFF)"),
        ("complex-key.yaml", "line 24, column 3", "a key is a list or mapping"),
        ("deep-nesting.yaml", "line 24, column 35", f"nested more than {MAX_DEPTH} levels"),
        # 5,000 digits are inside MAX_TEXT: the integer rule refuses them, uncomputed.
        ("int-5000-digits.yaml", "line 21, column 32", "a whole number beyond"),
        ("python-object-tag.yaml", "line 24, column 4", "the tag '!!python/object/apply:os"),
        ("recursive-alias.yaml", "line 7, column 32", "the alias *d is inside the value"),
        ("nul-byte.yaml", "line 2, column 11", "a character YAML does not allow (\\x00)"),
        ("long-text.yaml", "line 14, column 11", f"longer than {MAX_TEXT:,}"),
        ("duplicate-key.yaml", "line 24, column 1", "duplicate key 'teams'"),
        ("key-with-control-characters.yaml", "'x\\ny\\x1b[2J'=1", "unknown key"),
    ],
)
def test_named_hostile_file_is_refused_in_one_line(fixture: str, place: str, rule: str) -> None:
    line = refusal(FIXTURES / fixture)
    assert line.startswith(f"{FIXTURES / fixture}: {place}")
    assert rule in line


def test_billion_laughs_stops_at_the_level_that_crosses_the_limit() -> None:
    # lol0 to lol4 hold 123,4xx values; each *lol4 names 111,111 more: the fourth alias
    # in lol5 passes 500,000, and nothing after it is composed.
    lines = (VALID + billion_laughs()).splitlines()
    line = refusal(FIXTURES / "billion-laughs.yaml")
    row = int(re.search(r"line (\d+), column (\d+)", line)[1])  # type: ignore[index]
    column = int(re.search(r"line (\d+), column (\d+)", line)[2])  # type: ignore[index]
    assert lines[row - 1].startswith("lol5:")
    assert lines[row - 1][column - 1 :].startswith("*lol4")
    assert lines[row - 1][: column - 1].count("*lol4") == 3


@functools.cache
def _corpus() -> dict[str, Case]:
    return {case.name: case for case in corpus()}


@pytest.mark.parametrize("name", [case.name for case in corpus() if not is_heavy(case.name)])
def test_every_corpus_case_is_accepted_or_refused_cleanly(name: str, tmp_path: Path) -> None:
    """The fuzz harness's corpus, in process: no exception but ours, each line clean.

    The heavy cases (large valid inputs read in full) run in ``scripts/fuzz_config.py``.
    """
    case = _corpus()[name]
    path = tmp_path / "platform.yaml"
    if case.kind == "file":
        path.write_bytes(case.data)
    elif case.kind == "directory":
        path.mkdir()
    elif case.kind == "fifo":
        os.mkfifo(path)
    try:
        assert isinstance(load_platform_config(path), PlatformConfig)
    except PlatformConfigError as error:
        lines = str(error).splitlines()
        assert len(lines) <= MAX_LISTED + 2
        for line in lines:
            assert line.isprintable()
            assert len(line) < 1000
        for problem in error.problems:
            assert str(problem).startswith(f"{path}")


def test_ten_thousand_teams_load() -> None:
    config = parse_platform_config(many_teams(10_000))
    assert len(config.environments[0].teams) == 10_000
    assert config.environments[0].teams[-1].name == "team9999"


def test_jobs_command_reports_a_hostile_config_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_aws(profile: str | None, region: str | None) -> None:
        raise AssertionError("no AWS")

    path = FIXTURES / "billion-laughs.yaml"
    argv = ["status", "jr-1", "--team", "t", "--environment", "dev", "--config", str(path)]
    assert run(argv, Runtime(session=no_aws)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"emr-serverless-jobs: error: {path}: line 29, column 35: ")


# ---------------------------------------------------------------- each limit, at its edge


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_limit() -> None:
    assert yaml_problem(nested(MAX_DEPTH)) == (eval(nested(MAX_DEPTH)), [])
    assert f"nested more than {MAX_DEPTH} levels" in only_yaml_problem(nested(MAX_DEPTH + 1))


def test_text_limit_for_values_and_keys() -> None:
    for text in ("a" * MAX_TEXT, "'" + "a" * MAX_TEXT + "'"):
        assert yaml_problem(f"k: {text}") == ({"k": "a" * MAX_TEXT}, [])
        assert yaml_problem(f"? {text}\n: 1") == ({"a" * MAX_TEXT: 1}, [])
    too_long = "a" * (MAX_TEXT + 1)
    assert f"a value of {MAX_TEXT + 1:,} characters" in only_yaml_problem(f"k: {too_long}")
    assert "line 1, column 3: a value of" in only_yaml_problem(f"? {too_long}\n: 1")


@pytest.mark.parametrize(
    ("written", "value"),
    [
        (str(MAX_INTEGER), MAX_INTEGER),
        (str(-MAX_INTEGER), -MAX_INTEGER),
        (hex(MAX_INTEGER), MAX_INTEGER),
        ("1_000", 1000),
        ("0" * 39 + "7", 7),
    ],
)
def test_integers_up_to_the_limit(written: str, value: int) -> None:
    assert yaml_problem(f"k: {written}") == ({"k": value}, [])


@pytest.mark.parametrize(
    "written",
    [str(MAX_INTEGER + 1), str(-MAX_INTEGER - 1), hex(MAX_INTEGER + 1), "0" * 40 + "7", "9" * 41],
)
def test_integers_beyond_the_limit(written: str) -> None:
    problem = only_yaml_problem(f"k: {written}")
    assert problem.startswith(f"f.yaml: line 1, column 4: a whole number beyond {MAX_INTEGER:,}")


def test_alias_limit() -> None:
    def aliases(count: int) -> str:
        return "a: &a 1\nb: [" + ", ".join(["*a"] * count) + "]\n"

    value, problems = yaml_problem(aliases(MAX_ALIASES))
    assert (len(value["b"]), problems) == (MAX_ALIASES, [])
    assert f"more than {MAX_ALIASES:,} times" in only_yaml_problem(aliases(MAX_ALIASES + 1))


def test_value_limit_counts_what_aliases_name() -> None:
    with mock.patch.object(config_reader, "MAX_VALUES", 50):
        # 1 list + 49 items = 50 values
        assert yaml_problem("[" + ", ".join(["1"] * 49) + "]")[1] == []
        assert "more than 50 values" in only_yaml_problem("[" + ", ".join(["1"] * 50) + "]")
        # a: [1, 1, 1] is 4 values and each *a 4 more: 1 + 2 + 4 + 1 + 2 * 4 = 16 for two
        assert yaml_problem("{a: &a [1, 1, 1], b: [*a, *a]}")[1] == []
        eleven = "{a: &a [1, 1, 1], b: [" + ", ".join(["*a"] * 11) + "]}"
        # 1 + (1 + 4) + (1 + 1 + 4 * 11) = 52 > 50; ten aliases make 48
        assert "more than 50 values" in only_yaml_problem(eleven)
        ten = "{a: &a [1, 1, 1], b: [" + ", ".join(["*a"] * 10) + "]}"
        assert yaml_problem(ten)[1] == []


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    with mock.patch.object(config_reader, "MAX_FILE_BYTES", 100):
        path.write_bytes(b"#" * 100)
        assert read_text(path, Context("p", []), unreadable_fix="x") == "#" * 100
        path.write_bytes(b"#" * 101)
        problems: list[Problem] = []
        assert read_text(path, Context("p", problems), unreadable_fix="x") is MISSING
        assert "is larger than 100 bytes" in str(problems[0])


def test_file_size_limit_is_read_no_further(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with mock.patch.object(config_reader, "MAX_FILE_BYTES", 10):
        path.write_bytes(b"#" * 11 + b"\xff" * 10)  # not UTF-8 past the limit: never decoded
        problems: list[Problem] = []
        assert read_text(path, Context("p", problems), unreadable_fix="x") is MISSING
        (problem,) = problems
        assert "larger than 10 bytes" in str(problem)


def test_paths_that_are_not_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "is not a regular file" in refusal(fifo)
    assert "is not a regular file" in refusal(tmp_path)
    assert "cannot be read" in refusal(tmp_path / "missing.yaml")
    with pytest.raises(PlatformConfigError, match=r"cannot be read .*embedded null byte"):
        load_platform_config(tmp_path / "a\0b.yaml")


def test_problem_limit_stops_reading() -> None:
    unknown = "".join(f"k{i}: 1\n" for i in range(MAX_PROBLEMS * 2))
    with pytest.raises(PlatformConfigError) as refused:
        parse_platform_config(VALID + unknown)
    assert len(refused.value.problems) == MAX_PROBLEMS
    lines = str(refused.value).splitlines()
    assert lines[0] == f"{MAX_PROBLEMS}+ problems:"
    assert len(lines) == 1 + MAX_LISTED + 1
    assert lines[-1].strip() == f"... and {MAX_PROBLEMS - MAX_LISTED} more (fix these first)"


def test_problems_below_the_limit_are_all_listed() -> None:
    unknown = "".join(f"k{i}: 1\n" for i in range(MAX_LISTED + 1))
    with pytest.raises(PlatformConfigError) as refused:
        parse_platform_config(VALID + unknown)
    lines = str(refused.value).splitlines()
    assert lines[0] == f"{MAX_LISTED + 1} problems:"
    assert lines[-1].strip() == "... and 1 more (fix these first)"
    unknown = "".join(f"k{i}: 1\n" for i in range(MAX_LISTED))
    with pytest.raises(PlatformConfigError) as refused:
        parse_platform_config(VALID + unknown)
    assert len(str(refused.value).splitlines()) == 1 + MAX_LISTED


def environments(count: int) -> str:
    head, teams = VALID.split("\nenvironments:\n")[0], VALID.split("\nteams:\n", 1)[1]
    names = "".join(f"  e{i}: {{}}\n" for i in range(count))
    return f"{head}\nenvironments:\n{names}teams:\n{teams}"


def test_environment_limit() -> None:
    assert len(parse_platform_config(environments(MAX_ENVIRONMENTS)).environments) == (
        MAX_ENVIRONMENTS
    )
    with pytest.raises(PlatformConfigError) as refused:
        parse_platform_config(environments(MAX_ENVIRONMENTS + 1))
    assert str(refused.value).startswith(
        f"platform.yaml: environments: names {MAX_ENVIRONMENTS + 1} environments; "
        f"a config file holds at most {MAX_ENVIRONMENTS}"
    )


# ---------------------------------------------------------------- YAML features


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("k: !!str 123", {"k": "123"}),
        ("k: !!int '5'", {"k": 5}),
        ("k: ! 5", {"k": 5}),  # PyYAML resolves the non-specific tag as if untagged
        ("k: !!seq [1]", {"k": [1]}),
        ("k: !!map {a: 1}", {"k": {"a": 1}}),
        ("k: !!bool 'true'", {"k": True}),
        ("k: !!null ''", {"k": None}),
        ("k: !!float '1.5'", {"k": 1.5}),
        ("\ufeffk: 1", {"k": 1}),
        ("a: &x {v: 1}\nb: {<<: *x, w: 2}", {"a": {"v": 1}, "b": {"v": 1, "w": 2}}),
        ("? a\n: 1", {"a": 1}),
    ],
)
def test_plain_yaml_is_read(text: str, value: Any) -> None:
    assert yaml_problem(text) == (value, [])


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("k: !!binary aGVsbG8=", "the tag '!!binary'"),
        ("k: !!set {a}", "the tag '!!set'"),
        ("k: !!timestamp 2026-01-01", "the tag '!!timestamp'"),
        ("k: !!python/name:os.system", "the tag '!!python/name:os.system'"),
        ("k: !custom 1", "the tag '!custom'"),
        ("{[a]: 1}", "a key is a list or mapping"),
        ("? {a: 1}\n: 1", "a key is a list or mapping"),
        ("a: &a [1]\n*a : 1", "a key is a list or mapping"),
        ("a: &a [*a]", "the alias *a is inside the value it names"),
        ("a: 1\na: 2", "duplicate key 'a'"),
        ('k: "\\ud800"', "is not valid YAML"),
        ("k: *missing", "found undefined alias"),
        ("a: 1\n---\nb: 2\n", "expected a single document"),
        ("k: a\x01", "a character YAML does not allow (\\x01)"),
    ],
)
def test_refused_yaml(text: str, rule: str) -> None:
    problem = only_yaml_problem(text)
    assert problem.startswith("f.yaml: line ")
    assert rule in problem
    assert problem.isprintable()


def test_not_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"a: 1\nbb: c\xe9\n")
    problems: list[Problem] = []
    assert read_text(path, Context("p.yaml", problems), unreadable_fix="x") is MISSING
    assert str(problems[0]) == (
        "p.yaml: line 2, column 6: is not UTF-8 text (byte 0xE9). Fix: save the file as UTF-8 "
        "(in most editors: 'Save with encoding', UTF-8)"
    )


def test_control_character_names_line_and_column() -> None:
    assert only_yaml_problem("a: 1\nb: x\x07\n").startswith("f.yaml: line 2, column 5: ")


def test_keys_in_key_paths_are_shown_safely() -> None:
    assert shown_key("executor") == "executor"
    assert shown_key("data-science_2") == "data-science_2"
    assert shown_key("a" * 160) == "a" * 160
    assert shown_key("a" * 161) == repr("a" * 161)
    for special in ("a.b", "a[0]", "a b", "a\nb", "'a'", 'a"b', ""):
        assert shown_key(special) == repr(special)
    assert len(shown_key("k" * MAX_TEXT)) <= 200


def test_one_line_escapes_what_is_not_printable() -> None:
    assert one_line("plain text: 1") == "plain text: 1"
    assert one_line("a\nb\tc\x1b\u202e\U000e0001") == "a\\nb\\tc\\x1b\\u202e\\U000e0001"


def test_an_override_reuses_nothing_it_changes() -> None:
    config = parse_platform_config(VALID.replace("  dev: {}\n", "  dev: {}\n  test: {}\n"))
    dev, test, prod = config.environments
    assert dev.teams[0] is test.teams[0]  # read once
    assert prod.teams[0] is not dev.teams[0]
    assert prod.teams[0].application.maximum_capacity.vcpu == 128
    assert dev.teams[0].application.maximum_capacity.vcpu == 64


# ---------------------------------------------------------------- hypothesis


_HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(list("ab-_.:[]{}&*!?|>'\"%@`#,\t\n\x00\x1b\u202e\ud800é 9")),
    max_size=40,
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    _HOSTILE_TEXT,
)
_TREES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_HOSTILE_TEXT, children, max_size=4)
    ),
    max_leaves=30,
)


def _clean(error: PlatformConfigError, source: str) -> None:
    for line in str(error).splitlines():
        assert line.isprintable()
        assert len(line) < 1000
    for problem in error.problems:
        assert str(problem).startswith(source)
        assert problem.rule
        assert problem.fix


@given(tree=_TREES, where=st.sampled_from(["platform", "teams", "environments", "x"]))
def test_any_tree_anywhere_is_accepted_or_refused_cleanly(tree: Any, where: str) -> None:
    document = yaml.safe_load(VALID)
    document[where] = tree
    try:
        text = yaml.safe_dump(document, allow_unicode=True)
    except yaml.YAMLError:
        return  # PyYAML cannot write it (e.g. a lone surrogate): nothing to read
    try:
        parse_platform_config(text)
    except PlatformConfigError as error:
        _clean(error, "platform.yaml")


@given(
    start=st.integers(min_value=0, max_value=len(VALID)),
    length=st.integers(min_value=0, max_value=20),
    junk=_HOSTILE_TEXT,
)
def test_any_text_spliced_in_is_accepted_or_refused_cleanly(
    start: int, length: int, junk: str
) -> None:
    text = VALID[:start] + junk + VALID[start + length :]
    try:
        parse_platform_config(text)
    except PlatformConfigError as error:
        _clean(error, "platform.yaml")


@given(start=st.integers(min_value=0, max_value=len(VALID)), junk=st.binary(max_size=64))
def test_any_bytes_spliced_in_are_accepted_or_refused_cleanly(start: int, junk: bytes) -> None:
    data = VALID.encode()[:start] + junk + VALID.encode()[start:]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "platform.yaml"
        path.write_bytes(data)
        try:
            load_platform_config(path)
        except PlatformConfigError as error:
            _clean(error, str(path))


@given(
    levels=st.integers(min_value=1, max_value=6),
    width=st.integers(min_value=1, max_value=9),
    limit=st.integers(min_value=10, max_value=3000),
)
def test_aliases_are_refused_exactly_when_what_they_name_passes_the_limit(
    levels: int, width: int, limit: int
) -> None:
    # l0 is a list of `width` ones; each next level a list of `width` aliases of the last.
    lines = ["l0: &l0 [" + ", ".join(["1"] * width) + "]"]
    size = 1 + width
    total = 1 + 1 + size  # the document mapping, the key l0, the list
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
        size = 1 + width * size
        total += 1 + size
    with mock.patch.object(config_reader, "MAX_VALUES", limit):
        value, problems = yaml_problem("\n".join(lines))
    if total <= limit:
        assert problems == []
        assert len(value) == levels
    else:
        (problem,) = problems
        assert f"more than {limit:,} values" in str(problem)


@given(depth=st.integers(min_value=1, max_value=MAX_DEPTH + 40))
def test_depth_is_refused_exactly_past_the_limit(depth: int) -> None:
    _, problems = yaml_problem("k: " + "{a: " * (depth - 1) + "1" + "}" * (depth - 1))
    # the document mapping is level 1, the innermost value level depth + 1
    assert (problems == []) == (depth + 1 <= MAX_DEPTH)


# ---------------------------------------------------------------- the documented limits


def test_the_limits_are_documented_as_they_are() -> None:
    text = (ROOT / "docs" / "onboarding.md").read_text()
    section = text.split("## Limits of the config file", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| Limit")
    }
    assert rows["file size"].startswith(f"{config_reader.MAX_FILE_BYTES:,} bytes")
    assert rows["nesting"].startswith(f"{MAX_DEPTH} levels")
    assert rows["values"].startswith(f"{config_reader.MAX_VALUES:,},")
    assert rows["aliases"].startswith(f"{MAX_ALIASES:,} uses")
    assert rows["text"].startswith(f"{MAX_TEXT:,} characters")
    assert rows["whole numbers"].startswith(f"up to {MAX_INTEGER:,} (2^53 - 1)")
    assert rows["environments"] == str(MAX_ENVIRONMENTS)
    assert rows["problems"] == (
        f"reading stops after {MAX_PROBLEMS}; a message lists the first {MAX_LISTED}"
    )
