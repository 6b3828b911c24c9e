#!/usr/bin/env node
/*
 * The cdktf app command (cdktf.json "app"). Type-checks the program with tsc, compiles it to
 * dist/ with esbuild, then runs the compiled main.js in this same process.
 *
 * - A type error stops the run before anything is written: the type check (`tsc --noEmit`, with
 *   TypeScript 7's native compiler where it is installed: scripts/type-checker.js) runs
 *   in a child process while esbuild writes dist/ and node loads the compiled program; this
 *   command calls main.js's exported `main(typeCheck)`, which builds and synthesizes into a
 *   staging folder beside the output while the check runs, and moves the result into the output
 *   folder only once the check has passed; on type errors the process exits with them and the
 *   staging folder is removed.
 *   esbuild only strips types (tsconfig sets `isolatedModules`, so tsc rejects anything it
 *   could not compile file by file); tsc stays the judge of the types.
 * - When no input changed since the last successful run (same content hash of every source,
 *   the tsconfigs and package-lock.json), both are skipped: dist/ already holds exactly these
 *   sources, type-checked.
 * - The app uses tsconfig.app.json (the program only); `--all` (used by `npm test` and the tools:
 *   validate, bench, diff, policy, diagram) uses tsconfig.json, scripts and tests included. Each
 *   has its own hash stamp; a compile in either mode removes both before it writes dist/, so a
 *   stamp left by the other mode can never vouch for files this one has overwritten.
 * - `--compile-only --no-type-check` only strips the types (and writes no stamp): the reviewer
 *   diff builds a base commit that way, since type errors do not change what esbuild emits.
 * - Synth is skipped when it would write exactly what is already there: the synth stamp
 *   (dist/.synth-stamp.json) records the key of the last successful synth (the sources' hash
 *   above, every file under charts/, cdktf.json, this file, the Node version, the output
 *   directory and every environment variable the program or cdktf reads: CDKTF_*, SYNTH_*,
 *   TORONTO_AI_*, ENVIRONMENTS) and the SHA-256 of every file that synth wrote (manifest.json, each
 *   stack's cdk.tf.json, its assets). A run whose key is the same and whose output files are all
 *   still byte-identical exits without loading the program; any difference (a changed source, a
 *   different selection, an edited or deleted output file) synthesizes in full. The stamp is
 *   removed before a synth starts and written only after it succeeds, so it never vouches for a
 *   partial output. Files Terraform writes beside the outputs (.terraform/, state, lock files)
 *   are not outputs and do not count. `TORONTO_AI_FORCE_SYNTH=1` always synthesizes.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
'use strict';
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync, readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync, rmSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { spawn } = require('node:child_process');
const { typeChecker } = require('./type-checker');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const withTests = process.argv.includes('--all');
/** `--compile-only --no-type-check`: strip the types only (the reviewer diff's base; writes no stamp). */
const typeChecked = !(process.argv.includes('--no-type-check') && process.argv.includes('--compile-only'));
const compileOnly = process.argv.includes('--compile-only');
const project = withTests ? 'tsconfig.json' : 'tsconfig.app.json';
const STAMP_FILES = ['.source-hash-app', '.source-hash-all'];
const stampFile = join(dist, STAMP_FILES[withTests ? 1 : 0]);
const SOURCE_DIRS = ['environments', 'constructs', 'features', 'stacks', ...(withTests ? ['scripts', '__tests__'] : [])];
const SOURCE_FILES = ['main.ts', 'tsconfig.json', 'tsconfig.app.json', 'package-lock.json'];

function listTs(dir, out) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) listTs(p, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
}

function sources() {
  const files = SOURCE_FILES.map((f) => join(root, f)).filter((f) => existsSync(f));
  for (const d of SOURCE_DIRS) listTs(join(root, d), files);
  return files.sort();
}

function sourceHash(files = sources()) {
  return hashFiles(createHash('sha256'), files);
}

/**
 * Runs the type check (`tsc --noEmit`, incremental) in a child process; resolves with its exit
 * code. The checker is TypeScript 7's native compiler where it is installed, else TypeScript 5.9
 * (scripts/type-checker.js); each keeps its own incremental state, since neither reads the other's.
 */
function typeCheck() {
  const checker = typeChecker(root);
  if (checker.note) process.stderr.write(`${checker.note}\n`);
  const buildInfo = join(dist, `.tsbuildinfo${checker.native ? '-native' : ''}${withTests ? '' : '-app'}`);
  return new Promise((resolve) => {
    // TypeScript 7 checks on one thread: beside a synth it is as fast (1.3 s for the program) and
    // leaves the other core to the synth; alone (--compile-only, everything) its threads cost
    // 1.4-1.7 times the CPU of one thread (3.5-4.8 s against 2.6-2.9 s, cold), which the test
    // suite's scratch clones and the reviewer diff pay while other work runs on the other core.
    const threads = checker.native ? ['--singleThreaded'] : [];
    const child = spawn(checker.command, [...checker.args, '-p', join(root, project), '--noEmit', '--incremental', '--tsBuildInfoFile', buildInfo, ...threads], { stdio: 'inherit', cwd: root });
    child.on('error', (e) => {
      process.stderr.write(`type check could not start: ${e.message}\n`);
      resolve(1);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Removes compiled files of dist/ whose source is gone (a deleted or renamed .ts): left there, a
 * deleted test would still run (jest reads dist/__tests__) and a deleted module stay loadable.
 * A file counts as live when its .ts exists in the tree, whichever mode compiled it.
 */
function removeOrphans() {
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const m = /^(.*)\.js(\.map)?$/.exec(relative(dist, p));
        if (m && !existsSync(join(root, `${m[1]}.ts`))) rmSync(p, { force: true });
      }
    }
  };
  for (const d of ['environments', 'constructs', 'features', 'stacks', 'scripts', '__tests__']) walk(join(dist, d));
}

/** Strips the types of every source into dist/ (one file in, one file out, with source maps). */
function transpile(files) {
  removeOrphans();
  const esbuild = require(require.resolve('esbuild', { paths: [root] }));
  esbuild.buildSync({
    entryPoints: files.filter((f) => f.endsWith('.ts')),
    outdir: dist,
    outbase: root,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    tsconfig: join(root, project),
    logLevel: 'error',
  });
}

/**
 * Compiles unless the sources are unchanged since the last successful run. Returns a promise of
 * the type check, which exits the process on a type error (nothing written) and records the
 * stamp on success.
 */
function compile(currentHash) {
  const files = sources();
  // The up-to-date check has just hashed the same sources: not read twice on the synth path.
  const hash = currentHash ?? sourceHash(files);
  const upToDate = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash && existsSync(join(dist, 'main.js'));
  if (upToDate) return Promise.resolve();
  // Both modes write into the same dist/: whichever compiles invalidates both stamps, so a stamp
  // never vouches for files that the other mode has since overwritten.
  for (const stamp of STAMP_FILES) rmSync(join(dist, stamp), { force: true });
  if (!typeChecked) {
    transpile(files);
    return Promise.resolve();
  }
  const checked = typeCheck();
  transpile(files);
  return checked.then((code) => {
    if (code !== 0) {
      process.stderr.write('\nType errors: nothing was synthesized. Fix the errors above and run again.\n');
      process.exit(code);
    }
    mkdirSync(dist, { recursive: true });
    writeFileSync(stampFile, hash);
  });
}

const SYNTH_STAMP = join(dist, '.synth-stamp.json');
const SYNTH_ENV = /^(CDKTF_|SYNTH_|TORONTO_AI_)|^ENVIRONMENTS$/;

function listAll(dir, out) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) listAll(p, out);
    else out.push(p);
  }
  return out;
}

function outdir() {
  return resolve(root, process.env.CDKTF_OUTDIR || 'cdktf.out');
}

/** Everything a synth's output depends on besides dist/ (which the sources' hash covers). */
function synthKey(srcHash) {
  const hash = createHash('sha256');
  hash.update(`${srcHash}\0${process.version}\0${outdir()}\0`);
  const env = Object.keys(process.env).filter((k) => SYNTH_ENV.test(k) && k !== 'TORONTO_AI_FORCE_SYNTH').sort();
  for (const k of env) hash.update(`${k}=${process.env[k]}\0`);
  const files = [join(root, 'cdktf.json'), __filename, ...listAll(join(root, 'charts'), [])].filter((f) => existsSync(f)).sort();
  return hashFiles(hash, files);
}

/** One reused buffer: hashing the outputs (megabytes) must not grow the process's memory. */
const CHUNK = Buffer.allocUnsafe(256 * 1024);

function updateWithFile(hash, f) {
  const fd = openSync(f, 'r');
  try {
    for (let n = readSync(fd, CHUNK, 0, CHUNK.length, null); n > 0; n = readSync(fd, CHUNK, 0, CHUNK.length, null)) {
      hash.update(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash;
}

function hashFiles(hash, files) {
  for (const f of files) {
    hash.update(relative(root, f));
    hash.update('\0');
    updateWithFile(hash, f);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The files a synth wrote: manifest.json, each stack's cdk.tf.json and assets, relative to the outdir. */
function synthOutputs(out) {
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const files = ['manifest.json'];
  for (const stack of Object.values(manifest.stacks)) {
    files.push(stack.synthesizedStackPath);
    for (const f of listAll(join(out, stack.workingDirectory, 'assets'), [])) files.push(relative(out, f));
  }
  return files.sort();
}

function fileHash(f) {
  return updateWithFile(createHash('sha256'), f).digest('hex');
}

/** True when the last successful synth had this key and every file it wrote is unchanged. */
function synthUpToDate(key) {
  if (process.env.TORONTO_AI_FORCE_SYNTH === '1' || !existsSync(SYNTH_STAMP)) return false;
  try {
    const stamp = JSON.parse(readFileSync(SYNTH_STAMP, 'utf8'));
    if (stamp.key !== key) return false;
    const out = outdir();
    const files = synthOutputs(out);
    if (files.length !== Object.keys(stamp.files).length) return false;
    return files.every((f) => stamp.files[f] !== undefined && existsSync(join(out, f)) && fileHash(join(out, f)) === stamp.files[f]);
  } catch {
    return false;
  }
}

function recordSynth(key) {
  const out = outdir();
  const files = {};
  for (const f of synthOutputs(out)) files[f] = fileHash(join(out, f));
  writeFileSync(SYNTH_STAMP, JSON.stringify({ key, files }, null, 1));
}

module.exports = { compile, sourceHash };

if (require.main === module) {
  // The up-to-date check hashes a few hundred files in one hot loop; left to itself V8 would
  // optimise that loop, and the optimising compiler's memory would be most of this check's
  // footprint. Optimisation is switched back on before the program is loaded.
  const v8 = require('node:v8');
  v8.setFlagsFromString('--no-opt');
  if (compileOnly) {
    v8.setFlagsFromString('--opt');
    void compile();
  } else {
    // Up to date: same inputs, same outputs on disk. Checked before anything is compiled or loaded.
    const srcHash = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : undefined;
    const currentHash = sourceHash();
    const key = srcHash === currentHash ? synthKey(srcHash) : undefined;
    if (key !== undefined && synthUpToDate(key)) {
      process.stdout.write(`${relative(process.cwd(), outdir()) || '.'} is up to date: no input changed since the last synth, and every file it wrote is unchanged.\n`);
    } else {
      rmSync(SYNTH_STAMP, { force: true });
      v8.setFlagsFromString('--opt');
      const checked = compile(currentHash);
      // main() synthesizes into a staging folder meanwhile and publishes only once the check passed.
      void require(join(dist, 'main.js'))
        .main(checked)
        .then(() => {
          if (process.exitCode) return;
          recordSynth(synthKey(readFileSync(stampFile, 'utf8')));
        });
    }
  }
}
