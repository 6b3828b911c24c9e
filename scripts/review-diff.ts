/**
 * `npm run diff -- --base <git ref> [--ack <flag id>]... [--ack-file ACKNOWLEDGED_CHANGES] [--out diff.md]`
 *
 * The reviewer diff, without cloud credentials: synthesizes the base commit and the working tree,
 * compares them stack by stack (scripts/review/compare.ts) and prints Markdown for a pull-request
 * comment. Exit code 1 when a flagged change (rename, replacement, protected resource, security or
 * data-safety change) is not acknowledged, 2 on a usage or build error.
 *
 * - The base is exported with `git archive` into a temporary directory (read-only for the
 *   repository: no worktree registration, no checkout, nothing in .git changes), the working
 *   tree's node_modules is linked into it, and it is compiled with its own sources by tsc,
 *   incrementally from a copy of the working tree's compiled output. Its synthesized stacks are
 *   cached per commit in the temp directory, so repeated runs against the same base only synth
 *   the working tree.
 * - When no input of the synth differs from the base, the working tree is synthesized once and
 *   used for both sides.
 * - Both synths run in parallel, each into a temporary directory (cdktf.out is left alone), with
 *   policy errors downgraded so a base that fails the policy pack can still be compared.
 *
 * `cdktf diff <stack>` remains the authoritative plan (it asks Terraform, with real state).
 */
import { spawn, spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { compare, isAcknowledged, parseAcknowledgments, renderMarkdown, SynthSet } from './review/compare';

const ROOT = join(__dirname, '..', '..');
/** What the synthesized output depends on; a base equal on all of these synthesizes the same. */
const SYNTH_INPUTS = ['main.ts', 'environments', 'constructs', 'features', 'stacks', 'charts', 'package-lock.json', 'tsconfig.json', 'tsconfig.app.json', 'cdktf.json'];

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

/** Runs `node dist/main.js` of `root` with output into `outdir`; resolves when done. */
function synthAsync(root: string, outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`synth in ${root} failed (${code}):\n${stderr}`))));
  });
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

/** Exports and compiles the base commit; returns its root (cached per commit). */
function prepareBase(sha: string, cacheDir: string): string {
  const src = join(cacheDir, 'src');
  if (existsSync(join(src, 'dist', 'main.js')) && existsSync(join(cacheDir, 'compiled'))) return src;
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  const tar = join(cacheDir, 'base.tar');
  if (git(['archive', '--format=tar', '-o', tar, sha]).status !== 0) throw new Error(`git archive ${sha} failed`);
  const untar = spawnSync('tar', ['-xf', tar, '-C', src], { stdio: 'inherit' });
  if (untar.status !== 0) throw new Error('tar failed');
  rmSync(tar);
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
  // Incremental compile: start from the working tree's output, tsc re-emits what differs.
  if (existsSync(join(ROOT, 'dist'))) cpSync(join(ROOT, 'dist'), join(src, 'dist'), { recursive: true });
  // Compile the base the way the base itself compiles (its own app command), so the comparison
  // never depends on how this tree happens to build.
  const appCommand = join(src, 'scripts', 'app.js');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const result = existsSync(appCommand)
    ? spawnSync(process.execPath, [appCommand, '--compile-only'], { cwd: src, encoding: 'utf8' })
    : spawnSync(process.execPath, [tsc, '-p', join(src, 'tsconfig.json')], { cwd: src, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`warning: the base ${sha.slice(0, 12)} has type errors; comparing what was compiled\n${result.stdout}${result.stderr}`);
  }
  if (!existsSync(join(src, 'dist', 'main.js'))) throw new Error(`the base ${sha} did not compile to dist/main.js`);
  writeFileSync(join(cacheDir, 'compiled'), sha);
  return src;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const rev = git(['rev-parse', '--verify', `${args.base}^{commit}`]);
  if (rev.status !== 0) usage(`unknown git ref '${args.base}'`);
  const sha = rev.stdout.trim();
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) usage('compile first: node scripts/app.js --compile-only --all');

  const work = mkdtempSync(join(tmpdir(), 'review-diff-'));
  try {
    const headOut = join(work, 'head');
    let baseOut: string;
    const jobs: Array<Promise<void>> = [synthAsync(ROOT, headOut)];
    if (sameInputs(sha)) {
      baseOut = headOut;
    } else {
      const cacheDir = join(tmpdir(), 'toronto-ai-review', sha);
      baseOut = join(cacheDir, 'out');
      if (!existsSync(join(baseOut, 'manifest.json'))) {
        const baseRoot = prepareBase(sha, cacheDir);
        jobs.push(synthAsync(baseRoot, baseOut));
      }
    }
    await Promise.all(jobs);
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
