/**
 * What the two stacks agree on for the application (APP-1..3, ENV-4, SEC-1): its name, port and
 * health paths (the load balancer's target groups probe them), and per channel the namespace,
 * service account, Vault role and secret paths, database and cache user.
 *
 * The channels are isolated from each other: the beta channel (external testers, ENV-4) has its
 * own namespace, Vault role, secret paths and database users, so it can never read production's
 * credentials or write into production data.
 */
import type { VaultAgentProps } from '../../constructs/app/vault-agent';
import type { Environment } from '../../environments/schema';

/** The application's name: its Service, service account and ConfigMap; Deployments are `<name>-<colour>`. */
export const APP_NAME = 'toronto-ai';

/** Port the application listens on (APP-1) and its health paths. */
export const APP_PORT = 8000;
export const APP_READINESS_PATH = '/api/health/ready/';
export const APP_LIVENESS_PATH = '/api/health/';
/** Seed 004 scrape job: the application's metrics. */
export const APP_METRICS_PATH = '/api/metrics';

export type ChannelName = 'stable' | 'beta';

export interface AppChannel {
  readonly name: ChannelName;
  readonly namespace: string;
  /** Service account of the application pods (and of the channel's jobs). */
  readonly serviceAccount: string;
  /** Target group of the public load balancer (features/edge/cloud.ts). */
  readonly targetGroup: 'app' | 'beta';
  /** Vault kubernetes-auth role bound to this namespace's service account only. */
  readonly vaultRole: string;
  /**
   * KV v2 paths under `secret/` the channel reads: `<prefix>/database`, `<prefix>/api`, and
   * `<prefix>/vector` (its token for the vector store's gateway, field `chroma_token`).
   */
  readonly secretPaths: { readonly database: string; readonly api: string; readonly vector: string };
  /** PostgreSQL database and owner, MongoDB user (readWrite on the database of the same name). */
  readonly database: string;
  readonly mongodbUser: string;
  /**
   * The channel's IAM-authenticated cache user (DATA-4): stable connects as the cache's
   * application user; every other channel as its own user, limited to keys under `keyPrefix`.
   */
  readonly cache: { readonly user?: string; readonly keyPrefix: string };
  /** Pod Identity role name suffix of the channel's cache access (`<prefix>-<suffix>`). */
  readonly cacheRoleSuffix: string;
}

function channel(name: ChannelName, namespace: string, targetGroup: 'app' | 'beta', database: string): AppChannel {
  const stable = name === 'stable';
  return {
    cache: stable ? { keyPrefix: '' } : { user: name, keyPrefix: `${name}:` },
    cacheRoleSuffix: stable ? 'app-cache' : `${name}-cache`,
    name,
    namespace,
    serviceAccount: APP_NAME,
    targetGroup,
    vaultRole: namespace,
    secretPaths: { database: `${namespace}/database`, api: `${namespace}/api`, vector: `${namespace}/vector` },
    database,
    mongodbUser: namespace,
  };
}

/** The channels: `stable` always, `beta` in environments that enable it (production). */
export const APP_CHANNELS: Readonly<Record<ChannelName, AppChannel>> = {
  stable: channel('stable', 'toronto-ai', 'app', 'toronto_ai'),
  beta: channel('beta', 'toronto-ai-beta', 'beta', 'toronto_ai_beta'),
};

/** The beta channel's namespace, in production (ENV-4, seed 000 phase 2). */
export const BETA_NAMESPACE = APP_CHANNELS.beta.namespace;

/** Whether `env` runs the beta channel (ENV-4: production, with a pinned beta image). */
export function betaEnabled(env: Environment): boolean {
  return env.app.beta.enabled && env.app.beta.imageTag !== undefined;
}

/** The channels `env` runs: stable, and beta where enabled. */
export function channelsOf(env: Environment): AppChannel[] {
  return betaEnabled(env) ? [APP_CHANNELS.stable, APP_CHANNELS.beta] : [APP_CHANNELS.stable];
}

/**
 * The namespaces the application runs in in `env`: what scrape jobs, log parsing, alert rules
 * and dashboards select (a selector naming a namespace that does not exist, or missing one that
 * does, is an error the completeness test reports).
 */
export function appNamespacesOf(env: Environment): string[] {
  return channelsOf(env).map((c) => c.namespace);
}

/**
 * The Vault interface of a channel (SEC-1): its kubernetes-auth role, reading KV v2 paths under
 * `secret/<namespace>/`, rendered to /vault/secrets/<name>.
 */
export function vaultAgentOf(c: AppChannel): VaultAgentProps {
  return {
    role: c.vaultRole,
    secrets: { database: `secret/data/${c.secretPaths.database}`, api: `secret/data/${c.secretPaths.api}`, vector: `secret/data/${c.secretPaths.vector}` },
    // The MongoDB CA alone in a file: the channel's mongodb_uri verifies the server with it
    // (tlsCAFile=MONGODB_CA_FILE, features/data/platform.ts).
    fields: { [MONGODB_CA_AGENT_FILE]: { path: `secret/data/${c.secretPaths.database}`, field: 'mongodb_ca' } },
  };
}

/**
 * The fields of a channel's `secret/<namespace>/api` the application reads (the agent renders the
 * secret to `/vault/secrets/api`): `api_key`, the name seed 000 (1.4.2) stores it under. Their
 * source is Secrets Manager (issue 13: one secret per channel and field, replicated to the replica
 * region), synced into `data` and from there into Vault; exactly these are held and synced.
 */
export const APP_API_KEYS = ['api_key'] as const;

/** The file the Vault agent renders the MongoDB CA certificate into (from the database secret's `mongodb_ca`). */
export const MONGODB_CA_AGENT_FILE = 'mongodb-ca';
export const MONGODB_CA_FILE = `/vault/secrets/${MONGODB_CA_AGENT_FILE}`;

/** The ConfigMap keys that tell the application where the cache is and whom to connect as. */
export const REDIS_CONFIG_KEYS = {
  host: 'REDIS_HOST',
  port: 'REDIS_PORT',
  user: 'REDIS_USER',
  tls: 'REDIS_TLS',
  auth: 'REDIS_AUTH',
  cacheName: 'REDIS_CACHE_NAME',
  keyPrefix: 'REDIS_KEY_PREFIX',
  region: 'AWS_REGION',
} as const;

/** Publish id of the `vault-ca` job for the stable application namespace (features/data/platform.ts creates it). */
export const APP_CA_PUBLISHER = 'ca-0';
