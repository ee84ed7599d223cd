"""Helpers for values that may be CDK tokens (resolved only at deploy time).

A check runs on a value that is known at synth; a token is skipped with a
warning on the construct, so the skipped check shows up in ``cdk synth`` output
and in the validation report instead of passing silently.
"""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import Annotations, Token
from constructs import IConstruct

from constructs_lib.sources import cite

UNCHECKED_WARNING_PREFIX = "emr-serverless:unchecked"


#: How aws-cdk-lib encodes a token in a string (``${Token[...]}``) or a list (``#{Token[...]}``).
_ENCODED_TOKEN = re.compile(r"[$#]\{Token\[[^\]]+\]\}")

#: aws-cdk-lib encodes a number token as a negative double near -1.89e289; no real setting
#: is that large, so only such numbers need the (slower) check in aws-cdk-lib itself.
_TOKEN_DOUBLE_MAGNITUDE = 1e288


def is_unresolved(value: Any) -> bool:
    """Whether ``value`` (or any string/number inside a list or dict) is an unresolved token.

    Strings and numbers are recognised by their encoding, in Python, without a call into
    aws-cdk-lib's JavaScript runtime (this runs for every checked value).
    """
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, str):
        return "Token[" in value and _ENCODED_TOKEN.search(value) is not None
    if isinstance(value, int):
        return False
    if isinstance(value, float):
        return abs(value) > _TOKEN_DOUBLE_MAGNITUDE and bool(Token.is_unresolved(value))
    if isinstance(value, list | tuple):
        return any(is_unresolved(item) for item in value)
    if isinstance(value, dict):
        return any(is_unresolved(k) or is_unresolved(v) for k, v in value.items())
    return bool(Token.is_unresolved(value))


def warn_unchecked(scope: IConstruct, *, argument: str, rule: str) -> None:
    """Record on ``scope`` that ``argument`` is a token, so ``rule`` was not checked at synth.

    The warning id is ``emr-serverless:unchecked:<argument>``; acknowledge it with
    ``Validations.of(scope).acknowledge(Acknowledgment(id="Annotation::<id>", reason=...))``.
    """
    warn(
        scope,
        f"{UNCHECKED_WARNING_PREFIX}:{argument}",
        f"{argument} is not known at synth time (a token), so this rule was not checked: "
        f"{rule}. Check it before deploying, or pass a literal value.",
    )


def warn(scope: IConstruct, warning_id: str, text: str) -> None:
    """Record warning ``warning_id`` on ``scope``, its sources cited as addresses.

    Every warning of the library goes through here, so that a guide line in its text
    becomes the guide page's URL (:func:`constructs_lib.sources.cite`), as in errors.
    Acknowledge one with ``Validations.of(scope).acknowledge(Acknowledgment(
    id="Annotation::<warning_id>", reason=...))``.
    """
    Annotations.of(scope).add_warning_v2(warning_id, cite(text))
