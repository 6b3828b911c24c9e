/**
 * The `backup` section of an environment definition (BAK-1, BAK-3): recovery objectives, how
 * long backups are kept, object lock, the offsite replica region and the Velero schedule.
 *
 * Field rules live on the fields; rules across fields (and against the tier) live in
 * `checkBackup`, which `checkDefinition` in ../schema.ts calls, so every broken rule is reported
 * as `<env>.backup.<field>: <rule>` in the same run as the rest of the definition.
 */
import { z } from 'zod/v4';
import { PRODUCTION_LIKE_TIERS, REGIONS, Tier } from '../catalog';
import { cronSchema } from '../cron';

/** Seed 004 "Recovery objectives": what staging and production must meet (BAK-3). */
export const DOCUMENTED_RECOVERY_OBJECTIVES = {
  databaseRtoMinutes: 15,
  databaseRpoMinutes: 5,
  applicationRtoMinutes: 30,
  fullSystemRtoHours: 2,
} as const;

/** S3 charges STANDARD_IA objects for at least 30 days and refuses an earlier transition. */
export const MIN_INFREQUENT_ACCESS_DAYS = 30;


export const backupSchema = z
  .object({
    /** BAK-3 database recovery time objective: minutes to restore a database service. */
    databaseRtoMinutes: z.number().int().min(1).max(10080),
    /**
     * BAK-3 database recovery point objective: minutes of writes that may be lost. PostgreSQL
     * WAL archiving (`archive_timeout`) is derived from it.
     */
    databaseRpoMinutes: z.number().int().min(1).max(10080),
    /** BAK-3 application recovery time objective (minutes). */
    applicationRtoMinutes: z.number().int().min(1).max(10080),
    /** BAK-3 full-system recovery time objective (hours): a new cluster from the backups. */
    fullSystemRtoHours: z.number().int().min(1).max(168),
    /** Days after which current backup objects expire (the retention of the backup bucket). */
    expiryDays: z.number().int().min(1).max(36500),
    /**
     * Days after which objects move to STANDARD_IA (BAK-1: 30). S3 does not allow less.
     * @default 30
     */
    infrequentAccessAfterDays: z.number().int().min(MIN_INFREQUENT_ACCESS_DAYS).max(36500).default(30),
    /**
     * Days a superseded or deleted object version is kept before it is removed: the window in
     * which an overwritten or deleted backup can still be recovered.
     * @default 30
     */
    noncurrentVersionExpiryDays: z.number().int().min(1).max(36500).default(30),
    /**
     * Days the S3 server access logs of the environment's buckets are kept.
     * @default 365
     */
    accessLogExpiryDays: z.number().int().min(1).max(36500).default(365),
    /**
     * S3 Object Lock on the backup bucket (WORM): every object version is retained for
     * `retentionDays`. COMPLIANCE: nobody, not even the account root, can shorten it;
     * GOVERNANCE: principals with s3:BypassGovernanceRetention can. Required in production.
     */
    objectLock: z
      .object({
        enabled: z.boolean(),
        mode: z.enum(['COMPLIANCE', 'GOVERNANCE']).default('COMPLIANCE'),
        retentionDays: z.number().int().min(1).max(36500).default(30),
      })
      .strict(),
    /**
     * Region of the offsite replica of the backup bucket (cross-region replication with its own
     * KMS key). Required in production; must differ from `aws.region`.
     */
    replicaRegion: z
      .enum(REGIONS, { error: () => `must be one of ${REGIONS.join(', ')}` })
      .optional(),
    /**
     * Who may assume the break-glass role `<prefix>-kms-break-glass`, the only principal the key
     * policies of the Vault unseal and backups keys let disable or schedule the deletion of a key
     * (staging and production: definitions with `protectState`). IAM users or roles; the account
     * itself may too, only with MFA. Every attempt alarms.
     * @default [] (only the account with MFA)
     */
    breakGlassPrincipalArns: z
      .array(z.string().regex(/^arn:aws:iam::\d{12}:(user|role)\/[A-Za-z0-9+=,.@_\/-]+$/, 'must be an IAM user or role ARN such as arn:aws:iam::444455556666:role/break-glass'))
      .default([]),
    /** Velero backup of the cluster's resources and volumes (BAK-2). */
    velero: z
      .object({
        /** Cron expression (UTC), five fields, e.g. `0 *\/6 * * *`. */
        schedule: cronSchema({ seconds: false, macros: false }, '0 */6 * * *'),
        /** Hours each Velero backup is kept before Velero deletes it. */
        ttlHours: z.number().int().min(1).max(87600),
      })
      .strict(),
  })
  .strict();

export type Backup = z.output<typeof backupSchema>;

/** The parts of a parsed definition `checkBackup` reads (kept structural to avoid an import cycle). */
export interface BackupRuleContext {
  readonly tier: Tier;
  readonly aws: { readonly region: string };
  readonly backup: Backup;
}

type Report = (path: (string | number)[], message: string) => void;

/** Cross-field rules of the backup section. `report` receives paths relative to the definition. */
export function checkBackup(env: BackupRuleContext, report: Report): void {
  const b = env.backup;
  const at = (...path: (string | number)[]) => ['backup', ...path];
  const productionLike = PRODUCTION_LIKE_TIERS.includes(env.tier);

  // ---- retention against the recovery objectives and the lifecycle
  if (b.expiryDays * 24 * 60 <= b.databaseRpoMinutes) {
    report(at('expiryDays'), `${b.expiryDays} days is shorter than the RPO window of ${b.databaseRpoMinutes} minutes (databaseRpoMinutes); a backup would expire before the next one is taken`);
  }
  if (b.expiryDays <= b.infrequentAccessAfterDays) {
    report(at('expiryDays'), `${b.expiryDays} days is not longer than the ${b.infrequentAccessAfterDays}-day transition to STANDARD_IA (infrequentAccessAfterDays); S3 requires expiry after the transition`);
  }
  const veleroTtlDays = b.velero.ttlHours / 24;
  if (veleroTtlDays > b.expiryDays) {
    report(at('velero', 'ttlHours'), `${b.velero.ttlHours} hours (${veleroTtlDays.toFixed(1)} days) outlives expiryDays (${b.expiryDays}); the bucket lifecycle would delete backups Velero still lists`);
  }
  if (b.objectLock.enabled && b.objectLock.retentionDays >= b.expiryDays) {
    report(at('objectLock', 'retentionDays'), `${b.objectLock.retentionDays} days must be shorter than expiryDays (${b.expiryDays}); locked versions would outlive the bucket's retention`);
  }

  // ---- recovery objectives are consistent with each other
  const fullMinutes = b.fullSystemRtoHours * 60;
  for (const field of ['databaseRtoMinutes', 'applicationRtoMinutes'] as const) {
    if (b[field] > fullMinutes) {
      report(at(field), `${b[field]} minutes exceeds the full-system RTO of ${b.fullSystemRtoHours} h (fullSystemRtoHours); restoring a part cannot take longer than restoring everything`);
    }
  }
  if (productionLike) {
    for (const [field, documented] of Object.entries(DOCUMENTED_RECOVERY_OBJECTIVES) as [keyof typeof DOCUMENTED_RECOVERY_OBJECTIVES, number][]) {
      if (b[field] > documented) {
        report(at(field), `${b[field]} is above the documented objective of ${documented} (seed 004, BAK-3); ${env.tier} must meet it`);
      }
    }
  }

  // ---- offsite copy and immutability (BAK-1)
  if (b.replicaRegion !== undefined && b.replicaRegion === env.aws.region) {
    report(at('replicaRegion'), `${b.replicaRegion} is the environment's own region (aws.region); the offsite replica must be in another region`);
  }
  if (env.tier === 'production') {
    if (!b.objectLock.enabled) {
      report(at('objectLock', 'enabled'), 'production backups need S3 Object Lock (BAK-1): set true');
    }
    if (b.replicaRegion === undefined) {
      report(at('replicaRegion'), `production backups need an offsite replica in a second region (BAK-1): name one, e.g. "ca-west-1"`);
    }
  }
}
