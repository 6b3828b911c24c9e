/**
 * The in-cluster data services of the platform stack (DATA-1..3, DATA-5, SEC-1, BAK-2), called
 * from PlatformStack with one line: PostgreSQL (CloudNativePG), MongoDB (mongodb-kubernetes),
 * ChromaDB and Vault, with their scheduled backups. The AWS side (Pod Identity roles, the
 * unseal key, the Redis cache) is in ./data-cloud.ts; names shared by both live there.
 */
import { ITerraformDependable } from 'cdktf';
import { Postgres } from '../../constructs/data/postgres';
import { MongoDb } from '../../constructs/data/mongodb';
import { Chroma } from '../../constructs/data/chroma';
import { Vault } from '../../constructs/data/vault';
import { VaultSecretSync } from '../../constructs/data/vault-secret-sync';
import { PlatformContext } from '../context';
import { vaultUnsealKeyAlias } from './cloud';
import { DATA_IDENTITIES, DATABASE_SYNC } from './contract';
import { APP_CHANNELS, APP_NAMESPACE, APP_NAMESPACES } from '../app/contract';

/** The application's database and user names (PostgreSQL and MongoDB). */
export const APP_DATABASE = APP_CHANNELS.stable.database;
export const APP_MONGODB_USER = APP_CHANNELS.stable.mongodbUser;
/** The KV v2 paths under `secret/` the application reads (SEC-1): `toronto-ai/database`, `toronto-ai/api`. */
export const APP_SECRET_PATHS = Object.values(APP_CHANNELS.stable.secretPaths);
/** The Vault secret the database credentials are synced into (fields `postgres_uri`, `mongodb_uri`). */
export const DATABASE_SECRET_PATH = APP_CHANNELS.stable.secretPaths.database;

export interface DataPlatformOptions {
  /** Releases that install the Prometheus Operator CRDs (PodMonitor, PrometheusRule). */
  readonly monitoringDependsOn?: ITerraformDependable[];
}

export interface DataPlatform {
  readonly postgres: Postgres;
  readonly mongodb: MongoDb;
  readonly chroma: Chroma;
  readonly vault: Vault;
  readonly databaseSync: VaultSecretSync;
}

/** Adds the in-cluster data services to the platform stack `stack`. */
export function addDataPlatform(ctx: PlatformContext, options: DataPlatformOptions = {}): DataPlatform {
  const { env } = ctx;
  const stack = ctx.scope;
  const d = env.data;
  const region = ctx.cloud.region;
  const bucket = ctx.cloud.backupBucketName;
  const storageClass = ctx.storageClasses.statefulName;
  const zoneCount = env.aws.availabilityZones.length;
  const database = ctx.placement('database');
  const dataNs = ctx.namespaces.name(DATA_IDENTITIES.postgres.namespace);
  const base = [ctx.storageClasses.stateful];

  const postgres = new Postgres(stack, 'postgres', {
    namespace: dataNs,
    clusterName: DATA_IDENTITIES.postgres.serviceAccount,
    instances: d.postgres.instances,
    version: d.postgres.version,
    storageGiB: d.postgres.storageGiB,
    storageClass,
    compute: d.postgres.compute,
    placement: database,
    zoneCount,
    database: APP_DATABASE,
    walArchiveTimeoutMinutes: d.postgres.walArchiveTimeoutMinutes,
    baseBackupSchedule: d.postgres.baseBackupSchedule,
    backupRetentionDays: d.postgres.backupRetentionDays,
    backupGeneration: d.postgres.backupGeneration,
    restore: d.postgres.restore,
    backup: { bucket, region, prefix: DATA_IDENTITIES.postgres.prefix.segment },
    monitoring: true,
    dependsOn: [...base, ...(options.monitoringDependsOn ?? [])],
  });

  const mongodb = new MongoDb(stack, 'mongodb', {
    namespace: dataNs,
    name: 'mongodb',
    members: d.mongodb.members,
    version: d.mongodb.version,
    storageGiB: d.mongodb.storageGiB,
    storageClass,
    compute: d.mongodb.compute,
    placement: database,
    zoneCount,
    appUser: APP_MONGODB_USER,
    appDatabase: APP_DATABASE,
    backup: {
      schedule: d.mongodb.backupSchedule,
      bucket,
      region,
      prefix: DATA_IDENTITIES.mongodbBackup.prefix.segment,
      serviceAccountName: DATA_IDENTITIES.mongodbBackup.serviceAccount,
      mongoToolsImage: d.jobImages.mongoTools,
      awsCliImage: d.jobImages.awsCli,
    },
    dependsOn: base,
  });

  const chroma = new Chroma(stack, 'chroma', {
    namespace: ctx.namespaces.name(DATA_IDENTITIES.chromaBackup.namespace),
    name: 'chroma',
    replicas: d.chroma.replicas,
    imageTag: d.chroma.imageTag,
    storageGiB: d.chroma.storageGiB,
    storageClass,
    compute: d.chroma.compute,
    placement: ctx.placement('vector'),
    clientNamespaces: APP_NAMESPACES,
    backup: {
      schedule: d.chroma.backupSchedule,
      bucket,
      region,
      prefix: DATA_IDENTITIES.chromaBackup.prefix.segment,
      serviceAccountName: DATA_IDENTITIES.chromaBackup.serviceAccount,
      awsCliImage: d.jobImages.awsCli,
    },
    dependsOn: base,
  });

  const vault = new Vault(stack, 'vault', {
    namespace: ctx.namespaces.name(DATA_IDENTITIES.vault.namespace),
    replicas: d.vault.replicas,
    imageTag: d.vault.imageTag,
    dataStorageGiB: d.vault.dataStorageGiB,
    auditStorageGiB: d.vault.auditStorageGiB,
    storageClass,
    compute: d.vault.compute,
    placement: ctx.placement('system'),
    unseal: { region, kmsKeyId: vaultUnsealKeyAlias(env) },
    clients: [
      {
        role: APP_CHANNELS.stable.vaultRole,
        serviceAccounts: [APP_CHANNELS.stable.serviceAccount],
        namespaces: APP_NAMESPACES,
        readPaths: APP_SECRET_PATHS,
      },
      {
        role: DATABASE_SYNC.stable.role,
        serviceAccounts: [DATABASE_SYNC.stable.serviceAccount],
        namespaces: [DATA_IDENTITIES.postgres.namespace],
        readPaths: [],
        writePaths: [DATABASE_SECRET_PATH],
      },
    ],
    // The beta namespace is created with the beta channel (features/app/platform.ts), which publishes there.
    caSecretNamespaces: [ctx.namespaces.name(APP_NAMESPACE)],
    opensslImage: d.jobImages.openssl,
    kubectlImage: d.jobImages.kubectl,
    configureSchedule: '*/30 * * * *',
    dependsOn: base,
  });

  // DATA-5: the operator-generated database credentials reach the application through Vault.
  vault.publishCa('ca-data', dataNs);
  const databaseSync = new VaultSecretSync(stack, 'vault-database-sync', {
    namespace: dataNs,
    name: DATABASE_SYNC.stable.serviceAccount,
    schedule: '7 * * * *',
    vaultAddress: vault.address,
    vaultRole: DATABASE_SYNC.stable.role,
    vaultImage: `hashicorp/vault:${d.vault.imageTag}`,
    path: DATABASE_SECRET_PATH,
    fields: [
      { field: 'postgres_uri', secretName: postgres.appSecretName, key: 'uri' },
      { field: 'mongodb_uri', secretName: mongodb.appConnectionSecret, key: 'connectionString.standard' },
    ],
    placement: ctx.placement('system'),
    dependsOn: [postgres.cluster.release, mongodb.replicaSet.release, vault.configureJob],
  });

  return { postgres, mongodb, chroma, vault, databaseSync };
}
