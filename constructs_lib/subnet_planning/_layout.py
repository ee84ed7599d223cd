"""Where the planned subnets go inside the VPC CIDR, as offsets from its first address.

Sizes are given in host bits (a /22 has 10). Worker subnets are laid contiguously from
the bottom of the space; other groups are carved from the top down, each into the
highest aligned free block (a buddy allocator that prefers high addresses). The two
layouts never depend on each other, so growing the worker subnets never moves another
group, and adding a group never moves anything already placed.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """Offsets of the worker subnets and of the other subnets, in request order."""

    workers: tuple[int, ...]
    others: tuple[int, ...]

    def fits(self, worker_bits: int) -> bool:
        """Whether no other subnet starts below the end of the worker subnets."""
        worker_end = len(self.workers) << worker_bits
        return all(offset >= worker_end for offset in self.others)


def lay_out(
    space_bits: int, worker_count: int, worker_bits: int, other_bits: Sequence[int]
) -> Layout | None:
    """Offsets for ``worker_count`` worker subnets and the ``other_bits`` subnets, or ``None``.

    ``None`` means that the subnets do not fit a space of ``2**space_bits`` addresses.
    """
    if worker_count << worker_bits > 1 << space_bits:
        return None
    others = _carve_from_top(space_bits, other_bits)
    if others is None:
        return None
    layout = Layout(tuple(i << worker_bits for i in range(worker_count)), others)
    return layout if layout.fits(worker_bits) else None


def smallest_fitting_space(
    worker_count: int, worker_bits: int, other_bits: Sequence[int], *, max_bits: int = 32
) -> int | None:
    """The fewest host bits of a space the subnets fit in (at most ``max_bits``), or ``None``."""
    needed = (worker_count << worker_bits) + sum(1 << bits for bits in other_bits)
    start = max([(needed - 1).bit_length(), worker_bits, *other_bits])
    for space_bits in range(start, max_bits + 1):
        if lay_out(space_bits, worker_count, worker_bits, other_bits) is not None:
            return space_bits
    return None


def _carve_from_top(space_bits: int, sizes: Sequence[int]) -> tuple[int, ...] | None:
    # free[bits] holds the offsets of free blocks of 2**bits addresses. Taking the smallest
    # free block that fits and splitting it keeps at most one free block per size, so a
    # request fails only when the free space left is smaller than the request.
    free: dict[int, list[int]] = {space_bits: [0]}
    placed: list[int] = []
    for bits in sizes:
        size_bits = next((b for b in range(bits, space_bits + 1) if free.get(b)), None)
        if size_bits is None:
            return None
        blocks = free[size_bits]
        offset = max(blocks)
        blocks.remove(offset)
        while size_bits > bits:
            size_bits -= 1
            free.setdefault(size_bits, []).append(offset)
            offset += 1 << size_bits
        placed.append(offset)
    return tuple(placed)


def free_blocks(space_bits: int, used: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The space not in ``used`` (``(offset, bits)`` pairs) as maximal aligned blocks, ascending."""
    blocks: list[tuple[int, int]] = []
    cursor = 0
    for offset, bits in sorted(used):
        blocks.extend(_aligned_blocks(cursor, offset))
        cursor = offset + (1 << bits)
    blocks.extend(_aligned_blocks(cursor, 1 << space_bits))
    return blocks


def _aligned_blocks(start: int, end: int) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    while start < end:
        # The largest block aligned at ``start`` that still ends at or before ``end``.
        bits = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while start + (1 << bits) > end:
            bits -= 1
        blocks.append((start, bits))
        start += 1 << bits
    return blocks
