/**
 * Backups and data safety in the cloud stack (BAK-1, BAK-2, OPS-2): the backup bucket with its
 * access-log bucket, the offsite replica (production), the Terraform state bucket (definitions
 * with an S3 backend) and Velero's workload role. Called once from CloudStack's constructor.
 */
import { TerraformOutput, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Environment } from '../../environments/schema';
import { BackupStorage } from '../../constructs/backup/backup-storage';
import { TerraformStateBucket } from '../../constructs/backup/state-bucket';
import { SecureBucket, logDeliveryStatement } from '../../constructs/backup/secure-bucket';
import { BucketKeys, backupReaderStatements, backupWriterStatements, veleroStatements } from '../../constructs/backup/policies';
import { WorkloadRole } from '../../constructs/identity/workload-role';
import { PolicyStatement } from '../../constructs/common/iam';
import { namesFor, tagsFor } from '../naming';
import { CloudContext } from '../context';
import { BackupPrefix, VELERO } from './contract';
import { EncryptionKey } from '../../constructs/kms/kms-key';
import { keyGuard, trailBucketName } from './key-protection';

export interface Backups {
  readonly storage: BackupStorage;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** aws provider of `backup.replicaRegion` (present with a replica): other features' replicas live there too. */
  readonly replicaProvider?: TerraformProvider;
  /** Present when the definition names an S3 state backend. */
  readonly stateBucket?: TerraformStateBucket;
  readonly veleroRole: WorkloadRole;
  /**
   * Issue 13: the multi-region backups key (`<prefix>-backups-mr`), with a replica in
   * `backup.replicaRegion`: the bucket's default key and the key of its offsite copies. The
   * single-region key (`ctx.keys.backups`) stays for decryption: objects written before the switch
   * keep it (changing `multi_region` on it would have replaced it).
   */
  readonly multiRegionKey: EncryptionKey;
  /** The keys of the backup bucket: `current` (the multi-region key) and `previous` (the single-region key). */
  readonly keys: BucketKeys;
  /**
   * Least-privilege statements for a backup job limited to `prefix` (e.g. `postgres/`) of the
   * backup bucket: writes with the multi-region key, reads older objects with the single-region
   * one, both through S3 in this region only.
   */
  writerStatements(prefix: BackupPrefix): PolicyStatement[];
  /** Read-only statements on `prefix` (a restore job). */
  readerStatements(prefix: BackupPrefix): PolicyStatement[];
}

/** Bucket name of the files bucket's offsite replica (features/services/cloud.ts), with the replica region appended. */
export function filesReplicaBucketName(env: Environment): string {
  return `${namesFor(env).filesBucket}-${env.backup.replicaRegion}`;
}

/** Bucket name of the offsite replica: the backup bucket's name with the replica region appended. */
export function replicaBucketName(env: Environment): string {
  return `${namesFor(env).backupBucket}-${env.backup.replicaRegion}`;
}

function regionProvider(scope: Construct, env: Environment, alias: string, region: string): TerraformProvider {
  return new AwsProvider(scope, `aws-${alias}`, {
    alias,
    region,
    allowedAccountIds: env.aws.allowedAccountIds,
    defaultTags: [{ tags: tagsFor(env) }],
  });
}

export function addBackups(ctx: CloudContext): Backups {
  const { scope, env, names, accountId } = ctx;
  const region = env.aws.region;
  const protect = env.protectState;
  const b = env.backup;

  const backend = env.stateBackend;

  // ---- backup bucket, access logs, offsite replica (BAK-1)
  const replicaProvider = b.replicaRegion ? regionProvider(scope, env, 'replica', b.replicaRegion) : undefined;
  const multiRegionKey = new EncryptionKey(scope, 'key-backups-mr', {
    alias: `${names.prefix}-backups-mr`,
    description: `${names.prefix}: backups (multi-region: usable in the replica region)`,
    accountId,
    protect,
    multiRegion: true,
    guard: keyGuard(env, accountId),
  });
  const replicaKey = replicaProvider && b.replicaRegion ? multiRegionKey.replicate(b.replicaRegion, replicaProvider) : undefined;
  // Issue 13: new objects are written with the multi-region key (its replica decrypts them in the
  // replica region); objects written before keep the single-region key, still decryptable.
  const keys: BucketKeys = { current: multiRegionKey.arn, previous: [ctx.keys.backups.arn] };

  const storage = new BackupStorage(scope, 'backups', {
    backupBucketName: names.backupBucket,
    accessLogBucketName: names.accessLogBucket,
    // The state bucket (same region) and the service tier's buckets (features/services/cloud.ts) log here too.
    otherLoggedBuckets: [
      ...(backend.type === 's3' && backend.region === region ? [backend.bucket] : []),
      names.filesBucket,
      names.modelStoreBucket,
      // The CloudTrail trail's bucket (features/backups/key-protection.ts).
      ...(env.audit.cloudTrail === 'create' ? [trailBucketName(env)] : []),
    ],
    backupsKeyArn: keys.current,
    previousBackupsKeyArns: keys.previous,
    region,
    accountId,
    namePrefix: names.prefix,
    infrequentAccessAfterDays: b.infrequentAccessAfterDays,
    expiryDays: b.expiryDays,
    noncurrentVersionExpiryDays: b.noncurrentVersionExpiryDays,
    accessLogExpiryDays: b.accessLogExpiryDays,
    objectLock: b.objectLock.enabled ? { mode: b.objectLock.mode, retentionDays: b.objectLock.retentionDays } : undefined,
    replica: b.replicaRegion && replicaProvider
      ? {
          region: b.replicaRegion,
          provider: replicaProvider,
          bucketName: replicaBucketName(env),
          accessLogBucketName: `${names.accessLogBucket}-${b.replicaRegion}`,
          // The files bucket's offsite replica (features/services/cloud.ts) logs here too.
          otherLoggedBuckets: [filesReplicaBucketName(env)],
          // Replicas are written with the multi-region key's replica (same key material as the bucket's key).
          keyArn: replicaKey?.arn,
          // The replica's own key holds the copies made before the switch: guarded like the others.
          guard: keyGuard(env, accountId),
        }
      : undefined,
    protect,
  });
  // A replica that falls behind or fails alarms to the stack's alert topic.
  storage.replica?.addAlarms(ctx.alerts.arn);

  // ---- Terraform state bucket (OPS-2), in the region the backend names.
  let stateBucket: TerraformStateBucket | undefined;
  if (backend.type === 's3') {
    const sameRegion = backend.region === region;
    const provider = sameRegion ? undefined : regionProvider(scope, env, 'state', backend.region);
    // S3 delivers access logs only to a bucket in the logged bucket's region: a state bucket in
    // another region gets an access-log bucket of its own there.
    const stateLogs = sameRegion
      ? storage.accessLogBucket
      : new SecureBucket(scope, 'terraform-state-access-logs', {
          provider,
          bucketName: `${names.accessLogBucket}-${backend.region}`,
          encryption: { kind: 's3' },
          lifecycle: { expiryDays: b.accessLogExpiryDays, noncurrentVersionExpiryDays: 7 },
          policyStatements: [logDeliveryStatement(`${names.accessLogBucket}-${backend.region}`, accountId, [backend.bucket])],
          protect,
        });
    stateBucket = new TerraformStateBucket(scope, 'terraform-state', {
      bucketName: backend.bucket,
      accountId,
      namePrefix: names.prefix,
      accessLogBucket: stateLogs.bucket.id,
      protect,
      provider,
    });
    new TerraformOutput(scope, 'terraform_state_key_arn', {
      value: stateBucket.keyArn,
      description: 'KMS key of the Terraform state bucket: set it as stateBackend.kmsKeyArn so state objects are SSE-KMS',
    });
  }

  // ---- Velero's workload role: its own prefix plus EBS snapshots (BAK-2)
  const veleroRole = new WorkloadRole(scope, 'velero-role', {
    roleName: `${names.prefix}-velero`,
    clusterName: ctx.cluster.name,
    clusterArn: ctx.cluster.arn,
    accountId: ctx.accountId,
    namespace: VELERO.namespace,
    serviceAccount: VELERO.serviceAccount,
    statements: veleroStatements({
      bucketArn: storage.bucketArn,
      prefix: VELERO.prefix.keyPrefix,
      backupKeys: keys,
      volumesKeyArn: ctx.keys.volumes.arn,
      region,
      accountId,
    }),
  });

  new TerraformOutput(scope, 'backup_bucket', { value: storage.bucketName, description: 'Backup bucket (BAK-1)' });
  if (storage.replica) {
    new TerraformOutput(scope, 'backup_replica_bucket', {
      value: storage.replica.bucket.bucketName,
      description: `Offsite replica of the backup bucket (${b.replicaRegion})`,
    });
  }

  return {
    storage,
    bucketName: storage.bucketName,
    bucketArn: storage.bucketArn,
    replicaProvider,
    stateBucket,
    veleroRole,
    multiRegionKey,
    keys,
    writerStatements: (prefix: BackupPrefix) => backupWriterStatements(storage.bucketArn, prefix.keyPrefix, keys, region),
    readerStatements: (prefix: BackupPrefix) => backupReaderStatements(storage.bucketArn, prefix.keyPrefix, keys, region),
  };
}
