#!/usr/bin/env node
/*
 * The cdktf app command (cdktf.json "app"). Type-checks the program with tsc, compiles it to
 * dist/ with esbuild, then runs the compiled main.js in this same process.
 *
 * - A type error stops the run before anything is written: the type check (`tsc --noEmit`) runs
 *   in a child process while esbuild writes dist/ and node loads the compiled program; this
 *   command calls main.js's exported `main(typeCheck)`, which awaits the check before it builds
 *   anything, and the process exits with the type errors if there are any.
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
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
'use strict';
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync, rmSync } = require('node:fs');
const { join, relative } = require('node:path');
const { spawn } = require('node:child_process');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const withTests = process.argv.includes('--all');
/** `--compile-only --no-type-check`: strip the types only (the reviewer diff's base; writes no stamp). */
const typeChecked = !(process.argv.includes('--no-type-check') && process.argv.includes('--compile-only'));
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
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(relative(root, f));
    hash.update('\0');
    hash.update(readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Runs `tsc --noEmit` (incremental) in a child process; resolves with its exit code. */
function typeCheck() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', join(root, project), '--noEmit'], { stdio: 'inherit', cwd: root });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Strips the types of every source into dist/ (one file in, one file out, with source maps). */
function transpile(files) {
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
function compile() {
  const files = sources();
  const hash = sourceHash(files);
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

module.exports = { compile, sourceHash };

if (require.main === module) {
  const checked = compile();
  if (!process.argv.includes('--compile-only')) {
    // main() awaits the type check before it builds or writes anything.
    void require(join(dist, 'main.js')).main(checked);
  }
}
