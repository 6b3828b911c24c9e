/**
 * K8S-3, LB-1 in the cloud stack: the Pod Identity roles of the cluster add-ons the platform stack
 * installs (./platform.ts), each from its construct (constructs/cluster/), bound to the service
 * accounts of ./contract.ts.
 */
import { Construct } from 'constructs';
import { ClusterAutoscalerRole } from '../../constructs/cluster/cluster-autoscaler';
import { LoadBalancerControllerRole } from '../../constructs/cluster/load-balancer-controller';
import { CloudContext } from '../context';
import { CLUSTER_AUTOSCALER_IDENTITY, LB_CONTROLLER_IDENTITY } from './contract';

export interface ClusterAddonRoles {
  readonly autoscalerRole: ClusterAutoscalerRole;
  readonly loadBalancerControllerRole: LoadBalancerControllerRole;
}

/**
 * Adds the add-ons' roles to the cloud stack. The load-balancer controller's role keeps the
 * construct path it had when the edge created it (`edge/lb-controller-role`, passed as
 * `lbControllerScope`), so its Terraform addresses do not change and existing environments keep
 * the role instead of replacing it.
 */
export function addClusterAddonRoles(ctx: CloudContext, lbControllerScope: Construct): ClusterAddonRoles {
  const { names } = ctx;
  const cluster = { clusterName: ctx.cluster.name, clusterArn: ctx.cluster.arn, accountId: ctx.accountId };
  const scope = new Construct(ctx.scope, 'scaling');
  const autoscalerRole = new ClusterAutoscalerRole(scope, 'cluster-autoscaler-role', {
    ...cluster,
    roleName: `${names.prefix}-cluster-autoscaler`,
    ...CLUSTER_AUTOSCALER_IDENTITY,
    // The condition names the cluster by its (plan-time known) name.
    ownerTagClusterName: names.clusterName,
  });
  const loadBalancerControllerRole = new LoadBalancerControllerRole(lbControllerScope, 'lb-controller-role', {
    ...cluster,
    roleName: `${names.prefix}-aws-load-balancer-controller`,
    ...LB_CONTROLLER_IDENTITY,
    region: ctx.env.aws.region,
    targetGroupPrefix: names.prefix,
  });
  return { autoscalerRole, loadBalancerControllerRole };
}
