#!/usr/bin/env python3
"""The reference CDK app: ``make synth`` synthesizes it with no AWS account."""

from __future__ import annotations

import os

import aws_cdk as cdk

from constructs_lib.compliance import add_compliance_checks
from stacks import StorageStack


def environment_from_env() -> cdk.Environment | None:
    """Account and region from ``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` when both are set.

    Without them (no credentials, as in CI) the stacks are environment-agnostic and
    the synth makes no AWS lookups.
    """
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    if account and region:
        return cdk.Environment(account=account, region=region)
    return None


def build_app(app: cdk.App, *, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """Add the reference stacks and the compliance checks to ``app``; return the stacks."""
    stacks: list[cdk.Stack] = [
        StorageStack(
            app,
            "EmrServerlessStorage",
            env=env,
            description="EMR Serverless reference platform: shared storage",
        ),
    ]
    add_compliance_checks(app)
    return stacks


def main() -> None:
    """Synthesize the reference app (the CDK CLI runs this through ``cdk.json``)."""
    app = cdk.App()
    build_app(app, env=environment_from_env())
    app.synth()


if __name__ == "__main__":
    main()
