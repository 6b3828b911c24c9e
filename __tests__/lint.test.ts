/**
 * The linters (issue 10): oxlint holds the import rules (deep provider imports only; the
 * layering of ARCHITECTURE.md; .oxlintrc.json and its plugin rule scripts/oxlint-plugin.mjs), knip
 * the unused files, exports and dependencies. The whole tree must pass both, and each rule must
 * catch what it is for.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scratchDir } from './scratch';

jest.setTimeout(180_000);
const root = join(__dirname, '..', '..');
const bin = (pkg: string, path: string) => join(root, 'node_modules', pkg, path);

// Built from parts so that this file itself holds no barrel import for the lint to find.
const P = '@cdktf/provider-';

/** [file, code, what the lint must say (undefined: nothing)] */
const CASES: [string, string, RegExp | undefined][] = [
  ['constructs/barrel-1.ts', `import { Vpc } from '${P}aws';\nvoid Vpc;\n`, /not the provider barrel/],
  ['constructs/barrel-2.ts', `import { Vpc } from '${P}aws/lib';\nvoid Vpc;\n`, /not the provider barrel/],
  ['__tests__/barrel-3.test.ts', `import * as helm from "${P}helm";\nvoid helm;\n`, /not the provider barrel/],
  ['scripts/barrel-4.ts', `const k = require('${P}kubernetes');\nvoid k;\n`, /not the provider barrel/],
  ['scripts/barrel-5.ts', `void import('${P}aws');\n`, /not the provider barrel/],
  ['scripts/barrel-6.js', `module.exports = require('${P}helm/lib/');\n`, /not the provider barrel/],
  ['__tests__/barrel-7.ts', `export * from '${P}kubernetes';\n`, /not the provider barrel/],
  ['environments/barrel-8.ts', `export { Vpc } from '${P}aws';\n`, /not the provider barrel/],
  ['features/barrel-9.ts', `import type { Vpc } from '${P}aws/lib';\nexport type V = Vpc;\n`, /not the provider barrel/],
  ['stacks/barrel-10.ts', `import { Vpc } from '${P}aws';\nvoid Vpc;\n`, /not the provider barrel/],
  ['constructs/deep.ts', `import { Vpc } from '${P}aws/lib/vpc';\nvoid Vpc;\n`, undefined],
  ['environments/up-1.ts', "import { a } from '../constructs/common/iam';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['environments/sections/up-2.ts', "import { a } from '../../features/context';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['constructs/data/up-3.ts', "import { a } from '../../features/flows';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['constructs/up-4.ts', "import { a } from '../stacks/app';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['features/data/up-5.ts', "import { a } from '../../stacks/cloud-stack';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['stacks/up-6.ts', "import { a } from '../main';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['constructs/up-7.ts', "export { a } from '../features/context';\n", /ARCHITECTURE.md layering/],
  ['features/up-8.ts', "void import('../stacks/app');\n", /ARCHITECTURE.md layering/],
  ['stacks/require-1.ts', "const a = require('./app');\nvoid a;\n", /no-require-imports/],
  ['stacks/require-2.ts', "// eslint-disable-next-line @typescript-eslint/no-require-imports\nconst a = require('./app');\nvoid a;\n", undefined],
  ['constructs/data/down-1.ts', "import { a } from '../../environments/schema';\nvoid a;\n", undefined],
  ['features/data/down-2.ts', "import { a } from '../../constructs/common/iam';\nvoid a;\n", undefined],
  ['stacks/down-3.ts', "import { a } from '../features/context';\nvoid a;\n", undefined],
  ['down-4.ts', "import { a } from './stacks/app';\nvoid a;\n", undefined],
  ['scripts/require-3.ts', "const a = require('node:fs');\nvoid a;\n", undefined],
];

/** One thread: jest's other worker has the other core, and a second thread costs CPU here (0.1 s a run). */
const OXLINT_THREADS = ['--threads', '1'];

/** Copies this repository's oxlint configuration (and its plugin rule) into `dir`. */
function copyLintConfig(dir: string): void {
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  for (const file of ['.oxlintrc.json', 'scripts/oxlint-plugin.mjs']) copyFileSync(join(root, file), join(dir, file));
}

/** oxlint's JSON report: one entry per finding, nothing for a file without one. */
interface OxlintReport {
  diagnostics: { filename: string; code: string; message: string; help?: string }[];
  number_of_files: number;
}

/** Lints every case with this repository's .oxlintrc.json, in one run, in a scratch tree. */
function lintCases(): { report: OxlintReport; byFile: Map<string, string> } {
  const dir = scratchDir('oxlint-');
  copyLintConfig(dir);
  for (const [file, code] of CASES) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), code);
  }
  const run = spawnSync(process.execPath, [bin('oxlint', 'bin/oxlint'), ...OXLINT_THREADS, '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
  if (run.stderr !== '') throw new Error(`oxlint: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as OxlintReport;
  const byFile = new Map<string, string>();
  for (const d of report.diagnostics) {
    const line = `${d.code}: ${d.message}${d.help ? ` ${d.help}` : ''}`;
    byFile.set(d.filename, byFile.has(d.filename) ? `${byFile.get(d.filename)}\n${line}` : line);
  }
  return { report, byFile };
}

let linted: { report: OxlintReport; byFile: Map<string, string> };
beforeAll(() => {
  linted = lintCases();
});

// A file with no finding has no entry in the report: the count proves every case was linted
// (the cases and the plugin file, which is linted too).
test('oxlint lints every case', () => {
  expect(linted.report.number_of_files).toBe(CASES.length + 1);
});

test.each(CASES)('%s: %s', (file, _code, expected) => {
  const messages = linted.byFile.get(file) ?? '';
  if (expected === undefined) expect(messages).toBe('');
  else expect(messages).toMatch(expected);
});

// The tree, with the configuration `npm run lint` uses (only the output format differs). oxlint
// keeps no cache and needs none: the whole tree takes under a second of CPU (ESLint with
// typescript-eslint's parser took about 15 s in a fresh clone).
test('the tree passes oxlint', () => {
  const run = spawnSync(process.execPath, [bin('oxlint', 'bin/oxlint'), ...OXLINT_THREADS, '--format', 'agent'], { cwd: root, encoding: 'utf8' });
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
});

test('the tree passes knip: no unused file, export, type or dependency', () => {
  const run = spawnSync(process.execPath, [bin('knip', 'bin/knip.js'), '--no-progress'], { cwd: root, encoding: 'utf8' });
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
});

test('knip, with this repository configuration, reports an export nothing imports', () => {
  const dir = scratchDir('knip-');
  mkdirSync(join(dir, 'constructs'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', version: '0.0.0', private: true }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true } }));
  writeFileSync(join(dir, 'knip.jsonc'), JSON.stringify({ entry: ['main.ts'], project: ['**/*.ts'], ignoreExportsUsedInFile: true }));
  writeFileSync(join(dir, 'main.ts'), "import { used } from './constructs/part';\nconsole.log(used);\n");
  writeFileSync(join(dir, 'constructs', 'part.ts'), "export const used = 1;\nexport const forgotten = 2;\n");
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const run = spawnSync(process.execPath, [bin('knip', 'bin/knip.js'), '--no-progress'], { cwd: dir, encoding: 'utf8' });
  expect(run.status).not.toBe(0);
  expect(run.stdout).toMatch(/Unused exports[\s\S]*forgotten\s+constructs\/part\.ts/);
  expect(run.stdout).not.toMatch(/\bused\s+constructs/);
});
