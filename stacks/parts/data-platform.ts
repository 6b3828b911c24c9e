/**
 * The in-cluster data services of the platform stack (DATA-1..3, DATA-5, SEC-1, BAK-2), called
 * from PlatformStack with one line: PostgreSQL (CloudNativePG), MongoDB (mongodb-kubernetes),
 * ChromaDB and Vault, with their scheduled backups. The AWS side (Pod Identity roles, the
 * unseal key, the Redis cache) is in ./data-cloud.ts; names shared by both live there.
 */
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { Environment } from '../../environments/schema';
import { Postgres } from '../../constructs/data/postgres';
import { MongoDb } from '../../constructs/data/mongodb';
import { Chroma } from '../../constructs/data/chroma';
import { Vault } from '../../constructs/data/vault';
import { VaultSecretSync } from '../../constructs/data/vault-secret-sync';
import { NodePlacement } from '../../constructs/nodepools/placement';
import { Namespaces } from '../../constructs/kubernetes/namespaces';
import { DATA_IDENTITIES, vaultUnsealKeyAlias } from './data-cloud';
import { APP_NAME, APP_NAMESPACE, APP_VAULT, BETA_NAMESPACE } from './app';
import { namesFor } from '../naming';

/** The application's database and user names (PostgreSQL and MongoDB). */
export const APP_DATABASE = 'toronto_ai';
export const APP_MONGODB_USER = 'toronto-ai';
/** Service account of the application pods that read `secret/toronto-ai/*` from Vault (./app.ts). */
export const APP_SERVICE_ACCOUNT = APP_NAME;
/** Namespaces the application runs in: stable and the beta channel (ENV-4, ./app.ts). */
export const APP_NAMESPACES = [APP_NAMESPACE, BETA_NAMESPACE];
/** The KV v2 paths under `secret/` the application reads (SEC-1): `toronto-ai/database`, `toronto-ai/api`. */
export const APP_SECRET_PATHS = Object.values(APP_VAULT.secrets).map((p) => p.replace(/^secret\/data\//, ''));
/** The Vault secret the database credentials are synced into (fields `postgres_uri`, `mongodb_uri`). */
export const DATABASE_SECRET_PATH = 'toronto-ai/database';
/** Kubernetes-auth role and service account of the job that syncs them. */
export const DATABASE_SYNC = { role: 'database-sync', serviceAccount: 'vault-database-sync' } as const;

/** What the data part needs from the platform stack. */
export interface DataPlatformScope {
  readonly namespaces: Namespaces;
  readonly storageClasses: { readonly statefulName: string; readonly stateful: ITerraformDependable };
  placement(pool: string): NodePlacement;
}

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
export function addDataPlatform(stack: Construct & DataPlatformScope, env: Environment, options: DataPlatformOptions = {}): DataPlatform {
  const d = env.data;
  const names = namesFor(env);
  const region = env.aws.region;
  const bucket = names.backupBucket;
  const storageClass = stack.storageClasses.statefulName;
  const zoneCount = env.aws.availabilityZones.length;
  const database = stack.placement('database');
  const dataNs = stack.namespaces.name(DATA_IDENTITIES.postgres.namespace);
  const base = [stack.storageClasses.stateful];
  const prefix = (p: string) => p.replace(/\/$/, '');

  const postgres = new Postgres(stack, 'postgres', {
    namespace: dataNs,
    clusterName: DATA_IDENTITIES.postgres.serviceAccount,
    instances: d.postgres.instances,
    version: d.postgres.version,
    storageGiB: d.postgres.storageGiB,
    storageClass,
    compute: d.postgres.compute,
    placement: database,
    operatorPlacement: stack.placement('system'),
    zoneCount,
    database: APP_DATABASE,
    walArchiveTimeoutMinutes: d.postgres.walArchiveTimeoutMinutes,
    baseBackupSchedule: d.postgres.baseBackupSchedule,
    backupRetentionDays: d.postgres.backupRetentionDays,
    backupGeneration: d.postgres.backupGeneration,
    restore: d.postgres.restore,
    backup: { bucket, region, prefix: prefix(DATA_IDENTITIES.postgres.prefix) },
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
    operatorPlacement: stack.placement('system'),
    zoneCount,
    appUser: APP_MONGODB_USER,
    appDatabase: APP_DATABASE,
    backup: {
      schedule: d.mongodb.backupSchedule,
      bucket,
      region,
      prefix: prefix(DATA_IDENTITIES.mongodbBackup.prefix),
      serviceAccountName: DATA_IDENTITIES.mongodbBackup.serviceAccount,
      mongoToolsImage: d.jobImages.mongoTools,
      awsCliImage: d.jobImages.awsCli,
    },
    dependsOn: base,
  });

  const chroma = new Chroma(stack, 'chroma', {
    namespace: stack.namespaces.name(DATA_IDENTITIES.chromaBackup.namespace),
    name: 'chroma',
    replicas: d.chroma.replicas,
    imageTag: d.chroma.imageTag,
    storageGiB: d.chroma.storageGiB,
    storageClass,
    compute: d.chroma.compute,
    placement: stack.placement('vector'),
    clientNamespaces: APP_NAMESPACES,
    backup: {
      schedule: d.chroma.backupSchedule,
      bucket,
      region,
      prefix: prefix(DATA_IDENTITIES.chromaBackup.prefix),
      serviceAccountName: DATA_IDENTITIES.chromaBackup.serviceAccount,
      awsCliImage: d.jobImages.awsCli,
    },
    dependsOn: base,
  });

  const vault = new Vault(stack, 'vault', {
    namespace: stack.namespaces.name(DATA_IDENTITIES.vault.namespace),
    replicas: d.vault.replicas,
    imageTag: d.vault.imageTag,
    dataStorageGiB: d.vault.dataStorageGiB,
    auditStorageGiB: d.vault.auditStorageGiB,
    storageClass,
    compute: d.vault.compute,
    placement: stack.placement('system'),
    unseal: { region, kmsKeyId: vaultUnsealKeyAlias(env) },
    clients: [
      {
        role: APP_VAULT.role,
        serviceAccounts: [APP_SERVICE_ACCOUNT],
        namespaces: APP_NAMESPACES,
        readPaths: APP_SECRET_PATHS,
      },
      {
        role: DATABASE_SYNC.role,
        serviceAccounts: [DATABASE_SYNC.serviceAccount],
        namespaces: [DATA_IDENTITIES.postgres.namespace],
        readPaths: [],
        writePaths: [DATABASE_SECRET_PATH],
      },
    ],
    // The beta namespace is created with the beta channel (./app.ts); PlatformStack publishes there.
    caSecretNamespaces: [stack.namespaces.name(APP_NAMESPACE)],
    opensslImage: d.jobImages.openssl,
    kubectlImage: d.jobImages.kubectl,
    configureSchedule: '*/30 * * * *',
    dependsOn: base,
  });

  // DATA-5: the operator-generated database credentials reach the application through Vault.
  vault.publishCa('ca-data', dataNs);
  const databaseSync = new VaultSecretSync(stack, 'vault-database-sync', {
    namespace: dataNs,
    name: DATABASE_SYNC.serviceAccount,
    schedule: '7 * * * *',
    vaultAddress: vault.address,
    vaultRole: DATABASE_SYNC.role,
    vaultImage: `hashicorp/vault:${d.vault.imageTag}`,
    path: DATABASE_SECRET_PATH,
    fields: [
      { field: 'postgres_uri', secretName: postgres.appSecretName, key: 'uri' },
      { field: 'mongodb_uri', secretName: mongodb.appConnectionSecret, key: 'connectionString.standard' },
    ],
    placement: stack.placement('system'),
    dependsOn: [postgres.cluster.release, mongodb.replicaSet.release, vault.configureJob],
  });

  return { postgres, mongodb, chroma, vault, databaseSync };
}
