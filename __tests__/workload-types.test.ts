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
import { TerraformStack, Testing } from 'cdktf';
import { CronJobV1, DaemonSetV1, DeploymentV1, JobV1, useProviderWorkloadClasses } from '../constructs/kubernetes/workloads';
import { DeploymentV1 as ProviderDeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { CronJobV1 as ProviderCronJobV1 } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
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

describe('the workload classes (written by the converter table, not the provider\'s classes)', () => {
  const config = {
    metadata: { name: 'api', namespace: 'toronto-ai', labels: { 'app.kubernetes.io/name': 'api' } },
    spec: {
      replicas: '2',
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          container: [{ name: 'api', image: 'repo/api:1', args: ['--a'], securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } }, port: [{ containerPort: 8080 }] }],
          volume: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };

  /** The stack's JSON with a workload built by `build` as `w`, and what its metadata reads resolve to. */
  function synthWith(build: (stack: TerraformStack) => { metadata: { name: string; namespace: string; uid: string } }) {
    const stack = new TerraformStack(Testing.app(), 'stack');
    const w = build(stack);
    new ConfigMapV1(stack, 'reads', { metadata: { name: 'reads' }, data: { name: w.metadata.name, namespace: w.metadata.namespace, uid: w.metadata.uid } });
    return JSON.parse(Testing.synth(stack));
  }

  test('a deployment is written exactly as the provider\'s class writes it, and its metadata is read the same way', () => {
    const ours = synthWith((stack) => new DeploymentV1(stack, 'w', config as never));
    const theirs = synthWith((stack) => new ProviderDeploymentV1(stack, 'w', config as never));
    expect(ours).toEqual(theirs);
    expect(ours.resource.kubernetes_deployment_v1.w.spec.template.spec.container[0].security_context).toEqual({ run_as_non_root: true, capabilities: { drop: ['ALL'] } });
    expect(ours.resource.kubernetes_deployment_v1.w.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'api' });
    expect(ours.resource.kubernetes_config_map_v1.reads.data.uid).toBe('${kubernetes_deployment_v1.w.metadata[0].uid}');
  });

  test('a cron job too, and the three other classes are the provider\'s resource types', () => {
    const cron = { metadata: { name: 'job' }, spec: { schedule: '*/5 * * * *', timezone: 'Etc/UTC', jobTemplate: { metadata: {}, spec: { template: { metadata: {}, spec: config.spec.template.spec } } } } };
    expect(synthWith((stack) => new CronJobV1(stack, 'w', cron as never))).toEqual(synthWith((stack) => new ProviderCronJobV1(stack, 'w', cron as never)));
    const stack = new TerraformStack(Testing.app(), 'types');
    const types = [DaemonSetV1, JobV1, CronJobV1].map((C, i) => (new C(stack, `w${i}`, { metadata: {}, spec: { template: { metadata: {}, spec: {} } } } as never) as unknown as { terraformResourceType: string }).terraformResourceType);
    expect(types).toEqual(['kubernetes_daemon_set_v1', 'kubernetes_job_v1', 'kubernetes_cron_job_v1']);
  });

  test('the provider\'s own classes can be switched in (the determinism test compares whole environments with them)', () => {
    const stack = new TerraformStack(Testing.app(), 'switch');
    const previous = useProviderWorkloadClasses(true);
    try {
      expect(new DeploymentV1(stack, 'w', config as never)).toBeInstanceOf(ProviderDeploymentV1);
    } finally {
      useProviderWorkloadClasses(previous);
    }
    expect(new DeploymentV1(stack, 'x', config as never)).not.toBeInstanceOf(ProviderDeploymentV1);
  });
});
