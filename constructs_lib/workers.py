"""Engines, worker types and worker sizes, and whether Spark containers fit a worker.

Pure module: imports nothing from ``aws_cdk``.

Line numbers (``L1328``) cite the *Amazon EMR Serverless User Guide* digested in
``requirements.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from constructs_lib._arguments import checked_fields
from constructs_lib._checks import fullmatch
from constructs_lib._enums import LenientEnum
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import Feature, ReleaseLabel, require

_T = TypeVar("_T")


class EngineType(LenientEnum):
    """The application type (CreateApplication ``type``)."""

    SPARK = "SPARK"
    HIVE = "HIVE"

    @property
    def worker_types(self) -> tuple[WorkerType, ...]:
        """The engine's worker types, driver first."""
        return tuple(w for w in WorkerType if w.engine is self)


class Architecture(LenientEnum):
    """The CPU architecture of every worker (CreateApplication ``architecture``)."""

    X86_64 = "X86_64"
    ARM64 = "ARM64"

    @property
    def java17_home(self) -> str:
        """``JAVA_HOME`` of the Java 17 runtime on this architecture (guide L5823-5893)."""
        suffix = "x86_64" if self is Architecture.X86_64 else "aarch64"
        return f"/usr/lib/jvm/java-17-amazon-corretto.{suffix}/"


class LogType(LenientEnum):
    """A log stream EMR Serverless can send to CloudWatch Logs (guide L4813-4823)."""

    STDOUT = "STDOUT"
    STDERR = "STDERR"
    HIVE_LOG = "HIVE_LOG"
    TEZ_AM = "TEZ_AM"
    SYSTEM_LOGS = "SYSTEM_LOGS"


class WorkerType(LenientEnum):
    """A worker type, with each name the API uses for it.

    - ``capacity_key``: key in ``initialCapacity``: ``DRIVER`` for the driver of either
      engine, ``EXECUTOR`` and ``TEZ_TASK`` (guide L1369, L1381-1431, L2588; one example
      writes ``EXECUTOR`` for Tez tasks, L2601, a known error);
    - ``specification_key``: key in ``workerTypeSpecifications`` (guide L1812; the
      CloudFormation schema names ``Driver``/``Executor`` and ``HiveDriver``/``TezTask``);
    - ``log_key`` and ``log_types``: key and allowed values in CloudWatch ``logTypes``
      (guide L4813-4823).
    """

    SPARK_DRIVER = (
        EngineType.SPARK,
        "DRIVER",
        "Driver",
        "SPARK_DRIVER",
        (LogType.STDERR, LogType.STDOUT),
    )
    SPARK_EXECUTOR = (
        EngineType.SPARK,
        "EXECUTOR",
        "Executor",
        "SPARK_EXECUTOR",
        (LogType.STDERR, LogType.STDOUT),
    )
    HIVE_DRIVER = (
        EngineType.HIVE,
        "DRIVER",
        "HiveDriver",
        "HIVE_DRIVER",
        (LogType.STDERR, LogType.STDOUT, LogType.HIVE_LOG, LogType.TEZ_AM),
    )
    TEZ_TASK = (
        EngineType.HIVE,
        "TEZ_TASK",
        "TezTask",
        "TEZ_TASK",
        (LogType.STDERR, LogType.STDOUT, LogType.SYSTEM_LOGS),
    )

    def __init__(
        self,
        engine: EngineType,
        capacity_key: str,
        specification_key: str,
        log_key: str,
        log_types: tuple[LogType, ...],
    ) -> None:
        self.engine = engine
        self.capacity_key = capacity_key
        self.specification_key = specification_key
        self.log_key = log_key
        self.log_types = log_types

    @classmethod
    def _aliases(cls) -> dict[str, WorkerType]:
        """The API's names for a worker type where they name one type of one engine.

        ``DRIVER`` names the driver of either engine, so it is resolved by :meth:`of`.
        """
        names: dict[str, list[WorkerType]] = {}
        for member in cls:
            for name in (member.capacity_key, member.specification_key, member.log_key):
                folded = name.upper()
                if member not in names.setdefault(folded, []):
                    names[folded].append(member)
        unique = {name: members[0] for name, members in names.items() if len(members) == 1}
        unique.pop("DRIVER", None)  # either engine's driver: see ``of``
        return unique

    @classmethod
    def of(cls, value: WorkerType | str, *, engine: EngineType, argument: str) -> WorkerType:
        """``value`` as a worker type of ``engine``: a member, or any API name of it.

        Strings are matched ignoring case: the member names (``SPARK_DRIVER``), the
        ``initialCapacity`` keys (``DRIVER``, ``EXECUTOR``, ``TEZ_TASK``), the
        ``workerTypeSpecifications`` keys (``Driver``, ``HiveDriver``) and the log keys.
        ``DRIVER`` is the driver of ``engine``.

        :raises EmrServerlessValidationError: for a name of no worker type of ``engine``.
        """
        if isinstance(value, str) and value.strip().upper() == "DRIVER":
            return next(
                w
                for w in engine.worker_types
                if w.capacity_key == "DRIVER" or w.name.endswith("DRIVER")
            )
        member = value if isinstance(value, WorkerType) else cls._missing_(value)
        if isinstance(member, WorkerType) and member.engine is engine:
            return member
        accepted = [w.name for w in engine.worker_types]
        accepted += sorted({w.capacity_key for w in engine.worker_types} - set(accepted))
        raise EmrServerlessValidationError(
            argument=argument,
            value=value.name if isinstance(value, WorkerType) else value,
            rule=f"{engine.value} applications have the worker types {', '.join(accepted)} "
            "(any case; guide L1369-1431)",
            fix=f"use one of {', '.join(accepted)}",
        )


def key_name(key: object) -> str:
    """A mapping key as an error message shows it: a member's name, else its repr."""
    return key.name if isinstance(key, WorkerType) else repr(key)


class DiskType(LenientEnum):
    """The disk a worker gets (``diskType``)."""

    STANDARD = "STANDARD"
    SHUFFLE_OPTIMIZED = "SHUFFLE_OPTIMIZED"


@dataclass(frozen=True)
class MemoryRange:
    """Memory a worker of one vCPU size can have, in GB (guide L1328-1333)."""

    min_gb: int
    max_gb: int
    step_gb: int

    def allows(self, memory_gb: int) -> bool:
        """Whether ``memory_gb`` is in range and on a step."""
        return (
            self.min_gb <= memory_gb <= self.max_gb
            and (memory_gb - self.min_gb) % self.step_gb == 0
        )

    def values(self) -> tuple[int, ...]:
        """Every allowed memory size, smallest first."""
        return tuple(range(self.min_gb, self.max_gb + 1, self.step_gb))


#: Worker vCPU -> allowed memory (guide L1328-1335).
WORKER_MEMORY: Mapping[int, MemoryRange] = {
    1: MemoryRange(2, 8, 1),
    2: MemoryRange(4, 16, 1),
    4: MemoryRange(8, 30, 1),
    8: MemoryRange(16, 60, 4),
    16: MemoryRange(32, 120, 8),
}

#: Disk every worker gets when none is configured, and the smallest allowed (guide L1341).
MIN_DISK_GB = 20
#: Largest standard disk (guide L1341).
MAX_STANDARD_DISK_GB = 200
#: Largest shuffle-optimized disk: "2TB" (guide L2446), read as 2,000 GB.
MAX_SHUFFLE_OPTIMIZED_DISK_GB = 2000
#: Largest memory-to-vCPU ratio in the table (1 vCPU/8 GB, 2/16): a limit of
#: ``vcpu * MAX_GB_PER_VCPU`` GB never binds before the vCPU limit.
MAX_GB_PER_VCPU = max(r.max_gb // cpu for cpu, r in WORKER_MEMORY.items())
#: Most workers of one type in ``initialCapacity`` (CreateApplication WorkerCounts).
MAX_WORKER_COUNT = 1_000_000


@checked_fields
@dataclass(frozen=True)
class WorkerConfiguration:
    """The size of one worker: vCPU, memory and disk, rendered as the API's strings.

    :param vcpu: vCPU per worker: 1, 2, 4, 8 or 16.
    :param memory_gb: memory per worker in GB, within the vCPU size's range (guide L1328).
    :param disk_gb: ephemeral disk per worker in GB. Default: none set (the service gives
        20 GB).
    :param disk_type: standard or shuffle-optimized (emr-7.1.0+). Default: none set
        (standard).
    """

    vcpu: int
    memory_gb: int
    disk_gb: int | None = None
    disk_type: DiskType | None = None

    @classmethod
    def of(
        cls,
        *,
        cpu: str,
        memory: str,
        disk: str | None = None,
        disk_type: str | None = None,
    ) -> WorkerConfiguration:
        """Parse the API's strings, e.g. ``cpu="4vCPU", memory="16GB", disk="200GB"``."""
        return cls(
            vcpu=parse_vcpu(cpu, argument="cpu"),
            memory_gb=parse_gb(memory, argument="memory"),
            disk_gb=None if disk is None else parse_gb(disk, argument="disk"),
            disk_type=None if disk_type is None else _parse_disk_type(disk_type),
        )

    @property
    def effective_disk_gb(self) -> int:
        """Disk the worker gets: ``disk_gb`` or the service's 20 GB."""
        return MIN_DISK_GB if self.disk_gb is None else self.disk_gb

    def render(self) -> dict[str, str]:
        """The API's ``workerConfiguration`` (``cpu``, ``memory``, ``disk``, ``diskType``)."""
        rendered = {"cpu": f"{self.vcpu}vCPU", "memory": f"{self.memory_gb}GB"}
        if self.disk_gb is not None:
            rendered["disk"] = f"{self.disk_gb}GB"
        if self.disk_type is not None:
            rendered["diskType"] = self.disk_type.value
        return rendered

    def check(self, *, argument: str, release: ReleaseLabel) -> None:
        """Refuse a size outside the guide's worker table or disk limits."""
        check_worker_configuration(self, argument=argument, release=release)


@checked_fields
@dataclass(frozen=True)
class InitialWorkers:
    """Pre-initialized workers of one worker type.

    :param count: workers kept warm while the application is started (1-1,000,000).
    :param configuration: the size of each worker.
    """

    count: int
    configuration: WorkerConfiguration

    @property
    def vcpu(self) -> int:
        """Total vCPU of these workers."""
        return self.count * self.configuration.vcpu

    @property
    def memory_gb(self) -> int:
        """Total memory of these workers in GB."""
        return self.count * self.configuration.memory_gb

    @property
    def disk_gb(self) -> int:
        """Total disk of these workers in GB (20 GB each when unset)."""
        return self.count * self.configuration.effective_disk_gb

    def render(self) -> dict[str, object]:
        """The API's ``InitialCapacityConfig``."""
        return {"workerCount": self.count, "workerConfiguration": self.configuration.render()}


def check_worker_configuration(
    configuration: WorkerConfiguration, *, argument: str, release: ReleaseLabel
) -> None:
    """Refuse a worker size the guide's table (L1328-1341, L2439-2446) does not allow."""
    vcpu, memory_gb = configuration.vcpu, configuration.memory_gb
    if vcpu not in WORKER_MEMORY:
        raise EmrServerlessValidationError(
            argument=f"{argument}.vcpu",
            value=vcpu,
            rule="a worker has 1, 2, 4, 8 or 16 vCPU (guide L1335)",
            fix=f"use one of {sorted(WORKER_MEMORY)}",
        )
    memory = WORKER_MEMORY[vcpu]
    if not memory.allows(memory_gb):
        raise EmrServerlessValidationError(
            argument=f"{argument}.memory_gb",
            value=memory_gb,
            rule=f"a {vcpu} vCPU worker has {memory.min_gb}-{memory.max_gb} GB of memory in "
            f"{memory.step_gb} GB steps (guide L1328-1333)",
            fix=f"use {_nearest(memory, memory_gb)} GB, or another vCPU size",
        )
    _check_disk(configuration, argument=argument, release=release)


def _check_disk(
    configuration: WorkerConfiguration, *, argument: str, release: ReleaseLabel
) -> None:
    shuffle = configuration.disk_type is DiskType.SHUFFLE_OPTIMIZED
    if shuffle:
        require(
            release,
            Feature.SHUFFLE_OPTIMIZED_DISKS,
            argument=f"{argument}.disk_type",
            value=DiskType.SHUFFLE_OPTIMIZED.value,
        )
    disk_gb = configuration.disk_gb
    if disk_gb is None:
        return
    largest = MAX_SHUFFLE_OPTIMIZED_DISK_GB if shuffle else MAX_STANDARD_DISK_GB
    if MIN_DISK_GB <= disk_gb <= largest:
        return
    if disk_gb > MAX_STANDARD_DISK_GB and disk_gb <= MAX_SHUFFLE_OPTIMIZED_DISK_GB:
        fix = "set disk_type=DiskType.SHUFFLE_OPTIMIZED (emr-7.1.0+), or use at most 200 GB"
    else:
        fix = f"use {MIN_DISK_GB}-{largest} GB"
    raise EmrServerlessValidationError(
        argument=f"{argument}.disk_gb",
        value=disk_gb,
        rule=f"a {'shuffle-optimized' if shuffle else 'standard'} disk has {MIN_DISK_GB}-"
        f"{largest} GB (guide L1341, L2446)",
        fix=fix,
    )


def _nearest(memory: MemoryRange, memory_gb: int) -> int:
    return min(memory.values(), key=lambda allowed: (abs(allowed - memory_gb), allowed))


_VCPU = re.compile(r"([1-9][0-9]*)\s?(?:vCPU|vcpu|VCPU)?")
_GB = re.compile(r"([1-9][0-9]*)\s?(?:GB|gb|gB|Gb)?")


def parse_vcpu(text: str, *, argument: str) -> int:
    """vCPU from the API's string: ``"4vCPU"``, ``"4 vCPU"`` or ``"4"``."""
    match = fullmatch(
        _VCPU,
        text,
        argument=argument,
        rule="CPU is a whole number of vCPU, e.g. '4vCPU' (CreateApplication CpuSize)",
        fix="write the vCPU count, e.g. '4vCPU'",
    )
    return int(match[1])


def parse_gb(text: str, *, argument: str) -> int:
    """Gigabytes from the API's string: ``"16GB"``, ``"16 GB"`` or ``"16"``."""
    match = fullmatch(
        _GB,
        text,
        argument=argument,
        rule="memory and disk are whole GB, e.g. '16GB' (CreateApplication MemorySize)",
        fix="write whole gigabytes, e.g. '16GB'",
    )
    return int(match[1])


def _parse_disk_type(text: str) -> DiskType:
    normalised = text.upper()
    for disk_type in DiskType:
        if disk_type.value == normalised:
            return disk_type
    raise EmrServerlessValidationError(
        argument="disk_type",
        value=text,
        rule="the disk type is STANDARD or SHUFFLE_OPTIMIZED (CreateApplication DiskType)",
        fix="use 'STANDARD' or 'SHUFFLE_OPTIMIZED'",
    )


# --- Spark containers on workers ---------------------------------------------------------

#: Spark's default memory overhead factor (``spark.emr-serverless.memoryOverheadFactor``).
DEFAULT_OVERHEAD_FACTOR = 0.1
#: Spark's minimum memory overhead in MiB (guide L1337).
MIN_OVERHEAD_MIB = 384

_JVM_SIZE = re.compile(r"(\d+)\s*([kmgtp]?)b?", re.IGNORECASE)
_MIB_PER_UNIT = {"": 1.0, "k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0**2, "p": 1024.0**3}


def parse_jvm_mib(text: str, *, argument: str) -> float:
    """MiB from a Spark size such as ``"27g"``, ``"512m"`` or ``"2048"`` (MiB when bare)."""
    match = fullmatch(
        _JVM_SIZE,
        text.strip(),
        argument=argument,
        rule="a Spark memory size is a whole number with an optional k, m, g or t suffix "
        "(MiB when bare), e.g. '27g'",
        fix="write the size like '27g' or '3584m'",
    )
    return int(match[1]) * _MIB_PER_UNIT[match[2].lower()]


@dataclass(frozen=True)
class SparkContainer:
    """What one Spark driver or executor asks of its worker (``role`` is the one or other).

    :param explicit_overhead_mib: ``spark.<role>.memoryOverhead`` when set.
    :param overhead_factor: overhead as a fraction of memory when not set explicitly.
    """

    role: str
    cores: int | None = None
    memory_mib: float | None = None
    explicit_overhead_mib: float | None = None
    overhead_factor: float = DEFAULT_OVERHEAD_FACTOR

    def overhead_for(self, memory_mib: float) -> float:
        """Overhead Spark adds to ``memory_mib``: explicit, else max(factor x memory, 384 MiB)."""
        if self.explicit_overhead_mib is not None:
            return self.explicit_overhead_mib
        return max(self.overhead_factor * memory_mib, float(MIN_OVERHEAD_MIB))

    @property
    def total_mib(self) -> float | None:
        """Memory plus overhead, or ``None`` when the memory is not set."""
        if self.memory_mib is None:
            return None
        return self.memory_mib + self.overhead_for(self.memory_mib)

    def largest_memory_mib(self, worker_mib: int) -> int:
        """The largest memory (whole MiB) whose container fits ``worker_mib``."""
        if self.explicit_overhead_mib is not None:
            bound = worker_mib - self.explicit_overhead_mib
        else:
            bound = min(worker_mib / (1 + self.overhead_factor), worker_mib - MIN_OVERHEAD_MIB)
        largest = max(0, math.floor(bound))
        # The bound is exact in reals; step over float rounding either way.
        while largest > 0 and not self._fits(largest, worker_mib):
            largest -= 1
        while self._fits(largest + 1, worker_mib):
            largest += 1
        return largest

    def _fits(self, memory_mib: float, worker_mib: int) -> bool:
        return memory_mib + self.overhead_for(memory_mib) <= worker_mib


def spark_container(properties: Mapping[str, str], role: str, *, argument: str) -> SparkContainer:
    """The container ``spark-defaults`` asks for the driver or executor (``role``).

    Overhead is ``spark.<role>.memoryOverhead`` when set, otherwise
    max(factor x memory, 384 MiB), where the factor is ``spark.<role>.memoryOverheadFactor``,
    else ``spark.emr-serverless.memoryOverheadFactor``, else 0.1 (guide L1337, L2897-2949).
    """

    def parsed(key: str, parse: Callable[..., _T]) -> _T | None:
        text = properties.get(key)
        return None if text is None else parse(text, argument=f"{argument}[{key!r}]")

    factor = next(
        (
            value
            for key in (
                f"spark.{role}.memoryOverheadFactor",
                "spark.emr-serverless.memoryOverheadFactor",
            )
            if (value := parsed(key, _parse_factor)) is not None
        ),
        DEFAULT_OVERHEAD_FACTOR,
    )
    return SparkContainer(
        role=role,
        cores=parsed(f"spark.{role}.cores", _parse_cores),
        memory_mib=parsed(f"spark.{role}.memory", parse_jvm_mib),
        explicit_overhead_mib=parsed(f"spark.{role}.memoryOverhead", parse_jvm_mib),
        overhead_factor=factor,
    )


def _parse_cores(text: str, *, argument: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise EmrServerlessValidationError(
            argument=argument,
            value=text,
            rule="Spark cores are a positive whole number",
            fix="write the core count, e.g. '4'",
        )
    return int(text)


def _parse_factor(text: str, *, argument: str) -> float:
    try:
        factor = float(text)
    except ValueError:
        factor = math.nan
    if not 0 <= factor < 1:
        raise EmrServerlessValidationError(
            argument=argument,
            value=text,
            rule="a memory overhead factor is a fraction of the container memory, 0 to below 1",
            fix="write a fraction such as '0.1'",
        )
    return factor


def check_spark_fits(
    container: SparkContainer,
    worker_type: WorkerType,
    configuration: WorkerConfiguration,
    *,
    argument: str,
) -> None:
    """Refuse a Spark container whose cores or memory + overhead exceed its worker.

    Jobs use pre-initialized workers only when the container fits (guide L1409, L2311).
    """
    where = f"the pre-initialized {worker_type.capacity_key} workers"
    role = container.role
    if container.cores is not None and container.cores > configuration.vcpu:
        raise EmrServerlessValidationError(
            argument=f"{argument}['spark.{role}.cores']",
            value=str(container.cores),
            rule=f"a Spark {role} uses at most the vCPU of its worker; {where} have "
            f"{configuration.vcpu} vCPU (guide L1361)",
            fix=f"set spark.{role}.cores to at most {configuration.vcpu}, or use larger workers",
        )
    total, memory = container.total_mib, container.memory_mib
    worker_mib = configuration.memory_gb * 1024
    if total is None or memory is None or total <= worker_mib:
        return
    raise EmrServerlessValidationError(
        argument=f"{argument}['spark.{role}.memory']",
        value=f"{memory:.0f}m",
        rule=f"memory plus overhead ({memory:.0f} + {container.overhead_for(memory):.0f} MiB) "
        f"must fit the worker's memory; {where} have {configuration.memory_gb} GB "
        "(guide L1337, L1409, L2311)",
        fix=f"set spark.{role}.memory to at most {container.largest_memory_mib(worker_mib)}m, "
        "or use workers with more memory",
    )
