"""Which resources of a template are taggable, and what tags they carry.

Taggable is what CloudFormation's resource schema says (cfn-lint ships the schemas): the
type has a ``Tags`` property, or its ``tagging.taggable`` is true.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

#: The Region whose schemas decide (every type the platform uses exists there).
SCHEMA_REGION = "us-east-1"


@cache
def taggable(resource_type: str) -> bool:
    """Whether CloudFormation can tag resources of ``resource_type``."""
    if resource_type.startswith("Custom::"):
        return False  # custom resources are not AWS resources
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, resource_type).schema
    return "Tags" in schema.get("properties", {}) or bool(schema.get("tagging", {}).get("taggable"))


def tags_of(resource: Mapping[str, Any]) -> dict[str, str]:
    """A resource's tags, whether a list of ``{Key, Value}`` or a map."""
    tags = resource.get("Properties", {}).get("Tags") or {}
    if isinstance(tags, list):
        return {tag["Key"]: tag["Value"] for tag in tags}
    return dict(tags)


def taggable_resources(
    templates: Mapping[str, Mapping[str, Any]],
) -> Iterable[tuple[str, str, Mapping[str, Any]]]:
    """``(stack, logical id, resource)`` for every taggable resource of ``templates``."""
    for stack, template in sorted(templates.items()):
        for logical_id, resource in sorted(template.get("Resources", {}).items()):
            if taggable(resource["Type"]):
                yield stack, logical_id, resource


def untagged(templates: Mapping[str, Mapping[str, Any]], required: Iterable[str]) -> list[str]:
    """``stack/logical id (type)`` of each taggable resource missing a tag in ``required``."""
    keys = set(required)
    return [
        f"{stack}/{logical_id} ({resource['Type']}) lacks {sorted(keys - set(tags_of(resource)))}"
        for stack, logical_id, resource in taggable_resources(templates)
        if not keys <= set(tags_of(resource))
    ]
