import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { DeploymentV1 } from '../kubernetes/workloads';
import { NodePlacement } from '../nodepools/placement';
import { escapeTemplate } from '../observability/terraform-escape';

/** A client token: the Secret (in the gateway's namespace) and key holding it. */
export interface GatewayToken {
  /** Environment variable name suffix (upper case): `CHROMA_TOKEN_<id>`. */
  readonly id: string;
  readonly secretName: string;
  readonly key: string;
}

export interface ChromaGatewayProps {
  readonly namespace: string;
  /** Deployment and Service name. */
  readonly name: string;
  /** Labels of the gateway's pods (the NetworkPolicies select them). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The port clients connect to (Service and container). */
  readonly port: number;
  /** Chroma's own Service, `host:port` (fully qualified), the only upstream. */
  readonly upstream: string;
  /** The tokens it accepts, one per client. */
  readonly tokens: readonly GatewayToken[];
  /** Pinned nginx-unprivileged image. */
  readonly image: string;
  readonly replicas: number;
  readonly placement: NodePlacement;
  /** Largest request body, MiB (documents and embeddings batches). */
  readonly maxBodyMiB: number;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * nginx configuration: a request passes only with one of the tokens, as Chroma's own token client
 * sends it (`Authorization: Bearer <token>` or `X-Chroma-Token: <token>`); everything else gets
 * 401. The token headers are not forwarded. `${CHROMA_TOKEN_<id>}` are substituted from the pod's
 * environment (the Secrets) by the image's envsubst step when the container starts.
 */
export function gatewayConfig(props: Pick<ChromaGatewayProps, 'port' | 'upstream' | 'tokens' | 'maxBodyMiB'>): string {
  const vars = props.tokens.map((t) => `\${CHROMA_TOKEN_${t.id}}`);
  return [
    'map $http_authorization $bearer_ok {',
    '  default 0;',
    ...vars.map((v) => `  "Bearer ${v}" 1;`),
    '}',
    'map $http_x_chroma_token $header_ok {',
    '  default 0;',
    ...vars.map((v) => `  "${v}" 1;`),
    '}',
    'server {',
    `  listen ${props.port};`,
    `  client_max_body_size ${props.maxBodyMiB}m;`,
    '  location = /gateway-health {',
    '    access_log off;',
    '    return 200 "ok\\n";',
    '  }',
    '  location / {',
    '    if ($bearer_ok$header_ok = "00") {',
    '      return 401;',
    '    }',
    `    proxy_pass http://${props.upstream};`,
    '    proxy_http_version 1.1;',
    '    proxy_set_header Host $host;',
    '    proxy_set_header Authorization "";',
    '    proxy_set_header X-Chroma-Token "";',
    '    proxy_read_timeout 300s;',
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Authentication in front of ChromaDB (issue 15): Chroma >= 1.0 has no authentication of its own
 * (the chart's `chromadb.auth.*` applies to the pre-1.0 Python server only), so an nginx gateway
 * checks a token per client channel before it proxies to Chroma's Service. Chroma's pods admit
 * only this gateway (constructs/data/chroma.ts), so the token is required on every path. The
 * tokens are generated in the cluster and reach the application through Vault.
 */
export class ChromaGateway extends Construct {
  readonly deployment: DeploymentV1;
  readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: ChromaGatewayProps) {
    super(scope, id);
    if (props.tokens.length === 0) throw new Error(`${this.node.path}: 'tokens' must name at least one client token`);
    for (const t of props.tokens) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(t.id)) throw new Error(`${this.node.path}: token id '${t.id}' must be upper-case letters, digits and underscores`);
    }
    if (!/:[^:@]+$/.test(props.image) || props.image.endsWith(':latest')) throw new Error(`${this.node.path}: 'image' must be pinned. Got: ${props.image}`);
    const labels = { ...props.podLabels };
    const config = new ConfigMapV1(this, 'config', {
      metadata: { name: `${props.name}-config`, namespace: props.namespace },
      data: { 'default.conf.template': escapeTemplate(gatewayConfig(props)) },
    });
    const probe = { httpGet: { path: '/gateway-health', port: String(props.port) }, periodSeconds: 10, timeoutSeconds: 3 };
    this.deployment = new DeploymentV1(this, 'deployment', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      dependsOn: props.dependsOn,
      spec: {
        replicas: String(props.replicas),
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            nodeSelector: props.placement.nodeSelector,
            toleration: props.placement.tolerations.map((t) => ({ ...t })),
            securityContext: { runAsNonRoot: true, runAsUser: '101', runAsGroup: '101', fsGroup: '101', seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraint: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: [{ matchLabels: labels }] },
            ],
            container: [
              {
                name: 'nginx',
                image: props.image,
                port: [{ name: 'http', containerPort: props.port, protocol: 'TCP' }],
                env: props.tokens.map((t) => ({ name: `CHROMA_TOKEN_${t.id}`, valueFrom: { secretKeyRef: { name: t.secretName, key: t.key } } })),
                securityContext: {
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                readinessProbe: probe,
                livenessProbe: { ...probe, initialDelaySeconds: 10 },
                volumeMount: [
                  { name: 'templates', mountPath: '/etc/nginx/templates', readOnly: true },
                  // envsubst writes the configuration here; nginx keeps its pid and buffers in /tmp.
                  { name: 'conf', mountPath: '/etc/nginx/conf.d' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volume: [
              { name: 'templates', configMap: { name: config.metadata.name } },
              { name: 'conf', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
              { name: 'tmp', emptyDir: { sizeLimit: `${Math.max(256, props.maxBodyMiB * 4)}Mi` } },
            ],
          },
        },
      },
    });
    this.service = new ServiceV1(this, 'service', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: { selector: labels, port: [{ name: 'http', port: props.port, targetPort: 'http', protocol: 'TCP' }] },
    });
    if (props.replicas > 1) {
      new PodDisruptionBudgetV1(this, 'pdb', {
        metadata: { name: props.name, namespace: props.namespace },
        spec: { maxUnavailable: '1', selector: { matchLabels: labels } },
      });
    }
  }
}
