/**
 * The cdktf app command (scripts/app.js): a type error stops the run before anything is written; a
 * clean tree synthesizes every stack; a run that would write what is already there is skipped.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITIONS } from '../environments';
import { typeChecker } from '../scripts/type-checker-api';
import { scratchDir } from './scratch';

jest.setTimeout(120_000);
const root = join(__dirname, '..', '..');
/**
 * A one-environment selection. A synth of all four environments costs about 5 s of CPU; what most
 * tests here check (type errors, the up-to-date stamp, forcing, rewriting) does not depend on how
 * many environments are selected, so only the first synth and the up-to-date check after it
 * cover every environment. The stamp is keyed by the selection: a selection must have been
 * synthesized once before a test can expect it to be up to date.
 */
const STAGING: NodeJS.ProcessEnv = { ENVIRONMENTS: 'staging' };

function copyProject(): string {
  const dir = scratchDir('app-command-');
  for (const entry of ['main.ts', 'tsconfig.json', 'tsconfig.app.json', 'package.json', 'cdktf.json', 'environments', 'constructs', 'features', 'stacks', 'scripts', 'charts']) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

test('a type error stops synth before any file is written', () => {
  const dir = copyProject();
  appendFileSync(join(dir, 'main.ts'), "\nconst wrong: number = 'not a number';\nvoid wrong;\n");
  // One environment (see STAGING below): the app synthesizes beside the type check and discards it
  // on the error whatever the selection, so all four would only cost more CPU.
  const run = spawnSync(process.execPath, ['scripts/app.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: join(dir, 'out'), ...STAGING } });
  expect(run.status).not.toBe(0);
  expect(run.stdout + run.stderr).toMatch(/TS2322/);
  expect(run.stderr).toMatch(/nothing was synthesized/);
  expect(existsSync(join(dir, 'out'))).toBe(false);
  // The program was built and synthesized beside the output while the check ran; that is gone too.
  expect(existsSync(join(dir, 'out.staging'))).toBe(false);
});

describe('a synth that would write what is already there is skipped, and only then', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const out = () => join(dir, 'out');
  const stagingPlatform = () => join(out(), 'stacks', 'staging-platform', 'cdk.tf.json');
  const run = (extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, ['scripts/app.js'], { cwd: dir, encoding: 'utf8', env: { ...env, ...extra } });
  const UP_TO_DATE = /out is up to date: no input changed since the last synth/;

  beforeAll(() => {
    dir = copyProject();
    env = { ...process.env, CDKTF_OUTDIR: join(dir, 'out') };
    delete env.ENVIRONMENTS;
    delete env.TORONTO_AI_FORCE_SYNTH;
    const first = run();
    expect(first.status).toBe(0);
    expect(existsSync(join(dir, 'dist', '.source-hash-app'))).toBe(true);
    for (const name of DEFINITIONS.map((d) => d.name)) {
      expect(existsSync(join(out(), 'stacks', name, 'cdk.tf.json'))).toBe(true);
      expect(existsSync(join(out(), 'stacks', `${name}-platform`, 'cdk.tf.json'))).toBe(true);
    }
  });

  test('nothing changed: the output is verified byte for byte and the program is not loaded', () => {
    const before = readFileSync(stagingPlatform(), 'utf8');
    const again = run();
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(UP_TO_DATE);
    expect(readFileSync(stagingPlatform(), 'utf8')).toBe(before);
  });

  // From here on the tests run on the staging selection (STAGING), which this test synthesizes first.
  test('another selection of environments synthesizes that selection', () => {
    const staging = run(STAGING);
    expect(staging.status).toBe(0);
    expect(staging.stdout).not.toMatch(UP_TO_DATE);
    const manifest = JSON.parse(readFileSync(join(out(), 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
    expect(Object.keys(manifest.stacks).sort()).toEqual(['staging', 'staging-platform']);
  });

  test('an edited output file is rewritten by a full synth; what Terraform keeps beside it stays', () => {
    // Up to date before the edit, so that only the edit can make the next run synthesize.
    expect(run(STAGING).stdout).toMatch(UP_TO_DATE);
    const original = readFileSync(stagingPlatform(), 'utf8');
    writeFileSync(stagingPlatform(), '{}');
    // Terraform's working files in the stack's folder (providers, lock file) are not the synth's.
    const stackDir = join(out(), 'stacks', 'staging-platform');
    mkdirSync(join(stackDir, '.terraform'), { recursive: true });
    writeFileSync(join(stackDir, '.terraform', 'marker'), 'kept');
    writeFileSync(join(stackDir, '.terraform.lock.hcl'), '# lock');
    const again = run(STAGING);
    expect(again.status).toBe(0);
    expect(again.stdout).not.toMatch(UP_TO_DATE);
    expect(readFileSync(stagingPlatform(), 'utf8')).toBe(original);
    expect(readFileSync(join(stackDir, '.terraform', 'marker'), 'utf8')).toBe('kept');
    expect(readFileSync(join(stackDir, '.terraform.lock.hcl'), 'utf8')).toBe('# lock');
    expect(existsSync(join(dir, 'out.staging'))).toBe(false);
  });

  test('TORONTO_AI_FORCE_SYNTH=1 always synthesizes', () => {
    expect(run(STAGING).stdout).toMatch(UP_TO_DATE);
    expect(run({ ...STAGING, TORONTO_AI_FORCE_SYNTH: '1' }).stdout).not.toMatch(UP_TO_DATE);
  });

  test('a changed definition synthesizes, and the output shows the change', () => {
    const file = join(dir, 'environments', 'staging.ts');
    const source = readFileSync(file, 'utf8');
    expect(source).toMatch(/activeColour: 'blue'/);
    const before = readFileSync(stagingPlatform(), 'utf8');
    writeFileSync(file, source.replace("activeColour: 'blue'", "activeColour: 'green'"));
    try {
      const again = run(STAGING);
      expect(again.status).toBe(0);
      expect(again.stdout).not.toMatch(UP_TO_DATE);
      expect(readFileSync(stagingPlatform(), 'utf8')).not.toBe(before);
      expect(run(STAGING).stdout).toMatch(UP_TO_DATE);
    } finally {
      writeFileSync(file, source);
    }
  });

  test('a compiled file whose source is gone is removed by the next compile (a deleted test never runs from dist/)', () => {
    const orphan = join(dir, 'dist', '__tests__', 'deleted.test.js');
    mkdirSync(join(dir, 'dist', '__tests__'), { recursive: true });
    writeFileSync(orphan, 'test("gone", () => {});');
    writeFileSync(`${orphan}.map`, '{}');
    const live = join(dir, 'dist', 'constructs', 'common', 'pod-security.js');
    expect(existsSync(live)).toBe(true);
    rmSync(join(dir, 'dist', '.source-hash-app'), { force: true });
    const compile = spawnSync(process.execPath, ['scripts/app.js', '--compile-only'], { cwd: dir, encoding: 'utf8', env });
    expect(compile.status).toBe(0);
    expect([existsSync(orphan), existsSync(`${orphan}.map`), existsSync(live)]).toEqual([false, false, true]);
  });
});

describe('the type checker (scripts/type-checker.js)', () => {
  test('is TypeScript 7\'s native compiler where npm installed its binary for this platform', () => {
    const checker = typeChecker(root);
    const installed = existsSync(join(root, 'node_modules', '@typescript', `typescript-${process.platform}-${process.arch}`));
    expect(checker.native).toBe(installed);
    const version = spawnSync(checker.command, [...checker.args, '--version'], { encoding: 'utf8' });
    expect(version.stdout).toMatch(installed ? /^Version 7\./ : /^Version 5\.9\./);
  });

  test('falls back to TypeScript 5.9, and says so, where the native binary is absent', () => {
    const dir = scratchDir('type-checker-');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(root, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'), 'dir');
    const checker = typeChecker(dir);
    expect(checker.native).toBe(false);
    expect(checker.note).toMatch(/native compiler is not installed .* checking with TypeScript 5\.9/);
    expect(spawnSync(checker.command, [...checker.args, '--version'], { encoding: 'utf8' }).stdout).toMatch(/^Version 5\.9\./);
  });
});
