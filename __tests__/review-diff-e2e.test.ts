/**
 * The reviewer diff end to end, typed the way the README tells a person to, in temporary git
 * clones of this repository (its working tree committed in the clone, node_modules linked):
 *
 *   npm run synth                      (the app command of cdktf.json, as `cdktf synth` runs it)
 *   edit a pool's maxSize in environments/<env>.ts
 *   npm run diff -- --base HEAD
 *
 * Two clones share one temporary directory (TMPDIR), in the order that exposed the old shared
 * base cache: clone A builds and caches its base after a synth of the unedited tree (the stale
 * stamp case), then clone B diffs its unedited tree (synthesized once and kept as the base's
 * entry), another edit, and that edit undone (nothing synthesized), then A again.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFINITIONS } from '../environments';
import { baseCacheKey } from '../scripts/review-diff';
import { scratchDir } from './scratch';

jest.setTimeout(20 * 60_000);
const ROOT = join(__dirname, '..', '..');

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a person's shell: no environment selection or cdktf setting of this one. */
function shellEnv(scratch: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (k !== 'ENVIRONMENTS' && !k.startsWith('CDKTF_')) env[k] = v;
  return { ...env, TMPDIR: join(scratch, 'tmp'), CHECKPOINT_DISABLE: '1', ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function git(args: string[], cwd: string): string {
  const r = run('git', ['-c', 'user.name=review-diff-test', '-c', 'user.email=review-diff-test@example.com', ...args], cwd, process.env);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A clone of this repository whose HEAD holds its working tree as it is now. */
function cloneRepository(scratch: string, name: string): string {
  const dir = join(scratch, name);
  git(['clone', '--quiet', ROOT, dir], scratch);
  const changed = [...git(['diff', '--name-only', '-z', 'HEAD'], ROOT).split('\0'), ...git(['ls-files', '--others', '--exclude-standard', '-z'], ROOT).split('\0')].filter(Boolean);
  for (const file of changed) {
    if (existsSync(join(ROOT, file))) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(dir, file));
    } else {
      rmSync(join(dir, file), { force: true });
    }
  }
  if (git(['status', '--porcelain'], dir).trim()) {
    git(['add', '-A'], dir);
    git(['commit', '--quiet', '-m', 'the working tree under test'], dir);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `npm run synth`: the app command of cdktf.json, with cdktf's output folder (what `cdktf synth` runs). */
function npmRunSynth(dir: string, env: NodeJS.ProcessEnv): Run {
  const [cmd, ...args] = String(JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')).app).split(/\s+/);
  return run(cmd === 'node' ? process.execPath : cmd, args, dir, { ...env, CDKTF_OUTDIR: join(dir, 'cdktf.out') });
}

function npmRunDiff(dir: string, env: NodeJS.ProcessEnv): Run {
  return run('npm', ['run', 'diff', '--', '--base', 'HEAD'], dir, env);
}

/** Raises `<env>.nodePools.app.maxSize` by one in the definition file; returns [old, new]. */
function raiseAppPoolMaxSize(dir: string, env: string): [number, number] {
  const file = join(dir, 'environments', `${env}.ts`);
  const text = readFileSync(file, 'utf8');
  const pattern = /(\bapp: \{[^}]*\bmaxSize: )(\d+)/;
  const match = pattern.exec(text);
  if (!match) throw new Error(`no app pool maxSize in ${file}`);
  const old = Number(match[2]);
  writeFileSync(file, text.replace(pattern, `$1${old + 1}`));
  return [old, old + 1];
}

interface ParsedDiff {
  readonly statuses: Record<string, string>;
  /** Every changed attribute listed: stack, construct path, attribute, old and new value as printed. */
  readonly changes: Array<{ stack: string; path: string; attribute: string; before: string; after: string }>;
}

/** Reads the Markdown the way a reviewer does: the stack table and each listed attribute change. */
function parseDiff(markdown: string): ParsedDiff {
  const statuses: Record<string, string> = {};
  const changes: ParsedDiff['changes'] = [];
  let stack = '';
  let path = '';
  for (const line of markdown.split('\n')) {
    const row = /^\| ([a-z0-9-]+) \| (added|removed|changed|unchanged) \|/.exec(line);
    if (row) statuses[row[1]] = row[2];
    const heading = /^### ([a-z0-9-]+) \((added|removed|changed)\)$/.exec(line);
    if (heading) stack = heading[1];
    const resource = /^- \S+ `[^`]+` \(`([^`]+)`\)$/.exec(line);
    if (resource) path = resource[1];
    const attribute = /^ {2}- `([^`]+)`: (.*) → (.*)$/.exec(line);
    if (attribute) changes.push({ stack, path, attribute: attribute[1], before: attribute[2], after: attribute[3] });
  }
  return { statuses, changes };
}

/** Every stack the program synthesizes, each with the status expected (unchanged unless named). */
function expectedStatuses(changed: string[] = []): Record<string, string> {
  const stacks = DEFINITIONS.flatMap((d) => [d.name, `${d.name}-platform`]);
  return Object.fromEntries(stacks.map((s) => [s, changed.includes(s) ? 'changed' : 'unchanged']));
}

describe('npm run diff as the README tells a reviewer to run it, in two clones on one machine', () => {
  let scratch: string;
  let cloneA: string;
  let cloneB: string;
  let stampAfterSynth: string;
  let stagingEdit: [number, number];
  let productionEdit: [number, number];
  const runs: Record<'a1' | 'bFirst' | 'bEdited' | 'bUndone' | 'a2', Run> = {} as never;

  beforeAll(() => {
    scratch = scratchDir('review-diff-e2e-');
    mkdirSync(join(scratch, 'tmp'));
    cloneA = cloneRepository(scratch, 'a');
    cloneB = cloneRepository(scratch, 'b');
    const env = shellEnv(scratch);

    // Clone A: synthesize the unedited tree, raise staging's app pool, diff against HEAD.
    const synth = npmRunSynth(cloneA, env);
    if (synth.status !== 0) throw new Error(`npm run synth failed:\n${synth.stdout}${synth.stderr}`);
    stampAfterSynth = readFileSync(join(cloneA, 'dist', '.source-hash-app'), 'utf8');
    stagingEdit = raiseAppPoolMaxSize(cloneA, 'staging');
    runs.a1 = npmRunDiff(cloneA, env);

    // Clone B, same base commit, same TMPDIR: diffed unedited (synthesized once, kept as the
    // base's entry), then with another environment's edit, then with that edit undone.
    runs.bFirst = npmRunDiff(cloneB, env);
    productionEdit = raiseAppPoolMaxSize(cloneB, 'production');
    runs.bEdited = npmRunDiff(cloneB, env);
    git(['checkout', '--', 'environments'], cloneB);
    runs.bUndone = npmRunDiff(cloneB, env);

    // Clone A again, from a shell that happens to select one environment.
    runs.a2 = npmRunDiff(cloneA, shellEnv(scratch, { ENVIRONMENTS: 'testing' }));
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('GIVEN `npm run synth` before the edit (a stamp of the base sources in dist/) WHEN diffed THEN the stale stamp does not hide the change', () => {
    // The precondition of the old failure: the synth left dist/ stamped with the base's sources.
    expect(stampAfterSynth).toMatch(/^[0-9a-f]{64}$/);
    expect(runs.a1.stderr).toMatch(/base [0-9a-f]{12}: building from its own sources, cached in \.cache\/review-diff\/[0-9a-f]{32}/);
    expect(parseDiff(runs.a1.stdout).statuses).toEqual(expectedStatuses(['staging']));
  });

  test('GIVEN staging app pool maxSize raised by one THEN the diff names the stack, the node group, the attribute and both values; exit 0 (nothing flagged)', () => {
    const [before, after] = stagingEdit;
    const diff = parseDiff(runs.a1.stdout);
    expect(diff.changes).toEqual([{ stack: 'staging', path: 'staging/pool-app/node-group', attribute: 'scaling_config.max_size', before: String(before), after: String(after) }]);
    expect(runs.a1.stdout).toContain('No flagged change');
    expect(runs.a1.status).toBe(0);
  });

  test('GIVEN another clone, unedited THEN every stack is unchanged, exit 0; the tree is synthesized once and kept as the base\'s entry', () => {
    expect(runs.bFirst.status).toBe(0);
    expect(runs.bFirst.stderr).toMatch(/same synth inputs as the working tree, synthesized once for both sides, cached in \.cache\/review-diff\/[0-9a-f]{32}/);
    const diff = parseDiff(runs.bFirst.stdout);
    expect(diff.statuses).toEqual(expectedStatuses());
    expect(diff.changes).toEqual([]);
  });

  test("GIVEN that clone with a different edit THEN it shows only its own change, not the first clone's; its base is the entry the unedited diff kept", () => {
    expect(runs.bEdited.status).toBe(0);
    expect(runs.bEdited.stderr).toMatch(/base [0-9a-f]{12}: synthesized stacks reused from \.cache\/review-diff\/[0-9a-f]{32}/);
    const [before, after] = productionEdit;
    const diff = parseDiff(runs.bEdited.stdout);
    expect(diff.statuses).toEqual(expectedStatuses(['production']));
    expect(diff.changes).toEqual([{ stack: 'production', path: 'production/pool-app/node-group', attribute: 'scaling_config.max_size', before: String(before), after: String(after) }]);
  });

  test('GIVEN the edit undone THEN every stack is unchanged, exit 0, and nothing is synthesized: both sides are the kept entry', () => {
    expect(runs.bUndone.status).toBe(0);
    expect(runs.bUndone.stderr).toMatch(/same synth inputs as the working tree; both sides read from \.cache\/review-diff\/[0-9a-f]{32}, synthesized before/);
    const diff = parseDiff(runs.bUndone.stdout);
    expect(diff.statuses).toEqual(expectedStatuses());
    expect(diff.changes).toEqual([]);
  });

  test('GIVEN the first clone diffed again (ENVIRONMENTS set in the shell) THEN its cached base is reused and it still shows only its own change', () => {
    expect(runs.a2.status).toBe(0);
    expect(runs.a2.stderr).toMatch(/base [0-9a-f]{12}: synthesized stacks reused from \.cache\/review-diff\/[0-9a-f]{32}/);
    expect(runs.a2.stdout).toBe(runs.a1.stdout);
  });

  test('each clone keeps its base cache inside itself, keyed by the base commit; nothing is cached in the shared temporary directory', () => {
    for (const dir of [cloneA, cloneB]) {
      const entries = readdirSync(join(dir, '.cache', 'review-diff'));
      expect(entries).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
      const key = JSON.parse(readFileSync(join(dir, '.cache', 'review-diff', entries[0], 'review-diff-key.json'), 'utf8'));
      expect(key.commit).toBe(git(['rev-parse', 'HEAD'], dir).trim());
    }
    expect(readdirSync(join(scratch, 'tmp'))).toEqual([]);
  });
});

describe('the base cache key', () => {
  test('changes with the installed dependencies (package-lock.json, node_modules/.package-lock.json) and the commit', () => {
    const dir = scratchDir('review-diff-key-');
    try {
      mkdirSync(join(dir, 'node_modules'));
      writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3}');
      writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{"packages":{}}');
      const sha = 'a'.repeat(40);
      const first = baseCacheKey(sha, dir);
      expect(baseCacheKey(sha, dir).key).toBe(first.key);
      expect(first.inputs).toEqual(expect.objectContaining({ commit: sha, node: process.version }));
      expect(baseCacheKey('b'.repeat(40), dir).key).not.toBe(first.key);
      writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{}}}');
      const lockChanged = baseCacheKey(sha, dir);
      expect(lockChanged.key).not.toBe(first.key);
      writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{"packages":{"node_modules/x":{}}}');
      expect(baseCacheKey(sha, dir).key).not.toBe(lockChanged.key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
