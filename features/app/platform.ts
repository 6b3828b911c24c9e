/**
 * The application in the platform stack (APP-1..3, ENV-4, SEC-4, LB-1):
 * - the application in `toronto-ai` (blue and green Deployments, Service on the active colour,
 *   HPA, PDB, ConfigMap, service account, Vault agent secrets) and, in production, the beta
 *   channel in `toronto-ai-beta` with its own Deployment and the feedback-reminder CronJob;
 * - default-deny NetworkPolicies with explicit allows in both namespaces;
 * - the cluster add-ons it needs (features/cluster-addons/platform.ts, under the same scope) and
 *   the TargetGroupBindings that put the pods behind the cloud stack's target groups.
 * Names both stacks agree on are in ./contract.ts.
 */
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { Vault } from '../../constructs/data/vault';
import { PRODUCTION_LIKE_TIERS } from '../../environments/catalog';
import { Application } from '../../constructs/app/application';
import { AppNetworkPolicies } from '../../constructs/app/network-policies';
import { ScheduledJob } from '../../constructs/app/scheduled-job';
import { ChartRelease } from '../../constructs/helm/chart-release';
import { LocalChartRelease } from '../../constructs/data/local-chart-release';
import { Namespaces } from '../../constructs/kubernetes/namespaces';
import { PlatformContext } from '../context';
import { addClusterAddons } from '../cluster-addons/platform';
import { egressNamespaces } from '../flows';
import { DATA_SERVICES } from '../data/contract';
import { CLAMD } from '../observability/contract';
import { APP_CA_PUBLISHER, APP_CHANNELS, APP_LIVENESS_PATH, APP_NAME, APP_PORT, APP_READINESS_PATH, AppChannel, BETA_NAMESPACE, betaEnabled, REDIS_CONFIG_KEYS, vaultAgentOf } from './contract';
import { POD_IDENTITY_AGENT_CIDR, POD_IDENTITY_AGENT_PORT } from '../../constructs/identity/workload-role';
import { filesPrefix, queueUrlOf, INFERENCE_NAME, INFERENCE_NAMESPACE, INFERENCE_PORT, SERVICE_CONFIG_KEYS, SERVICES, servicesOf, WEBSOCKET_PORT } from '../services/contract';

/**
 * Where the service tier is, for the application and every service of the channel (they share
 * the channel's ConfigMap): queues, files, e-mail sender, AI service and the in-namespace services.
 */
function serviceConfig(ctx: PlatformContext, c: AppChannel): Record<string, string> {
  const url = (key: keyof typeof SERVICES, scheme = 'http') => {
    const spec = SERVICES[key];
    return `${scheme}://${spec.name}.${c.namespace}.svc.cluster.local:${spec.port}`;
  };
  const inChannel = (key: keyof typeof SERVICES) => SERVICES[key].channels.includes(c.name);
  return {
    [SERVICE_CONFIG_KEYS.agentQueueUrl]: queueUrlOf(ctx, c, 'agent-tasks'),
    [SERVICE_CONFIG_KEYS.celeryQueueUrl]: queueUrlOf(ctx, c, 'celery'),
    // Celery over SQS (kombu): the queue URL above is its predefined queue; credentials from Pod Identity.
    [SERVICE_CONFIG_KEYS.celeryBrokerUrl]: 'sqs://',
    [SERVICE_CONFIG_KEYS.filesBucket]: ctx.cloud.filesBucketName,
    [SERVICE_CONFIG_KEYS.filesPrefix]: filesPrefix(c.name),
    [SERVICE_CONFIG_KEYS.emailFrom]: ctx.env.services.email.fromAddress,
    [SERVICE_CONFIG_KEYS.emailBackend]: 'django_ses.SESBackend',
    [SERVICE_CONFIG_KEYS.emailConfigurationSet]: ctx.cloud.emailConfigurationSetName,
    [SERVICE_CONFIG_KEYS.inferenceUrl]: `http://${INFERENCE_NAME}.${INFERENCE_NAMESPACE}.svc.cluster.local:${INFERENCE_PORT}`,
    [SERVICE_CONFIG_KEYS.coordinatorUrl]: url('coordinator'),
    [SERVICE_CONFIG_KEYS.websocketUrl]: url('websocket', 'ws'),
    ...(inChannel('onboarding') ? { [SERVICE_CONFIG_KEYS.onboardingUrl]: url('onboarding') } : {}),
    ...(inChannel('feedback') ? { [SERVICE_CONFIG_KEYS.feedbackUrl]: url('feedback') } : {}),
  };
}


export interface AppPlatform {
  readonly app: Application;
  readonly beta?: Application;
  readonly metricsServer: ChartRelease;
  readonly clusterAutoscaler: ChartRelease;
  readonly loadBalancerController: ChartRelease;
  readonly targetGroupBindings: LocalChartRelease;
  readonly feedbackReminder?: ScheduledJob;
  /** What must exist before a channel's pods are created (webhooks, the channel's `vault-ca`). */
  readonly podPrerequisites: (c: AppChannel) => ITerraformDependable[];
}

/** What the application's pods need from the data services: Vault (injector webhook, CA publisher). */
export interface AppOptions {
  readonly vault?: Vault;
}

/** Adds the application and its delivery to the platform stack. */
export function addApp(ctx: PlatformContext, options: AppOptions = {}): AppPlatform {
  const { env } = ctx;
  const a = env.app;
  const scope = new Construct(ctx.scope, 'app');
  const appPlacement = ctx.placement('app');
  const zoneSpread = PRODUCTION_LIKE_TIERS.includes(env.tier) ? 'DoNotSchedule' : 'ScheduleAnyway';
  const labels = { 'toronto-ai.io/environment': env.name, 'app.kubernetes.io/managed-by': 'cdktf' };
  const { metricsServer, clusterAutoscaler, loadBalancerController } = addClusterAddons(ctx, scope);
  // Where the services outside Vault are. DATA-4: the cache, and whom each channel connects as (IAM auth token signed with the
  // channel's Pod Identity role, features/data/cloud.ts).
  const endpointConfig = (c: AppChannel): Record<string, string> => ({
    [REDIS_CONFIG_KEYS.host]: ctx.cloud.redisEndpoint,
    [REDIS_CONFIG_KEYS.port]: String(ctx.cloud.redisPort),
    [REDIS_CONFIG_KEYS.tls]: 'true',
    [REDIS_CONFIG_KEYS.auth]: 'iam',
    [REDIS_CONFIG_KEYS.user]: ctx.cloud.redisUsers[c.name],
    [REDIS_CONFIG_KEYS.cacheName]: ctx.cloud.redisReplicationGroupId,
    [REDIS_CONFIG_KEYS.keyPrefix]: c.cache.keyPrefix,
    [REDIS_CONFIG_KEYS.region]: ctx.cloud.region,
    // The vector store, through its token-checking gateway (the token is in the channel's Vault secret).
    CHROMA_HOST: DATA_SERVICES.chroma.host,
    CHROMA_PORT: String(DATA_SERVICES.chroma.port),
    // The ClamAV daemon uploads are scanned with (INSTREAM).
    CLAMAV_HOST: CLAMD.host,
    CLAMAV_PORT: String(CLAMD.port),
    ...serviceConfig(ctx, c),
  });

  // ---- the application (APP-1, APP-2)
  const appNs = ctx.namespaces.name(APP_CHANNELS.stable.namespace);
  // Pods are mutated at creation by Vault's agent injector and the load balancer controller's
  // readiness-gate webhook, and mount `vault-ca`: all of them exist before the first pod.
  const vault = options.vault;
  const podPrerequisites = (caPublisher?: ITerraformDependable): ITerraformDependable[] => [
    loadBalancerController.release,
    ...(vault ? [vault.release.release] : []),
    ...(caPublisher ? [caPublisher] : []),
  ];
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
    config: { ...a.config, ...endpointConfig(APP_CHANNELS.stable) },
    vault: vaultAgentOf(APP_CHANNELS.stable),
    placement: appPlacement,
    zoneSpread,
    labels: { 'toronto-ai.io/environment': env.name, 'toronto-ai.io/channel': 'stable' },
    dependsOn: podPrerequisites(vault?.caPublishers[APP_CA_PUBLISHER]),
  });
  // In-cluster services each channel talks to: the flows it consumes (features/flows.ts).
  const policies = (id: string, namespace: string, podLabels: Record<string, string>, channel: AppChannel) =>
    new AppNetworkPolicies(scope, id, {
      namespace,
      podLabels,
      appPort: APP_PORT,
      loadBalancerSourceCidrs: [env.network.vpcCidr],
      scrapeFromNamespaces: ['monitoring'],
      egressToNamespaces: egressNamespaces(ctx.flows, channel.namespace),
      egressToCidrs: [
        { name: 'redis', cidrs: env.network.dataSubnetCidrs, ports: [ctx.cloud.redisPort] },
        // The EKS Pod Identity agent (host network on every node) hands out the cache role's credentials.
        { name: 'pod-identity-agent', cidrs: [POD_IDENTITY_AGENT_CIDR], ports: [POD_IDENTITY_AGENT_PORT] },
      ],
      allowExternalHttps: true,
      vpcCidr: env.network.vpcCidr,
      // The application and its services (features/services) share the channel's egress allows.
      tierLabels: { 'app.kubernetes.io/part-of': 'toronto-ai' },
      internalPorts: servicesOf(channel).flatMap((s) => (s.port !== undefined ? [s.port] : [])),
      // The WebSocket servers sit behind the load balancer too (features/services).
      loadBalancerTargets: [{ name: 'websocket', podLabels: { 'app.kubernetes.io/name': SERVICES.websocket.name }, port: WEBSOCKET_PORT }],
    });
  policies('network-policies', appNs, app.podLabels, APP_CHANNELS.stable);

  const bindings = [
    { name: APP_NAME, namespace: appNs, serviceName: app.serviceName, servicePort: app.servicePort, targetGroupARN: ctx.cloud.targetGroupArns.app },
  ];

  // ---- the beta channel (ENV-4) and its scheduled job (APP-3)
  let beta: Application | undefined;
  let feedbackReminder: ScheduledJob | undefined;
  let betaCa: ITerraformDependable | undefined;
  if (betaEnabled(env) && a.beta.imageTag !== undefined) {
    const betaNamespaces = new Namespaces(scope, 'beta-namespace', {
      namespaces: [{ name: BETA_NAMESPACE, podSecurity: 'restricted', labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } }],
      commonLabels: labels,
    });
    const betaNs = betaNamespaces.name(BETA_NAMESPACE);
    betaCa = vault?.publishCa('ca-beta', betaNs);
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
      config: { ...a.config, RELEASE_CHANNEL: 'beta', ...endpointConfig(APP_CHANNELS.beta) },
      vault: vaultAgentOf(APP_CHANNELS.beta),
      placement: appPlacement,
      zoneSpread,
      labels: { 'toronto-ai.io/environment': env.name, 'toronto-ai.io/channel': 'beta' },
      dependsOn: podPrerequisites(betaCa),
    });
    policies('beta-network-policies', betaNs, beta.podLabels, APP_CHANNELS.beta);
    feedbackReminder = new ScheduledJob(scope, 'feedback-reminder', {
      name: 'feedback-reminder',
      namespace: betaNs,
      schedule: a.beta.feedbackReminderSchedule,
      image: `${a.image.repository}:${a.beta.imageTag}`,
      command: ['python', 'manage.py', 'send_feedback_reminders'],
      serviceAccountName: beta.serviceAccount.metadata.name,
      configMapName: beta.configMap.metadata.name,
      vault: vaultAgentOf(APP_CHANNELS.beta),
      placement: appPlacement,
      podLabels: beta.podLabels,
      dependsOn: podPrerequisites(betaCa),
    });
    if (ctx.cloud.targetGroupArns.beta !== undefined) {
      bindings.push({
        name: `${APP_NAME}-beta`,
        namespace: betaNs,
        serviceName: beta.serviceName,
        servicePort: beta.servicePort,
        targetGroupARN: ctx.cloud.targetGroupArns.beta,
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

  const channelPrerequisites = (c: AppChannel): ITerraformDependable[] =>
    c.name === 'stable' ? podPrerequisites(vault?.caPublishers[APP_CA_PUBLISHER]) : podPrerequisites(betaCa);
  return { app, beta, metricsServer, clusterAutoscaler, loadBalancerController, targetGroupBindings, feedbackReminder, podPrerequisites: channelPrerequisites };
}
