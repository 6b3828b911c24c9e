import type { Environment } from '../../environments/schema';
import { receiverSecretRefs } from '../../constructs/observability/monitoring';
import { SyncedSecretKey, distinctKeys } from '../../constructs/secrets/secrets-manager';
import { ADDON_NAMESPACE } from '../cluster-addons/contract';
import { TRIVY_METRICS_PORT } from '../../constructs/security/trivy-operator';

/**
 * What the platform's parts agree on for observability and security tooling (OBS-1..4, SEC-2):
 * namespaces, the ports scrapers, log shippers and alert sources connect to.
 */
export const MONITORING_NAMESPACE = 'monitoring';
export const LOGGING_NAMESPACE = 'logging';
export const SECURITY_NAMESPACE = 'security';

export const OBSERVABILITY_PORTS = {
  alertmanager: 9093,
  prometheus: 9090,
  grafana: 3000,
  logstashBeats: 5044,
  elasticsearch: 9200,
  kibana: 5601,
  /** The Trivy operator's metrics (container port; constructs/security/trivy-operator.ts). */
  trivyMetrics: TRIVY_METRICS_PORT,
} as const;

/**
 * Workloads whose configuration findings are reviewed exceptions: the node agents that run as root
 * or share the host's namespaces, each with a policy suppression and its reason next to it. The
 * Trivy operator still reports them; its configuration alert leaves them out.
 */
export const REVIEWED_NODE_AGENTS = [
  { namespace: SECURITY_NAMESPACE, name: 'falco', reason: 'eBPF intrusion detection as uid 0 with capabilities (constructs/security/falco.ts)' },
  { namespace: SECURITY_NAMESPACE, name: 'clamav', reason: 'reads the node file system read-only as uid 0 with DAC_READ_SEARCH (constructs/security/clamav.ts)' },
  { namespace: LOGGING_NAMESPACE, name: 'filebeat', reason: 'reads the root-owned /var/log/pods as uid 0, no capabilities (constructs/observability/filebeat.ts)' },
  { namespace: MONITORING_NAMESPACE, name: 'kube-prometheus-stack-prometheus-node-exporter', reason: 'host network and PID namespaces are what it measures (constructs/observability/monitoring.ts)' },
] as const;

/** Namespaces the Trivy operator does not scan: EKS-managed add-ons, images in AWS's private ECR. */
export const TRIVY_EXCLUDED_NAMESPACES = [ADDON_NAMESPACE] as const;

/**
 * The ClamAV daemon the application scans uploads with (constructs/security/clamd.ts): its
 * Service in `security` and clamd's port; the application's ConfigMap names `host` and `port`.
 */
export const CLAMD = { name: 'clamd', namespace: SECURITY_NAMESPACE, port: 3310, host: `clamd.${SECURITY_NAMESPACE}.svc` } as const;
/** The pods behind it (the flow's provider selector). */
export const CLAMD_POD_LABELS = { 'app.kubernetes.io/name': CLAMD.name } as const;

/**
 * Keys of the Secrets the data services' operators write and the exporters read (namespace
 * `data`): CloudNativePG's `<cluster>-app` (key `uri`) and the `<cluster>-monitoring-credentials`
 * Secret charts/mongodb-credentials writes for the MongoDB `monitoring` user (key `uri`, TLS).
 */
export const EXPORTER_SECRET_KEYS = { postgres: 'uri', mongodb: 'uri' } as const;

/** Where the MongoDB exporter mounts the replica set's CA (`ca.crt`): its URI's tlsCAFile. */
export const MONGODB_EXPORTER_CA_DIR = '/etc/mongodb-tls';

/** The MongoDB user the exporter connects as (declared by the data services' replica set). */
export const MONGODB_MONITORING_USER = 'monitoring';

/**
 * The dead man's switch: Alertmanager sends the always-firing Watchdog alert every
 * `intervalMinutes` to the heartbeat service's webhook URL, read from this Secret key in the
 * monitoring namespace (like the receivers' credentials, never in the configuration). The
 * heartbeat service pages when the heartbeats stop: Prometheus, Alertmanager or the path
 * between them is down.
 */
export const HEARTBEAT = { urlSecret: { name: 'alertmanager-heartbeat', key: 'url' }, intervalMinutes: 5 } as const;

/**
 * Every Secret key Alertmanager reads (the definition's receivers' credentials and the heartbeat
 * URL): the cloud stack creates an empty Secrets Manager secret for each, a person fills it, and
 * the platform stack syncs it into `monitoring` (External Secrets).
 */
export function alertCredentialKeys(env: Environment): SyncedSecretKey[] {
  return distinctKeys([
    ...env.observability.alertmanager.receivers.flatMap((r) =>
      receiverSecretRefs(r).map((ref) => ({ namespace: MONITORING_NAMESPACE, secretName: ref.name, key: ref.key })),
    ),
    { namespace: MONITORING_NAMESPACE, secretName: HEARTBEAT.urlSecret.name, key: HEARTBEAT.urlSecret.key },
  ]);
}
