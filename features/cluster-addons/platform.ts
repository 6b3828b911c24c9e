/**
 * The cluster add-ons installed by Helm in the platform stack (K8S-3, LB-1): metrics-server (HPA
 * metrics), the cluster autoscaler and the AWS Load Balancer Controller, whose
 * TargetGroupBindings put the application pods behind the cloud stack's target groups. Their
 * Pod Identity roles are in ./cloud.ts, bound to the service accounts of ./contract.ts.
 */
import { ChartRelease } from '../../constructs/helm/chart-release';
import { CHARTS } from '../../constructs/helm/charts';
import { Construct } from 'constructs';
import { PlatformContext } from '../context';
import { ADDON_NAMESPACE, CLUSTER_AUTOSCALER_IDENTITY, CLUSTER_AUTOSCALER_IMAGE_TAGS, LB_CONTROLLER_IDENTITY } from './contract';

export interface ClusterAddonsPlatform {
  readonly metricsServer: ChartRelease;
  readonly clusterAutoscaler: ChartRelease;
  readonly loadBalancerController: ChartRelease;
}

/** Adds the add-ons under `scope` (the construct ids are those of their first home, `app/...`). */
export function addClusterAddons(ctx: PlatformContext, scope: Construct): ClusterAddonsPlatform {
  const { env, names } = ctx;
  const system = ctx.placement('system');
  const systemNodes = env.nodePools.system?.minSize ?? env.nodePools.app.minSize;
  const addonReplicas = systemNodes >= 2 ? 2 : 1;
  const addonPlacement = { nodeSelector: system.nodeSelector, tolerations: system.tolerations };
  const autoscalerTag = CLUSTER_AUTOSCALER_IMAGE_TAGS[env.cluster.version];
  if (autoscalerTag === undefined) {
    throw new Error(`addClusterAddons: no cluster autoscaler image for EKS ${env.cluster.version}; add it to CLUSTER_AUTOSCALER_IMAGE_TAGS (features/cluster-addons/contract.ts)`);
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
      vpcId: ctx.cloud.vpcId,
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

  return { metricsServer, clusterAutoscaler, loadBalancerController };
}
