/**
 * What the two stacks agree on for the data services (DATA-1..5, SEC-1, BAK-2): the namespaces
 * and service accounts the cloud stack binds Pod Identity roles to, the backup prefixes, the
 * services and ports clients connect to, and the Vault roles of the credential sync jobs.
 */
import { BACKUP_PREFIXES } from '../backups/contract';
import { MONGODB_DATA_CLAIM_TEMPLATE, MONGODB_REPLSET } from '../../constructs/data/mongodb';
import type { SyncedSecretKey } from '../../constructs/secrets/secrets-manager';
import type { Environment } from '../../environments/schema';
import { APP_API_KEYS, channelsOf } from '../app/contract';

/**
 * Namespaces and service accounts of the data workloads. The platform stack creates the
 * workloads with exactly these names; the cloud stack binds the roles to them.
 */
export const DATA_IDENTITIES = {
  /** CloudNativePG names the instances' service account after the Cluster (the release's fullnameOverride). */
  postgres: { namespace: 'data', serviceAccount: 'postgres', prefix: BACKUP_PREFIXES.postgres },
  /** The MongoDB members' service account: their PBM agent sidecars write the backups (oplog and base). */
  mongodbBackup: { namespace: 'data', serviceAccount: 'mongodb-backup', prefix: BACKUP_PREFIXES.mongodb },
  chromaBackup: { namespace: 'vector', serviceAccount: 'chroma-backup', prefix: BACKUP_PREFIXES.chroma },
  /** The vault chart's service account is the release's full name: `vault`. */
  vault: { namespace: 'vault', serviceAccount: 'vault' },
  /** The raft snapshot CronJob (and the restore Job, which reads the same prefix). */
  vaultSnapshot: { namespace: 'vault', serviceAccount: 'vault-snapshot', prefix: BACKUP_PREFIXES.vault },
} as const;

export const DATA_NAMESPACE = 'data';
export const VECTOR_NAMESPACE = 'vector';
export const VAULT_NAMESPACE = 'vault';

/** Services clients connect to, by namespace, name and port. */
export const DATA_SERVICES = {
  postgres: { namespace: DATA_NAMESPACE, host: `postgres-rw.${DATA_NAMESPACE}.svc`, port: 5432 },
  mongodb: { namespace: DATA_NAMESPACE, host: `mongodb-rs0.${DATA_NAMESPACE}.svc`, port: 27017 },
  // The vector store, through its authenticating gateway (Chroma's own Service admits only the gateway).
  chroma: { namespace: VECTOR_NAMESPACE, host: `chroma-gateway.${VECTOR_NAMESPACE}.svc`, port: 8000 },
  vault: { namespace: VAULT_NAMESPACE, host: `vault-active.${VAULT_NAMESPACE}.svc`, port: 8200 },
} as const;

/**
 * The vector store's authentication (issue 15): an nginx gateway (its pods, selected by the
 * NetworkPolicies) in front of Chroma's own Service, accepting one generated token per channel.
 */
export const CHROMA_GATEWAY = {
  name: 'chroma-gateway',
  pods: { 'app.kubernetes.io/name': 'chroma-gateway' },
  upstream: `chroma.${VECTOR_NAMESPACE}.svc.cluster.local:8000`,
} as const;
/**
 * Chroma's storage (issue 13): the StatefulSet, its claim template, and so the claim of each
 * replica (`<template>-<statefulset>-<i>`, as Kubernetes names them). The scheduled volume
 * snapshots select these claims, and a restore pre-creates them from snapshots for the
 * StatefulSet to adopt; the Chroma chart (or a chart replacing it) must keep these names.
 */
export const CHROMA_STORAGE = {
  namespace: VECTOR_NAMESPACE,
  statefulSet: 'chroma',
  claimTemplate: 'data',
  claimOf: (replica: number) => `data-chroma-${replica}`,
  /** The scheduled snapshot CronJob, its service account and Role (create/list/delete snapshots, get the claims). */
  snapshotJob: 'chroma-snapshot',
} as const;
/**
 * Issue 13: the CronJob (and its service account and roles) that rotates and checks PostgreSQL's
 * volume snapshot backups (constructs/data/snapshot-backup-rotation.ts): it runs every 10 minutes,
 * and allows a snapshot backup `graceMinutes` beyond the time it takes to become ready.
 */
export const POSTGRES_SNAPSHOT_ROTATION = { cronJob: 'postgres-snapshot-rotation', schedule: '*/10 * * * *', graceMinutes: 10 } as const;
/**
 * Chroma's StatefulSet (charts/chroma, constructs/data/chroma.ts) as the chart names it: its name
 * (also its Service's and its release's) and its volume claim template, from CHROMA_STORAGE.
 */
export const CHROMA_STATEFUL_SET = { name: CHROMA_STORAGE.statefulSet, namespace: CHROMA_STORAGE.namespace, claimTemplate: CHROMA_STORAGE.claimTemplate } as const;
/** The persistent volume claims holding Chroma's data: `data-chroma-0` .. `data-chroma-<replicas-1>`. */
export function chromaClaimNames(replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => CHROMA_STORAGE.claimOf(i));
}
/**
 * MongoDB's storage (issue 13): the PerconaServerMongoDB resource, the StatefulSet the operator
 * creates for replica set `rs0` (`<cluster>-rs0`) and its volume claim template `mongod-data`
 * (the operator's name for the data volume, mounted at `/data/db`: data files and journal), so
 * the claim of member `i` is `mongod-data-<cluster>-rs0-<i>`. The scheduled snapshots select these
 * claims, and a snapshot restore pre-creates them before the operator creates the StatefulSet,
 * which adopts them.
 */
export const MONGODB_STORAGE = {
  namespace: DATA_NAMESPACE,
  cluster: 'mongodb',
  statefulSet: `mongodb-${MONGODB_REPLSET}`,
  claimTemplate: MONGODB_DATA_CLAIM_TEMPLATE,
  claimOf: (member: number) => `${MONGODB_DATA_CLAIM_TEMPLATE}-mongodb-${MONGODB_REPLSET}-${member}`,
  /** The scheduled snapshot CronJob, its service account and Role (create/list/delete snapshots, get the claims). */
  snapshotJob: 'mongodb-snapshot',
  /** The release of the claims a snapshot restore creates. */
  restoredClaims: 'mongodb-restored-claims',
} as const;
/** The persistent volume claims holding MongoDB's data: one per replica set member. */
export function mongodbClaimNames(members: number): string[] {
  return Array.from({ length: members }, (_, i) => MONGODB_STORAGE.claimOf(i));
}
/** The field of a channel's `<namespace>/vector` Vault secret holding its Chroma token. */
export const CHROMA_TOKEN_FIELD = 'chroma_token';
/**
 * Per channel: the Secret in `vector` holding its token (key `token`, generated in the cluster),
 * and the kubernetes-auth role and service account of the job that copies it into Vault.
 */
export const CHROMA_TOKEN_SYNC = {
  stable: { role: 'chroma-token-sync', serviceAccount: 'vault-chroma-token-sync', secretName: 'chroma-token-toronto-ai' },
  beta: { role: 'chroma-token-sync-beta', serviceAccount: 'vault-chroma-token-sync-beta', secretName: 'chroma-token-toronto-ai-beta' },
} as const;

export const VAULT_INJECTOR_PORT = 8080;

/**
 * Vault's raft snapshots to the backup bucket: the CronJob's Kubernetes-auth role (its policy
 * allows only `read` on `sys/storage/raft/snapshot`) and its name; the restore Job's role (only
 * while a restore is configured).
 */
export const VAULT_SNAPSHOT = {
  role: 'vault-snapshot',
  cronJob: 'vault-snapshot',
  path: 'sys/storage/raft/snapshot',
  /**
   * The restore Job (`data.vault.restore`): its own service account, Pod Identity role (read-only
   * on the same prefix) and Vault role (only while a restore is configured; vault-configure
   * deletes it otherwise).
   */
  restore: { job: 'vault-restore', role: 'vault-restore', serviceAccount: 'vault-restore', namespace: 'vault', prefix: BACKUP_PREFIXES.vault },
} as const;

/**
 * Issue 13: the source of each channel's API keys outside Vault. Per channel, the Kubernetes
 * Secret in `data` the External Secrets Operator fills from Secrets Manager (one Secrets Manager
 * secret per field of APP_API_KEYS, named `<prefix>/data/<secretName>/<field>`), and the
 * kubernetes-auth role and service account of the job that copies it into `secret/<namespace>/api`.
 */
export const API_KEYS_SYNC = {
  stable: { role: 'api-keys-sync', serviceAccount: 'vault-api-keys-sync', secretName: 'api-keys-toronto-ai' },
  beta: { role: 'api-keys-sync-beta', serviceAccount: 'vault-api-keys-sync-beta', secretName: 'api-keys-toronto-ai-beta' },
} as const;
/** The Secrets Manager values behind the API keys of `env`'s channels (what the cloud stack creates and the platform syncs). */
export function apiKeySources(env: Environment): SyncedSecretKey[] {
  return channelsOf(env).flatMap((c) => APP_API_KEYS.map((key) => ({ namespace: DATA_NAMESPACE, secretName: API_KEYS_SYNC[c.name].secretName, key })));
}

/** Kubernetes-auth roles and service accounts of the jobs that copy database credentials into Vault, by channel. */
export const DATABASE_SYNC = {
  stable: { role: 'database-sync', serviceAccount: 'vault-database-sync' },
  beta: { role: 'database-sync-beta', serviceAccount: 'vault-database-sync-beta' },
} as const;
