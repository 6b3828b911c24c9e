import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { DeploymentV1 } from '../kubernetes/workloads';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { NodePlacement } from '../nodepools/placement';
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, TMP_MOUNT, TMP_VOLUME } from './pod-security';
import { VAULT_INJECT_LABEL, VaultAgentProps, vaultAgentAnnotations, vaultTokenVolume } from './vault-agent';

/** The label whose value is a Deployment's colour; the Service selects the active one (APP-2). */
export const COLOUR_LABEL = 'colour';
export const NAME_LABEL = 'app.kubernetes.io/name';

export interface ApplicationResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface ApplicationAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Target average CPU utilization (% of the request). */
  readonly cpuUtilization: number;
  /** Target average memory utilization (% of the request). */
  readonly memoryUtilization: number;
}

export interface ApplicationProps {
  /** Name of the Service, the service account, the ConfigMap; Deployments are `<name>-<colour>`. */
  readonly name: string;
  /** Namespace (pass the namespace resource's name so it is created first). */
  readonly namespace: string;
  /** Image repository without tag. */
  readonly imageRepository: string;
  /** The Deployments, by colour: each runs its own pinned tag. */
  readonly colours: Readonly<Record<string, { readonly imageTag: string }>>;
  /** The colour the Service routes to and the HPA scales (one of `colours`). */
  readonly activeColour: string;
  /** Replicas each Deployment is created with. */
  readonly replicas: number;
  readonly resources: ApplicationResources;
  /** HPA on the active colour. Left out: no HPA, `replicas` is kept by Terraform. */
  readonly autoscaling?: ApplicationAutoscaling;
  /** Container port (APP-1: 8000). */
  readonly port: number;
  /** Liveness (APP-1: /api/health/) and readiness (APP-1: /api/health/ready/) paths. */
  readonly livenessPath: string;
  readonly readinessPath: string;
  /** Non-secret settings: the ConfigMap, exposed to the container as environment variables. */
  readonly config: Readonly<Record<string, string>>;
  /** Secrets from Vault (agent injector). */
  readonly vault: VaultAgentProps;
  /** Node pool of the pods. */
  readonly placement: NodePlacement;
  /**
   * `DoNotSchedule`: pods must spread evenly over zones (production-like, several nodes);
   * `ScheduleAnyway`: best effort (small environments with one node).
   */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Labels added to every object (environment, part-of...). */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * What must exist before the Deployments' pods are created: the webhooks that mutate them
   * (Vault's agent injector, the load balancer controller's readiness gate) and the job that
   * publishes `vault-ca` into the namespace.
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * APP-1/APP-2: one application channel in one namespace. A Deployment per colour (blue, green),
 * hardened and probed, spread over zones and away from each other; a Service that selects the
 * active colour; an HPA (K8S-3) on the active colour's Deployment; a PodDisruptionBudget over
 * both colours; the ConfigMap; a service account without an automounted token; secrets from
 * Vault through the agent injector.
 *
 * Switching `activeColour` changes exactly two things: the Service selector and the HPA target.
 * The previous colour keeps running (scaled as the HPA left it) for an instant rollback.
 */
export class Application extends Construct {
  readonly service: ServiceV1;
  readonly serviceName: string;
  /** Service port the TargetGroupBinding refers to. */
  readonly servicePort = 80;
  readonly deployments: Record<string, DeploymentV1> = {};
  readonly hpa?: HorizontalPodAutoscalerV2;
  readonly serviceAccount: ServiceAccountV1;
  readonly configMap: ConfigMapV1;
  /** Labels every pod of this application carries (any colour). */
  readonly podLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    const colours = Object.keys(props.colours);
    if (!colours.includes(props.activeColour)) {
      throw new Error(`${this.node.path}: 'activeColour' must be one of ${colours.join(', ')}. Got: ${props.activeColour}`);
    }
    const hpa = props.autoscaling;
    if (hpa && hpa.minReplicas > hpa.maxReplicas) {
      throw new Error(`${this.node.path}: 'minReplicas' (${hpa.minReplicas}) must be <= 'maxReplicas' (${hpa.maxReplicas})`);
    }
    for (const [colour, { imageTag }] of Object.entries(props.colours)) {
      if (imageTag === '' || imageTag === 'latest') {
        throw new Error(`${this.node.path}: colour '${colour}' must run a pinned image tag. Got: '${imageTag}'`);
      }
    }
    const ns = props.namespace;
    const common = { ...(props.labels ?? {}), [NAME_LABEL]: props.name, 'app.kubernetes.io/part-of': 'toronto-ai' };
    this.podLabels = { [NAME_LABEL]: props.name };

    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: props.name, namespace: ns, labels: common },
      automountServiceAccountToken: false,
    });
    this.configMap = new ConfigMapV1(this, 'config', {
      metadata: { name: `${props.name}-config`, namespace: ns, labels: common },
      data: { ...props.config },
    });

    for (const [colour, { imageTag }] of Object.entries(props.colours)) {
      const selector = { [NAME_LABEL]: props.name, [COLOUR_LABEL]: colour };
      const image = `${props.imageRepository}:${imageTag}`;
      this.deployments[colour] = new DeploymentV1(this, `deployment-${colour}`, {
        metadata: { name: `${props.name}-${colour}`, namespace: ns, labels: { ...common, [COLOUR_LABEL]: colour } },
        spec: {
          replicas: String(props.replicas),
          revisionHistoryLimit: 5,
          selector: { matchLabels: selector },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '0' } },
          template: {
            metadata: {
              labels: { ...common, [COLOUR_LABEL]: colour, 'app.kubernetes.io/version': imageTag, ...VAULT_INJECT_LABEL },
              annotations: vaultAgentAnnotations(props.vault),
            },
            spec: {
              serviceAccountName: this.serviceAccount.metadata.name,
              automountServiceAccountToken: false,
              securityContext: RESTRICTED_POD_SECURITY,
              nodeSelector: props.placement.nodeSelector,
              toleration: props.placement.tolerations.map((t) => ({ ...t })),
              terminationGracePeriodSeconds: 30,
              topologySpreadConstraint: [
                {
                  maxSkew: 1,
                  topologyKey: 'topology.kubernetes.io/zone',
                  whenUnsatisfiable: props.zoneSpread,
                  labelSelector: [{ matchLabels: selector }],
                },
              ],
              affinity: {
                podAntiAffinity: {
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                      weight: 100,
                      podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: [{ matchLabels: selector }] },
                    },
                  ],
                },
              },
              container: [
                {
                  name: 'app',
                  image,
                  imagePullPolicy: 'IfNotPresent',
                  port: [{ name: 'http', containerPort: props.port, protocol: 'TCP' }],
                  envFrom: [{ configMapRef: { name: this.configMap.metadata.name } }],
                  env: [{ name: 'APP_COLOUR', value: colour }],
                  resources: {
                    requests: { cpu: props.resources.requests.cpu, memory: props.resources.requests.memory },
                    limits: { cpu: props.resources.limits.cpu, memory: props.resources.limits.memory },
                  },
                  livenessProbe: {
                    httpGet: { path: props.livenessPath, port: String(props.port) },
                    initialDelaySeconds: 30,
                    periodSeconds: 10,
                    failureThreshold: 3,
                  },
                  readinessProbe: {
                    httpGet: { path: props.readinessPath, port: String(props.port) },
                    initialDelaySeconds: 5,
                    periodSeconds: 5,
                    failureThreshold: 3,
                  },
                  securityContext: RESTRICTED_CONTAINER_SECURITY,
                  volumeMount: [TMP_MOUNT],
                },
              ],
              volume: [TMP_VOLUME, vaultTokenVolume()],
            },
          },
        },
        // With an HPA the replica count belongs to it (the standby colour keeps its count).
        lifecycle: hpa ? { ignoreChanges: ['spec[0].replicas'] } : undefined,
        // The apply does not wait for the pods to be Ready: on an environment's first apply they
        // wait for Vault to be initialised (the one manual step, after the apply), and a waiting
        // apply would time out and taint the Deployments. A release is checked with
        // `kubectl rollout status` before the colour switch (README: release and rollback).
        waitForRollout: false,
        dependsOn: props.dependsOn,
      });
    }

    this.service = new ServiceV1(this, 'service', {
      metadata: { name: props.name, namespace: ns, labels: common },
      spec: {
        type: 'ClusterIP',
        // APP-2: the one place a colour switch changes traffic.
        selector: { [NAME_LABEL]: props.name, [COLOUR_LABEL]: props.activeColour },
        port: [{ name: 'http', port: this.servicePort, targetPort: 'http', protocol: 'TCP' }],
      },
      // A switch applied together with a new tag moves traffic only after the rollout finished
      // (the Deployments wait for their rollout).
      dependsOn: Object.values(this.deployments),
    });
    this.serviceName = this.service.metadata.name;

    if (hpa) {
      this.hpa = new HorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name: props.name, namespace: ns, labels: common },
        spec: {
          minReplicas: hpa.minReplicas,
          maxReplicas: hpa.maxReplicas,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${props.name}-${props.activeColour}` },
          metric: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.cpuUtilization } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: hpa.memoryUtilization } } },
          ],
        },
        dependsOn: Object.values(this.deployments),
      });
    }

    // Over both colours: a node drain never takes more than one pod of the application at once.
    new PodDisruptionBudgetV1(this, 'pdb', {
      metadata: { name: props.name, namespace: ns, labels: common },
      spec: { maxUnavailable: '1', selector: { matchLabels: this.podLabels } },
    });
  }
}
