/**
 * The cloud side of the data services (DATA-1..4, SEC-1, BAK-2), called from CloudStack with one
 * line: the managed Redis cache, the keys of the cache and of Vault's auto-unseal, and the Pod
 * Identity roles of the in-cluster data services (PostgreSQL WAL archiving and base backups, the
 * MongoDB and ChromaDB backup jobs, Vault's KMS unseal).
 */
import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { Environment } from '../../environments/schema';
import { EncryptionKey } from '../../constructs/kms/kms-key';
import { RedisCache } from '../../constructs/data/redis-cache';
import { WorkloadRole } from '../../constructs/identity/workload-role';
import { backupWriterStatements } from '../../constructs/backup/policies';
import { PolicyStatement } from '../../constructs/common/iam';
import { Network } from '../../constructs/network/network';
import { Cluster } from '../../constructs/cluster/cluster';
import { namesFor } from '../naming';

/**
 * Namespaces and service accounts of the data workloads. The platform stack creates the
 * workloads with exactly these names; the cloud stack binds the roles to them.
 */
export const DATA_IDENTITIES = {
  /** CloudNativePG names the instances' service account after the Cluster (the release's fullnameOverride). */
  postgres: { namespace: 'data', serviceAccount: 'postgres', prefix: 'postgres/' },
  mongodbBackup: { namespace: 'data', serviceAccount: 'mongodb-backup', prefix: 'mongodb/' },
  chromaBackup: { namespace: 'vector', serviceAccount: 'chroma-backup', prefix: 'chroma/' },
  /** The vault chart's service account is the release's full name: `vault`. */
  vault: { namespace: 'vault', serviceAccount: 'vault' },
} as const;

/** The KMS alias Vault's awskms seal uses (known to the platform stack without a cross-stack reference). */
export function vaultUnsealKeyAlias(env: Environment): string {
  return `alias/${namesFor(env).prefix}-vault-unseal`;
}

export interface DataCloudScope {
  readonly network: Network;
  readonly cluster: Cluster;
  readonly keys: { readonly logs: EncryptionKey; readonly backups: EncryptionKey };
  /** The stack's alert topic (CloudWatch alarms of this region). */
  readonly alerts: { readonly arn: string };
}

export interface DataCloud {
  readonly redis: RedisCache;
  readonly cacheKey: EncryptionKey;
  readonly vaultUnsealKey: EncryptionKey;
  readonly roles: Record<keyof typeof DATA_IDENTITIES, WorkloadRole>;
}

/** Adds the data services' AWS resources to the cloud stack `stack`. */
export function addDataCloud(stack: Construct & DataCloudScope, env: Environment): DataCloud {
  const names = namesFor(env);
  const accountId = env.aws.allowedAccountIds[0];
  const protect = env.protectState;
  const scope = new Construct(stack, 'data');

  const cacheKey = new EncryptionKey(scope, 'key-cache', {
    alias: `${names.prefix}-cache`,
    description: `${names.prefix}: ElastiCache data at rest and its snapshots`,
    accountId,
    protect,
  });
  const vaultUnsealKey = new EncryptionKey(scope, 'key-vault-unseal', {
    alias: vaultUnsealKeyAlias(env).replace(/^alias\//, ''),
    description: `${names.prefix}: Vault auto-unseal (awskms seal) root key`,
    accountId,
    protect,
  });

  const r = env.data.redis;
  const redis = new RedisCache(scope, 'redis', {
    name: `${names.prefix}-cache`,
    engine: r.engine,
    engineVersion: r.engineVersion,
    nodeType: r.nodeType,
    replicas: r.replicas,
    multiAz: env.tier === 'production' && r.replicas >= 1,
    vpcId: stack.network.vpcId,
    subnetIds: stack.network.dataSubnetIds,
    clientSecurityGroupIds: [stack.cluster.clusterSecurityGroupId],
    kmsKeyArn: cacheKey.arn,
    logsKeyArn: stack.keys.logs.arn,
    logRetentionDays: env.cluster.logRetentionDays,
    snapshotRetentionDays: r.snapshotRetentionDays,
    protect,
    alarmTopicArn: stack.alerts.arn,
  });

  const bucketArn = `arn:aws:s3:::${names.backupBucket}`;
  const backupsKeyArn = stack.keys.backups.arn;
  const writer = (
    id: keyof typeof DATA_IDENTITIES,
    who: { namespace: string; serviceAccount: string; prefix: string },
    extra: PolicyStatement[] = [],
  ) =>
    new WorkloadRole(scope, `role-${id}`, {
      roleName: `${names.prefix}-${who.serviceAccount}-backup`.replace(/-backup-backup$/, '-backup'),
      clusterName: stack.cluster.name,
      namespace: who.namespace,
      serviceAccount: who.serviceAccount,
      statements: [...backupWriterStatements(bucketArn, who.prefix, backupsKeyArn, env.aws.region), ...extra],
    });

  const roles = {
    // barman-cloud checks the bucket with HeadBucket (s3:ListBucket without a prefix) before it
    // archives; that request carries no s3:prefix, so it gets its own statement. It reveals key
    // names, never objects (reads stay limited to postgres/).
    postgres: writer('postgres', DATA_IDENTITIES.postgres, [
      {
        Sid: 'HeadBackupBucket',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { Null: { 's3:prefix': 'true' } },
      },
    ]),
    mongodbBackup: writer('mongodbBackup', DATA_IDENTITIES.mongodbBackup),
    chromaBackup: writer('chromaBackup', DATA_IDENTITIES.chromaBackup),
    vault: new WorkloadRole(scope, 'role-vault', {
      roleName: `${names.prefix}-vault-unseal`,
      clusterName: stack.cluster.name,
      namespace: DATA_IDENTITIES.vault.namespace,
      serviceAccount: DATA_IDENTITIES.vault.serviceAccount,
      statements: [
        {
          Sid: 'VaultAutoUnsealWithKms',
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'],
          Resource: vaultUnsealKey.arn,
        },
      ],
    }),
  };

  new TerraformOutput(stack, 'redis_primary_endpoint', {
    value: redis.primaryEndpoint,
    description: `Redis (TLS, IAM user ${redis.appUserName}) primary endpoint, port ${redis.port}`,
  });

  return { redis, cacheKey, vaultUnsealKey, roles };
}
