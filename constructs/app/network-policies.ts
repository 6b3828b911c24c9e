import { Construct } from 'constructs';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';

/** A destination namespace and the TCP ports the application may open there. */
export interface NamespaceEgress {
  readonly namespace: string;
  readonly ports: readonly number[];
}

export interface AppNetworkPoliciesProps {
  readonly namespace: string;
  /** Labels of the application pods (the allows apply to them only). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Port the application listens on. */
  readonly appPort: number;
  /**
   * Where the load balancer's traffic comes from: with IP targets the ALB connects straight to
   * the pods from its addresses in the public subnets, so the VPC CIDR (kubelet probes come from
   * node addresses inside it too).
   */
  readonly loadBalancerSourceCidrs: readonly string[];
  /** Namespaces allowed to scrape the application's port (e.g. `monitoring`). */
  readonly scrapeFromNamespaces: readonly string[];
  /** In-cluster services the application uses (databases, vector store, Vault). */
  readonly egressToNamespaces: readonly NamespaceEgress[];
  /** Services outside the cluster inside the VPC (managed Redis in the data subnets). */
  readonly egressToCidrs: readonly { readonly cidrs: readonly string[]; readonly ports: readonly number[]; readonly name: string }[];
  /**
   * HTTPS to addresses outside the VPC (external AI APIs of the multi-agent system).
   * @default false
   */
  readonly allowExternalHttps?: boolean;
  /** The VPC CIDR (excluded from the external HTTPS allow). */
  readonly vpcCidr: string;
  /**
   * Labels every pod of the channel's tier carries (the application and its services): the
   * egress allows apply to all of them. @default podLabels
   */
  readonly tierLabels?: Readonly<Record<string, string>>;
  /** Ports the tier's pods call each other on inside the namespace (coordinator, agents...). */
  readonly internalPorts?: readonly number[];
  /** Other pods the load balancer reaches directly (the WebSocket servers), by name. */
  readonly loadBalancerTargets?: readonly { readonly name: string; readonly podLabels: Readonly<Record<string, string>>; readonly port: number }[];
}

const NS_LABEL = 'kubernetes.io/metadata.name';

const tcp = (ports: readonly number[]) => ports.map((p) => ({ port: String(p), protocol: 'TCP' }));

/**
 * SEC-4: default deny in the namespace (ingress and egress, every pod), then explicit allows for
 * the application pods: in from the load balancer and the metrics scraper on the app port; out to
 * cluster DNS, the data services, Redis and Vault; optionally HTTPS to the internet.
 */
export class AppNetworkPolicies extends Construct {
  readonly policies: Record<string, NetworkPolicyV1> = {};

  constructor(scope: Construct, id: string, props: AppNetworkPoliciesProps) {
    super(scope, id);
    const ns = props.namespace;
    const app = { matchLabels: { ...props.podLabels } };
    const tier = { matchLabels: { ...(props.tierLabels ?? props.podLabels) } };
    const add = (name: string, spec: ConstructorParameters<typeof NetworkPolicyV1>[2]['spec']) => {
      this.policies[name] = new NetworkPolicyV1(this, name, { metadata: { name, namespace: ns }, spec });
    };

    add('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

    add('allow-ingress-load-balancer', {
      podSelector: app,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: props.loadBalancerSourceCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: tcp([props.appPort]),
        },
      ],
    });

    for (const t of props.loadBalancerTargets ?? []) {
      add(`allow-ingress-load-balancer-${t.name}`, {
        podSelector: { matchLabels: { ...t.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [{ from: props.loadBalancerSourceCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp([t.port]) }],
      });
    }

    if (props.scrapeFromNamespaces.length > 0) {
      add('allow-ingress-metrics', {
        podSelector: app,
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: props.scrapeFromNamespaces.map((n) => ({ namespaceSelector: { matchLabels: { [NS_LABEL]: n } } })),
            ports: tcp([props.appPort]),
          },
        ],
      });
    }

    // Every pod of the namespace resolves names (the Vault agent sidecar and jobs too).
    add('allow-egress-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { [NS_LABEL]: 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { port: '53', protocol: 'UDP' },
            { port: '53', protocol: 'TCP' },
          ],
        },
      ],
    });

    if (props.internalPorts && props.internalPorts.length > 0) {
      const ports = [...new Set(props.internalPorts)].sort((a, b) => a - b);
      add('allow-service-calls', {
        podSelector: tier,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: tier }], ports: tcp(ports) }],
        egress: [{ to: [{ podSelector: tier }], ports: tcp(ports) }],
      });
    }

    for (const target of props.egressToNamespaces) {
      add(`allow-egress-${target.namespace}`, {
        podSelector: tier,
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: target.namespace } } }], ports: tcp(target.ports) }],
      });
    }

    for (const target of props.egressToCidrs) {
      add(`allow-egress-${target.name}`, {
        podSelector: tier,
        policyTypes: ['Egress'],
        egress: [{ to: target.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp(target.ports) }],
      });
    }

    if (props.allowExternalHttps) {
      add('allow-egress-external-https', {
        podSelector: tier,
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [props.vpcCidr] } }], ports: tcp([443]) }],
      });
    }
  }
}
