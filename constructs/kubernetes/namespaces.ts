import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';

/** Pod Security Standards level enforced on a namespace (SEC-4). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface NamespaceSpec {
  readonly name: string;
  /**
   * The level enforced. `privileged` only for node agents that need host access (log shippers,
   * intrusion detection); the reason goes in `reason`.
   */
  readonly podSecurity: PodSecurityLevel;
  /** Why a namespace is not `restricted`. Required for `baseline` and `privileged`. */
  readonly reason?: string;
  readonly labels?: Record<string, string>;
}

export interface NamespacesProps {
  readonly namespaces: readonly NamespaceSpec[];
  /** Added to every namespace (environment, managed-by). */
  readonly commonLabels: Record<string, string>;
}

/**
 * The platform's namespaces with Pod Security Standards labels: the level is enforced, and
 * `restricted` is always audited and warned so a relaxed namespace still shows what it relaxes.
 */
export class Namespaces extends Construct {
  readonly byName: Record<string, NamespaceV1> = {};

  constructor(scope: Construct, id: string, props: NamespacesProps) {
    super(scope, id);
    const seen = new Set<string>();
    for (const spec of props.namespaces) {
      if (seen.has(spec.name)) {
        throw new Error(`${this.node.path}: namespace '${spec.name}' is declared twice`);
      }
      seen.add(spec.name);
      if (spec.name === 'default') {
        throw new Error(`${this.node.path}: workloads must not use the 'default' namespace`);
      }
      if (spec.podSecurity !== 'restricted' && !spec.reason) {
        throw new Error(`${this.node.path}: namespace '${spec.name}' is '${spec.podSecurity}' and needs a 'reason'`);
      }
      this.byName[spec.name] = new NamespaceV1(this, spec.name, {
        metadata: {
          name: spec.name,
          labels: {
            ...props.commonLabels,
            ...(spec.labels ?? {}),
            'pod-security.kubernetes.io/enforce': spec.podSecurity,
            'pod-security.kubernetes.io/enforce-version': 'latest',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
          annotations: spec.reason ? { 'toronto-ai.io/pod-security-reason': spec.reason } : undefined,
        },
      });
    }
  }

  /** The namespace's name as a reference, so dependants wait for it to exist. */
  name(namespace: string): string {
    const ns = this.byName[namespace];
    if (!ns) {
      throw new Error(`${this.node.path}: no namespace '${namespace}'. Declared: ${Object.keys(this.byName).join(', ')}`);
    }
    return ns.metadata.name;
  }
}
