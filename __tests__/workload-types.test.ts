/**
 * The generated workload configuration interfaces (constructs/kubernetes/workload-types.generated.ts)
 * are deep subsets of the provider's own. The proof is __tests__/types/workload-subset.ts, which
 * compiles only when that holds; it is left out of tsconfig.json (it made the project's type check
 * about 2 s slower) and compiled here, on its own, with the project's compiler options, by the
 * build's type checker (scripts/type-checker.js).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CronJobV1, DaemonSetV1, DeploymentV1, JobV1 } from '../constructs/kubernetes/workloads';
import { DeploymentV1 as RealDeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { typeChecker } from '../scripts/type-checker-api';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const PROOF = join(ROOT, '__tests__', 'types', 'workload-subset.ts');

const scratches: string[] = [];
afterAll(() => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});

/** A scratch folder inside the repository: type roots and rootDir resolve as for the project. */
function scratch(): string {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'dist', '.workload-types-'));
  scratches.push(dir);
  return dir;
}

/**
 * The errors of compiling `files` alone with the options of tsconfig.json, by the build's type
 * checker (`path(line,col): error TSnnnn: message`, paths relative to the repository).
 */
function compile(files: string[]): string[] {
  const config = join(scratch(), 'tsconfig.json');
  writeFileSync(config, JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), compilerOptions: { noEmit: true, incremental: false }, files, include: [] }));
  const checker = typeChecker(ROOT);
  const run = spawnSync(checker.command, [...checker.args, '-p', config, '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`.trim();
  if (run.status === 0) return [];
  expect(output).not.toBe('');
  return output.split('\n').filter((l) => /error TS\d+/.test(l));
}

test('every generated workload interface is a deep subset of the provider interface (the proof compiles)', () => {
  expect(compile([PROOF])).toEqual([]);
});

test('the proof is not part of the project type check, and a wrong claim in it does not compile', () => {
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { exclude: string[] };
  expect(tsconfig.exclude).toContain('__tests__/types');
  // The same proof with one claim reversed (a misspelled key accepted) must fail to compile.
  const wrong = join(scratch(), 'wrong.ts');
  // Imports made absolute, so the copy resolves exactly what the proof resolves.
  const text = readFileSync(PROOF, 'utf8')
    .replace(/from '\.\.\/\.\.\//g, `from '${ROOT}/`)
    .replace(/from '((?:@cdktf\/)?[a-z][^']*)'/g, (_, m: string) => `from '${ROOT}/node_modules/${m}'`);
  writeFileSync(wrong, text.replace("{ readonly readOnlyRootFileSystem?: boolean }, Probe> = false", "{ readonly readOnlyRootFileSystem?: boolean }, Probe> = true"));
  expect(compile([wrong])).toEqual([expect.stringMatching(new RegExp(`^${relative(ROOT, wrong).replace(/[.]/g, '\\.')}\\(\\d+,\\d+\\): error TS2322: Type 'true' is not assignable to type 'false'`))]);
});

test('the facade exports the provider classes themselves', () => {
  expect(DeploymentV1).toBe(RealDeploymentV1);
  expect([DaemonSetV1, JobV1, CronJobV1].map((c) => (c as unknown as { tfResourceType: string }).tfResourceType)).toEqual([
    'kubernetes_daemon_set_v1',
    'kubernetes_job_v1',
    'kubernetes_cron_job_v1',
  ]);
});
