"""Which secondary IPv4 CIDR blocks Amazon VPC associates with a VPC, by its primary block.

Amazon VPC refuses to associate some secondary blocks depending on the range its primary
CIDR block is in (VPC User Guide, "IPv4 CIDR block association restrictions"): a VPC whose
primary block is in 10.0.0.0/8 takes no block from 172.16.0.0/12, for example. A record
that holds such a block passes every synth and fails the first deploy, so the record
refuses it when the block is added. :data:`ASSOCIATION_RULES` is that table, one row per
primary range, each citing its page.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

#: The VPC User Guide's table of permitted and restricted secondary CIDR blocks.
ASSOCIATION_RESTRICTIONS_PAGE = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"
    "#add-cidr-block-restrictions"
)

_Net = ipaddress.IPv4Network

#: The private ranges of RFC 1918.
RFC1918_10 = _Net("10.0.0.0/8")
RFC1918_172 = _Net("172.16.0.0/12")
RFC1918_192 = _Net("192.168.0.0/16")
RFC1918_RANGES = (RFC1918_10, RFC1918_172, RFC1918_192)
#: Shared address space (RFC 6598), permitted beside every primary range.
SHARED_ADDRESS_SPACE = _Net("100.64.0.0/10")
#: The range the table restricts beside every primary range but its own.
RANGE_198_19 = _Net("198.19.0.0/16")

_PUBLIC = "any publicly routable block (non-RFC 1918), or a block from 100.64.0.0/10"


@dataclass(frozen=True)
class AssociationRule:
    """One row of the table: the secondary blocks a primary range restricts and permits.

    :param primary: the row's primary range as the page names it.
    :param primary_ranges: the ranges a primary block is in for this row; empty for the
        last row (every other primary: publicly routable, or in 100.64.0.0/10).
    :param restricted: no secondary block may overlap one of these.
    :param restricted_within: ``(primary_within, block)`` pairs: a primary block inside
        ``primary_within`` also restricts ``block``.
    :param permitted: the blocks the page permits, for the fix.
    :param source: the page that states the row.
    """

    primary: str
    primary_ranges: tuple[ipaddress.IPv4Network, ...]
    restricted: tuple[ipaddress.IPv4Network, ...]
    permitted: str
    restricted_within: tuple[tuple[ipaddress.IPv4Network, ipaddress.IPv4Network], ...] = ()
    source: str = ASSOCIATION_RESTRICTIONS_PAGE

    def applies_to(self, primary: ipaddress.IPv4Network) -> bool:
        """Whether a VPC whose primary block is ``primary`` falls under this row."""
        return not self.primary_ranges or any(primary.subnet_of(r) for r in self.primary_ranges)

    def restriction(
        self, primary: ipaddress.IPv4Network, secondary: ipaddress.IPv4Network
    ) -> ipaddress.IPv4Network | None:
        """The restricted range ``secondary`` overlaps beside ``primary``, or ``None``."""
        conditional = tuple(b for within, b in self.restricted_within if primary.subnet_of(within))
        return next((b for b in (*self.restricted, *conditional) if secondary.overlaps(b)), None)


#: The table, in the page's order; the first row that applies to a primary block is its row.
ASSOCIATION_RULES: tuple[AssociationRule, ...] = (
    AssociationRule(
        primary="10.0.0.0/8",
        primary_ranges=(RFC1918_10,),
        restricted=(RFC1918_172, RFC1918_192, RANGE_198_19),
        # "If your primary CIDR falls within the 10.0.0.0/15 range, you cannot add a CIDR
        # block from the 10.0.0.0/16 range."
        restricted_within=((_Net("10.0.0.0/15"), _Net("10.0.0.0/16")),),
        permitted=f"any other block of 10.0.0.0/8 that is not restricted; {_PUBLIC}",
    ),
    AssociationRule(
        primary="172.16.0.0/12",
        primary_ranges=(RFC1918_172,),
        restricted=(RFC1918_10, RFC1918_192, RANGE_198_19),
        # "A CIDR block from the 172.31.0.0/16 range."
        restricted_within=((RFC1918_172, _Net("172.31.0.0/16")),),
        permitted=f"any other block of 172.16.0.0/12 that is not restricted; {_PUBLIC}",
    ),
    AssociationRule(
        primary="192.168.0.0/16",
        primary_ranges=(RFC1918_192,),
        restricted=(RFC1918_10, RFC1918_172, RANGE_198_19),
        permitted=f"any other block of 192.168.0.0/16; {_PUBLIC}",
    ),
    AssociationRule(
        primary="198.19.0.0/16",
        primary_ranges=(RANGE_198_19,),
        restricted=RFC1918_RANGES,
        permitted=_PUBLIC,
    ),
    AssociationRule(
        primary="a publicly routable range (non-RFC 1918), or 100.64.0.0/10",
        primary_ranges=(),
        restricted=(*RFC1918_RANGES, RANGE_198_19),
        permitted=f"any other publicly routable block (non-RFC 1918), or a block from "
        f"{SHARED_ADDRESS_SPACE}",
    ),
)


def association_rule(primary: ipaddress.IPv4Network) -> AssociationRule:
    """The row of :data:`ASSOCIATION_RULES` for a VPC whose primary block is ``primary``."""
    return next(rule for rule in ASSOCIATION_RULES if rule.applies_to(primary))
