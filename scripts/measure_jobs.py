"""What jobs, workflows and schedules cost: synth time and resources each, and packaging time.

Figures, not tests. Run: ``.venv/bin/python scripts/measure_jobs.py`` (about a minute on two
cores). It synthesizes, with every cdk-nag pack on, a stack holding one application and
``n`` jobs, each with a workflow, and then each with a schedule too, for two values of
``n``, and reports the marginal time and resources; then it packages the test fixtures
(a pure-Python and a binary wheel, resolved offline) and reports how long pip took.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aws_cdk as cdk

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.job_definition import SparkJob
from constructs_lib.job_schedule import JobSchedule, new_dead_letter_queue
from constructs_lib.job_workflow import JobWorkflow
from constructs_lib.notification_topic import NotificationTopic
from constructs_lib.pyspark_packaging import package_project, platform_for
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.workers import Architecture
from tests.harness import new_app, synthesize
from tests.wheels import build_wheel

RUNS = 5


def synth(jobs: int, *, schedules: bool) -> tuple[float, Counter[str]]:
    """Seconds to build and synthesize the stack, and its resources by type."""
    start = time.perf_counter()
    app = new_app()
    stack = cdk.Stack(app, "Jobs")
    application = EmrServerlessApplication(stack, "App")
    runtime = JobRuntimeRole(stack, "Runtime")
    runtime.grant_s3_read(cdk.aws_s3.Bucket.from_bucket_name(stack, "B", "lake-jobs"), "j/")
    topic = NotificationTopic(stack, "Topic")
    key = cdk.aws_kms.Key(stack, "JobsKey", enable_key_rotation=True)
    queue = new_dead_letter_queue(stack, "Queue", encryption_key=key) if schedules else None
    for index in range(jobs):
        job = SparkJob(
            stack,
            f"Job{index}",
            application=application,
            runtime_role=runtime,
            entry_point=f"s3://lake-jobs/j/{index}.py",
            execution_timeout_minutes=60,
        )
        workflow = JobWorkflow(
            stack, f"Workflow{index}", job=job, notification_topic=topic, encryption_key=key
        )
        if schedules:
            JobSchedule(
                stack,
                f"Schedule{index}",
                job=job,
                workflow=workflow,
                expression="cron(0 2 * * ? *)",
                dead_letter_queue=queue,
                encryption_key=key,
            )
    synthesis = synthesize(app)
    seconds = time.perf_counter() - start
    resources = Counter(r["Type"] for r in synthesis.templates["Jobs"]["Resources"].values())
    return seconds, resources


def median_synths(
    cases: list[tuple[int, bool]],
) -> list[tuple[float, Counter[str]]]:
    """Each case's median over ``RUNS`` rounds, the cases alternating within each round."""
    rounds = [[synth(jobs, schedules=schedules) for jobs, schedules in cases] for _ in range(RUNS)]
    return [
        (statistics.median(r[index][0] for r in rounds), rounds[0][index][1])
        for index in range(len(cases))
    ]


def packaging() -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="measure-jobs-"))
    wheels = root / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "emrsl-pure", "1.0", {"emrsl_pure/__init__.py": b"VALUE = 1\n"})
    build_wheel(
        wheels,
        "emrsl-native",
        "2.0",
        {"emrsl_native/__init__.py": b"", "emrsl_native/_speed.so": b"\x7fELF"},
        tag="cp39-cp39-manylinux_2_17_aarch64.manylinux2014_aarch64",
        requires=["emrsl-pure"],
    )
    project = root / "project"
    (project / "lib").mkdir(parents=True)
    (project / "main.py").write_text("import lib\n")
    (project / "lib" / "__init__.py").write_text("")
    platform = platform_for(ReleaseLabel.EMR_7_6_0, Architecture.ARM64)
    figures: dict[str, float] = {}
    for name, requirements in (
        ("no requirements", None),
        ("pure wheel", "emrsl-pure\n"),
        ("binary wheel + its pure requirement", "emrsl-native\n"),
    ):
        if requirements is None:
            (project / "requirements.txt").unlink(missing_ok=True)
        else:
            (project / "requirements.txt").write_text(requirements)
        times = []
        for run in range(RUNS):
            start = time.perf_counter()
            package_project(
                project,
                platform=platform,
                out_dir=root / f"out-{name}-{run}".replace(" ", "-"),
                find_links=[str(wheels)],
                no_index=True,
            )
            times.append(time.perf_counter() - start)
        figures[name] = statistics.median(times)
    return figures


def main() -> None:
    synth(1, schedules=False)  # start the JavaScript runtime and warm it
    few, many = 1, 16
    (base_time, base), (more_time, more), (sched_time, sched) = median_synths(
        [(few, False), (many, False), (many, True)]
    )
    added = many - few
    print(f"synth, {RUNS} runs each, median seconds (build + synth + nag packs):")
    print(f"  {few} job(s) with workflow:  {base_time:.2f} s, {sum(base.values())} resources")
    print(f"  {many} jobs with workflows:  {more_time:.2f} s, {sum(more.values())} resources")
    print(f"  {many} jobs + schedules:     {sched_time:.2f} s, {sum(sched.values())} resources")
    print(
        f"per job with its workflow: {(more_time - base_time) / added * 1000:.0f} ms, "
        f"{dict(more - base)} -> {sum((more - base).values()) / added:.1f} resources"
    )
    print(
        f"per schedule: {(sched_time - more_time) / many * 1000:.0f} ms, "
        f"{dict(sched - more)} -> {(sum(sched.values()) - sum(more.values()) - 2) / many:.1f} "
        "resources (plus one shared queue and its policy)"
    )
    print(f"packaging (pip, offline), {RUNS} runs each, median seconds:")
    for name, seconds in packaging().items():
        print(f"  {name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
