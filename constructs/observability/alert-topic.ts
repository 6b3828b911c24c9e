import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { EncryptionKey } from '../kms/kms-key';
import { policyDocument } from '../common/iam';

export interface AlertTopicProps {
  /** Topic name, e.g. `toronto-ai-production-alerts`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** BAK-4: prevent_destroy on the topic's key in staging and production. */
  readonly protect: boolean;
  /** Provider of another region (CloudWatch alarms publish only to a topic of their own region). */
  readonly provider?: TerraformProvider;
  /**
   * SEC-3: let EventBridge rules of this account and region whose names start with
   * `<name>-` publish (e.g. GuardDuty findings), through the topic policy and the key policy.
   * @default false (only CloudWatch alarms publish)
   */
  readonly eventRules?: boolean;
}

/** The name prefix of the EventBridge rules an AlertTopic with `eventRules` accepts. */
export function alertEventRuleName(topicName: string, rule: string): string {
  return `${topicName}-${rule}`;
}

/**
 * The SNS topic CloudWatch alarms of the cloud stack publish to (OBS-2 for what lives outside the
 * cluster, such as ACM certificate expiry). Encrypted with a key of its own that CloudWatch may
 * use; only CloudWatch alarms of this account may publish. On-call subscribes to it (email, or
 * the paging tool's CloudWatch/SNS integration): subscriptions carry personal endpoints and are
 * managed outside this repository.
 */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const key = new EncryptionKey(this, 'key', {
      alias: props.name,
      description: `${props.name}: SNS topic of the CloudWatch alarms`,
      accountId: props.accountId,
      protect: props.protect,
      provider: props.provider,
      serviceStatements: [
        {
          Sid: 'CloudWatchAlarmsPublishEncrypted',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
        ...(props.eventRules
          ? [
              {
                Sid: 'EventBridgeRulesPublishEncrypted',
                Effect: 'Allow' as const,
                Principal: { Service: 'events.amazonaws.com' },
                Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
                Resource: '*',
                Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
              },
            ]
          : []),
      ],
    });
    this.topic = new SnsTopic(this, 'topic', { provider: props.provider, name: props.name, kmsMasterKeyId: key.arn });
    this.arn = this.topic.arn;
    this.name = props.name;
    new SnsTopicPolicy(this, 'policy', {
      provider: props.provider,
      arn: this.topic.arn,
      policy: policyDocument([
        {
          Sid: 'CloudWatchAlarmsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: this.topic.arn,
          Condition: {
            StringEquals: { 'aws:SourceAccount': props.accountId },
            ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${props.region}:${props.accountId}:alarm:*` },
          },
        },
        ...(props.eventRules
          ? [
              {
                Sid: 'EventBridgeRulesOfThisAccount',
                Effect: 'Allow' as const,
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: this.topic.arn,
                Condition: {
                  StringEquals: { 'aws:SourceAccount': props.accountId },
                  ArnLike: { 'aws:SourceArn': `arn:aws:events:${props.region}:${props.accountId}:rule/${alertEventRuleName(props.name, '*')}` },
                },
              },
            ]
          : []),
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: this.topic.arn,
          Condition: { Bool: { 'aws:SecureTransport': false } },
        },
      ]),
    });
  }
}
