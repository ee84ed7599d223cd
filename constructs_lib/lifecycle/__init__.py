"""The lifecycle custom resources' Lambda code: :mod:`constructs_lib.lifecycle.handler`.

:func:`handler_asset` assembles the function's code directory. Pure module: imports
nothing from ``aws_cdk``.
"""

from __future__ import annotations

import atexit
import gzip
import shutil
import tempfile
from functools import cache
from pathlib import Path

import botocore

from constructs_lib import application_updates

#: Where botocore keeps the EMR Serverless model (``AWS_DATA_PATH`` layout).
MODEL = Path("emr-serverless") / "2021-07-13"
#: The function's ``AWS_DATA_PATH``: the model directory inside the code.
DATA_PATH = "/var/task/models"


@cache
def handler_asset() -> Path:
    """A directory with the handler, the update table and botocore's EMR Serverless model.

    The handler module is the function's entry point; the update table sits beside it
    (the handler imports it when the library is absent); the model is the one of the
    botocore this library pins, so the function knows every field the library sends even
    when the Lambda runtime's boto3 is older. Removed when the process exits.
    """
    directory = Path(tempfile.mkdtemp(prefix="emr-serverless-lifecycle-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    shutil.copyfile(Path(__file__).with_name("handler.py"), directory / "handler.py")
    shutil.copyfile(Path(application_updates.__file__), directory / "application_updates.py")
    source = Path(botocore.__file__).parent / "data" / MODEL
    target = directory / "models" / MODEL
    target.mkdir(parents=True)
    packed = source / "service-2.json.gz"
    if packed.exists():
        (target / "service-2.json").write_bytes(gzip.decompress(packed.read_bytes()))
    else:
        shutil.copyfile(source / "service-2.json", target / "service-2.json")
    return directory
