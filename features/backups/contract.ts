/**
 * What the two stacks agree on for backups (BAK-1, BAK-2): Velero's namespace and service
 * account, and every writer's prefix of the backup bucket.
 *
 * One slash rule: a prefix is declared once by its name (`postgres`); `segment` is what the
 * in-cluster tools take (no slashes: barman's path, the CronJobs' `s3://<bucket>/<segment>/`,
 * Velero's BackupStorageLocation prefix) and `keyPrefix` what IAM and S3 take (`postgres/`).
 */
export interface BackupPrefix {
  /** Without slashes: `postgres`. */
  readonly segment: string;
  /** The object key prefix, with the one trailing slash: `postgres/`. */
  readonly keyPrefix: string;
}

/** The prefix `name` of the backup bucket (lower-case, one path segment). */
export function backupPrefix(name: string): BackupPrefix {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    throw new Error(`backup prefix must be one lower-case path segment without slashes, e.g. "postgres". Got: ${name}`);
  }
  return { segment: name, keyPrefix: `${name}/` };
}

/** Prefixes of the backup writers, one per writer. */
export const BACKUP_PREFIXES = {
  postgres: backupPrefix('postgres'),
  mongodb: backupPrefix('mongodb'),
  chroma: backupPrefix('chroma'),
  velero: backupPrefix('velero'),
  /** Vault's raft snapshots (`vault/<timestamp>/vault.snap`). */
  vault: backupPrefix('vault'),
} as const;

/** Velero's namespace and service account: the Pod Identity association and the chart agree on them. */
export const VELERO = { namespace: 'velero', serviceAccount: 'velero', prefix: BACKUP_PREFIXES.velero } as const;
