"""JobStateNotifications: an EventBridge rule sending one application's job-run state changes
to SNS, with a dead-letter queue for notifications that cannot be delivered."""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces.aws_events import IRuleRef
from constructs import Construct, IConstruct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import path_of, remember_child
from constructs_lib.dead_letter_queue import dead_letter_queue
from constructs_lib.interfaces import IEmrServerlessApplication
from constructs_lib.monitoring_rules import (
    DEFAULT_NOTIFIED_STATES,
    EVENTS_PRINCIPAL,
    QUEUE_PRODUCER_KEY_ACTIONS,
    SEND_MESSAGE_ACTIONS,
    JobRunState,
    check_notified_states,
    job_run_state_pattern,
)
from constructs_lib.notification_topic import (
    NotificationTopic,
    allow_key_use,
    allow_rule_notifications,
    warn_policy_not_added,
)

_DEAD_LETTER_REASON = (
    "This queue is the dead-letter queue of the job-state rule's SNS target: it holds "
    "notifications EventBridge could not deliver, for 14 days; a queue behind it would only "
    "move them."
)


class JobStateNotifications(Construct):
    """Notifies an SNS topic when a job run of one application enters given states.

    An EventBridge rule matches ``source: aws.emr-serverless``, ``detail-type: EMR Serverless
    Job Run State Change``, this application's ``detail.applicationId`` and the states
    (FAILED and CANCELLED by default), and sends the event, unchanged, to the topic.
    EventBridge may publish only for this rule (``aws:SourceArn`` in the topic policy);
    events it cannot deliver go to an encrypted, SSL-only dead-letter queue.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application: IEmrServerlessApplication,
        states: Sequence[JobRunState] = DEFAULT_NOTIFIED_STATES,
        topic: sns.ITopic | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the rule, and the topic and queue unless given.

        :param application: the application whose job runs to follow (defined or imported).
        :param states: the states that notify. Default: ``FAILED`` and ``CANCELLED``.
        :param topic: where notifications go. Default: a new :class:`NotificationTopic`
            encrypted with the key this creates.
        :param dead_letter_queue: where undeliverable notifications go. Default: a new
            SSL-only queue, keeping messages 14 days, encrypted with the key this creates.
        :param removal_policy: what happens to the key and queue this creates when they
            leave the stack. Default: ``RETAIN``.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        #: The states that notify.
        self.states = check_notified_states(states)
        key = None
        if topic is None or dead_letter_queue is None:
            key = kms.Key(
                self,
                "Key",
                description=f"Encrypts job-state notifications of {path_of(self)}",
                enable_key_rotation=True,
                removal_policy=removal_policy,
            )
        #: Where notifications go.
        self.topic: sns.ITopic = topic or NotificationTopic(self, "Topic", master_key=key)
        #: Where notifications EventBridge could not deliver go.
        self.dead_letter_queue: sqs.IQueue = dead_letter_queue or self._queue(key, removal_policy)
        pattern = job_run_state_pattern(application.application_id, self.states)
        #: The EventBridge rule.
        self.rule = events.Rule(
            self,
            "Rule",
            description=f"Job runs of EMR Serverless application {application.application_id} "
            f"entering {', '.join(s.value for s in self.states)}",
            event_pattern=events.EventPattern(
                source=pattern["source"],
                detail_type=pattern["detail-type"],
                detail=pattern["detail"],
            ),
        )
        self.rule.add_target(_TopicTarget(self.topic, self.dead_letter_queue, reporter=self))

    def _queue(self, key: kms.IKey | None, removal_policy: RemovalPolicy) -> sqs.Queue:
        return dead_letter_queue(
            self,
            "DeadLetterQueue",
            reason=_DEAD_LETTER_REASON,
            encryption_key=key,
            removal_policy=removal_policy,
        )


@jsii.implements(events.IRuleTarget)
class _TopicTarget:
    """The topic as the rule's target, with the dead-letter queue, allowed for this rule only."""

    def __init__(self, topic: sns.ITopic, queue: sqs.IQueue, *, reporter: IConstruct) -> None:
        self._topic = topic
        self._queue = queue
        self._reporter = reporter

    def bind(self, rule: IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        """Add the topic's and queue's policies for ``rule``; return the target."""
        rule_arn = rule.rule_ref.rule_arn
        allow_rule_notifications(self._topic, rule_arn, reporter=self._reporter)
        principal = iam.ServicePrincipal(EVENTS_PRINCIPAL)
        send = iam.PolicyStatement(
            principals=[principal],
            actions=list(SEND_MESSAGE_ACTIONS),
            resources=[self._queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
        )
        if not self._queue.add_to_resource_policy(send).statement_added:
            warn_policy_not_added(self._reporter, "dead-letter queue", send)
        key = self._queue.encryption_master_key
        if key is not None and key is not self._topic.master_key:
            allow_key_use(
                key,
                EVENTS_PRINCIPAL,
                QUEUE_PRODUCER_KEY_ACTIONS,
                conditions=None,
                what="dead-letter queue's key",
                reporter=self._reporter,
            )
        return events.RuleTargetConfig(
            arn=self._topic.topic_arn,
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self._queue.queue_arn),
            target_resource=self._topic,
        )
