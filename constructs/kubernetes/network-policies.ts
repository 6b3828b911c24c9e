import { Construct } from 'constructs';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';

/** The label every namespace carries with its own name (Kubernetes >= 1.22). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Pods of a namespace (all, or those matching `pods`). */
export interface NamespacePeer {
  readonly namespace: string;
  readonly pods?: Readonly<Record<string, string>>;
}
/** Addresses outside the pod network. */
export interface CidrPeer {
  readonly cidr: string;
  readonly except?: readonly string[];
}
export type PolicyPeer = NamespacePeer | CidrPeer;

export interface PolicyPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** One allow rule: `direction` traffic of the selected pods with `peers` on `ports` (none: every port). */
export interface AllowRule {
  /** Policy name: `allow-<direction>-<name>`. */
  readonly name: string;
  readonly direction: 'ingress' | 'egress';
  /** The pods of this namespace the rule applies to. @default every pod */
  readonly pods?: Readonly<Record<string, string>>;
  readonly peers: readonly PolicyPeer[];
  readonly ports: readonly PolicyPort[];
}

export interface NamespaceNetworkPoliciesProps {
  /** Namespace (pass the namespace resource's name so it is created first). */
  readonly namespace: string;
  readonly rules: readonly AllowRule[];
}

const isCidr = (p: PolicyPeer): p is CidrPeer => 'cidr' in p;

function peer(p: PolicyPeer) {
  if (isCidr(p)) return { ipBlock: { cidr: p.cidr, ...(p.except && p.except.length > 0 ? { except: [...p.except] } : {}) } };
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } },
    ...(p.pods ? { podSelector: { matchLabels: { ...p.pods } } } : {}),
  };
}

/**
 * SEC-4: default deny in a namespace (ingress and egress, every pod), DNS to the cluster's
 * resolver for every pod, then one NetworkPolicy per allow rule. Traffic between a pod and the
 * node it runs on (kubelet probes) is not subject to NetworkPolicy.
 */
export class NamespaceNetworkPolicies extends Construct {
  readonly policies: Record<string, NetworkPolicyV1> = {};

  constructor(scope: Construct, id: string, props: NamespaceNetworkPoliciesProps) {
    super(scope, id);
    const ns = props.namespace;
    const add = (name: string, spec: ConstructorParameters<typeof NetworkPolicyV1>[2]['spec']) => {
      if (this.policies[name]) throw new Error(`${this.node.path}: two allow rules are named '${name}'`);
      this.policies[name] = new NetworkPolicyV1(this, name, { metadata: { name, namespace: ns }, spec });
    };
    add('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    add('allow-egress-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { port: '53', protocol: 'UDP' },
            { port: '53', protocol: 'TCP' },
          ],
        },
      ],
    });
    for (const r of props.rules) {
      if (r.peers.length === 0) throw new Error(`${this.node.path}: rule '${r.name}' names no peer`);
      const ports = r.ports.length > 0 ? { ports: r.ports.map((p) => ({ port: String(p.port), protocol: p.protocol })) } : {};
      const podSelector = r.pods ? { matchLabels: { ...r.pods } } : {};
      if (r.direction === 'ingress') {
        add(`allow-ingress-${r.name}`, { podSelector, policyTypes: ['Ingress'], ingress: [{ from: r.peers.map(peer), ...ports }] });
      } else {
        add(`allow-egress-${r.name}`, { podSelector, policyTypes: ['Egress'], egress: [{ to: r.peers.map(peer), ...ports }] });
      }
    }
  }
}
