/**
 * K8S-3 in the cloud stack: the Pod Identity role of the cluster autoscaler, which the platform
 * stack installs (./platform.ts) with the service account of ./contract.ts. EKS managed node
 * groups tag their Auto Scaling groups `k8s.io/cluster-autoscaler/<cluster>=owned` and
 * `k8s.io/cluster-autoscaler/enabled=true`; the autoscaler discovers them by those tags and stays
 * within each pool's minSize/maxSize from the definition.
 */
import { Construct } from 'constructs';
import { WorkloadRole } from '../../constructs/identity/workload-role';
import { PolicyStatement } from '../../constructs/common/iam';
import { CloudContext } from '../context';
import { CLUSTER_AUTOSCALER_IDENTITY } from './contract';

export interface ClusterScaling {
  readonly autoscalerRole: WorkloadRole;
}

/**
 * The autoscaler's least privilege (its documented "minimal" policy): describe calls on `*`
 * (they do not support resource-level permissions), and scaling or terminating only the Auto
 * Scaling groups tagged as owned by this cluster.
 */
export function clusterAutoscalerStatements(clusterName: string): PolicyStatement[] {
  return [
    {
      Sid: 'DescribeScalingInputs',
      Effect: 'Allow',
      Action: [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeTags',
        'ec2:DescribeImages',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:GetInstanceTypesFromInstanceRequirements',
        'eks:DescribeNodegroup',
      ],
      Resource: '*',
    },
    {
      Sid: 'ScaleOnlyThisClustersGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' } },
    },
  ];
}

/** Adds the cluster autoscaler's workload role to the cloud stack `stack`. */
export function addClusterScaling(ctx: CloudContext): ClusterScaling {
  const { names } = ctx;
  const scope = new Construct(ctx.scope, 'scaling');
  const autoscalerRole = new WorkloadRole(scope, 'cluster-autoscaler-role', {
    roleName: `${names.prefix}-cluster-autoscaler`,
    clusterName: ctx.cluster.name,
    clusterArn: ctx.cluster.arn,
    accountId: ctx.accountId,
    namespace: CLUSTER_AUTOSCALER_IDENTITY.namespace,
    serviceAccount: CLUSTER_AUTOSCALER_IDENTITY.serviceAccount,
    // The condition names the cluster by its (plan-time known) name.
    statements: clusterAutoscalerStatements(names.clusterName),
  });
  return { autoscalerRole };
}
