import { Construct } from 'constructs';
import { ITerraformDependable, Token } from 'cdktf';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { POOL_LABEL, TAINTED_POOLS } from './placement';

export interface NodePoolProps {
  readonly clusterName: string;
  /** Pool key (`app`, `database`...): node label value, taint value, part of every name. */
  readonly poolName: string;
  readonly nodeRoleArn: string;
  /** Private subnets, one per zone, so the pool spans every zone. */
  readonly subnetIds: string[];
  readonly instanceType: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly rootVolumeGiB: number;
  readonly volumeType: 'gp3' | 'io2';
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  /** KMS key (ARN) encrypting the root volumes. */
  readonly volumesKeyArn: string;
  /**
   * Taint the nodes so only workloads tolerating `<POOL_LABEL>=<poolName>` land there.
   * @default true for the database and vector pools
   */
  readonly tainted?: boolean;
  /** NVIDIA GPU nodes: the EKS accelerated (NVIDIA) AL2023 AMI. @default false */
  readonly gpu?: boolean;
  /** Resources that must exist before nodes join (the CNI add-on, the node role's policies). */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One managed node group with its own launch template (K8S-2): IMDSv2 only with a hop limit of 1
 * (pods get AWS credentials from Pod Identity, never from the node), encrypted SSD root volumes,
 * no SSH key (administration through SSM), pool labels and taints, explicit sizes.
 */
export class NodePool extends Construct {
  readonly nodeGroup: EksNodeGroup;
  readonly launchTemplate: LaunchTemplate;
  readonly poolName: string;
  readonly tainted: boolean;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    if (props.minSize > props.desiredSize || props.desiredSize > props.maxSize) {
      throw new Error(
        `${this.node.path}: sizes must satisfy minSize <= desiredSize <= maxSize. Got: ${props.minSize} <= ${props.desiredSize} <= ${props.maxSize}`,
      );
    }
    this.poolName = props.poolName;
    this.tainted = props.tainted ?? TAINTED_POOLS.includes(props.poolName);
    const name = `${props.clusterName}-${props.poolName}`;
    const io2 = props.volumeType === 'io2';
    this.launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name,
      description: `Nodes of the ${props.poolName} pool of ${props.clusterName}`,
      updateDefaultVersion: true,
      ebsOptimized: 'true',
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      monitoring: { enabled: true },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: props.rootVolumeGiB,
            volumeType: props.volumeType,
            iops: io2 ? 16000 : 3000,
            throughput: io2 ? undefined : 250,
            encrypted: 'true',
            kmsKeyId: props.volumesKeyArn,
            deleteOnTermination: 'true',
          },
        },
      ],
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: name, [POOL_LABEL]: props.poolName } },
        { resourceType: 'volume', tags: { Name: name, [POOL_LABEL]: props.poolName } },
      ],
    });
    this.nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      nodeGroupName: name,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      amiType: props.gpu ? 'AL2023_x86_64_NVIDIA' : 'AL2023_x86_64_STANDARD',
      instanceTypes: [props.instanceType],
      capacityType: props.capacityType,
      scalingConfig: { minSize: props.minSize, desiredSize: props.desiredSize, maxSize: props.maxSize },
      updateConfig: { maxUnavailable: 1 },
      nodeRepairConfig: { enabled: true },
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      labels: { [POOL_LABEL]: props.poolName },
      taint: this.tainted ? [{ key: POOL_LABEL, value: props.poolName, effect: 'NO_SCHEDULE' }] : undefined,
      dependsOn: props.dependsOn,
      // The cluster autoscaler owns the running size after creation; min and max stay in code.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
    });
  }
}
