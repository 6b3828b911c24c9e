#!/usr/bin/env node
/*
 * The type checker of the build: TypeScript 7's native compiler (the `typescript-native`
 * dev dependency, `npm:typescript@7.0.2`), which checks this program in about a seventh of the
 * time of TypeScript 5.9 (1.3 s instead of 8-9 s for the program alone, 2.4 s instead of 14.6 s
 * with scripts and tests, cold, on 2 cores).
 *
 * TypeScript 7 is the judge of the types. The `typescript` package stays pinned at 5.9.3:
 * ts-node and the compiler-API test of the workload types
 * (`__tests__/workload-types.test.ts`) need its JavaScript API, which TypeScript 7 does not have.
 * Both read the same tsconfig (module and module resolution `node16`: TypeScript 7 removed
 * `node10`); `npm run bench` runs TypeScript 5.9 over the project too, for reference, and marks
 * the row if 5.9 disagrees.
 *
 * npm installs the native binary from the one optional dependency that matches the platform
 * (`@typescript/typescript-<platform>-<arch>`). Where it is absent (an unsupported platform, or
 * `npm ci --omit=optional`), the check runs with TypeScript 5.9 instead, and says so.
 *
 * Run directly (`npm run typecheck`), it checks `tsconfig.json` (scripts and tests included) and
 * passes its arguments on: `node scripts/type-checker.js -p tsconfig.app.json`.
 *
 * Plain JavaScript on purpose: the app command (scripts/app.js) needs it before anything is compiled.
 */
'use strict';
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

/**
 * The command that type-checks: `{ command, args, native, note }`. `args` come before the
 * caller's own (`-p <tsconfig> --noEmit ...`). `note` says why the native compiler is not used.
 */
function typeChecker(root) {
  const platformPackage = `@typescript/typescript-${process.platform}-${process.arch}`;
  try {
    const native = dirname(require.resolve('typescript-native/package.json', { paths: [root] }));
    const binary = join(dirname(require.resolve(`${platformPackage}/package.json`, { paths: [native] })), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
    if (existsSync(binary)) return { command: binary, args: [], native: true };
  } catch {
    // not installed: fall back below
  }
  return {
    command: process.execPath,
    args: [require.resolve('typescript/bin/tsc', { paths: [root] })],
    native: false,
    note: `type check: TypeScript 7's native compiler is not installed for ${process.platform}-${process.arch} (${platformPackage}); checking with TypeScript 5.9 (slower)`,
  };
}

module.exports = { typeChecker };

if (require.main === module) {
  const { spawnSync } = require('node:child_process');
  const root = join(__dirname, '..');
  const checker = typeChecker(root);
  if (checker.note) process.stderr.write(`${checker.note}\n`);
  const own = process.argv.slice(2);
  const args = own.length > 0 ? own : ['-p', join(root, 'tsconfig.json'), '--noEmit'];
  const run = spawnSync(checker.command, [...checker.args, ...args], { stdio: 'inherit', cwd: root });
  process.exit(run.status ?? 1);
}
