/**
 * The synthesized JSON of the shipped, unmodified environments, shared by every test file of a run
 * (and by later runs while nothing changed) through an on-disk cache.
 *
 * Jest runs each test file in its own module registry, and its workers are separate processes:
 * before this cache, every file built and synthesized the environments it read again (the better
 * part of its time). `shipped(name)` (./helpers.ts) returns exactly what `synth(stacksFor(name).cloud)`
 * and `synth(stacksFor(name).platform)` return, taken from one synth of the whole app
 * (`synthesizedApp`, `<os tmpdir>/toronto-ai-synth-cache/<key>/app/`, which the render suite reads
 * too) and kept as `<key>/<name>.json`; synth-cache.test.ts proves the two equal.
 *
 * - The key hashes everything the JSON depends on: the compiled program the tests run (every .js
 *   under dist/ environments, constructs, features, stacks and dist/main.js, the output of the
 *   sources scripts/app.js hashes), this cache's own compiled code, the helpers it synthesizes
 *   with and the render suite (scripts/helm/suite.ts, which keeps a whole-app synth here), every file under charts/, package-lock.json (the cdktf and provider versions), the Node
 *   version and the CDKTF_ / TORONTO_AI_ environment variables. Any change gives a new key, so a
 *   stale entry is never read; the compiled output is hashed rather than the .ts sources so that a
 *   run on a dist/ older than its sources cannot file its output under the sources' key.
 * - Two workers may fill the same entry at once: each writes a temporary file of its own and
 *   renames it into place (atomic on one filesystem), so a reader sees a whole file or none. An
 *   entry that does not parse is treated as absent and filled again.
 * - Tests that change a definition still build their own stacks (`stacksFor(name, mutate)`).
 * - Entries of other keys untouched for a day are removed when a new key is filled.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { PolicyTier, Suppression } from '../constructs/policy';

export type Json = Record<string, any>;

/** Both stacks of an environment as `cdktf synth` writes them. */
export interface ShippedJson {
  readonly cloud: Json;
  readonly platform: Json;
}

/** The compiled tree (dist/) this file runs from, and the repository root above it. */
const DIST = join(__dirname, '..');
const ROOT = join(DIST, '..');
const PROGRAM_DIRS = ['environments', 'constructs', 'features', 'stacks'];
const KEY_ENV = /^(CDKTF_|TORONTO_AI_)/;
const DAY_MS = 24 * 3600 * 1000;

export const SYNTH_CACHE_DIR = join(tmpdir(), 'toronto-ai-synth-cache');

function listFiles(dir: string, keep: (name: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(p, keep, out);
    else if (keep(entry.name)) out.push(p);
  }
  return out;
}

/** The files the synthesized JSON depends on, below `dist` (compiled) and `root` (the repository). */
export function keyFiles(dist: string, root: string): string[] {
  const js = (name: string) => name.endsWith('.js');
  return [
    ...PROGRAM_DIRS.flatMap((d) => listFiles(join(dist, d), js)),
    join(dist, 'main.js'),
    join(dist, '__tests__', 'synth-cache.js'),
    join(dist, '__tests__', 'helpers.js'),
    join(dist, 'scripts', 'helm', 'suite.js'),
    ...listFiles(join(root, 'charts'), () => true),
    join(root, 'package-lock.json'),
  ]
    .filter((f) => existsSync(f))
    .sort();
}

/** The cache key of a compiled tree: its files' contents, the Node version and the variables cdktf or the program may read. */
export function cacheKey(dist: string = DIST, root: string = ROOT, env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256');
  hash.update(`${process.version}\0`);
  for (const k of Object.keys(env).filter((n) => KEY_ENV.test(n)).sort()) hash.update(`${k}=${env[k]}\0`);
  for (const f of keyFiles(dist, root)) {
    hash.update(`${relative(root, f)}\0`);
    hash.update(readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readEntry(file: string): ShippedJson | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ShippedJson;
    return parsed && typeof parsed.cloud === 'object' && typeof parsed.platform === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Writes under a name of this process's own, then renames into place: readers see all of it or nothing. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function pruneOtherKeys(cacheDir: string, key: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (name === key) continue;
    const p = join(cacheDir, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > DAY_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // another run removed it first
    }
  }
}

/** What the render suite reads beside the whole-app synth: each environment's stacks, policy tier and suppressions. */
export interface AppSynthIndex {
  readonly envs: ReadonlyArray<{ env: string; cloud: string; platform: string; tier: PolicyTier; suppressions: Suppression[] }>;
}

let appSynth: { outdir: string; index: AppSynthIndex } | undefined;

/**
 * Every environment synthesized in one app, byte for byte as `cdktf synth` writes it (every stack
 * prepared, so cross-stack references and outputs are in, and assets), kept in this cache under the key's
 * `app/` folder with the tiers and suppressions read from the constructs beside it
 * (`suite-index.json`). The render suite (scripts/helm/suite.ts) reads it, and `shipped` in
 * ./helpers.ts takes each environment's stacks from it. A worker synthesizes into a folder of its
 * own and renames it into place; when another worker's rename won, its identical output is used.
 * `cdktf` and the program are loaded only on a miss.
 */
export function synthesizedApp(): { outdir: string; index: AppSynthIndex } {
  if (appSynth) return appSynth;
  memoKey ??= cacheKey();
  const dir = join(SYNTH_CACHE_DIR, memoKey, 'app');
  const indexFile = join(dir, 'suite-index.json');
  if (existsSync(indexFile)) return (appSynth = { outdir: dir, index: JSON.parse(readFileSync(indexFile, 'utf8')) as AppSynthIndex });
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on a miss only (see above) */
  const { App } = require('cdktf') as typeof import('cdktf');
  const { buildStacks } = require('../stacks/app') as typeof import('../stacks/app');
  const { DEFINITIONS, validateEnvironments } = require('../environments') as typeof import('../environments');
  const { policyTierOf, suppressionsUnder } = require('../constructs/policy') as typeof import('../constructs/policy');
  /* eslint-enable @typescript-eslint/no-require-imports */
  mkdirSync(join(dir, '..'), { recursive: true });
  // The App main.ts synthesizes with (not Testing.app, which stubs cdktf's version in the
  // metadata): the files are byte for byte what `cdktf synth` writes (determinism.test.ts compares).
  const app = new App({ outdir: mkdtempSync(`${dir}.${process.pid}.`) });
  const built = buildStacks(app, validateEnvironments(DEFINITIONS));
  app.synth();
  const index: AppSynthIndex = {
    envs: Object.entries(built).map(([env, { cloud, platform }]) => ({
      env,
      cloud: cloud.node.id,
      platform: platform.node.id,
      tier: policyTierOf(platform),
      suppressions: suppressionsUnder(platform),
    })),
  };
  writeFileSync(join(app.outdir, 'suite-index.json'), JSON.stringify(index));
  try {
    renameSync(app.outdir, dir);
  } catch {
    // another worker renamed its identical output into place first
    rmSync(app.outdir, { recursive: true, force: true });
  }
  return (appSynth = { outdir: dir, index });
}

let memoKey: string | undefined;
const memo = new Map<string, ShippedJson>();

/**
 * The synthesized JSON of shipped environment `name`, unmodified: from the on-disk cache when an
 * entry of this key is there, else `fill()` (which synthesizes it) and stored for every other file.
 */
export function cachedShipped(name: string, fill: () => ShippedJson, cacheDir: string = SYNTH_CACHE_DIR): ShippedJson {
  const memoName = `${cacheDir}\0${name}`;
  const hit = memo.get(memoName);
  if (hit) return hit;
  memoKey ??= cacheKey();
  const dir = join(cacheDir, memoKey);
  const file = join(dir, `${name}.json`);
  let json = readEntry(file);
  if (!json) {
    json = fill();
    const fresh = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    writeAtomically(file, JSON.stringify(json));
    if (fresh) pruneOtherKeys(cacheDir, memoKey);
  }
  memo.set(memoName, json);
  return json;
}
