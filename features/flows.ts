/**
 * Every connection between the platform's parts, declared once: who opens it (consumer), who
 * serves it (provider), on which ports, how the consumer proves who it is (identity), where its
 * credential comes from and how it learns the provider's address (endpoint).
 *
 * The program generates from this list the NetworkPolicy allow rules behind the default-deny of
 * every platform namespace (features/network-policies.ts) and the application's egress rules;
 * the feature contracts name the same namespaces, service accounts, ports and paths the roles,
 * Vault policies and configuration are built from. `scripts/completeness.ts` walks this list and
 * the synthesized stacks and reports any flow missing one of its parts, and any workload that
 * points at a service no flow declares (__tests__/flows.test.ts).
 */
import { Environment } from '../environments/schema';
import { POD_IDENTITY_AGENT_CIDR, POD_IDENTITY_AGENT_PORT } from '../constructs/identity/workload-role';
import { APP_PORT, AppChannel, channelsOf } from './app/contract';
import { API_KEYS_SYNC, CHROMA_GATEWAY, CHROMA_TOKEN_SYNC, DATA_IDENTITIES, DATA_NAMESPACE, DATA_SERVICES, DATABASE_SYNC, VAULT_INJECTOR_PORT, VAULT_NAMESPACE, VAULT_SNAPSHOT, VECTOR_NAMESPACE } from './data/contract';
import { CLAMD, CLAMD_POD_LABELS, LOGGING_NAMESPACE, MONITORING_NAMESPACE, OBSERVABILITY_PORTS, SECURITY_NAMESPACE } from './observability/contract';
import { VELERO } from './backups/contract';
import { ADDON_NAMESPACE } from './cluster-addons/contract';
import { EXTERNAL_SECRETS_IDENTITY } from '../constructs/secrets/secrets-manager';
import {
  APP_AWS_NEEDS,
  AwsNeed,
  INFERENCE_NAME,
  INFERENCE_NAMESPACE,
  INFERENCE_PORT,
  INFERENCE_SERVICE_ACCOUNT,
  KEDA_NAMESPACE,
  KEDA_OPERATOR_SERVICE_ACCOUNT,
  KEDA_WEBHOOK_PORTS,
  MODEL_SYNC_SERVICE_ACCOUNT,
  ROLLOUTS_METRICS_PORT,
  ROLLOUTS_NAMESPACE,
  SERVICE_CONFIG_KEYS,
  SERVICES,
  servicesOf,
  WEBSOCKET_PORT,
} from './services/contract';

export type Protocol = 'TCP' | 'UDP';
export interface Port {
  readonly port: number;
  readonly protocol: Protocol;
}
const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ port, protocol: 'TCP' }));

/** Pods of a namespace (all of them unless `pods` narrows to a label selector). */
export interface InCluster {
  readonly kind: 'pods';
  readonly namespace: string;
  readonly pods?: Readonly<Record<string, string>>;
}
/** Addresses outside the pod network: AWS services, the EKS API, the internet, the load balancer. */
export interface Network {
  readonly kind: 'network';
  /** What the addresses are (`eks-api`, `redis`, `internet-https`...): rule names derive from it. */
  readonly name: string;
  readonly cidrs: readonly string[];
  /** Addresses excluded from `cidrs` (e.g. the VPC from the internet). */
  readonly except?: readonly string[];
}
export type Peer = InCluster | Network;

/** How the consumer proves who it is to the provider. */
export type Identity =
  /** An IAM role through EKS Pod Identity, bound to the namespace and service account. */
  | { readonly kind: 'pod-identity'; readonly namespace: string; readonly serviceAccount: string }
  /** Vault's kubernetes auth: the role bound to the namespace and service account. */
  | { readonly kind: 'vault-role'; readonly role: string; readonly namespace: string; readonly serviceAccount: string }
  /** A password or certificate the consumer reads (the credential says where). */
  | { readonly kind: 'secret' }
  /** Nothing: said why. */
  | { readonly kind: 'none'; readonly reason: string };

/** Where the consumer's credential comes from. */
export type Credential =
  /** IAM: the consumer's role allows `action` (the identity names the role's binding). */
  | { readonly kind: 'iam'; readonly action: string }
  /** A Vault KV v2 path under `secret/` the identity's policy grants. */
  | { readonly kind: 'vault'; readonly path: string; readonly access: 'read' | 'write' }
  /** A Vault API path outside KV (e.g. `sys/storage/raft/snapshot`) the identity's policy grants `capability` on. */
  | { readonly kind: 'vault-api'; readonly path: string; readonly capability: 'read' | 'update' }
  /** A Kubernetes Secret in the consumer's namespace its workload mounts or reads. */
  | { readonly kind: 'kubernetes-secret'; readonly name: string }
  | { readonly kind: 'none'; readonly reason: string };

/** How the consumer learns where the provider is. */
export type EndpointRef =
  /**
   * Written into the consumer's configuration: the resource of `type` whose construct path ends
   * with `path`, in the `stack`, contains `contains` (a host, a URL or a port).
   */
  | { readonly kind: 'config'; readonly stack: 'cloud' | 'platform'; readonly type: string; readonly path: string; readonly contains: string }
  /** Not configured: discovered (Kubernetes service discovery, the API server, link-local), said how. */
  | { readonly kind: 'discovered'; readonly how: string };

export interface Flow {
  /** Stable, unique: the allow rules are named after it. */
  readonly id: string;
  readonly description: string;
  readonly consumer: Peer;
  readonly provider: Peer;
  readonly ports: readonly Port[];
  readonly identity: Identity;
  readonly credential: Credential;
  readonly endpoint: EndpointRef;
  /**
   * A security-group rule in the cloud stack the path also needs (providers outside the pod
   * network behind a security group): construct path suffix of the ingress rule.
   */
  readonly securityGroupRule?: string;
}

/**
 * The namespaces the platform runs workloads in, each behind a default-deny NetworkPolicy with
 * the allows its flows generate. The application's namespaces have theirs from the app feature
 * (constructs/app/network-policies.ts, fed from the same flows). `kube-system` is not here: the
 * EKS add-ons there (CoreDNS, VPC CNI, kube-proxy, the Pod Identity agent, the EBS CSI driver)
 * are managed by EKS, mostly on the host network where NetworkPolicies do not apply, and a deny
 * there breaks DNS and the CNI for every namespace.
 */
export const DEFAULT_DENY_NAMESPACES = [
  DATA_NAMESPACE,
  VAULT_NAMESPACE,
  VECTOR_NAMESPACE,
  VELERO.namespace,
  MONITORING_NAMESPACE,
  LOGGING_NAMESPACE,
  SECURITY_NAMESPACE,
  EXTERNAL_SECRETS_IDENTITY.namespace,
  ROLLOUTS_NAMESPACE,
  KEDA_NAMESPACE,
  INFERENCE_NAMESPACE,
] as const;

const pods = (namespace: string, selector?: Record<string, string>): InCluster => ({ kind: 'pods', namespace, ...(selector ? { pods: selector } : {}) });

/** Ports of the webhooks the API server calls, by namespace (operators' admission webhooks). */
export const WEBHOOK_PORTS: Readonly<Record<string, readonly number[]>> = {
  // CloudNativePG operator (9443). The Percona MongoDB operator (psmdb-operator 1.22.0) registers no webhook.
  [DATA_NAMESPACE]: [9443],
  // Vault agent injector.
  [VAULT_NAMESPACE]: [VAULT_INJECTOR_PORT],
  // Prometheus Operator admission webhook (container port of its https endpoint).
  [MONITORING_NAMESPACE]: [10250],
  // ECK operator.
  [LOGGING_NAMESPACE]: [9443],
  // External Secrets Operator's webhook (validates SecretStores and ExternalSecrets).
  [EXTERNAL_SECRETS_IDENTITY.namespace]: [10250],
  // KEDA's admission webhooks and its external-metrics APIService (the HPAs read queue depth through it).
  [KEDA_NAMESPACE]: KEDA_WEBHOOK_PORTS,
};

/** Metrics ports Prometheus scrapes in a namespace (exporters, instances, operators). */
export const METRICS_PORTS: Readonly<Record<string, readonly number[]>> = {
  // CloudNativePG instances and postgres-exporter 9187, mongodb-exporter 9216 (with PBM's status),
  // the CNPG and Percona MongoDB operators' controller metrics 8080.
  [DATA_NAMESPACE]: [9187, 9216, 8080],
  // Vault's /v1/sys/metrics on its API port.
  [VAULT_NAMESPACE]: [DATA_SERVICES.vault.port],
  // Velero's metrics endpoint.
  [VELERO.namespace]: [8085],
  // Argo Rollouts' controller (rollout phases, analysis runs).
  [ROLLOUTS_NAMESPACE]: [ROLLOUTS_METRICS_PORT],
  // The Trivy operator's findings (its ServiceMonitor).
  [SECURITY_NAMESPACE]: [OBSERVABILITY_PORTS.trivyMetrics],
};

/** Namespaces whose workloads call AWS APIs with a Pod Identity role (S3, KMS, EC2 snapshots). */
const AWS_CLIENT_NAMESPACES = [DATA_NAMESPACE, VECTOR_NAMESPACE, VAULT_NAMESPACE, VELERO.namespace, EXTERNAL_SECRETS_IDENTITY.namespace, KEDA_NAMESPACE, INFERENCE_NAMESPACE];

/** The flows of `env` (its channels and its network). */
export function platformFlows(env: Environment): Flow[] {
  const privateSubnets = env.network.privateSubnetCidrs;
  const eksApi: Network = { kind: 'network', name: 'eks-api', cidrs: privateSubnets };
  const controlPlane: Network = { kind: 'network', name: 'control-plane', cidrs: privateSubnets };
  const nodes: Network = { kind: 'network', name: 'nodes', cidrs: privateSubnets };
  const internetHttps: Network = { kind: 'network', name: 'internet-https', cidrs: ['0.0.0.0/0'] };
  const podIdentityAgent: Network = { kind: 'network', name: 'pod-identity-agent', cidrs: [POD_IDENTITY_AGENT_CIDR] };
  const flows: Flow[] = [];

  for (const c of channelsOf(env)) flows.push(...channelFlows(env, c));

  for (const ns of DEFAULT_DENY_NAMESPACES) {
    flows.push({
      id: `${ns}-to-eks-api`,
      description: `operators, controllers and jobs in ${ns} call the Kubernetes API`,
      consumer: pods(ns),
      provider: eksApi,
      ports: tcp(443),
      identity: { kind: 'none', reason: 'service-account token, checked by the API server (RBAC)' },
      credential: { kind: 'none', reason: 'projected service-account token' },
      endpoint: { kind: 'discovered', how: 'KUBERNETES_SERVICE_HOST, injected into every pod' },
    });
    flows.push({
      id: `${ns}-internal`,
      description: `the parts of ${ns} talk to each other (operators to their instances, replicas, exporters and jobs to their service)`,
      consumer: pods(ns),
      provider: pods(ns),
      ports: [],
      identity: { kind: 'none', reason: 'per service (SCRAM, TLS, tokens); the namespace is the trust boundary' },
      credential: { kind: 'none', reason: 'per service' },
      endpoint: { kind: 'discovered', how: 'Kubernetes service DNS inside the namespace' },
    });
  }
  for (const [ns, ports] of Object.entries(WEBHOOK_PORTS)) {
    flows.push({
      id: `control-plane-to-${ns}-webhooks`,
      description: `the API server calls the admission webhooks in ${ns}`,
      consumer: controlPlane,
      provider: pods(ns),
      ports: tcp(...ports),
      identity: { kind: 'none', reason: 'TLS with the webhook configuration\'s CA bundle' },
      credential: { kind: 'none', reason: 'the API server\'s own' },
      endpoint: { kind: 'discovered', how: 'the webhook configurations name the services' },
    });
  }
  for (const [ns, ports] of Object.entries(METRICS_PORTS)) {
    flows.push({
      id: `prometheus-scrapes-${ns}`,
      description: `Prometheus scrapes the metrics endpoints in ${ns}`,
      consumer: pods(MONITORING_NAMESPACE),
      provider: pods(ns),
      ports: tcp(...ports),
      identity: { kind: 'none', reason: 'metrics endpoints are read-only; the namespace allow is the guard' },
      credential: { kind: 'none', reason: 'unauthenticated metrics' },
      endpoint: { kind: 'discovered', how: 'ServiceMonitors and PodMonitors (Prometheus Operator)' },
    });
  }
  flows.push({
    id: 'prometheus-scrapes-nodes',
    description: 'Prometheus scrapes the kubelets (cAdvisor) and node-exporter on the nodes',
    consumer: pods(MONITORING_NAMESPACE),
    provider: nodes,
    ports: tcp(10250, 9100),
    identity: { kind: 'none', reason: 'Prometheus\'s service-account token (kubelet authorization)' },
    credential: { kind: 'none', reason: 'projected service-account token' },
    endpoint: { kind: 'discovered', how: 'kubernetes_sd node and endpoints roles' },
  });
  flows.push({
    id: 'prometheus-scrapes-coredns',
    description: 'Prometheus scrapes CoreDNS',
    consumer: pods(MONITORING_NAMESPACE),
    provider: pods(ADDON_NAMESPACE, { 'k8s-app': 'kube-dns' }),
    ports: tcp(9153),
    identity: { kind: 'none', reason: 'unauthenticated metrics' },
    credential: { kind: 'none', reason: 'unauthenticated metrics' },
    endpoint: { kind: 'discovered', how: 'the chart\'s coreDns ServiceMonitor' },
  });
  flows.push({
    id: 'alertmanager-to-receivers',
    description: 'Alertmanager notifies Slack, PagerDuty and the heartbeat service over HTTPS',
    consumer: pods(MONITORING_NAMESPACE),
    provider: internetHttps,
    ports: tcp(443),
    identity: { kind: 'secret' },
    credential: { kind: 'kubernetes-secret', name: 'alertmanager-heartbeat' },
    endpoint: {
      kind: 'config',
      stack: 'platform',
      type: 'helm_release',
      path: 'monitoring/kube-prometheus-stack/release',
      contains: '/etc/alertmanager/secrets/alertmanager-heartbeat/url',
    },
  });
  for (const source of ['falco', 'clamav']) {
    flows.push({
      id: `${source}-to-alertmanager`,
      description: `${source} posts security events to Alertmanager`,
      consumer: pods(SECURITY_NAMESPACE),
      provider: pods(MONITORING_NAMESPACE),
      ports: tcp(OBSERVABILITY_PORTS.alertmanager),
      identity: { kind: 'none', reason: 'Alertmanager\'s API has no authentication: only this namespace may reach it' },
      credential: { kind: 'none', reason: 'none' },
      endpoint: {
        kind: 'config',
        stack: 'platform',
        type: source === 'falco' ? 'helm_release' : 'kubernetes_daemon_set_v1',
        path: source === 'falco' ? 'falco/falco/release' : 'clamav/daemon-set',
        contains: `kube-prometheus-stack-alertmanager.`,
      },
    });
  }
  flows.push({
    id: 'security-to-internet',
    description: 'Falco fetches its rules artifacts, freshclam the malware signatures, the Trivy scan jobs the vulnerability database (mirror.gcr.io) and the scanned images\' layers from their registries, over HTTPS',
    consumer: pods(SECURITY_NAMESPACE),
    provider: internetHttps,
    ports: tcp(443),
    identity: { kind: 'none', reason: 'public artifacts' },
    credential: { kind: 'none', reason: 'public artifacts' },
    endpoint: { kind: 'discovered', how: 'the tools\' built-in mirrors' },
  });
  // The databases' sync jobs write the credentials into Vault (DATA-5), one role per channel.
  for (const c of channelsOf(env)) {
    flows.push(vaultSyncFlow(c, DATABASE_SYNC[c.name], DATA_NAMESPACE, c.secretPaths.database, 'database credentials', `${c.name === 'stable' ? 'vault-database-sync' : `vault-database-sync-${c.name}`}/cron-job`));
  }
  // Vault's raft snapshot job logs in through kubernetes auth and reads only the snapshot endpoint
  // of the active server; it writes the snapshot under its prefix of the backup bucket (below).
  flows.push({
    id: `${VAULT_SNAPSHOT.cronJob}-to-vault`,
    description: 'the raft snapshot job reads a snapshot from the active Vault server',
    consumer: pods(VAULT_NAMESPACE, { 'app.kubernetes.io/name': VAULT_SNAPSHOT.cronJob }),
    provider: pods(VAULT_NAMESPACE),
    ports: tcp(DATA_SERVICES.vault.port),
    identity: { kind: 'vault-role', role: VAULT_SNAPSHOT.role, namespace: VAULT_NAMESPACE, serviceAccount: DATA_IDENTITIES.vaultSnapshot.serviceAccount },
    credential: { kind: 'vault-api', path: VAULT_SNAPSHOT.path, capability: 'read' },
    endpoint: { kind: 'config', stack: 'platform', type: 'kubernetes_cron_job_v1', path: 'vault-snapshots/backup/cron-job', contains: VAULT_HOST_LABEL },
  });
  // BAK-3: the restore Job, while `data.vault.restore` is set: restores into Vault with its own
  // role, after reading the snapshot from the snapshots' prefix (below).
  const restore = VAULT_SNAPSHOT.restore;
  if (env.data.vault.restore) {
    flows.push({
      id: `${restore.job}-to-vault`,
      description: 'the restore Job restores a raft snapshot into Vault',
      consumer: pods(VAULT_NAMESPACE, { 'app.kubernetes.io/name': restore.job }),
      provider: pods(VAULT_NAMESPACE),
      ports: tcp(DATA_SERVICES.vault.port),
      identity: { kind: 'vault-role', role: restore.role, namespace: restore.namespace, serviceAccount: restore.serviceAccount },
      credential: { kind: 'vault-api', path: VAULT_SNAPSHOT.path, capability: 'update' },
      endpoint: { kind: 'config', stack: 'platform', type: 'kubernetes_job_v1', path: 'vault-restore/job', contains: VAULT_HOST_LABEL },
    });
  }
  // The API keys' sync jobs write each channel's keys, synced from Secrets Manager, into Vault (issue 13).
  for (const c of channelsOf(env)) {
    flows.push(vaultSyncFlow(c, API_KEYS_SYNC[c.name], DATA_NAMESPACE, c.secretPaths.api, 'API keys', `vault-api-keys-sync-${c.name}/cron-job`));
  }
  // The vector store's token sync jobs write each channel's Chroma token into Vault (issue 15).
  for (const c of channelsOf(env)) {
    flows.push(vaultSyncFlow(c, CHROMA_TOKEN_SYNC[c.name], VECTOR_NAMESPACE, c.secretPaths.vector, 'Chroma token', `vault-chroma-token-sync-${c.name}/cron-job`));
  }
  // Workloads with AWS roles: the Pod Identity agent hands out credentials, the AWS APIs are
  // reached over HTTPS (S3 through the gateway endpoint, the others through interface endpoints).
  const aws: { id: string; ns: string; pods?: Record<string, string>; sa: string; action: string; path: string; type: string; contains: string }[] = [
    { id: 'postgres-backups', ns: DATA_IDENTITIES.postgres.namespace, sa: DATA_IDENTITIES.postgres.serviceAccount, action: 's3:PutObject', type: 'helm_release', path: 'postgres/cluster/release', contains: `/${DATA_IDENTITIES.postgres.prefix.segment}/g` },
    // The PBM agent beside each MongoDB member: oplog slices and base backups under mongodb/.
    { id: 'mongodb-backups', ns: DATA_IDENTITIES.mongodbBackup.namespace, sa: DATA_IDENTITIES.mongodbBackup.serviceAccount, action: 's3:PutObject', type: 'helm_release', path: 'mongodb/replica-set/release', contains: `"prefix":"${DATA_IDENTITIES.mongodbBackup.prefix.segment}"` },
    { id: 'chroma-backups', ns: DATA_IDENTITIES.chromaBackup.namespace, sa: DATA_IDENTITIES.chromaBackup.serviceAccount, action: 's3:PutObject', type: 'kubernetes_cron_job_v1', path: 'chroma/backup-0/cron-job', contains: `/${DATA_IDENTITIES.chromaBackup.prefix.keyPrefix}` },
    { id: 'vault-snapshots', ns: DATA_IDENTITIES.vaultSnapshot.namespace, pods: { 'app.kubernetes.io/name': VAULT_SNAPSHOT.cronJob }, sa: DATA_IDENTITIES.vaultSnapshot.serviceAccount, action: 's3:PutObject', type: 'kubernetes_cron_job_v1', path: 'vault-snapshots/backup/cron-job', contains: `/${DATA_IDENTITIES.vaultSnapshot.prefix.keyPrefix}` },
    ...(env.data.vault.restore
      ? [{ id: 'vault-restore-read', ns: restore.namespace, pods: { 'app.kubernetes.io/name': restore.job }, sa: restore.serviceAccount, action: 's3:GetObject', type: 'kubernetes_job_v1', path: 'vault-restore/job', contains: `/${restore.prefix.keyPrefix}${env.data.vault.restore.snapshot}/` }]
      : []),
    { id: 'vault-unseal', ns: DATA_IDENTITIES.vault.namespace, sa: DATA_IDENTITIES.vault.serviceAccount, action: 'kms:Decrypt', type: 'helm_release', path: 'vault/release/release', contains: 'seal \\"awskms\\"' },
    // Alertmanager's credentials (and the heartbeat URL) from Secrets Manager, in the SecretStore's region.
    { id: 'external-secrets-read', ns: EXTERNAL_SECRETS_IDENTITY.namespace, sa: EXTERNAL_SECRETS_IDENTITY.serviceAccount, action: 'secretsmanager:GetSecretValue', type: 'helm_release', path: 'alert-credentials/release/release', contains: `"region":"${env.aws.region}"` },
    // The application's API keys from Secrets Manager (issue 13), through the same role.
    { id: 'external-secrets-read-api-keys', ns: EXTERNAL_SECRETS_IDENTITY.namespace, sa: EXTERNAL_SECRETS_IDENTITY.serviceAccount, action: 'secretsmanager:GetSecretValue', type: 'helm_release', path: 'api-keys/release/release', contains: `"region":"${env.aws.region}"` },
    // KEDA reads the Celery queues' depth; the AI service reads its models, the model sync writes them.
    { id: 'keda-queue-depth', ns: KEDA_NAMESPACE, sa: KEDA_OPERATOR_SERVICE_ACCOUNT, action: 'sqs:GetQueueAttributes', type: 'helm_release', path: 'services/service-tier/release', contains: 'aws-sqs-queue' },
    { id: 'inference-model-store', ns: INFERENCE_NAMESPACE, sa: INFERENCE_SERVICE_ACCOUNT, action: 's3:GetObject', type: 'kubernetes_deployment_v1', path: 'services/inference', contains: '/models/' },
    { id: 'model-sync-model-store', ns: INFERENCE_NAMESPACE, sa: MODEL_SYNC_SERVICE_ACCOUNT, action: 's3:PutObject', type: 'kubernetes_job_v1', path: 'services/model-sync', contains: '/models/' },
    { id: 'velero-backups', ns: VELERO.namespace, sa: VELERO.serviceAccount, action: 's3:PutObject', type: 'helm_release', path: 'velero/release/release', contains: `"prefix":"${VELERO.prefix.segment}"` },
  ];
  for (const a of aws) {
    flows.push({
      id: a.id,
      description: `${a.ns}/${a.sa} calls AWS (${a.action}) with its Pod Identity role`,
      consumer: pods(a.ns, a.pods),
      provider: internetHttps,
      ports: tcp(443),
      identity: { kind: 'pod-identity', namespace: a.ns, serviceAccount: a.sa },
      credential: { kind: 'iam', action: a.action },
      endpoint: { kind: 'config', stack: 'platform', type: a.type, path: a.path, contains: a.contains },
    });
  }
  flows.push(...serviceTierFlows(env, internetHttps));
  for (const ns of AWS_CLIENT_NAMESPACES) {
    flows.push({
      id: `${ns}-to-pod-identity-agent`,
      description: `workloads in ${ns} get their role's credentials from the EKS Pod Identity agent`,
      consumer: pods(ns),
      provider: podIdentityAgent,
      ports: tcp(POD_IDENTITY_AGENT_PORT),
      identity: { kind: 'none', reason: 'the agent checks the pod\'s projected token' },
      credential: { kind: 'none', reason: 'projected service-account token' },
      endpoint: { kind: 'discovered', how: 'AWS_CONTAINER_CREDENTIALS_FULL_URI, injected by the Pod Identity webhook' },
    });
  }
  return flows;
}

/** How the sync jobs' configuration names Vault (its Service's first DNS label). */
const VAULT_HOST_LABEL = `${DATA_SERVICES.vault.host.split('.')[0]}.`;

/** A channel's sync job in `namespace` writing `path` into Vault with its own role. */
function vaultSyncFlow(c: AppChannel, sync: { readonly role: string; readonly serviceAccount: string }, namespace: string, path: string, what: string, cronJobPath: string): Flow {
  return {
    id: `${sync.serviceAccount}-to-vault`,
    description: `the ${c.name} channel's sync job writes its ${what} into Vault`,
    consumer: pods(namespace),
    provider: pods(VAULT_NAMESPACE),
    ports: tcp(DATA_SERVICES.vault.port),
    identity: { kind: 'vault-role', role: sync.role, namespace, serviceAccount: sync.serviceAccount },
    credential: { kind: 'vault', path, access: 'write' },
    endpoint: { kind: 'config', stack: 'platform', type: 'kubernetes_cron_job_v1', path: cronJobPath, contains: VAULT_HOST_LABEL },
  };
}

/** The IAM action a flow of an AWS need is checked with. */
function needAction(n: AwsNeed): string {
  switch (n.kind) {
    case 'queue-consume':
      return 'sqs:ReceiveMessage';
    case 'queue-send':
      return 'sqs:SendMessage';
    case 'files-read-write':
      return 's3:PutObject';
    case 'send-email':
      return 'ses:SendEmail';
  }
}

/** The configuration key that tells the consumer where an AWS need's resource is. */
function needConfigKey(n: AwsNeed): string {
  switch (n.kind) {
    case 'queue-consume':
    case 'queue-send':
      return n.queue === 'celery' ? SERVICE_CONFIG_KEYS.celeryQueueUrl : SERVICE_CONFIG_KEYS.agentQueueUrl;
    case 'files-read-write':
      return SERVICE_CONFIG_KEYS.filesBucket;
    case 'send-email':
      return SERVICE_CONFIG_KEYS.emailFrom;
  }
}

/** The service tier: the controllers, the AI service, each channel's services and their AWS access. */
function serviceTierFlows(env: Environment, internetHttps: Network): Flow[] {
  const flows: Flow[] = [];
  const inference = pods(INFERENCE_NAMESPACE, { 'app.kubernetes.io/name': INFERENCE_NAME });
  flows.push({
    id: 'rollouts-to-prometheus',
    description: 'Argo Rollouts\' analysis runs query Prometheus (the rollback rules\' measures)',
    consumer: pods(ROLLOUTS_NAMESPACE),
    provider: pods(MONITORING_NAMESPACE),
    ports: tcp(OBSERVABILITY_PORTS.prometheus),
    identity: { kind: 'none', reason: 'Prometheus\'s query API is read-only; only this namespace and Grafana may reach it' },
    credential: { kind: 'none', reason: 'read-only queries' },
    endpoint: { kind: 'config', stack: 'platform', type: 'helm_release', path: 'services/service-tier/release', contains: `kube-prometheus-stack-prometheus.${MONITORING_NAMESPACE}` },
  });
  flows.push({
    id: 'rollouts-to-inference-canary',
    description: 'Argo Rollouts\' analysis asks the AI service\'s canary for its models',
    consumer: pods(ROLLOUTS_NAMESPACE),
    provider: inference,
    ports: tcp(INFERENCE_PORT),
    identity: { kind: 'none', reason: 'Ollama has no authentication: the NetworkPolicies are the guard' },
    credential: { kind: 'none', reason: 'no authentication' },
    endpoint: { kind: 'config', stack: 'platform', type: 'helm_release', path: 'services/service-tier/release', contains: `${INFERENCE_NAME}-canary.${INFERENCE_NAMESPACE}` },
  });
  flows.push({
    id: 'model-sync-to-registry',
    description: 'the model sync Job pulls the models from the Ollama registry over HTTPS',
    consumer: pods(INFERENCE_NAMESPACE, { 'app.kubernetes.io/name': 'model-sync' }),
    provider: internetHttps,
    ports: tcp(443),
    identity: { kind: 'none', reason: 'public models' },
    credential: { kind: 'none', reason: 'public models' },
    endpoint: { kind: 'discovered', how: 'ollama pull uses registry.ollama.ai' },
  });
  for (const c of channelsOf(env)) {
    const ns = c.namespace;
    const config = (contains: string): EndpointRef => ({ kind: 'config', stack: 'platform', type: 'kubernetes_config_map_v1', path: `app/${c.name === 'stable' ? 'application' : c.name}/config`, contains });
    flows.push({
      id: `${ns}-to-inference`,
      description: `the ${c.name} channel's application and services call the AI service`,
      consumer: pods(ns),
      provider: inference,
      ports: tcp(INFERENCE_PORT),
      identity: { kind: 'none', reason: 'Ollama has no authentication: the NetworkPolicies are the guard (it holds no user data)' },
      credential: { kind: 'none', reason: 'no authentication' },
      endpoint: config(`${INFERENCE_NAME}.${INFERENCE_NAMESPACE}`),
    });
    flows.push({
      id: `${ns}-websocket-from-load-balancer`,
      description: `the public load balancer (/ws/, IP targets) reaches the ${c.name} WebSocket servers`,
      consumer: { kind: 'network', name: 'load-balancer', cidrs: [env.network.vpcCidr] },
      provider: pods(ns, { 'app.kubernetes.io/name': SERVICES.websocket.name }),
      ports: tcp(WEBSOCKET_PORT),
      identity: { kind: 'none', reason: 'public traffic: the servers authenticate their users' },
      credential: { kind: 'none', reason: 'public traffic' },
      endpoint: { kind: 'config', stack: 'platform', type: 'helm_release', path: 'services/websocket-bindings/release', contains: ns },
      // The nodes' (cluster) security group admits the load balancer on this port.
      securityGroupRule: `edge/load-balancer/target-ingress-0-${WEBSOCKET_PORT}`,
    });
    const ports = servicesOf(c).flatMap((s) => (s.port !== undefined ? [s.port] : []));
    flows.push({
      id: `${ns}-service-calls`,
      description: `the ${c.name} channel's application and services call each other (coordinator, agents, onboarding, feedback)`,
      consumer: pods(ns),
      provider: pods(ns),
      ports: tcp(...ports),
      identity: { kind: 'none', reason: 'inside the channel\'s namespace: the namespace is the trust boundary' },
      credential: { kind: 'none', reason: 'inside the namespace' },
      endpoint: config(SERVICE_CONFIG_KEYS.coordinatorUrl),
    });
    const accounts = [
      { sa: c.serviceAccount, needs: APP_AWS_NEEDS, what: 'application' },
      ...servicesOf(c).map((s) => ({ sa: s.name, needs: s.aws, what: s.key })),
    ];
    for (const a of accounts) {
      for (const need of a.needs) {
        const key = need.kind === 'queue-consume' || need.kind === 'queue-send' ? `${need.kind}-${need.queue}` : need.kind;
        flows.push({
          id: `${ns}-${a.what}-${key}`,
          description: `the ${c.name} ${a.what} (${a.sa}) uses AWS (${need.kind}) with its Pod Identity role`,
          // The application's flows are the namespace's (its policies select the whole tier); a
          // service's are its own pods (the tier's label, which its policies select, and its name).
          consumer: a.sa === c.serviceAccount ? pods(ns) : pods(ns, { 'app.kubernetes.io/part-of': 'toronto-ai', 'app.kubernetes.io/name': a.sa }),
          provider: internetHttps,
          ports: tcp(443),
          identity: { kind: 'pod-identity', namespace: ns, serviceAccount: a.sa },
          credential: { kind: 'iam', action: needAction(need) },
          endpoint: config(needConfigKey(need)),
        });
      }
    }
  }
  return flows;
}

/** The flows of one application channel. */
function channelFlows(env: Environment, c: AppChannel): Flow[] {
  const app = pods(c.namespace);
  const config = (contains: string): EndpointRef => ({
    kind: 'config',
    stack: 'platform',
    type: 'kubernetes_config_map_v1',
    path: `app/${c.name === 'stable' ? 'application' : c.name}/config`,
    contains,
  });
  const vaultIdentity: Identity = { kind: 'vault-role', role: c.vaultRole, namespace: c.namespace, serviceAccount: c.serviceAccount };
  const viaVault = (field: string): EndpointRef => ({ kind: 'discovered', how: `the ${field} URI in the Vault secret ${c.secretPaths.database}` });
  return [
    {
      id: `${c.namespace}-from-load-balancer`,
      description: `the public load balancer (IP targets) reaches the ${c.name} pods`,
      consumer: { kind: 'network', name: 'load-balancer', cidrs: [env.network.vpcCidr] },
      provider: app,
      ports: tcp(APP_PORT),
      identity: { kind: 'none', reason: 'public traffic: the application authenticates its users' },
      credential: { kind: 'none', reason: 'public traffic' },
      endpoint: {
        kind: 'config',
        stack: 'platform',
        type: 'helm_release',
        path: 'app/target-group-bindings/release',
        contains: c.namespace,
      },
      securityGroupRule: `edge/load-balancer/target-ingress-0-${APP_PORT}`,
    },
    {
      id: `prometheus-scrapes-${c.namespace}`,
      description: `Prometheus scrapes the ${c.name} pods (/api/metrics)`,
      consumer: pods(MONITORING_NAMESPACE),
      provider: app,
      ports: tcp(APP_PORT),
      identity: { kind: 'none', reason: 'unauthenticated metrics' },
      credential: { kind: 'none', reason: 'unauthenticated metrics' },
      endpoint: { kind: 'config', stack: 'platform', type: 'helm_release', path: 'monitoring/kube-prometheus-stack/release', contains: c.namespace },
    },
    {
      id: `${c.namespace}-to-postgres`,
      description: `the ${c.name} channel uses its PostgreSQL database`,
      consumer: app,
      provider: pods(DATA_SERVICES.postgres.namespace),
      ports: tcp(DATA_SERVICES.postgres.port),
      identity: vaultIdentity,
      credential: { kind: 'vault', path: c.secretPaths.database, access: 'read' },
      endpoint: viaVault('postgres_uri'),
    },
    {
      id: `${c.namespace}-to-mongodb`,
      description: `the ${c.name} channel uses its MongoDB database`,
      consumer: app,
      provider: pods(DATA_SERVICES.mongodb.namespace),
      ports: tcp(DATA_SERVICES.mongodb.port),
      identity: vaultIdentity,
      credential: { kind: 'vault', path: c.secretPaths.database, access: 'read' },
      endpoint: viaVault('mongodb_uri'),
    },
    {
      id: `${c.namespace}-to-chroma`,
      description: `the ${c.name} channel uses the vector store`,
      consumer: app,
      // Through the authenticating gateway: Chroma's own pods admit only the gateway.
      provider: pods(DATA_SERVICES.chroma.namespace, { ...CHROMA_GATEWAY.pods }),
      ports: tcp(DATA_SERVICES.chroma.port),
      // The channel's token (checked by the gateway) is in its Vault secret, read by its Vault agent.
      identity: vaultIdentity,
      credential: { kind: 'vault', path: c.secretPaths.vector, access: 'read' },
      endpoint: config(DATA_SERVICES.chroma.host),
    },
    {
      id: `${c.namespace}-to-clamd`,
      description: `the ${c.name} channel scans uploads with the ClamAV daemon (INSTREAM)`,
      consumer: app,
      provider: pods(CLAMD.namespace, { ...CLAMD_POD_LABELS }),
      ports: tcp(CLAMD.port),
      identity: { kind: 'none', reason: 'clamd\'s protocol has no authentication: the NetworkPolicy admits only the application\'s namespaces, and it only answers whether a stream is clean' },
      credential: { kind: 'none', reason: 'clamd has no credentials' },
      endpoint: config(CLAMD.host),
    },
    {
      id: `${c.namespace}-to-vault`,
      description: `the ${c.name} channel's Vault agents read its secrets`,
      consumer: app,
      provider: pods(DATA_SERVICES.vault.namespace),
      ports: tcp(DATA_SERVICES.vault.port),
      identity: vaultIdentity,
      credential: { kind: 'vault', path: c.secretPaths.api, access: 'read' },
      endpoint: { kind: 'discovered', how: 'the Vault agent injector configures the agents with the server address' },
    },
    {
      id: `${c.namespace}-to-redis`,
      description: `the ${c.name} channel uses the managed cache with IAM authentication`,
      consumer: app,
      provider: { kind: 'network', name: 'redis', cidrs: env.network.dataSubnetCidrs },
      ports: tcp(6379),
      identity: { kind: 'pod-identity', namespace: c.namespace, serviceAccount: c.serviceAccount },
      credential: { kind: 'iam', action: 'elasticache:Connect' },
      endpoint: config('primary_endpoint_address'),
      securityGroupRule: 'data/redis/from-clients-0',
    },
    {
      id: `${c.namespace}-to-pod-identity-agent`,
      description: `the ${c.name} pods get their cache role's credentials from the EKS Pod Identity agent`,
      consumer: app,
      provider: { kind: 'network', name: 'pod-identity-agent', cidrs: [POD_IDENTITY_AGENT_CIDR] },
      ports: tcp(POD_IDENTITY_AGENT_PORT),
      identity: { kind: 'none', reason: 'the agent checks the pod\'s projected token' },
      credential: { kind: 'none', reason: 'projected service-account token' },
      endpoint: { kind: 'discovered', how: 'AWS_CONTAINER_CREDENTIALS_FULL_URI, injected by the Pod Identity webhook' },
    },
    {
      id: `${c.namespace}-to-ai-apis`,
      description: `the ${c.name} channel calls the external AI APIs over HTTPS`,
      consumer: app,
      provider: { kind: 'network', name: 'external-https', cidrs: ['0.0.0.0/0'], except: [env.network.vpcCidr] },
      ports: tcp(443),
      // The providers' API keys are in the channel's Vault secret.
      identity: vaultIdentity,
      credential: { kind: 'vault', path: c.secretPaths.api, access: 'read' },
      endpoint: { kind: 'discovered', how: 'the providers\' public URLs in the application' },
    },
  ];
}

/** The in-cluster namespaces and ports the consumer `namespace` opens connections to. */
export function egressNamespaces(flows: readonly Flow[], namespace: string): { namespace: string; ports: number[] }[] {
  const byNs = new Map<string, Set<number>>();
  for (const f of flows) {
    if (f.consumer.kind !== 'pods' || f.consumer.namespace !== namespace || f.provider.kind !== 'pods') continue;
    if (f.provider.namespace === namespace) continue;
    const set = byNs.get(f.provider.namespace) ?? new Set<number>();
    for (const p of f.ports) set.add(p.port);
    byNs.set(f.provider.namespace, set);
  }
  return [...byNs.entries()].map(([ns, ports]) => ({ namespace: ns, ports: [...ports].sort((a, b) => a - b) }));
}
