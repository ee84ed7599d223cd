"""Stacks of the reference platform app, composed from ``constructs_lib``."""

from stacks.images_stack import ImagesStack
from stacks.network_stack import NetworkStack
from stacks.platform_stack import PlatformStack
from stacks.team_stack import TeamStack

__all__ = ["ImagesStack", "NetworkStack", "PlatformStack", "TeamStack"]
