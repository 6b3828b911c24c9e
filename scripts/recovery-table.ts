/**
 * `npm run recovery-table [-- --update-readme]`: the README's recovery table (issue 13), generated
 * from the definitions (objectives) and the synthesized stacks (mechanisms and alerts), never
 * written by hand. Each store's row is read from what the platform stack actually runs:
 *
 * - PostgreSQL: the CloudNativePG cluster release (archive_timeout, base backups, archive path, volume
 *   snapshot backups through a class of the volume-snapshot-class release, rotated by a job);
 * - MongoDB: its volume snapshot CronJob (through a class of the volume-snapshot-class release,
 *   over every member's claim) when the stack has it, beside the point-in-time path: a Percona
 *   psmdb-db release with point-in-time recovery (`backup.pitr`), otherwise the mongodump
 *   CronJob: the row changes with the stack, not with this file;
 * - ChromaDB: its volume snapshot CronJob (through a class of the volume-snapshot-class release)
 *   and its backup CronJobs; Vault configuration: what vault-configure writes against what its
 *   clients use (scripts/vault-coverage.ts); Vault secrets: the raft snapshot CronJob;
 * - RTO: what the restore path reads (a volume snapshot, or the store's size from S3) at the
 *   stated RTO_ASSUMPTIONS;
 * - alerts: the rules of the `toronto-ai-backups` rule file that watch the mechanism.
 *
 * `--check` (and __tests__/recovery-table.test.ts) fail when README.md's block is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { Environment } from '../environments/schema';
import { namesFor } from '../features/naming';
import { cronMaxGapSeconds } from '../constructs/observability/backup-alerts';
import { vaultCoverage } from './vault-coverage';
import { withScratchFolder } from './scratch-folder';
import { CHROMA_STORAGE, chromaClaimNames, MONGODB_STORAGE, mongodbClaimNames } from '../features/data/contract';
import { SNAPSHOT_RESTORE_ASSUMPTIONS, snapshotRestoreMinutes } from '../environments/recovery';
import { readStack } from './terraform-check';

type Json = Record<string, any>;

/** Seed 004: configuration has an RPO of 0. */
export const CONFIGURATION_RPO_MINUTES = 0;

/**
 * The stated assumptions of the RTO column (the README's preamble to the table repeats them).
 * Sizes are the provisioned volume sizes of the definitions: a full volume, the size the seeds
 * document, so a restore of the data the store holds today is faster.
 */
export const RTO_ASSUMPTIONS = {
  /** Sustained restore throughput of a physical copy from S3 (barman-cloud base backup, raft snapshot, a data directory), MiB/s. */
  s3PhysicalMiBps: 150,
  /** Sustained throughput of a logical restore from S3 (PBM logical: documents inserted, indexes rebuilt), MiB/s. */
  s3LogicalMiBps: 50,
  /** A claim created from an EBS snapshot, attached and its pod running, minutes (blocks then load from S3 on first read). */
  volumeFromSnapshotMinutes: SNAPSHOT_RESTORE_ASSUMPTIONS.volumeFromSnapshotMinutes,
  /** Starting a restore (the operator's or Job's pod scheduled, the object store listed), minutes. */
  startMinutes: SNAPSHOT_RESTORE_ASSUMPTIONS.startMinutes,
  /** PostgreSQL: minutes from a volume snapshot backup's start until it is ready to restore from (environments/recovery.ts). */
  snapshotReadyMinutes: SNAPSHOT_RESTORE_ASSUMPTIONS.snapshotReadyMinutes,
  /** PostgreSQL: archived WAL replays at least this many times faster than it was written (environments/recovery.ts says why). */
  walReplaySpeedup: SNAPSHOT_RESTORE_ASSUMPTIONS.walReplaySpeedup,
} as const;

/** Minutes to copy `gib` from S3 at `mibps`, plus the start. */
export function s3RestoreMinutes(gib: number, mibps: number): number {
  return Math.ceil((gib * 1024) / mibps / 60) + RTO_ASSUMPTIONS.startMinutes;
}

export interface RecoveryRow {
  readonly store: string;
  readonly environment: string;
  readonly rpoObjectiveMinutes: number;
  /** The longest loss the mechanism allows, in minutes (for Vault: on a region loss). */
  readonly rpoMinutes: number;
  readonly rtoObjectiveMinutes: number;
  /** The time the mechanism's restore takes, in minutes (a lower bound where `rtoNote` adds a replay). */
  readonly rtoMinutes: number;
  /** How the RTO is made up (the restore path and its size). */
  readonly rtoNote: string;
  /** The number leaves out a replay whose length the stack does not bound (WAL, oplog): a lower bound. */
  readonly rtoLowerBound?: boolean;
  readonly mechanism: string;
  readonly alerts: readonly string[];
  /** Where the row's RPO is better than the number (e.g. Vault within the region). */
  readonly note?: string;
}

function all(json: Json, type: string): Json[] {
  return Object.values((json.resource?.[type] ?? {}) as Json);
}
const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);
const pathOf = (r: Json) => String(r['//']?.metadata?.path ?? '');
const valuesOf = (r: Json): Json => JSON.parse(String(r.values?.[0] ?? '{}'));

function backupRules(platform: Json): { alert: string; expr: string }[] {
  const release = all(platform, 'helm_release').find((r) => r.name === 'kube-prometheus-stack');
  if (!release) return [];
  const groups = valuesOf(release).additionalPrometheusRulesMap?.['toronto-ai-backups']?.groups ?? [];
  return groups.flatMap((g: Json) => g.rules as { alert: string; expr: string }[]);
}

function cronJobs(platform: Json): { name: string; schedule: string; script: string }[] {
  return all(platform, 'kubernetes_cron_job_v1').map((j) => {
    const spec = first(j.spec as Json) as Json;
    return { name: String(first(j.metadata as Json)?.name), schedule: String(spec?.schedule), script: JSON.stringify(spec?.job_template ?? {}) };
  });
}

/** GiB of a Kubernetes quantity such as `2048Gi` or `2Ti`. */
function gibOf(quantity: unknown): number {
  const m = /^(\d+)(Gi|Ti)$/.exec(String(quantity ?? ''));
  if (!m) throw new Error(`recovery table: cannot read the size ${String(quantity)}`);
  return Number(m[1]) * (m[2] === 'Ti' ? 1024 : 1);
}

const gapMinutes = (schedule: string) => Math.ceil(cronMaxGapSeconds(schedule) / 60);
const alertsOf = (rules: { alert: string; expr: string }[], match: (r: { alert: string; expr: string }) => boolean) =>
  rules.filter(match).map((r) => r.alert);

/** The rows of one environment, from its definition and its two synthesized stacks. */
export function recoveryRows(env: Environment, platform: Json): RecoveryRow[] {
  const b = env.backup;
  const rules = backupRules(platform);
  const jobs = cronJobs(platform);
  const rows: RecoveryRow[] = [];
  const db = { rpoObjectiveMinutes: b.databaseRpoMinutes, rtoObjectiveMinutes: b.databaseRtoMinutes, environment: env.name };

  // PostgreSQL: continuous WAL archiving; a restore starts from the newest volume snapshot backup
  // when the stack takes them (through a class the stack creates, pruned by its rotation job),
  // else it copies a base backup from S3; then it replays the WAL since.
  const pg = all(platform, 'helm_release').find((r) => pathOf(r).endsWith('postgres/cluster/release'));
  if (pg) {
    const v = valuesOf(pg);
    const spec = (v.cluster ?? {}) as Json;
    const timeout = Number(String(spec.postgresql?.parameters?.archive_timeout ?? '').replace(/min$/, ''));
    const scheduled = (v.scheduledBackups ?? []) as Json[];
    const base = scheduled.find((b) => (b.spec?.method ?? 'barmanObjectStore') === 'barmanObjectStore')?.spec?.schedule as string | undefined;
    const snapshot = scheduled.find((b) => b.spec?.method === 'volumeSnapshot');
    const sizeGiB = gibOf(spec.storage?.size);
    const archive = String(spec.backup?.barmanObjectStore?.destinationPath ?? '').replace(/^s3:\/\/[^/]+\//, '');
    const snapshotRelease = all(platform, 'helm_release').find((r) => r.name === 'volume-snapshot-class');
    const classes = snapshotRelease ? ((valuesOf(snapshotRelease).classes ?? []) as Json[]).map((c) => String(c.name)) : [];
    const rotation = snapshot ? jobs.find((j) => j.script.includes(`sb=${snapshot.name}`)) : undefined;
    // Snapshots count when they go through a class the stack creates and a job bounds their number.
    const snapshotting = snapshot !== undefined && classes.includes(String(spec.backup?.volumeSnapshot?.className)) && rotation !== undefined;
    const schedule = snapshotting ? String(snapshot!.spec.schedule) : '';
    const bound = snapshotting ? snapshotRestoreMinutes(schedule) : undefined;
    rows.push({
      ...db,
      store: 'PostgreSQL',
      rpoMinutes: timeout,
      rtoMinutes: bound ? bound.total : s3RestoreMinutes(sizeGiB, RTO_ASSUMPTIONS.s3PhysicalMiBps),
      rtoNote: bound
        ? `claims from the newest volume snapshot (${RTO_ASSUMPTIONS.volumeFromSnapshotMinutes} min) + start (${RTO_ASSUMPTIONS.startMinutes} min) + replay of at most ${bound.walMinutes} min of WAL (snapshots \`${schedule}\`, ready within ${RTO_ASSUMPTIONS.snapshotReadyMinutes} min) at ${RTO_ASSUMPTIONS.walReplaySpeedup}x the rate it was written (${bound.replayMinutes} min)`
        : `restore copies the ${sizeGiB} GiB base backup from S3, then replays the WAL since it (base backups \`${base}\`)`,
      ...(bound ? {} : { rtoLowerBound: true }),
      mechanism: [
        `WAL archived at least every ${timeout} min + base backups (\`${base}\`) to \`${archive}/\``,
        ...(snapshotting ? [`online volume snapshot backups \`${schedule}\` (${rotation!.name} keeps the newest)`] : []),
      ].join('; ') + '; restore: `data.postgres.restore`',
      alerts: alertsOf(rules, (r) => r.alert.startsWith('Postgres')),
    });
  }

  // MongoDB: scheduled CSI volume snapshots of every member when the stack has them (restore:
  // claims from one run's snapshots, mongod recovers its journal on start), and Percona Backup for
  // MongoDB with PITR (the point-in-time path) when the stack has it, else the dump CronJob.
  const psmdb = all(platform, 'helm_release').find((r) => String(r.chart ?? '').includes('psmdb-db'));
  const pitr = psmdb ? valuesOf(psmdb).backup?.pitr : undefined;
  const dump = jobs.find((j) => j.name.startsWith('mongodb') && j.name.includes('backup'));
  const mongoSnapshotJob = jobs.find((j) => j.name === MONGODB_STORAGE.snapshotJob);
  const snapshotRelease = all(platform, 'helm_release').find((r) => r.name === 'volume-snapshot-class');
  const rotating = snapshotRelease ? ((valuesOf(snapshotRelease).classes ?? []) as Json[]).map((c) => String(c.name)) : [];
  // Snapshots count when the job takes them through a class the stack creates, of every member's claim.
  const takesSnapshots = (job: { script: string } | undefined, claims: string[]): job is { name: string; schedule: string; script: string } =>
    job !== undefined && rotating.some((c) => job.script.includes(`volumeSnapshotClassName: ${c}`)) && claims.every((c) => job.script.includes(c));
  const mongoSnapshotting = takesSnapshots(mongoSnapshotJob, mongodbClaimNames(env.data.mongodb.members));
  const pbmAlerts = alertsOf(rules, (r) => !r.expr.includes('cronjob="') && (/mongo|pbm|psmdb/i.test(r.alert) || /psmdb|pbm/i.test(r.expr)));
  let mongo: RecoveryRow | undefined;
  if (pitr?.enabled) {
    const span = Number(pitr.oplogSpanMin ?? 10);
    mongo = {
      ...db,
      store: 'MongoDB',
      rpoMinutes: span,
      rtoMinutes: s3RestoreMinutes(env.data.mongodb.storageGiB, RTO_ASSUMPTIONS.s3LogicalMiBps),
      rtoNote: `PBM logical restore of the ${env.data.mongodb.storageGiB} GiB data set from S3, then oplog replay to the target time`,
      rtoLowerBound: true,
      mechanism: `Percona Backup for MongoDB: oplog slices every ${span} min (point in time) + base backups`,
      alerts: pbmAlerts,
    };
  } else if (psmdb) {
    // Base backups only: the data written since the last one is lost.
    const tasks = ((valuesOf(psmdb).backup?.tasks ?? []) as { enabled?: boolean; schedule?: string }[]).filter((t) => t.enabled !== false && t.schedule);
    const gap = tasks.length > 0 ? Math.min(...tasks.map((t) => gapMinutes(String(t.schedule)))) : Number.POSITIVE_INFINITY;
    mongo = {
      ...db,
      store: 'MongoDB',
      rpoMinutes: gap,
      rtoMinutes: s3RestoreMinutes(env.data.mongodb.storageGiB, RTO_ASSUMPTIONS.s3LogicalMiBps),
      rtoNote: `PBM logical restore of the ${env.data.mongodb.storageGiB} GiB data set from S3`,
      mechanism: `Percona Backup for MongoDB base backups only (point-in-time recovery off)`,
      alerts: pbmAlerts,
    };
  } else if (dump) {
    mongo = {
      ...db,
      store: 'MongoDB',
      rpoMinutes: gapMinutes(dump.schedule),
      rtoMinutes: s3RestoreMinutes(env.data.mongodb.storageGiB, RTO_ASSUMPTIONS.s3LogicalMiBps),
      rtoNote: `mongorestore of the ${env.data.mongodb.storageGiB} GiB data set from S3`,
      mechanism: `mongodump \`${dump.schedule}\` (no continuous oplog capture)`,
      alerts: alertsOf(rules, (r) => r.expr.includes(`cronjob="${dump.name}"`)),
    };
  }
  if (mongoSnapshotting) {
    // The row is the snapshot path (the one that meets the RTO): its RPO is the snapshot interval.
    // The point-in-time path (PBM) stays beside it, with the finer RPO and the longer restore it has.
    const members = env.data.mongodb.members;
    const pointInTime = mongo
      ? `; point in time: ${mongo.mechanism} (restore: \`data.mongodb.restore.baseBackup\`/\`targetTime\`, ${mongo.rtoLowerBound ? '≥ ' : ''}${mongo.rtoMinutes} min: ${mongo.rtoNote})`
      : '';
    rows.push({
      ...db,
      store: 'MongoDB',
      rpoMinutes: gapMinutes(mongoSnapshotJob.schedule),
      rtoMinutes: RTO_ASSUMPTIONS.volumeFromSnapshotMinutes + RTO_ASSUMPTIONS.startMinutes,
      rtoNote: `claims created from one run's volume snapshots (\`data.mongodb.restore.snapshotRun\`); mongod recovers from its WiredTiger journal on start, no replay`,
      ...(mongo ? { note: `point in time to ${mongo.rpoMinutes} min through PBM, at its restore time` } : {}),
      mechanism: `crash-consistent CSI volume snapshots \`${mongoSnapshotJob.schedule}\` of the ${members} member volume(s) in one run (${env.data.mongodb.snapshotsKept} kept; restore: \`data.mongodb.restore.snapshotRun\`)${pointInTime}`,
      alerts: [...alertsOf(rules, (r) => r.expr.includes(`cronjob="${mongoSnapshotJob.name}"`)), ...(mongo?.alerts ?? [])],
    });
  } else if (mongo) {
    rows.push(mongo);
  }

  // ChromaDB: scheduled CSI volume snapshots when the stack has them (restore: a claim from a
  // snapshot), and the copies of the data directory to S3 (the off-region copy).
  const chroma = jobs.filter((j) => j.name.startsWith('chroma') && j.name.endsWith('backup'));
  const snapshotJob = jobs.find((j) => j.name === CHROMA_STORAGE.snapshotJob);
  const snapshotting = takesSnapshots(snapshotJob, chromaClaimNames(env.data.chroma.replicas));
  if (chroma.length > 0 || snapshotJob) {
    const copyGap = chroma.length > 0 ? Math.max(...chroma.map((j) => gapMinutes(j.schedule))) : Number.POSITIVE_INFINITY;
    const copy = chroma.length > 0 ? `data directory copied \`${chroma[0].schedule}\` to S3 (off-region)` : '';
    const watched = [...chroma, ...(snapshotting ? [snapshotJob!] : [])];
    rows.push({
      ...db,
      store: 'ChromaDB',
      rpoMinutes: snapshotting ? Math.min(gapMinutes(snapshotJob!.schedule), copyGap) : copyGap,
      rtoMinutes: snapshotting ? RTO_ASSUMPTIONS.volumeFromSnapshotMinutes + RTO_ASSUMPTIONS.startMinutes : s3RestoreMinutes(env.data.chroma.storageGiB, RTO_ASSUMPTIONS.s3PhysicalMiBps),
      rtoNote: snapshotting
        ? `claims created from the newest volume snapshots (\`data.chroma.restore\`); Chroma opens its SQLite WAL as after a power loss`
        : `copy of the ${env.data.chroma.storageGiB} GiB data directory back from S3`,
      mechanism: [
        ...(snapshotting ? [`crash-consistent CSI volume snapshots \`${snapshotJob!.schedule}\` (${env.data.chroma.snapshotsKept} kept; restore: \`data.chroma.restore\`)`] : []),
        ...(copy ? [copy] : []),
      ].join('; '),
      alerts: alertsOf(rules, (r) => watched.some((j) => r.expr.includes(`cronjob="${j.name}"`))),
    });
  }

  // Vault, in two rows (scripts/vault-coverage.ts reads what it serves from the stack):
  // - configuration (auth method, mount, audit device, policies, roles): declared in code and
  //   written by vault-configure, so a restored or new Vault gets it back from the same code (RPO 0)
  //   when the job writes everything its clients use;
  // - secrets (what code cannot reproduce): a database-class store, raft snapshots off the cluster.
  const vault = jobs.find((j) => j.name === 'vault-snapshot');
  const coverage = vaultCoverage(platform);
  if (coverage.schedule !== undefined) {
    const complete = coverage.problems.length === 0;
    rows.push({
      environment: env.name,
      store: 'Vault configuration',
      rpoObjectiveMinutes: CONFIGURATION_RPO_MINUTES,
      rtoObjectiveMinutes: b.applicationRtoMinutes,
      rpoMinutes: complete ? 0 : vault ? gapMinutes(vault.schedule) : Number.POSITIVE_INFINITY,
      // One run of the job against a running Vault; with Vault itself lost, the secrets row's
      // restore brings it back first (and the configuration with it).
      rtoMinutes: RTO_ASSUMPTIONS.startMinutes,
      rtoNote: '`vault-configure` re-applies it to a running Vault in one Job run; a lost Vault is restored first (Vault secrets)',
      ...(complete ? {} : { note: `not from code: ${coverage.problems.join('; ')}` }),
      mechanism: `declared in code: \`vault-configure\` (\`${coverage.schedule}\`) writes the ${coverage.writtenPolicies.length} policies and ${coverage.writtenRoles.length} roles its clients use and ensures the kubernetes auth method, the \`secret/\` KV mount and the audit device; a restored or new Vault is reconfigured from the same code`,
      alerts: [],
    });
  }
  if (vault) {
    const replica = b.replicaRegion ? `, replicated to ${b.replicaRegion}` : '';
    const sealNote =
      b.replicaRegion && env.data.vault.seal !== 'multi-region'
        ? `; region loss: restorable in ${b.replicaRegion} only once \`data.vault.seal\` is multi-region (now ${env.data.vault.seal})`
        : '';
    const typedIn = coverage.secretsWithoutSource.map((p) => `\`${p.replace('/data/', '/')}\``).join(', ');
    rows.push({
      environment: env.name,
      store: 'Vault secrets',
      rpoObjectiveMinutes: b.databaseRpoMinutes,
      rtoObjectiveMinutes: b.databaseRtoMinutes,
      rpoMinutes: gapMinutes(vault.schedule),
      rtoMinutes: s3RestoreMinutes(env.data.vault.dataStorageGiB, RTO_ASSUMPTIONS.s3PhysicalMiBps),
      rtoNote: `raft snapshot (at most the ${env.data.vault.dataStorageGiB} GiB volume) restored from S3 by the restore Job`,
      note:
        `0 within the region (raft quorum of ${env.data.vault.replicas}); ${coverage.syncedSecrets.length} synced paths re-sync from their sources` +
        (typedIn ? `; no source outside Vault: ${typedIn} (typed in)` : '') +
        sealNote,
      mechanism: `raft snapshots \`${vault.schedule}\` to \`vault/\`${replica}; restore: \`data.vault.restore\``,
      alerts: alertsOf(rules, (r) => r.expr.includes('cronjob="vault-snapshot"')),
    });
  }
  return rows;
}

/**
 * File storage (seed 004: RPO 1 hour; its RTO objective is the application's): read from the cloud
 * stack. Within the region every overwritten or deleted object keeps its earlier versions
 * (versioning, kept `noncurrentVersionExpiryDays`), so nothing written is lost and a restore is a
 * copy of a version; S3 keeps serving, so there is nothing to bring back up. Across regions only
 * a replica counts: replication with S3 Replication Time Control bounds the loss to its minutes.
 */
export function fileStorageRow(env: Environment, cloud: Json): RecoveryRow | undefined {
  const named = (type: string): (Json & { __name: string })[] => Object.entries((cloud.resource?.[type] ?? {}) as Json).map(([name, r]) => ({ ...(r as Json), __name: name }));
  const bucket = named('aws_s3_bucket').find((r) => pathOf(r).endsWith('services/files/bucket'));
  if (!bucket) return undefined;
  const ref = (attr: string) => `\${aws_s3_bucket.${bucket.__name}.${attr}}`;
  const versioned = named('aws_s3_bucket_versioning').some((v) => v.bucket === ref('id') && first(v.versioning_configuration as Json)?.status === 'Enabled');
  const lifecycle = named('aws_s3_bucket_lifecycle_configuration').find((l) => l.bucket === ref('id'));
  const keptDays = ((lifecycle?.rule ?? []) as Json[]).map((r) => first(r.noncurrent_version_expiration as Json)?.noncurrent_days).find((d) => d !== undefined);
  const replication = named('aws_s3_bucket_replication_configuration').find((r) => r.bucket === ref('id'));
  const rule = first(replication?.rule as Json) as Json | undefined;
  const destination = first(rule?.destination as Json) as Json | undefined;
  const rtc = first(destination?.replication_time as Json) as Json | undefined;
  const rtcMinutes = rtc?.status === 'Enabled' ? Number(first(rtc.time as Json)?.minutes) : undefined;
  const replicaBucket = named('aws_s3_bucket').find((r) => destination?.bucket === `\${aws_s3_bucket.${r.__name}.arn}`)?.bucket as string | undefined;
  const regionLoss = rtcMinutes !== undefined && replicaBucket ? rtcMinutes : undefined;
  // Object-level loss is the row's number; a region loss counts where the stack replicates.
  const rpoMinutes = !versioned ? Number.POSITIVE_INFINITY : (regionLoss ?? 0);
  return {
    environment: env.name,
    store: 'File storage',
    rpoObjectiveMinutes: env.services.files.rpoMinutes,
    rtoObjectiveMinutes: env.backup.applicationRtoMinutes,
    rpoMinutes,
    rtoMinutes: 0,
    rtoNote: 'the bucket stays available in the region; a lost or overwritten object is a copy of its earlier version (`aws s3api list-object-versions`, then `copy-object`)',
    note:
      (versioned ? `0 within the region (versions kept ${keptDays ?? '?'} days)` : 'not versioned: an overwrite or delete is lost') +
      (regionLoss !== undefined
        ? `; region loss: ${regionLoss} min (S3 Replication Time Control to \`${replicaBucket}\`)`
        : replication
          ? '; region loss: replicated without Replication Time Control, so with no bound'
          : '; region loss: no copy outside the region (no `backup.replicaRegion`)'),
    mechanism: `versioned bucket \`${String(bucket.bucket)}\`${replicaBucket ? `, replicated (delete markers not replicated) to \`${replicaBucket}\`` : ''}`,
    alerts: named('aws_cloudwatch_metric_alarm').filter((a) => pathOf(a).includes('services/files-replica/')).map((a) => String(a.alarm_name)).sort(),
  };
}

/** The Markdown table of the rows. */
export function renderTable(rows: readonly RecoveryRow[]): string {
  const lines = [
    '| store | environment | RPO objective | RPO of the mechanism | RTO objective | RTO of the mechanism | mechanism | alerts |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const meets = r.rpoMinutes <= r.rpoObjectiveMinutes ? 'meets' : 'misses';
    const rpo = `${Number.isFinite(r.rpoMinutes) ? `${r.rpoMinutes} min` : 'unbounded'} (${meets})${r.note ? `; ${r.note}` : ''}`;
    const rtoMeets = r.rtoMinutes > r.rtoObjectiveMinutes ? 'misses' : r.rtoLowerBound ? 'meets only if the replay fits' : 'meets';
    const rto = `${r.rtoLowerBound ? '≥ ' : ''}${r.rtoMinutes} min (${rtoMeets}): ${r.rtoNote}`;
    lines.push(`| ${r.store} | ${r.environment} | ${r.rpoObjectiveMinutes} min | ${rpo} | ${r.rtoObjectiveMinutes} min | ${rto} | ${r.mechanism} | ${r.alerts.length > 0 ? r.alerts.join(', ') : 'none'} |`);
  }
  return lines.join('\n');
}

export const START = '<!-- recovery-table:start -->';
export const END = '<!-- recovery-table:end -->';

/** README text with the block between the markers replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} ... ${END} block`);
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

/**
 * The whole table, from every environment synthesized into `synthesized` (a `cdktf synth` output
 * folder) when given, else synthesized here first (the program is loaded only then).
 */
export function generateTable(synthesized?: string): string {
  if (synthesized === undefined) {
    const { buildApp } = require('../stacks/app') as typeof import('../stacks/app');
    return withScratchFolder('recovery-table-', (outdir) => {
      buildApp({ definitions: DEFINITIONS, outdir }).synth();
      return generateTable(outdir);
    });
  }
  const rows: RecoveryRow[] = [];
  for (const env of validateEnvironments(DEFINITIONS)) {
    rows.push(...recoveryRows(env, readStack<Json>(synthesized, namesFor(env).platformStack)));
    const files = fileStorageRow(env, readStack<Json>(synthesized, namesFor(env).cloudStack));
    if (files) rows.push(files);
  }
  const order = ['PostgreSQL', 'MongoDB', 'ChromaDB', 'File storage', 'Vault configuration', 'Vault secrets'];
  rows.sort((x, y) => order.indexOf(x.store) - order.indexOf(y.store));
  return renderTable(rows);
}

function main(): number {
  const readmePath = join(__dirname, '..', '..', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const next = withTable(readme, generateTable());
  if (process.argv.includes('--update-readme')) {
    writeFileSync(readmePath, next);
    process.stdout.write('updated the recovery table in README.md\n');
    return 0;
  }
  if (next !== readme) {
    process.stderr.write('stale: README.md recovery table; run npm run recovery-table -- --update-readme\n');
    return 1;
  }
  process.stdout.write('README.md recovery table is fresh\n');
  return 0;
}

if (require.main === module) process.exit(main());
