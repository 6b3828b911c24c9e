/**
 * The linters (issue 10): ESLint holds the import rules (deep provider imports only; the
 * layering of ARCHITECTURE.md), knip the unused files, exports and dependencies. The whole tree
 * must pass both, and each rule must catch what it is for.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
  ['constructs/deep.ts', `import { Vpc } from '${P}aws/lib/vpc';\nvoid Vpc;\n`, undefined],
  ['environments/up-1.ts', "import { a } from '../constructs/common/iam';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['environments/sections/up-2.ts', "import { a } from '../../features/context';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['constructs/data/up-3.ts', "import { a } from '../../features/flows';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['constructs/up-4.ts', "import { a } from '../stacks/app';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['features/data/up-5.ts', "import { a } from '../../stacks/cloud-stack';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['stacks/up-6.ts', "import { a } from '../main';\nvoid a;\n", /ARCHITECTURE.md layering/],
  ['constructs/data/down-1.ts', "import { a } from '../../environments/schema';\nvoid a;\n", undefined],
  ['features/data/down-2.ts', "import { a } from '../../constructs/common/iam';\nvoid a;\n", undefined],
  ['stacks/down-3.ts', "import { a } from '../features/context';\nvoid a;\n", undefined],
  ['down-4.ts', "import { a } from './stacks/app';\nvoid a;\n", undefined],
];

/** Lints every case with this repository's eslint.config.mjs, in one run, in a scratch tree. */
function lintCases(): Map<string, string> {
  const dir = scratchDir('eslint-');
  copyFileSync(join(root, 'eslint.config.mjs'), join(dir, 'eslint.config.mjs'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [file, code] of CASES) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), code);
  }
  const run = spawnSync(process.execPath, [bin('eslint', 'bin/eslint.js'), '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
  const results = JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
  return new Map(results.map((r) => [relative(dir, r.filePath), r.messages.map((m) => `${m.ruleId}: ${m.message}`).join('\n')]));
}

let linted: Map<string, string>;
beforeAll(() => {
  linted = lintCases();
});

test.each(CASES)('%s: %s', (file, _code, expected) => {
  const messages = linted.get(file);
  expect(messages).toBeDefined();
  if (expected === undefined) expect(messages).toBe('');
  else expect(messages).toMatch(expected);
});

// As `npm run lint` runs it: ESLint keeps its results in node_modules/.cache/eslint, keyed by each
// file's content and the configuration, so an unchanged file is not parsed again (about 10 s of a
// warm run); npm ci starts without it.
const ESLINT_CACHE = ['--cache', '--cache-location', join(root, 'node_modules', '.cache', 'eslint') + '/', '--cache-strategy', 'content'];

test('the tree passes ESLint', () => {
  const run = spawnSync(process.execPath, [bin('eslint', 'bin/eslint.js'), ...ESLINT_CACHE, '.'], { cwd: root, encoding: 'utf8' });
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
