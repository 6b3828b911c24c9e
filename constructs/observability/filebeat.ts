import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { DaemonSetV1 } from '../kubernetes/workloads';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { suppress } from '../policy/suppress';
import { escapeTemplate } from './terraform-escape';
import { NODE_DAEMONSETS } from '../../environments/capacity';

export interface FilebeatProps {
  readonly namespace: string;
  /** Elastic Stack version (image tag of docker.elastic.co/beats/filebeat). */
  readonly version: string;
  /** `host:port` of the Logstash beats input. */
  readonly logstashHost: string;
  /**
   * TLS to Logstash: the Secret (in the namespace) and its keys holding the CA that signed
   * Logstash's certificate and Filebeat's client certificate and key. Only these keys are mounted.
   */
  readonly tls: { readonly secretName: string; readonly ca: string; readonly certificate: string; readonly key: string };
  readonly dependsOn?: ITerraformDependable[];
}

const LOGSTASH_PLACEHOLDER = '@@LOGSTASH_HOST@@';

/** Port of Filebeat's local stats endpoint, used by the probes. */
const HTTP_PORT = 5066;

/** Where Filebeat mounts its TLS files. */
export const FILEBEAT_TLS_DIR = '/etc/filebeat-tls';

/**
 * filebeat.yml: container logs of every pod, Kubernetes metadata, shipped to Logstash over TLS:
 * the server's certificate and host name verified against the CA (`full`), a client certificate.
 */
export function filebeatConfig(logstashHost: string): string {
  return [
    'filebeat.inputs:',
    '  - type: filestream',
    '    id: kubernetes-container-logs',
    '    paths: ["/var/log/containers/*.log"]',
    '    prospector.scanner.symlinks: true',
    '    parsers:',
    '      - container: {}',
    '    processors:',
    '      - add_kubernetes_metadata:',
    '          host: ${NODE_NAME}',
    '          matchers:',
    '            - logs_path:',
    '                logs_path: "/var/log/containers/"',
    'output.logstash:',
    `  hosts: ["${logstashHost}"]`,
    '  ssl.enabled: true',
    `  ssl.certificate_authorities: ["${FILEBEAT_TLS_DIR}/ca.crt"]`,
    '  ssl.verification_mode: full',
    `  ssl.certificate: "${FILEBEAT_TLS_DIR}/client.crt"`,
    `  ssl.key: "${FILEBEAT_TLS_DIR}/client.key"`,
    '  ssl.supported_protocols: [TLSv1.2, TLSv1.3]',
    'http.enabled: true',
    'http.host: 0.0.0.0',
    `http.port: ${HTTP_PORT}`,
    '',
  ].join('\n');
}

/**
 * Filebeat as a DaemonSet on every node (OBS-4), shipping container logs to Logstash.
 *
 * A plain DaemonSet rather than ECK's Beat resource: the eck-beats chart documents its
 * `daemonSet.podTemplate` only in comments, so its tolerations and resources could not be
 * checked against the chart; this one is fully typed.
 */
export class Filebeat extends Construct {
  readonly daemonSet: DaemonSetV1;

  constructor(scope: Construct, id: string, props: FilebeatProps) {
    super(scope, id);
    const ns = props.namespace;
    const name = 'filebeat';
    const labels = { 'app.kubernetes.io/name': name };

    const account = new ServiceAccountV1(this, 'service-account', { metadata: { name, namespace: ns } });
    // add_kubernetes_metadata reads pods, namespaces and nodes (read-only).
    const role = new ClusterRoleV1(this, 'cluster-role', {
      metadata: { name: `${name}-metadata-reader` },
      rule: [
        { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    const binding = new ClusterRoleBindingV1(this, 'cluster-role-binding', {
      metadata: { name: `${name}-metadata-reader` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: account.metadata.name, namespace: ns }],
    });
    const config = new ConfigMapV1(this, 'config', {
      metadata: { name: `${name}-config`, namespace: ns },
      // Escape the static text only: the host may hold a reference to the namespace resource.
      data: { 'filebeat.yml': escapeTemplate(filebeatConfig(LOGSTASH_PLACEHOLDER)).replace(LOGSTASH_PLACEHOLDER, props.logstashHost) },
    });

    const probe = { httpGet: { path: '/', port: String(HTTP_PORT) }, periodSeconds: 30, timeoutSeconds: 5 };
    this.daemonSet = new DaemonSetV1(this, 'daemon-set', {
      metadata: { name, namespace: ns, labels },
      // The binding exists before the first pod: without it add_kubernetes_metadata is refused.
      dependsOn: [binding, ...(props.dependsOn ?? [])],
      spec: {
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '1' } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: account.metadata.name,
            terminationGracePeriodSeconds: 30,
            // Every node, whatever its pool's taint: logs of the database and vector pools too.
            toleration: [{ operator: 'Exists' }],
            container: [
              {
                name,
                image: `docker.elastic.co/beats/filebeat:${props.version}`,
                args: ['-e', '-c', '/etc/filebeat/filebeat.yml', '--path.data', '/usr/share/filebeat/data'],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                // Root (not privileged, no capabilities) only to read /var/log/pods, whose files
                // belong to root with mode 0640 on EKS nodes; every host path is read-only except
                // Filebeat's own registry directory.
                securityContext: {
                  runAsUser: '0',
                  runAsNonRoot: false,
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                resources: NODE_DAEMONSETS.filebeat,
                livenessProbe: { ...probe, initialDelaySeconds: 30 },
                readinessProbe: { ...probe, initialDelaySeconds: 10 },
                volumeMount: [
                  { name: 'config', mountPath: '/etc/filebeat', readOnly: true },
                  { name: 'tls', mountPath: FILEBEAT_TLS_DIR, readOnly: true },
                  { name: 'data', mountPath: '/usr/share/filebeat/data' },
                  { name: 'varlogcontainers', mountPath: '/var/log/containers', readOnly: true },
                  { name: 'varlogpods', mountPath: '/var/log/pods', readOnly: true },
                ],
              },
            ],
            volume: [
              { name: 'config', configMap: { name: config.metadata.name } },
              {
                name: 'tls',
                secret: {
                  secretName: props.tls.secretName,
                  items: [
                    { key: props.tls.ca, path: 'ca.crt' },
                    { key: props.tls.certificate, path: 'client.crt' },
                    { key: props.tls.key, path: 'client.key' },
                  ],
                },
              },
              { name: 'data', hostPath: { path: '/var/lib/filebeat-data', type: 'DirectoryOrCreate' } },
              { name: 'varlogcontainers', hostPath: { path: '/var/log/containers', type: 'Directory' } },
              { name: 'varlogpods', hostPath: { path: '/var/log/pods', type: 'Directory' } },
            ],
          },
        },
      },
    });
    suppress(
      this.daemonSet,
      'TAI-K8S-1',
      'filebeat runs as uid 0 (no capabilities, not privileged, no escalation) only to read the root-owned 0640 files of /var/log/pods, mounted read-only',
    );
  }
}
