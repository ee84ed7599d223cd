"""Reading a YAML config file with key paths: every problem names the file, path, rule and fix.

:class:`Node` wraps one value of the document and its key path (``teams[1].application``);
its readers check the type and range, refuse unknown keys (with a "did you mean") and
record a :class:`Problem` instead of raising, so that one run reports every problem.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import difflib
import functools
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from constructs_lib._advice import Advice, advise
from constructs_lib.errors import show

try:  # libyaml's parser: ten times faster; the composer and checks stay in Python
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


_T = TypeVar("_T")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


#: The value of a key that is not in the document.
MISSING: Any = _Missing()

#: Limits of the config file (docs/onboarding.md, "Limits of the config file"). They bound
#: the time and memory a load takes whatever the input; a valid config is far inside them.
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Values inside values: the deepest key path of the platform file is 9 levels deep.
MAX_DEPTH = 32
#: Values in the document, counting what an alias names each time it is used.
MAX_VALUES = 500_000
#: Uses of aliases (``*name``): anchors and merge keys may share settings, no more.
MAX_ALIASES = 1_000
#: Characters in one key or text value: the API's longest string, a job's
#: ``sparkSubmitParameters`` or ``hiveParameters`` (StartJobRun, 1-102,400). The file size
#: bounds the memory a load takes; this only stops a runaway value early.
MAX_TEXT = 102_400
#: The largest whole number, 2**53 - 1: beyond it JSON and JavaScript (and so the CDK)
#: lose precision.
MAX_INTEGER = 2**53 - 1
#: Problems recorded before reading stops.
MAX_PROBLEMS = 100
#: Problems listed in one error message (the rest are counted).
MAX_LISTED = 20

_YAML_TAG = "tag:yaml.org,2002:"
#: Tags a value may carry explicitly (``!!str 123``): the plain YAML types, nothing else.
_PLAIN_TAGS = frozenset(
    f"{_YAML_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
#: Characters YAML allows in a file (YAML 1.1, 5.1); anything else is refused with its place.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Problem:
    """One problem in a config file: where (file and key path), what was there, rule and fix."""

    location: str
    value: Any
    rule: str
    fix: str

    def __str__(self) -> str:
        shown = "" if self.value is MISSING else f"={show(self.value)}"
        return one_line(f"{self.location}{shown}: {self.rule}. Fix: {self.fix}")


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped (``\\n``, ``\\x1b``)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return (
        repr(char)[1:-1]
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


@functools.lru_cache(maxsize=4096)
def shown_key(key: str) -> str:
    """``key`` as it appears in a key path: as written if short and plain, else quoted and cut."""
    plain = len(key) <= _PLAIN_KEY_LENGTH and key.isprintable() and not _SPECIAL_IN_KEY.search(key)
    return key if plain and key else show(key)


#: Keys up to this long are shown as written (a tag key is up to 128 characters).
_PLAIN_KEY_LENGTH = 160
_SPECIAL_IN_KEY = re.compile(r"[\s.\[\]'\"]")


class TooManyProblemsError(Exception):
    """Reading stopped: :data:`MAX_PROBLEMS` problems are recorded."""


@dataclass
class Context:
    """Where problems go, and where merged values came from (merged path -> written path)."""

    source: str
    problems: list[Problem]
    origins: dict[str, str] = field(default_factory=dict)

    def location(self, path: str) -> str:
        """``<file>: <key path>`` of the value at ``path``, where it was written."""
        return f"{self.source}: {origin(self.origins, path)}" if path else self.source

    def fail(self, path: str, value: Any, rule: str, fix: str) -> None:
        """Record a problem with the value at ``path``.

        :raises TooManyProblemsError: once :data:`MAX_PROBLEMS` are recorded.
        """
        self.problems.append(Problem(self.location(path), value, rule, fix))
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblemsError


def read_text(path: Path, ctx: Context, *, unreadable_fix: str) -> Any:
    """The UTF-8 text of the file at ``path``; ``MISSING`` (with a problem recorded) if bad.

    Refuses what is not a regular file (a FIFO would block), a file over
    :data:`MAX_FILE_BYTES`, and bytes that are not UTF-8 (naming their line and column).
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            ctx.fail("", MISSING, "is not a regular file", unreadable_fix)
            return MISSING
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or show(str(error))
        ctx.fail("", MISSING, f"cannot be read ({reason})", unreadable_fix)
        return MISSING
    if len(data) > MAX_FILE_BYTES:
        ctx.fail(
            "",
            MISSING,
            f"is larger than {MAX_FILE_BYTES:,} bytes (a limit of the config file)",
            "split the platform into several config files",
        )
        return MISSING
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        ctx.fail(
            f"line {line}, column {column}",
            MISSING,
            f"is not UTF-8 text (byte 0x{data[error.start]:02X})",
            "save the file as UTF-8 (in most editors: 'Save with encoding', UTF-8)",
        )
        return MISSING


def load_yaml(text: str, ctx: Context) -> Any:
    """The YAML document ``text`` within the limits above; ``MISSING`` if bad.

    Safe types only; duplicate keys, complex keys (``? [a]``), tags other than the plain
    types, recursive aliases and integers beyond :data:`MAX_INTEGER` are refused.
    """
    bad = _NOT_YAML.search(text)
    if bad:
        ctx.fail(
            _line_column(text, bad.start()),
            MISSING,
            f"has a character YAML does not allow ({_escape(bad.group())})",
            "remove it, or write it as an escape in double quotes",
        )
        return MISSING
    try:
        loader = _BoundedLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _LimitError as refused:
        where = _mark(refused.mark)
        ctx.fail(where, MISSING, refused.rule, refused.fix)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(part for part in (error.context, error.problem) if part)
        ctx.fail(_mark(mark), MISSING, f"is not valid YAML ({problem})", "correct the syntax")
    except yaml.YAMLError as error:
        ctx.fail("", MISSING, f"is not valid YAML ({show(str(error))})", "correct the syntax")
    except RecursionError:  # a limit above should stop it first
        ctx.fail("", MISSING, f"is nested too deeply (at most {MAX_DEPTH} levels)", _FLATTEN)
    return MISSING


_FLATTEN = f"write at most {MAX_DEPTH} levels of values inside values"


def _line_column(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    return f"line {line}, column {index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def _mark(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


class _LimitError(Exception):
    """Input beyond a limit of the config file, at ``mark``."""

    def __init__(self, mark: Any, rule: str, fix: str) -> None:
        super().__init__(rule)
        self.mark, self.rule, self.fix = mark, rule, fix


class _BoundedComposer(Composer):
    """YAML's composer, counting values, aliases and depth as it goes (see the limits above)."""

    peek_event: Callable[[], Any]  # the parser's, in the loader

    def __init__(self) -> None:
        super().__init__()
        self._values = 0
        self._aliases = 0
        self._depth = 0
        self._weights: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        kind = event.__class__
        if kind is yaml.AliasEvent:
            return self._compose_alias(parent, index, event)
        tag = event.tag
        if (tag is not None and tag != "!" and tag not in _PLAIN_TAGS) or (
            kind is yaml.ScalarEvent and len(event.value) > MAX_TEXT
        ):
            self._refuse(event)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _LimitError(
                event.start_mark, f"is nested more than {MAX_DEPTH} levels deep", _FLATTEN
            )
        before = self._values
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(1, event.start_mark)
        if event.anchor is not None:
            self._weights[id(node)] = self._values - before
        return node

    def _compose_alias(self, parent: Any, index: Any, event: Any) -> Any:
        node = super().compose_node(parent, index)
        self._aliases += 1
        if self._aliases > MAX_ALIASES:
            raise _LimitError(
                event.start_mark,
                f"uses aliases (*name) more than {MAX_ALIASES:,} times",
                "write the values out, or share fewer of them",
            )
        weight = self._weights.get(id(node))
        if weight is None:
            raise _LimitError(
                event.start_mark,
                f"the alias *{shown_key(str(event.anchor))} is inside the value it names "
                "(a value that contains itself)",
                "refer only to values defined before and outside the alias",
            )
        self._count(weight, event.start_mark)
        return node

    @staticmethod
    def _refuse(event: Any) -> None:
        if event.tag not in (None, "!") and event.tag not in _PLAIN_TAGS:
            raise _LimitError(
                event.start_mark,
                f"the tag {show(event.tag.replace(_YAML_TAG, '!!'))} is not used in this file "
                "(only plain values: text, numbers, true/false, lists and mappings)",
                "remove the tag",
            )
        raise _LimitError(
            event.start_mark,
            f"a value of {len(event.value):,} characters is longer than {MAX_TEXT:,} "
            "(a limit of the config file)",
            "shorten it",
        )

    def _count(self, values: int, mark: Any) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise _LimitError(
                mark,
                f"has more than {MAX_VALUES:,} values (counting each alias as the values it names)",
                "split the platform into several config files",
            )


class _StrictConstructor(SafeConstructor):
    """YAML's safe constructor, refusing duplicate and complex keys and huge integers."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _LimitError(
                    key_node.start_mark,
                    "a key is a list or mapping (a complex key, '? [a]')",
                    "write the key as text",
                )
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _LimitError(
                    key_node.start_mark,
                    f"duplicate key {show(key)} (YAML would keep only the last one)",
                    "remove one of them, or merge them into one",
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_bounded_int(self, node: yaml.ScalarNode) -> int:
        """A YAML integer, refused past :data:`MAX_INTEGER` before it is computed in full."""
        digits = len(str(node.value).lstrip("+-").replace("_", ""))
        value = self.construct_yaml_int(node) if digits <= 40 else None
        if value is None or abs(value) > MAX_INTEGER:
            raise _LimitError(
                node.start_mark,
                f"a whole number beyond {MAX_INTEGER:,} (2**53 - 1: larger ones are not exact "
                "in JSON and JavaScript, through which the CDK passes them)",
                "write a smaller number",
            )
        return value

    yaml_constructors = {  # noqa: RUF012 (PyYAML's class-level table, copied and extended)
        **SafeConstructor.yaml_constructors,
        "tag:yaml.org,2002:int": construct_bounded_int,
    }


class _BoundedLoader(_BoundedComposer, _Parser, _StrictConstructor, Resolver):
    """A safe YAML loader within the config file's limits (libyaml's parser when present)."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        _BoundedComposer.__init__(self)
        _StrictConstructor.__init__(self)
        Resolver.__init__(self)


def join(path: str, key: str) -> str:
    """The key path of ``key`` under ``path``."""
    return f"{path}.{shown_key(key)}" if path else shown_key(key)


def is_under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or a key path below it."""
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def origin(origins: Mapping[str, str], path: str) -> str:
    """Where the value at ``path`` of a merged document was written."""
    for prefix in sorted(origins, key=len, reverse=True):
        if is_under(path, prefix):
            return origins[prefix] + path[len(prefix) :]
    return path


def merge(base: Any, override: Any, path: str, written_at: str, origins: dict[str, str]) -> Any:
    """``override`` deep-merged onto ``base``: mappings merge, anything else replaces.

    Records in ``origins`` that each replaced value at ``path`` was written at ``written_at``.
    """
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(
                base.get(key), value, join(path, str(key)), join(written_at, str(key)), origins
            )
        return merged
    origins[path] = written_at
    return override


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to ``word``, or ``""``."""
    folded = {choice.lower(): choice for choice in choices}
    close = folded.get(word.lower()) or next(
        iter(difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)), None
    )
    return f" (did you mean {close!r}?)" if close else ""


def _is_choice(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Node:
    """One value of the document and its key path; its readers record problems in ``ctx``.

    A node that is not ``usable`` sits under a problem already recorded: its readers
    return the default and record nothing more.
    """

    ctx: Context
    path: str
    value: Any
    usable: bool = True
    required: frozenset[str] = frozenset()

    @property
    def present(self) -> bool:
        """Whether there is a value to read (not missing, not null, not under a problem)."""
        return self.usable and self.value is not MISSING and self.value is not None

    @property
    def is_mapping(self) -> bool:
        """Whether there is a mapping to read."""
        return self.present and isinstance(self.value, dict)

    def fail(self, rule: str, fix: str) -> None:
        """Record a problem with this value."""
        if self.usable:
            self.ctx.fail(self.path, self.value, rule, fix)

    def warn(self, advice_id: str, text: str) -> Advice | None:
        """Warn about this value (accepted, but see ``text``): ``<file>: <key path>: text``.

        Given to :func:`constructs_lib._advice.advise`, so that the caller's
        :func:`~constructs_lib._advice.collecting` block records it.
        """
        if not self.usable:
            return None
        return advise(advice_id, one_line(f"{self.ctx.location(self.path)}: {text}"))

    def __getitem__(self, key: str) -> Node:
        value = self.value.get(key, MISSING) if isinstance(self.value, dict) else MISSING
        usable = self.usable and not (value is MISSING and key in self.required)
        return Node(self.ctx, join(self.path, key), value, usable)

    def unusable(self) -> Node:
        """This node, with problems below it no longer recorded."""
        return Node(self.ctx, self.path, self.value, usable=False)

    def mapping(self, *, required: Sequence[str] = (), optional: Sequence[str] = ()) -> Node:
        """This value as a mapping with ``required`` keys and no keys but these."""
        if not self.usable:
            return self
        if not isinstance(self.value, dict):
            keys = ", ".join(required or optional)
            self.fail("must be a mapping (key: value lines)", f"write {keys} as keys below it")
            return self.unusable()
        allowed = [*required, *optional]
        known = set(allowed)
        for key, value in self.value.items():
            if not isinstance(key, str):
                self.ctx.fail(join(self.path, str(key)), key, "keys must be text", "quote the key")
            elif key not in known:
                self.ctx.fail(
                    join(self.path, key),
                    value,
                    f"unknown key{did_you_mean(key, allowed)}",
                    f"use one of: {', '.join(allowed)}",
                )
        for key in required:
            if key not in self.value:
                self.ctx.fail(join(self.path, key), MISSING, "is required", f"add {key}: ...")
        return Node(self.ctx, self.path, self.value, required=frozenset(required))

    def entries(self) -> list[tuple[str, Node]]:
        """The ``(key, value)`` pairs of a mapping whose keys are names (text)."""
        keys = [key for key in self.value if isinstance(key, str)] if self.is_mapping else []
        node = self.mapping(optional=keys)
        return [(key, node[key]) for key in keys] if node.usable else []

    def elements(self) -> list[Node]:
        """The items of a list; ``[]`` when absent."""
        if not self.present:
            return []
        if not isinstance(self.value, list):
            self.fail("must be a list", "write one '- item' line per entry, or [a, b]")
            return []
        return [Node(self.ctx, f"{self.path}[{i}]", item) for i, item in enumerate(self.value)]

    def integer(self, *, minimum: int, maximum: int | None = None, default: int = 0) -> int:
        """A whole number from ``minimum`` to ``maximum``; ``default`` when absent."""
        if not self.present:
            return default
        value = self.value
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        if isinstance(value, bool) or not isinstance(value, int):
            quoted = ", without quotes" if isinstance(value, str) else ""
            self.fail(f"must be a whole number {bounds}", f"write a number{quoted}")
            return default
        if value < minimum or (maximum is not None and value > maximum):
            self.fail(f"must be {bounds}", f"write a number {bounds}")
            return default
        return value

    def boolean(self, *, default: bool) -> bool:
        """``true`` or ``false``; ``default`` when absent."""
        if not self.present:
            return default
        if not isinstance(self.value, bool):
            self.fail("must be true or false", "write true or false, without quotes")
            return default
        return self.value

    def text(self, pattern: re.Pattern[str], rule: str, *, example: str, default: str = "") -> str:
        """Text matching ``pattern`` in full (``rule`` says how); ``default`` when absent."""
        if not self.present:
            return default
        if not isinstance(self.value, str):
            self.fail("must be text", f"write it in quotes, e.g. {example!r}")
            return default
        if not pattern.fullmatch(self.value):
            self.fail(rule, f"write it like {example!r}")
            return default
        return self.value

    def choice(self, choices: Mapping[Any, _T], *, default: _T) -> _T:
        """The result for one of ``choices`` (written value -> result); ``default`` when absent."""
        if not self.present:
            return default
        if _is_choice(self.value) and self.value in choices:
            return choices[self.value]
        written = [str(key) for key in choices]
        self.fail(
            f"must be one of {', '.join(written)}{did_you_mean(str(self.value), written)}",
            f"write one of {', '.join(written)}",
        )
        return default
