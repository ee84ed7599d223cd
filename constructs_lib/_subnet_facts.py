"""What the library reads of a subnet, read once per subnet.

Each read of a subnet's attribute is a request into aws-cdk-lib's JavaScript runtime;
several checks (each application's capacity, the shared capacity, the S3 routes) read the
same subnets, so what they read is kept per subnet (its jsii reference), each value read
on first use; a network records what it knows of the subnets it creates, which are then
not read at all.
"""

from __future__ import annotations

import weakref
from contextlib import suppress
from functools import cached_property

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2

from constructs_lib._stack_facts import jsii_reference, stack_of
from constructs_lib.tokens import is_unresolved


class SubnetFacts:
    """A subnet's identity and known attributes, each read on first use."""

    def __init__(self, subnet: ec2.ISubnet) -> None:
        self._subnet = subnet
        #: Whether an S3 gateway endpoint is known to serve the subnet's route table.
        self.s3_gateway_endpoint = False

    @cached_property
    def key(self) -> str:
        """Its id, or its construct path when the id is a token (a subnet of this app)."""
        subnet_id = self._subnet.subnet_id
        return self._subnet.node.path if is_unresolved(subnet_id) else subnet_id

    @property
    def label(self) -> str:
        """How messages name it (the same as :attr:`key`)."""
        return self.key

    @cached_property
    def cidr(self) -> str | None:
        """Its IPv4 CIDR when known at synth, else ``None``."""
        try:
            cidr = self._subnet.ipv4_cidr_block
        except RuntimeError:  # an imported subnet without its CIDR (jsii raises RuntimeError)
            return None
        return None if cidr is None or is_unresolved(cidr) else cidr

    @cached_property
    def stack(self) -> Stack:
        """The stack the subnet is defined or imported in."""
        return stack_of(self._subnet)

    @cached_property
    def route_table_id(self) -> str | None:
        """Its route table's id, ``None`` for a subnet imported without one."""
        try:
            return self._subnet.route_table.route_table_id
        except RuntimeError:  # imported without a route table id
            return None

    @cached_property
    def default_route(self) -> ec2.CfnRoute | None:
        """Its ``0.0.0.0/0`` route when the subnet is defined in this app, else ``None``.

        Read when the tree is complete (at synth): routes may be added after the subnet.
        """
        if not isinstance(self._subnet, ec2.Subnet):
            return None
        for child in self._subnet.node.children:
            if isinstance(child, ec2.CfnRoute) and child.destination_cidr_block == "0.0.0.0/0":
                return child
        return None


_FACTS: dict[str, SubnetFacts] = {}
_PYTHON_FACTS: weakref.WeakKeyDictionary[ec2.ISubnet, SubnetFacts] = weakref.WeakKeyDictionary()


def subnet_facts(subnet: ec2.ISubnet) -> SubnetFacts:
    """The facts of ``subnet`` (kept per JavaScript object, or while a Python one lives)."""
    reference = jsii_reference(subnet)
    if reference is not None:
        facts = _FACTS.get(reference)
        if facts is None:
            facts = _FACTS[reference] = SubnetFacts(subnet)
        return facts
    with suppress(KeyError, TypeError):
        return _PYTHON_FACTS[subnet]
    facts = SubnetFacts(subnet)
    with suppress(TypeError):  # not weakly referenceable: read again next time
        _PYTHON_FACTS[subnet] = facts
    return facts


def remember_subnet(
    subnet: ec2.ISubnet, *, path: str, cidr: str, stack: Stack, s3_gateway_endpoint: bool
) -> None:
    """Record what the network that created ``subnet`` knows of it: its construct path
    (its key: its id is a token), CIDR, stack and whether its route table has the S3
    gateway endpoint."""
    facts = subnet_facts(subnet)
    facts.__dict__.update(key=path, cidr=cidr, stack=stack)  # the cached properties
    facts.s3_gateway_endpoint = s3_gateway_endpoint
