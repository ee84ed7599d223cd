"""The key-policy statement that lets CloudWatch Logs encrypt log groups with a KMS key."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from constructs import IConstruct

from constructs_lib._stack_facts import stack_facts
from constructs_lib.monitoring_rules import log_group_context_arn


def cloudwatch_logs_key_statement(
    scope: IConstruct, *, sid: str, actions: Sequence[str], log_group_name: str = "*"
) -> iam.PolicyStatement:
    """CloudWatch Logs of ``scope``'s Region may use the key for log groups of its account.

    The service principal is ``logs.<region>.<URL suffix>``, and the key may be used only
    in the encryption context of a log group named ``log_group_name`` (``*``: any).
    """
    stack = stack_facts(scope)
    return iam.PolicyStatement(
        sid=sid,
        principals=[iam.ServicePrincipal(f"logs.{stack.region}.{stack.url_suffix}")],
        actions=list(actions),
        resources=["*"],
        conditions={
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": log_group_context_arn(
                    partition=stack.partition,
                    region=stack.region,
                    account=stack.account,
                    name=log_group_name,
                )
            }
        },
    )
