import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { SecureBucket, logDeliveryStatement } from './secure-bucket';
import { OffsiteReplica } from './replication';
import { KeyGuard } from '../kms/kms-key';

export interface BackupStorageProps {
  /** Name of the backup bucket (`namesFor(env).backupBucket`). */
  readonly backupBucketName: string;
  /** Name of the access-log bucket (`namesFor(env).accessLogBucket`). */
  readonly accessLogBucketName: string;
  /**
   * Other buckets of the environment (same region) that deliver their access logs into the
   * access-log bucket, e.g. the Terraform state bucket.
   * @default - only the backup bucket
   */
  readonly otherLoggedBuckets?: readonly string[];
  /** KMS key of the backup bucket (its default encryption: what every new object is written with). */
  readonly backupsKeyArn: string;
  /**
   * Keys the bucket encrypted with before `backupsKeyArn` (objects keep the key they were written
   * with): the replication decrypts with them too.
   * @default none
   */
  readonly previousBackupsKeyArns?: readonly string[];
  readonly region: string;
  readonly accountId: string;
  /** Names keys and roles, e.g. `toronto-ai-production`. */
  readonly namePrefix: string;
  /** Days after which backup objects move to STANDARD_IA (>= 30). */
  readonly infrequentAccessAfterDays: number;
  /** Days after which backup objects expire. */
  readonly expiryDays: number;
  /** Days an overwritten or deleted backup version stays recoverable. */
  readonly noncurrentVersionExpiryDays: number;
  /** Days access logs are kept. */
  readonly accessLogExpiryDays: number;
  /** S3 Object Lock default retention (WORM). Left out: no object lock. */
  readonly objectLock?: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly retentionDays: number };
  /** Offsite replica in a second region. Left out: no replication. */
  readonly replica?: {
    readonly region: string;
    /** aws provider (alias) for `region`. */
    readonly provider: TerraformProvider;
    readonly bucketName: string;
    /** Access-log bucket in the replica region. */
    readonly accessLogBucketName: string;
    /** Other buckets of the replica region that log into it (e.g. another feature's replica). */
    readonly otherLoggedBuckets?: readonly string[];
    /** Key in the replica region the replicas are written with (a multi-region replica). @default the replica's own key */
    readonly keyArn?: string;
    /** Guard of the replica's own key (the break-glass deny). @default none */
    readonly guard?: KeyGuard;
  };
  /** BAK-4: prevent_destroy on buckets and keys. */
  readonly protect: boolean;
}

/**
 * The environment's backup storage (BAK-1): the backup bucket (versioned, SSE-KMS with a bucket
 * key, public access blocked, TLS only, access-logged, IA after 30 days then expiry, object lock
 * and an offsite replica when asked) and the access-log bucket it logs into (SSE-S3, since S3
 * server access logging cannot write to SSE-KMS buckets).
 */
export class BackupStorage extends Construct {
  readonly backupBucket: SecureBucket;
  readonly accessLogBucket: SecureBucket;
  readonly replica?: OffsiteReplica;
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: BackupStorageProps) {
    super(scope, id);
    const logged = [props.backupBucketName, ...(props.otherLoggedBuckets ?? [])];

    this.accessLogBucket = new SecureBucket(this, 'access-logs', {
      bucketName: props.accessLogBucketName,
      encryption: { kind: 's3' },
      lifecycle: { expiryDays: props.accessLogExpiryDays, noncurrentVersionExpiryDays: 7 },
      policyStatements: [logDeliveryStatement(props.accessLogBucketName, props.accountId, logged)],
      protect: props.protect,
    });

    const lifecycle = {
      infrequentAccessAfterDays: props.infrequentAccessAfterDays,
      expiryDays: props.expiryDays,
      noncurrentVersionExpiryDays: props.noncurrentVersionExpiryDays,
    };
    this.backupBucket = new SecureBucket(this, 'backups', {
      bucketName: props.backupBucketName,
      encryption: { kind: 'kms', keyArn: props.backupsKeyArn },
      lifecycle,
      accessLogBucket: this.accessLogBucket.bucket.id,
      accessLogPrefix: 'backups/',
      objectLock: props.objectLock,
      protect: props.protect,
    });
    this.bucketName = props.backupBucketName;
    this.bucketArn = this.backupBucket.bucketArn;

    if (props.replica) {
      this.replica = new OffsiteReplica(this, 'replica', {
        source: this.backupBucket,
        sourceKeyArn: props.backupsKeyArn,
        olderSourceKeyArns: props.previousBackupsKeyArns,
        destinationKeyArn: props.replica.keyArn,
        keyGuard: props.replica.guard,
        sourceRegion: props.region,
        replicaBucketName: props.replica.bucketName,
        replicaAccessLogs: {
          create: props.replica.accessLogBucketName,
          expiryDays: props.accessLogExpiryDays,
          otherLoggedBuckets: props.replica.otherLoggedBuckets,
        },
        replicaRegion: props.replica.region,
        replicaProvider: props.replica.provider,
        accountId: props.accountId,
        namePrefix: props.namePrefix,
        lifecycle,
        objectLock: props.objectLock,
        protect: props.protect,
      });
    }
  }
}
