/**
 * The AWS Load Balancer Controller (LB-1), both halves: its Pod Identity role with least privilege
 * (cloud stack) and its chart and values (platform stack), bound through one service account. It
 * only binds pods to the cloud stack's existing target groups (TargetGroupBindings): no ingress
 * class, no Service mutation, no load balancer, security group, WAF or Shield of its own.
 */
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { PolicyStatement } from '../common/iam';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { WorkloadRole, WorkloadRoleProps } from '../identity/workload-role';
import { AddonPlacement } from './metrics-server';

/**
 * Least privilege of the AWS Load Balancer Controller when it only binds pods to existing target
 * groups (TargetGroupBinding), cut down from the controller's published IAM policy: read-only
 * describes, and target registration on this environment's target groups only. It creates no
 * load balancer, security group rule, WAF or Shield association (disabled in its values).
 */
function loadBalancerControllerStatements(region: string, accountId: string, namePrefix: string): PolicyStatement[] {
  return [
    {
      Sid: 'DescribeLoadBalancingAndNetwork',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ec2:DescribeTags',
      ],
      Resource: '*',
    },
    {
      Sid: 'RegisterPodsInThisEnvironmentsTargetGroups',
      Effect: 'Allow',
      // The controller's documented TargetGroupBinding-only subset, scoped to these target groups.
      Action: [
        'elasticloadbalancing:RegisterTargets',
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
      ],
      Resource: `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${namePrefix}-*/*`,
    },
  ];
}

export interface LoadBalancerControllerRoleProps extends Omit<WorkloadRoleProps, 'statements' | 'managedPolicies' | 'associate'> {
  readonly region: string;
  /** The environment's name prefix: the role may register targets in `<prefix>-*` target groups only. */
  readonly targetGroupPrefix: string;
}

/** The controller's Pod Identity role (cloud stack). */
export class LoadBalancerControllerRole extends WorkloadRole {
  constructor(scope: Construct, id: string, props: LoadBalancerControllerRoleProps) {
    const { region, targetGroupPrefix, ...role } = props;
    super(scope, id, { ...role, statements: loadBalancerControllerStatements(region, role.accountId, targetGroupPrefix) });
  }
}

export interface LoadBalancerControllerProps {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  /** 2 where the system pool has two nodes or more (then a PDB keeps one up during drains), else 1. */
  readonly replicas: number;
  readonly placement: AddonPlacement;
  readonly dependsOn?: ITerraformDependable[];
}

/** The controller's release (platform stack). */
export class LoadBalancerController extends ChartRelease {
  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id, {
      name: 'aws-load-balancer-controller',
      namespace: props.namespace,
      chart: CHARTS.awsLoadBalancerController,
      values: {
        clusterName: props.clusterName,
        region: props.region,
        vpcId: props.vpcId,
        serviceAccount: { create: true, name: props.serviceAccount },
        replicaCount: props.replicas,
        nodeSelector: props.placement.nodeSelector,
        tolerations: props.placement.tolerations,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        // Only TargetGroupBindings: no ingress class, no Service mutation, no WAF/Shield calls.
        createIngressClassResource: false,
        enableServiceMutatorWebhook: false,
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
        ...(props.replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
      },
      dependsOn: props.dependsOn,
    });
  }
}
