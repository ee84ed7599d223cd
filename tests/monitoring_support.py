"""What the monitoring tests share: the account and Region, an existing application, lookups."""

from __future__ import annotations

from functools import cache
from typing import Any

import aws_cdk as cdk

from constructs_lib.application import EmrServerlessApplication, EmrServerlessApplicationBase
from tests.harness import new_app
from tests.iam_checks import Environment

ACCOUNT = "123456789012"
REGION = "eu-west-1"
#: Where the tests' stacks are.
STACK_ENV = cdk.Environment(account=ACCOUNT, region=REGION)
#: How the tests render their templates' references (see ``tests.iam_checks``).
RENDER_ENV = Environment(account=ACCOUNT, region=REGION)
#: Logical ids of the per-stack application lifecycle provider start so.
LIFECYCLE_PROVIDER = "EmrServerlessLifecycle"
#: The id of an application that exists before the stack.
EXISTING_APP = "00fabcdef12525"


def one(
    template: dict[str, Any], resource_type: str, prefix: str = ""
) -> tuple[str, dict[str, Any]]:
    """The logical id and body of the one resource of ``resource_type`` whose id starts so.

    The stack's application lifecycle provider (its key, log group, roles) is not counted.
    """
    found: tuple[str, dict[str, Any]]
    (found,) = [
        (name, resource)
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type
        and name.startswith(prefix)
        and not name.startswith(LIFECYCLE_PROVIDER)
    ]
    return found


@cache
def refusal_app() -> cdk.App:
    """One app for the stacks of refusal tests, which are never synthesized."""
    return new_app(compliance=False)


def refusal_stack(env: cdk.Environment = STACK_ENV) -> cdk.Stack:
    """A new stack for a construct that should be refused (never synthesized)."""
    app = refusal_app()
    return cdk.Stack(app, f"Refusals{len(app.node.children)}", env=env)


def existing_application(stack: cdk.Stack) -> EmrServerlessApplicationBase:
    """The application :data:`EXISTING_APP`, imported into ``stack``."""
    return EmrServerlessApplication.from_application_id(stack, "Existing", EXISTING_APP)
