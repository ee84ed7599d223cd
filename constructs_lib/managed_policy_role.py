"""An IAM role whose grants land in a customer-managed policy instead of an inline one."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct


class ManagedPolicyRole(iam.Role):
    """An ``iam.Role`` that keeps every granted statement in one customer-managed policy.

    aws-cdk-lib writes grants into an inline ``DefaultPolicy``; the NIST 800-53 R5,
    HIPAA Security and PCI DSS packs refuse inline policies (``IAMNoInlinePolicy``).
    This role routes ``add_to_principal_policy`` (which every ``grant_*`` method of
    aws-cdk-lib and of this library calls) into an ``AWS::IAM::ManagedPolicy`` with id
    ``Policy``, attached to the role, so grants read the same and comply.

    The managed policy holds at most 6,144 characters (an IAM quota); keep grants
    resource-scoped, as this library's grants are.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        """Create the role; ``kwargs`` are those of :class:`aws_cdk.aws_iam.Role`."""
        super().__init__(scope, construct_id, **kwargs)
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description=f"Grants of role {self.node.path}",
            roles=[self],
        )

    def add_to_principal_policy(
        self, statement: iam.PolicyStatement
    ) -> iam.AddToPrincipalPolicyResult:
        """Add ``statement`` to the role's managed policy (not to an inline policy)."""
        self.policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self.policy)

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        """Add ``statement`` to the role's managed policy; always ``True``."""
        self.policy.add_statements(statement)
        return True
