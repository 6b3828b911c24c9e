/**
 * The service tier in the platform stack (seed 004 "Service Layer", seed 003, seed 002 automatic
 * rollback, seed 000 release tasks):
 * - every service of features/services/contract.ts in every channel it runs in (TierService:
 *   own service account, hardened Deployment, probes, Service, PDB), configured from the
 *   channel's ConfigMap, reading the channel's secrets through the channel's Vault role;
 * - KEDA (chart) and a ScaledObject per channel scaling the Celery workers on their SQS queue;
 * - the AI service (Ollama) in `ai-inference` on the inference pool, its models synced from the
 *   model store at start (an emptyDir the size of the pool's model volume);
 * - Argo Rollouts (chart) and the Rollouts of the application (blue-green: database migrations
 *   before promotion, the rollback alert rules' measures after it) and of the AI service (canary,
 *   gated on the canary answering with every model), with their AnalysisTemplates.
 *
 * Terraform owns the pod templates (Deployments with no replicas of their own), the Services
 * (not their selectors), the HPA, the chart releases and everything the Rollouts refer to; the
 * controller owns the ReplicaSets, the pods, the Services' selectors and the Rollouts' status.
 */
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { dependable, ITerraformDependable } from 'cdktf';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { PlatformContext } from '../context';
import { ChartRelease } from '../../constructs/helm/chart-release';
import { CHARTS } from '../../constructs/helm/charts';
import { LocalChartRelease } from '../../constructs/data/local-chart-release';
import { TierService } from '../../constructs/app/tier-service';
import { NvidiaDevicePlugin } from '../../constructs/nodepools/nvidia-device-plugin';
import { Application, NAME_LABEL } from '../../constructs/app/application';
import { DeploymentV1, JobV1 } from '../../constructs/kubernetes/workloads';
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, TMP_MOUNT, TMP_VOLUME } from '../../constructs/common/pod-security';
import { vaultAgentAnnotations, VAULT_INJECT_LABEL } from '../../constructs/app/vault-agent';
import { rollbackRules } from '../../constructs/observability/alert-rules';
import { PRODUCTION_LIKE_TIERS } from '../../environments/catalog';
import { APP_CHANNELS, AppChannel, channelsOf, vaultAgentOf } from '../app/contract';
import { MONITORING_NAMESPACE, OBSERVABILITY_PORTS } from '../observability/contract';
import {
  INFERENCE_NAME,
  INFERENCE_NAMESPACE,
  INFERENCE_PORT,
  INFERENCE_SERVICE_ACCOUNT,
  KEDA_NAMESPACE,
  ROLLOUTS_NAMESPACE,
  queueUrlOf,
  KEDA_OPERATOR_SERVICE_ACCOUNT,
  MODEL_STORE_PREFIX,
  MODEL_SYNC_SERVICE_ACCOUNT,
  SERVICE_LIVENESS_PATH,
  SERVICE_READINESS_PATH,
  WEBSOCKET_PORT,
  ServiceKey,
  servicesOf,
} from './contract';

/** Prometheus as the analysis runs query it (kube-prometheus-stack's Service). */
export const PROMETHEUS_URL = `http://kube-prometheus-stack-prometheus.${MONITORING_NAMESPACE}.svc:${OBSERVABILITY_PORTS.prometheus}`;
/** How often an analysis measures, and how long after promotion it watches (covers the longest rule). */
export const ANALYSIS_INTERVAL = '1m';
export const POST_PROMOTION_WATCH_MINUTES = 20;
/** Old revisions stay scaled up this long after a promotion: the automatic rollback is instant within it. */
export const SCALE_DOWN_DELAY_SECONDS = (POST_PROMOTION_WATCH_MINUTES + 5) * 60;

export interface ServicesPlatform {
  readonly rollouts: ChartRelease;
  readonly keda: ChartRelease;
  readonly services: Record<string, TierService>;
  readonly inference: DeploymentV1;
  readonly modelSync: JobV1;
  /** The Rollouts, AnalysisTemplates, ScaledObjects and TriggerAuthentications. */
  readonly tier: LocalChartRelease;
  /** The WebSocket servers' TargetGroupBindings. */
  readonly websocketBindings: LocalChartRelease;
}

export interface ServicesOptions {
  /** The applications by channel (their ConfigMaps, images, Services). */
  readonly apps: Readonly<Partial<Record<AppChannel['name'], Application>>>;
  /** Webhooks and CA publishers by channel that must exist before the channel's pods. */
  readonly podPrerequisites: (c: AppChannel) => ITerraformDependable[];
  /** The monitoring release (the ServiceMonitor CRD and Prometheus the analyses query). */
  readonly monitoring: ITerraformDependable;
  /** The load balancer controller (its TargetGroupBinding CRD and webhook). */
  readonly loadBalancerController: ITerraformDependable;
}

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: Record<string, unknown> };

/** Adds the service tier to the platform stack. */
export function addServices(ctx: PlatformContext, options: ServicesOptions): ServicesPlatform {
  const { env } = ctx;
  const s = env.services;
  const scope = new Construct(ctx.scope, 'services');
  const zoneSpread = PRODUCTION_LIKE_TIERS.includes(env.tier) ? 'DoNotSchedule' : 'ScheduleAnyway';
  const appPlacement = ctx.placement('app');
  const systemPlacement = ctx.placement('system');
  const objects: K8sObject[] = [];
  const labels = { 'toronto-ai.io/environment': env.name, 'app.kubernetes.io/part-of': 'toronto-ai' };

  // ---- controllers: Argo Rollouts (progressive delivery), KEDA (queue-driven scaling)
  const controllerReplicas = (env.nodePools.system?.minSize ?? env.nodePools.app.minSize) >= 2 ? 2 : 1;
  const rollouts = new ChartRelease(scope, 'argo-rollouts', {
    name: 'argo-rollouts',
    namespace: ctx.namespaces.name(ROLLOUTS_NAMESPACE),
    chart: CHARTS.argoRollouts,
    values: {
      controller: {
        replicas: controllerReplicas,
        nodeSelector: systemPlacement.nodeSelector,
        tolerations: systemPlacement.tolerations,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        metrics: { enabled: true, serviceMonitor: { enabled: true } },
        // The replicas elect a leader: a drain takes at most one of them at a time.
        pdb: controllerReplicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
      },
      dashboard: { enabled: false },
      // Only the Kubernetes Service and Job providers are used: no mesh RBAC.
      providerRBAC: { enabled: false },
    },
    dependsOn: [options.monitoring],
  });

  const keda = new ChartRelease(scope, 'keda', {
    name: 'keda',
    namespace: ctx.namespaces.name(KEDA_NAMESPACE),
    chart: CHARTS.keda,
    values: {
      serviceAccount: { operator: { create: true, name: KEDA_OPERATOR_SERVICE_ACCOUNT } },
      nodeSelector: systemPlacement.nodeSelector,
      tolerations: systemPlacement.tolerations,
    },
  });

  // ---- the services of each channel
  const services: Record<string, TierService> = {};
  for (const c of channelsOf(env)) {
    const app = options.apps[c.name];
    if (!app) throw new Error(`addServices: no application for the ${c.name} channel`);
    const beta = c.name === 'beta';
    const vault = vaultAgentOf(c);
    const common = { ...labels, 'toronto-ai.io/channel': c.name };
    const replicasOf = (key: Exclude<ServiceKey, 'workers' | 'beat'>): number => (beta ? s.betaReplicas : s[key].replicas);
    for (const spec of servicesOf(c)) {
      const image = spec.image === 'agents' ? `${s.agents.image.repository}:${s.agents.image.tag}` : app.image;
      const base = {
        name: spec.name,
        namespace: app.namespace,
        image,
        command: spec.command,
        configMapName: app.configMap.metadata.name,
        vault: spec.usesDatabase ? vault : undefined,
        placement: appPlacement,
        zoneSpread: zoneSpread as 'DoNotSchedule' | 'ScheduleAnyway',
        labels: common,
        dependsOn: options.podPrerequisites(c),
      } as const;
      const http = spec.port !== undefined ? { kind: 'http' as const, port: spec.port, livenessPath: SERVICE_LIVENESS_PATH, readinessPath: SERVICE_READINESS_PATH } : undefined;
      const id = `${c.name}-${spec.key}`;
      if (spec.key === 'workers') {
        const ping = ['sh', '-c', 'celery -A config inspect ping --destination "celery@$HOSTNAME" --timeout 10'];
        services[id] = new TierService(scope, id, {
          ...base,
          replicas: beta ? s.betaReplicas : s.workers.minReplicas,
          scaling: 'autoscaler',
          resources: s.workers.resources,
          probe: { kind: 'exec', liveness: ping, readiness: ping },
          env: { CELERY_WORKER_CONCURRENCY: String(s.workers.concurrency) },
        });
        objects.push(...queueScaling(c, c.namespace, spec.name, beta ? s.betaReplicas : s.workers.minReplicas, beta ? s.betaReplicas + 1 : s.workers.maxReplicas, s.workers.messagesPerReplica, queueUrlOf(ctx, c, 'celery'), env.aws.region));
      } else if (spec.key === 'beat') {
        // Beat rewrites its schedule file at least every 5 minutes (beat_max_loop_interval).
        const fresh = ['sh', '-c', 'test -f /tmp/celerybeat-schedule && test $(( $(date +%s) - $(stat -c %Y /tmp/celerybeat-schedule) )) -lt 600'];
        services[id] = new TierService(scope, id, {
          ...base,
          replicas: 1,
          scaling: 'singleton',
          resources: s.beat.resources,
          probe: { kind: 'exec', liveness: fresh, readiness: ['sh', '-c', 'test -f /tmp/celerybeat-schedule'] },
        });
      } else {
        if (!http) throw new Error(`addServices: ${spec.name} has no port`);
        services[id] = new TierService(scope, id, {
          ...base,
          replicas: replicasOf(spec.key),
          scaling: 'terraform',
          resources: s[spec.key].resources,
          probe: http,
        });
      }
    }
    objects.push(...appRollout(c, app, labels));
  }

  // ---- the WebSocket servers behind the load balancer's /ws/ rule (features/edge/cloud.ts)
  const wsBindings = channelsOf(env).flatMap((c) => {
    const arn = ctx.cloud.targetGroupArns[c.name === 'stable' ? 'ws' : 'bws'];
    const ws = services[`${c.name}-websocket`];
    return arn !== undefined && ws?.service ? [{ name: ws.name, namespace: c.namespace, serviceName: ws.name, servicePort: WEBSOCKET_PORT, targetGroupARN: arn, service: ws.service }] : [];
  });
  const websocketBindings = new LocalChartRelease(scope, 'websocket-bindings', {
    name: 'websocket-target-group-bindings',
    namespace: ctx.namespaces.name(APP_CHANNELS.stable.namespace),
    chart: 'target-group-bindings',
    values: { bindings: wsBindings.map(({ service: _s, ...b }) => b), labels: { 'toronto-ai.io/environment': env.name } },
    dependsOn: [options.loadBalancerController, ...wsBindings.map((b) => b.service)],
  });

  // ---- the AI service (seed 003: Ollama on 11434) on the inference pool
  const inferenceNs = ctx.namespaces.name(INFERENCE_NAMESPACE);
  const inferencePlacement = ctx.placement('inference');
  const pool = env.nodePools.inference;
  const gpu = pool?.gpu === true;
  const modelVolumeGiB = pool?.dataVolumeGiB ?? 50;
  // Not part of the application: the AI service is shared by the channels (alert selectors cover it by its own namespace).
  const inferenceLabels = { 'toronto-ai.io/environment': env.name, 'app.kubernetes.io/part-of': 'ai-service', [NAME_LABEL]: INFERENCE_NAME };
  const selector = { [NAME_LABEL]: INFERENCE_NAME };
  const inferenceSa = new ServiceAccountV1(scope, 'inference-service-account', {
    metadata: { name: INFERENCE_SERVICE_ACCOUNT, namespace: inferenceNs, labels: inferenceLabels },
    // The model sync reads S3 with its Pod Identity role: the projected token is needed.
    automountServiceAccountToken: true,
  });
  const modelStore = `s3://${ctx.cloud.modelStoreBucketName}/${MODEL_STORE_PREFIX}`;
  const ollamaImage = `docker.io/ollama/ollama:${s.inference.imageTag}`;
  const awsCli = env.data.jobImages.awsCli;
  const modelsVolume = { name: 'models', emptyDir: { sizeLimit: `${modelVolumeGiB}Gi` } };
  const gpuResources: Record<string, string> = gpu ? { 'nvidia.com/gpu': '1' } : {};
  // The GPU nodes advertise their GPUs through NVIDIA's device plugin (the AMI has the driver only).
  const devicePlugin = gpu ? new NvidiaDevicePlugin(scope, 'nvidia-device-plugin', { placement: inferencePlacement }) : undefined;
  const inference = new DeploymentV1(scope, 'inference', {
    metadata: { name: INFERENCE_NAME, namespace: inferenceNs, labels: inferenceLabels },
    spec: {
      // The Rollout `ollama` runs the replicas (canary); this is its pod template.
      replicas: '0',
      revisionHistoryLimit: 2,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...inferenceLabels, 'app.kubernetes.io/version': s.inference.imageTag } },
        spec: {
          serviceAccountName: inferenceSa.metadata.name,
          securityContext: { ...RESTRICTED_POD_SECURITY },
          nodeSelector: inferencePlacement.nodeSelector,
          toleration: [
            ...inferencePlacement.tolerations.map((t) => ({ ...t })),
            ...(gpu ? [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] : []),
          ],
          topologySpreadConstraint: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: zoneSpread, labelSelector: [{ matchLabels: selector }] },
          ],
          initContainer: [
            {
              // Models come from the model store (model-sync Job), not from the internet at start.
              name: 'models',
              image: awsCli,
              command: ['aws', 's3', 'sync', '--only-show-errors', modelStore, '/models'],
              env: [{ name: 'HOME', value: '/tmp' }],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: RESTRICTED_CONTAINER_SECURITY,
              volumeMount: [{ name: 'models', mountPath: '/models' }, TMP_MOUNT],
            },
          ],
          container: [
            {
              name: 'ollama',
              image: ollamaImage,
              imagePullPolicy: 'IfNotPresent',
              port: [{ name: 'http', containerPort: INFERENCE_PORT, protocol: 'TCP' }],
              env: [
                { name: 'OLLAMA_MODELS', value: '/models' },
                { name: 'OLLAMA_HOST', value: `0.0.0.0:${INFERENCE_PORT}` },
                { name: 'HOME', value: '/tmp' },
                { name: 'OLLAMA_KEEP_ALIVE', value: '24h' },
              ],
              resources: {
                requests: { cpu: s.inference.resources.requests.cpu, memory: s.inference.resources.requests.memory, 'ephemeral-storage': `${modelVolumeGiB}Gi`, ...gpuResources },
                limits: { cpu: s.inference.resources.limits.cpu, memory: s.inference.resources.limits.memory, ...gpuResources },
              },
              livenessProbe: { httpGet: { path: '/', port: String(INFERENCE_PORT) }, initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 4 },
              readinessProbe: { httpGet: { path: '/api/tags', port: String(INFERENCE_PORT) }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
              securityContext: RESTRICTED_CONTAINER_SECURITY,
              volumeMount: [{ name: 'models', mountPath: '/models', readOnly: true }, TMP_MOUNT],
            },
          ],
          volume: [modelsVolume, TMP_VOLUME],
        },
      },
    },
    waitForRollout: false,
    dependsOn: devicePlugin ? [devicePlugin.daemonSet] : undefined,
  });
  const inferenceService = (id: string, name: string) =>
    new ServiceV1(scope, id, {
      metadata: { name, namespace: inferenceNs, labels: inferenceLabels },
      spec: { type: 'ClusterIP', selector, port: [{ name: 'http', port: INFERENCE_PORT, targetPort: 'http', protocol: 'TCP' }] },
      // Argo Rollouts pins the stable and canary Services to their revisions.
      lifecycle: { ignoreChanges: ['spec[0].selector'] },
    });
  const inferenceServices = [inferenceService('inference-service', INFERENCE_NAME), inferenceService('inference-canary-service', `${INFERENCE_NAME}-canary`)];
  new PodDisruptionBudgetV1(scope, 'inference-pdb', {
    metadata: { name: INFERENCE_NAME, namespace: inferenceNs, labels: inferenceLabels },
    spec: { maxUnavailable: '1', selector: { matchLabels: selector } },
  });

  // The models, pulled once per model list into the model store (a new list is a new Job).
  const syncSa = new ServiceAccountV1(scope, 'model-sync-service-account', {
    metadata: { name: MODEL_SYNC_SERVICE_ACCOUNT, namespace: inferenceNs, labels: inferenceLabels },
    automountServiceAccountToken: true,
  });
  const modelList = [...s.inference.models].sort();
  // A new model list (or image) is a new Job name, so the Job runs again (as the ILM set-up Job's name hashes its policy).
  const syncName = `model-sync-${createHash('sha256').update(`${modelList.join(',')}@${s.inference.imageTag}`).digest('hex').slice(0, 8)}`;
  const syncLabels = { ...inferenceLabels, [NAME_LABEL]: 'model-sync' };
  const modelSync = new JobV1(scope, 'model-sync', {
    metadata: { name: syncName, namespace: inferenceNs, labels: syncLabels },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 7200,
      ttlSecondsAfterFinished: '604800',
      template: {
        metadata: { labels: syncLabels },
        spec: {
          serviceAccountName: syncSa.metadata.name,
          restartPolicy: 'Never',
          securityContext: { ...RESTRICTED_POD_SECURITY },
          nodeSelector: inferencePlacement.nodeSelector,
          toleration: inferencePlacement.tolerations.map((t) => ({ ...t })),
          initContainer: [
            {
              name: 'pull',
              image: ollamaImage,
              command: ['sh', '-c', `ollama serve & sleep 5 && for m in ${modelList.join(' ')}; do ollama pull "$m" || exit 1; done`],
              env: [
                { name: 'OLLAMA_MODELS', value: '/models' },
                { name: 'HOME', value: '/tmp' },
              ],
              resources: { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': `${modelVolumeGiB}Gi` }, limits: { cpu: '2', memory: '2Gi' } },
              securityContext: RESTRICTED_CONTAINER_SECURITY,
              volumeMount: [{ name: 'models', mountPath: '/models' }, TMP_MOUNT],
            },
          ],
          container: [
            {
              name: 'upload',
              image: awsCli,
              command: ['aws', 's3', 'sync', '--only-show-errors', '--delete', '/models', modelStore],
              env: [{ name: 'HOME', value: '/tmp' }],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: RESTRICTED_CONTAINER_SECURITY,
              volumeMount: [{ name: 'models', mountPath: '/models', readOnly: true }, TMP_MOUNT],
            },
          ],
          volume: [modelsVolume, TMP_VOLUME],
        },
      },
    },
    waitForCompletion: false,
  });
  objects.push(...inferenceRollout(s.inference.replicas, s.inference.models, labels));

  // ---- the custom resources, after their CRDs, the Deployments they refer to and the Services they steer
  const tier = new LocalChartRelease(scope, 'service-tier', {
    name: 'service-tier',
    // The release's own record lives with the controller that acts on most of its objects.
    namespace: ctx.namespaces.name(ROLLOUTS_NAMESPACE),
    chart: 'service-tier',
    values: { objects, labels: { 'toronto-ai.io/environment': env.name } },
    dependsOn: [
      rollouts.release,
      keda.release,
      inference,
      ...inferenceServices,
      ...Object.values(options.apps).flatMap((a) => [a!.service, a!.previewService]),
      ...Object.values(services).map((t) => t.deployment),
    ],
  });

  // A release updates the application's pod template; the Rollout's pre-promotion analysis must
  // already carry the new image when the controller sees the new revision, or the migrations would
  // run with the old one. So the template changes after the release holding the Rollouts (on an
  // environment's first apply the Rollout waits for its template: the controller retries).
  for (const a of Object.values(options.apps)) {
    a!.templateDeployment.dependsOn = [...(a!.templateDeployment.dependsOn ?? []), dependable(tier.release)];
  }

  return { rollouts, keda, services, inference, modelSync, tier, websocketBindings };
}

/** A KEDA ScaledObject scaling `deployment` on the visible messages of `queueUrl` (operator's own identity). */
function queueScaling(c: AppChannel, namespace: string, deployment: string, min: number, max: number, perReplica: number, queueUrl: string, region: string): K8sObject[] {
  const auth = `${deployment}-sqs`;
  return [
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: auth, namespace },
      // The KEDA operator reads the queue depth with its own Pod Identity role (sqs:GetQueueAttributes only).
      spec: { podIdentity: { provider: 'aws', identityOwner: 'keda' } },
    },
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: deployment, namespace, labels: { 'toronto-ai.io/channel': c.name } },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
        minReplicaCount: min,
        maxReplicaCount: max,
        pollingInterval: 30,
        cooldownPeriod: 300,
        triggers: [
          {
            type: 'aws-sqs-queue',
            authenticationRef: { name: auth },
            metadata: { queueURL: queueUrl, queueLength: String(perReplica), awsRegion: region, scaleOnInFlight: 'true' },
          },
        ],
      },
    },
  ];
}

/**
 * The application's Rollout (blue-green) and its analyses. Before promotion: the database
 * migrations of the new revision, once (a Job). After promotion: every rollback rule of the alert
 * rules that measures the application, over the rule's own duration (`min_over_time` of the measure
 * over `for`: the threshold was crossed for the whole duration, as the alert's `for` requires),
 * watched for POST_PROMOTION_WATCH_MINUTES; a failure switches traffic back to the previous
 * revision, still running for SCALE_DOWN_DELAY_SECONDS.
 */
function appRollout(c: AppChannel, app: Application, labels: Record<string, string>): K8sObject[] {
  // The literal namespace (the Application's is a reference to the namespace resource).
  const ns = c.namespace;
  const rules = rollbackRules([ns]).filter((r) => r.measure.includes(`namespace=~"${ns}"`));
  const analysisName = `${app.name}-release`;
  const migrateName = `${app.name}-migrate`;
  const count = POST_PROMOTION_WATCH_MINUTES;
  const metrics = rules.map((r) => ({
    name: r.alert,
    interval: ANALYSIS_INTERVAL,
    count,
    failureLimit: 0,
    // A window without traffic is not a failure (NaN compares false).
    failureCondition: `len(result) > 0 && result[0] ${r.comparison} ${r.threshold}`,
    provider: {
      prometheus: {
        address: PROMETHEUS_URL,
        query: `min_over_time((${r.measure})[${r.for}:30s])`,
      },
    },
  }));
  const pod = {
    metadata: { labels: { ...labels, [NAME_LABEL]: migrateName, ...VAULT_INJECT_LABEL }, annotations: { ...vaultAgentAnnotations(vaultAgentOf(c)), 'vault.hashicorp.com/agent-pre-populate-only': 'true' } },
    spec: {
      serviceAccountName: app.serviceAccount.metadata.name,
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'migrate',
          image: '{{args.image}}',
          command: ['python', 'manage.py', 'migrate', '--noinput'],
          envFrom: [{ configMapRef: { name: app.configMap.metadata.name } }],
          resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
    },
  };
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: migrateName, namespace: ns },
      spec: {
        args: [{ name: 'image' }],
        metrics: [{ name: 'migrate', provider: { job: { spec: { backoffLimit: 0, activeDeadlineSeconds: 1800, template: pod } } } }],
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: analysisName, namespace: ns },
      spec: { metrics },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: app.name, namespace: ns, labels: { 'toronto-ai.io/channel': c.name } },
      spec: {
        replicas: app.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { [NAME_LABEL]: app.name } },
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app.name, scaleDown: 'never' },
        progressDeadlineSeconds: 900,
        progressDeadlineAbort: true,
        strategy: {
          blueGreen: {
            activeService: app.activeServiceName,
            previewService: app.previewServiceName,
            autoPromotionEnabled: true,
            prePromotionAnalysis: { templates: [{ templateName: migrateName }], args: [{ name: 'image', value: app.image }] },
            postPromotionAnalysis: { templates: [{ templateName: analysisName }] },
            scaleDownDelaySeconds: SCALE_DOWN_DELAY_SECONDS,
            abortScaleDownDelaySeconds: SCALE_DOWN_DELAY_SECONDS,
          },
        },
      },
    },
  ];
}

/**
 * The AI service's Rollout: canary by replicas (no traffic router: the Services pin the revisions),
 * one step at a time, each gated on the canary answering `/api/tags` with every model.
 */
function inferenceRollout(replicas: number, models: readonly string[], labels: Record<string, string>): K8sObject[] {
  const check = `${INFERENCE_NAME}-canary-models`;
  const canaryUrl = `http://${INFERENCE_NAME}-canary.${INFERENCE_NAMESPACE}.svc:${INFERENCE_PORT}/api/tags`;
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: check, namespace: INFERENCE_NAMESPACE, labels },
      spec: {
        metrics: [
          {
            name: 'models-served',
            interval: ANALYSIS_INTERVAL,
            count: 5,
            failureLimit: 1,
            successCondition: models.map((m) => `"${m.includes(':') ? m : `${m}:latest`}" in result`).join(' && '),
            provider: { web: { url: canaryUrl, jsonPath: '{$.models[*].name}', timeoutSeconds: 20 } },
          },
        ],
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: INFERENCE_NAME, namespace: INFERENCE_NAMESPACE },
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: { [NAME_LABEL]: INFERENCE_NAME } },
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: INFERENCE_NAME, scaleDown: 'never' },
        progressDeadlineSeconds: 1800,
        progressDeadlineAbort: true,
        strategy: {
          canary: {
            stableService: INFERENCE_NAME,
            canaryService: `${INFERENCE_NAME}-canary`,
            maxSurge: 1,
            maxUnavailable: 0,
            steps: [
              { setWeight: Math.max(1, Math.floor(100 / Math.max(2, replicas))) },
              { analysis: { templates: [{ templateName: check }] } },
              { setWeight: 50 },
              { analysis: { templates: [{ templateName: check }] } },
            ],
          },
        },
      },
    },
  ];
}
