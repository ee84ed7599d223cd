"""Cost-allocation tags on every taggable resource of a stack.

``aws_cdk.Tags`` tags every L1 resource that declares its tags (``ITaggable``). A few
resources are built as plain ``CfnResource`` by aws-cdk-lib itself (the roles and
functions of its custom-resource providers, e.g. the one that closes a new VPC's default
security group) and get no tags from ``Tags``; :func:`tag_stack` writes the tags into
those too, for the resource types in :data:`PLAIN_TAGGABLE_TYPES`.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnResource, Stack, TagManager, Tags
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

    Call it once the stack's resources are all there (the reference app does, for every
    stack, after building them all): ``Tags`` reaches resources added later too, but the
    plain resources are found now, in one walk of the tree. (An aspect would find them at
    synth, at the cost of a call from jsii into Python for every construct of the stack.)

    :param stack: the stack whose resources to tag.
    :param tags: the tags, already checked against the AWS tag rules (the platform config
        checks them with the key path they came from).
    """
    for key, value in tags.items():
        Tags.of(stack).add(key, value)
    rendered = [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
    for node in stack.node.find_all():
        if _is_plain_taggable(node):
            assert isinstance(node, CfnResource)
            node.add_property_override("Tags", rendered)


def _is_plain_taggable(node: IConstruct) -> bool:
    """Whether ``node`` is a plain resource of a type in :data:`PLAIN_TAGGABLE_TYPES`.

    aws-cdk-lib's generated resource classes declare their tags when their type has them,
    so only a bare ``CfnResource`` (or a subclass defined outside aws-cdk-lib) can be one;
    the class is known in Python, without a call into jsii.
    """
    if not isinstance(node, CfnResource):
        return False
    if type(node) is not CfnResource and type(node).__module__.startswith("aws_cdk."):
        return False
    if node.cfn_resource_type not in PLAIN_TAGGABLE_TYPES:
        return False
    return not (TagManager.is_taggable(node) or TagManager.is_taggable_v2(node))
