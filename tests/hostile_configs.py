"""A fixed corpus of hostile platform config files, for the fuzz harness and the tests.

Each case is a name and the bytes of a file (or a path kind: a directory, a FIFO).
:func:`corpus` builds them all deterministically: whole-file attacks (alias bombs,
deep nesting, bad encodings, tags, huge sizes) and a valid config with one value or key
replaced by something hostile. ``scripts/fuzz_config.py`` runs each through the loader
and the jobs command in a child process with CPU, memory and wall-clock limits.

Imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

#: A valid config: one platform, two environments, one Spark team.
VALID = """\
platform:
  name: lake
  network:
    vpc_cidr: 10.0.0.0/16
  log_retention_days: 30
environments:
  dev: {}
  prod:
    teams:
      analytics:
        application:
          maximum_capacity: {vcpu: 128}
teams:
  - name: analytics
    application:
      type: SPARK
      release_label: emr-7.6.0
      workers:
        driver: {vcpu: 2, memory_gb: 4}
        executor: {vcpu: 4, memory_gb: 8}
      maximum_capacity: {vcpu: 64}
    glue_databases:
      read: [raw_events]
"""

#: Where a hostile value replaces a valid one (the text replaced, in :data:`VALID`).
VALUE_SLOTS: dict[str, str] = {
    "platform.name": "name: lake",
    "network.vpc_cidr": "vpc_cidr: 10.0.0.0/16",
    "log_retention_days": "log_retention_days: 30",
    "teams[0].name": "- name: analytics",
    "workers.driver.vcpu": "driver: {vcpu: 2,",
    "maximum_capacity.vcpu": "maximum_capacity: {vcpu: 64}",
    "environments.dev": "dev: {}",
    "glue_databases.read[0]": "read: [raw_events]",
}

_REPLACEMENT: dict[str, str] = {
    "platform.name": "name: {v}",
    "network.vpc_cidr": "vpc_cidr: {v}",
    "log_retention_days": "log_retention_days: {v}",
    "teams[0].name": "- name: {v}",
    "workers.driver.vcpu": "driver: {{vcpu: {v},",
    "maximum_capacity.vcpu": "maximum_capacity: {{vcpu: {v}}}",
    "environments.dev": "dev: {v}",
    "glue_databases.read[0]": "read: [{v}]",
}

#: Hostile values, as YAML flow text.
HOSTILE_VALUES: dict[str, str] = {
    "int-5000-digits": "9" * 5000,
    "negative-int-5000-digits": "-" + "9" * 5000,
    "hex-5000-digits": "0x" + "f" * 5000,
    "binary-20000-digits": "0b" + "1" * 20000,
    "sexagesimal-1000-places": "1" + ":59" * 1000,
    "int-2-to-63": str(2**63),
    "int-2-to-53-plus-1": str(2**53 + 1),
    "float-overflow": "1e400",
    "nan": ".nan",
    "infinity": "-.inf",
    "python-object-tag": "!!python/object/apply:os.system ['true']",
    "python-name-tag": "!!python/name:os.system",
    "binary-tag": "!!binary aGVsbG8=",
    "set-tag": "!!set {a, b}",
    "omap-tag": "!!omap [{a: 1}]",
    "custom-tag": "!custom x",
    "timestamp": "2026-01-01",
    "undefined-alias": "*nowhere",
    "string-2mb": "'" + "x" * 2_000_000 + "'",
    "control-characters": '"\\x00\\x1b[31m\\n\\u202e"',
    "lone-surrogate": '"\\ud800"',
    "deep-list-10000": "[" * 10_000 + "]" * 10_000,
    "deep-mapping-5000": "{a: " * 5_000 + "1" + "}" * 5_000,
    "complex-key": "{? [a]: 1}",
    "mapping-as-key": "{? {a: 1}: 1}",
    "list-100000": "[" + ", ".join(["x"] * 100_000) + "]",
    "merge-of-a-scalar": "{<<: 1}",
    "duplicate-keys": "{a: 1, a: 2}",
}


@dataclass(frozen=True)
class Case:
    """One hostile input: the file's bytes, or a path kind (``"directory"``, ``"fifo"``)."""

    name: str
    data: bytes = b""
    kind: str = "file"


def _text(name: str, text: str) -> Case:
    return Case(name, text.encode("utf-8", "surrogatepass"))


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """Nested aliases: ``width ** levels`` leaves from a file of about 2.7 KB."""
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    return "\n".join(lines) + "\n"


def team(index: int) -> str:
    """A valid team as one flow-style list item."""
    return (
        f"  - {{name: team{index}, application: {{type: SPARK, release_label: emr-7.6.0, "
        "workers: {driver: {vcpu: 2, memory_gb: 4}, executor: {vcpu: 4, memory_gb: 8}}, "
        "maximum_capacity: {vcpu: 64}}}\n"
    )


def many_teams(count: int, *, environments: str = "{dev: {}}") -> str:
    """A valid config with ``count`` teams."""
    head = (
        "platform: {name: lake, network: {vpc_cidr: 10.0.0.0/16}, log_retention_days: 30}\n"
        f"environments: {environments}\nteams:\n"
    )
    return head + "".join(team(index) for index in range(count))


def _named() -> Iterator[Case]:
    laughs = billion_laughs()
    yield _text("billion-laughs-as-unknown-key", VALID + laughs)
    yield _text(
        "billion-laughs-as-team-name",
        laughs + VALID.replace("- name: analytics", "- name: *lol8"),
    )
    yield _text(
        "billion-laughs-as-override",
        laughs.replace("lol", "x-lol")
        + VALID.replace("environments:\n  dev: {}", "environments:\n  dev: *x-lol8"),
    )
    merges = ["m0: &m0 {a: 1}"] + [
        f"m{i}: &m{i} {{k{i}a: *m{i - 1}, k{i}b: *m{i - 1}, k{i}c: *m{i - 1}, k{i}d: *m{i - 1}}}"
        for i in range(1, 16)
    ]
    yield _text("alias-bomb-mappings", VALID + "\n".join(merges) + "\n")
    yield _text(
        "alias-bomb-in-merge-keys",
        VALID.replace("  dev: {}", "  dev: &d0 {}")
        + "\n".join(
            f"x{i}: &d{i} {{<<: [*d{i - 1}], k{i}: [*d{i - 1}, *d{i - 1}, *d{i - 1}]}}"
            for i in range(1, 18)
        )
        + "\n",
    )
    yield _text("recursive-alias-list", VALID.replace("teams:\n", "x-self: &s [*s]\nteams:\n"))
    yield _text(
        "recursive-alias-mapping",
        VALID.replace("  dev: {}", "  dev: &d {platform: {network: *d}}"),
    )
    yield _text("recursive-merge-key", VALID.replace("  dev: {}", "  dev: &d {<<: *d}"))
    yield _text("aliases-100000", "x: &a 1\ny: [" + ", ".join(["*a"] * 100_000) + "]\n" + VALID)
    yield _text(
        "anchors-100000", "y: [" + ", ".join(f"&a{i} 1" for i in range(100_000)) + "]\n" + VALID
    )
    latin1 = VALID.replace("platform:", "# équipe données\nplatform:", 1).encode("latin-1")
    yield Case("non-utf8-latin1-comment", latin1)
    yield Case("non-utf8-in-value", VALID.replace("lake", "l\xe4ke").encode("latin-1"))
    yield Case("utf16-with-bom", VALID.encode("utf-16"))
    yield Case("utf8-with-bom", b"\xef\xbb\xbf" + VALID.encode())
    yield Case("nul-byte", VALID.replace("lake", "la\0ke").encode())
    yield Case("invalid-continuation-byte", VALID.encode() + b"# \xc3\x28\n")
    yield _text("complex-key-top-level", VALID + "? [a, b]\n: 1\n")
    yield _text(
        "complex-key-in-team",
        VALID.replace("    glue_databases:", "    ? {x: 1}\n    : 2\n    glue_databases:"),
    )
    yield _text("list-as-key-flow", VALID + "[a]: 1\n")
    yield _text("deep-block-nesting-600", VALID + "".join(f"{'  ' * i}k:\n" for i in range(600)))
    yield _text("deep-flow-list-10000-top", "[" * 10_000 + "]" * 10_000 + "\n")
    yield _text(
        "deep-flow-mapping-10000", VALID + "x: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"
    )
    yield _text("int-5000-digits-vcpu", VALID.replace("vcpu: 64", "vcpu: " + "9" * 5000))
    yield _text(
        "string-10mb-team-name", VALID.replace("- name: analytics", "- name: " + "a" * 10_000_000)
    )
    yield _text("key-1mb", VALID + "k" * 1_000_000 + ": 1\n")
    yield _text("key-with-newline-and-escape", VALID + '"x\\ny\\x1b[2J": 1\n')
    yield _text("lone-surrogate-key", VALID + '"\\udcff": 1\n')
    yield _text("teams-10000", many_teams(10_000))
    yield _text(
        "teams-10000-three-environments",
        many_teams(10_000, environments="{dev: {}, test: {}, prod: {}}"),
    )
    yield _text("teams-100000", many_teams(100_000))
    yield _text(
        "unknown-keys-100000",
        VALID.replace(
            "  log_retention_days: 30\n",
            "  log_retention_days: 30\n" + "".join(f"  k{i}: 1\n" for i in range(100_000)),
        ),
    )
    yield _text(
        "unknown-team-overrides-20000",
        many_teams(
            2_000,
            environments="{dev: {teams: {"
            + ", ".join(f"ghost{i}: {{}}" for i in range(20_000))
            + "}}}",
        ),
    )
    yield _text(
        "glue-databases-100000",
        VALID.replace(
            "read: [raw_events]", "read: [" + ", ".join(f"db{i}" for i in range(100_000)) + "]"
        ),
    )
    yield _text(
        "environments-10000",
        VALID.replace("  dev: {}\n", "".join(f"  e{i}: {{}}\n" for i in range(10_000))),
    )
    yield _text("python-object-tag", VALID + "x: !!python/object/apply:os.system ['true']\n")
    yield _text("python-module-tag", VALID + "x: !!python/module:os\n")
    yield _text("duplicate-top-level-key", VALID + "teams: []\n")
    yield _text("multi-document", VALID + "---\n" + VALID)
    yield _text("empty-file", "")
    yield _text("comments-only", "# nothing here\n")
    yield _text("yaml-directive-1-2", "%YAML 1.2\n---\n" + VALID)
    yield _text(
        "tag-directive",
        "%TAG !e! tag:evil.example,2026:\n---\n" + VALID.replace("name: lake", "name: !e!x lake"),
    )
    yield _text("tab-indentation", VALID.replace("  name: lake", "\tname: lake"))
    yield _text("line-5mb-of-spaces", VALID + " " * 5_000_000 + "\n")
    yield _text("comment-50mb", VALID + "#" + "x" * 50_000_000 + "\n")
    yield Case("directory", kind="directory")
    yield Case("fifo", kind="fifo")
    yield Case("missing", kind="missing")


def _mutations() -> Iterator[Case]:
    slots = list(VALUE_SLOTS)
    for number, (value_name, value) in enumerate(HOSTILE_VALUES.items()):
        # Each hostile value in four of the slots, rotating, so every slot gets many values.
        for offset in range(4):
            slot = slots[(number + offset * 2) % len(slots)]
            text = VALID.replace(VALUE_SLOTS[slot], _REPLACEMENT[slot].format(v=value), 1)
            yield _text(f"{value_name}@{slot}", text)


#: Cases that take seconds each even when handled well (large valid inputs read in full):
#: the fuzz harness runs them, the unit tests cover their limits with smaller inputs.
_HEAVY = frozenset(
    {
        "teams-10000",
        "teams-10000-three-environments",
        "unknown-keys-100000",
        "unknown-team-overrides-20000",
        "anchors-100000",
        "aliases-100000",
        "glue-databases-100000",
    }
)


def is_heavy(name: str) -> bool:
    """Whether case ``name`` is one of the slow ones (see ``_HEAVY``)."""
    return name in _HEAVY or name.startswith("list-100000@")


def corpus() -> list[Case]:
    """Every case, named uniquely, in a fixed order."""
    cases = [*_named(), *_mutations()]
    names = [case.name for case in cases]
    assert len(set(names)) == len(names), "case names must be unique"
    return cases
