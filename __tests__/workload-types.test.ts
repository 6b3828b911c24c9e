/**
 * The generated workload configuration interfaces (constructs/kubernetes/workload-types.generated.ts)
 * are deep subsets of the provider's own. The proof is __tests__/types/workload-subset.ts, which
 * compiles only when that holds; it is left out of tsconfig.json (it made the project's type check
 * about 2 s slower) and compiled here, on its own, with the project's compiler options.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { CronJobV1, DaemonSetV1, DeploymentV1, JobV1 } from '../constructs/kubernetes/workloads';
import { DeploymentV1 as RealDeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const PROOF = join(ROOT, '__tests__', 'types', 'workload-subset.ts');

/** The errors of compiling `files` alone with the options of tsconfig.json. */
function compile(files: string[]): string[] {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram(files, { ...options, noEmit: true, incremental: false, tsBuildInfoFile: undefined, rootDir: undefined });
  expect(files.every((f) => program.getSourceFile(f) !== undefined)).toBe(true);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

test('every generated workload interface is a deep subset of the provider interface (the proof compiles)', () => {
  expect(compile([PROOF])).toEqual([]);
});

test('the proof is not part of the project type check, and a wrong claim in it does not compile', () => {
  const tsconfig = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config as { exclude: string[] };
  expect(tsconfig.exclude).toContain('__tests__/types');
  // The same proof with one claim reversed (a misspelled key accepted) must fail to compile.
  const dir = mkdtempSync(join(tmpdir(), 'workload-subset-'));
  const wrong = join(dir, 'wrong.ts');
  // Imports made absolute, so the copy resolves exactly what the proof resolves.
  const text = readFileSync(PROOF, 'utf8')
    .replace(/from '\.\.\/\.\.\//g, `from '${ROOT}/`)
    .replace(/from '((?:@cdktf\/)?[a-z][^']*)'/g, (_, m: string) => `from '${ROOT}/node_modules/${m}'`);
  writeFileSync(wrong, text.replace("{ readonly readOnlyRootFileSystem?: boolean }, Probe> = false", "{ readonly readOnlyRootFileSystem?: boolean }, Probe> = true"));
  expect(compile([wrong])).toEqual([expect.stringMatching(/wrong\.ts: Type 'true' is not assignable to type 'false'/)]);
});

test('the facade exports the provider classes themselves', () => {
  expect(DeploymentV1).toBe(RealDeploymentV1);
  expect([DaemonSetV1, JobV1, CronJobV1].map((c) => (c as unknown as { tfResourceType: string }).tfResourceType)).toEqual([
    'kubernetes_daemon_set_v1',
    'kubernetes_job_v1',
    'kubernetes_cron_job_v1',
  ]);
});
