import { Construct } from 'constructs';
import { TerraformProvider, TerraformResource } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { PolicyStatement, policyDocument } from '../common/iam';
import { protectFromDestroy } from '../common/protection';

/** How objects are encrypted at rest. */
export type BucketEncryption =
  /** SSE-KMS with a customer-managed key and an S3 bucket key (fewer KMS calls). */
  | { readonly kind: 'kms'; readonly keyArn: string }
  /**
   * SSE-S3 (AES-256, S3-managed keys). Only for the access-log bucket: S3 server access logging
   * cannot deliver into an SSE-KMS bucket.
   */
  | { readonly kind: 's3' };

export interface BucketLifecycle {
  /** Days after which current objects move to STANDARD_IA. Left out: no transition. */
  readonly infrequentAccessAfterDays?: number;
  /** Days after which current objects expire. Left out: current objects never expire (Terraform state). */
  readonly expiryDays?: number;
  /** Days a noncurrent (overwritten or deleted) version is kept. */
  readonly noncurrentVersionExpiryDays: number;
  /**
   * Days after which an incomplete multipart upload is aborted.
   * @default 7
   */
  readonly abortIncompleteUploadDays?: number;
}

export interface SecureBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  readonly encryption: BucketEncryption;
  /** Lifecycle rules. Left out: objects are kept until deleted (e.g. Terraform state). */
  readonly lifecycle?: BucketLifecycle;
  /** Server access logs go to this bucket (same region) under `accessLogPrefix`. Left out: no access logging. */
  readonly accessLogBucket?: string;
  /**
   * Prefix of this bucket's access logs in `accessLogBucket`.
   * @default `<bucketName>/`
   */
  readonly accessLogPrefix?: string;
  /** S3 Object Lock default retention. Left out: no object lock (it can only be set at creation). */
  readonly objectLock?: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly retentionDays: number };
  /** Statements added to the bucket policy after the TLS-only deny (e.g. the log delivery grant). */
  readonly policyStatements?: readonly PolicyStatement[];
  /** BAK-4: prevent_destroy on the bucket. */
  readonly protect: boolean;
  /** Provider for a bucket outside the stack's default region (e.g. the replica region). */
  readonly provider?: TerraformProvider;
  /**
   * Gives every resource the fixed Terraform address `<type>.<prefix>_<part>` (e.g.
   * `aws_s3_bucket.terraform_state_bucket`) instead of a generated one, for runbooks that target
   * or import them. Left out: generated addresses.
   */
  readonly stableAddressPrefix?: string;
}

/**
 * The bucket-policy statement that lets S3 server access logging deliver the logs of
 * `sourceBucketNames` (same account) into `logBucketName`.
 */
export function logDeliveryStatement(logBucketName: string, accountId: string, sourceBucketNames: readonly string[]): PolicyStatement {
  return {
    Sid: 'S3ServerAccessLogDelivery',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `arn:aws:s3:::${logBucketName}/*`,
    Condition: {
      StringEquals: { 'aws:SourceAccount': accountId },
      ArnLike: { 'aws:SourceArn': sourceBucketNames.map((b) => `arn:aws:s3:::${b}`) },
    },
  };
}

/**
 * An S3 bucket with the baseline every bucket of the platform needs (BAK-1, SEC-3): versioning,
 * default encryption, all public access blocked, ACLs disabled (bucket owner owns every object),
 * a bucket policy that denies any request not sent over TLS, optional access logging, lifecycle
 * and object lock.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  /** ARN computed from the name (S3 ARNs carry no region or account), so policies need no reference. */
  readonly bucketArn: string;
  readonly versioning: S3BucketVersioningA;
  readonly encryption: S3BucketServerSideEncryptionConfigurationA;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  readonly policy: S3BucketPolicy;
  readonly lifecycle?: S3BucketLifecycleConfiguration;
  readonly objectLock?: S3BucketObjectLockConfigurationA;
  readonly logging?: S3BucketLoggingA;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName)) {
      throw new Error(`${this.node.path}: 'bucketName' must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, dashes). Got: ${props.bucketName}`);
    }
    const lc = props.lifecycle;
    if (lc && lc.infrequentAccessAfterDays !== undefined) {
      if (lc.infrequentAccessAfterDays < 30) {
        throw new Error(`${this.node.path}: 'infrequentAccessAfterDays' must be at least 30 (S3 minimum for STANDARD_IA). Got: ${lc.infrequentAccessAfterDays}`);
      }
      if (lc.expiryDays !== undefined && lc.expiryDays <= lc.infrequentAccessAfterDays) {
        throw new Error(`${this.node.path}: 'expiryDays' must be greater than 'infrequentAccessAfterDays' (${lc.infrequentAccessAfterDays}). Got: ${lc.expiryDays}`);
      }
    }
    const provider = props.provider;
    // Logical ids must be fixed before anything references the resource: right after creation.
    const stable = (resource: TerraformResource): void => {
      if (props.stableAddressPrefix) resource.overrideLogicalId(`${props.stableAddressPrefix}_${resource.node.id.replace(/-/g, '_')}`);
    };
    this.bucketName = props.bucketName;
    this.bucketArn = `arn:aws:s3:::${props.bucketName}`;

    this.bucket = new S3Bucket(this, 'bucket', {
      provider,
      bucket: props.bucketName,
      forceDestroy: false,
      objectLockEnabled: props.objectLock ? true : undefined,
    });
    stable(this.bucket);
    protectFromDestroy(this.bucket, props.protect);
    const bucket = this.bucket.id;

    stable(
      new S3BucketOwnershipControls(this, 'ownership', {
        provider,
        bucket,
        rule: { objectOwnership: 'BucketOwnerEnforced' },
      }),
    );
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    stable(this.publicAccessBlock);
    this.versioning = new S3BucketVersioningA(this, 'versioning', {
      provider,
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    stable(this.versioning);
    this.encryption = new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket,
      rule: [
        props.encryption.kind === 'kms'
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.encryption.keyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    stable(this.encryption);
    this.policy = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket,
      policy: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [this.bucketArn, `${this.bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        ...(props.policyStatements ?? []),
      ]),
      // A policy written while the public access block is being created can be refused.
      dependsOn: [this.publicAccessBlock],
    });
    stable(this.policy);

    if (props.accessLogBucket) {
      this.logging = new S3BucketLoggingA(this, 'logging', {
        provider,
        bucket,
        targetBucket: props.accessLogBucket,
        targetPrefix: props.accessLogPrefix ?? `${props.bucketName}/`,
      });
      stable(this.logging);
    }

    if (lc) {
      this.lifecycle = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
        provider,
        bucket,
        rule: [
          {
            id: 'retention',
            status: 'Enabled',
            filter: [{ prefix: '' }],
            transition:
              lc.infrequentAccessAfterDays !== undefined
                ? [{ days: lc.infrequentAccessAfterDays, storageClass: 'STANDARD_IA' }]
                : undefined,
            expiration: lc.expiryDays !== undefined ? [{ days: lc.expiryDays }] : undefined,
            noncurrentVersionExpiration: [{ noncurrentDays: lc.noncurrentVersionExpiryDays }],
            abortIncompleteMultipartUpload: [{ daysAfterInitiation: lc.abortIncompleteUploadDays ?? 7 }],
          },
          {
            id: 'remove-expired-delete-markers',
            status: 'Enabled',
            filter: [{ prefix: '' }],
            expiration: [{ expiredObjectDeleteMarker: true }],
          },
        ],
        // Lifecycle rules on a versioned bucket act on versions: create after versioning is on.
        dependsOn: [this.versioning],
      });
      stable(this.lifecycle);
    }

    if (props.objectLock) {
      this.objectLock = new S3BucketObjectLockConfigurationA(this, 'object-lock', {
        provider,
        bucket,
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.retentionDays } },
        dependsOn: [this.versioning],
      });
      stable(this.objectLock);
    }
  }
}
