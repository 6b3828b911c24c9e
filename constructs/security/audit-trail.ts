/**
 * A CloudTrail trail recording the account's management events in every region (SEC-1, issue 13:
 * EventBridge receives the "AWS API Call via CloudTrail" events the key alarm matches only where a
 * trail records them), with log-file validation, encrypted with its own KMS key, delivered to a
 * secure bucket (versioned, TLS only, public access blocked, access-logged) kept `retentionDays`.
 */
import { Construct } from 'constructs';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { EncryptionKey, KeyGuard } from '../kms/kms-key';
import { PolicyStatement } from '../common/iam';
import { SecureBucket } from '../backup/secure-bucket';

export interface AuditTrailProps {
  /** Trail name, e.g. `toronto-ai-production`. */
  readonly trailName: string;
  /** Bucket the log files go to (created here). */
  readonly bucketName: string;
  /** Alias (without `alias/`) of the trail's KMS key. */
  readonly keyAlias: string;
  readonly accountId: string;
  /** The trail's home region. */
  readonly region: string;
  /** Days log files are kept (then expire; old versions 30 days later). */
  readonly retentionDays: number;
  /** Bucket receiving the trail bucket's S3 access logs (its log delivery must accept this bucket). */
  readonly accessLogBucket: string;
  /** BAK-4: prevent_destroy on the bucket and key. */
  readonly protect: boolean;
  /** Guard of the trail's key (e.g. only a break-glass role may disable or delete it). @default none */
  readonly keyGuard?: KeyGuard;
}

/** The trail's ARN, known before the trail exists (the key and bucket policies name it). */
export function trailArn(region: string, accountId: string, trailName: string): string {
  return `arn:aws:cloudtrail:${region}:${accountId}:trail/${trailName}`;
}

/** Key-policy statements letting CloudTrail encrypt this trail's log files (and only its). */
export function cloudTrailKeyStatements(arn: string, accountId: string): PolicyStatement[] {
  return [
    {
      Sid: 'CloudTrailEncryptsThisTrailsLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': arn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${accountId}:trail/*` },
      },
    },
    {
      Sid: 'CloudTrailDescribesKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': arn } },
    },
  ];
}

/** Bucket-policy statements letting this trail (aws:SourceArn) check the bucket and write its log files. */
export function cloudTrailBucketStatements(bucketArn: string, arn: string, accountId: string): PolicyStatement[] {
  return [
    {
      Sid: 'CloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceArn': arn } },
    },
    {
      Sid: 'CloudTrailWritesLogFiles',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/AWSLogs/${accountId}/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': arn } },
    },
  ];
}

export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly key: EncryptionKey;
  readonly bucket: SecureBucket;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error(`${this.node.path}: 'retentionDays' must be a positive whole number of days. Got: ${props.retentionDays}`);
    }
    this.arn = trailArn(props.region, props.accountId, props.trailName);
    this.name = props.trailName;
    this.key = new EncryptionKey(this, 'key', {
      alias: props.keyAlias,
      description: `${props.trailName}: CloudTrail log files`,
      accountId: props.accountId,
      protect: props.protect,
      serviceStatements: cloudTrailKeyStatements(this.arn, props.accountId),
      guard: props.keyGuard,
    });
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    this.bucket = new SecureBucket(this, 'bucket', {
      bucketName: props.bucketName,
      encryption: { kind: 'kms', keyArn: this.key.arn },
      lifecycle: { expiryDays: props.retentionDays, noncurrentVersionExpiryDays: 30 },
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: 'cloudtrail/',
      policyStatements: cloudTrailBucketStatements(bucketArn, this.arn, props.accountId),
      protect: props.protect,
    });
    this.trail = new Cloudtrail(this, 'trail', {
      name: props.trailName,
      s3BucketName: this.bucket.bucket.id,
      kmsKeyId: this.key.arn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      // No event selector: a trail's default records every management event, read and write.
      // (Setting one calls cloudtrail:PutEventSelectors, which the deploy role is denied, like
      // UpdateTrail, StopLogging and DeleteTrail: once created, only an administrator changes it.)
      // CloudTrail checks the bucket policy (and the key policy) when the trail is created.
      dependsOn: [this.bucket.policy, this.key.key],
    });
  }
}
