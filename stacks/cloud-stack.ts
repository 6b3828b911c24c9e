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
import { AlertTopic } from '../constructs/observability/alert-topic';
import { setPolicyTier } from '../constructs/policy/tier';
import { namesFor, tagsFor } from './naming';
import { addBackups, Backups } from './parts/backups';
import { addDataCloud, DataCloud } from './parts/data-cloud';
import { addEdge, Edge } from './parts/edge';
import { addClusterScaling, ClusterScaling } from './parts/cluster-scaling';
import { addObservabilityCloud, ObservabilityCloudParts } from './parts/observability-cloud';
import { addCicd } from './parts/cicd';
import { GithubDeployRole } from '../constructs/cicd/github-deploy-role';

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
  /** BAK-1 backup bucket (stacks/parts/backups.ts); each backup job writes under its own prefix. */
  readonly backupBucketName: string;
  readonly backupBucketArn: string;
  readonly logsKeyArn: string;
  /** Target groups of the public load balancer by channel (`app`, `beta`): TargetGroupBindings point the pods at them. */
  readonly targetGroupArns: Readonly<Partial<Record<'app' | 'beta', string>>>;
  /** DATA-4: Redis primary endpoint (TLS, port 6379) and the IAM-authenticated user to connect as. */
  readonly redisEndpoint: string;
  readonly redisUserName: string;
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
  /** SNS topic of the stack's CloudWatch alarms (OBS-2). */
  readonly alerts: AlertTopic;
  readonly keys: Record<'secrets' | 'volumes' | 'logs' | 'backups', EncryptionKey>;
  /** BAK-1/2, OPS-2: backup bucket, replica, state bucket, Velero role (stacks/parts/backups.ts). */
  readonly backups: Backups;
  /** DATA-4 cache, Vault unseal key, data workload roles (stacks/parts/data-cloud.ts). */
  readonly data: DataCloud;
  /** NET-4, LB-1..4: certificate, DNS, load balancer, WAF, CDN (stacks/parts/edge.ts). */
  readonly edge: Edge;
  /** K8S-3: the cluster autoscaler's workload role (stacks/parts/cluster-scaling.ts). */
  readonly scaling: ClusterScaling;
  /** SEC-3: GuardDuty with EKS protection behind the definition flag (stacks/parts/observability-cloud.ts). */
  readonly observability: ObservabilityCloudParts;
  /** CI/CD: GitHub OIDC provider and the deploy role of this environment (stacks/parts/cicd.ts). */
  readonly deploy: GithubDeployRole;

  constructor(scope: Construct, env: Environment) {
    const names = namesFor(env);
    super(scope, names.cloudStack);
    setPolicyTier(this, env.tier);
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
    this.backups = addBackups(this, env, { clusterName: this.cluster.name, backupsKeyArn: this.keys.backups.arn, volumesKeyArn: this.keys.volumes.arn });
    // OBS-2: CloudWatch alarms of the stack (certificate expiry, cache health) publish here.
    this.alerts = new AlertTopic(this, 'alerts', {
      name: `${names.prefix}-alerts`,
      accountId,
      region: env.aws.region,
      protect,
    });
    this.data = addDataCloud(this, env);
    this.edge = addEdge(this, env);
    this.scaling = addClusterScaling(this, env);
    this.observability = addObservabilityCloud(this, env);
    this.deploy = addCicd(this, env);

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
      backupBucketName: this.backups.bucketName,
      backupBucketArn: this.backups.bucketArn,
      logsKeyArn: this.keys.logs.arn,
      redisEndpoint: this.data.redis.primaryEndpoint,
      redisUserName: this.data.redis.appUserName,
      nodePools: Object.keys(this.nodePools),
      targetGroupArns: this.edge.targetGroupArns,
    };

    new TerraformOutput(this, 'cluster_name', { value: this.cluster.name, description: 'EKS cluster name' });
    new TerraformOutput(this, 'kubeconfig_command', {
      value: `aws eks update-kubeconfig --region ${env.aws.region} --name ${names.clusterName}`,
      description: 'Configure kubectl for this cluster (through the private endpoint: VPN or SSM port forwarding)',
    });
  }
}
