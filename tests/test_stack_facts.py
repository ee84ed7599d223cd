"""Values read once from aws-cdk-lib (``_stack_facts``, ``_subnet_facts``) equal the reads.

The caches exist to cut requests into jsii's JavaScript runtime; each is checked against
the value aws-cdk-lib itself gives, so a cache that went stale or wrong fails here.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib import ApplicationLogs, EmrServerlessNetwork, Workload
from constructs_lib._stack_facts import (
    _CHILDREN,
    child_path,
    child_singleton,
    context_of,
    jsii_key,
    jsii_reference,
    path_of,
    pseudo,
    read_once,
    remember_child,
    stack_facts,
    stack_of,
)
from constructs_lib._subnet_facts import subnet_facts
from constructs_lib.subnet_usage import S3Route, _s3_route
from tests.harness import Synthesis, new_app

ENV = cdk.Environment(account="123456789012", region="eu-west-1")


@dataclass
class Tree:
    app: cdk.App
    stack: cdk.Stack
    agnostic: cdk.Stack
    network: EmrServerlessNetwork
    logs: ApplicationLogs
    bucket: s3.Bucket
    imported: s3.IBucket


@pytest.fixture(scope="module")
def tree() -> Tree:
    app = new_app(compliance=False, **{"emr-serverless:managedPoliciesPerRole": 12})
    stack = cdk.Stack(app, "Facts", env=ENV)
    agnostic = cdk.Stack(app, "Agnostic")
    network = EmrServerlessNetwork(
        stack, "Network", workloads=[Workload(max_vcpu=400, worker_vcpu=4)]
    )
    logs = ApplicationLogs(stack, "Logs", cloudwatch_logging=False)
    bucket = s3.Bucket(agnostic, "Data", encryption=s3.BucketEncryption.KMS)
    imported = s3.Bucket.from_bucket_name(stack, "Imported", "imported-data")
    return Tree(app, stack, agnostic, network, logs, bucket, imported)


@pytest.mark.parametrize("which", ["stack", "agnostic"])
def test_stack_facts_equal_the_stack_attributes(tree: Tree, which: str) -> None:
    stack: cdk.Stack = getattr(tree, which)
    scope = tree.network.vpc if which == "stack" else tree.bucket
    facts = stack_facts(scope)
    assert facts.stack is stack_of(scope)
    assert facts.stack.node.path == cdk.Stack.of(scope).node.path
    assert (facts.region, facts.account, facts.partition, facts.url_suffix) == (
        stack.region,
        stack.account,
        stack.partition,
        stack.url_suffix,
    )
    assert facts.stack_name == stack.stack_name
    assert facts.path == stack.node.path
    assert facts.stage is cdk.Stage.of(stack)


def test_a_second_look_up_returns_the_same_facts(tree: Tree) -> None:
    assert stack_facts(tree.logs) is stack_facts(tree.network)
    assert stack_facts(tree.logs) is not stack_facts(tree.bucket)


def test_paths_equal_node_paths_also_for_children_aws_cdk_lib_made(tree: Tree) -> None:
    subnet = tree.network.vpc.private_subnets[0]
    for construct in (tree.network, tree.logs, tree.network.vpc, subnet, tree.bucket):
        assert path_of(construct) == construct.node.path


def test_remembered_paths_equal_node_paths(tree: Tree) -> None:
    """The network, the logs and the network's security group record their paths."""
    assert path_of(tree.network.security_group) == tree.network.security_group.node.path
    assert path_of(tree.network) == "Facts/Network"
    assert path_of(tree.logs) == "Facts/Logs"


def test_a_remembered_child_has_its_scopes_stack_and_path() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Top")
    child = Construct(stack, "Child")
    remember_child(child, stack, "Child")
    grandchild = Construct(child, "Grandchild")
    remember_child(grandchild, child, "Grandchild")
    assert path_of(grandchild) == "Top/Child/Grandchild" == grandchild.node.path
    assert stack_facts(grandchild).stack is stack
    assert child_path(app, "Top") == "Top" == stack.node.path


def test_context_is_read_from_the_scope_and_frozen_once_it_has_children(tree: Tree) -> None:
    assert context_of(tree.stack, "emr-serverless:managedPoliciesPerRole") == 12
    assert context_of(tree.stack, "no-such-key") is None
    # The invariant the cache rests on: a node with children cannot change its context.
    with pytest.raises(RuntimeError, match="Cannot set context after children"):
        tree.stack.node.set_context("emr-serverless:managedPoliciesPerRole", 20)


def test_read_once_returns_the_attribute_and_keeps_it(tree: Tree) -> None:
    assert read_once(tree.bucket, "bucket_arn") == tree.bucket.bucket_arn
    assert read_once(tree.imported, "bucket_name") == "imported-data"
    key = read_once(tree.bucket, "encryption_key")
    assert isinstance(key, kms.Key)
    assert read_once(tree.bucket, "encryption_key") is key
    assert read_once(tree.imported, "encryption_key") is None
    assert read_once(tree.bucket, "env").region == tree.agnostic.region


def test_read_once_reads_a_python_object_each_time() -> None:
    class Plain:
        count = 0

        @property
        def value(self) -> int:
            Plain.count += 1
            return Plain.count

    plain = Plain()
    assert [read_once(plain, "value"), read_once(plain, "value")] == [1, 2]


def test_pseudo_parameters_are_aws_cdk_libs() -> None:
    assert pseudo("PARTITION") == cdk.Aws.PARTITION
    assert pseudo("URL_SUFFIX") == cdk.Aws.URL_SUFFIX
    assert pseudo("ACCOUNT_ID") == cdk.Aws.ACCOUNT_ID


def test_child_singleton_finds_or_creates_one_child() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Singletons")
    made: list[Construct] = []

    def create() -> Construct:
        made.append(Construct(stack, "Shared"))
        return made[-1]

    first = child_singleton(stack, "Shared", Construct, create)
    assert child_singleton(stack, "Shared", Construct, create) is first
    assert len(made) == 1
    # One already in the tree (made another way) is found, not made again.
    existing = Construct(stack, "Existing")
    assert child_singleton(stack, "Existing", Construct, create) is existing
    assert len(made) == 1


def test_remembered_subnet_facts_equal_the_subnets(tree: Tree) -> None:
    subnets = tree.network.subnets.subnets
    assert subnets
    for subnet in subnets:
        facts = subnet_facts(subnet)
        assert facts.key == subnet.node.path
        assert facts.cidr == subnet.ipv4_cidr_block
        assert facts.stack is tree.stack
        assert facts.s3_gateway_endpoint
        assert _s3_route(subnet, {}) is S3Route.GATEWAY_ENDPOINT


def test_a_subnet_not_remembered_is_read_and_its_route_found(tree: Tree) -> None:
    """The gateway endpoint serves only the worker groups: a public subnet is read."""
    public = tree.network.vpc.public_subnets[0]
    facts = subnet_facts(public)
    assert not facts.s3_gateway_endpoint
    assert facts.key == public.node.path
    assert isinstance(public, ec2.Subnet)
    assert _s3_route(public, {}) is S3Route.INTERNET_GATEWAY


def test_every_construct_the_library_remembers_in_the_reference_app(
    reference_app: Synthesis,
) -> None:
    """Each construct of ours records its scope: its path and stack as aws-cdk-lib says."""
    checked = 0
    for construct in reference_app.app.node.find_all():
        if jsii_reference(construct) in _CHILDREN:
            assert path_of(construct) == construct.node.path
            assert stack_facts(construct).path == cdk.Stack.of(construct).node.path
            checked += 1
    assert checked > 50


def test_read_once_keeps_a_computed_value_under_its_name(tree: Tree) -> None:
    reads: list[int] = []

    def read() -> str:
        reads.append(1)
        return f"computed {len(reads)}"

    first = read_once(tree.bucket, "computed", read)
    assert first == read_once(tree.bucket, "computed", read) == "computed 1"
    assert len(reads) == 1
    assert read_once(tree.logs, "computed", read) == "computed 2"


def test_jsii_key_is_the_reference_or_a_python_objects_id(tree: Tree) -> None:
    assert jsii_key(tree.bucket) == jsii_reference(tree.bucket)
    assert jsii_key(tree.bucket).startswith("aws-cdk-lib.aws_s3.Bucket@")
    plain = object()
    assert jsii_reference(plain) is None
    assert jsii_key(plain) == f"python:{id(plain)}"
