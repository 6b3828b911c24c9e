/**
 * The application and its in-cluster delivery in the platform stack (APP-1..3, ENV-4, K8S-3,
 * SEC-4, LB-1), called from PlatformStack with one line:
 * - the application in `toronto-ai` (blue and green Deployments, Service on the active colour,
 *   HPA, PDB, ConfigMap, service account, Vault agent secrets) and, in production, the beta
 *   channel in `toronto-ai-beta` with its own Deployment and the feedback-reminder CronJob;
 * - default-deny NetworkPolicies with explicit allows in both namespaces;
 * - metrics-server (HPA metrics), the cluster autoscaler (K8S-3) and the AWS Load Balancer
 *   Controller, whose TargetGroupBindings put the pods behind the cloud stack's target groups.
 */
import { Construct } from 'constructs';
import { Environment } from '../../environments/schema';
import { PRODUCTION_LIKE_TIERS } from '../../environments/catalog';
import { Application } from '../../constructs/app/application';
import { AppNetworkPolicies } from '../../constructs/app/network-policies';
import { ScheduledJob } from '../../constructs/app/scheduled-job';
import { ChartRelease } from '../../constructs/helm/chart-release';
import { CHARTS } from '../../constructs/helm/charts';
import { LocalChartRelease } from '../../constructs/data/local-chart-release';
import { Namespaces } from '../../constructs/kubernetes/namespaces';
import { NodePlacement } from '../../constructs/nodepools/placement';
import { CloudOutputs } from '../cloud-stack';
import { APP_LIVENESS_PATH, APP_PORT, APP_READINESS_PATH, LB_CONTROLLER_IDENTITY } from './edge';
import { CLUSTER_AUTOSCALER_IDENTITY } from './cluster-scaling';
import { namesFor } from '../naming';

/** The application's namespaces: stable, and the beta channel of production (ENV-4, seed 000 phase 2). */
export const APP_NAMESPACE = 'toronto-ai';
export const BETA_NAMESPACE = 'toronto-ai-beta';

/** The application's name: its Service, service account and ConfigMap; Deployments are `<name>-<colour>`. */
export const APP_NAME = 'toronto-ai';

/**
 * The Vault interface of the application (SEC-1): Kubernetes-auth role `toronto-ai`, bound to the
 * `toronto-ai` service account, reading KV v2 paths under `secret/toronto-ai/` (see the data
 * services' Vault configuration, stacks/parts/data-platform.ts). Rendered to /vault/secrets/<name>.
 */
export const APP_VAULT = {
  role: 'toronto-ai',
  secrets: {
    database: 'secret/data/toronto-ai/database',
    api: 'secret/data/toronto-ai/api',
  },
} as const;

/**
 * The cluster autoscaler's image per supported EKS version: its minor version must match the
 * cluster's (the chart's default, v1.35.0, only fits 1.35). A new EKS version in
 * environments/catalog.ts needs its line here, or the build fails naming it.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  '1.34': 'v1.34.5',
  '1.35': 'v1.35.0',
};

/** Namespace of the cluster add-ons installed here (metrics-server, autoscaler, LB controller). */
const ADDON_NAMESPACE = 'kube-system';

/** In-cluster services the application talks to, by namespace and port. */
const DATA_EGRESS = [
  { namespace: 'data', ports: [5432, 27017] },
  { namespace: 'vector', ports: [8000] },
  { namespace: 'vault', ports: [8200] },
];

export interface AppScope {
  readonly namespaces: Namespaces;
  readonly cloud: CloudOutputs;
  placement(pool: string): NodePlacement;
}

export interface AppPlatform {
  readonly app: Application;
  readonly beta?: Application;
  readonly metricsServer: ChartRelease;
  readonly clusterAutoscaler: ChartRelease;
  readonly loadBalancerController: ChartRelease;
  readonly targetGroupBindings: LocalChartRelease;
  readonly feedbackReminder?: ScheduledJob;
}

/** Adds the application and its delivery to the platform stack `stack`. */
export function addApp(stack: Construct & AppScope, env: Environment): AppPlatform {
  const names = namesFor(env);
  const a = env.app;
  const scope = new Construct(stack, 'app');
  const appPlacement = stack.placement('app');
  const system = stack.placement('system');
  const systemNodes = env.nodePools.system?.minSize ?? env.nodePools.app.minSize;
  const addonReplicas = systemNodes >= 2 ? 2 : 1;
  const zoneSpread = PRODUCTION_LIKE_TIERS.includes(env.tier) ? 'DoNotSchedule' : 'ScheduleAnyway';
  const labels = { 'toronto-ai.io/environment': env.name, 'app.kubernetes.io/managed-by': 'cdktf' };
  const addonPlacement = { nodeSelector: system.nodeSelector, tolerations: system.tolerations };
  const autoscalerTag = CLUSTER_AUTOSCALER_IMAGE_TAGS[env.cluster.version];
  if (autoscalerTag === undefined) {
    throw new Error(`addApp: no cluster autoscaler image for EKS ${env.cluster.version}; add it to CLUSTER_AUTOSCALER_IMAGE_TAGS (stacks/parts/app.ts)`);
  }
  const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

  // ---- cluster add-ons: HPA metrics, node autoscaling (K8S-3), target registration (LB-1)
  const metricsServer = new ChartRelease(scope, 'metrics-server', {
    name: 'metrics-server',
    namespace: ADDON_NAMESPACE,
    chart: CHARTS.metricsServer,
    values: {
      replicas: addonReplicas,
      ...addonPlacement,
      podDisruptionBudget: addonReplicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
      // values.yaml documents `limits` as a commented-out block under `resources`.
      resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1', memory: '400Mi' } },
    },
  });

  const clusterAutoscaler = new ChartRelease(scope, 'cluster-autoscaler', {
    name: 'cluster-autoscaler',
    namespace: ADDON_NAMESPACE,
    chart: CHARTS.clusterAutoscaler,
    values: {
      cloudProvider: 'aws',
      image: { tag: autoscalerTag },
      awsRegion: env.aws.region,
      // Discovers the node groups' Auto Scaling groups by the tags EKS puts on them.
      autoDiscovery: { clusterName: names.clusterName },
      rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_IDENTITY.serviceAccount } },
      replicaCount: 1,
      ...addonPlacement,
      resources: { requests: { cpu: '100m', memory: '300Mi' }, limits: { cpu: '1', memory: '600Mi' } },
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containerSecurityContext: hardened,
      extraArgs: {
        'balance-similar-node-groups': true,
        expander: 'least-waste',
        // The application's /tmp is an emptyDir: it must not pin a node forever.
        'skip-nodes-with-local-storage': false,
      },
    },
  });
  clusterAutoscaler.suppressRendered(
    'Deployment/cluster-autoscaler-aws-cluster-autoscaler',
    'TAI-K8S-3',
    'cluster-autoscaler 9.59.0 has a liveness probe and no readiness values; it serves no traffic, so readiness gates nothing',
  );

  const loadBalancerController = new ChartRelease(scope, 'aws-load-balancer-controller', {
    name: 'aws-load-balancer-controller',
    namespace: ADDON_NAMESPACE,
    chart: CHARTS.awsLoadBalancerController,
    values: {
      clusterName: names.clusterName,
      region: env.aws.region,
      vpcId: stack.cloud.vpcId,
      serviceAccount: { create: true, name: LB_CONTROLLER_IDENTITY.serviceAccount },
      replicaCount: addonReplicas,
      ...addonPlacement,
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      // Only TargetGroupBindings: no ingress class, no Service mutation, no WAF/Shield calls.
      createIngressClassResource: false,
      enableServiceMutatorWebhook: false,
      enableShield: false,
      enableWaf: false,
      enableWafv2: false,
      ...(addonReplicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
    },
    dependsOn: [metricsServer.release],
  });

  // ---- the application (APP-1, APP-2)
  const appNs = stack.namespaces.name(APP_NAMESPACE);
  const app = new Application(scope, 'application', {
    name: APP_NAME,
    namespace: appNs,
    imageRepository: a.image.repository,
    colours: { blue: { imageTag: a.colours.blue.imageTag }, green: { imageTag: a.colours.green.imageTag } },
    activeColour: a.activeColour,
    replicas: a.replicas,
    resources: a.resources,
    autoscaling: a.hpa,
    port: APP_PORT,
    livenessPath: APP_LIVENESS_PATH,
    readinessPath: APP_READINESS_PATH,
    config: a.config,
    vault: APP_VAULT,
    placement: appPlacement,
    zoneSpread,
    labels: { 'toronto-ai.io/environment': env.name, 'toronto-ai.io/channel': 'stable' },
  });
  const policies = (id: string, namespace: string, podLabels: Record<string, string>) =>
    new AppNetworkPolicies(scope, id, {
      namespace,
      podLabels,
      appPort: APP_PORT,
      loadBalancerSourceCidrs: [env.network.vpcCidr],
      scrapeFromNamespaces: ['monitoring'],
      egressToNamespaces: DATA_EGRESS,
      egressToCidrs: [{ name: 'redis', cidrs: env.network.dataSubnetCidrs, ports: [6379] }],
      allowExternalHttps: true,
      vpcCidr: env.network.vpcCidr,
    });
  policies('network-policies', appNs, app.podLabels);

  const bindings = [
    { name: APP_NAME, namespace: appNs, serviceName: app.serviceName, servicePort: app.servicePort, targetGroupARN: stack.cloud.targetGroupArns.app },
  ];

  // ---- the beta channel (ENV-4) and its scheduled job (APP-3)
  let beta: Application | undefined;
  let feedbackReminder: ScheduledJob | undefined;
  if (a.beta.enabled && a.beta.imageTag !== undefined) {
    const betaNamespaces = new Namespaces(scope, 'beta-namespace', {
      namespaces: [{ name: BETA_NAMESPACE, podSecurity: 'restricted', labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } }],
      commonLabels: labels,
    });
    const betaNs = betaNamespaces.name(BETA_NAMESPACE);
    beta = new Application(scope, 'beta', {
      name: APP_NAME,
      namespace: betaNs,
      imageRepository: a.image.repository,
      colours: { blue: { imageTag: a.beta.imageTag } },
      activeColour: 'blue',
      replicas: a.beta.replicas,
      resources: a.resources,
      port: APP_PORT,
      livenessPath: APP_LIVENESS_PATH,
      readinessPath: APP_READINESS_PATH,
      config: { ...a.config, RELEASE_CHANNEL: 'beta' },
      vault: APP_VAULT,
      placement: appPlacement,
      zoneSpread,
      labels: { 'toronto-ai.io/environment': env.name, 'toronto-ai.io/channel': 'beta' },
    });
    policies('beta-network-policies', betaNs, beta.podLabels);
    feedbackReminder = new ScheduledJob(scope, 'feedback-reminder', {
      name: 'feedback-reminder',
      namespace: betaNs,
      schedule: a.beta.feedbackReminderSchedule,
      image: `${a.image.repository}:${a.beta.imageTag}`,
      command: ['python', 'manage.py', 'send_feedback_reminders'],
      serviceAccountName: beta.serviceAccount.metadata.name,
      configMapName: beta.configMap.metadata.name,
      vault: APP_VAULT,
      placement: appPlacement,
      podLabels: beta.podLabels,
    });
    if (stack.cloud.targetGroupArns.beta !== undefined) {
      bindings.push({
        name: `${APP_NAME}-beta`,
        namespace: betaNs,
        serviceName: beta.serviceName,
        servicePort: beta.servicePort,
        targetGroupARN: stack.cloud.targetGroupArns.beta,
      });
    }
  }

  // The controller's CRD and webhook must exist before a binding is created.
  const targetGroupBindings = new LocalChartRelease(scope, 'target-group-bindings', {
    name: 'target-group-bindings',
    namespace: appNs,
    chart: 'target-group-bindings',
    // The chart sets app.kubernetes.io/managed-by itself (Helm); a second one is a duplicate key.
    values: { bindings, labels: Object.fromEntries(Object.entries(labels).filter(([k]) => k !== 'app.kubernetes.io/managed-by')) },
    dependsOn: [loadBalancerController.release, app.service, ...(beta ? [beta.service] : [])],
  });

  return { app, beta, metricsServer, clusterAutoscaler, loadBalancerController, targetGroupBindings, feedbackReminder };
}
