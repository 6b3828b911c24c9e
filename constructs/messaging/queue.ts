import { Construct } from 'constructs';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { PolicyStatement, policyDocument } from '../common/iam';

/** SQS keeps a message at most 14 days: the dead-letter queue keeps its messages that long. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 86400;

/**
 * Seconds SQS reuses a data key before asking KMS again (SQS default; 60 s to 24 h): fewer KMS
 * calls, and a role's kms:GenerateDataKey/Decrypt is still checked at least this often.
 */
export const DATA_KEY_REUSE_SECONDS = 300;

export interface EncryptedQueueProps {
  /** Queue name; the dead-letter queue is `<name>-dlq`. */
  readonly name: string;
  /** Customer-managed KMS key of both queues (SSE-KMS). */
  readonly kmsKeyArn: string;
  /** Region of the queues: producers and consumers use the key through SQS of this region only. */
  readonly region: string;
  /** How long an unconsumed message is kept (1..14 days). */
  readonly retentionDays: number;
  /** Seconds a received message stays invisible to other consumers. */
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Alarms to this SNS topic: the oldest message older than `oldestMessageSeconds`; any message in the dead-letter queue. */
  readonly alarms: { readonly topicArn: string; readonly oldestMessageSeconds: number };
}

/** `ConsumeAgentTasks`-style statement ids from a queue's short name (IAM Sids are alphanumeric). */
function sidPart(label: string): string {
  return label
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/**
 * An SQS queue with its dead-letter queue: both SSE-KMS with a customer key, both with a policy
 * that denies every request not sent over TLS; a message received `maxReceiveCount` times without
 * being deleted moves to the dead-letter queue (which accepts messages from this queue only), and
 * two alarms notify the alert topic: the oldest message is older than the threshold (consumers
 * are behind or down) and the dead-letter queue holds a message (a task failed repeatedly).
 */
export class EncryptedQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly alarms: { readonly oldestMessage: CloudwatchMetricAlarm; readonly deadLetters: CloudwatchMetricAlarm };
  private readonly kmsKeyArn: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,76}$/.test(props.name)) {
      throw new Error(`${this.node.path}: 'name' must be 1-76 letters, digits, - or _ (the dead-letter queue adds -dlq; SQS allows 80). Got: ${props.name}`);
    }
    if (props.retentionDays < 1 || props.retentionDays > 14) {
      throw new Error(`${this.node.path}: 'retentionDays' must be between 1 and 14 (SQS). Got: ${props.retentionDays}`);
    }
    if (props.visibilityTimeoutSeconds >= props.retentionDays * 86400) {
      throw new Error(`${this.node.path}: 'visibilityTimeoutSeconds' must be shorter than the retention period`);
    }
    this.name = props.name;
    this.kmsKeyArn = props.kmsKeyArn;
    this.region = props.region;
    const encryption = { kmsMasterKeyId: props.kmsKeyArn, kmsDataKeyReusePeriodSeconds: DATA_KEY_REUSE_SECONDS };

    this.deadLetterQueue = new SqsQueue(this, 'dlq', {
      name: `${props.name}-dlq`,
      ...encryption,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: props.name,
      ...encryption,
      messageRetentionSeconds: props.retentionDays * 86400,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      // Long polling: consumers wait up to 20 s for a message instead of polling empty queues.
      receiveWaitTimeSeconds: 20,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: props.maxReceiveCount }),
    });
    this.arn = this.queue.arn;
    this.url = this.queue.url;
    // Only this queue may move messages into its dead-letter queue.
    new SqsQueueRedriveAllowPolicy(this, 'dlq-redrive-allow', {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
    });
    for (const [policyId, q] of [['policy', this.queue], ['dlq-policy', this.deadLetterQueue]] as const) {
      new SqsQueuePolicy(this, policyId, {
        queueUrl: q.url,
        policy: policyDocument([
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: q.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]),
      });
    }

    const common = {
      namespace: 'AWS/SQS',
      statistic: 'Maximum',
      period: 60,
      comparisonOperator: 'GreaterThanThreshold',
      // An idle queue stops publishing metrics: no data is not an alarm.
      treatMissingData: 'notBreaching',
      alarmActions: [props.alarms.topicArn],
      okActions: [props.alarms.topicArn],
    };
    this.alarms = {
      oldestMessage: new CloudwatchMetricAlarm(this, 'oldest-message-alarm', {
        ...common,
        alarmName: `${props.name}-oldest-message`,
        alarmDescription: `The oldest message of ${props.name} is older than ${props.alarms.oldestMessageSeconds} s: its consumers are down or behind. Runbook: README.md#alert-decision-matrix`,
        metricName: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: props.name },
        evaluationPeriods: 5,
        threshold: props.alarms.oldestMessageSeconds,
      }),
      deadLetters: new CloudwatchMetricAlarm(this, 'dlq-alarm', {
        ...common,
        alarmName: `${props.name}-dlq-messages`,
        alarmDescription: `${props.name}-dlq holds messages: a task failed ${props.maxReceiveCount} times. Inspect, fix, then redrive. Runbook: README.md#alert-decision-matrix`,
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `${props.name}-dlq` },
        evaluationPeriods: 1,
        threshold: 0,
      }),
    };
  }

  /**
   * The key through SQS of the queue's region only (never a direct KMS call). Which queue's
   * messages a role can read or write is decided by its sqs: statements on that queue's ARN.
   */
  private keyCondition(): PolicyStatement['Condition'] {
    return { StringEquals: { 'kms:ViaService': `sqs.${this.region}.amazonaws.com` } };
  }

  /** A consumer: receive, delete, extend visibility, read attributes; decrypt its messages. `label` names the statements. */
  consumeStatements(label: string): PolicyStatement[] {
    const sid = sidPart(label);
    return [
      {
        Sid: `Consume${sid}`,
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: this.queue.arn,
      },
      { Sid: `Decrypt${sid}Messages`, Effect: 'Allow', Action: 'kms:Decrypt', Resource: this.kmsKeyArn, Condition: this.keyCondition() },
    ];
  }

  /** A producer: send, encrypting with the queue's key (a new data key, or a cached one decrypted). */
  sendStatements(label: string): PolicyStatement[] {
    const sid = sidPart(label);
    return [
      { Sid: `SendTo${sid}`, Effect: 'Allow', Action: 'sqs:SendMessage', Resource: this.queue.arn },
      {
        Sid: `Encrypt${sid}Messages`,
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: this.kmsKeyArn,
        Condition: this.keyCondition(),
      },
    ];
  }

  /** Reading the queue's depth only (KEDA's scaler): no message is visible through it. */
  depthStatements(label: string): PolicyStatement[] {
    return [{ Sid: `ReadDepthOf${sidPart(label)}`, Effect: 'Allow', Action: 'sqs:GetQueueAttributes', Resource: this.queue.arn }];
  }
}
