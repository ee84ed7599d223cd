"""Stacks of the reference platform app, composed from ``constructs_lib``."""

from stacks.storage_stack import StorageStack

__all__ = ["StorageStack"]
