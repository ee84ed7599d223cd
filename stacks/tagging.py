"""Cost-allocation tags on every taggable resource of a stack.

``aws_cdk.Tags`` tags every L1 resource that declares its tags (``ITaggable``). A few
resources are built as plain ``CfnResource`` by aws-cdk-lib itself (the roles and
functions of its custom-resource providers, e.g. the one that closes a new VPC's default
security group) and get no tags from ``Tags``; :func:`tag_stack` writes the tags into
those too, for the resource types in :data:`PLAIN_TAGGABLE_TYPES`.
"""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import AspectPriority, Aspects, CfnResource, IAspect, Stack, TagManager, Tags
from constructs import IConstruct

#: Plain resource types that take ``Tags`` as a list of ``{Key, Value}``, with the
#: CloudFormation reference page that says so.
PLAIN_TAGGABLE_TYPES: Mapping[str, str] = {
    "AWS::IAM::Role": "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-iam-role.html#cfn-iam-role-tags",
    "AWS::Lambda::Function": "https://docs.aws.amazon.com/AWSCloudFormation/latest/"
    "TemplateReference/aws-resource-lambda-function.html#cfn-lambda-function-tags",
}


def tag_stack(stack: Stack, tags: Mapping[str, str]) -> None:
    """Tag every taggable resource of ``stack`` with ``tags`` (these win over tags set above).

    :param stack: the stack whose resources to tag.
    :param tags: the tags, already checked against the AWS tag rules (the platform config
        checks them with the key path they came from).
    """
    for key, value in tags.items():
        Tags.of(stack).add(key, value)
    Aspects.of(stack).add(_TagPlainResources(dict(tags)), priority=AspectPriority.MUTATING)


@jsii.implements(IAspect)
class _TagPlainResources:
    """Writes ``Tags`` into plain ``CfnResource``s of the types that take them."""

    def __init__(self, tags: dict[str, str]) -> None:
        self._tags = tags

    def visit(self, node: IConstruct) -> None:
        """Tag ``node`` when it is a plain resource of a taggable type."""
        if not isinstance(node, CfnResource) or node.cfn_resource_type not in PLAIN_TAGGABLE_TYPES:
            return
        if TagManager.is_taggable(node) or TagManager.is_taggable_v2(node):
            return  # aws_cdk.Tags tags it
        node.add_property_override(
            "Tags", [{"Key": key, "Value": value} for key, value in sorted(self._tags.items())]
        )
