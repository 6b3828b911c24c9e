#!/usr/bin/env node
/*
 * The cdktf app command (cdktf.json "app"). Type-checks and compiles the program with tsc, then
 * runs the compiled main.js in this same process.
 *
 * - A type error stops the run before anything is written (tsc exits non-zero, main never runs).
 * - When no input changed since the last successful compile (same content hash of every source,
 *   tsconfig and package-lock.json), tsc is skipped: the compiled output is already the
 *   type-checked result of exactly these sources.
 * - The app compiles with tsconfig.app.json (program and scripts, not the tests); `--all` (used by
 *   `npm test`) compiles with tsconfig.json, tests included. Each has its own hash stamp.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
'use strict';
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } = require('node:fs');
const { join, relative } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const withTests = process.argv.includes('--all');
const project = withTests ? 'tsconfig.json' : 'tsconfig.app.json';
const stampFile = join(dist, withTests ? '.source-hash-all' : '.source-hash-app');
const SOURCE_DIRS = ['environments', 'constructs', 'stacks', 'scripts', ...(withTests ? ['__tests__'] : [])];
const SOURCE_FILES = ['main.ts', 'tsconfig.json', 'tsconfig.app.json', 'package-lock.json'];

function listTs(dir, out) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) listTs(p, out);
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
}

function sourceHash() {
  const files = SOURCE_FILES.map((f) => join(root, f)).filter((f) => existsSync(f));
  for (const d of SOURCE_DIRS) listTs(join(root, d), files);
  files.sort();
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(relative(root, f));
    hash.update('\0');
    hash.update(readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Compiles with tsc unless the sources are unchanged since the last successful compile. */
function compile() {
  const hash = sourceHash();
  const upToDate = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash && existsSync(join(dist, 'main.js'));
  if (upToDate) return;
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    process.stderr.write('\nType errors: nothing was synthesized. Fix the errors above and run again.\n');
    process.exit(result.status ?? 1);
  }
  mkdirSync(dist, { recursive: true });
  writeFileSync(stampFile, hash);
}

module.exports = { compile, sourceHash };

if (require.main === module) {
  compile();
  if (!process.argv.includes('--compile-only')) require(join(dist, 'main.js'));
}
