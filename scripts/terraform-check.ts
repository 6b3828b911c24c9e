/**
 * Validation without cloud credentials (OPS-3): runs real Terraform (`init`, then an offline
 * `plan`, which validates first; `validate` alone where no offline plan is possible) over
 * synthesized stacks in scratch copies. Mock credentials, skip flags and a local
 * backend are supplied through a generated `*_override.tf.json` in the scratch copy only; the
 * synthesized configuration itself is never changed.
 *
 * Stacks whose providers cannot be installed here (no registry access, not in the mirror) are
 * reported as such and checked at synth level (`checkReferences`) instead.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface StackCheck {
  readonly stack: string;
  /** `terraform`: validated and planned by Terraform; `synth-only`: providers unavailable here. */
  readonly mode: 'terraform' | 'synth-only';
  readonly ok: boolean;
  readonly steps: { name: string; ok: boolean; seconds: number; detail: string }[];
  /** Resources the offline plan would create. */
  readonly plannedCreates?: number;
  /** Why no offline plan ran although Terraform validated the stack (e.g. it reads another stack's state). */
  readonly planSkipped?: string;
  readonly note?: string;
}

/**
 * Why an offline plan of this stack is impossible, or undefined when it is possible: a stack that
 * reads another stack's state (cdktf cross-stack references, `terraform_remote_state`) needs that
 * state, and its backend's credentials, to plan. `terraform init` and `validate` still run.
 */
export function offlinePlanBlocker(config: TerraformJson): string | undefined {
  const reads = Object.keys(config.data?.terraform_remote_state ?? {});
  if (reads.length === 0) return undefined;
  const stacks = reads.map((r) => r.replace(/^cross-stack-reference-input-/, '')).sort();
  return `no offline plan: it reads the state of ${stacks.join(', ')} (terraform_remote_state), which needs that state and credentials`;
}

/** Where a provider mirror may be, in order: the documented variable, then common locations. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.TF_PROVIDER_MIRROR,
    '/opt/tf-plugins',
    join(homedir(), '.terraform.d', 'plugins'),
    '/usr/share/terraform/plugins',
    '/usr/local/share/terraform/plugins',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(join(p, 'registry.terraform.io')));
}

/** Providers (`hashicorp/aws`) present in a mirror. */
export function mirroredProviders(mirror: string | undefined): string[] {
  if (!mirror) return [];
  const base = join(mirror, 'registry.terraform.io');
  const out: string[] = [];
  for (const ns of readdirSync(base)) {
    for (const name of readdirSync(join(base, ns))) out.push(`${ns}/${name}`);
  }
  return out;
}

/** Providers a synthesized stack requires, as `hashicorp/<name>`. */
export function requiredProviders(config: TerraformJson): string[] {
  const req = config.terraform?.required_providers ?? {};
  return Object.values(req).map((p) => {
    const source = p.source.includes('/') ? p.source : `hashicorp/${p.source}`;
    return source.replace(/^registry\.terraform\.io\//, '');
  });
}

export interface TerraformJson {
  terraform?: { required_providers?: Record<string, { source: string; version?: string }>; backend?: Record<string, unknown> };
  provider?: Record<string, Record<string, unknown>[]>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  locals?: Record<string, unknown>;
  variable?: Record<string, unknown>;
}

/** A stack's Terraform JSON in a `cdktf synth` output folder (`<outdir>/stacks/<stack>/cdk.tf.json`). */
export function readStack<T = TerraformJson>(outdir: string, stack: string): T {
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as T;
}

/** Every stack synthesized in `outdir`, from the manifest. */
export function listStacks(outdir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
  return Object.keys(manifest.stacks);
}

/**
 * Synth-level check: every `${type.name...}` / `${data.type.name...}` reference in the stack
 * points at a resource or data source that the stack declares, and every provider used by a
 * resource has a configuration block. Returns the problems found.
 */
export function checkReferences(config: TerraformJson, outputsOf?: (stack: string) => string[] | undefined): string[] {
  const problems: string[] = [];
  // Cross-stack reads: each output read through a cdktf remote state must exist in that stack.
  if (outputsOf) {
    const text = JSON.stringify(config);
    for (const m of text.matchAll(/data\.terraform_remote_state\.cross-stack-reference-input-([A-Za-z0-9-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
      const outputs = outputsOf(m[1]);
      if (!outputs) problems.push(`reads outputs of stack ${m[1]}, which was not synthesized`);
      else if (!outputs.includes(m[2])) problems.push(`reads output ${m[2]} of stack ${m[1]}, which that stack does not export`);
    }
  }
  const resources = new Set<string>();
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    for (const name of Object.keys(byName)) resources.add(`${type}.${name}`);
  }
  const data = new Set<string>();
  for (const [type, byName] of Object.entries(config.data ?? {})) {
    for (const name of Object.keys(byName)) data.add(`data.${type}.${name}`);
  }
  const text = JSON.stringify({ resource: config.resource, data: config.data, output: config.output, provider: config.provider });
  const refPattern = /\$\{([^}]*)\}/g;
  const addrPattern = /(?<![\w.-])(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g;
  for (const match of text.matchAll(refPattern)) {
    for (const addr of match[1].matchAll(addrPattern)) {
      const a = addr[1];
      if (a.startsWith('data.')) {
        if (!data.has(a)) problems.push(`reference to undeclared data source ${a}`);
      } else if (!a.startsWith('terraform.') && !a.startsWith('each.') && !a.startsWith('count.') && !a.startsWith('var.') && !a.startsWith('local.')) {
        const [type] = a.split('.');
        if (config.resource?.[type] !== undefined || /^(aws|kubernetes|helm)_/.test(type)) {
          if (!resources.has(a)) problems.push(`reference to undeclared resource ${a}`);
        }
      }
    }
  }
  const configured = new Set(Object.keys(config.provider ?? {}));
  for (const type of [...Object.keys(config.resource ?? {}), ...Object.keys(config.data ?? {})]) {
    const provider = type.split('_')[0];
    if (provider !== 'terraform' && !configured.has(provider)) {
      problems.push(`${type} needs provider "${provider}", which has no configuration block`);
    }
  }
  return [...new Set(problems)];
}

/** The override that makes a plan possible offline. Written into the scratch copy only. */
export function offlineOverride(config: TerraformJson): Record<string, unknown> {
  const override: Record<string, unknown> = {
    terraform: { backend: { local: { path: 'terraform.tfstate' } } },
  };
  if (config.provider?.aws) {
    override.provider = {
      aws: config.provider.aws.map((p) => ({
        ...(p.alias ? { alias: p.alias } : {}),
        access_key: 'mock-access-key',
        secret_key: 'mock-secret-key',
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        // With mock credentials there is no account to compare against: the check of
        // allowed_account_ids belongs to a real plan (`cdktf diff`), not to this offline one.
        allowed_account_ids: null,
      })),
    };
  }
  return override;
}

function cliConfig(mirror: string | undefined, scratchRoot: string): string | undefined {
  if (process.env.TF_CLI_CONFIG_FILE && existsSync(process.env.TF_CLI_CONFIG_FILE)) {
    return process.env.TF_CLI_CONFIG_FILE;
  }
  if (!mirror) return undefined;
  const file = join(scratchRoot, 'terraform.rc');
  const mirrored = mirroredProviders(mirror).map((p) => `"registry.terraform.io/${p}"`);
  writeFileSync(
    file,
    [
      'provider_installation {',
      `  filesystem_mirror {`,
      `    path    = ${JSON.stringify(mirror)}`,
      `    include = [${mirrored.join(', ')}]`,
      '  }',
      '  direct {',
      `    exclude = [${mirrored.join(', ')}]`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolvePromise({ code: 127, out: String(e) }));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, out }));
  });
}

export interface CheckOptions {
  /** Synthesized output (cdktf.out). */
  readonly outdir: string;
  /** Stacks to check; default: all in the manifest. */
  readonly stacks?: string[];
  /** Scratch root; default `<outdir>/../.validate`. */
  readonly scratch?: string;
  /** Stacks checked at once (each Terraform AWS provider process needs ~1 GB). */
  readonly concurrency?: number;
  /** Try the public registry for providers missing from the mirror. */
  readonly useRegistry?: boolean;
}

/** Runs the checks; one result per stack. */
export async function checkStacks(options: CheckOptions): Promise<StackCheck[]> {
  const outdir = resolve(options.outdir);
  const scratchRoot = resolve(options.scratch ?? join(outdir, '..', '.validate'));
  rmSync(scratchRoot, { recursive: true, force: true });
  mkdirSync(scratchRoot, { recursive: true });
  const mirror = findProviderMirror();
  const available = new Set(mirroredProviders(mirror));
  const rc = cliConfig(mirror, scratchRoot);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // Terraform and the AWS provider (Go) collect garbage an eighth as often as Go's default:
    // measured on the production plan (two runs each), 33 s of CPU instead of 36 s with GOGC=200,
    // for a provider peaking near 0.8 GB instead of 0.4 GB; GOMEMLIMIT makes it collect sooner if
    // it nears 2 GiB. The caller's GOGC and GOMEMLIMIT win.
    GOGC: process.env.GOGC ?? '800',
    GOMEMLIMIT: process.env.GOMEMLIMIT ?? '2GiB',
    ...(rc ? { TF_CLI_CONFIG_FILE: rc } : {}),
  };
  const stacks = options.stacks ?? listStacks(outdir);
  const results: StackCheck[] = new Array(stacks.length);
  let next = 0;
  const worker = async () => {
    while (next < stacks.length) {
      const i = next++;
      results[i] = await checkOne(outdir, scratchRoot, stacks[i], available, env, options.useRegistry ?? false);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return results;
}

async function checkOne(
  outdir: string,
  scratchRoot: string,
  stack: string,
  available: Set<string>,
  env: NodeJS.ProcessEnv,
  useRegistry: boolean,
): Promise<StackCheck> {
  const config = readStack(outdir, stack);
  const steps: StackCheck['steps'] = [];
  // Each producing stack is read once, however many of its outputs this stack reads.
  const outputs = new Map<string, string[] | undefined>();
  const outputsOf = (name: string): string[] | undefined => {
    if (!outputs.has(name)) {
      try {
        outputs.set(name, Object.keys(readStack(outdir, name).output ?? {}));
      } catch {
        outputs.set(name, undefined);
      }
    }
    return outputs.get(name);
  };
  const refProblems = checkReferences(config, outputsOf);
  steps.push({ name: 'references', ok: refProblems.length === 0, seconds: 0, detail: refProblems.join('\n') });
  const missing = requiredProviders(config).filter((p) => !available.has(p));
  if (missing.length > 0 && !useRegistry) {
    return {
      stack,
      mode: 'synth-only',
      ok: refProblems.length === 0,
      steps,
      note: `not validated by Terraform: provider(s) ${missing.join(', ')} cannot be installed here (no provider mirror holds them and the registry is not used; set VALIDATE_USE_REGISTRY=1 on a machine with registry access). Checked at synth level instead.`,
    };
  }
  const dir = join(scratchRoot, stack);
  mkdirSync(dir, { recursive: true });
  cpSync(join(outdir, 'stacks', stack), dir, { recursive: true });
  writeFileSync(join(dir, 'zz_offline_override.tf.json'), JSON.stringify(offlineOverride(config), null, 2));
  const tf = async (name: string, args: string[]) => {
    const started = Date.now();
    const r = await run('terraform', args, dir, env);
    const step = { name, ok: r.code === 0, seconds: (Date.now() - started) / 1000, detail: r.out };
    steps.push(step);
    return step;
  };
  let plannedCreates: number | undefined;
  const planSkipped = offlinePlanBlocker(config);
  // `terraform plan` validates the configuration first, with the same walk as `terraform
  // validate` (its trace log: "backend/local: running validation operation", then "walkValidate"),
  // and stops on the same errors. A stack that is planned is therefore validated by its plan;
  // running `validate` before it repeated the walk and the provider's schema load (about 12 s
  // of CPU per cloud stack). A stack that cannot be planned offline runs `validate` alone.
  const init = await tf('init', ['init', '-input=false', '-no-color']);
  let ok = init.ok;
  if (ok && planSkipped !== undefined) ok = (await tf('validate', ['validate', '-no-color'])).ok;
  else if (ok) {
    const step = await tf('plan (validate included)', ['plan', '-input=false', '-no-color', '-lock=false', '-refresh=false']);
    const m = /Plan: (\d+) to add/.exec(step.detail);
    plannedCreates = m ? Number(m[1]) : undefined;
    ok = step.ok;
  }
  return { stack, mode: 'terraform', ok: ok && refProblems.length === 0, steps, plannedCreates, planSkipped };
}

/** Human-readable summary lines. */
export function summarize(results: readonly StackCheck[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const status = r.ok ? 'ok' : 'FAILED';
    if (r.mode === 'terraform') {
      const timing = r.steps.filter((s) => s.name !== 'references').map((s) => `${s.name} ${s.seconds.toFixed(1)}s`).join(', ');
      if (r.planSkipped) lines.push(`${status.padEnd(6)} ${r.stack}: terraform init and validate; ${r.planSkipped} (${timing})`);
      else lines.push(`${status.padEnd(6)} ${r.stack}: terraform init and offline plan, which validates first (${r.plannedCreates ?? '?'} to add; ${timing})`);
    } else {
      lines.push(`${status.padEnd(6)} ${r.stack}: synth-level checks only. ${r.note}`);
    }
    for (const s of r.steps.filter((x) => !x.ok)) {
      lines.push(`       ${s.name} failed:\n${s.detail.split('\n').slice(-40).map((l) => `         ${l}`).join('\n')}`);
    }
  }
  return lines.join('\n');
}
