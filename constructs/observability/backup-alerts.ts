/**
 * Alert rules that say when a backup does not meet its objective (BAK-3, issue 13): a backup job
 * whose last run did not succeed, a backup older than its schedule allows, PostgreSQL WAL
 * archiving falling behind the recovery point objective or failing, and a base backup that failed
 * or is overdue, and a PostgreSQL volume snapshot or base backup that failed or is overdue (through
 * the job that rotates and checks them). They are generated from the schedules the backups actually run on, so a changed
 * schedule moves its staleness threshold with it.
 *
 * Metrics: kube-state-metrics (`kube_cronjob_status_last_schedule_time`,
 * `kube_cronjob_status_last_successful_time`) and the CloudNativePG instance collector
 * (`cnpg_collector_pg_wal_archive_status`, `cnpg_pg_stat_archiver_failed_count`,
 * `cnpg_collector_last_available_backup_timestamp`, `cnpg_collector_last_failed_backup_timestamp`),
 * and for MongoDB the PBM collector of mongodb_exporter 0.53 (`--collect-all` includes it):
 * `mongodb_pbm_cluster_backup_configured`, `mongodb_pbm_cluster_pitr_backup_enabled`,
 * `mongodb_pbm_agent_status` (0 ok, 1 error, 2 lost) and `mongodb_pbm_backup_last_transition_ts`
 * (per backup, labelled with its `status`). Neither PBM nor the operator exposes how far the oplog
 * slices lag: the PITR rules watch the conditions under which slicing stops (PITR off, no PBM
 * configuration, an agent in error or lost) for longer than the RPO.
 */
import { AlertRule, Duration } from './alert-rules';
import { cronMaxGapSeconds } from '../../environments/cron';

// Kept importable from here (the alerts' own module) and from environments/cron.ts, where the
// definition check uses it too (environments import no later layer).
export { cronMaxGapSeconds };

/** A backup that runs as a Kubernetes CronJob. */
export interface BackupCronJob {
  readonly namespace: string;
  /** The CronJob's name (kube-state-metrics' `cronjob` label). */
  readonly name: string;
  /** Its schedule: five cron fields (or six, seconds first). */
  readonly schedule: string;
  /** The Job's `activeDeadlineSeconds`: a run that has not succeeded by then has failed. */
  readonly deadlineSeconds: number;
}

/** PostgreSQL (CloudNativePG) continuous archiving and scheduled base backups. */
export interface PostgresBackups {
  readonly namespace: string;
  /** Scheduled base backups (six fields, seconds first, as CloudNativePG takes them). */
  readonly baseBackupSchedule: string;
  /** The database recovery point objective: WAL must reach the bucket within it. */
  readonly rpoMinutes: number;
  /**
   * Issue 13: the job that rotates the volume snapshot backups and checks them and the base
   * backups (constructs/data/snapshot-backup-rotation.ts): a run fails when, for either, the newest
   * finished backup failed or the newest completed one is older than its schedule allows
   * (`maxAgeSeconds` for the snapshots). CloudNativePG's backup metrics take the newest backup of
   * any method, so PostgresBaseBackupFailed/Stale alone no longer see an overdue base backup.
   */
  readonly snapshotBackups?: BackupCronJob & { readonly snapshotSchedule: string; readonly maxAgeSeconds: number };
}

/** MongoDB (Percona Backup for MongoDB): continuous oplog slices and scheduled base backups. */
export interface MongoDbBackups {
  readonly namespace: string;
  /** Base backups (five-field cron). */
  readonly baseBackupSchedule: string;
  /** The oplog slice span (minutes). */
  readonly oplogSpanMinutes: number;
  /** The database recovery point objective. */
  readonly rpoMinutes: number;
}

export interface BackupAlertProps {
  readonly cronJobs: readonly BackupCronJob[];
  readonly postgres?: PostgresBackups;
  readonly mongodb?: MongoDbBackups;
}

const MINUTE = 60;

/** A Prometheus duration for a number of seconds (whole minutes, rounded up). */
function minutes(seconds: number): Duration {
  return `${Math.ceil(seconds / MINUTE)}m`;
}

const selector = (job: BackupCronJob) => `namespace="${job.namespace}",cronjob="${job.name}"`;

/** The alert rules of the backups (see the module comment). */
export function backupAlertRules(props: BackupAlertProps): AlertRule[] {
  const rules: AlertRule[] = [];
  for (const job of props.cronJobs) {
    const id = job.name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
    // The last scheduled run has not succeeded, and its deadline has passed.
    rules.push({
      alert: `BackupJobFailed${id}`,
      // A CronJob that never succeeded has no last_successful_time: its last schedule time counts.
      expr:
        `max by (namespace, cronjob) ((kube_cronjob_status_last_schedule_time{${selector(job)}} - kube_cronjob_status_last_successful_time{${selector(job)}})` +
        ` or (kube_cronjob_status_last_schedule_time{${selector(job)}} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${selector(job)}})) > 0`,
      for: minutes(job.deadlineSeconds + 5 * MINUTE),
      comparison: '>',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: `Backup ${job.namespace}/${job.name}: the last run did not succeed`,
      description: `The last scheduled run of ${job.namespace}/${job.name} has not succeeded within its deadline: this run made no backup (no copy in the bucket, or no ready volume snapshot). Read the failed Job's logs (kubectl -n ${job.namespace} get jobs).`,
      source: 'issue 13 backup monitoring (BAK-3)',
    });
    // No successful run for longer than the schedule's longest gap plus the deadline.
    const staleAfter = cronMaxGapSeconds(job.schedule) + job.deadlineSeconds;
    rules.push({
      alert: `BackupStale${id}`,
      expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${selector(job)}}) > ${staleAfter}`,
      for: '10m',
      comparison: '>',
      threshold: staleAfter,
      severity: 'critical',
      decision: 'investigate',
      summary: `Backup ${job.namespace}/${job.name} is older than its schedule allows`,
      description: `No run of ${job.namespace}/${job.name} has succeeded for {{ $value | humanizeDuration }}; its schedule (${job.schedule}) and deadline allow ${staleAfter} s.`,
      source: 'issue 13 backup monitoring (BAK-3)',
    });
  }
  const pg = props.postgres;
  if (pg) {
    const ns = `namespace="${pg.namespace}"`;
    rules.push({
      alert: 'PostgresWALArchivingBehind',
      expr: `max by (namespace, pod) (cnpg_collector_pg_wal_archive_status{${ns},value="ready"}) > 0`,
      for: `${pg.rpoMinutes}m`,
      comparison: '>',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: `PostgreSQL WAL in ${pg.namespace} has waited to be archived for longer than the ${pg.rpoMinutes}-minute RPO`,
      description: 'WAL segments have been ready to archive without reaching the backup bucket for longer than the recovery point objective: a restore now would lose more than the RPO. Check the barman-cloud archive command in the primary\'s log and the backup role.',
      source: 'seed 004 recovery objectives (database RPO 5 minutes)',
    });
    rules.push({
      alert: 'PostgresWALArchivingFailing',
      expr: `max by (namespace, pod) (increase(cnpg_pg_stat_archiver_failed_count{${ns}}[10m])) > 0`,
      for: '5m',
      comparison: '>',
      threshold: 0,
      severity: 'warning',
      decision: 'investigate',
      summary: `PostgreSQL WAL archiving fails in ${pg.namespace}`,
      description: 'The archiver reported failed attempts in the last 10 minutes (pg_stat_archiver.failed_count).',
      source: 'issue 13 backup monitoring (BAK-3)',
    });
    rules.push({
      alert: 'PostgresBaseBackupFailed',
      expr: `max by (namespace) (cnpg_collector_last_failed_backup_timestamp{${ns}}) - max by (namespace) (cnpg_collector_last_available_backup_timestamp{${ns}}) > 0`,
      for: '5m',
      comparison: '>',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: `The last PostgreSQL base backup in ${pg.namespace} failed`,
      description: 'The most recent base backup failed after the last one that succeeded (kubectl -n data get backups).',
      source: 'issue 13 backup monitoring (BAK-3)',
    });
    const staleAfter = cronMaxGapSeconds(pg.baseBackupSchedule) + 6 * 3600;
    rules.push({
      alert: 'PostgresBaseBackupStale',
      expr: `time() - max by (namespace) (cnpg_collector_last_available_backup_timestamp{${ns}}) > ${staleAfter}`,
      for: '10m',
      comparison: '>',
      threshold: staleAfter,
      severity: 'warning',
      decision: 'investigate',
      summary: `The newest PostgreSQL base backup in ${pg.namespace} is older than its schedule allows`,
      description: `The newest base backup is {{ $value | humanizeDuration }} old; the schedule (${pg.baseBackupSchedule}) allows ${staleAfter} s (its longest gap plus 6 hours to complete). Point-in-time recovery replays WAL from it, so an old base backup lengthens the RTO.`,
      source: 'issue 13 backup monitoring (BAK-3)',
    });
  }
  const snap = pg?.snapshotBackups;
  if (snap) {
    rules.push({
      alert: 'PostgresBackupCheckFailed',
      // The check job's last scheduled run has not succeeded (a job that never succeeded counts).
      expr:
        `max by (namespace, cronjob) ((kube_cronjob_status_last_schedule_time{${selector(snap)}} - kube_cronjob_status_last_successful_time{${selector(snap)}})` +
        ` or (kube_cronjob_status_last_schedule_time{${selector(snap)}} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${selector(snap)}})) > 0`,
      for: minutes(snap.deadlineSeconds + 5 * MINUTE),
      comparison: '>',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: `The newest PostgreSQL volume snapshot backup or base backup in ${snap.namespace} failed or is older than its schedule allows`,
      description: `${snap.namespace}/${snap.name} found the newest volume snapshot backup failed or older than ${snap.maxAgeSeconds} s (schedule ${snap.snapshotSchedule}), or the newest base backup failed or overdue; its log names which. An old snapshot makes a restore replay more WAL, beyond the RTO. Read the Job's log (kubectl -n ${snap.namespace} logs job/<latest ${snap.name} job>) and the Backup (kubectl -n ${snap.namespace} describe backup <name>).`,
      source: 'seed 004 recovery objectives (database RTO 15 minutes)',
    });
    const staleAfter = cronMaxGapSeconds(snap.schedule) + snap.deadlineSeconds;
    rules.push({
      alert: 'PostgresBackupCheckStale',
      expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${selector(snap)}}) > ${staleAfter}`,
      for: '10m',
      comparison: '>',
      threshold: staleAfter,
      severity: 'critical',
      decision: 'investigate',
      summary: `Nothing has confirmed fresh PostgreSQL backups in ${snap.namespace} for longer than the check's schedule allows`,
      description: `No run of ${snap.namespace}/${snap.name} has succeeded for {{ $value | humanizeDuration }} (its schedule ${snap.schedule} and deadline allow ${staleAfter} s): either backups are failing or overdue (PostgresBackupCheckFailed) or the job does not run, and old snapshots are not pruned.`,
      source: 'issue 13 backup monitoring (BAK-3)',
    });
  }
  const m = props.mongodb;
  if (m) {
    const ns = `namespace="${m.namespace}"`;
    rules.push({
      alert: 'MongoDBPITRNotRunning',
      // Without a PBM configuration the collector emits no PITR series: `configured` (0) stands in.
      expr: `min by (namespace) (mongodb_pbm_cluster_pitr_backup_enabled{${ns}} or on () (0 * mongodb_pbm_cluster_backup_configured{${ns}})) == 0`,
      for: `${m.rpoMinutes}m`,
      comparison: '==',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: `MongoDB point-in-time recovery in ${m.namespace} is off`,
      description: 'PBM has no configuration or its PITR (oplog slicing) is disabled: no oplog reaches the backup bucket, so a restore now would lose everything since the last base backup. The operator turns PITR off during a restore and until a base backup exists after it.',
      source: 'seed 004 recovery objectives (database RPO 5 minutes)',
    });
    rules.push({
      alert: 'MongoDBBackupAgentUnhealthy',
      expr: `max by (namespace, host) (mongodb_pbm_agent_status{${ns}}) > 0`,
      for: `${m.rpoMinutes}m`,
      comparison: '>',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: `A PBM agent in ${m.namespace} is in error or lost ({{ $labels.host }})`,
      description: `The backup-agent sidecar of {{ $labels.host }} has reported an error or stopped reporting for longer than the ${m.rpoMinutes}-minute RPO. The agent uploads the oplog slices (every ${m.oplogSpanMinutes} minutes) and the base backups; read its log (kubectl -n ${m.namespace} logs <pod> -c backup-agent).`,
      source: 'seed 004 recovery objectives (database RPO 5 minutes)',
    });
    const done = `mongodb_pbm_backup_last_transition_ts{${ns},status="done"}`;
    const failed = `mongodb_pbm_backup_last_transition_ts{${ns},status="error"}`;
    rules.push({
      alert: 'MongoDBBaseBackupFailed',
      // A cluster with a failed backup and none done yet counts too.
      expr: `max by (namespace) ((max by (namespace) (${failed}) - max by (namespace) (${done})) or (max by (namespace) (${failed}) unless on (namespace) max by (namespace) (${done}))) > 0`,
      for: '5m',
      comparison: '>',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: `The last MongoDB base backup in ${m.namespace} failed`,
      description: `The most recent PBM base backup failed after the last one that succeeded (kubectl -n ${m.namespace} get psmdb-backup).`,
      source: 'issue 13 backup monitoring (BAK-3)',
    });
    const staleAfter = cronMaxGapSeconds(m.baseBackupSchedule) + 6 * 3600;
    rules.push({
      alert: 'MongoDBBaseBackupStale',
      expr: `time() - max by (namespace) (${done}) > ${staleAfter}`,
      for: '10m',
      comparison: '>',
      threshold: staleAfter,
      severity: 'warning',
      decision: 'investigate',
      summary: `The newest MongoDB base backup in ${m.namespace} is older than its schedule allows`,
      description: `The newest PBM base backup is {{ $value | humanizeDuration }} old; the schedule (${m.baseBackupSchedule}) allows ${staleAfter} s (its longest gap plus 6 hours to complete). Point-in-time recovery replays the oplog from it, so an old base backup lengthens the RTO.`,
      source: 'issue 13 backup monitoring (BAK-3)',
    });
  }
  return rules;
}
