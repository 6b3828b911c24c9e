/**
 * The cluster add-ons installed by Helm in the platform stack (K8S-3, LB-1): metrics-server (HPA
 * metrics), the cluster autoscaler and the AWS Load Balancer Controller, whose
 * TargetGroupBindings put the application pods behind the cloud stack's target groups. Each is a
 * construct owning its chart and values (constructs/cluster/); their Pod Identity roles are made
 * by ./cloud.ts from the same constructs' modules, bound to the service accounts of ./contract.ts.
 */
import { Construct } from 'constructs';
import { ClusterAutoscaler } from '../../constructs/cluster/cluster-autoscaler';
import { LoadBalancerController } from '../../constructs/cluster/load-balancer-controller';
import { MetricsServer } from '../../constructs/cluster/metrics-server';
import { PlatformContext } from '../context';
import { ADDON_NAMESPACE, CLUSTER_AUTOSCALER_IDENTITY, CLUSTER_AUTOSCALER_IMAGE_TAGS, LB_CONTROLLER_IDENTITY } from './contract';

export interface ClusterAddonsPlatform {
  readonly metricsServer: MetricsServer;
  readonly clusterAutoscaler: ClusterAutoscaler;
  readonly loadBalancerController: LoadBalancerController;
}

/** Adds the add-ons under `scope` (the construct ids are those of their first home, `app/...`). */
export function addClusterAddons(ctx: PlatformContext, scope: Construct): ClusterAddonsPlatform {
  const { env, names } = ctx;
  const system = ctx.placement('system');
  const systemNodes = env.nodePools.system?.minSize ?? env.nodePools.app.minSize;
  const replicas = systemNodes >= 2 ? 2 : 1;
  const placement = { nodeSelector: system.nodeSelector, tolerations: system.tolerations };
  const imageTag = CLUSTER_AUTOSCALER_IMAGE_TAGS[env.cluster.version];
  if (imageTag === undefined) {
    throw new Error(`addClusterAddons: no cluster autoscaler image for EKS ${env.cluster.version}; add it to CLUSTER_AUTOSCALER_IMAGE_TAGS (features/cluster-addons/contract.ts)`);
  }

  const metricsServer = new MetricsServer(scope, 'metrics-server', { namespace: ADDON_NAMESPACE, replicas, placement });
  const clusterAutoscaler = new ClusterAutoscaler(scope, 'cluster-autoscaler', {
    namespace: CLUSTER_AUTOSCALER_IDENTITY.namespace,
    serviceAccount: CLUSTER_AUTOSCALER_IDENTITY.serviceAccount,
    clusterName: names.clusterName,
    region: env.aws.region,
    imageTag,
    placement,
  });
  const loadBalancerController = new LoadBalancerController(scope, 'aws-load-balancer-controller', {
    namespace: LB_CONTROLLER_IDENTITY.namespace,
    serviceAccount: LB_CONTROLLER_IDENTITY.serviceAccount,
    clusterName: names.clusterName,
    region: env.aws.region,
    vpcId: ctx.cloud.vpcId,
    replicas,
    placement,
    dependsOn: [metricsServer.release],
  });
  return { metricsServer, clusterAutoscaler, loadBalancerController };
}
