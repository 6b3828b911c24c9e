/** The cdktf app command (scripts/app.js): a type error stops the run before anything is written. */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFINITIONS } from '../environments';

jest.setTimeout(120_000);
const root = join(__dirname, '..', '..');

function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'app-command-'));
  for (const entry of ['main.ts', 'tsconfig.json', 'tsconfig.app.json', 'package.json', 'cdktf.json', 'environments', 'constructs', 'features', 'stacks', 'scripts', 'charts']) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

test('a type error stops synth before any file is written', () => {
  const dir = copyProject();
  appendFileSync(join(dir, 'main.ts'), "\nconst wrong: number = 'not a number';\nvoid wrong;\n");
  const run = spawnSync(process.execPath, ['scripts/app.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: join(dir, 'out') } });
  expect(run.status).not.toBe(0);
  expect(run.stdout + run.stderr).toMatch(/TS2322/);
  expect(run.stderr).toMatch(/nothing was synthesized/);
  expect(existsSync(join(dir, 'out'))).toBe(false);
});

test('a clean tree compiles once, synthesizes both stacks of every environment, and reuses the compile when unchanged', () => {
  const dir = copyProject();
  const env = { ...process.env, CDKTF_OUTDIR: join(dir, 'out') };
  const first = spawnSync(process.execPath, ['scripts/app.js'], { cwd: dir, encoding: 'utf8', env });
  expect(first.status).toBe(0);
  expect(existsSync(join(dir, 'dist', '.source-hash-app'))).toBe(true);
  for (const env of DEFINITIONS.map((d) => d.name)) {
    expect(existsSync(join(dir, 'out', 'stacks', env, 'cdk.tf.json'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'stacks', `${env}-platform`, 'cdk.tf.json'))).toBe(true);
  }
  const started = Date.now();
  const second = spawnSync(process.execPath, ['scripts/app.js'], { cwd: dir, encoding: 'utf8', env: { ...env, ENVIRONMENTS: 'staging' } });
  expect(second.status).toBe(0);
  expect(Date.now() - started).toBeLessThan(10_000);
});
