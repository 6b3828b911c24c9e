/**
 * OPS-2 / issue 9 §1: local state is never lost, and every cross-stack read finds its producer's
 * state. In a scratch project holding a previous synth of every environment, plants a state file
 * where each local backend writes, runs the real cdktf CLI the way the README tells a person to (a
 * subset, `ENVIRONMENTS=<one> cdktf synth`, then `cdktf synth` of everything), and checks that
 * every state file survives both and, with real Terraform, that each platform stack's
 * `terraform_remote_state` reads the state its cloud stack writes (Terraform's built-in provider:
 * no download).
 *
 * The previous synth is the app itself (`node dist/main.js`, the command cdktf.json gives the CLI,
 * with the CLI's output folder): what the CLI writes, without a third start of the CLI (about 5 s
 * of CPU each). Every check of what the CLI synthesizes reads the CLI's own last, whole synth.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DEFINITIONS } from '../environments';
import { scratchDir } from './scratch';

jest.setTimeout(600_000);

const ROOT = join(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', '.bin', 'cdktf');
const project = scratchDir('state-paths-');
const outdir = join(project, 'cdktf.out');
type Json = Record<string, any>;

/** `cdktf <args>` in the scratch project, as typed (the app is this repository's compiled program). */
function cdktf(args: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(CDKTF, args, {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1', ENVIRONMENTS: '', ...env },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`cdktf ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

function stacks(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const name of readdirSync(join(outdir, 'stacks'))) {
    const file = join(outdir, 'stacks', name, 'cdk.tf.json');
    if (existsSync(file)) out[name] = JSON.parse(readFileSync(file, 'utf8'));
  }
  return out;
}

/** Where a stack's local backend writes, resolved from the folder Terraform runs in for it. */
function localStateFile(stack: string, json: Json): string | undefined {
  const path = json.terraform?.backend?.local?.path;
  return path === undefined ? undefined : resolve(outdir, 'stacks', stack, path);
}

/** A minimal, valid Terraform state (format 4) with these outputs. */
function stateWith(outputs: Record<string, string>): string {
  return JSON.stringify({
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage: '00000000-0000-4000-8000-000000000000',
    outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, type: 'string' }])),
    resources: [],
    check_results: null,
  });
}

/** The app as the CLI runs it (cdktf.json's `app`, with the CLI's output folder), without the CLI. */
function app(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, CDKTF_OUTDIR: outdir, ENVIRONMENTS: '' },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`node dist/main.js failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** The previous synth, before the CLI ran (where each local backend writes). */
let previous: Record<string, Json>;
/** What the CLI's last synth (every environment) wrote. */
let synthesized: Record<string, Json>;
const planted = new Map<string, string>();
/** The subset synth's environment, the stack folders left after it, and the state files then. */
let subset: { env: string; folders: string[]; states: Map<string, string | false> };
/** The state files after the CLI's whole synth. */
let statesAfterWhole: Map<string, string | false>;

const stateContents = () => new Map([...planted.keys()].map((file) => [file, existsSync(file) && readFileSync(file, 'utf8')] as const));

beforeAll(() => {
  writeFileSync(join(project, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${join(ROOT, 'dist', 'main.js')}` }));
  app();
  previous = stacks();
  for (const [stack, json] of Object.entries(previous)) {
    const file = localStateFile(stack, json);
    if (!file) continue;
    mkdirSync(dirname(file), { recursive: true });
    const content = stateWith({ planted: `${stack}-state` });
    writeFileSync(file, content);
    planted.set(file, content);
  }
  const local = DEFINITIONS.find((d: any) => d.stateBackend.type === 'local')!;
  cdktf(['synth'], { ENVIRONMENTS: local.name });
  subset = { env: local.name, folders: readdirSync(join(outdir, 'stacks')).sort(), states: stateContents() };
  cdktf(['synth']);
  synthesized = stacks();
  statesAfterWhole = stateContents();
});

test('every environment synthesizes both stacks through the cdktf CLI', () => {
  const expected = DEFINITIONS.flatMap((d) => [d.name, `${d.name}-platform`]).sort();
  expect(Object.keys(synthesized).sort()).toEqual(expected);
});

test('each local backend writes outside the output folder, into one state folder at the project root', () => {
  const local = Object.entries(synthesized).filter(([, json]) => json.terraform?.backend?.local);
  expect(local.length).toBeGreaterThan(0);
  for (const [stack, json] of local) {
    const file = localStateFile(stack, json)!;
    expect(relative(outdir, file).startsWith('..')).toBe(true);
    expect(file).toBe(join(project, 'terraform-state', `terraform.${stack}.tfstate`));
  }
});

test('each terraform_remote_state resolves, from its own stack folder, to the file its producer writes', () => {
  let reads = 0;
  for (const [stack, json] of Object.entries(synthesized)) {
    for (const [name, data] of Object.entries<Json>(json.data?.terraform_remote_state ?? {})) {
      const producer = name.replace(/^cross-stack-reference-input-/, '');
      expect(synthesized[producer]).toBeDefined();
      const producerBackend = synthesized[producer].terraform.backend;
      if (data.backend === 'local') {
        reads++;
        expect(resolve(outdir, 'stacks', stack, data.config.path)).toBe(localStateFile(producer, synthesized[producer]));
      } else {
        // Remote backends: the same bucket and key the producer writes.
        expect(data.backend).toBe('s3');
        expect(data.config).toMatchObject({ bucket: producerBackend.s3.bucket, key: producerBackend.s3.key });
      }
    }
  }
  expect(reads).toBeGreaterThan(0);
});

describe('state survives every synth the README describes', () => {
  test('the previous synth wrote every stack, and a state file was planted for each local backend', () => {
    expect(Object.keys(previous).sort()).toEqual(Object.keys(synthesized).sort());
    expect(planted.size).toBeGreaterThan(0);
  });

  test('a subset synth (ENVIRONMENTS=<one environment>) and then a whole synth keep every state file', () => {
    // The CLI did remove the folders of the stacks that synth did not produce (what lost state before).
    expect(subset.folders).toEqual([subset.env, `${subset.env}-platform`]);
    expect(subset.states).toEqual(planted);
    expect(statesAfterWhole).toEqual(planted);
    expect(Object.keys(stacks()).sort()).toEqual(Object.keys(previous).sort());
  });
});

describe('real Terraform reads each cloud stack state from its platform stack folder', () => {
  const readers = () =>
    Object.entries(synthesized).filter(([, json]) =>
      Object.values<Json>(json.data?.terraform_remote_state ?? {}).some((d) => d.backend === 'local'),
    );

  test('terraform plan of the reduced configuration (backend + remote state + outputs) sees the planted outputs', () => {
    expect(readers().length).toBeGreaterThan(0);
    for (const [stack, json] of readers()) {
      const remote = json.data.terraform_remote_state as Record<string, Json>;
      const text = JSON.stringify(json);
      const outputs: Record<string, string> = {};
      const reduced: Json = { terraform: { backend: json.terraform.backend }, data: { terraform_remote_state: remote }, output: {} };
      for (const [name, data] of Object.entries(remote)) {
        const producer = name.replace(/^cross-stack-reference-input-/, '');
        const names = new Set([...text.matchAll(new RegExp(`data\\.terraform_remote_state\\.${name}\\.outputs\\.([A-Za-z0-9_-]+)`, 'g'))].map((m) => m[1]));
        expect(names.size).toBeGreaterThan(0);
        for (const out of names) {
          outputs[out] = `${producer}:${out}`;
          reduced.output[`read_${out}`.replace(/-/g, '_')] = { value: `\${data.terraform_remote_state.${name}.outputs.${out}}` };
        }
        // The producer's state, with every output the reader uses, where the producer's backend writes.
        const producerState = resolve(outdir, 'stacks', stack, data.config.path);
        mkdirSync(dirname(producerState), { recursive: true });
        writeFileSync(producerState, stateWith(outputs));
      }
      // The reduced configuration runs from a folder at the same depth as the stack's own.
      const dir = join(outdir, 'stacks', `${stack}-remote-state-check`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(reduced, null, 2));
      const tf = (args: string[]) => spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, TF_IN_AUTOMATION: '1' } });
      const init = tf(['init', '-input=false', '-no-color']);
      expect(init.stderr).not.toMatch(/Error/);
      expect(init.status).toBe(0);
      const plan = tf(['plan', '-input=false', '-no-color', '-lock=false']);
      expect(plan.stderr).not.toMatch(/Error/);
      expect(plan.status).toBe(0);
      for (const [out, value] of Object.entries(outputs)) {
        expect(plan.stdout).toContain(`read_${out}`.replace(/-/g, '_'));
        expect(plan.stdout).toContain(value);
      }
    }
  });
});
