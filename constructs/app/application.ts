import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { DeploymentV1 } from '../kubernetes/workloads';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { NodePlacement } from '../nodepools/placement';
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, TMP_MOUNT, TMP_VOLUME } from '../common/pod-security';
import { VAULT_INJECT_LABEL, VaultAgentProps, vaultAgentAnnotations, vaultTokenVolume } from './vault-agent';

/** The label whose value is a Deployment's colour; the Service selects the active one (APP-2). */
const COLOUR_LABEL = 'colour';
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
  /** The active colour's Deployment (the Rollout's pod template), by colour. */
  readonly deployments: Record<string, DeploymentV1> = {};
  /** The pod template the Rollout refers to (workloadRef), with no replicas of its own. */
  readonly templateDeployment: DeploymentV1;
  /** Where the Rollout's new revision is reachable before promotion. */
  readonly previewService: ServiceV1;
  /** The literal names of the active and preview Services (the Rollout names them). */
  readonly activeServiceName: string;
  readonly previewServiceName: string;
  /** The image of the active release (`repository:tag`). */
  readonly image: string;
  /** Replicas the Rollout starts with. */
  readonly replicas: number;
  readonly name: string;
  readonly namespace: string;
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
    this.replicas = props.replicas;
    this.name = props.name;
    this.namespace = ns;
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

    // APP-2 with Argo Rollouts: Terraform keeps the pod template in a Deployment with no replicas
    // of its own; the Rollout (features/services/platform.ts) refers to it (workloadRef) and runs
    // the replicas. The template runs the active colour's tag: changing `activeColour` (or that
    // colour's tag) is a new revision, which the controller promotes blue-green behind analysis and
    // rolls back on its own when the analysis fails.
    const activeTag = props.colours[props.activeColour].imageTag;
    const selector = { [NAME_LABEL]: props.name };
    this.templateDeployment = new DeploymentV1(this, 'deployment', {
      metadata: { name: props.name, namespace: ns, labels: { ...common, [COLOUR_LABEL]: props.activeColour } },
      spec: {
        // The Rollout runs the pods; this Deployment is only their template (Argo Rollouts workloadRef).
        replicas: '0',
        revisionHistoryLimit: 2,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...common, [COLOUR_LABEL]: props.activeColour, 'app.kubernetes.io/version': activeTag, ...VAULT_INJECT_LABEL },
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
                image: `${props.imageRepository}:${activeTag}`,
                imagePullPolicy: 'IfNotPresent',
                port: [{ name: 'http', containerPort: props.port, protocol: 'TCP' }],
                envFrom: [{ configMapRef: { name: this.configMap.metadata.name } }],
                env: [{ name: 'APP_COLOUR', value: props.activeColour }],
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
      waitForRollout: false,
      dependsOn: props.dependsOn,
    });
    this.deployments[props.activeColour] = this.templateDeployment;
    this.image = `${props.imageRepository}:${activeTag}`;

    // The active and preview Services: Argo Rollouts adds the revision's pod-template-hash to
    // their selectors (the active one to the promoted revision, the preview one to the new one),
    // so Terraform ignores the selector after creation and the two never fight.
    const service = (id: string, name: string) =>
      new ServiceV1(this, id, {
        metadata: { name, namespace: ns, labels: common },
        spec: {
          type: 'ClusterIP',
          selector,
          port: [{ name: 'http', port: this.servicePort, targetPort: 'http', protocol: 'TCP' }],
        },
        lifecycle: { ignoreChanges: ['spec[0].selector'] },
      });
    this.activeServiceName = props.name;
    this.previewServiceName = `${props.name}-preview`;
    this.service = service('service', this.activeServiceName);
    this.previewService = service('preview-service', this.previewServiceName);
    this.serviceName = this.service.metadata.name;

    if (hpa) {
      this.hpa = new HorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name: props.name, namespace: ns, labels: common },
        spec: {
          minReplicas: hpa.minReplicas,
          maxReplicas: hpa.maxReplicas,
          // The Rollout's scale subresource: it owns the replicas of every revision.
          scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: props.name },
          metric: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.cpuUtilization } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: hpa.memoryUtilization } } },
          ],
        },
      });
    }

    // Over both colours: a node drain never takes more than one pod of the application at once.
    new PodDisruptionBudgetV1(this, 'pdb', {
      metadata: { name: props.name, namespace: ns, labels: common },
      spec: { maxUnavailable: '1', selector: { matchLabels: this.podLabels } },
    });
  }
}
