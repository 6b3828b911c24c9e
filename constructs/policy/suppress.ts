import { IConstruct } from 'constructs';
import { Suppression } from './types';

/** Metadata type of a suppression on a construct node. */
export const SUPPRESSION_METADATA = 'toronto-ai.io/policy-suppression';

/**
 * Records a deliberate exception to one rule for `scope` and everything below it, next to the
 * resource it concerns. The reason is what a reviewer reads; it must say why the exception is
 * safe (at least 20 characters). Suppressions are counted and listed in the policy report.
 *
 * ```ts
 * suppress(lbSecurityGroup, 'TAI-NET-1', 'public listener of the internet-facing load balancer');
 * ```
 */
export function suppress(scope: IConstruct, ruleId: string, reason: string): void {
  if (!/^TAI-[A-Z0-9]+-\d+$/.test(ruleId)) {
    throw new Error(`${scope.node.path}: suppression needs a rule id like 'TAI-S3-1'. Got: '${ruleId}'`);
  }
  if (reason.trim().length < 20) {
    throw new Error(`${scope.node.path}: suppression of ${ruleId} needs a written reason (20+ characters). Got: '${reason}'`);
  }
  scope.node.addMetadata(SUPPRESSION_METADATA, { ruleId, reason: reason.trim() });
}

/** Every suppression attached to `root` or below it. */
export function suppressionsUnder(root: IConstruct): Suppression[] {
  const out: Suppression[] = [];
  for (const node of root.node.findAll()) {
    for (const m of node.node.metadata) {
      if (m.type !== SUPPRESSION_METADATA) continue;
      const data = m.data as { ruleId: string; reason: string };
      out.push({ ruleId: data.ruleId, reason: data.reason, path: node.node.path });
    }
  }
  return out;
}
