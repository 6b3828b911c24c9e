/**
 * Observability and security tooling of the platform stack (OBS-1..4, SEC-2): monitoring,
 * logging, intrusion detection and malware scanning (`addObservability`), and the data services'
 * exporters (`addDataExporters`, after the data services). Each is one line in PlatformStack.
 */
import { Environment } from '../../environments/schema';
import { Monitoring } from '../../constructs/observability/monitoring';
import { DatabaseExporters } from '../../constructs/observability/exporters';
import { Logging } from '../../constructs/observability/logging';
import { Falco } from '../../constructs/security/falco';
import { Clamav } from '../../constructs/security/clamav';
import { ExternalSecretsOperator, SyncedSecrets } from '../../constructs/secrets/external-secrets';
import { EXTERNAL_SECRETS_IDENTITY } from '../../constructs/secrets/secrets-manager';
import { MONITORING_NAMESPACE, alertCredentialKeys } from './observability-cloud';
import { namesFor } from '../naming';
import type { PlatformStack } from '../platform-stack';
import type { DataPlatform } from './data-platform';
import { APP_NAMESPACE, BETA_NAMESPACE } from './app';

/**
 * Keys of the Secrets the data services' operators write and the exporters read (namespace
 * `data`): CloudNativePG's `<cluster>-app` (key `uri`) and the MongoDB operator's
 * `<replica set>-admin-<user>` connection Secret of the `monitoring` user.
 */
export const EXPORTER_SECRET_KEYS = { postgres: 'uri', mongodb: 'connectionString.standard' } as const;

/** The MongoDB user the exporter connects as (declared by the data services' replica set). */
export const MONGODB_MONITORING_USER = 'monitoring';

/** Namespaces of the application (stable and beta): the grok pattern applies to their logs. */
/** Namespaces the application runs in (stable and the beta channel, ENV-4): scraped and allowed to Alertmanager. */
export const APP_NAMESPACES = [APP_NAMESPACE, BETA_NAMESPACE] as const;

export interface ObservabilityParts {
  /** Syncs person-provided values (alert receiver credentials) from AWS Secrets Manager. */
  readonly externalSecrets: ExternalSecretsOperator;
  /** The receivers' credential Secrets in `monitoring` (absent when no receiver reads one). */
  readonly alertCredentials?: SyncedSecrets;
  readonly monitoring: Monitoring;
  readonly logging: Logging;
  readonly falco: Falco;
  readonly clamav: Clamav;
}

export function addObservability(stack: PlatformStack, env: Environment): ObservabilityParts {
  const obs = env.observability;
  const system = stack.placement('system');
  const storageClassName = stack.storageClasses.statefulName;

  const externalSecrets = new ExternalSecretsOperator(stack, 'external-secrets', {
    namespace: stack.namespaces.name(EXTERNAL_SECRETS_IDENTITY.namespace),
    placement: system,
  });
  const credentialKeys = alertCredentialKeys(env);
  const alertCredentials =
    credentialKeys.length === 0
      ? undefined
      : new SyncedSecrets(stack, 'alert-credentials', {
          name: 'alert-credentials',
          namespace: stack.namespaces.name(MONITORING_NAMESPACE),
          namespaceName: MONITORING_NAMESPACE,
          prefix: namesFor(env).prefix,
          region: env.aws.region,
          keys: credentialKeys,
          operator: externalSecrets,
        });

  const monitoring = new Monitoring(stack, 'monitoring', {
    namespace: stack.namespaces.name(MONITORING_NAMESPACE),
    placement: system,
    storageClassName,
    environment: env.name,
    prometheus: obs.prometheus,
    grafana: obs.grafana,
    alertmanager: obs.alertmanager,
    // Seed 004 scrape job 'jeseci-backend': /api/metrics on the backend port 8000 every 10 s.
    appScrape: { namespaces: APP_NAMESPACES, port: 8000, path: '/api/metrics', intervalSeconds: 10 },
    // The ExternalSecrets exist before Alertmanager starts, so credentials already in Secrets
    // Manager are mounted from its first start (missing ones are optional mounts).
    dependsOn: [stack.storageClasses.stateful, ...(alertCredentials ? [alertCredentials.release.release] : [])],
  });

  const logging = new Logging(stack, 'logging', {
    namespace: stack.namespaces.name('logging'),
    placement: system,
    storageClassName,
    version: obs.logging.elasticVersion,
    elasticsearch: obs.logging.elasticsearch,
    retentionDays: obs.logging.retentionDays,
    logstashReplicas: obs.logging.logstashReplicas,
    kibanaReplicas: obs.logging.kibanaReplicas,
    appNamespaces: APP_NAMESPACES,
    securityNamespace: 'security',
    dependsOn: [stack.storageClasses.stateful],
  });

  const security = stack.namespaces.name('security');
  const falco = new Falco(stack, 'falco', {
    namespace: security,
    sidekickPlacement: system,
    alertmanagerUrl: monitoring.alertmanagerUrl,
    environment: env.name,
    dependsOn: [monitoring.release.release],
  });

  const clamav = new Clamav(stack, 'clamav', {
    namespace: security,
    imageTag: obs.security.clamav.imageTag,
    scanIntervalHours: obs.security.clamav.scanIntervalHours,
    signatureChecksPerDay: obs.security.clamav.signatureChecksPerDay,
    alertmanagerUrl: monitoring.alertmanagerUrl,
    environment: env.name,
    runbookUrl: obs.alertmanager.runbookUrl,
  });

  return { externalSecrets, alertCredentials, monitoring, logging, falco, clamav };
}

/**
 * Exporters of the data services (OBS-3), added after them: they read the operators' generated
 * Secrets, so their releases wait for the database releases (and for the monitoring release,
 * which installs the ServiceMonitor CRD). Called with one line from PlatformStack.
 */
export function addDataExporters(stack: PlatformStack, data: DataPlatform): DatabaseExporters {
  const monitoring = stack.observability.monitoring;
  return new DatabaseExporters(stack, 'exporters', {
    namespace: stack.namespaces.name('data'),
    placement: stack.placement('system'),
    postgresUri: { name: data.postgres.appSecretName, key: EXPORTER_SECRET_KEYS.postgres },
    mongodbUri: {
      name: `${data.mongodb.replicaSet.releaseName}-admin-${MONGODB_MONITORING_USER}`,
      key: EXPORTER_SECRET_KEYS.mongodb,
    },
    // Redis is ElastiCache with IAM authentication (constructs/data/redis-cache.ts): there is no
    // password a redis_exporter could use; its metrics are CloudWatch's AWS/ElastiCache.
    dependsOn: [monitoring.release.release, data.postgres.cluster.release, data.mongodb.replicaSet.release],
  });
}
