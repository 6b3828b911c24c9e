/**
 * Observability and security tooling of the platform stack (OBS-1..4, SEC-2): monitoring,
 * logging, intrusion detection and malware scanning (`addObservability`), and the data services'
 * exporters (`addDataExporters`, after the data services). Each is one line in PlatformStack.
 */
import { Monitoring } from '../../constructs/observability/monitoring';
import { backupAlertRules } from '../../constructs/observability/backup-alerts';
import { DatabaseExporters } from '../../constructs/observability/exporters';
import { Logging } from '../../constructs/observability/logging';
import { Falco } from '../../constructs/security/falco';
import { Clamav } from '../../constructs/security/clamav';
import { Clamd } from '../../constructs/security/clamd';
import { CertificateCheck } from '../../constructs/security/certificate-check';
import { BEATS_TLS_KEYS, BEATS_TLS_SECRET } from '../../constructs/observability/beats-tls';
import { TrivyOperator, trivyAlertRules } from '../../constructs/security/trivy-operator';
import type { DataPlatform } from '../data/platform';
import { PlatformContext } from '../context';
import { APP_METRICS_PATH, APP_PORT, appNamespacesOf } from '../app/contract';
import { CLAMD, EXPORTER_SECRET_KEYS, HEARTBEAT, LOGGING_NAMESPACE, MONGODB_EXPORTER_CA_DIR, MONGODB_MONITORING_USER, MONITORING_NAMESPACE, REVIEWED_NODE_AGENTS, SECURITY_NAMESPACE, TRIVY_EXCLUDED_NAMESPACES, alertCredentialKeys } from './contract';
import { DATA_NAMESPACE } from '../data/contract';
import { CERTIFICATE_WARN_DAYS } from '../data/platform';
import { ExternalSecretsOperator, SyncedSecrets } from '../../constructs/secrets/external-secrets';
import { EXTERNAL_SECRETS_IDENTITY } from '../../constructs/secrets/secrets-manager';

export interface ObservabilityParts {
  /** Syncs person-provided values (alert receiver credentials) from AWS Secrets Manager. */
  readonly externalSecrets: ExternalSecretsOperator;
  /** Alertmanager's credential Secrets in `monitoring` (receivers and the heartbeat URL). */
  readonly alertCredentials: SyncedSecrets;
  readonly monitoring: Monitoring;
  readonly logging: Logging;
  readonly falco: Falco;
  readonly clamav: Clamav;
  readonly trivy: TrivyOperator;
  readonly clamd: Clamd;
}

export function addObservability(ctx: PlatformContext): ObservabilityParts {
  const { env } = ctx;
  const obs = env.observability;
  const system = ctx.placement('system');
  const storageClassName = ctx.storageClasses.statefulName;
  const appNamespaces = appNamespacesOf(env);

  const externalSecrets = new ExternalSecretsOperator(ctx.scope, 'external-secrets', {
    namespace: ctx.namespaces.name(EXTERNAL_SECRETS_IDENTITY.namespace),
    placement: system,
  });
  // Alertmanager's credentials (receivers and the heartbeat URL), synced from Secrets Manager.
  const alertCredentials = new SyncedSecrets(ctx.scope, 'alert-credentials', {
    name: 'alert-credentials',
    namespace: ctx.namespaces.name(MONITORING_NAMESPACE),
    namespaceName: MONITORING_NAMESPACE,
    prefix: ctx.names.prefix,
    region: env.aws.region,
    keys: alertCredentialKeys(env),
    operator: externalSecrets,
  });

  const monitoring = new Monitoring(ctx.scope, 'monitoring', {
    namespace: ctx.namespaces.name(MONITORING_NAMESPACE),
    placement: system,
    storageClassName,
    environment: env.name,
    prometheus: obs.prometheus,
    grafana: obs.grafana,
    alertmanager: obs.alertmanager,
    // Seed 004 scrape job 'jeseci-backend': /api/metrics on the backend port 8000 every 10 s.
    appScrape: { namespaces: appNamespaces, port: APP_PORT, path: APP_METRICS_PATH, intervalSeconds: 10 },
    // Rules and dashboards select exactly the application's namespaces.
    appNamespaces,
    heartbeat: HEARTBEAT,
    // The ExternalSecrets exist before Alertmanager starts, so credentials already in Secrets
    // Manager are mounted from its first start (missing ones are optional mounts).
    dependsOn: [ctx.storageClasses.stateful, alertCredentials.release.release],
  });

  const logging = new Logging(ctx.scope, 'logging', {
    namespace: ctx.namespaces.name(LOGGING_NAMESPACE),
    placement: system,
    storageClassName,
    version: obs.logging.elasticVersion,
    elasticsearch: obs.logging.elasticsearch,
    retentionDays: obs.logging.retentionDays,
    logstashReplicas: obs.logging.logstashReplicas,
    kibanaReplicas: obs.logging.kibanaReplicas,
    appNamespaces,
    securityNamespace: SECURITY_NAMESPACE,
    namespaceName: LOGGING_NAMESPACE,
    jobImages: { openssl: env.data.jobImages.openssl, kubectl: env.data.jobImages.kubectl },
    dependsOn: [ctx.storageClasses.stateful],
  });
  // The beats certificates (issued in the cluster, like Vault's) are watched like Vault's: the
  // check fails, and CertificateExpiringSoon fires, 30 days before one expires.
  new CertificateCheck(ctx.scope, 'beats-certificate-check', {
    namespace: ctx.namespaces.name(LOGGING_NAMESPACE),
    name: 'beats',
    certificates: [BEATS_TLS_KEYS.serverCert, BEATS_TLS_KEYS.clientCert, BEATS_TLS_KEYS.ca].map((key) => ({ secretName: BEATS_TLS_SECRET, key })),
    warnDays: CERTIFICATE_WARN_DAYS,
    opensslImage: env.data.jobImages.openssl,
    placement: system,
    dependsOn: [logging.beatsTls.job],
  });

  const security = ctx.namespaces.name(SECURITY_NAMESPACE);
  const falco = new Falco(ctx.scope, 'falco', {
    namespace: security,
    sidekickPlacement: system,
    alertmanagerUrl: monitoring.alertmanagerUrl,
    environment: env.name,
    dependsOn: [monitoring.release.release],
  });

  const clamav = new Clamav(ctx.scope, 'clamav', {
    namespace: security,
    imageTag: obs.security.clamav.imageTag,
    scanIntervalHours: obs.security.clamav.scanIntervalHours,
    signatureChecksPerDay: obs.security.clamav.signatureChecksPerDay,
    alertmanagerUrl: monitoring.alertmanagerUrl,
    environment: env.name,
    runbookUrl: obs.alertmanager.runbookUrl,
  });

  // The ClamAV daemon the application scans uploads with (seed 000 clamav-daemon): it accepts a
  // stream as long as the largest request body the edge lets through.
  const clamd = new Clamd(ctx.scope, 'clamd', {
    namespace: security,
    name: CLAMD.name,
    port: CLAMD.port,
    imageTag: obs.security.clamav.imageTag,
    signatureChecksPerDay: obs.security.clamav.signatureChecksPerDay,
    replicas: 2,
    placement: system,
    maxStreamMiB: Math.ceil(env.edge.waf.maxRequestBodyBytes / (1024 * 1024)),
  });

  // Vulnerability and configuration scanning of the running workloads; its ServiceMonitor needs
  // the monitoring release's CRDs, its findings become the `toronto-ai-security` rules.
  const trivy = new TrivyOperator(ctx.scope, 'trivy-operator', {
    namespace: security,
    placement: system,
    excludeNamespaces: TRIVY_EXCLUDED_NAMESPACES,
    concurrentScanJobs: 3,
    dependsOn: [monitoring.release.release],
  });
  monitoring.addRules('toronto-ai-security', trivyAlertRules(REVIEWED_NODE_AGENTS));

  return { externalSecrets, alertCredentials, monitoring, logging, falco, clamav, trivy, clamd };
}

/**
 * Exporters of the data services (OBS-3), added after them: they read the operators' generated
 * Secrets, so their releases wait for the database releases (and for the monitoring release,
 * which installs the ServiceMonitor CRD). Called with one line from PlatformStack.
 */
export function addDataExporters(ctx: PlatformContext, monitoring: Monitoring, data: DataPlatform): DatabaseExporters {
  return new DatabaseExporters(ctx.scope, 'exporters', {
    namespace: ctx.namespaces.name(DATA_NAMESPACE),
    placement: ctx.placement('system'),
    postgresUri: { name: data.postgres.appSecretName, key: EXPORTER_SECRET_KEYS.postgres },
    mongodbUri: {
      name: data.mongodb.credentialSecretOf(MONGODB_MONITORING_USER),
      key: EXPORTER_SECRET_KEYS.mongodb,
    },
    // The URI says tls=true with this CA (the operator-generated `<cluster>-ssl`): the exporter
    // and its PBM collector verify the server.
    mongodbCa: { secretName: data.mongodb.tlsSecret, mountDir: MONGODB_EXPORTER_CA_DIR },
    // Redis is ElastiCache with IAM authentication (constructs/data/redis-cache.ts): there is no
    // password a redis_exporter could use; its metrics are CloudWatch's AWS/ElastiCache.
    dependsOn: [monitoring.release.release, data.postgres.cluster.release, data.mongodb.credentials.release, data.mongodb.replicaSet.release],
  });
}

/**
 * BAK-3: alert rules for every scheduled backup of the data services (a failed run, a backup older
 * than its schedule allows) and for PostgreSQL's WAL archiving and base backups, from the
 * schedules the data services were built with. A rule file `toronto-ai-backups` of the monitoring
 * release.
 */
export function addBackupAlerts(ctx: PlatformContext, monitoring: Monitoring, data: DataPlatform): void {
  const d = ctx.env.data;
  monitoring.addRules(
    'toronto-ai-backups',
    backupAlertRules({
      cronJobs: [...data.chroma.backupJobs, data.chromaSnapshots, data.mongodbSnapshots, data.vaultSnapshots.job].map((j) => j.alertSpec),
      mongodb: { ...data.mongodb.alertSpec, rpoMinutes: ctx.env.backup.databaseRpoMinutes },
      postgres: {
        namespace: DATA_NAMESPACE,
        baseBackupSchedule: d.postgres.baseBackupSchedule,
        rpoMinutes: ctx.env.backup.databaseRpoMinutes,
        snapshotBackups: { ...data.postgresSnapshotRotation.alertSpec, snapshotSchedule: d.postgres.snapshotSchedule, maxAgeSeconds: data.postgresSnapshotRotation.maxAgeSeconds },
      },
    }),
  );
}
