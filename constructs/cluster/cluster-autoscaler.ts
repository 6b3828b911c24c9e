/**
 * The cluster autoscaler (K8S-3), both halves: its Pod Identity role with least privilege (cloud
 * stack) and its chart and values (platform stack), bound through one service account. EKS managed
 * node groups tag their Auto Scaling groups `k8s.io/cluster-autoscaler/<cluster>=owned` and
 * `k8s.io/cluster-autoscaler/enabled=true`; the autoscaler discovers them by those tags and stays
 * within each pool's minSize/maxSize.
 */
import { Construct } from 'constructs';
import { PolicyStatement } from '../common/iam';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { WorkloadRole, WorkloadRoleProps } from '../identity/workload-role';
import { RESTRICTED_CONTAINER_SECURITY } from '../common/pod-security';
import { AddonPlacement } from './metrics-server';

/**
 * The autoscaler's least privilege (its documented "minimal" policy): describe calls on `*`
 * (they do not support resource-level permissions), and scaling or terminating only the Auto
 * Scaling groups tagged as owned by this cluster.
 */
function clusterAutoscalerStatements(clusterName: string): PolicyStatement[] {
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

export interface ClusterAutoscalerRoleProps extends Omit<WorkloadRoleProps, 'statements' | 'managedPolicies' | 'associate'> {
  /**
   * The cluster's name as a plain string, known at plan time: the Auto Scaling groups' ownership
   * tag (`k8s.io/cluster-autoscaler/<name>`) in the scaling condition is built from it.
   */
  readonly ownerTagClusterName: string;
}

/** The autoscaler's Pod Identity role (cloud stack). */
export class ClusterAutoscalerRole extends WorkloadRole {
  constructor(scope: Construct, id: string, props: ClusterAutoscalerRoleProps) {
    const { ownerTagClusterName, ...role } = props;
    super(scope, id, { ...role, statements: clusterAutoscalerStatements(ownerTagClusterName) });
  }
}

export interface ClusterAutoscalerProps {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly clusterName: string;
  readonly region: string;
  /** The autoscaler's image tag: its minor version must match the cluster's. */
  readonly imageTag: string;
  readonly placement: AddonPlacement;
}

/** The autoscaler's release (platform stack). */
export class ClusterAutoscaler extends ChartRelease {
  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id, {
      name: 'cluster-autoscaler',
      namespace: props.namespace,
      chart: CHARTS.clusterAutoscaler,
      values: {
        cloudProvider: 'aws',
        image: { tag: props.imageTag },
        awsRegion: props.region,
        // Discovers the node groups' Auto Scaling groups by the tags EKS puts on them.
        autoDiscovery: { clusterName: props.clusterName },
        rbac: { serviceAccount: { create: true, name: props.serviceAccount } },
        replicaCount: 1,
        nodeSelector: props.placement.nodeSelector,
        tolerations: props.placement.tolerations,
        resources: { requests: { cpu: '100m', memory: '300Mi' }, limits: { cpu: '1', memory: '600Mi' } },
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: RESTRICTED_CONTAINER_SECURITY,
        extraArgs: {
          'balance-similar-node-groups': true,
          expander: 'least-waste',
          // The application's /tmp is an emptyDir: it must not pin a node forever.
          'skip-nodes-with-local-storage': false,
        },
      },
    });
    this.suppressRendered(
      'Deployment/cluster-autoscaler-aws-cluster-autoscaler',
      'TAI-K8S-3',
      'cluster-autoscaler 9.59.0 has a liveness probe and no readiness values; it serves no traffic, so readiness gates nothing',
    );
  }
}
