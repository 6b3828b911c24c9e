/**
 * The cloud side of the data services (DATA-1..4, SEC-1, BAK-2), called from CloudStack with one
 * line: the managed Redis cache, the keys of the cache and of Vault's auto-unseal, and the Pod
 * Identity roles of the in-cluster data services (PostgreSQL WAL archiving and base backups, the
 * MongoDB members' PBM agents (oplog and base backups), the ChromaDB backup jobs, Vault's KMS unseal).
 */
import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { Environment } from '../../environments/schema';
import { EncryptionKey } from '../../constructs/kms/kms-key';
import { RedisCache } from '../../constructs/data/redis-cache';
import { WorkloadRole } from '../../constructs/identity/workload-role';
import { PolicyStatement } from '../../constructs/common/iam';
import { namesFor } from '../naming';
import { CloudContext } from '../context';
import { Backups } from '../backups/cloud';
import { BackupPrefix } from '../backups/contract';
import { apiKeySources, DATA_IDENTITIES, VAULT_SNAPSHOT } from './contract';
import { SecretContainers, secretsManagerName } from '../../constructs/secrets/secrets-manager';
import { keyGuard } from '../backups/key-protection';
import { ChannelName, channelsOf } from '../app/contract';

/** The KMS alias Vault's awskms seal uses (known to the platform stack without a cross-stack reference). */
export function vaultUnsealKeyAlias(env: Environment): string {
  return `alias/${namesFor(env).prefix}-vault-unseal`;
}

/**
 * The alias of the multi-region unseal key (issue 13), the same in the primary and the replica
 * region: a Vault rebuilt in the replica region unseals a restored snapshot with it.
 */
export function vaultMultiRegionUnsealKeyAlias(env: Environment): string {
  return `alias/${namesFor(env).prefix}-vault-unseal-mr`;
}

export interface DataCloud {
  readonly redis: RedisCache;
  readonly cacheKey: EncryptionKey;
  readonly vaultUnsealKey: EncryptionKey;
  /** Issue 13: the multi-region unseal key (replica in `backup.replicaRegion`); README: seal migration. */
  readonly vaultUnsealMultiRegionKey: EncryptionKey;
  readonly roles: Record<keyof typeof DATA_IDENTITIES, WorkloadRole>;
  /** The Vault restore Job's role: read-only on the snapshots' prefix (used only while `data.vault.restore` is set). */
  readonly vaultRestoreRole: WorkloadRole;
  /** DATA-4: each application channel's Pod Identity role, allowed to connect as its cache user only. */
  readonly cacheClientRoles: Partial<Record<ChannelName, WorkloadRole>>;
}

/** Adds the data services' AWS resources to the cloud stack; backup writers get their prefix of `backups`. */
export function addDataCloud(ctx: CloudContext, backups: Backups): DataCloud {
  const { env, names, accountId } = ctx;
  const protect = env.protectState;
  const scope = new Construct(ctx.scope, 'data');
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
    guard: keyGuard(env, accountId),
  });
  const vaultUnsealMultiRegionKey = new EncryptionKey(scope, 'key-vault-unseal-mr', {
    alias: vaultMultiRegionUnsealKeyAlias(env).replace(/^alias\//, ''),
    description: `${names.prefix}: Vault auto-unseal (awskms seal), multi-region: usable in the replica region`,
    accountId,
    protect,
    multiRegion: true,
    guard: keyGuard(env, accountId),
  });
  if (backups.replicaProvider && env.backup.replicaRegion) vaultUnsealMultiRegionKey.replicate(env.backup.replicaRegion, backups.replicaProvider);

  const r = env.data.redis;
  const redis = new RedisCache(scope, 'redis', {
    name: `${names.prefix}-cache`,
    engine: r.engine,
    engineVersion: r.engineVersion,
    nodeType: r.nodeType,
    replicas: r.replicas,
    multiAz: env.tier === 'production' && r.replicas >= 1,
    vpcId: ctx.network.vpcId,
    subnetIds: ctx.network.dataSubnetIds,
    clientSecurityGroupIds: [ctx.cluster.clusterSecurityGroupId],
    kmsKeyArn: cacheKey.arn,
    logsKeyArn: ctx.keys.logs.arn,
    logRetentionDays: env.cluster.logRetentionDays,
    snapshotRetentionDays: r.snapshotRetentionDays,
    protect,
    alarmTopicArn: ctx.alerts.arn,
    additionalUsers: channelsOf(env).flatMap((c) => (c.cache.user ? [{ user: c.cache.user, keyPrefix: c.cache.keyPrefix }] : [])),
  });

  // DATA-4: the application's service account in each channel's namespace signs IAM auth tokens
  // for its own cache user; no password exists anywhere.
  const cacheClientRoles: Partial<Record<ChannelName, WorkloadRole>> = {};
  for (const c of channelsOf(env)) {
    cacheClientRoles[c.name] = new WorkloadRole(scope, `role-${c.cacheRoleSuffix}`, {
      roleName: `${names.prefix}-${c.cacheRoleSuffix}`,
      clusterName: ctx.cluster.name,
      clusterArn: ctx.cluster.arn,
      accountId: ctx.accountId,
      namespace: c.namespace,
      serviceAccount: c.serviceAccount,
      statements: [redis.connectStatement(c.cache.user)],
    });
  }

  const bucketArn = backups.bucketArn;
  const writer = (
    id: keyof typeof DATA_IDENTITIES,
    who: { namespace: string; serviceAccount: string; prefix: BackupPrefix },
    extra: PolicyStatement[] = [],
  ) =>
    new WorkloadRole(scope, `role-${id}`, {
      roleName: `${names.prefix}-${who.serviceAccount}-backup`.replace(/-backup-backup$/, '-backup'),
      clusterName: ctx.cluster.name,
      clusterArn: ctx.cluster.arn,
      accountId: ctx.accountId,
      namespace: who.namespace,
      serviceAccount: who.serviceAccount,
      statements: [...backups.writerStatements(who.prefix), ...extra],
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
    // Raft snapshots: put (and, for a configured restore, get) under `vault/` only.
    vaultSnapshot: writer('vaultSnapshot', DATA_IDENTITIES.vaultSnapshot),
    vault: new WorkloadRole(scope, 'role-vault', {
      roleName: `${names.prefix}-vault-unseal`,
      clusterName: ctx.cluster.name,
      clusterArn: ctx.cluster.arn,
      accountId: ctx.accountId,
      namespace: DATA_IDENTITIES.vault.namespace,
      serviceAccount: DATA_IDENTITIES.vault.serviceAccount,
      statements: [
        {
          Sid: 'VaultAutoUnsealWithKms',
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'],
          // Both keys: the seal migration (README) reads with the old one and writes with the new.
          Resource: [vaultUnsealKey.arn, vaultUnsealMultiRegionKey.arn],
        },
      ],
    }),
  };

  const vr = VAULT_SNAPSHOT.restore;
  const vaultRestoreRole = new WorkloadRole(scope, 'role-vault-restore', {
    roleName: `${names.prefix}-vault-restore`,
    clusterName: ctx.cluster.name,
    clusterArn: ctx.cluster.arn,
    accountId: ctx.accountId,
    namespace: vr.namespace,
    serviceAccount: vr.serviceAccount,
    statements: backups.readerStatements(vr.prefix),
  });

  new TerraformOutput(ctx.scope, 'redis_primary_endpoint', {
    value: redis.primaryEndpoint,
    description: `Redis (TLS, IAM user ${redis.appUserName}) primary endpoint, port ${redis.port}`,
  });

  return { redis, cacheKey, vaultUnsealKey, vaultUnsealMultiRegionKey, roles, vaultRestoreRole, cacheClientRoles };
}

/** The alias (without `alias/`) of the API keys' Secrets Manager key, multi-region where there is a replica region. */
export function apiKeysKeyAlias(env: Environment): string {
  return `${namesFor(env).prefix}-api-keys`;
}

/**
 * SEC-1, issue 13: the source of the application's API keys outside Vault. One empty Secrets
 * Manager secret per channel and field (`<prefix>/data/api-keys-<namespace>/<field>`), encrypted
 * with a key of their own, replicated to `backup.replicaRegion` where there is one (the key is
 * then multi-region, its replica encrypting the copies), so a region loss keeps them. A person
 * puts each value with `aws secretsmanager put-secret-value`; nothing passes through Terraform.
 * The External Secrets Operator's role (created with the alert credentials) may read exactly
 * these, through an inline policy of its own.
 */
export function addApiKeySources(ctx: CloudContext, deps: { readonly backups: Backups; readonly externalSecretsRole: WorkloadRole }): SecretContainers {
  const { env, names } = ctx;
  const keys = apiKeySources(env);
  const replica = env.backup.replicaRegion && deps.backups.replicaProvider ? { region: env.backup.replicaRegion, provider: deps.backups.replicaProvider } : undefined;
  const containers = new SecretContainers(ctx.scope, 'api-keys', {
    prefix: names.prefix,
    accountId: ctx.accountId,
    region: env.aws.region,
    keys,
    clusterName: ctx.cluster.name,
    clusterArn: ctx.cluster.arn,
    protect: env.protectState,
    // Guarded like the keys recovery depends on: disabling it loses the API keys' only copy outside Vault.
    key: { alias: apiKeysKeyAlias(env), holds: "the application's API keys, synced into Vault", guard: keyGuard(env, ctx.accountId) },
    readBy: { role: deps.externalSecretsRole, policyName: 'api-keys' },
    ...(replica ? { replica } : {}),
  });
  new TerraformOutput(ctx.scope, 'api_key_secrets', {
    value: keys.map((k) => secretsManagerName(names.prefix, k)),
    description: "Secrets Manager secrets (created empty) a person fills with `aws secretsmanager put-secret-value`: the application's API keys per channel, synced into Vault's secret/<namespace>/api",
  });
  return containers;
}
