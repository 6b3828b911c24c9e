import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { DeploymentV1 } from '../kubernetes/workloads';
import { NodePlacement } from '../nodepools/placement';
import { ApplicationResources, NAME_LABEL } from './application';
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, TMP_MOUNT, TMP_VOLUME } from '../common/pod-security';
import { VAULT_INJECT_LABEL, VaultAgentProps, vaultAgentAnnotations, vaultTokenVolume } from './vault-agent';

/** How Kubernetes checks a service: HTTP paths on its port, or a command (queue consumers). */
export type TierProbe =
  | { readonly kind: 'http'; readonly port: number; readonly livenessPath: string; readonly readinessPath: string }
  | { readonly kind: 'exec'; readonly liveness: readonly string[]; readonly readiness: readonly string[] };

export interface TierServiceProps {
  /** Deployment, Service and service-account name. */
  readonly name: string;
  readonly namespace: string;
  /** Pinned image (`repository:tag`). */
  readonly image: string;
  /** Entry point; left out: the image's own. */
  readonly command?: readonly string[];
  readonly replicas: number;
  /**
   * Who owns the replica count after creation: `terraform` (fixed), `autoscaler` (KEDA or an HPA:
   * Terraform ignores the live count), `singleton` (exactly one, replaced by Recreate so two never
   * run at once: the Celery beat scheduler).
   */
  readonly scaling: 'terraform' | 'autoscaler' | 'singleton';
  readonly resources: ApplicationResources;
  readonly probe: TierProbe;
  /** ConfigMap exposed as environment variables (the channel's configuration). */
  readonly configMapName: string;
  /** Secrets from Vault (agent injector); left out: none. */
  readonly vault?: VaultAgentProps;
  readonly placement: NodePlacement;
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Labels of every object and pod (environment, channel, part-of). */
  readonly labels: Readonly<Record<string, string>>;
  /** Extra environment variables (e.g. `CELERY_WORKER_CONCURRENCY`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Webhooks and publishers that must exist before the pods (Vault injector, `vault-ca`). */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One service of the application tier (seed 004 "Service Layer"): its own service account (no
 * automounted token; its Pod Identity role is bound to it), a hardened Deployment on its pool,
 * spread over zones, probed, with requests and limits, and, for HTTP services, a ClusterIP Service
 * and a PodDisruptionBudget.
 */
export class TierService extends Construct {
  readonly serviceAccount: ServiceAccountV1;
  readonly deployment: DeploymentV1;
  readonly service?: ServiceV1;
  readonly podLabels: Record<string, string>;
  readonly host?: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: TierServiceProps) {
    super(scope, id);
    if (/:latest$/.test(props.image) || !/:[^/:]+$/.test(props.image)) {
      throw new Error(`${this.node.path}: 'image' must carry a pinned tag. Got: ${props.image}`);
    }
    if (props.scaling === 'singleton' && props.replicas !== 1) {
      throw new Error(`${this.node.path}: a singleton runs exactly one replica. Got: ${props.replicas}`);
    }
    const ns = props.namespace;
    this.name = props.name;
    this.podLabels = { [NAME_LABEL]: props.name };
    const common = { ...props.labels, ...this.podLabels };
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: props.name, namespace: ns, labels: common },
      automountServiceAccountToken: false,
    });
    const probe = props.probe;
    const probes =
      probe.kind === 'http'
        ? {
            livenessProbe: { httpGet: { path: probe.livenessPath, port: String(probe.port) }, initialDelaySeconds: 20, periodSeconds: 10, failureThreshold: 3 },
            readinessProbe: { httpGet: { path: probe.readinessPath, port: String(probe.port) }, initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 3 },
          }
        : {
            livenessProbe: { exec: { command: [...probe.liveness] }, initialDelaySeconds: 30, periodSeconds: 60, timeoutSeconds: 20, failureThreshold: 3 },
            readinessProbe: { exec: { command: [...probe.readiness] }, initialDelaySeconds: 10, periodSeconds: 30, timeoutSeconds: 20, failureThreshold: 3 },
          };
    const vault = props.vault;
    this.deployment = new DeploymentV1(this, 'deployment', {
      metadata: { name: props.name, namespace: ns, labels: common },
      spec: {
        replicas: String(props.replicas),
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.podLabels },
        strategy:
          props.scaling === 'singleton'
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '0' } },
        template: {
          metadata: {
            labels: { ...common, ...(vault ? VAULT_INJECT_LABEL : {}) },
            annotations: vault ? vaultAgentAnnotations(vault) : undefined,
          },
          spec: {
            serviceAccountName: this.serviceAccount.metadata.name,
            automountServiceAccountToken: false,
            securityContext: RESTRICTED_POD_SECURITY,
            nodeSelector: props.placement.nodeSelector,
            toleration: props.placement.tolerations.map((t) => ({ ...t })),
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraint: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: props.zoneSpread,
                labelSelector: [{ matchLabels: this.podLabels }],
              },
            ],
            container: [
              {
                name: 'service',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: props.command ? [...props.command] : undefined,
                port: probe.kind === 'http' ? [{ name: 'http', containerPort: probe.port, protocol: 'TCP' }] : undefined,
                envFrom: [{ configMapRef: { name: props.configMapName } }],
                env: Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
                resources: {
                  requests: { cpu: props.resources.requests.cpu, memory: props.resources.requests.memory },
                  limits: { cpu: props.resources.limits.cpu, memory: props.resources.limits.memory },
                },
                ...probes,
                securityContext: RESTRICTED_CONTAINER_SECURITY,
                volumeMount: [TMP_MOUNT],
              },
            ],
            volume: vault ? [TMP_VOLUME, vaultTokenVolume()] : [TMP_VOLUME],
          },
        },
      },
      lifecycle: props.scaling === 'autoscaler' ? { ignoreChanges: ['spec[0].replicas'] } : undefined,
      // Not waiting: pods wait for Vault's first initialisation on an environment's first apply.
      waitForRollout: false,
      dependsOn: props.dependsOn,
    });
    if (probe.kind === 'http') {
      this.service = new ServiceV1(this, 'service', {
        metadata: { name: props.name, namespace: ns, labels: common },
        spec: {
          type: 'ClusterIP',
          selector: this.podLabels,
          port: [{ name: 'http', port: probe.port, targetPort: 'http', protocol: 'TCP' }],
        },
      });
      this.host = `${props.name}.${ns}.svc.cluster.local`;
    }
    if (props.replicas > 1 || props.scaling === 'autoscaler') {
      new PodDisruptionBudgetV1(this, 'pdb', {
        metadata: { name: props.name, namespace: ns, labels: common },
        spec: { maxUnavailable: '1', selector: { matchLabels: this.podLabels } },
      });
    }
  }
}
