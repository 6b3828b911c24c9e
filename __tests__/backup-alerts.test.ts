/** Issue 13: alert rules for failed and stale backups and for WAL archiving, from the schedules. */
import { backupAlertRules, cronMaxGapSeconds } from '../constructs/observability/backup-alerts';
import { DEFINITIONS } from '../environments';
import { Json, resourceAt, resources, shipped } from './helpers';

const HOUR = 3600;
const DAY = 24 * HOUR;

describe('cronMaxGapSeconds', () => {
  test.each([
    ['30 */6 * * *', 6 * HOUR],
    ['0 3 * * *', DAY],
    ['0 0 2 * * *', DAY], // six fields, seconds first (CloudNativePG)
    ['*/5 * * * *', 5 * 60],
    ['0 2 * * 0', 7 * DAY],
    ['0 9,17 * * 1-5', 64 * HOUR], // Friday 17:00 to Monday 09:00
    ['0 0 1 * *', 31 * DAY],
    ['0 0 29 2 *', 4 * 365 * DAY], // leap day only: longer than the two years walked
    // Every day the same times (no day or month restriction): computed within a day and across midnight.
    ['15,45 1,23 * * *', 21 * HOUR + 30 * 60],
    ['10 4,5 * * *', 23 * HOUR],
    ['0 */7 * * *', 7 * HOUR], // 0, 7, 14 and 21 h: 21:00 to midnight is only 3 h
    ['0 0 * 1-6 *', 185 * DAY], // restricted months: walked (30 June to 1 January)
  ])('%s: longest gap %d s', (schedule, gap) => {
    if (gap > 2 * 366 * DAY) {
      expect(() => cronMaxGapSeconds(schedule)).toThrow(/less than once in two years/);
    } else {
      expect(cronMaxGapSeconds(schedule)).toBe(gap);
    }
  });

  test('day of month and day of week combine as cron does (either, when both are restricted)', () => {
    // The 1st of each month or every Monday: never more than a week apart.
    expect(cronMaxGapSeconds('0 0 1 * 1')).toBeLessThanOrEqual(7 * DAY);
  });

  test.each(['0 24 * * *', '61 * * * *', 'a * * * *', '0 0 * *', '0 0 0 * *', '0 0 * 13 *', '5-1 * * * *'])('%s is refused', (schedule) => {
    expect(() => cronMaxGapSeconds(schedule)).toThrow();
  });
});

describe('backupAlertRules', () => {
  const rules = backupAlertRules({
    cronJobs: [{ namespace: 'data', name: 'mongodb-backup', schedule: '30 */6 * * *', deadlineSeconds: 3600 }],
    postgres: {
      namespace: 'data',
      baseBackupSchedule: '0 0 2 * * *',
      rpoMinutes: 5,
      snapshotBackups: { namespace: 'data', name: 'postgres-snapshot-rotation', schedule: '*/10 * * * *', deadlineSeconds: 540, snapshotSchedule: '0 */15 * * * *', maxAgeSeconds: 1800 },
    },
    mongodb: { namespace: 'data', baseBackupSchedule: '30 */6 * * *', oplogSpanMinutes: 2, rpoMinutes: 5 },
  });
  const rule = (name: string) => {
    const found = rules.find((r) => r.alert === name);
    if (!found) throw new Error(`no rule ${name}: ${rules.map((r) => r.alert).join(', ')}`);
    return found;
  };

  test('a backup job whose last run did not succeed by its deadline fires, also when it never succeeded', () => {
    const failed = rule('BackupJobFailedMongodbBackup');
    expect(failed.expr).toContain('kube_cronjob_status_last_schedule_time{namespace="data",cronjob="mongodb-backup"} - kube_cronjob_status_last_successful_time{namespace="data",cronjob="mongodb-backup"}');
    expect(failed.expr).toContain('unless on (namespace, cronjob) kube_cronjob_status_last_successful_time');
    expect(failed.for).toBe('65m');
    expect(failed.expr.endsWith(`${failed.comparison} ${failed.threshold}`)).toBe(true);
    expect(failed.severity).toBe('critical');
  });

  test("a backup older than its schedule's longest gap plus the deadline fires", () => {
    const stale = rule('BackupStaleMongodbBackup');
    expect(stale.threshold).toBe(6 * HOUR + 3600);
    expect(stale.expr).toBe(`time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{namespace="data",cronjob="mongodb-backup"}) > ${6 * HOUR + 3600}`);
  });

  test('WAL waiting longer than the RPO, archiver failures, and failed or overdue base backups fire', () => {
    const behind = rule('PostgresWALArchivingBehind');
    expect(behind.for).toBe('5m');
    expect(behind.expr).toBe('max by (namespace, pod) (cnpg_collector_pg_wal_archive_status{namespace="data",value="ready"}) > 0');
    expect(rule('PostgresWALArchivingFailing').expr).toContain('increase(cnpg_pg_stat_archiver_failed_count{namespace="data"}[10m])');
    expect(rule('PostgresBaseBackupFailed').expr).toContain('cnpg_collector_last_failed_backup_timestamp');
    expect(rule('PostgresBaseBackupStale').threshold).toBe(DAY + 6 * HOUR);
    for (const r of rules) expect(r.expr.endsWith(`${r.comparison} ${r.threshold}`)).toBe(true);
  });

  test('PostgreSQL volume snapshot backups: the check job found the newest failed or overdue, or the check itself is not running', () => {
    const failed = rule('PostgresBackupCheckFailed');
    const sel = 'namespace="data",cronjob="postgres-snapshot-rotation"';
    expect(failed.expr).toContain(`kube_cronjob_status_last_schedule_time{${sel}} - kube_cronjob_status_last_successful_time{${sel}}`);
    expect(failed.expr).toContain('unless on (namespace, cronjob) kube_cronjob_status_last_successful_time');
    expect(failed.for).toBe('14m'); // the run's deadline (9 min) + 5
    expect(failed.severity).toBe('critical');
    expect(failed.description).toContain('older than 1800 s (schedule 0 */15 * * * *), or the newest base backup failed or overdue');
    const stale = rule('PostgresBackupCheckStale');
    expect(stale.threshold).toBe(600 + 540);
    expect(stale.expr).toBe(`time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${sel}}) > 1140`);
    // Without snapshot backups, no snapshot rules.
    const without = backupAlertRules({ cronJobs: [], postgres: { namespace: 'data', baseBackupSchedule: '0 0 2 * * *', rpoMinutes: 5 } });
    expect(without.map((r) => r.alert).filter((a) => a.includes('BackupCheck'))).toEqual([]);
  });

  test('MongoDB: PITR off or an agent unhealthy for longer than the RPO, failed or overdue base backups fire (PBM collector metrics)', () => {
    const pitr = rule('MongoDBPITRNotRunning');
    expect(pitr.for).toBe('5m');
    expect(pitr.expr).toBe('min by (namespace) (mongodb_pbm_cluster_pitr_backup_enabled{namespace="data"} or on () (0 * mongodb_pbm_cluster_backup_configured{namespace="data"})) == 0');
    const agent = rule('MongoDBBackupAgentUnhealthy');
    expect(agent.for).toBe('5m');
    expect(agent.expr).toBe('max by (namespace, host) (mongodb_pbm_agent_status{namespace="data"}) > 0');
    expect(rule('MongoDBBaseBackupFailed').expr).toContain('mongodb_pbm_backup_last_transition_ts{namespace="data",status="error"}');
    const stale = rule('MongoDBBaseBackupStale');
    expect(stale.threshold).toBe(6 * HOUR + 6 * HOUR);
    expect(stale.expr).toBe(`time() - max by (namespace) (mongodb_pbm_backup_last_transition_ts{namespace="data",status="done"}) > ${12 * HOUR}`);
  });
});

describe('every environment: the monitoring release alerts on every backup it runs', () => {
  test.each(DEFINITIONS.map((d) => d.name as string))('%s', (name: string) => {
    const json = shipped(name).platform;
    const release = resourceAt(json, 'helm_release', 'monitoring/kube-prometheus-stack/release');
    expect(release.values).toHaveLength(1);
    const values = JSON.parse(release.values[0]);
    const file = values.additionalPrometheusRulesMap['toronto-ai-backups'];
    expect(file.groups).toHaveLength(1);
    const rules: { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }[] = file.groups[0].rules;
    // The platform's own rule file is still there, untouched.
    expect(values.additionalPrometheusRulesMap['toronto-ai-platform'].groups[0].rules.length).toBeGreaterThan(5);
    const backupJobs = resources(json, 'kubernetes_cron_job_v1').filter((c: Json) => c.metadata.labels?.['app.kubernetes.io/component'] === 'backup');
    expect(backupJobs.length).toBeGreaterThan(0);
    for (const job of backupJobs) {
      // Each backup CronJob is watched by exactly a failed-run rule and a staleness rule.
      const sel = `namespace="${job.metadata.namespace}",cronjob="${job.metadata.name}"`;
      // (The PostgreSQL snapshot check job's rules carry names of their own.)
      const covering = rules
        .filter((r) => r.expr.includes(sel))
        .map((r) => r.alert.replace(/^(BackupJobFailed.*|PostgresBackupCheckFailed)$/, 'BackupJobFailed').replace(/^(BackupStale.*|PostgresBackupCheckStale)$/, 'BackupStale'));
      expect([job.metadata.name, covering.sort()]).toEqual([job.metadata.name, ['BackupJobFailed', 'BackupStale']]);
    }
    for (const alert of ['PostgresWALArchivingBehind', 'PostgresWALArchivingFailing', 'PostgresBaseBackupFailed', 'PostgresBaseBackupStale', 'MongoDBPITRNotRunning', 'MongoDBBackupAgentUnhealthy', 'MongoDBBaseBackupFailed', 'MongoDBBaseBackupStale', 'PostgresBackupCheckFailed', 'PostgresBackupCheckStale']) {
      expect(rules.map((r) => r.alert)).toContain(alert);
    }
    for (const r of rules) {
      expect(r.labels).toMatchObject({ environment: name });
      expect(r.annotations.runbook_url).toMatch(/#alert-decision-matrix$/);
    }
  });
});
