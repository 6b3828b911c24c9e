/**
 * BAK-4 data-safety walker: reads a synthesized stack (Terraform JSON) and reports every
 * state-holding resource an ordinary `terraform apply`/`destroy` could delete, and every place
 * where stateful Kubernetes data would lose its volume when its claim goes away.
 *
 * - AWS resources that hold data (buckets, keys, clusters, log groups, databases, caches, file
 *   systems, volumes, secrets, vaults): `lifecycle.prevent_destroy = true`; database types with a
 *   `deletion_protection` argument also need it true.
 * - Kubernetes persistent volumes and claims, Helm releases that own data and the namespaces
 *   that hold data: `prevent_destroy` as well, except what the definition's `unprotect` lists
 *   for a reviewed restore.
 * - Storage classes: the default class keeps its volumes (`reclaim_policy = Retain`), and no Helm
 *   release or claim puts data on a class that deletes its volumes.
 *
 * Pure functions on JSON, so the same check runs in tests and on `cdktf.out`. Which types hold
 * state is defined once, in constructs/policy/state-holding.ts (shared with TAI-DATA-1).
 */
import {
  DELETION_PROTECTION_TYPES,
  STATE_HOLDING,
  STATE_HOLDING_NAMESPACES,
  isStateHolding,
  isStateHoldingResource,
  namespaceName,
  releaseValues,
  storageClassesIn,
} from '../constructs/policy/state-holding';

export { DELETION_PROTECTION_TYPES, STATE_HOLDING, STATE_HOLDING_NAMESPACES, isStateHolding, isStateHoldingResource };

export type TerraformJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
};

const STORAGE_CLASS_TYPES = ['kubernetes_storage_class', 'kubernetes_storage_class_v1'];
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export interface DataSafetyFinding {
  /** Terraform address, e.g. `aws_s3_bucket.backups_bucket_1AAA901B`. */
  readonly address: string;
  /** Construct path from cdktf's metadata, when present. */
  readonly path?: string;
  readonly problem: string;
}

type Json = Record<string, any>;

function first(v: unknown): Json {
  if (Array.isArray(v)) return (v[0] ?? {}) as Json;
  return (v ?? {}) as Json;
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}


function entries(json: TerraformJson): { type: string; name: string; config: Json }[] {
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, config]) => ({ type, name, config: config as Json })),
  );
}

/**
 * A deliberate, reviewed exception: a resource the definition's `unprotect` lists for a restore
 * (kind `release` matches a helm_release's `name`, kind `namespace` a namespace's name).
 */
export interface AllowedReplacement {
  readonly kind: 'release' | 'namespace';
  readonly name: string;
}

function isAllowed(type: string, config: Json, allowed: readonly AllowedReplacement[]): boolean {
  if (type === 'helm_release') return allowed.some((a) => a.kind === 'release' && a.name === config.name);
  if (/^kubernetes_namespace(_v1)?$/.test(type)) return allowed.some((a) => a.kind === 'namespace' && a.name === namespaceName(config));
  return false;
}

/** Every finding in one synthesized stack. An empty list means the stack is safe. */
export function findUnprotected(json: TerraformJson, allowed: readonly AllowedReplacement[] = []): DataSafetyFinding[] {
  const findings: DataSafetyFinding[] = [];
  const all = entries(json);
  const report = (r: { type: string; name: string; config: Json }, problem: string) =>
    findings.push({ address: `${r.type}.${r.name}`, path: r.config['//']?.metadata?.path, problem });

  // ---- prevent_destroy / deletion protection
  for (const r of all) {
    if (!isStateHoldingResource(r.type, r.config)) continue;
    if (!isTrue(first(r.config.lifecycle).prevent_destroy) && !isAllowed(r.type, r.config, allowed)) {
      report(r, 'state-holding resource without lifecycle.prevent_destroy (use protectFromDestroy(resource, env.protectState))');
    }
    if (DELETION_PROTECTION_TYPES.includes(r.type) && !isTrue(r.config.deletion_protection)) {
      report(r, 'deletion_protection is not true');
    }
  }

  // ---- storage classes: the default one retains volumes; data never lands on a Delete class
  const classes = all.filter((r) => STORAGE_CLASS_TYPES.includes(r.type));
  const deleting = new Set<string>();
  for (const c of classes) {
    const meta = first(c.config.metadata);
    const name = String(meta.name ?? c.name);
    const policy = String(c.config.reclaim_policy ?? 'Delete');
    if (policy !== 'Retain') deleting.add(name);
    const isDefault = String((meta.annotations ?? {})[DEFAULT_CLASS_ANNOTATION] ?? '') === 'true';
    if (isDefault && policy !== 'Retain') {
      report(c, `default storage class ${name} has reclaim_policy ${policy}; claims that name no class would lose their volume: set Retain`);
    }
  }
  if (classes.length > 0 && classes.every((c) => String(c.config.reclaim_policy ?? 'Delete') !== 'Retain')) {
    report(classes[0], 'no storage class with reclaim_policy Retain for stateful data');
  }
  for (const r of all) {
    if (r.type === 'helm_release') {
      for (const parsed of releaseValues(r.config)) {
        for (const sc of storageClassesIn(parsed)) {
          if (deleting.has(sc)) report(r, `values put data on storage class ${sc}, whose reclaim policy deletes the volume`);
        }
      }
    }
    if (/^kubernetes_persistent_volume_claim(_v1)?$/.test(r.type)) {
      const sc = first(r.config.spec).storage_class_name;
      if (typeof sc === 'string' && deleting.has(sc)) {
        report(r, `claim on storage class ${sc}, whose reclaim policy deletes the volume`);
      }
    }
  }
  return findings;
}

/** One line per finding, for error messages. */
export function formatFindings(stack: string, findings: readonly DataSafetyFinding[]): string[] {
  return findings.map((f) => `${stack}: ${f.address}${f.path ? ` (${f.path})` : ''}: ${f.problem}`);
}

/**
 * CLI: `node dist/scripts/data-safety.js [outdir]` checks the synthesized stacks (default
 * `cdktf.out`) of every definition with `protectState: true` and exits 1 on any finding.
 */
function main(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { existsSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { DEFINITIONS, validateEnvironments } = require('../environments') as typeof import('../environments');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = process.argv[2] ?? 'cdktf.out';
  const lines: string[] = [];
  let checked = 0;
  for (const env of validateEnvironments(DEFINITIONS).filter((e) => e.protectState)) {
    for (const stack of [env.name, `${env.name}-platform`]) {
      const file = join(outdir, 'stacks', stack, 'cdk.tf.json');
      if (!existsSync(file)) continue;
      checked++;
      lines.push(...formatFindings(stack, findUnprotected(JSON.parse(readFileSync(file, 'utf8')) as TerraformJson, env.unprotect)));
    }
  }
  for (const l of lines) process.stderr.write(`${l}\n`);
  process.stdout.write(`data safety (BAK-4): ${checked} protected stack(s) checked, ${lines.length} finding(s)\n`);
  if (lines.length > 0 || checked === 0) process.exit(1);
}

if (require.main === module) main();
