"""Entry points of the command-line tools whose dependencies are an extra.

The constructs need neither boto3 nor botocore; ``emr-serverless-jobs`` calls AWS with
them, so they come with ``pip install 'emr-serverless-constructs[cli]'``. Without them
the command says so in one line instead of failing with an import traceback.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import sys

#: The extra that installs what the command-line tools need.
CLI_EXTRA = "emr-serverless-constructs[cli]"

#: Exit code for a missing dependency (the tools' code for bad input or set-up).
EXIT_SETUP = 2


def missing_modules(*names: str) -> list[str]:
    """Those of ``names`` that cannot be imported."""
    missing = []
    for name in names:
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    return missing


def missing_extra_message(command: str, missing: list[str]) -> str:
    """The one line printed when ``command`` lacks ``missing``."""
    return (
        f"{command}: needs {' and '.join(missing)}, installed with the [cli] extra: "
        f"pip install '{CLI_EXTRA}'"
    )


def jobs() -> int:
    """``emr-serverless-jobs``: :func:`constructs_lib.jobs.main` once boto3 is there."""
    missing = missing_modules("boto3", "botocore")
    if missing:
        print(missing_extra_message("emr-serverless-jobs", missing), file=sys.stderr)
        return EXIT_SETUP
    from constructs_lib.jobs import main  # noqa: PLC0415 - only once boto3 is known to import

    return main()
