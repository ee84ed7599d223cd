"""Application settings that the EMR Serverless API has and CloudFormation lacks.

:data:`API_ONLY_SETTINGS` is the one table of them: where UpdateApplication takes each,
and the CloudFormation property that holds it once ``AWS::EMRServerless::Application``
gains it (``None`` today). The lifecycle handler applies every setting whose
``cloudformation_property`` is ``None`` with UpdateApplication after the application is
created or changed, and clears it when it is removed; giving a row its CloudFormation
property name moves that setting to the L1 resource (one line).

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from constructs_lib._checks import check_at_most, fullmatch
from constructs_lib.application_updates import (
    DIGEST_RESOLUTION,
    DISK_ENCRYPTION,
    JOB_LEVEL_COST_ALLOCATION,
    USER_BACKGROUND_SESSIONS,
)
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.sources import api_reference, user_guide

DISK_ENCRYPTION_SOURCE = user_guide("disk-encryption-cmk")
DIGEST_RESOLUTION_SOURCE = user_guide("updating-running-applications", "image-digest-resolution")
COST_ALLOCATION_SOURCE = user_guide("jobs-job-level-cost-allocation")

#: DiskEncryptionConfiguration: at most 8 encryption context pairs, keys 1-128 and values
#: 1-384 characters; the key ARN 20-2,048 characters of a KMS key (not an alias).
MAX_ENCRYPTION_CONTEXT_PAIRS = 8
ENCRYPTION_CONTEXT_KEY_LENGTH = (1, 128)
ENCRYPTION_CONTEXT_VALUE_LENGTH = (1, 384)
ENCRYPTION_KEY_ARN_LENGTH = (20, 2048)
ENCRYPTION_KEY_ARN = re.compile(
    r"arn:(aws[a-zA-Z0-9-]*):kms:[a-zA-Z0-9\-]*:([0-9]{12}):key/[a-zA-Z0-9-]+"
)


@dataclass(frozen=True)
class ApiOnlySetting:
    """One API-only setting: its argument, where the API takes it, its source."""

    #: Its name in :mod:`constructs_lib.application_updates` (and the custom resources).
    name: str
    #: The :class:`~constructs_lib.application.EmrServerlessApplication` argument.
    argument: str
    #: The path of the value in the UpdateApplication request.
    api_path: tuple[str, ...]
    #: The CloudFormation property path that holds it, once there is one (e.g.
    #: ``"ImageConfiguration.ApplicationLevelDigestResolution"``): then the L1 resource
    #: sets it, not the lifecycle handler.
    cloudformation_property: str | None
    source: str


API_ONLY_SETTINGS: tuple[ApiOnlySetting, ...] = (
    ApiOnlySetting(
        DISK_ENCRYPTION,
        "disk_encryption",
        ("diskEncryptionConfiguration",),
        None,
        DISK_ENCRYPTION_SOURCE,
    ),
    ApiOnlySetting(
        JOB_LEVEL_COST_ALLOCATION,
        "job_level_cost_allocation",
        ("jobLevelCostAllocationConfiguration",),
        None,
        COST_ALLOCATION_SOURCE,
    ),
    ApiOnlySetting(
        DIGEST_RESOLUTION,
        "application_level_digest_resolution",
        ("imageConfiguration", "applicationLevelDigestResolution"),
        None,
        DIGEST_RESOLUTION_SOURCE,
    ),
    ApiOnlySetting(
        USER_BACKGROUND_SESSIONS,
        "user_background_sessions",
        ("identityCenterConfiguration", "userBackgroundSessionsEnabled"),
        None,
        api_reference("IdentityCenterConfigurationInput"),
    ),
)

SETTINGS_BY_NAME: dict[str, ApiOnlySetting] = {s.name: s for s in API_ONLY_SETTINGS}


@dataclass(frozen=True)
class RenderedSetting:
    """A setting as the lifecycle handler takes it: where, the value, and how to clear it."""

    setting: ApiOnlySetting
    value: Any
    clear: Any
    #: The value in CloudFormation's form (PascalCase fields), for when the resource has it.
    cloudformation_value: Any = None

    def to_json(self) -> dict[str, Any]:
        """The custom resource's form: ``{"Path": [...], "Value": ..., "Clear": ...}``."""
        return {"Path": list(self.setting.api_path), "Value": self.value, "Clear": self.clear}


def check_encryption_context(context: Mapping[str, str]) -> None:
    """Refuse an encryption context DiskEncryptionConfiguration refuses."""
    rule = (
        f"an encryption context has at most {MAX_ENCRYPTION_CONTEXT_PAIRS} pairs, keys of "
        f"1-128 and values of 1-384 characters ({api_reference('DiskEncryptionConfiguration')})"
    )
    check_at_most(
        context,
        MAX_ENCRYPTION_CONTEXT_PAIRS,
        argument="disk_encryption.encryption_context",
        rule=rule,
        fix=f"keep at most {MAX_ENCRYPTION_CONTEXT_PAIRS} pairs",
    )
    for key, value in context.items():
        for part, text, (low, high) in (
            ("key", key, ENCRYPTION_CONTEXT_KEY_LENGTH),
            ("value", value, ENCRYPTION_CONTEXT_VALUE_LENGTH),
        ):
            if not isinstance(text, str) or not low <= len(text) <= high:
                raise EmrServerlessValidationError(
                    argument=f"disk_encryption.encryption_context[{key!r}]",
                    value=text,
                    rule=rule,
                    fix=f"use a {part} of {low}-{high} characters",
                )


def check_encryption_key_arn(arn: str) -> None:
    """Refuse a key ARN DiskEncryptionConfiguration refuses (an alias, another service)."""
    rule = (
        "disk encryption takes the ARN of a symmetric KMS key, "
        "arn:<partition>:kms:<region>:<account>:key/<id>, 20-2,048 characters "
        f"({api_reference('DiskEncryptionConfiguration')})"
    )
    low, high = ENCRYPTION_KEY_ARN_LENGTH
    if isinstance(arn, str) and not low <= len(arn) <= high:
        raise EmrServerlessValidationError(
            argument="disk_encryption.key", value=arn, rule=rule, fix="pass the key itself"
        )
    fullmatch(
        ENCRYPTION_KEY_ARN,
        arn,
        argument="disk_encryption.key",
        rule=rule,
        fix="pass a kms.Key or kms.Key.from_key_arn(...), not an alias",
    )


def render_disk_encryption(key_arn: str, context: Mapping[str, str] | None) -> RenderedSetting:
    """``diskEncryptionConfiguration``; cleared with an empty configuration."""
    value: dict[str, Any] = {"encryptionKeyArn": key_arn}
    resource: dict[str, Any] = {"EncryptionKeyArn": key_arn}
    if context:
        value["encryptionContext"] = resource["EncryptionContext"] = dict(sorted(context.items()))
    return RenderedSetting(SETTINGS_BY_NAME[DISK_ENCRYPTION], value, {}, resource)


def render_job_level_cost_allocation(enabled: bool) -> RenderedSetting:
    """``jobLevelCostAllocationConfiguration``; cleared by turning it off (the default)."""
    return RenderedSetting(
        SETTINGS_BY_NAME[JOB_LEVEL_COST_ALLOCATION],
        {"enabled": enabled},
        {"enabled": False},
        {"Enabled": enabled},
    )


def render_digest_resolution(enabled: bool, default: bool | None) -> RenderedSetting:
    """``imageConfiguration.applicationLevelDigestResolution``; cleared to the release's
    default (``False``, the newer behaviour, where it is not documented)."""
    return RenderedSetting(
        SETTINGS_BY_NAME[DIGEST_RESOLUTION],
        enabled,
        bool(default) if default is not None else False,
        enabled,
    )


def render_user_background_sessions(enabled: bool) -> RenderedSetting:
    """``identityCenterConfiguration.userBackgroundSessionsEnabled``; cleared by turning it off."""
    return RenderedSetting(SETTINGS_BY_NAME[USER_BACKGROUND_SESSIONS], enabled, False, enabled)


def require_image(value: bool, *, has_image: bool) -> None:
    """Refuse the digest-resolution setting on an application without a custom image."""
    if not has_image:
        raise EmrServerlessValidationError(
            argument="application_level_digest_resolution",
            value=value,
            rule="applicationLevelDigestResolution is part of a custom image's configuration, "
            "which needs the image URI (ImageConfigurationInput); the application has no "
            f"custom image ({DIGEST_RESOLUTION_SOURCE})",
            fix="pass image or worker_images, or remove application_level_digest_resolution",
        )


def require_identity_center(value: bool, *, has_instance: bool) -> None:
    """Refuse user background sessions without Identity Center."""
    if not has_instance:
        raise EmrServerlessValidationError(
            argument="user_background_sessions",
            value=value,
            rule="user background sessions belong to the Identity Center configuration, which "
            "needs the instance ARN (IdentityCenterConfigurationInput)",
            fix="pass identity_center_instance_arn, or remove user_background_sessions",
        )
