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

/**
 * Records a deliberate exception to one rule for one object that a Helm release renders (the
 * policy pack reads rendered pods at test time: constructs/policy/rendered.ts). `release` is the
 * helm_release construct (ChartRelease.release), `object` is `<Kind>/<name>` as rendered.
 *
 * ```ts
 * suppressRendered(this.release.release, 'DaemonSet/falco', 'TAI-K8S-1', 'host-level intrusion detection reads kernel events as root');
 * ```
 */
export function suppressRendered(release: IConstruct, object: string, ruleId: string, reason: string): void {
  if (!/^[A-Z][A-Za-z]+\/[a-z0-9.-]+$/.test(object)) {
    throw new Error(`${release.node.path}: a rendered object is named '<Kind>/<name>'. Got: '${object}'`);
  }
  suppress(release, ruleId, reason);
  const last = release.node.metadata[release.node.metadata.length - 1];
  (last.data as { object?: string }).object = object;
}

/** Every suppression attached to `root` or below it. */
export function suppressionsUnder(root: IConstruct): Suppression[] {
  const out: Suppression[] = [];
  for (const node of root.node.findAll()) {
    for (const m of node.node.metadata) {
      if (m.type !== SUPPRESSION_METADATA) continue;
      const data = m.data as { ruleId: string; reason: string; object?: string };
      out.push({ ruleId: data.ruleId, reason: data.reason, path: data.object ? `${node.node.path}/rendered/${data.object}` : node.node.path });
    }
  }
  return out;
}
