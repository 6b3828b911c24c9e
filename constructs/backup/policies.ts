/**
 * Least-privilege IAM statements of the backup writers (BAK-2). Each backup job (Velero,
 * PostgreSQL WAL archiving and base backups, MongoDB and vector-store dumps) gets its own workload
 * role limited to ONE prefix of the backup bucket.
 *
 * What a writer may do: list its own prefix, read/write/delete objects under it, and use the
 * backups KMS key through S3. Deleting an object only adds a delete marker (the bucket is
 * versioned, and object-locked in production), so retention jobs (Velero GC, barman retention)
 * work while no writer can destroy a backup version: s3:DeleteObjectVersion, s3:PutObjectRetention,
 * s3:BypassGovernanceRetention and every bucket-level write stay out.
 */
import { PolicyStatement } from '../common/iam';

/** Checks a backup prefix: `name/` or `a/b/`, lower-case, ending with a slash, no wildcard. */
export function checkBackupPrefix(prefix: string): void {
  if (!/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*\/$/.test(prefix)) {
    throw new Error(`backup prefix must look like "postgres/" (lower-case path segments ending with "/", no wildcard). Got: ${prefix}`);
  }
}

/** The statement-id form of a prefix: `postgres/g1/` -> `PostgresG1`. */
function prefixSid(prefix: string): string {
  return prefix
    .replace(/\/$/, '')
    .split(/[^a-zA-Z0-9]+/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/** Listing limited to `prefix` (the folder itself and what is under it). */
function listPrefixStatement(bucketArn: string, prefix: string, sid: string): PolicyStatement {
  return {
    Sid: `List${sid}Prefix`,
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: bucketArn,
    Condition: { StringLike: { 's3:prefix': [prefix.replace(/\/$/, ''), `${prefix}*`] } },
  };
}

/**
 * The KMS keys of a bucket whose default key changed: `current` encrypts what is written now (the
 * bucket's default key); `previous` encrypted objects written before the switch, which keep their
 * key (S3 never re-encrypts an object), so readers still need kms:Decrypt on them.
 */
export interface BucketKeys {
  readonly current: string;
  readonly previous?: readonly string[];
}

const keysOf = (keys: string | BucketKeys): BucketKeys => (typeof keys === 'string' ? { current: keys } : keys);
const viaS3 = (region?: string) => (region ? { Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } } } : {});

/**
 * Statements that let one backup job read and write objects under `prefix` of the backup bucket,
 * and nothing else in it.
 *
 * @param bucketArn ARN of the backup bucket (`CloudOutputs.backupBucketArn`).
 * @param prefix    The job's prefix, e.g. `postgres/`, `mongodb/`, `chroma/`, `velero/`.
 * @param keys      The backups key (`CloudOutputs.backupsKeyArn`): objects are SSE-KMS. With
 *                  `previous` keys, new objects are written with `current` (GenerateDataKey on it
 *                  only) and the older objects stay readable (Decrypt on the previous keys).
 * @param region    When given, the keys may only be used through S3 in this region (`kms:ViaService`).
 */
export function backupWriterStatements(bucketArn: string, prefix: string, keys: string | BucketKeys, region?: string): PolicyStatement[] {
  checkBackupPrefix(prefix);
  const sid = prefixSid(prefix);
  const { current, previous = [] } = keysOf(keys);
  return [
    listPrefixStatement(bucketArn, prefix, sid),
    {
      Sid: `ReadWrite${sid}Objects`,
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: `${bucketArn}/${prefix}*`,
    },
    {
      Sid: `Use${sid}BackupKeyThroughS3`,
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: current,
      ...viaS3(region),
    },
    ...(previous.length > 0
      ? [{ Sid: `Decrypt${sid}OlderObjectsThroughS3`, Effect: 'Allow' as const, Action: 'kms:Decrypt', Resource: [...previous], ...viaS3(region) }]
      : []),
  ];
}

/**
 * Statements that let a restore job list and read objects under `prefix` of the backup bucket
 * (nothing else, no write), with the backups keys through S3 (decrypt only: the current key and
 * any previous one, since each object keeps the key it was written with).
 */
export function backupReaderStatements(bucketArn: string, prefix: string, keys: string | BucketKeys, region?: string): PolicyStatement[] {
  checkBackupPrefix(prefix);
  const sid = prefixSid(prefix);
  const { current, previous = [] } = keysOf(keys);
  return [
    listPrefixStatement(bucketArn, prefix, sid),
    { Sid: `Read${sid}Objects`, Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${bucketArn}/${prefix}*` },
    {
      Sid: `Decrypt${sid}WithBackupKeyThroughS3`,
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: previous.length > 0 ? [current, ...previous] : current,
      ...viaS3(region),
    },
  ];
}

export interface VeleroPolicyProps {
  readonly bucketArn: string;
  /** Velero's prefix in the bucket. @default `velero/` */
  readonly prefix?: string;
  /** Backups key(s) (SSE-KMS of the bucket): Velero writes with `current`, reads older objects with `previous`. */
  readonly backupKeys: string | BucketKeys;
  /** Key of the EBS volumes: restoring a snapshot creates a volume encrypted with it. */
  readonly volumesKeyArn: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * Velero with the AWS plugin: its bucket prefix (above) plus native EBS snapshots. Describe calls
 * cannot be scoped to resources; everything else is limited to this region and account, and
 * deleting a snapshot only to snapshots Velero tagged.
 */
export function veleroStatements(props: VeleroPolicyProps): PolicyStatement[] {
  const ec2 = `arn:aws:ec2:${props.region}`;
  const volumes = `${ec2}:${props.accountId}:volume/*`;
  const snapshots = `${ec2}::snapshot/*`;
  return [
    ...backupWriterStatements(props.bucketArn, props.prefix ?? 'velero/', props.backupKeys, props.region),
    {
      Sid: 'DescribeVolumesAndSnapshots',
      Effect: 'Allow',
      Action: ['ec2:DescribeVolumes', 'ec2:DescribeSnapshots'],
      Resource: '*',
    },
    {
      Sid: 'SnapshotVolumes',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshot',
      Resource: [volumes, snapshots],
    },
    {
      Sid: 'RestoreVolumesFromSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CreateVolume',
      Resource: [volumes, snapshots],
    },
    {
      // Only as part of creating them (the plugin tags in CreateSnapshot/CreateVolume): tagging an
      // existing snapshot `velero.io/backup` would otherwise make it deletable below.
      Sid: 'TagSnapshotsAndVolumesWhenCreated',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: [volumes, snapshots],
      Condition: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateVolume'] } },
    },
    {
      Sid: 'DeleteOnlyVeleroSnapshots',
      Effect: 'Allow',
      Action: 'ec2:DeleteSnapshot',
      Resource: snapshots,
      Condition: { Null: { 'aws:ResourceTag/velero.io/backup': 'false' } },
    },
    {
      Sid: 'UseVolumesKeyThroughEc2',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      Resource: props.volumesKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `ec2.${props.region}.amazonaws.com` } },
    },
    {
      Sid: 'GrantVolumesKeyToEc2ForRestoredVolumes',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: props.volumesKeyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': `ec2.${props.region}.amazonaws.com` },
        Bool: { 'kms:GrantIsForAWSResource': true },
      },
    },
  ];
}
