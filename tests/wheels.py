"""Tiny wheels built in a test, so that packaging resolves offline from a local folder.

A wheel is a zip with the package, ``<name>-<version>.dist-info/{METADATA,WHEEL,RECORD}``
and a file name that carries its tags (PEP 427); pip installs it with ``--no-index
--find-links <folder>``. The "binary" wheel holds a fake extension module: pip only looks
at its tags.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path


def build_wheel(
    folder: Path,
    name: str,
    version: str,
    files: Mapping[str, bytes],
    *,
    tag: str = "py3-none-any",
    requires: Sequence[str] = (),
) -> Path:
    """Write ``<name>-<version>-<tag>.whl`` holding ``files``; return its path."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    pure = tag.endswith("-none-any")
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {name}\nVersion: {version}\n",
            *(f"Requires-Dist: {r}\n" for r in requires),
        ]
    )
    wheel_tags = "".join(f"Tag: {t}\n" for t in _expand(tag))
    wheel = (
        f"Wheel-Version: 1.0\nGenerator: tests.wheels\nRoot-Is-Purelib: {str(pure).lower()}\n"
        + wheel_tags
    )
    contents = {
        **files,
        f"{info}/METADATA": metadata.encode(),
        f"{info}/WHEEL": wheel.encode(),
    }
    record = "".join(f"{path},{_digest(data)},{len(data)}\n" for path, data in contents.items())
    contents[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    path = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as out:
        for member, data in contents.items():
            out.writestr(member, data)
    return path


def build_sdist(folder: Path, name: str, version: str) -> Path:
    """A source distribution only (``.tar.gz``), which wheel-only installs must refuse."""
    path = folder / f"{name.replace('-', '_')}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as out:
        data = f"from setuptools import setup\nsetup(name='{name}', version='{version}')\n"
        member = tarfile.TarInfo(f"{name}-{version}/setup.py")
        member.size = len(data)
        out.addfile(member, io.BytesIO(data.encode()))
    return path


def _expand(tag: str) -> list[str]:
    python, abi, platforms = tag.split("-")
    return [f"{python}-{abi}-{platform}" for platform in platforms.split(".")]


def _digest(data: bytes) -> str:
    encoded = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={encoded}"
