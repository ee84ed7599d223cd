"""NotificationTopic: an SNS topic for operators, encrypted and SSL-only, and the policies that
let CloudWatch alarms and EventBridge rules publish to any topic."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsii
from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child, stack_facts
from constructs_lib.dead_letter_queue import dead_letter_queue
from constructs_lib.monitoring_rules import (
    CLOUDWATCH_PRINCIPAL,
    EVENTS_PRINCIPAL,
    PUBLISH_ACTIONS,
    QUEUE_PRODUCER_KEY_ACTIONS,
    TOPIC_PUBLISHER_KEY_ACTIONS,
    alarms_arn,
)
from constructs_lib.tokens import warn

#: The service principal of Amazon SNS (it sends undeliverable messages to a queue).
SNS_PRINCIPAL = "sns.amazonaws.com"

#: The warning recorded when a topic or key defined outside this app cannot be given a policy.
POLICY_WARNING = "emr-serverless:policy-not-added"


class NotificationTopic(sns.Topic):
    """An SNS topic that is safe by default: SSE-KMS with a rotating key, SSL-only publishing.

    Subscribe people or systems with ``topic.add_subscription(...)``: a subscription given
    without a dead-letter queue gets the topic's own (``SubscriptionsDeadLetterQueue``:
    SSE-KMS with the topic's key, SSL-only, messages kept 14 days), so messages SNS cannot
    deliver are kept, as the Serverless pack requires (``Serverless-SNSRedrivePolicy``). Let
    services publish with :func:`allow_alarm_notifications` and
    :func:`allow_rule_notifications` (the library's alarm and notification constructs call
    them).
    """

    _subscriptions_queue: sqs.Queue | None = None

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        master_key: kms.IKey | None = None,
        display_name: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the topic.

        :param master_key: the key that encrypts messages at rest. Default: a new key with
            rotation on, id ``<construct_id>Key`` beside the topic.
        :param display_name: the name shown as the sender of e-mail and SMS. Default: none.
        :param removal_policy: what happens to a key this creates when it leaves the stack.
            Default: ``RETAIN``.
        """
        if master_key is None:
            master_key = kms.Key(
                scope,
                f"{construct_id}Key",
                description=f"SSE-KMS key of topic {stack_facts(scope).stack_name}/{construct_id}",
                enable_key_rotation=True,
                removal_policy=removal_policy,
            )
        super().__init__(
            scope,
            construct_id,
            master_key=master_key,
            display_name=display_name,
            enforce_ssl=True,
        )
        remember_child(self, scope, construct_id)
        self._removal_policy = removal_policy

    @property
    def subscriptions_dead_letter_queue(self) -> sqs.IQueue:
        """Where SNS keeps messages it could not deliver to a subscription (made on first use)."""
        if self._subscriptions_queue is None:
            key = self.master_key
            queue = dead_letter_queue(
                self,
                "SubscriptionsDeadLetterQueue",
                reason=_SUBSCRIPTIONS_QUEUE_REASON,
                encryption_key=key,
                removal_policy=self._removal_policy,
            )
            if key is not None:
                allow_key_use(
                    key,
                    SNS_PRINCIPAL,
                    QUEUE_PRODUCER_KEY_ACTIONS,
                    conditions=None,
                    what="topic's key",
                    reporter=self,
                )
            self._subscriptions_queue = queue
        return self._subscriptions_queue

    def add_subscription(self, subscription: sns.ITopicSubscription) -> sns.Subscription:
        """Subscribe ``subscription``; without a dead-letter queue of its own, it gets the
        topic's :attr:`subscriptions_dead_letter_queue`."""
        return super().add_subscription(
            _WithDeadLetterQueue(subscription, lambda: self.subscriptions_dead_letter_queue)
        )


_SUBSCRIPTIONS_QUEUE_REASON = (
    "This queue is the dead-letter queue of the topic's subscriptions: it holds messages SNS "
    "could not deliver, for 14 days; a queue behind it would only move them."
)


@jsii.implements(sns.ITopicSubscription)
class _WithDeadLetterQueue:
    """A subscription, given ``queue()`` as dead-letter queue when it has none."""

    def __init__(
        self, subscription: sns.ITopicSubscription, queue: Callable[[], sqs.IQueue]
    ) -> None:
        self._subscription = subscription
        self._queue = queue

    def bind(self, topic: sns.ITopic) -> sns.TopicSubscriptionConfig:
        """The subscription's configuration, with the dead-letter queue."""
        config = self._subscription.bind(topic)
        if config.dead_letter_queue is not None:
            return config
        return sns.TopicSubscriptionConfig(
            endpoint=config.endpoint,
            protocol=config.protocol,
            subscriber_id=config.subscriber_id,
            subscriber_scope=config.subscriber_scope,
            subscription_dependency=config.subscription_dependency,
            dead_letter_queue=self._queue(),
            delivery_policy=config.delivery_policy,
            filter_policy=config.filter_policy,
            filter_policy_with_message_body=config.filter_policy_with_message_body,
            raw_message_delivery=config.raw_message_delivery,
            region=config.region,
            subscription_role_arn=config.subscription_role_arn,
        )


def allow_alarm_notifications(
    topic: sns.ITopic, alarms: Sequence[cloudwatch.IAlarm], *, reporter: IConstruct
) -> None:
    """Let CloudWatch publish the notifications of ``alarms`` to ``topic``.

    The topic policy allows ``cloudwatch.amazonaws.com`` to publish only for these alarms
    (``aws:SourceArn``) of this account (``aws:SourceAccount``). When the topic is
    encrypted, its key allows the service ``kms:Decrypt`` and ``kms:GenerateDataKey*`` for
    alarms of this account and Region (the key cannot name the alarms: they reference the
    topic, which references the key). A topic or key defined outside this app is left as
    it is, with a warning on ``reporter``.
    """
    if not alarms:
        return
    stack = stack_facts(reporter)
    account = {"StringEquals": {"aws:SourceAccount": stack.account}}
    every_alarm = alarms_arn(partition=stack.partition, region=stack.region, account=stack.account)
    _allow_publisher(
        topic,
        CLOUDWATCH_PRINCIPAL,
        on_topic={**account, "ArnLike": {"aws:SourceArn": [a.alarm_arn for a in alarms]}},
        on_key={**account, "ArnLike": {"aws:SourceArn": every_alarm}},
        reporter=reporter,
    )


def allow_rule_notifications(topic: sns.ITopic, rule_arn: str, *, reporter: IConstruct) -> None:
    """Let EventBridge publish the events the rule ``rule_arn`` matches to ``topic``.

    The topic policy allows ``events.amazonaws.com`` to publish only for this rule
    (``aws:SourceArn``). When the topic is encrypted, its key allows the service
    ``kms:Decrypt`` and ``kms:GenerateDataKey*`` without a condition, the statement SNS
    documents for AWS event sources: KMS requests made for EventBridge deliveries are not
    documented to carry ``aws:SourceArn`` or ``aws:SourceAccount``, and a condition they
    miss would drop every notification; the topic policy holds the rule condition. A topic
    or key defined outside this app is left as it is, with a warning on ``reporter``.
    """
    _allow_publisher(
        topic,
        EVENTS_PRINCIPAL,
        on_topic={"ArnEquals": {"aws:SourceArn": rule_arn}},
        on_key=None,
        reporter=reporter,
    )


def allow_key_use(
    key: kms.IKey,
    service: str,
    actions: Sequence[str],
    *,
    conditions: Mapping[str, Any] | None,
    what: str,
    reporter: IConstruct,
) -> None:
    """Let ``service`` use ``key`` for ``actions``; for a key defined elsewhere, warn instead.

    :param what: how the warning names the key, e.g. ``"topic's key"``.
    """
    statement = iam.PolicyStatement(
        principals=[iam.ServicePrincipal(service)],
        actions=list(actions),
        resources=["*"],
        conditions=dict(conditions) if conditions else None,
    )
    if not key.add_to_resource_policy(statement, allow_no_op=True).statement_added:
        warn_policy_not_added(reporter, what, statement)


def _allow_publisher(
    topic: sns.ITopic,
    service: str,
    *,
    on_topic: Mapping[str, Any],
    on_key: Mapping[str, Any] | None,
    reporter: IConstruct,
) -> None:
    statement = iam.PolicyStatement(
        principals=[iam.ServicePrincipal(service)],
        actions=list(PUBLISH_ACTIONS),
        resources=[topic.topic_arn],
        conditions=dict(on_topic),
    )
    if not topic.add_to_resource_policy(statement).statement_added:
        warn_policy_not_added(reporter, "topic", statement)
    if topic.master_key is not None:
        allow_key_use(
            topic.master_key,
            service,
            TOPIC_PUBLISHER_KEY_ACTIONS,
            conditions=on_key,
            what="topic's key",
            reporter=reporter,
        )


def warn_policy_not_added(reporter: IConstruct, what: str, statement: iam.PolicyStatement) -> None:
    """Record on ``reporter`` that ``statement`` belongs in the policy of ``what``."""
    principals = ", ".join(principal_name(p) for p in statement.principals)
    conditions = ", ".join(
        sorted(str(key) for block in statement.conditions.values() for key in block)
    )
    warn(
        reporter,
        f"{POLICY_WARNING}:{what.replace(' ', '-')}",
        f"The {what} is not defined in this app, so its policy was not changed. Allow "
        f"{principals} {', '.join(statement.actions)}"
        + (f" (conditions on {conditions})" if conditions else "")
        + " there, or notifications will not arrive.",
    )


def principal_name(principal: iam.IPrincipal) -> str:
    """A service principal's name, or the principal's text, for messages."""
    service = getattr(principal, "service", None)
    if isinstance(service, str):
        return service
    to_string = getattr(principal, "to_string", None)
    return str(to_string()) if callable(to_string) else repr(principal)
