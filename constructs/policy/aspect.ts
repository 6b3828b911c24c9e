import { IConstruct } from 'constructs';
import { Annotations, Aspects, IAspect, TerraformResource, TerraformStack } from 'cdktf';
import { evaluate, formatFinding } from './engine';
import { POLICY_RULES } from './rules';
import { suppressionsUnder } from './suppress';
import { policyTierOf } from './tier';
import { PolicyReport, PolicyRule } from './types';

const REPORTS = new WeakMap<TerraformStack, { size: number; report: PolicyReport }>();

/**
 * Runs the policy pack on a stack at synth: the stack's resolved Terraform JSON goes through every
 * rule; each unsuppressed finding becomes an error annotation on the offending resource's
 * construct, so `cdktf synth` (App.synth) fails naming the construct path and the rule.
 */
export class PolicyAspect implements IAspect {
  constructor(private readonly rules: readonly PolicyRule[] = POLICY_RULES) {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const size = node.node.findAll().length;
    if (REPORTS.get(node)?.size === size) return; // already checked this exact tree
    const json = node.toTerraform();
    reuseOnce(node, json);
    const report = evaluate(json, {
      stack: node.node.id,
      tier: policyTierOf(node),
      rules: this.rules,
      suppressions: suppressionsUnder(node),
    });
    REPORTS.set(node, { size, report });
    const byPath = new Map(node.node.findAll().map((c) => [c.node.path, c] as const));
    recordSuppressions(report, json, byPath);
    for (const f of report.findings) {
      const target = byPath.get(f.path) ?? node;
      const message = formatFinding(f);
      if (!target.node.metadata.some((m) => m.data === message)) Annotations.of(target).addError(message);
    }
  }
}

/**
 * Key under a resource's `//` block (a comment for Terraform) listing the rules suppressed on it
 * and why, so a suppression is visible in the synthesized configuration and in the reviewer diff.
 */
export const SUPPRESSIONS_KEY = 'policy_suppressions';

function recordSuppressions(report: PolicyReport, json: any, byPath: Map<string, IConstruct>): void {
  const byAddress = new Map<string, { path: string; notes: Array<{ rule: string; reason: string }> }>();
  for (const s of report.suppressed) {
    const entry = byAddress.get(s.address) ?? { path: s.path, notes: [] };
    entry.notes.push({ rule: s.ruleId, reason: s.suppression.reason });
    byAddress.set(s.address, entry);
  }
  for (const [address, { path, notes }] of byAddress) {
    notes.sort((a, b) => a.rule.localeCompare(b.rule));
    const [type, name] = address.split('.');
    const resource = json.resource?.[type]?.[name];
    if (resource) resource['//'] = { ...(resource['//'] ?? {}), [SUPPRESSIONS_KEY]: notes };
    const construct = byPath.get(path);
    if (construct instanceof TerraformResource) construct.addOverride(`//.${SUPPRESSIONS_KEY}`, notes);
  }
}

/**
 * Performance: resolving a stack is the most expensive step of a synth, and the synthesizer
 * resolves it again right after the aspects ran. When no other aspect could change the tree in
 * between (the only one on the stack, its subtree and its ancestors is this one), the next
 * `toTerraform()` call returns the JSON just checked, once, so the pack costs no second resolve.
 */
function reuseOnce(stack: TerraformStack, json: any): void {
  const scopes = [...stack.node.scopes, ...stack.node.findAll()];
  if (scopes.some((c) => Aspects.of(c).all.some((a) => !(a instanceof PolicyAspect)))) return;
  const own = stack as unknown as { toTerraform: () => any };
  own.toTerraform = () => {
    delete (own as { toTerraform?: unknown }).toTerraform; // back to the prototype's method
    return json;
  };
}

/** Adds the policy pack to a stack (buildStacks does this for every stack). */
export function applyPolicies(stack: TerraformStack, rules?: readonly PolicyRule[]): void {
  Aspects.of(stack).add(new PolicyAspect(rules));
}

/** The report of the last policy run on `stack` (after a synth), or undefined. */
export function policyReportOf(stack: TerraformStack): PolicyReport | undefined {
  return REPORTS.get(stack)?.report;
}
