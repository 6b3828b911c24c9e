/**
 * SEC-4 for every platform namespace: a default-deny NetworkPolicy and the allow rules generated
 * from the declared flows (features/flows.ts) — ingress where the namespace provides, egress
 * where it consumes. Nothing here names a port or a peer: a connection that is not a flow is
 * not allowed.
 */
import { Construct } from 'constructs';
import { AllowRule, NamespaceNetworkPolicies, PolicyPeer } from '../constructs/kubernetes/network-policies';
import { PlatformContext } from './context';
import { DEFAULT_DENY_NAMESPACES, Flow, Peer } from './flows';

function peers(p: Peer): PolicyPeer[] {
  if (p.kind === 'pods') return [{ namespace: p.namespace, ...(p.pods ? { pods: p.pods } : {}) }];
  return p.cidrs.map((cidr) => ({ cidr, ...(p.except ? { except: p.except } : {}) }));
}

/** The allow rules of `namespace`: ingress of the flows it provides, egress of those it consumes. */
export function allowRules(flows: readonly Flow[], namespace: string): AllowRule[] {
  const rules: AllowRule[] = [];
  for (const f of flows) {
    const ports = f.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
    if (f.provider.kind === 'pods' && f.provider.namespace === namespace) {
      rules.push({ name: f.id, direction: 'ingress', pods: f.provider.pods, peers: peers(f.consumer), ports });
    }
    if (f.consumer.kind === 'pods' && f.consumer.namespace === namespace) {
      rules.push({ name: f.id, direction: 'egress', pods: f.consumer.pods, peers: peers(f.provider), ports });
    }
  }
  return rules;
}

/** Default deny and the flows' allow rules in every namespace of DEFAULT_DENY_NAMESPACES. */
export function addNetworkPolicies(ctx: PlatformContext, flows: readonly Flow[]): Record<string, NamespaceNetworkPolicies> {
  const scope = new Construct(ctx.scope, 'network-policies');
  const result: Record<string, NamespaceNetworkPolicies> = {};
  for (const ns of DEFAULT_DENY_NAMESPACES) {
    result[ns] = new NamespaceNetworkPolicies(scope, ns, { namespace: ctx.namespaces.name(ns), rules: allowRules(flows, ns) });
  }
  return result;
}
