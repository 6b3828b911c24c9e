import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { JobV1 } from '../kubernetes/workloads';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { Filebeat } from './filebeat';
import { BEATS_TLS_KEYS, BEATS_TLS_SECRET, BeatsTls } from './beats-tls';
import { BEATS_PORT, ES_ROLES, ILM_POLICY, esRoles, ilmPolicy, indexTemplate, logstashPipeline } from './logstash-pipeline';
import { GeneratedSecrets } from '../secrets/generated-secrets';
import { escapeTemplate } from './terraform-escape';
import { ELASTICSEARCH_CPU } from '../../environments/capacity';

/** Names of the Elastic resources (ECK derives Service and Secret names from them). */
export const ELASTICSEARCH_NAME = 'elasticsearch';
export const KIBANA_NAME = 'kibana';
export const LOGSTASH_NAME = 'logstash';
/**
 * File-realm users of the workloads that write to Elasticsearch (ECK `auth.fileRealm`, basic-auth
 * Secrets with `username`, `password` generated in the cluster, and `roles`), and the Secret of
 * their roles (ECK `auth.roles`, key `roles.yml`).
 */
export const ES_USERS = {
  logstash: { secretName: 'elasticsearch-user-logstash', username: 'toronto-ai-logstash', role: ES_ROLES.logsWriter },
  ilmSetup: { secretName: 'elasticsearch-user-ilm-setup', username: 'toronto-ai-ilm-setup', role: ES_ROLES.ilmSetup },
} as const;
export const ES_ROLES_SECRET = 'elasticsearch-roles';
/** ECK's public CA of the Elasticsearch HTTP layer (key `ca.crt`). */
export const ELASTIC_CA_SECRET = `${ELASTICSEARCH_NAME}-es-http-certs-public`;

/** Pinned image of the lifecycle setup Job. */
export const CURL_IMAGE = 'curlimages/curl:8.11.1';

export interface LoggingProps {
  /** Namespace of the whole stack (operator included; the operator manages only this one). */
  readonly namespace: string;
  /** Where Elasticsearch, Logstash and the operator run (the system pool). */
  readonly placement: NodePlacement;
  /** Storage class of the Elasticsearch data volumes (a Retain class). */
  readonly storageClassName: string;
  /** Elastic Stack version of every component. */
  readonly version: string;
  readonly elasticsearch: {
    /** Nodes, all master-eligible data nodes (3 in production: a quorum of 2 survives a loss). */
    readonly nodes: number;
    readonly storageGiB: number;
    /** Memory request and limit per node (GiB); Elasticsearch sizes its heap to half. */
    readonly memoryGiB: number;
  };
  /** Days before an index is deleted (ILM). */
  readonly retentionDays: number;
  readonly logstashReplicas: number;
  readonly kibanaReplicas: number;
  /** Namespaces whose log lines Logstash parses with the seed 000 grok pattern. */
  readonly appNamespaces: readonly string[];
  /** Namespace of the malware scanner (its detections are tagged `malware`). */
  readonly securityNamespace: string;
  /**
   * Namespace name as a literal (`logging`): the beats certificate names the Service by it (the
   * `namespace` prop may be a reference to the namespace resource).
   */
  readonly namespaceName: string;
  /** Images of the certificate Job: openssl and kubectl (the definition's `jobImages`). */
  readonly jobImages: { readonly openssl: string; readonly kubectl: string };
  readonly dependsOn?: ITerraformDependable[];
}

/** Where Logstash mounts its beats certificate, key and the client CA. */
export const LOGSTASH_TLS_DIR = '/usr/share/logstash/beats-tls';

/**
 * Centralised logging (OBS-4) through ECK: the operator, Elasticsearch (every node master-eligible
 * and data, on persistent volumes), Kibana, Logstash with the seed 000 pipeline, Filebeat on every
 * node, and a Job that installs the index lifecycle policy deleting indices after the retention.
 *
 * The ILM policy is not expressible in `elasticsearch.yml`, and the charts have no value for it,
 * so a small idempotent Job PUTs the policy and the index template through the REST API once
 * Elasticsearch answers (it retries for up to an hour; re-running it is harmless).
 */
/** The pod security context ECK 3.5.0 gives Elasticsearch, Kibana and Logstash pods by default (fsGroup 1000). */
const ECK_POD_SECURITY = { fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
/** ECK 3.5.0's container defaults for Elasticsearch >= 8.8 and Kibana, less the read-only root (set per container). */
const ECK_CONTAINER_SECURITY = { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };

export class Logging extends Construct {
  readonly operator: ChartRelease;
  readonly elasticsearch: ChartRelease;
  readonly kibana: ChartRelease;
  readonly logstash: ChartRelease;
  readonly filebeat: Filebeat;
  /** Issues the beats connection's certificates (Secret BEATS_TLS_SECRET). */
  readonly beatsTls: BeatsTls;
  readonly ilmSetup: JobV1;
  /** The workloads' file-realm users (passwords generated in the cluster). */
  readonly esUsers: GeneratedSecrets;
  /** In-cluster address of the beats input. */
  readonly beatsHost: string;

  constructor(scope: Construct, id: string, props: LoggingProps) {
    super(scope, id);
    const es = props.elasticsearch;
    if (es.nodes === 2) {
      throw new Error(`${this.node.path}: 2 master-eligible nodes cannot survive the loss of one. Got: elasticsearch.nodes=2`);
    }
    const { nodeSelector, tolerations } = props.placement;
    const ns = props.namespace;

    this.operator = new ChartRelease(this, 'eck-operator', {
      name: 'eck-operator',
      namespace: ns,
      chart: CHARTS.eckOperator,
      dependsOn: props.dependsOn,
      values: {
        installCRDs: true,
        managedNamespaces: [ns],
        nodeSelector,
        tolerations,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      },
    });
    this.operator.suppressRendered(
      'StatefulSet/elastic-operator',
      'TAI-K8S-3',
      'eck-operator 3.5.0 defines no probes and has no values for them; the operator serves no traffic and a crash restarts it (its metrics are scraped and alerted on)',
    );

    // ---- least privilege: a role and a file-realm user per workload, not the `elastic` superuser
    this.esUsers = new GeneratedSecrets(this, 'users', {
      name: 'elasticsearch-users',
      namespace: ns,
      secrets: [
        ...Object.values(ES_USERS).map((u) => ({
          name: u.secretName,
          type: 'kubernetes.io/basic-auth' as const,
          static: { username: u.username, roles: u.role },
          generated: ['password'],
        })),
        // The role definitions (no credential; ECK reads file-realm roles only from a Secret).
        { name: ES_ROLES_SECRET, static: { 'roles.yml': JSON.stringify(esRoles()) }, generated: [] },
      ],
      dependsOn: props.dependsOn,
    });

    const memory = `${es.memoryGiB}Gi`;
    this.elasticsearch = new ChartRelease(this, 'elasticsearch', {
      name: ELASTICSEARCH_NAME,
      namespace: ns,
      chart: CHARTS.eckElasticsearch,
      dependsOn: [this.operator.release, this.esUsers.release.release],
      values: {
        fullnameOverride: ELASTICSEARCH_NAME,
        version: props.version,
        auth: {
          fileRealm: Object.values(ES_USERS).map((u) => ({ secretName: u.secretName })),
          roles: [{ secretName: ES_ROLES_SECRET }],
        },
        // Kept volumes: deleting the cluster or scaling down never deletes log data.
        volumeClaimDeletePolicy: 'DeleteOnScaledownOnly',
        nodeSets: [
          {
            name: 'default',
            count: es.nodes,
            config: {
              'node.roles': ['master', 'data', 'ingest'],
              // No mmap: no privileged sysctl init container to raise vm.max_map_count.
              'node.store.allow_mmap': false,
            },
            podTemplate: {
              spec: {
                nodeSelector,
                tolerations,
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: 'topology.kubernetes.io/zone',
                    whenUnsatisfiable: 'ScheduleAnyway',
                    labelSelector: { matchLabels: { 'elasticsearch.k8s.elastic.co/cluster-name': ELASTICSEARCH_NAME } },
                  },
                ],
                // ECK 3.5.0's own defaults for Elasticsearch >= 8.8 (nodespec/podspec.go,
                // securitycontext.For), stated so the policy pack can check the pods ECK creates.
                securityContext: ECK_POD_SECURITY,
                containers: [
                  {
                    name: 'elasticsearch',
                    resources: { requests: { cpu: ELASTICSEARCH_CPU.request, memory }, limits: { cpu: ELASTICSEARCH_CPU.limit, memory } },
                    securityContext: { ...ECK_CONTAINER_SECURITY, readOnlyRootFilesystem: true },
                  },
                ],
              },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: 'elasticsearch-data' },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  storageClassName: props.storageClassName,
                  resources: { requests: { storage: `${es.storageGiB}Gi` } },
                },
              },
            ],
          },
        ],
      },
    });

    // Kibana holds no data: the platform pool, explicit requests and limits (the chart renders
    // `podTemplate` whole into the Kibana resource).
    this.kibana = new ChartRelease(this, 'kibana', {
      name: KIBANA_NAME,
      namespace: ns,
      chart: CHARTS.eckKibana,
      dependsOn: [this.elasticsearch.release],
      values: {
        fullnameOverride: KIBANA_NAME,
        version: props.version,
        count: props.kibanaReplicas,
        elasticsearchRef: { name: ELASTICSEARCH_NAME },
        podTemplate: {
          spec: {
            nodeSelector,
            tolerations,
            // ECK 3.5.0's Kibana defaults (kibana/securitycontext.go), stated.
            securityContext: ECK_POD_SECURITY,
            containers: [
              {
                name: 'kibana',
                resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
                securityContext: { ...ECK_CONTAINER_SECURITY, readOnlyRootFilesystem: true, runAsUser: 1000, runAsGroup: 1000 },
              },
            ],
          },
        },
      },
    });

    // ---- TLS of the beats connection (Filebeat -> Logstash), issued in the cluster
    const beatsService = `${LOGSTASH_NAME}-ls-beats`;
    this.beatsTls = new BeatsTls(this, 'beats-tls', {
      namespace: ns,
      serverNames: [`${beatsService}.${props.namespaceName}.svc`, `${beatsService}.${props.namespaceName}.svc.cluster.local`, `${beatsService}.${props.namespaceName}`, beatsService],
      opensslImage: props.jobImages.openssl,
      kubectlImage: props.jobImages.kubectl,
      placement: props.placement,
      dependsOn: props.dependsOn,
    });

    this.logstash = new ChartRelease(this, 'logstash', {
      name: LOGSTASH_NAME,
      namespace: ns,
      chart: CHARTS.eckLogstash,
      // The beats Secret exists before the pods that mount it.
      dependsOn: [this.elasticsearch.release, this.beatsTls.job, this.esUsers.release.release],
      values: {
        fullnameOverride: LOGSTASH_NAME,
        version: props.version,
        count: props.logstashReplicas,
        // Hosts and CA of the cluster are injected as ECK_ES_* variables.
        elasticsearchRefs: [{ name: ELASTICSEARCH_NAME, clusterName: 'eck' }],
        pipelines: [
          {
            'pipeline.id': 'toronto-ai',
            'config.string': escapeTemplate(
              logstashPipeline({
                appNamespaces: props.appNamespaces,
                securityNamespace: props.securityNamespace,
                beatsTls: {
                  certificate: `${LOGSTASH_TLS_DIR}/server.crt`,
                  key: `${LOGSTASH_TLS_DIR}/server.key`,
                  certificateAuthority: `${LOGSTASH_TLS_DIR}/ca.crt`,
                },
              }),
            ),
          },
        ],
        services: [
          {
            name: 'beats',
            service: { spec: { type: 'ClusterIP', ports: [{ name: 'beats', port: BEATS_PORT, targetPort: BEATS_PORT, protocol: 'TCP' }] } },
          },
        ],
        podTemplate: {
          spec: {
            nodeSelector,
            tolerations,
            // ECK 3.5.0 sets only the pod's fsGroup and seccomp for Logstash; the container runs as
            // the image's logstash user (1000), now stated, without escalation or capabilities.
            securityContext: ECK_POD_SECURITY,
            containers: [
              {
                name: 'logstash',
                securityContext: { ...ECK_CONTAINER_SECURITY, runAsUser: 1000 },
                env: [
                  // ECK's association user's role does not cover the toronto-ai-* indices: the
                  // output writes as the file-realm user of toronto_ai_logs_writer.
                  { name: 'ES_USER', valueFrom: { secretKeyRef: { name: ES_USERS.logstash.secretName, key: 'username' } } },
                  { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: ES_USERS.logstash.secretName, key: 'password' } } },
                ],
                resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
                volumeMounts: [{ name: 'beats-tls', mountPath: LOGSTASH_TLS_DIR, readOnly: true }],
              },
            ],
            // Only the server's certificate and key and the CA (not the client key).
            volumes: [
              {
                name: 'beats-tls',
                secret: {
                  secretName: BEATS_TLS_SECRET,
                  items: [
                    { key: BEATS_TLS_KEYS.serverCert, path: 'server.crt' },
                    { key: BEATS_TLS_KEYS.serverKey, path: 'server.key' },
                    { key: BEATS_TLS_KEYS.ca, path: 'ca.crt' },
                  ],
                },
              },
            ],
          },
        },
      },
    });

    // ECK gives Elasticsearch a default budget, not Kibana or Logstash: one pod at a time may be
    // evicted where there are several (a single pod gets none, which would block node drains).
    for (const [id, replicas, label, name] of [
      ['kibana-pdb', props.kibanaReplicas, 'kibana.k8s.elastic.co/name', KIBANA_NAME],
      ['logstash-pdb', props.logstashReplicas, 'logstash.k8s.elastic.co/name', LOGSTASH_NAME],
    ] as const) {
      if (replicas < 2) continue;
      new PodDisruptionBudgetV1(this, id, {
        metadata: { name, namespace: ns },
        spec: { maxUnavailable: '1', selector: { matchLabels: { [label]: name } } },
        dependsOn: [name === KIBANA_NAME ? this.kibana.release : this.logstash.release],
      });
    }
    this.beatsHost = `${beatsService}.${ns}.svc:${BEATS_PORT}`;

    this.filebeat = new Filebeat(this, 'filebeat', {
      namespace: ns,
      version: props.version,
      logstashHost: this.beatsHost,
      tls: { secretName: BEATS_TLS_SECRET, ca: BEATS_TLS_KEYS.ca, certificate: BEATS_TLS_KEYS.clientCert, key: BEATS_TLS_KEYS.clientKey },
      dependsOn: [this.logstash.release, this.beatsTls.job],
    });

    // ---- index lifecycle: delete after the retention (Job, see the class comment)
    const documents = {
      'ilm-policy.json': JSON.stringify(ilmPolicy(props.retentionDays)),
      'index-template.json': JSON.stringify(indexTemplate(Math.min(1, es.nodes - 1))),
      'setup.sh': escapeTemplate(ILM_SCRIPT),
    };
    const setup = new ConfigMapV1(this, 'ilm-config', {
      metadata: { name: 'elasticsearch-ilm', namespace: ns },
      data: documents,
    });
    // The Job's name carries a digest of the documents: a changed retention replaces the Job,
    // which runs again and updates the policy.
    const digest = createHash('sha256').update(JSON.stringify(documents)).digest('hex').slice(0, 8);
    this.ilmSetup = new JobV1(this, 'ilm-setup', {
      metadata: { name: `elasticsearch-ilm-setup-${digest}`, namespace: ns },
      // Elasticsearch comes up after the apply; the Job waits for it instead of the apply.
      waitForCompletion: false,
      dependsOn: [this.elasticsearch.release, setup, this.esUsers.release.release],
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: 3600,
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'elasticsearch-ilm-setup' } },
          spec: {
            // It talks to Elasticsearch only, never to the Kubernetes API.
            automountServiceAccountToken: false,
            restartPolicy: 'OnFailure',
            nodeSelector,
            toleration: tolerations.map((t) => ({ ...t })),
            securityContext: { runAsNonRoot: true, runAsUser: '100', runAsGroup: '101', seccompProfile: { type: 'RuntimeDefault' } },
            container: [
              {
                name: 'setup',
                image: CURL_IMAGE,
                command: ['/bin/sh', '/config/setup.sh'],
                env: [
                  { name: 'ES_URL', value: `https://${ELASTICSEARCH_NAME}-es-http.${ns}.svc:9200` },
                  { name: 'POLICY', value: ILM_POLICY },
                  { name: 'ES_USER', valueFrom: { secretKeyRef: { name: ES_USERS.ilmSetup.secretName, key: 'username' } } },
                  { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: ES_USERS.ilmSetup.secretName, key: 'password' } } },
                ],
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
                volumeMount: [
                  { name: 'config', mountPath: '/config', readOnly: true },
                  { name: 'ca', mountPath: '/ca', readOnly: true },
                ],
              },
            ],
            volume: [
              { name: 'config', configMap: { name: setup.metadata.name } },
              { name: 'ca', secret: { secretName: ELASTIC_CA_SECRET } },
            ],
          },
        },
      },
    });
  }
}

/** Waits for Elasticsearch, then PUTs the lifecycle policy and the index template (idempotent). */
const ILM_SCRIPT = `set -eu
auth="\${ES_USER}:\${ES_PASSWORD}"
until curl -sf --cacert /ca/ca.crt -u "$auth" "\${ES_URL}/_cluster/health?wait_for_status=yellow&timeout=30s" >/dev/null; do
  echo "waiting for Elasticsearch"; sleep 15
done
curl -sf --cacert /ca/ca.crt -u "$auth" -X PUT -H 'Content-Type: application/json' \\
  "\${ES_URL}/_ilm/policy/\${POLICY}" --data-binary @/config/ilm-policy.json
curl -sf --cacert /ca/ca.crt -u "$auth" -X PUT -H 'Content-Type: application/json' \\
  "\${ES_URL}/_index_template/\${POLICY}" --data-binary @/config/index-template.json
echo "lifecycle policy \${POLICY} installed"
`;
