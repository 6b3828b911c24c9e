/**
 * Issue 13: the README's recovery table is generated from the definitions and the synthesized
 * stacks, is fresh, and each row is read from what the stacks run (a changed stack changes the row).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { END, START, fileStorageRow, generateTable, recoveryRows, renderTable, withTable } from '../scripts/recovery-table';
import { Json, environment, shipped } from './helpers';
import { synthesizedApp } from './synth-cache';

jest.setTimeout(300_000);

const prodEnv = environment('production');
const prodPlatform = shipped('production').platform;
const rows = recoveryRows(prodEnv, prodPlatform);
const row = (store: string) => {
  const found = rows.find((r) => r.store === store);
  if (!found) throw new Error(`no row ${store}: ${rows.map((r) => r.store).join(', ')}`);
  return found;
};

describe('recovery table rows (production)', () => {
  test('PostgreSQL: WAL archiving within the 5-minute RPO, its alerts', () => {
    const pg = row('PostgreSQL');
    expect(pg).toMatchObject({ rpoObjectiveMinutes: 5, rpoMinutes: 5, rtoObjectiveMinutes: 15 });
    expect(pg.mechanism).toContain('postgres/g1/');
    expect(pg.alerts).toEqual([
      'PostgresWALArchivingBehind',
      'PostgresWALArchivingFailing',
      'PostgresBaseBackupFailed',
      'PostgresBaseBackupStale',
      'PostgresBackupCheckFailed',
      'PostgresBackupCheckStale',
    ]);
  });

  test('PostgreSQL: the RTO from the newest volume snapshot, bounded by the snapshot schedule of the stack', () => {
    const pg = row('PostgreSQL');
    // 15-minute snapshots, ready within 5: at most 20 minutes of WAL, replayed at 4x in 5; + 5 + 2.
    expect(pg).toMatchObject({ rtoMinutes: 12 });
    expect(pg.rtoLowerBound).toBeUndefined();
    expect(pg.mechanism).toContain('online volume snapshot backups `0 */15 * * * *` (postgres-snapshot-rotation keeps the newest)');
    // An hourly schedule in the stack (the definition check would refuse it) makes the row miss.
    const hourly: Json = JSON.parse(JSON.stringify(prodPlatform));
    for (const r of Object.values(hourly.resource.helm_release) as Json[]) {
      if (r.name === 'postgres') {
        const v = JSON.parse(r.values[0]);
        v.scheduledBackups.find((b: Json) => b.spec.method === 'volumeSnapshot').spec.schedule = '0 0 * * * *';
        r.values = [JSON.stringify(v)];
      }
    }
    const slow = recoveryRows(prodEnv, hourly).find((r) => r.store === 'PostgreSQL')!;
    expect(slow.rtoMinutes).toBe(5 + 2 + Math.ceil(65 / 4));
    expect(renderTable([slow])).toContain('| 15 min | 24 min (misses): ');
    // Snapshots through a class the stack does not create do not count: the S3 path remains.
    const noClass: Json = JSON.parse(JSON.stringify(prodPlatform));
    for (const r of Object.values(noClass.resource.helm_release) as Json[]) {
      if (r.name === 'postgres') {
        const v = JSON.parse(r.values[0]);
        v.cluster.backup.volumeSnapshot.className = 'missing';
        r.values = [JSON.stringify(v)];
      }
    }
    const s3 = recoveryRows(prodEnv, noClass).find((r) => r.store === 'PostgreSQL')!;
    expect(s3.rtoLowerBound).toBe(true);
    expect(renderTable([s3])).toContain('| 15 min | ≥ 236 min (misses): ');
  });

  test('PostgreSQL meets the database RTO in staging and production, from their synthesized stacks', () => {
    for (const name of ['staging', 'production']) {
      const pg = recoveryRows(environment(name), shipped(name).platform).find((r) => r.store === 'PostgreSQL')!;
      expect([name, pg.rtoMinutes <= pg.rtoObjectiveMinutes, pg.rtoLowerBound, pg.rpoMinutes <= pg.rpoObjectiveMinutes]).toEqual([name, true, undefined, true]);
    }
  });

  test('Vault configuration: RPO 0, because vault-configure writes every policy and role its clients use', () => {
    const v = row('Vault configuration');
    expect(v).toMatchObject({ rpoObjectiveMinutes: 0, rpoMinutes: 0, rtoObjectiveMinutes: 30 });
    expect(v.note).toBeUndefined();
    expect(v.mechanism).toMatch(/writes the \d+ policies and \d+ roles its clients use/);
  });

  test('Vault configuration follows the stack: a role vault-configure no longer writes makes the row miss', () => {
    const broken: Json = JSON.parse(JSON.stringify(prodPlatform));
    for (const c of Object.values(broken.resource.kubernetes_config_map_v1) as Json[]) {
      if (c.metadata[0]?.name === 'vault-configure' || c.metadata?.name === 'vault-configure') {
        c.data['configure.sh'] = c.data['configure.sh'].replace(/^vault write auth\/kubernetes\/role\/vault-snapshot .*$/m, '');
      }
    }
    const v = recoveryRows(prodEnv, broken).find((r) => r.store === 'Vault configuration')!;
    expect(v.rpoMinutes).toBe(5);
    expect(v.note).toContain('role vault-snapshot is used but vault-configure does not write auth/kubernetes/role/vault-snapshot');
  });

  test('Vault secrets: a database-class store, 5-minute snapshots replicated offsite; every path re-syncs from a source (the API keys from Secrets Manager); the seal still single-region', () => {
    const v = row('Vault secrets');
    expect(v).toMatchObject({ rpoObjectiveMinutes: 5, rpoMinutes: 5, rtoObjectiveMinutes: 15 });
    expect(v.mechanism).toContain('replicated to ca-west-1');
    expect(v.note).toContain('raft quorum of 3');
    expect(v.note).toContain('6 synced paths re-sync from their sources');
    expect(v.note).not.toContain('no source outside Vault');
    // Without the API keys' sync jobs, the row names the paths that only Vault holds again.
    const cut: Json = JSON.parse(JSON.stringify(prodPlatform));
    for (const [k, j] of Object.entries(cut.resource.kubernetes_cron_job_v1 as Record<string, Json>)) {
      if (String((Array.isArray(j.metadata) ? j.metadata[0] : j.metadata)?.name).startsWith('vault-api-keys-sync')) delete cut.resource.kubernetes_cron_job_v1[k];
    }
    const typed = recoveryRows(prodEnv, cut).find((r) => r.store === 'Vault secrets')!;
    expect(typed.note).toContain('no source outside Vault: `secret/toronto-ai-beta/api`, `secret/toronto-ai/api` (typed in)');
    expect(v.note).toContain('region loss: restorable in ca-west-1 only once `data.vault.seal` is multi-region (now single-region)');
    expect(v.alerts).toEqual(['BackupJobFailedVaultSnapshot', 'BackupStaleVaultSnapshot']);
    const migrated = recoveryRows(environment('production', (d) => (d.data.vault.seal = 'multi-region')), prodPlatform).find((r) => r.store === 'Vault secrets')!;
    expect(migrated.note).not.toContain('region loss');
  });

  test('MongoDB\'s row comes from the stack: the member snapshots (RPO, RTO) beside PBM point-in-time (the psmdb-db release\'s PITR and oplog span)', () => {
    const m = row('MongoDB');
    expect(m).toMatchObject({ rpoMinutes: 5, rpoObjectiveMinutes: 5, rtoMinutes: 7, rtoObjectiveMinutes: 15 });
    expect(m.mechanism).toContain('crash-consistent CSI volume snapshots `*/5 * * * *` of the 3 member volume(s) in one run');
    expect(m.mechanism).toContain('oplog slices every 2 min');
    expect(m.note).toContain('point in time to 2 min through PBM');
    const withoutSnapshots = (json: Json): Json => {
      const cut: Json = JSON.parse(JSON.stringify(json));
      for (const [k, j] of Object.entries(cut.resource.kubernetes_cron_job_v1 as Record<string, Json>)) {
        if ((Array.isArray(j.metadata) ? j.metadata[0] : j.metadata)?.name === 'mongodb-snapshot') delete cut.resource.kubernetes_cron_job_v1[k];
      }
      return cut;
    };
    // Without the snapshot job: PBM alone, the 2-minute RPO and the logical restore's RTO.
    const pitr = recoveryRows(prodEnv, withoutSnapshots(prodPlatform)).find((r) => r.store === 'MongoDB')!;
    expect(pitr).toMatchObject({ rpoMinutes: 2, rtoLowerBound: true });
    expect(pitr.mechanism).toContain('oplog slices every 2 min');
    // The same stack with PITR switched off in the release: the row follows it and misses.
    const off: Json = withoutSnapshots(prodPlatform);
    for (const r of Object.values(off.resource.helm_release) as Json[]) {
      if (r.chart === 'psmdb-db') {
        const v = JSON.parse(r.values[0]);
        v.backup.pitr.enabled = false;
        r.values = [JSON.stringify(v)];
      }
    }
    const noPitr = recoveryRows(prodEnv, off).find((r) => r.store === 'MongoDB')!;
    expect(noPitr.rpoMinutes).toBeGreaterThan(5);
  });

  test('a row says when the mechanism misses the objective, for RPO and RTO', () => {
    expect(renderTable([row('ChromaDB')])).toContain('| 5 min (meets) | 15 min | 7 min (meets): ');
    expect(renderTable([row('MongoDB')])).toContain('| 15 min | 7 min (meets): ');
    expect(renderTable([row('PostgreSQL')])).toContain('| 5 min (meets) | 15 min | 12 min (meets): ');
    expect(renderTable([row('Vault secrets')])).toContain('| 15 min | 5 min (meets): ');
    expect(renderTable([row('Vault configuration')])).toContain('| 0 min (meets) | 30 min | 2 min (meets): ');
  });
});

describe('README.md', () => {
  test('embeds the current recovery table (run: npm run recovery-table -- --update-readme)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(START);
    // From the run's whole-app synth (./synth-cache.ts): what `cdktf synth` writes, as the script reads it.
    expect(withTable(readme, generateTable(synthesizedApp().outdir))).toBe(readme);
  });

  test('replacing the block keeps the text around it', () => {
    expect(withTable(`a\n${START}\nold\n${END}\nb`, 'new')).toBe(`a\n${START}\nnew\n${END}\nb`);
    expect(() => withTable('no markers', 'x')).toThrow(/has no/);
  });
});

describe('File storage row (seed 004: RPO 1 hour), read from the cloud stack', () => {
  const prodCloud = shipped('production').cloud;

  test('production: versions within the region, the RTC replica bounds a region loss to 15 minutes; the replica alarms watch it', () => {
    const f = fileStorageRow(prodEnv, prodCloud)!;
    expect(f).toMatchObject({ store: 'File storage', rpoObjectiveMinutes: 60, rpoMinutes: 15, rtoObjectiveMinutes: 30, rtoMinutes: 0 });
    expect(f.note).toBe('0 within the region (versions kept 90 days); region loss: 15 min (S3 Replication Time Control to `toronto-ai-production-files-444455556666-ca-west-1`)');
    expect(f.alerts).toEqual(['toronto-ai-production-files-replication-failed', 'toronto-ai-production-files-replication-lag']);
    expect(renderTable([f])).toContain('| File storage | production | 60 min | 15 min (meets); ');
  });

  test('staging: versions within the region; no replica, said', () => {
    const f = fileStorageRow(environment('staging'), shipped('staging').cloud)!;
    expect(f).toMatchObject({ rpoMinutes: 0, alerts: [] });
    expect(f.note).toContain('region loss: no copy outside the region');
  });

  test('a stack without versioning on the files bucket misses, and one without RTC loses the region-loss bound', () => {
    const cut = JSON.parse(JSON.stringify(prodCloud)) as Json;
    for (const v of Object.values(cut.resource.aws_s3_bucket_versioning as Record<string, Json>)) v.versioning_configuration.status = 'Suspended';
    const unversioned = fileStorageRow(prodEnv, cut)!;
    expect(renderTable([unversioned])).toContain('| unbounded (misses); not versioned');
    const noRtc = JSON.parse(JSON.stringify(prodCloud)) as Json;
    for (const r of Object.values(noRtc.resource.aws_s3_bucket_replication_configuration as Record<string, Json>)) delete r.rule[0].destination.replication_time;
    expect(fileStorageRow(prodEnv, noRtc)!.note).toContain('region loss: replicated without Replication Time Control, so with no bound');
  });
});
