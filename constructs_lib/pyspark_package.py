"""PySparkPackage: a PySpark project folder packaged for its application, uploaded as assets.

At synth, :func:`constructs_lib.pyspark_packaging.package_project` builds the entry point,
a zip of the project's own modules and a zip of its dependencies (wheels resolved by pip for
the application's Python, architecture and Linux), with no Docker. Each file becomes a
CDK file asset: ``cdk deploy`` uploads it to the environment's bootstrap assets bucket under
its content hash (``<sha256>.py``/``.zip``), a bucket that ``cdk bootstrap`` creates
encrypted, versioned and retained. Content-hash keys make each upload immutable: a changed
project is a new object, so a run already started keeps reading the code it started with.
The runtime role is granted ``s3:GetObject`` on exactly these objects.

Pass it to :class:`~constructs_lib.job_definition.SparkJob` as ``code``: the job's entry point
is the script, and its ``spark-defaults`` get :attr:`spark_properties`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child
from constructs_lib.application import EmrServerlessApplicationBase
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import add_to_principal
from constructs_lib.pyspark_packaging import (
    PackagedProject,
    TargetPlatform,
    package_project,
    platform_for,
    spark_properties,
)
from constructs_lib.releases import DEFAULT_RELEASE, ReleaseLabel
from constructs_lib.workers import Architecture

#: What a job's runtime role may do with the packaged objects.
READ_ACTIONS: tuple[str, ...] = ("s3:GetObject",)

#: Builds of this process, by their inputs (a test or an app packages a project once).
_BUILT: dict[tuple[object, ...], PackagedProject] = {}


class PySparkPackage(Construct):
    """A PySpark project (script, modules, ``requirements.txt``) ready for a :class:`SparkJob`."""

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project: str,
        application: EmrServerlessApplicationBase | None = None,
        release: ReleaseLabel | None = None,
        architecture: Architecture | None = None,
        entry_point: str = "main.py",
        requirements: str | None = "requirements.txt",
        modules: Sequence[str] | None = None,
        python_version: str | None = None,
        find_links: Sequence[str] = (),
        index_url: str | None = None,
        no_index: bool = False,
    ) -> None:
        """Package ``project`` for the application's platform and stage the files as assets.

        :param project: the project folder.
        :param application: the application the code runs on; its release and architecture
            choose the Python and wheels. Default: ``release`` and ``architecture``.
        :param release: the release, without ``application``. Default: the application's,
            else :data:`~constructs_lib.releases.DEFAULT_RELEASE` (an application's default).
        :param architecture: the architecture, without ``application``. Default: the
            application's, else ``X86_64``.
        :param entry_point: the script, relative to ``project``. Default: ``main.py``.
        :param requirements: the requirements file, relative to ``project``; absent means
            no dependencies; ``None``: none. Default: ``requirements.txt``.
        :param modules: top-level packages and modules to zip. Default: every package and
            module beside the entry point (not ``tests``).
        :param python_version: the Python the job runs (a custom image's). Default: the
            release's (3.9 on 7.x, 3.7 on 6.x).
        :param find_links: local folders or URLs of wheels for pip. Default: none.
        :param index_url: the package index. Default: pip's configuration.
        :param no_index: resolve from ``find_links`` only, ignoring pip's configuration
            (offline). Default: ``False``.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        chosen_release = (
            release or (application._release if application else None) or DEFAULT_RELEASE
        )
        chosen_architecture = (
            architecture or getattr(application, "architecture", None) or Architecture.X86_64
        )
        #: The Python and wheel platforms the dependencies were resolved for.
        self.platform: TargetPlatform = platform_for(
            chosen_release, chosen_architecture, python_version=python_version
        )
        folder = Path(project).resolve()
        key = (
            str(folder),
            _fingerprint(folder),
            self.platform,
            entry_point,
            requirements,
            tuple(modules) if modules is not None else None,
            tuple(find_links),
            index_url,
            no_index,
        )
        built = _BUILT.get(key)
        if built is None:
            built = _BUILT[key] = package_project(
                folder,
                platform=self.platform,
                out_dir=Path(tempfile.mkdtemp(prefix="emr-serverless-pyspark-")),
                entry_point=entry_point,
                requirements=requirements,
                modules=modules,
                find_links=find_links,
                index_url=index_url,
                no_index=no_index,
            )
        #: The built files.
        self.build = built
        self._assets: list[s3_assets.Asset] = []
        #: The entry point script's asset.
        self.script = self._asset("EntryPoint", built.entry_point)
        #: The project modules' asset (``None`` when the project has none).
        self.modules = self._asset("Modules", built.modules) if built.modules else None
        #: The dependencies' asset (``None`` without requirements).
        self.dependencies = (
            self._asset("Dependencies", built.dependencies) if built.dependencies else None
        )

    def _asset(self, construct_id: str, path: Path) -> s3_assets.Asset:
        asset = s3_assets.Asset(self, construct_id, path=str(path))
        self._assets.append(asset)
        return asset

    @property
    def entry_point(self) -> str:
        """``s3://`` URI of the entry point script."""
        return self.script.s3_object_url

    @property
    def spark_properties(self) -> Mapping[str, str]:
        """``spark.submit.pyFiles``, ``spark.archives`` (``#environment``) and ``PYTHONPATH``."""
        return spark_properties(
            py_files=self.modules.s3_object_url if self.modules else None,
            dependencies=self.dependencies.s3_object_url if self.dependencies else None,
        )

    @property
    def object_arns(self) -> list[str]:
        """The ARNs of the packaged objects."""
        return [asset.bucket.arn_for_objects(asset.s3_object_key) for asset in self._assets]

    @checked_arguments
    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (the runtime role) read exactly the packaged objects.

        In a customer-managed policy of the grantee
        (:func:`constructs_lib.grants.add_to_principal`), never in an inline one.
        """
        return add_to_principal(grantee, actions=READ_ACTIONS, resource_arns=self.object_arns)


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the project's files (to rebuild on change)."""
    if not folder.is_dir():
        raise EmrServerlessValidationError(
            argument="project",
            value=str(folder),
            rule="the project is a folder holding the entry point",
            fix="pass the path of the PySpark project folder",
        )
    return tuple(
        (str(path.relative_to(folder)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    )
