/**
 * `npm run diff -- --base <git ref> [--ack <flag id>]... [--ack-file ACKNOWLEDGED_CHANGES] [--out diff.md]`
 *
 * The reviewer diff, without cloud credentials: synthesizes the base commit and the working tree,
 * compares them stack by stack (scripts/review/compare.ts) and prints Markdown for a pull-request
 * comment. Exit code 1 when a flagged change (rename, replacement, protected resource, security or
 * data-safety change) is not acknowledged, 2 on a usage or build error.
 *
 * - The working tree: its app command compiles it (`scripts/app.js --compile-only --all`, a no-op
 *   when `npm run diff` has just done it) and `dist/main.js` synthesizes it.
 * - The base is built from the base's own sources only: `git archive <sha>` into a scratch folder
 *   (read-only for the repository: no worktree, no checkout, nothing in .git changes), with no
 *   dist/, stamp or cdktf.out of the working tree; only node_modules is linked in. It is compiled
 *   by its own app command (`scripts/app.js --compile-only --no-type-check`: types stripped, not
 *   checked; an app command without that option also type-checks) and synthesized.
 * - Its synthesized stacks are cached inside this clone, in `.cache/review-diff/<key>/`, where the
 *   key hashes everything besides the commit's sources that determines them (see baseCacheKey).
 *   An entry is written in a scratch folder beside it and renamed into place once complete, so
 *   an interrupted run never leaves an entry that looks valid.
 * - When no input of the synth differs from the base, the working tree is synthesized once,
 *   used for both sides and kept as the base's cache entry; when that entry exists, both sides
 *   are read from it and nothing is synthesized.
 * - Both synths run with every environment (ENVIRONMENTS and any CDKTF_* setting of the caller's
 *   shell are cleared), each into a folder of its own (cdktf.out is left alone), with policy
 *   errors downgraded so a base that fails the policy pack can still be compared.
 *
 * `cdktf diff <stack>` remains the authoritative plan (it asks Terraform, with real state).
 */
import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { compare, isAcknowledged, parseAcknowledgments, renderMarkdown, SynthSet } from './review/compare';

const ROOT = join(__dirname, '..', '..');
/** What the synthesized output depends on; a base equal on all of these synthesizes the same. */
const SYNTH_INPUTS = ['main.ts', 'environments', 'constructs', 'features', 'stacks', 'charts', 'package-lock.json', 'tsconfig.json', 'tsconfig.app.json', 'cdktf.json', 'scripts/app.js'];
/** The base cache of this clone (gitignored). */
export const CACHE_DIR = join(ROOT, '.cache', 'review-diff');
/** Bumped whenever the way the base is built changes, so older entries are never read. */
const CACHE_FORMAT = 2;
/** Entries kept; the least recently used beyond this are removed. */
const CACHE_ENTRIES = 8;

interface Args {
  base: string;
  acks: string[];
  ackFile?: string;
  out?: string;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run diff -- --base <git ref> [--ack <flag id>]... [--ack-file <file>] [--out <file.md>]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { base: '', acks: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--base') args.base = value();
    else if (a === '--ack') args.acks.push(value());
    else if (a === '--ack-file') args.ackFile = value();
    else if (a === '--out') args.out = value();
    else usage(`unknown argument ${a}`);
  }
  if (!args.base) usage('--base is required');
  return args;
}

function git(args: string[], cwd = ROOT): { status: number; stdout: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '' };
}

/** Whether the working tree synthesizes from the same inputs as `sha`. */
function sameInputs(sha: string): boolean {
  const tracked = git(['diff', '--quiet', sha, '--', ...SYNTH_INPUTS]).status === 0;
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--', ...SYNTH_INPUTS]).stdout.trim();
  return tracked && untracked === '';
}

/** The environment of both synths: every environment, no caller's cdktf setting, output into `outdir`. */
function synthEnv(outdir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (k !== 'ENVIRONMENTS' && !k.startsWith('CDKTF_')) env[k] = v;
  return { ...env, CDKTF_OUTDIR: outdir, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' };
}

/** Runs node with `args` in `cwd`; resolves with the exit code and the output. */
function node(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Synthesizes the compiled program of `root` (`dist/main.js`) into `outdir`. */
async function synth(root: string, outdir: string): Promise<void> {
  const r = await node([join(root, 'dist', 'main.js')], root, synthEnv(outdir));
  if (r.code !== 0) throw new Error(`synth in ${root} failed (${r.code}):\n${r.output}`);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The cache key of a base's synthesized output: everything that determines it besides the
 * commit's own sources. The commit, what node_modules holds (the working tree's package-lock.json
 * and npm's record of the installed tree, node_modules/.package-lock.json), the Node.js version
 * and platform, and the format of this script's build. The synth's environment is fixed
 * (synthEnv), so no variable of the caller's shell is part of it.
 */
export function baseCacheKey(sha: string, root = ROOT): { key: string; inputs: Record<string, string> } {
  const fileHash = (path: string) => (existsSync(path) ? sha256(readFileSync(path)) : 'absent');
  const inputs = {
    format: String(CACHE_FORMAT),
    commit: sha,
    'package-lock.json': fileHash(join(root, 'package-lock.json')),
    'node_modules/.package-lock.json': fileHash(join(root, 'node_modules', '.package-lock.json')),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  return { key: sha256(JSON.stringify(inputs)).slice(0, 32), inputs };
}

/** Removes the least recently used entries beyond CACHE_ENTRIES and scratch folders of runs that died. */
function pruneCache(): void {
  const entries = readdirSync(CACHE_DIR).map((name) => ({ name, mtime: statSync(join(CACHE_DIR, name)).mtimeMs }));
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const e of entries.filter((x) => x.name.startsWith('.tmp-') && x.mtime < dayAgo)) rmSync(join(CACHE_DIR, e.name), { recursive: true, force: true });
  const kept = entries.filter((x) => !x.name.startsWith('.')).sort((a, b) => b.mtime - a.mtime);
  for (const e of kept.slice(CACHE_ENTRIES)) rmSync(join(CACHE_DIR, e.name), { recursive: true, force: true });
}

/** The synthesized stacks of an output directory. */
export function readSynth(outdir: string): SynthSet {
  const stacksDir = join(outdir, 'stacks');
  const out: Record<string, any> = {};
  if (!existsSync(stacksDir)) return out;
  for (const name of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, name, 'cdk.tf.json');
    if (existsSync(file)) out[name] = JSON.parse(readFileSync(file, 'utf8'));
  }
  return out;
}

/**
 * Builds the base commit from its own sources and synthesizes it into the cache entry `entry`.
 * Everything happens in a scratch folder beside the entry, renamed into place only once the
 * synth is complete (a concurrent run that finished first wins; its entry is identical).
 */
async function buildBase(sha: string, entry: string, inputs: Record<string, string>): Promise<void> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const scratch = mkdtempSync(join(CACHE_DIR, '.tmp-'));
  try {
    const src = join(scratch, 'src');
    mkdirSync(src);
    const tar = join(scratch, 'base.tar');
    if (git(['archive', '--format=tar', '-o', tar, sha]).status !== 0) throw new Error(`git archive ${sha} failed`);
    const untar = spawnSync('tar', ['-xf', tar, '-C', src], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error('tar failed');
    rmSync(tar);
    // The base compiles from its sources alone: no build output, even one the commit tracks.
    for (const built of ['dist', 'cdktf.out']) rmSync(join(src, built), { recursive: true, force: true });
    symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
    // Compile the base the way the base itself compiles (its own app command), without its type
    // check where the app command can skip it: the types do not change what is emitted.
    const appCommand = join(src, 'scripts', 'app.js');
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    const compiled = await node(existsSync(appCommand) ? [appCommand, '--compile-only', '--no-type-check'] : [tsc, '-p', join(src, 'tsconfig.json')], src);
    if (compiled.code !== 0) process.stderr.write(`warning: the base ${sha.slice(0, 12)} has type errors; comparing what was compiled\n${compiled.output}`);
    if (!existsSync(join(src, 'dist', 'main.js'))) throw new Error(`the base ${sha} did not compile to dist/main.js`);
    const out = join(scratch, 'out');
    await synth(src, out);
    installEntry(out, entry, inputs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Makes the synthesized folder `out` the cache entry `entry` (renamed into place, with its key file). */
function installEntry(out: string, entry: string, inputs: Record<string, string>): void {
  writeFileSync(join(out, 'review-diff-key.json'), `${JSON.stringify(inputs, null, 2)}\n`);
  // A folder without the key file is not an entry (never written by this script): replace it.
  if (!existsSync(join(entry, 'review-diff-key.json'))) rmSync(entry, { recursive: true, force: true });
  try {
    renameSync(out, entry);
  } catch (error) {
    if (!existsSync(join(entry, 'review-diff-key.json'))) throw error;
  }
}

/** Keeps a working-tree synth as the base's cache entry (its inputs are the base's): a copy, renamed into place. */
function storeEntry(out: string, entry: string, inputs: Record<string, string>): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  const scratch = mkdtempSync(join(CACHE_DIR, '.tmp-'));
  try {
    cpSync(out, join(scratch, 'out'), { recursive: true });
    installEntry(join(scratch, 'out'), entry, inputs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  pruneCache();
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const rev = git(['rev-parse', '--verify', `${args.base}^{commit}`]);
  if (rev.status !== 0) usage(`unknown git ref '${args.base}'`);
  const sha = rev.stdout.trim();

  const work = mkdtempSync(join(tmpdir(), 'review-diff-'));
  try {
    let headOut = join(work, 'head');
    const synthHead = async () => {
      // The working tree's own app command: a no-op when `npm run diff` has just compiled.
      const compiled = await node([join(ROOT, 'scripts', 'app.js'), '--compile-only', '--all'], ROOT);
      if (compiled.code !== 0) throw new Error(`the working tree does not compile:\n${compiled.output}`);
      await synth(ROOT, headOut);
    };
    let head: Promise<void> = Promise.resolve();
    let baseOut: string;
    let base: Promise<void> = Promise.resolve();
    const { key, inputs } = baseCacheKey(sha);
    const entry = join(CACHE_DIR, key);
    const shown = relative(ROOT, entry);
    const cached = existsSync(join(entry, 'review-diff-key.json'));
    if (cached) {
      const now = new Date();
      utimesSync(entry, now, now);
    }
    const same = sameInputs(sha);
    if (same && cached) {
      // The working tree would synthesize exactly what the base's entry holds (same synth inputs).
      baseOut = headOut = entry;
      process.stderr.write(`base ${sha.slice(0, 12)}: same synth inputs as the working tree; both sides read from ${shown}, synthesized before\n`);
    } else if (same) {
      baseOut = headOut;
      process.stderr.write(`base ${sha.slice(0, 12)}: same synth inputs as the working tree, synthesized once for both sides, cached in ${shown}\n`);
      // Kept as the base's entry too: the next diff of this tree against this base reads it.
      head = synthHead().then(() => storeEntry(headOut, entry, inputs));
    } else {
      head = synthHead();
      baseOut = entry;
      if (cached) {
        process.stderr.write(`base ${sha.slice(0, 12)}: synthesized stacks reused from ${shown}\n`);
      } else {
        process.stderr.write(`base ${sha.slice(0, 12)}: building from its own sources, cached in ${shown}\n`);
        base = buildBase(sha, entry, inputs).then(pruneCache);
      }
    }
    // Wait for both before reporting either's failure: no build is left running behind an error.
    for (const r of await Promise.allSettled([head, base])) if (r.status === 'rejected') throw r.reason;
    const report = compare(readSynth(baseOut), readSynth(headOut));
    const ackFile = args.ackFile ?? join(ROOT, 'ACKNOWLEDGED_CHANGES');
    const acks = [...args.acks, ...(existsSync(ackFile) ? parseAcknowledgments(readFileSync(ackFile, 'utf8')) : [])];
    const markdown = renderMarkdown(report, { baseLabel: `${args.base} (${sha.slice(0, 12)})`, headLabel: 'working tree', acknowledged: acks });
    process.stdout.write(`${markdown}\n`);
    if (args.out) writeFileSync(args.out, `${markdown}\n`);
    const pending = report.flags.filter((f) => !isAcknowledged(f, acks));
    if (pending.length > 0) process.stderr.write(`${pending.length} flagged change(s) without acknowledgment\n`);
    return pending.length > 0 ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
