/**
 * OPS-3: every cloud stack passes real `terraform init` and an offline `plan` (which runs
 * Terraform's validation walk first: a configuration `validate` rejects fails its plan)
 * (mock credentials in a scratch override only); platform stacks are checked at synth level where
 * their providers cannot be installed. Needs Terraform >= 1.10 on PATH and the aws provider from
 * TF_CLI_CONFIG_FILE or a provider mirror (see README).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITIONS } from '../environments';
import { checkReferences, checkStacks, offlinePlanBlocker, offlineOverride, StackCheck } from '../scripts/terraform-check';
import { scratchDir } from './scratch';
import { synthesizedApp } from './synth-cache';

// Four offline plans of ~200 resources: 2-4 minutes on an idle 2-core machine, several times that
// when the machine is shared; the timeout only guards against a hang.
jest.setTimeout(900_000);

const work = scratchDir('tf-check-');
/** Every environment as `cdktf synth` writes it: the run's one whole-app synth (./synth-cache.ts), only read here. */
let outdir: string;
let results: StackCheck[];

beforeAll(async () => {
  outdir = synthesizedApp().outdir;
  results = await checkStacks({ outdir, scratch: join(work, 'scratch'), concurrency: 2 });
});

const ENVIRONMENT_NAMES = DEFINITIONS.map((d) => d.name);

test('every registered environment is checked', () => {
  expect(results.map((r) => r.stack).sort()).toEqual(ENVIRONMENT_NAMES.flatMap((n) => [n, `${n}-platform`]).sort());
});

test.each(ENVIRONMENT_NAMES)('cloud stack %s validates and plans with Terraform', (env) => {
  const r = results.find((x) => x.stack === env)!;
  expect(r.steps.map((s) => s.name)).toEqual(['references', 'init', 'plan (validate included)']);
  const failed = r.steps.filter((s) => !s.ok).map((s) => `${s.name}: ${s.detail.slice(-2000)}`);
  expect(failed).toEqual([]);
  expect(r.mode).toBe('terraform');
  expect(r.plannedCreates).toBeGreaterThan(50);
});

test.each(ENVIRONMENT_NAMES)('platform stack %s-platform passes the synth-level checks', (env) => {
  const r = results.find((x) => x.stack === `${env}-platform`)!;
  expect(r.ok).toBe(true);
  if (r.mode === 'synth-only') expect(r.note).toMatch(/cannot be installed here/);
});

test('the offline override lives only in the scratch copy, never in the synthesized configuration', () => {
  for (const stack of readdirSync(join(outdir, 'stacks'))) {
    const files = readdirSync(join(outdir, 'stacks', stack));
    expect(files.filter((f) => f.includes('override'))).toEqual([]);
    expect(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')).not.toMatch(/mock-access-key|skip_credentials_validation/);
  }
});

test('the override supplies mock credentials for every aws provider block, aliases included', () => {
  const override = offlineOverride({ provider: { aws: [{ region: 'ca-central-1' }, { alias: 'replica', region: 'ca-west-1' }] } }) as any;
  expect(override.provider.aws).toHaveLength(2);
  expect(override.provider.aws[1]).toMatchObject({ alias: 'replica', skip_credentials_validation: true, access_key: 'mock-access-key' });
  expect(override.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
});

test('the synth-level check reports a cross-stack read of an output that does not exist', () => {
  const reader = {
    data: { terraform_remote_state: { 'cross-stack-reference-input-prod': { backend: 'local' } } },
    provider: { kubernetes: [{ host: '${data.terraform_remote_state.cross-stack-reference-input-prod.outputs.endpoint}' }] },
  };
  expect(checkReferences(reader, () => ['ca'])).toEqual(['reads output endpoint of stack prod, which that stack does not export']);
  expect(checkReferences(reader, () => ['endpoint'])).toEqual([]);
});

test('the synth-level check reports a dangling reference', () => {
  expect(
    checkReferences({
      provider: { aws: [{}] },
      resource: { aws_subnet: { a: { vpc_id: '${aws_vpc.missing.id}' } } },
    }),
  ).toEqual(['reference to undeclared resource aws_vpc.missing']);
});

test('a stack that reads another stack\'s state is validated without an offline plan (the plan would need that state and credentials)', () => {
  const platform = JSON.parse(readFileSync(join(outdir, 'stacks', 'staging-platform', 'cdk.tf.json'), 'utf8'));
  expect(offlinePlanBlocker(platform)).toBe('no offline plan: it reads the state of staging (terraform_remote_state), which needs that state and credentials');
  const cloud = JSON.parse(readFileSync(join(outdir, 'stacks', 'staging', 'cdk.tf.json'), 'utf8'));
  expect(offlinePlanBlocker(cloud)).toBeUndefined();
  for (const r of results.filter((x) => x.mode === 'terraform' && x.stack.endsWith('-platform'))) {
    expect(r.planSkipped).toMatch(/^no offline plan/);
    expect(r.steps.map((s) => s.name)).toEqual(['references', 'init', 'validate']);
  }
});

test('a planned stack is validated by its plan: a value the provider\'s validation refuses fails the plan, as `terraform validate` would', async () => {
  const dir = scratchDir('tf-invalid-');
  const out = join(dir, 'cdktf.out');
  const config = {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } },
    provider: { aws: [{ region: 'ca-central-1' }] },
    // The provider's own check of the value (ValidateResourceConfig), which runs in the validation walk.
    resource: { aws_wafv2_ip_set: { s: { name: 'plan-validates', scope: 'NOWHERE', ip_address_version: 'IPV4', addresses: [] } } },
  };
  mkdirSync(join(out, 'stacks', 'invalid'), { recursive: true });
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ stacks: { invalid: {} } }));
  writeFileSync(join(out, 'stacks', 'invalid', 'cdk.tf.json'), JSON.stringify(config));
  const [r] = await checkStacks({ outdir: out, scratch: join(dir, 'scratch'), concurrency: 1 });
  expect(r.mode).toBe('terraform');
  expect(r.ok).toBe(false);
  const plan = r.steps.find((s) => s.name === 'plan (validate included)')!;
  expect(plan.ok).toBe(false);
  expect(plan.detail).toMatch(/expected scope to be one of[\s\S]*REGIONAL/);
});
