import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Environment } from '../environments/schema';
import { EKS_VERSIONS, NODE_POOL_NAMES } from '../environments/catalog';
import { EncryptionKey } from '../constructs/kms/kms-key';
import { createFoundationKeys } from '../constructs/kms/foundation-keys';
import { Network } from '../constructs/network/network';
import { Cluster } from '../constructs/cluster/cluster';
import { ClusterAddons } from '../constructs/cluster/addons';
import { NodeRole } from '../constructs/nodepools/node-role';
import { NodePool } from '../constructs/nodepools/node-pool';
import { configureBackend } from './backend';
import { AlertTopic } from '../constructs/observability/alert-topic';
import { KeyProtection, addKeyProtection, guardedKeys, keyGuard } from '../features/backups/key-protection';
import { setPolicyTier } from '../constructs/policy/tier';
import { namesFor, tagsFor } from '../features/naming';
import { CloudContext, CloudOutputs, crossStackValue } from '../features/context';
import { addBackups, Backups } from '../features/backups/cloud';
import { addApiKeySources, addDataCloud, DataCloud } from '../features/data/cloud';
import type { SecretContainers } from '../constructs/secrets/secrets-manager';
import { addEdge, Edge } from '../features/edge/cloud';
import { addClusterAddonRoles, ClusterAddonRoles } from '../features/cluster-addons/cloud';
import { addObservabilityCloud, ObservabilityCloudParts } from '../features/observability/cloud';
import { channelsOf } from '../features/app/contract';
import { addCicd } from '../features/cicd/cloud';
import { addServicesCloud, ServicesCloud } from '../features/services/cloud';
import { GithubDeployRole } from '../constructs/cicd/github-deploy-role';

export type { CloudOutputs } from '../features/context';

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
  readonly keyProtection: KeyProtection;
  readonly keys: Record<'secrets' | 'volumes' | 'logs' | 'backups', EncryptionKey>;
  /** BAK-1/2, OPS-2: backup bucket, replica, state bucket, Velero role (features/backups/cloud.ts). */
  readonly backups: Backups;
  /** DATA-4 cache, Vault unseal key, data workload roles (features/data/cloud.ts). */
  readonly data: DataCloud;
  /** NET-4, LB-1..4: certificate, DNS, load balancer, WAF, CDN (features/edge/cloud.ts). */
  readonly edge: Edge;
  /** K8S-3, LB-1: the cluster add-ons' workload roles (features/cluster-addons/cloud.ts). */
  readonly addonRoles: ClusterAddonRoles;
  /** SEC-3: GuardDuty with EKS protection behind the definition flag (features/observability/cloud.ts). */
  readonly observability: ObservabilityCloudParts;
  /** The application's API keys in Secrets Manager (their source outside Vault). */
  readonly apiKeys: SecretContainers;
  /** Service tier: queues, files, model store, e-mail, registry, service roles (features/services/cloud.ts). */
  readonly services: ServicesCloud;
  /** CI/CD: GitHub OIDC provider and the deploy role of this environment (features/cicd/cloud.ts). */
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

    // SEC-3: the foundation keys; their policies are built in constructs/kms/foundation-keys.ts.
    this.keys = createFoundationKeys(this, {
      namePrefix: names.prefix,
      clusterName: names.clusterName,
      accountId,
      region: env.aws.region,
      protect,
      // Issue 13: only the break-glass role may disable or delete it (features/backups/key-protection.ts).
      backupsGuard: keyGuard(env, accountId),
    });

    this.network = new Network(this, 'network', {
      namePrefix: names.prefix,
      region: env.aws.region,
      accountId,
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
      clusterArn: this.cluster.arn,
      accountId,
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
        gpu: pool.gpu,
        volumesKeyArn: this.keys.volumes.arn,
        dependsOn: [...addons.beforeNodes, ...nodeRole.attachments],
      });
    }
    addons.addNodeDependentAddons(Object.values(this.nodePools).map((p) => p.nodeGroup));
    // OBS-2, SEC-3: CloudWatch alarms (certificate expiry, cache health) and security findings publish here.
    this.alerts = new AlertTopic(this, 'alerts', {
      name: `${names.prefix}-alerts`,
      accountId,
      region: env.aws.region,
      protect,
      // GuardDuty findings and the guarded keys' CloudTrail events (features/backups/key-protection.ts).
      eventRules: true,
    });

    // The foundation is complete: every feature gets it, and only it.
    const ctx: CloudContext = {
      scope: this,
      env,
      names,
      accountId,
      network: this.network,
      cluster: this.cluster,
      keys: this.keys,
      alerts: this.alerts,
    };
    this.backups = addBackups(ctx);
    this.data = addDataCloud(ctx, this.backups);
    this.edge = addEdge(ctx);
    this.addonRoles = addClusterAddonRoles(ctx, this.edge.construct);
    this.observability = addObservabilityCloud(ctx);
    // Issue 13: the API keys' source outside Vault (read by the same External Secrets role).
    this.apiKeys = addApiKeySources(ctx, { backups: this.backups, externalSecretsRole: this.observability.alertCredentials.role });
    this.services = addServicesCloud(ctx, { backups: this.backups, data: this.data });
    this.deploy = addCicd(ctx, this.backups);
    // Issue 13: the keys recovery depends on (both regions), their alarm and the trail it needs.
    this.keyProtection = addKeyProtection(
      ctx,
      guardedKeys(this.backups, this.data, this.keys.backups.arn, [this.apiKeys.key]),
      this.backups.storage.accessLogBucket.bucket.id,
    );

    const remote = crossStackValue;
    this.outputs = {
      region: env.aws.region,
      clusterName: remote(this.cluster.name),
      clusterEndpoint: remote(this.cluster.endpoint),
      clusterCertificateAuthorityData: remote(this.cluster.certificateAuthorityData),
      vpcId: remote(this.network.vpcId),
      volumesKeyArn: remote(this.keys.volumes.arn),
      snapshotControllerVersion: remote(addons.snapshotController!.addonVersion),
      // What backups are written with now: the multi-region key (features/backups/cloud.ts).
      backupsKeyArn: remote(this.backups.keys.current),
      backupBucketName: remote(this.backups.bucketName),
      backupBucketArn: remote(this.backups.bucketArn),
      redisEndpoint: remote(this.data.redis.primaryEndpoint),
      redisReplicationGroupId: remote(this.data.redis.replicationGroupId),
      redisPort: this.data.redis.port,
      redisUsers: Object.fromEntries(channelsOf(env).map((c) => [c.name, remote(this.data.redis.userName(c.cache.user))])),
      nodePools: Object.keys(this.nodePools),
      serviceQueueUrls: Object.fromEntries(
        Object.entries(this.services.queues).map(([channel, queues]) => [channel, { 'agent-tasks': remote(queues['agent-tasks'].url), celery: remote(queues.celery.url) }]),
      ),
      filesBucketName: remote(this.services.files.bucket.bucket),
      modelStoreBucketName: remote(this.services.modelStore.bucket.bucket),
      emailConfigurationSetName: remote(this.services.email.configurationSet.configurationSetName),
      imageRepositoryUrls: { app: remote(this.services.repositories.app.url), agents: remote(this.services.repositories.agents.url) },
      targetGroupArns: {
        app: remote(this.edge.targetGroupArns.app as string),
        ...(this.edge.targetGroupArns.beta !== undefined ? { beta: remote(this.edge.targetGroupArns.beta) } : {}),
        ...(this.edge.targetGroupArns.ws !== undefined ? { ws: remote(this.edge.targetGroupArns.ws) } : {}),
        ...(this.edge.targetGroupArns['bws'] !== undefined ? { 'bws': remote(this.edge.targetGroupArns['bws']) } : {}),
      },
    };

    new TerraformOutput(this, 'cluster_name', { value: this.cluster.name, description: 'EKS cluster name' });
    new TerraformOutput(this, 'kubeconfig_command', {
      value: `aws eks update-kubeconfig --region ${env.aws.region} --name ${names.clusterName}`,
      description: 'Configure kubectl for this cluster (through the private endpoint: VPN or SSM port forwarding)',
    });
  }

  /**
   * cdktf's prepareStack resolves every element of the stack once more, in a "preparing" pass,
   * only to find references to other stacks' resources (it then adds the remote-state read here
   * and the output there), before the resolve that writes the stack: about 0.1 s of a full synth
   * for the four cloud stacks (the platform stacks' pass, which they need, is most of the rest).
   * A cloud stack reads no other stack (ARCHITECTURE.md: the
   * platform stack reads the cloud stack's outputs, never the reverse), so only the backend check
   * of that method is kept. The references other stacks make to this one are still found by their
   * own preparing pass. determinism.test.ts synthesizes once with cdktf's own prepareStack and
   * fails if the output differs by a byte (a cross-stack read added to a cloud stack would).
   */
  prepareStack(): void {
    this.ensureBackendExists();
  }
}
