/**
 * The `data` section of an environment definition (DATA-1..4, SEC-1): PostgreSQL, MongoDB,
 * ChromaDB, the managed Redis cache and Vault. Sizes, counts, versions, image tags, schedules and
 * retention live here, so environments differ only through their definitions (ENV-3).
 *
 * Field rules live on the fields; rules across fields (against the tier, the documented hardware
 * and the backup section) live in `checkData`, which `checkDefinition` in ../schema.ts calls, so
 * every broken rule is reported as `<env>.data.<field>: <rule>` in the same run.
 */
import { z } from 'zod/v4';
import { CACHE_NODE_TYPES, HARDWARE_PROFILES, PRODUCTION_LIKE_TIERS, Tier } from '../catalog';
import { cronSchema } from '../cron';
import { cpuQuantity, memoryQuantity } from '../quantity';
import { cronMaxGapSeconds } from '../cron';
import { SNAPSHOT_RESTORE_ASSUMPTIONS, snapshotRestoreMinutes } from '../recovery';

/** Documented software levels (HW-3). */
export const MIN_POSTGRES_MAJOR = 15;
export const MIN_MONGODB_MAJOR = 6;
/** Seed 004: PostgreSQL continuous archiving for a 5-minute RPO. */
export const DOCUMENTED_WAL_ARCHIVE_MINUTES = 5;
/** Members a highly available replicated database needs in staging and production (DATA-1, DATA-2). */
export const HA_MEMBERS = 3;
/** Largest gp3 EBS volume (GiB): every persistent volume uses a gp3 storage class. */
export const EBS_GP3_MAX_GIB = 16384;

/** gp3 limits (AWS EBS): provisioned IOPS and throughput, and their ratios. */
export const GP3 = {
  minIops: 3000,
  maxIops: 16000,
  maxIopsPerGiB: 500,
  minThroughputMiBps: 125,
  maxThroughputMiBps: 1000,
  maxThroughputPerIops: 0.25,
} as const;

/**
 * Provisioned performance of a gp3 data volume (issue 13, seed 000 "fast SSD"). Field ranges here;
 * the ratios against the volume size and each other in `checkVolume`.
 */
export const volumePerformanceSchema = z
  .object({
    /** gp3: 3000 (baseline) .. 16000. */
    iops: z.number().int().min(GP3.minIops).max(GP3.maxIops),
    /** gp3: 125 (baseline) .. 1000 MiB/s. */
    throughputMiBps: z.number().int().min(GP3.minThroughputMiBps).max(GP3.maxThroughputMiBps),
  })
  .strict();

/** A persistent volume size (GiB) that a gp3 EBS volume can have. */
export const volumeGiB = z
  .number()
  .int()
  .min(1)
  .max(EBS_GP3_MAX_GIB, `must be <= ${EBS_GP3_MAX_GIB} (the largest gp3 EBS volume)`);

/**
 * Members of a group that elects a leader by majority: an even count tolerates no more failures
 * than one member fewer, and a split of two halves elects no one.
 */
function oddCount(what: string) {
  return (n: number, ctx: z.RefinementCtx) => {
    if (n % 2 === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${n} ${what} survive no more failures than ${n - 1}, and two halves elect no leader; use an odd count` });
    }
  };
}

/** A cron schedule, every field checked (environments/cron.ts); CloudNativePG takes seconds first. */
function cron(fields: 5 | 6, example: string) {
  return cronSchema({ seconds: fields === 6, macros: false }, example);
}

/** A pinned container image tag: never `latest`, never empty. */
export const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be a container image tag such as 1.5.3')
  .refine((t) => t !== 'latest', { message: 'must be a pinned tag, never "latest"' });

/** A full image reference with a pinned tag, e.g. `docker.io/library/mongo:7.0.14`. */
export const imageRef = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be registry/repository:tag with an explicit registry and tag')
  .refine((v) => !v.endsWith(':latest'), { message: 'must pin a tag, never "latest"' });

/** Requests = limits (Guaranteed QoS for databases): Kubernetes quantities. */
export const computeSchema = z
  .object({
    cpu: cpuQuantity,
    memory: memoryQuantity,
  })
  .strict();

const versionMajorMinor = z.string().regex(/^\d+(\.\d+){0,2}$/, 'must be a version such as 17 or 17.6');

export const dataSchema = z
  .object({
    /** DATA-1: PostgreSQL through CloudNativePG. */
    postgres: z
      .object({
        /** Instances (1 primary + replicas), spread over zones. Staging/production: 3. */
        instances: z.number().int().min(1).max(9),
        /** PostgreSQL version (major, or major.minor): the CloudNativePG image tag. >= 15 (HW-3). */
        version: versionMajorMinor,
        /** Data volume of each instance (GiB); staging/production >= the documented 2 TiB. */
        storageGiB: volumeGiB,
        /** Provisioned IOPS and throughput of each instance's gp3 volume (README: storage). */
        volume: volumePerformanceSchema,
        /**
         * `archive_timeout` in minutes: the longest a finished WAL segment waits before it is
         * shipped to the backup bucket, i.e. the RPO of a total loss. Seed 004: 5.
         */
        walArchiveTimeoutMinutes: z.number().int().min(1).max(60),
        /** Base backups (six-field cron, seconds first, UTC). */
        baseBackupSchedule: cron(6, '0 0 2 * * *'),
        /** Days base backups and WAL are kept in the bucket (CloudNativePG retentionPolicy). */
        backupRetentionDays: z.number().int().min(1).max(3650),
        /**
         * Issue 13: online volume snapshot backups of each instance's data volume (CloudNativePG
         * `method: volumeSnapshot`, six-field cron, seconds first, UTC). A restore starts from the
         * newest one and replays only the WAL since it: staging/production must take them often
         * enough for that restore to meet the database RTO (environments/recovery.ts).
         */
        snapshotSchedule: cron(6, '0 */15 * * * *'),
        /**
         * Completed volume snapshot backups kept (CloudNativePG applies no retention to them): the
         * program's snapshot-backup job deletes older ones, their VolumeSnapshots and EBS snapshots.
         */
        snapshotsKept: z.number().int().min(2).max(1000),
        /**
         * Generation of the backup archive: WAL and base backups go to `postgres/g<n>/`. A restored
         * cluster must archive to a fresh generation (barman refuses a non-empty archive), so a
         * restore increments it (README: PostgreSQL restore).
         */
        backupGeneration: z.number().int().min(1).max(999),
        /**
         * BAK-3 restore: create the Cluster from the archive of generation `fromGeneration`,
         * replaying WAL up to `targetTime` (RFC 3339) or to the end. Read only when the Cluster is
         * created; remove it once the restored cluster runs.
         */
        restore: z
          .object({
            fromGeneration: z.number().int().min(1),
            targetTime: z.string().datetime({ offset: true, message: 'must be an RFC 3339 time such as 2026-01-31T12:00:00Z' }).optional(),
            /**
             * Issue 13: start from this VolumeSnapshot (in the `data` namespace, of a scheduled
             * volume snapshot backup of generation `fromGeneration`: `kubectl -n data get backups`)
             * instead of the base backup in S3, then replay that generation's WAL from the bucket.
             */
            volumeSnapshot: z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be the name of a VolumeSnapshot (a lower-case DNS label)')
              .max(253)
              .optional(),
          })
          .strict()
          .optional(),
        compute: computeSchema,
      })
      .strict(),
    /** DATA-2: MongoDB replica set through the Percona Server for MongoDB operator, with PBM backups. */
    mongodb: z
      .object({
        /** Replica set members. Staging/production: 3. */
        members: z.number().int().min(1).max(7).superRefine(oddCount('MongoDB members (replica set elections)')),
        /** Percona Server for MongoDB image tag (percona/percona-server-mongodb), `<x.y.z>-<build>`. >= 6 (HW-3). */
        version: z.string().regex(/^\d+\.\d+\.\d+-\d+$/, 'must be a Percona Server for MongoDB image tag such as 8.0.19-7'),
        /** Data volume of each member (GiB). */
        storageGiB: volumeGiB,
        /** Percona Backup for MongoDB base (logical) backups streamed to the backup bucket (five-field cron, UTC). */
        baseBackupSchedule: cron(5, '30 */6 * * *'),
        /** Base backups kept (PBM retention is by count); older ones and the oplog before the oldest are deleted. */
        baseBackupsKept: z.number().int().min(1).max(1000),
        /**
         * PBM point-in-time recovery: the longest an oplog slice waits before it is uploaded
         * (`oplogSpanMin`), i.e. the RPO of a total loss. Must be <= backup.databaseRpoMinutes.
         */
        oplogSpanMinutes: z.number().int().min(1).max(60),
        /**
         * Issue 13: CSI volume snapshots of every member's data volume (crash-consistent: the
         * WiredTiger journal is on the same volume), all members in one run, five-field cron
         * (UTC). Staging and production: at least as often as the database RPO, e.g. every 5 minutes.
         */
        snapshotSchedule: cron(5, '*/5 * * * *'),
        /** Snapshots kept per member's volume (the scheduled job deletes older ones); >= 2. */
        snapshotsKept: z.number().int().min(2).max(1000),
        /**
         * BAK-3 restore, from one of two sources (never both; README: restores per data service):
         * - `snapshotRun`: the `YYYYMMDDhhmm` stamp of one snapshot run (`kubectl -n data get
         *   volumesnapshots`: `mongod-data-mongodb-rs0-<i>-<stamp>`): every member's claim is
         *   created from its snapshot of that run before the operator creates the StatefulSet,
         *   which adopts them (RTO minutes, RPO the snapshot interval). Keep it set while the
         *   restored volumes are in use (the claims are Terraform's).
         * - `baseBackup` (+ `targetTime`): a PBM point-in-time restore (PerconaServerMongoDBRestore)
         *   from the backup bucket's `mongodb/` prefix, starting from the base backup `baseBackup`
         *   (its PBM name, as `pbm list` or `aws s3 ls s3://<bucket>/mongodb/` show it) and
         *   replaying the oplog up to `targetTime` (RFC 3339, UTC) or to the latest slice. Remove it
         *   once the restore has completed.
         */
        restore: z
          .object({
            snapshotRun: z.string().regex(/^\d{12}$/, 'must be the YYYYMMDDhhmm stamp of a snapshot run such as 202611291040').optional(),
            baseBackup: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'must be a PBM backup name such as 2026-01-31T06:30:21Z').optional(),
            targetTime: z.string().datetime({ offset: true, message: 'must be an RFC 3339 time such as 2026-01-31T12:00:00Z' }).optional(),
          })
          .strict()
          .optional(),
        compute: computeSchema,
      })
      .strict(),
    /** DATA-3: ChromaDB (single-node server; replicas are independent, not replicated). */
    chroma: z
      .object({
        /**
         * Chroma servers. The chart and Chroma's single-node server do not replicate: each replica
         * would be an independent server with its own data behind one Service, so `checkData`
         * accepts only 1 until the application addresses each replica itself (seed 000 4.2.3 asks
         * for "scalable to 3"; the vector pool keeps 3 nodes for that).
         */
        replicas: z.number().int().min(1).max(3),
        /** Chroma server image tag (ghcr.io/chroma-core/chroma). */
        imageTag,
        /** Data volume of each replica (GiB); staging/production >= the documented 1 TiB. */
        storageGiB: volumeGiB,
        /** Provisioned IOPS and throughput of each replica's gp3 volume (README: storage). */
        volume: volumePerformanceSchema,
        /**
         * Copy of each replica's data directory to the backup bucket (five-field cron, UTC): the
         * off-region copy (the bucket replicates to backup.replicaRegion).
         */
        backupSchedule: cron(5, '0 3 * * *'),
        /**
         * Issue 13: CSI volume snapshots of each replica's volume (crash-consistent, in the
         * region), five-field cron (UTC). Staging and production: at least as often as the
         * database RPO, e.g. every 5 minutes.
         */
        snapshotSchedule: cron(5, '*/5 * * * *'),
        /** Snapshots kept per volume (the scheduled job deletes older ones); >= 2. */
        snapshotsKept: z.number().int().min(2).max(1000),
        /**
         * BAK-3 restore from volume snapshots (README: ChromaDB restore): one VolumeSnapshot name
         * per replica, in order (`kubectl -n vector get volumesnapshots`). The platform stack
         * creates each replica's claim (`data-chroma-<i>`) from its snapshot, which the
         * StatefulSet adopts. Keep it set while the restored volumes are in use (the claims are
         * Terraform's); the next restore replaces it.
         */
        restore: z
          .object({
            snapshots: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a VolumeSnapshot name (lower-case DNS label)').max(253)).min(1),
          })
          .strict()
          .optional(),
        compute: computeSchema,
      })
      .strict(),
    /** DATA-4: managed Redis-compatible cache (ElastiCache) with IAM authentication. */
    redis: z
      .object({
        /** `valkey` (open-source Redis fork, AWS default) or `redis` (Redis OSS). */
        engine: z.enum(['valkey', 'redis']),
        /** Engine version, e.g. 8.0 for Valkey or 7.1 for Redis OSS (IAM auth needs >= 7). */
        engineVersion: z.string().regex(/^\d+\.\d+$/, 'must be major.minor such as 8.0'),
        /** ElastiCache node type. */
        nodeType: z.string().superRefine((t, ctx) => {
          if (!CACHE_NODE_TYPES.includes(t)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown ElastiCache node type ${t}; add it to CACHE_NODE_TYPES in environments/catalog.ts or pick one of: ${CACHE_NODE_TYPES.join(', ')}` });
          }
        }),
        /** Read replicas next to the primary (0: a single node). Production: >= 1 (multi-AZ). */
        replicas: z.number().int().min(0).max(5),
        /** Days of automatic snapshots kept (0 turns them off). */
        snapshotRetentionDays: z.number().int().min(0).max(35),
      })
      .strict(),
    /** SEC-1: Vault with integrated (raft) storage. */
    vault: z
      .object({
        /** Raft voters. Staging/production: 3 (quorum survives one zone). */
        replicas: z.number().int().min(1).max(7).superRefine(oddCount('Vault raft voters')),
        /** Vault server image tag (hashicorp/vault). */
        imageTag,
        /** Raft data volume of each replica (GiB). */
        dataStorageGiB: volumeGiB,
        /** Audit log volume of each replica (GiB). */
        auditStorageGiB: volumeGiB,
        /**
         * Raft snapshots to the backup bucket's `vault/` prefix (five-field cron, UTC). Staging and
         * production: at least as often as the database RPO (README: Vault's recovery point).
         */
        snapshotSchedule: cron(5, '*/5 * * * *'),
        /**
         * Which KMS key auto-unseals Vault (issue 13, README: Vault seal migration):
         * `single-region` (the original key), `migrating` (both seals rendered, the old one
         * disabled: the migration runs), `multi-region` (the key with a replica in
         * `backup.replicaRegion`, which a Vault rebuilt there can unseal with). A new environment
         * starts on the multi-region key; one deployed on the original key names `single-region`
         * until it migrates (a Vault cannot change its seal by configuration alone).
         * @default 'multi-region'
         */
        seal: z.enum(['single-region', 'migrating', 'multi-region']).default('multi-region'),
        /**
         * BAK-3 restore (README: Vault restore): a one-off Job restores the raft snapshot
         * `s3://<backup bucket>/vault/<snapshot>/vault.snap` (the timestamp folder the snapshot job
         * wrote). Remove it once Vault runs on the restored data.
         */
        restore: z
          .object({
            snapshot: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{6}Z$/, 'must be the timestamp folder of a snapshot under vault/, such as 2026-11-29T053000Z'),
          })
          .strict()
          .optional(),
        compute: computeSchema,
      })
      .strict(),
    /** Images of the backup and configuration jobs (pinned tags). */
    jobImages: z
      .object({
        /** AWS CLI v2 (uploads to S3 with the Pod Identity credentials). */
        awsCli: imageRef,
        /** Has a shell and the openssl CLI: generates Vault's TLS certificate once, in the cluster. */
        openssl: imageRef,
        /** kubectl: stores the generated certificate as a Kubernetes secret. */
        kubectl: imageRef,
        /** kubectl with a POSIX shell: the scheduled volume snapshot job's script (create, wait, prune). */
        kubectlShell: imageRef,
      })
      .strict(),
  })
  .strict();

export type Data = z.output<typeof dataSchema>;

/** The parts of a parsed definition `checkData` reads (structural, to avoid an import cycle). */
export interface DataRuleContext {
  readonly tier: Tier;
  readonly data: Data;
  readonly aws: { readonly availabilityZones: readonly string[] };
  readonly nodePools: {
    readonly database?: { readonly dataVolumeGiB?: number };
    readonly vector?: { readonly dataVolumeGiB?: number };
  };
  readonly backup?: { readonly databaseRpoMinutes: number; readonly databaseRtoMinutes?: number };
}

type Report = (path: (string | number)[], message: string) => void;

function major(version: string): number {
  return Number(version.split('.')[0]);
}

/** Cross-field rules of the data section. `report` receives paths relative to the definition. */
export function checkData(env: DataRuleContext, report: Report): void {
  const d = env.data;
  const at = (...path: (string | number)[]) => ['data', ...path];
  const productionLike = PRODUCTION_LIKE_TIERS.includes(env.tier);

  // ---- documented software levels (HW-3): every tier
  if (major(d.postgres.version) < MIN_POSTGRES_MAJOR) {
    report(at('postgres', 'version'), `PostgreSQL ${d.postgres.version} is below the documented minimum ${MIN_POSTGRES_MAJOR} (HW-3)`);
  }
  if (major(d.mongodb.version) < MIN_MONGODB_MAJOR) {
    report(at('mongodb', 'version'), `MongoDB ${d.mongodb.version} is below the documented minimum ${MIN_MONGODB_MAJOR} (HW-3)`);
  }
  const redisMajor = major(d.redis.engineVersion);
  if (redisMajor < 7) {
    report(at('redis', 'engineVersion'), `${d.redis.engine} ${d.redis.engineVersion} cannot authenticate with IAM; use 7.0 or later`);
  }

  // ---- ChromaDB is single-node (DATA-3): never claim replication it does not have
  if (d.chroma.replicas > 1) {
    report(at('chroma', 'replicas'), `${d.chroma.replicas} replicas would be independent servers behind one Service that balances requests over data they do not share; run 1 until the application addresses each replica itself (DATA-3)`);
  }

  // ---- restore (BAK-3): never archive into the generation being read
  const restore = d.postgres.restore;
  if (restore && restore.fromGeneration >= d.postgres.backupGeneration) {
    report(at('postgres', 'restore', 'fromGeneration'), `generation ${restore.fromGeneration} is not older than backupGeneration ${d.postgres.backupGeneration}; the restored cluster would archive over the backups it reads: set backupGeneration to ${restore.fromGeneration + 1}`);
  }

  // ---- restore (BAK-3): one source, snapshots of one run or a PBM point in time
  const mRestore = d.mongodb.restore;
  if (mRestore && mRestore.snapshotRun !== undefined && (mRestore.baseBackup !== undefined || mRestore.targetTime !== undefined)) {
    report(at('mongodb', 'restore'), `names both a snapshot run (snapshotRun) and a PBM point-in-time restore (baseBackup/targetTime); a restore reads one source: keep one of them`);
  }
  if (mRestore && mRestore.snapshotRun === undefined && mRestore.baseBackup === undefined) {
    report(at('mongodb', 'restore'), `names no source; set snapshotRun (volume snapshots of one run) or baseBackup (PBM point in time, with an optional targetTime)`);
  }
  // ---- restore (BAK-3): the oplog is replayed forward from the base backup
  if (mRestore?.targetTime && mRestore.baseBackup && Date.parse(mRestore.targetTime) < Date.parse(mRestore.baseBackup)) {
    report(at('mongodb', 'restore', 'targetTime'), `${mRestore.targetTime} is before the base backup ${mRestore.baseBackup}; the oplog is replayed forward from a base backup: name one taken before the target time`);
  }

  // ---- RPO (BAK-3): oplog slices no longer than the recovery point objective
  if (env.backup && d.mongodb.oplogSpanMinutes > env.backup.databaseRpoMinutes) {
    report(at('mongodb', 'oplogSpanMinutes'), `${d.mongodb.oplogSpanMinutes} minutes exceeds the database RPO of ${env.backup.databaseRpoMinutes} minutes (backup.databaseRpoMinutes)`);
  }

  // ---- RPO (BAK-3): WAL archiving no slower than the recovery point objective
  if (env.backup && d.postgres.walArchiveTimeoutMinutes > env.backup.databaseRpoMinutes) {
    report(at('postgres', 'walArchiveTimeoutMinutes'), `${d.postgres.walArchiveTimeoutMinutes} minutes exceeds the database RPO of ${env.backup.databaseRpoMinutes} minutes (backup.databaseRpoMinutes)`);
  }

  // ---- gp3 ratios (issue 13): IOPS per GiB of the volume, throughput per IOPS
  for (const store of ['postgres', 'chroma'] as const) {
    const v = d[store].volume;
    const size = d[store].storageGiB;
    // The 3000 IOPS baseline comes with any gp3 volume; more must stay within 500 per GiB.
    if (v.iops > GP3.minIops && v.iops > size * GP3.maxIopsPerGiB) {
      report(at(store, 'volume', 'iops'), `${v.iops} IOPS exceeds ${GP3.maxIopsPerGiB} per GiB of the ${size} GiB volume (at most ${Math.max(GP3.minIops, size * GP3.maxIopsPerGiB)}, a gp3 limit)`);
    }
    if (v.throughputMiBps > v.iops * GP3.maxThroughputPerIops) {
      report(at(store, 'volume', 'throughputMiBps'), `${v.throughputMiBps} MiB/s exceeds ${GP3.maxThroughputPerIops} MiB/s per provisioned IOPS (at most ${Math.floor(v.iops * GP3.maxThroughputPerIops)} with ${v.iops} IOPS, a gp3 limit)`);
    }
  }

  // ---- Vault snapshots (SEC-1, BAK-3): a region loss loses at most one snapshot interval of
  // secrets; staging and production keep that within the database RPO.
  if (productionLike && env.backup) {
    const gapMinutes = cronMaxGapSeconds(d.vault.snapshotSchedule) / 60;
    if (gapMinutes > env.backup.databaseRpoMinutes) {
      report(at('vault', 'snapshotSchedule'), `'${d.vault.snapshotSchedule}' leaves up to ${gapMinutes} minutes between snapshots, above the RPO of ${env.backup.databaseRpoMinutes} minutes (backup.databaseRpoMinutes); ${env.tier} must snapshot at least that often, e.g. '*/${env.backup.databaseRpoMinutes} * * * *'`);
    }
  }

  // ---- MongoDB volume snapshots (issue 13): the RPO in staging/production
  if (productionLike && env.backup) {
    const gapMinutes = cronMaxGapSeconds(d.mongodb.snapshotSchedule) / 60;
    if (gapMinutes > env.backup.databaseRpoMinutes) {
      report(at('mongodb', 'snapshotSchedule'), `'${d.mongodb.snapshotSchedule}' leaves up to ${gapMinutes} minutes between volume snapshots, above the database RPO of ${env.backup.databaseRpoMinutes} minutes (backup.databaseRpoMinutes); e.g. '*/${env.backup.databaseRpoMinutes} * * * *'`);
    }
  }

  // ---- ChromaDB volume snapshots (issue 13): one snapshot per replica, and the RPO in staging/production
  const cRestore = d.chroma.restore;
  if (cRestore && cRestore.snapshots.length !== d.chroma.replicas) {
    report(at('chroma', 'restore', 'snapshots'), `names ${cRestore.snapshots.length} snapshot(s) for ${d.chroma.replicas} replica(s); name one VolumeSnapshot per replica, in order`);
  }
  if (productionLike && env.backup) {
    const gapMinutes = cronMaxGapSeconds(d.chroma.snapshotSchedule) / 60;
    if (gapMinutes > env.backup.databaseRpoMinutes) {
      report(at('chroma', 'snapshotSchedule'), `'${d.chroma.snapshotSchedule}' leaves up to ${gapMinutes} minutes between volume snapshots, above the database RPO of ${env.backup.databaseRpoMinutes} minutes (backup.databaseRpoMinutes); e.g. '*/${env.backup.databaseRpoMinutes} * * * *'`);
    }
  }

  // ---- PostgreSQL volume snapshot backups (issue 13): a restore from the newest snapshot replays
  // the WAL written since it; staging/production take them often enough to meet the database RTO.
  const rto = env.backup?.databaseRtoMinutes;
  if (productionLike && rto !== undefined) {
    const bound = snapshotRestoreMinutes(d.postgres.snapshotSchedule);
    if (bound.total > rto) {
      const a = SNAPSHOT_RESTORE_ASSUMPTIONS;
      report(
        at('postgres', 'snapshotSchedule'),
        `'${d.postgres.snapshotSchedule}' lets a restore replay up to ${bound.walMinutes} minutes of WAL (the longest gap plus ${a.snapshotReadyMinutes} minutes until a snapshot is ready), ${bound.replayMinutes} minutes at ${a.walReplaySpeedup}x the rate it was written; with ${a.volumeFromSnapshotMinutes} + ${a.startMinutes} minutes for the volume and the start that is ${bound.total} minutes, above the database RTO of ${rto} minutes (backup.databaseRtoMinutes); e.g. '0 */15 * * * *'`,
      );
    }
  }

  if (!productionLike) return;

  // ---- high availability (DATA-1, DATA-2, SEC-1, DATA-4)
  if (d.postgres.instances !== HA_MEMBERS) {
    report(at('postgres', 'instances'), `${env.tier} PostgreSQL must run ${HA_MEMBERS} instances across the 3 database nodes (DATA-1); got ${d.postgres.instances}`);
  }
  if (d.mongodb.members !== HA_MEMBERS) {
    report(at('mongodb', 'members'), `${env.tier} MongoDB must be a ${HA_MEMBERS}-member replica set (DATA-2); got ${d.mongodb.members}`);
  }
  if (d.vault.replicas !== HA_MEMBERS) {
    report(at('vault', 'replicas'), `${env.tier} Vault must run ${HA_MEMBERS} raft replicas (SEC-1, a quorum that survives one zone); got ${d.vault.replicas}`);
  }
  if (d.redis.replicas < 1) {
    report(at('redis', 'replicas'), `${env.tier} Redis needs at least 1 replica for multi-AZ automatic failover (DATA-4); got 0`);
  }
  if (d.redis.snapshotRetentionDays < 1) {
    report(at('redis', 'snapshotRetentionDays'), `${env.tier} Redis must keep automatic snapshots (>= 1 day); got 0`);
  }
  if (d.postgres.walArchiveTimeoutMinutes > DOCUMENTED_WAL_ARCHIVE_MINUTES) {
    report(at('postgres', 'walArchiveTimeoutMinutes'), `${d.postgres.walArchiveTimeoutMinutes} minutes is above the documented RPO of ${DOCUMENTED_WAL_ARCHIVE_MINUTES} minutes (seed 004)`);
  }

  // ---- documented volume sizes (HW-1)
  const dbDocumented = env.nodePools.database?.dataVolumeGiB ?? HARDWARE_PROFILES.database.storageGiB;
  const vecDocumented = env.nodePools.vector?.dataVolumeGiB ?? HARDWARE_PROFILES.vector.storageGiB;
  const dbMin = Math.max(dbDocumented, HARDWARE_PROFILES.database.storageGiB);
  const vecMin = Math.max(vecDocumented, HARDWARE_PROFILES.vector.storageGiB);
  if (d.postgres.storageGiB < dbMin) {
    report(at('postgres', 'storageGiB'), `${d.postgres.storageGiB} GiB is below the documented ${dbMin} GiB per database server (HW-1, nodePools.database.dataVolumeGiB)`);
  }
  if (d.mongodb.storageGiB < dbMin) {
    report(at('mongodb', 'storageGiB'), `${d.mongodb.storageGiB} GiB is below the documented ${dbMin} GiB per database server (HW-1, nodePools.database.dataVolumeGiB)`);
  }
  if (d.chroma.storageGiB < vecMin) {
    report(at('chroma', 'storageGiB'), `${d.chroma.storageGiB} GiB is below the documented ${vecMin} GiB per vector database server (HW-1, nodePools.vector.dataVolumeGiB)`);
  }
}
