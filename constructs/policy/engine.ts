/**
 * The pure core of the policy pack: synthesized stack JSON in, findings out. The Aspect
 * (./aspect.ts) feeds it a stack's `toTerraform()` output; tests and scripts can call it directly.
 */
import {
  Finding,
  Json,
  PolicyReport,
  PolicyRule,
  PolicyTier,
  RuleContext,
  SuppressedFinding,
  Suppression,
  SynthResource,
} from './types';

/** The resources of a synthesized stack, in a stable order. */
export function resourcesOf(json: Json): SynthResource[] {
  const out: SynthResource[] = [];
  for (const type of Object.keys(json.resource ?? {}).sort()) {
    for (const name of Object.keys(json.resource[type]).sort()) {
      const { ['//']: meta, ...config } = json.resource[type][name] ?? {};
      out.push({ type, name, address: `${type}.${name}`, path: String(meta?.metadata?.path ?? `${type}.${name}`), config });
    }
  }
  return out;
}

/** The read-only view of a stack that rules receive. */
export function contextOf(json: Json, tier: PolicyTier): RuleContext {
  const resources = resourcesOf(json);
  const byType = new Map<string, SynthResource[]>();
  for (const r of resources) {
    if (!byType.has(r.type)) byType.set(r.type, []);
    byType.get(r.type)!.push(r);
  }
  return {
    tier,
    resources,
    data: json.data ?? {},
    byType: (type) => byType.get(type) ?? [],
    referencing: (type, attribute, target, literals = []) =>
      (byType.get(type) ?? []).filter((r) => {
        const value = r.config[attribute];
        if (typeof value !== 'string') return false;
        return value.includes(`\${${target.address}.`) || literals.some((l) => l !== undefined && l === value);
      }),
  };
}

/** Whether a suppression attached at `suppression.path` covers a resource at `path`. */
function covers(suppression: Suppression, path: string): boolean {
  return path === suppression.path || path.startsWith(`${suppression.path}/`);
}

export interface EvaluateOptions {
  readonly stack: string;
  readonly tier: PolicyTier;
  readonly rules: readonly PolicyRule[];
  readonly suppressions?: readonly Suppression[];
}

/** Runs every rule on every resource of a synthesized stack. */
export function evaluate(json: Json, options: EvaluateOptions): PolicyReport {
  const context = contextOf(json, options.tier);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const suppressions = options.suppressions ?? [];
  for (const resource of context.resources) {
    for (const rule of options.rules) {
      if (rule.resourceTypes !== '*' && !rule.resourceTypes.includes(resource.type)) continue;
      const result = rule.check(resource, context);
      if (result.status !== 'non-compliant') continue;
      const finding: Finding = {
        ruleId: rule.id,
        title: rule.title,
        path: resource.path,
        address: resource.address,
        reason: result.reason,
      };
      const suppression = suppressions.find((s) => s.ruleId === rule.id && covers(s, resource.path));
      if (suppression) suppressed.push({ ...finding, suppression });
      else findings.push(finding);
    }
  }
  return {
    stack: options.stack,
    tier: options.tier,
    rules: options.rules.length,
    resources: context.resources.length,
    findings,
    suppressed,
  };
}

/** The one-line error text of a finding (what `cdktf synth` prints after the construct path). */
export function formatFinding(f: Finding): string {
  return `${f.ruleId} ${f.title}: ${f.reason} (${f.address})`;
}
