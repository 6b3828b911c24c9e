import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { PolicyStatement, policyDocument } from '../common/iam';
import { EncryptionKey, KeyGuard } from '../kms/kms-key';
import { BucketLifecycle, SecureBucket, logDeliveryStatement } from './secure-bucket';

export interface OffsiteReplicaProps {
  /** The bucket to copy (versioned, SSE-KMS with `sourceKeyArn`). */
  readonly source: SecureBucket;
  /** KMS key the source objects are encrypted with (replication decrypts with it). */
  readonly sourceKeyArn: string;
  /**
   * Keys older source objects are still encrypted with (the source bucket's default key changed;
   * S3 never re-encrypts an object): replication decrypts with them too.
   * @default none
   */
  readonly olderSourceKeyArns?: readonly string[];
  /**
   * Key in `replicaRegion` the replica bucket and the replicated objects are encrypted with, e.g.
   * the replica of a multi-region key (one key material in both regions). The replica's own key
   * (`names.keyAlias`) is still created: objects replicated before keep it and stay readable.
   * @default the replica's own key
   */
  readonly destinationKeyArn?: string;
  /** Guard of the replica's own key (e.g. only a break-glass role may disable or delete it). @default none */
  readonly keyGuard?: KeyGuard;
  /** Region of the source bucket (for the KMS `kms:ViaService` condition). */
  readonly sourceRegion: string;
  /** Name of the replica bucket. */
  readonly replicaBucketName: string;
  /**
   * The replica's access-log bucket in the replica region (S3 delivers access logs only to a
   * bucket in the same region as the logged bucket): `create` one with this name (its log
   * delivery accepts the replica and `otherLoggedBuckets`), or reuse an `existing` one whose
   * policy already accepts the replica's logs.
   */
  readonly replicaAccessLogs:
    | { readonly create: string; readonly expiryDays: number; readonly otherLoggedBuckets?: readonly string[] }
    | { readonly existing: SecureBucket };
  /**
   * Names of what the replica adds, for a second replicated bucket of the same environment.
   * @default the backup bucket's: `<namePrefix>-backups-replica` key alias, `<namePrefix>-backup-replication` role and alarms, `backups-replica/` log prefix
   */
  readonly names?: ReplicaNames;
  /** Region of the replica; must differ from `sourceRegion`. */
  readonly replicaRegion: string;
  /** aws provider (alias) configured for `replicaRegion`: the replica bucket and its key live there. */
  readonly replicaProvider: TerraformProvider;
  /** Account owning both buckets; its root administers the replica key through IAM. */
  readonly accountId: string;
  /** Names the replica key's alias and the replication role, e.g. `toronto-ai-production`. */
  readonly namePrefix: string;
  /** Lifecycle of the replica (normally the source's). */
  readonly lifecycle: BucketLifecycle;
  /**
   * Object lock of the replica. S3 requires it when the source bucket has object lock.
   * Left out: no object lock.
   */
  readonly objectLock?: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly retentionDays: number };
  /** BAK-4: prevent_destroy on the replica bucket and key. */
  readonly protect: boolean;
}

/** Names of the resources a replica adds (they must differ between replicas of one environment). */
export interface ReplicaNames {
  /** Alias (without `alias/`) of the replica key. */
  readonly keyAlias: string;
  /** Replication role; also the prefix of the alarm names (`<roleName>-lag`, `<roleName>-failed`). */
  readonly roleName: string;
  /** Prefix of the replica's access logs in the access-log bucket. */
  readonly accessLogPrefix: string;
  /** Name of the replication role's inline policy. */
  readonly policyName: string;
  /** What is replicated, for descriptions: `backup` (the backup bucket), `files`. */
  readonly what: string;
}

/** The replication rule's id (a dimension of its CloudWatch metrics). */
export const REPLICATION_RULE_ID = 'offsite-copy';

/**
 * S3 Replication Time Control: S3 replicates 99.99 % of objects within 15 minutes (the longest it
 * offers) and publishes latency and failure metrics per rule; the alarms below use them.
 */
export const REPLICATION_TIME_MINUTES = 15;

/**
 * The offsite copy of a backup bucket (BAK-1): a replica bucket in a second region, encrypted with
 * its own KMS key in that region, and S3 replication of every object version through a role that
 * may only read the source bucket's versions, decrypt with the source key through S3, and write
 * replicas encrypted with the replica key. Delete markers are NOT replicated, so a deletion (or
 * an attacker's) in the primary region never reaches the replica.
 */
export class OffsiteReplica extends Construct {
  /** The replica's own key (in `replicaRegion`). */
  readonly replicaKey: EncryptionKey;
  /** The key new replicas are encrypted with: `destinationKeyArn` when given, else `replicaKey`. */
  readonly replicaKeyArn: string;
  readonly bucket: SecureBucket;
  readonly accessLogBucket: SecureBucket;
  readonly role: IamRole;
  readonly replication: S3BucketReplicationConfigurationA;
  private readonly sourceBucketName: string;
  private readonly names: ReplicaNames;

  constructor(scope: Construct, id: string, props: OffsiteReplicaProps) {
    super(scope, id);
    if (props.replicaRegion === props.sourceRegion) {
      throw new Error(`${this.node.path}: 'replicaRegion' must differ from the source region ${props.sourceRegion}. Got: ${props.replicaRegion}`);
    }
    const provider = props.replicaProvider;
    const names: ReplicaNames = props.names ?? {
      keyAlias: `${props.namePrefix}-backups-replica`,
      roleName: `${props.namePrefix}-backup-replication`,
      accessLogPrefix: 'backups-replica/',
      policyName: 'replicate-backups',
      what: 'backup',
    };
    this.names = names;

    this.replicaKey = new EncryptionKey(this, 'key', {
      provider,
      alias: names.keyAlias,
      description: `${props.namePrefix}: offsite replica of the ${names.what} bucket (${props.replicaRegion})`,
      accountId: props.accountId,
      protect: props.protect,
      guard: props.keyGuard,
    });
    // What new replicas are encrypted with: a given key (e.g. a multi-region replica) or the own key.
    this.replicaKeyArn = props.destinationKeyArn ?? this.replicaKey.arn;

    const logs = props.replicaAccessLogs;
    this.accessLogBucket =
      'existing' in logs
        ? logs.existing
        : new SecureBucket(this, 'access-logs', {
            provider,
            bucketName: logs.create,
            encryption: { kind: 's3' },
            lifecycle: { expiryDays: logs.expiryDays, noncurrentVersionExpiryDays: 7 },
            policyStatements: [logDeliveryStatement(logs.create, props.accountId, [props.replicaBucketName, ...(logs.otherLoggedBuckets ?? [])])],
            protect: props.protect,
          });

    this.bucket = new SecureBucket(this, 'bucket', {
      provider,
      bucketName: props.replicaBucketName,
      encryption: { kind: 'kms', keyArn: this.replicaKeyArn },
      lifecycle: props.lifecycle,
      accessLogBucket: this.accessLogBucket.bucket.id,
      accessLogPrefix: names.accessLogPrefix,
      objectLock: props.objectLock,
      protect: props.protect,
    });

    const src = props.source.bucketArn;
    const dst = this.bucket.bucketArn;
    const statements: PolicyStatement[] = [
      {
        Sid: 'ReadSourceReplicationConfiguration',
        Effect: 'Allow',
        Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        Resource: src,
      },
      {
        Sid: 'ReadSourceObjectVersions',
        Effect: 'Allow',
        Action: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
          's3:GetObjectRetention',
          's3:GetObjectLegalHold',
        ],
        Resource: `${src}/*`,
      },
      {
        Sid: 'WriteReplicas',
        Effect: 'Allow',
        Action: ['s3:ReplicateObject', 's3:ReplicateTags'],
        Resource: `${dst}/*`,
      },
      {
        Sid: 'DecryptSourceThroughS3',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: props.olderSourceKeyArns?.length ? [props.sourceKeyArn, ...props.olderSourceKeyArns] : props.sourceKeyArn,
        Condition: {
          StringEquals: { 'kms:ViaService': `s3.${props.sourceRegion}.amazonaws.com` },
          // With S3 Bucket Keys the encryption context is the bucket ARN, without them the object ARN.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [src, `${src}/*`] },
        },
      },
      {
        Sid: 'EncryptReplicasThroughS3',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: this.replicaKeyArn,
        Condition: {
          StringEquals: { 'kms:ViaService': `s3.${props.replicaRegion}.amazonaws.com` },
          // With S3 Bucket Keys the encryption context is the bucket ARN, without them the object ARN.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [dst, `${dst}/*`] },
        },
      },
    ];
    this.role = new IamRole(this, 'role', {
      name: names.roleName,
      description: `S3 replication of ${props.source.bucketName} to ${props.replicaBucketName}`,
      assumeRolePolicy: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
      ]),
    });
    const policy = new IamRolePolicy(this, 'policy', {
      role: this.role.id,
      name: names.policyName,
      policy: policyDocument(statements),
    });

    this.replication = new S3BucketReplicationConfigurationA(this, 'replication', {
      bucket: props.source.bucket.id,
      role: this.role.arn,
      rule: [
        {
          id: REPLICATION_RULE_ID,
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: this.bucket.bucket.arn,
            encryptionConfiguration: { replicaKmsKeyId: this.replicaKeyArn },
            // Replication Time Control with metrics: a replica that falls behind is visible (alarms below).
            replicationTime: { status: 'Enabled', time: { minutes: REPLICATION_TIME_MINUTES } },
            metrics: { status: 'Enabled', eventThreshold: { minutes: REPLICATION_TIME_MINUTES } },
          },
        },
      ],
      // S3 refuses a replication configuration until both buckets are versioned.
      dependsOn: [props.source.versioning, this.bucket.versioning, policy],
    });
    this.sourceBucketName = props.source.bucketName;
  }

  /**
   * Alarms on the replication rule's metrics (S3 publishes them in the source bucket's region):
   * replication falling behind (the oldest pending object older than Replication Time Control's
   * 15 minutes) and any object that failed to replicate. Both notify `topicArn` and clear by
   * themselves. Call once the stack's alert topic exists.
   */
  addAlarms(topicArn: string): CloudwatchMetricAlarm[] {
    const dimensions = { SourceBucket: this.sourceBucketName, DestinationBucket: this.bucket.bucketName, RuleId: REPLICATION_RULE_ID };
    const common = {
      namespace: 'AWS/S3',
      dimensions,
      period: 300,
      treatMissingData: 'notBreaching',
      alarmActions: [topicArn],
      okActions: [topicArn],
    };
    return [
      new CloudwatchMetricAlarm(this, 'latency-alarm', {
        ...common,
        alarmName: `${this.names.roleName}-lag`,
        alarmDescription: `The offsite ${this.names.what} replica ${this.bucket.bucketName} is more than ${REPLICATION_TIME_MINUTES} minutes behind: the region-loss copy is stale. Runbook: README.md#alert-decision-matrix`,
        metricName: 'ReplicationLatency',
        statistic: 'Maximum',
        evaluationPeriods: 2,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: REPLICATION_TIME_MINUTES * 60,
      }),
      new CloudwatchMetricAlarm(this, 'failed-alarm', {
        ...common,
        alarmName: `${this.names.roleName}-failed`,
        alarmDescription: `Objects of ${this.sourceBucketName} failed to replicate to ${this.bucket.bucketName} (check the replication role and the replica key policy). Runbook: README.md#alert-decision-matrix`,
        metricName: 'OperationsFailedReplication',
        statistic: 'Sum',
        evaluationPeriods: 1,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
      }),
    ];
  }
}
