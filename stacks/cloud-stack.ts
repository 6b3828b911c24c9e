import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Environment } from '../environments/schema';
import { EKS_VERSIONS, NODE_POOL_NAMES } from '../environments/catalog';
import { EncryptionKey } from '../constructs/kms/kms-key';
import { Network } from '../constructs/network/network';
import { Cluster } from '../constructs/cluster/cluster';
import { ClusterAddons } from '../constructs/cluster/addons';
import { NodeRole } from '../constructs/nodepools/node-role';
import { NodePool } from '../constructs/nodepools/node-pool';
import { configureBackend } from './backend';
import { namesFor, tagsFor } from './naming';

/** What the platform stack (and later layers) read from the cloud stack. */
export interface CloudOutputs {
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly clusterCertificateAuthorityData: string;
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  readonly nodeRoleArn: string;
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  readonly dataSubnetIds: string[];
  readonly publicSubnetIds: string[];
  readonly volumesKeyArn: string;
  readonly backupsKeyArn: string;
  readonly logsKeyArn: string;
  /** Pools that exist in this environment, by key. */
  readonly nodePools: readonly string[];
}

/**
 * The `<env>` stack: everything in AWS (network, keys, cluster, node pools). Only the aws
 * provider, no data source that calls AWS, so `terraform validate` and an offline plan check it.
 */
export class CloudStack extends TerraformStack {
  readonly outputs: CloudOutputs;
  readonly network: Network;
  readonly cluster: Cluster;
  readonly nodePools: Record<string, NodePool> = {};
  readonly keys: Record<'secrets' | 'volumes' | 'logs' | 'backups', EncryptionKey>;

  constructor(scope: Construct, env: Environment) {
    const names = namesFor(env);
    super(scope, names.cloudStack);
    configureBackend(this, env, names.cloudStack);
    const accountId = env.aws.allowedAccountIds[0];
    const protect = env.protectState;

    new AwsProvider(this, 'aws', {
      region: env.aws.region,
      allowedAccountIds: env.aws.allowedAccountIds,
      defaultTags: [{ tags: tagsFor(env) }],
    });

    const logsPrincipal = `logs.${env.aws.region}.amazonaws.com`;
    this.keys = {
      secrets: new EncryptionKey(this, 'key-secrets', {
        alias: `${names.prefix}-eks-secrets`,
        description: `${names.clusterName}: envelope encryption of Kubernetes secrets`,
        accountId,
        protect,
      }),
      volumes: new EncryptionKey(this, 'key-volumes', {
        alias: `${names.prefix}-volumes`,
        description: `${names.prefix}: EBS volumes of nodes and persistent volumes`,
        accountId,
        protect,
        serviceStatements: [
          {
            Sid: 'AutoScalingUsesKeyForNodeVolumes',
            Effect: 'Allow',
            Principal: {
              AWS: `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
            },
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
            Resource: '*',
          },
          {
            Sid: 'AutoScalingGrantsForAttachedVolumes',
            Effect: 'Allow',
            Principal: {
              AWS: `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
            },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
          },
        ],
      }),
      logs: new EncryptionKey(this, 'key-logs', {
        alias: `${names.prefix}-logs`,
        description: `${names.prefix}: CloudWatch log groups (flow logs, control plane)`,
        accountId,
        protect,
        serviceStatements: [
          {
            Sid: 'CloudWatchLogsInThisAccount',
            Effect: 'Allow',
            Principal: { Service: logsPrincipal },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: {
              ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${env.aws.region}:${accountId}:*` },
            },
          },
        ],
      }),
      backups: new EncryptionKey(this, 'key-backups', {
        alias: `${names.prefix}-backups`,
        description: `${names.prefix}: backup buckets and backup jobs`,
        accountId,
        protect,
      }),
    };

    this.network = new Network(this, 'network', {
      namePrefix: names.prefix,
      region: env.aws.region,
      cidr: env.network.vpcCidr,
      availabilityZones: env.aws.availabilityZones,
      publicSubnetCidrs: env.network.publicSubnetCidrs,
      privateSubnetCidrs: env.network.privateSubnetCidrs,
      dataSubnetCidrs: env.network.dataSubnetCidrs,
      natGateways: env.network.natGateways,
      clusterName: names.clusterName,
      flowLogRetentionDays: env.network.flowLogRetentionDays,
      logsKeyArn: this.keys.logs.arn,
      protect,
    });

    this.cluster = new Cluster(this, 'cluster', {
      name: names.clusterName,
      version: env.cluster.version,
      subnetIds: this.network.privateSubnetIds,
      publicAccessCidrs: env.cluster.publicAccessCidrs,
      secretsKeyArn: this.keys.secrets.arn,
      logsKeyArn: this.keys.logs.arn,
      logRetentionDays: env.cluster.logRetentionDays,
      adminPrincipalArns: env.cluster.adminPrincipalArns,
      protect,
    });

    const addons = new ClusterAddons(this, 'addons', {
      clusterName: this.cluster.name,
      versions: EKS_VERSIONS[env.cluster.version],
      volumesKeyArn: this.keys.volumes.arn,
      namePrefix: names.prefix,
    });

    const nodeRole = new NodeRole(this, 'node-role', { roleName: `${names.prefix}-node` });
    for (const poolName of NODE_POOL_NAMES) {
      const pool = env.nodePools[poolName];
      if (!pool) continue;
      this.nodePools[poolName] = new NodePool(this, `pool-${poolName}`, {
        clusterName: this.cluster.name,
        poolName,
        nodeRoleArn: nodeRole.arn,
        subnetIds: this.network.privateSubnetIds,
        instanceType: pool.instanceType,
        minSize: pool.minSize,
        desiredSize: pool.desiredSize,
        maxSize: pool.maxSize,
        rootVolumeGiB: pool.rootVolumeGiB,
        volumeType: pool.volumeType,
        capacityType: pool.capacityType,
        volumesKeyArn: this.keys.volumes.arn,
        dependsOn: [...addons.beforeNodes, ...nodeRole.attachments],
      });
    }
    addons.addNodeDependentAddons(Object.values(this.nodePools).map((p) => p.nodeGroup));

    this.outputs = {
      region: env.aws.region,
      accountId,
      clusterName: this.cluster.name,
      clusterEndpoint: this.cluster.endpoint,
      clusterCertificateAuthorityData: this.cluster.certificateAuthorityData,
      oidcIssuerUrl: this.cluster.oidcIssuerUrl,
      oidcProviderArn: this.cluster.oidcProviderArn,
      nodeRoleArn: nodeRole.arn,
      vpcId: this.network.vpcId,
      privateSubnetIds: this.network.privateSubnetIds,
      dataSubnetIds: this.network.dataSubnetIds,
      publicSubnetIds: this.network.publicSubnetIds,
      volumesKeyArn: this.keys.volumes.arn,
      backupsKeyArn: this.keys.backups.arn,
      logsKeyArn: this.keys.logs.arn,
      nodePools: Object.keys(this.nodePools),
    };

    new TerraformOutput(this, 'cluster_name', { value: this.cluster.name, description: 'EKS cluster name' });
    new TerraformOutput(this, 'kubeconfig_command', {
      value: `aws eks update-kubeconfig --region ${env.aws.region} --name ${names.clusterName}`,
      description: 'Configure kubectl for this cluster (through the private endpoint: VPN or SSM port forwarding)',
    });
  }
}
