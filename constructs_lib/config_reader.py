"""Reading a YAML config file with key paths: every problem names the file, path, rule and fix.

:class:`Node` wraps one value of the document and its key path (``teams[1].application``);
its readers check the type and range, refuse unknown keys (with a "did you mean") and
record a :class:`Problem` instead of raising, so that one run reports every problem.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

_T = TypeVar("_T")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


#: The value of a key that is not in the document.
MISSING: Any = _Missing()

_MAX_SHOWN = 80


@dataclass(frozen=True)
class Problem:
    """One problem in a config file: where (file and key path), what was there, rule and fix."""

    location: str
    value: Any
    rule: str
    fix: str

    def __str__(self) -> str:
        shown = "" if self.value is MISSING else f"={_show(self.value)}"
        return f"{self.location}{shown}: {self.rule}. Fix: {self.fix}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


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
        """Record a problem with the value at ``path``."""
        self.problems.append(Problem(self.location(path), value, rule, fix))


def load_yaml(text: str, ctx: Context) -> Any:
    """The YAML document ``text`` (safe types only, duplicate keys refused); ``MISSING`` if bad."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context
    except yaml.YAMLError as error:
        where, problem = "", str(error)
    ctx.fail(where, MISSING, f"is not valid YAML ({problem})", "correct the syntax")
    return MISSING


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing duplicate keys (YAML would keep the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def join(path: str, key: str) -> str:
    """The key path of ``key`` under ``path``."""
    return f"{path}.{key}" if path else key


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

    def fail(self, rule: str, fix: str) -> None:
        """Record a problem with this value."""
        if self.usable:
            self.ctx.fail(self.path, self.value, rule, fix)

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
        for key, value in self.value.items():
            if not isinstance(key, str):
                self.ctx.fail(join(self.path, str(key)), key, "keys must be text", "quote the key")
            elif key not in allowed:
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
        keys = [key for key in self.value if isinstance(key, str)] if self.present else []
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
