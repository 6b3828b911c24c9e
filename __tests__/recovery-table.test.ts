/**
 * Issue 13: the README's recovery table is generated from the definitions and the synthesized
 * stacks, is fresh, and each row is read from what the stacks run (a changed stack changes the row).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { END, START, generateTable, recoveryRows, renderTable, withTable } from '../scripts/recovery-table';
import { Json, environment, stacksFor, synth } from './helpers';

jest.setTimeout(300_000);

const prodEnv = environment('production');
const prodPlatform = synth(stacksFor('production').platform);
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
    expect(pg.alerts).toEqual(['PostgresWALArchivingBehind', 'PostgresWALArchivingFailing', 'PostgresBaseBackupFailed', 'PostgresBaseBackupStale']);
  });

  test('Vault: the snapshot interval on a region loss, 0 within the region, its alerts', () => {
    const v = row('Vault (configuration)');
    expect(v).toMatchObject({ rpoObjectiveMinutes: 0, rpoMinutes: 5, rtoObjectiveMinutes: 30 });
    expect(v.note).toContain('raft quorum of 3');
    expect(v.alerts).toEqual(['BackupJobFailedVaultSnapshot', 'BackupStaleVaultSnapshot']);
  });

  test('MongoDB\'s row comes from the stack: the dump CronJob today, PBM point-in-time when the stack runs it', () => {
    const dump = row('MongoDB');
    expect(dump.mechanism).toMatch(/^mongodump /);
    expect(dump.rpoMinutes).toBe(360);
    // The same stack with a psmdb-db release whose PITR is on: the row follows it.
    const withPitr: Json = JSON.parse(JSON.stringify(prodPlatform));
    withPitr.resource.helm_release.psmdb = { name: 'mongodb', chart: 'psmdb-db', values: [JSON.stringify({ backup: { pitr: { enabled: true, oplogSpanMin: 5 } } })] };
    const pitr = recoveryRows(prodEnv, withPitr).find((r) => r.store === 'MongoDB')!;
    expect(pitr).toMatchObject({ rpoMinutes: 5, rpoObjectiveMinutes: 5 });
    expect(pitr.mechanism).toContain('oplog slices every 5 min');
  });

  test('a row says when the mechanism misses the objective', () => {
    expect(renderTable([row('MongoDB')])).toContain('| 360 min (misses) |');
    expect(renderTable([row('PostgreSQL')])).toContain('| 5 min (meets) |');
  });
});

describe('README.md', () => {
  test('embeds the current recovery table (run: npm run recovery-table -- --update-readme)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(START);
    expect(withTable(readme, generateTable())).toBe(readme);
  });

  test('replacing the block keeps the text around it', () => {
    expect(withTable(`a\n${START}\nold\n${END}\nb`, 'new')).toBe(`a\n${START}\nnew\n${END}\nb`);
    expect(() => withTable('no markers', 'x')).toThrow(/has no/);
  });
});
