import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { CronJobV1, CRON_JOB_POLICY } from '../kubernetes/workloads';
import { JobV1 } from '../kubernetes/workloads';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { ComputeResources } from './postgres';

/** Secret holding Vault's server certificate (`tls.crt`, `tls.key`) and its CA (`ca.crt`). */
export const VAULT_TLS_SECRET_NAME = 'vault-server-tls';
/**
 * Secret with only the CA certificate (`ca.crt`), created in each client namespace so injected
 * Vault agents verify the server: annotate pods with `vault.hashicorp.com/tls-secret: vault-ca`
 * and `vault.hashicorp.com/ca-cert: /vault/tls/ca.crt`.
 */
export const VAULT_CA_SECRET_NAME = 'vault-ca';
/**
 * The pod label that puts a pod in the agent injector's scope. The injector's webhook fails closed
 * (`failurePolicy: Fail`) and selects only pods with this label (constructs/app/vault-agent.ts puts
 * it on every injected pod), so nothing else in the cluster depends on the injector being up.
 */
export const VAULT_INJECT_LABEL = { 'vault.hashicorp.com/agent-inject': 'true' } as const;

/** Days the generated server certificate is valid (renewal: README runbook). */
export const VAULT_CERT_DAYS = 825;

/** An application that reads secrets from Vault through the injector and the kubernetes auth method. */
export interface VaultClient {
  /** Vault role name (auth/kubernetes/role/<name>). */
  readonly role: string;
  readonly serviceAccounts: readonly string[];
  readonly namespaces: readonly string[];
  /** KV v2 paths under `secret/` it may read, e.g. `toronto-ai/database`. */
  readonly readPaths: readonly string[];
  /** KV v2 paths under `secret/` it may write (e.g. a job syncing operator-generated credentials). */
  readonly writePaths?: readonly string[];
  /**
   * Vault API paths outside KV with exactly these capabilities, e.g. the raft snapshot job's
   * `{ path: 'sys/storage/raft/snapshot', capabilities: ['read'] }`. No wildcard, no `secret/`.
   */
  readonly apiPaths?: readonly { readonly path: string; readonly capabilities: readonly VaultCapability[] }[];
}

/**
 * Capabilities a client policy may grant on an API path (`delete` and `list` stay out; `sudo` only
 * with `update`, for the restore Job's role that exists while a restore is configured).
 */
export type VaultCapability = 'read' | 'create' | 'update' | 'sudo';

export interface VaultProps {
  /** Namespace of the release; the chart's service account is `vault` (the release name). */
  readonly namespace: string;
  readonly replicas: number;
  readonly imageTag: string;
  readonly dataStorageGiB: number;
  readonly auditStorageGiB: number;
  readonly storageClass: string;
  readonly compute: ComputeResources;
  readonly placement: NodePlacement;
  /**
   * Region and key (ARN or `alias/...`) of the awskms seal; the server's Pod Identity role may use
   * it. `migrateFromKmsKeyId`: a seal migration from that key is under way (README): the old seal
   * is rendered as a second, `disabled` stanza, as Vault's auto-unseal to auto-unseal migration
   * requires.
   */
  readonly unseal: { readonly region: string; readonly kmsKeyId: string; readonly migrateFromKmsKeyId?: string };
  /** Who reads which secrets (policies and kubernetes auth roles, written by the configuration job). */
  readonly clients: readonly VaultClient[];
  /** Namespaces (names or namespace references) that receive the `vault-ca` secret. */
  readonly caSecretNamespaces: readonly string[];
  /** Images of the one-time TLS job. */
  readonly opensslImage: string;
  readonly kubectlImage: string;
  /** Five-field cron of the configuration job (it is idempotent). */
  readonly configureSchedule: string;
  /**
   * Kubernetes-auth roles the configuration job deletes (roles that exist only while configured,
   * such as the restore Job's, when they are not). @default none
   */
  readonly retiredRoles?: readonly string[];
  readonly dependsOn?: ITerraformDependable[];
}

const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 100,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const JOB_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const JOB_POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: '100',
  runAsGroup: '1000',
  fsGroup: '1000',
  seccompProfile: { type: 'RuntimeDefault' },
};
const JOB_RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } };

/** The policy a client role gets: read (or write) on its KV v2 paths, nothing else. */
export function clientPolicy(client: VaultClient): string {
  const reads = client.readPaths.map(
    (p) => `path "secret/data/${p}" {\n  capabilities = ["read"]\n}\npath "secret/metadata/${p}" {\n  capabilities = ["read", "list"]\n}`,
  );
  const writes = (client.writePaths ?? []).map((p) => `path "secret/data/${p}" {\n  capabilities = ["create", "update"]\n}`);
  const apis = (client.apiPaths ?? []).map((a) => {
    if (!/^[a-z0-9][a-z0-9/_-]*[a-z0-9]$/.test(a.path) || a.path.startsWith('secret/')) {
      throw new Error(`clientPolicy: role '${client.role}': API path must be a literal path outside secret/ (no wildcard). Got: ${a.path}`);
    }
    if (a.capabilities.length === 0) throw new Error(`clientPolicy: role '${client.role}': API path ${a.path} needs capabilities`);
    if (a.capabilities.includes('sudo') && !a.capabilities.includes('update')) {
      throw new Error(`clientPolicy: role '${client.role}': 'sudo' on ${a.path} only together with 'update'`);
    }
    return `path "${a.path}" {\n  capabilities = ${hclList(a.capabilities)}\n}`;
  });
  if (reads.length + writes.length + apis.length === 0) {
    throw new Error(`clientPolicy: role '${client.role}' needs readPaths, writePaths or apiPaths. Got none`);
  }
  return [...reads, ...writes, ...apis].join('\n');
}

/** The Kubernetes API address Vault's kubernetes auth method verifies service-account tokens with. */
export const KUBERNETES_HOST = 'https://kubernetes.default.svc:443';

/** Token lifetimes of the client roles. */
const CLIENT_TTL = '1h';
const CLIENT_MAX_TTL = '4h';

/** The `vault write` arguments of a client's kubernetes-auth role (the policy pins exactly these). */
export function clientRoleParameters(client: VaultClient): Record<string, string> {
  return {
    bound_service_account_names: client.serviceAccounts.join(','),
    bound_service_account_namespaces: client.namespaces.join(','),
    policies: client.role,
    ttl: CLIENT_TTL,
    max_ttl: CLIENT_MAX_TTL,
  };
}

const hclList = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;

/**
 * What the configuration job may do (it logs in through kubernetes auth, which the operator's
 * one-time bootstrap enables with the root token, together with the KV engine and the audit
 * device, this policy and the job's role: README). Enumerated, no wildcard: read the auth, mount and audit tables (it
 * only checks them), write the kubernetes auth config with the in-cluster API address, and write
 * exactly the client policies and roles it manages, each role pinned to its service accounts,
 * namespaces, policy and TTLs (`allowed_parameters`). It cannot write its own policy or role, any
 * other policy or role, or a role bound elsewhere: editing its ConfigMap cannot mint a Vault
 * administrator (a client policy's text remains the ConfigMap's: RBAC on it is the guard).
 */
export function configurePolicy(clients: readonly VaultClient[], retiredRoles: readonly string[] = []): string {
  const blocks = [
    'path "sys/auth" {\n  capabilities = ["read"]\n}',
    'path "sys/mounts" {\n  capabilities = ["read"]\n}',
    'path "sys/audit" {\n  capabilities = ["read", "sudo"]\n}',
    `path "auth/kubernetes/config" {\n  capabilities = ["create", "update", "read"]\n  allowed_parameters = {\n    "kubernetes_host" = ${hclList([KUBERNETES_HOST])}\n  }\n}`,
  ];
  for (const c of clients) {
    if (c.role === CONFIGURE_ROLE) throw new Error(`configurePolicy: client role name '${CONFIGURE_ROLE}' is reserved`);
    blocks.push(`path "sys/policies/acl/${c.role}" {\n  capabilities = ["create", "update", "read"]\n}`);
    const params = Object.entries(clientRoleParameters(c))
      .map(([k, v]) => `    "${k}" = ${hclList([v])}`)
      .join('\n');
    blocks.push(`path "auth/kubernetes/role/${c.role}" {\n  capabilities = ["create", "update", "read"]\n  allowed_parameters = {\n${params}\n  }\n}`);
  }
  // Roles that exist only while configured (the restore Job's): deleted when they are not.
  for (const role of retiredRoles) {
    if (clients.some((c) => c.role === role)) throw new Error(`configurePolicy: role '${role}' is both configured and retired`);
    blocks.push(`path "auth/kubernetes/role/${role}" {\n  capabilities = ["delete"]\n}`);
  }
  return blocks.join('\n');
}

/** The configuration job's own policy and kubernetes-auth role (written only by the bootstrap run). */
export const CONFIGURE_ROLE = 'vault-configure';

/**
 * SEC-1: HashiCorp Vault in HA with integrated (raft) storage.
 *
 * - `replicas` raft voters spread over zones (topology spread) and nodes (the chart's anti-affinity).
 * - Auto-unseal with AWS KMS (`seal "awskms"`), credentials from the `vault` service account's
 *   Pod Identity role: no unseal keys to type, no AWS key stored.
 * - TLS on the API and cluster ports with a certificate generated once in the cluster by a Job
 *   (private CA whose key is discarded; see `VAULT_CERT_DAYS` and the README renewal runbook).
 * - Audit device on its own persistent volume (`/vault/audit`), enabled by the configuration job.
 * - The agent injector delivers secrets to application pods.
 * - Configuration as code: a CronJob applies the kubernetes auth method, the KV v2 engine at
 *   `secret/`, the audit device, the policies and the roles from a ConfigMap, idempotently. It
 *   logs in through kubernetes auth with its own narrow policy; an operator enables that login
 *   once after `vault operator init` from their own machine with the root token (README), so no
 *   token is ever stored in the cluster.
 */
export class Vault extends Construct {
  readonly release: ChartRelease;
  readonly tlsJob: JobV1;
  /**
   * The jobs that published `vault-ca` into a client namespace, by publish id. A workload that
   * mounts `vault-ca` (or is injected with it) depends on the job of its namespace and on `release`
   * (the agent injector's webhook).
   */
  readonly caPublishers: Record<string, JobV1> = {};
  readonly configureJob: CronJobV1;
  readonly config: ConfigMapV1;
  readonly address: string;
  /** The Vault server configuration (HCL) given to the chart. */
  readonly serverConfig: string;
  readonly namespace: string;
  private readonly tlsServiceAccount: string;
  private readonly placement: NodePlacement;
  private readonly kubectlImage: string;

  constructor(scope: Construct, id: string, props: VaultProps) {
    super(scope, id);
    if (props.replicas < 1) {
      throw new Error(`${this.node.path}: 'replicas' must be >= 1. Got: ${props.replicas}`);
    }
    const ns = props.namespace;
    this.namespace = ns;
    const tlsDir = `/vault/userconfig/${VAULT_TLS_SECRET_NAME}`;
    this.address = `https://vault-active.${ns}.svc:8200`;

    // ---- TLS: a private CA and a server certificate, generated once in the cluster
    const tlsSa = new ServiceAccountV1(this, 'tls-service-account', { metadata: { name: 'vault-tls-bootstrap', namespace: ns } });
    const tlsRole = new RoleV1(this, 'tls-role', {
      metadata: { name: 'vault-tls-bootstrap', namespace: ns },
      rule: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }],
    });
    const tlsBinding = new RoleBindingV1(this, 'tls-role-binding', {
      metadata: { name: 'vault-tls-bootstrap', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: tlsRole.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: tlsSa.metadata.name, namespace: ns }],
    });
    this.tlsServiceAccount = tlsSa.metadata.name;
    this.placement = props.placement;
    this.kubectlImage = props.kubectlImage;
    const sans = [
      'vault',
      `vault.${ns}`,
      `vault.${ns}.svc`,
      `vault.${ns}.svc.cluster.local`,
      `vault-active.${ns}.svc`,
      `vault-active.${ns}.svc.cluster.local`,
      'vault-internal',
      '*.vault-internal',
      `*.vault-internal.${ns}.svc`,
      `*.vault-internal.${ns}.svc.cluster.local`,
    ]
      .map((d) => `DNS:${d}`)
      .concat('IP:127.0.0.1')
      .join(',');
    const generate = [
      'set -eu',
      'cd /work',
      'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj "/CN=toronto-ai vault CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout ca.key -out /tls/ca.crt',
      `openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=vault.${ns}.svc" -keyout /tls/tls.key -out server.csr`,
      `printf 'subjectAltName=${sans}\\nextendedKeyUsage=serverAuth,clientAuth\\nkeyUsage=critical,digitalSignature,keyEncipherment\\n' > server.ext`,
      `openssl x509 -req -in server.csr -CA /tls/ca.crt -CAkey ca.key -CAcreateserial -days ${VAULT_CERT_DAYS} -extfile server.ext -out /tls/tls.crt`,
      // The CA key is never stored: a new certificate means a new CA (README renewal runbook).
      'rm -f ca.key server.csr server.ext',
    ].join('\n');
    this.tlsJob = new JobV1(this, 'tls-job', {
      metadata: { name: 'vault-tls-bootstrap', namespace: ns, labels: { 'app.kubernetes.io/name': 'vault-tls-bootstrap' } },
      spec: {
        // Kept after it finishes (no TTL): a deleted Job would be re-created by the next apply.
        // Retried: an attempt that fails before it stores the secret (image pull, a node going
        // away) changes nothing, and the apply waits for the outcome below.
        backoffLimit: 4,
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'vault-tls-bootstrap' } },
          spec: {
            serviceAccountName: tlsSa.metadata.name,
            restartPolicy: 'Never',
            nodeSelector: props.placement.nodeSelector,
            toleration: props.placement.tolerations.map((t) => ({ ...t })),
            securityContext: JOB_POD_SECURITY,
            initContainer: [
              {
                name: 'generate',
                image: props.opensslImage,
                command: ['/bin/sh', '-c', generate],
                env: [{ name: 'HOME', value: '/work' }],
                resources: JOB_RESOURCES,
                securityContext: JOB_CONTAINER_SECURITY,
                volumeMount: [
                  { name: 'work', mountPath: '/work' },
                  { name: 'tls', mountPath: '/tls' },
                ],
              },
            ],
            container: [
              {
                name: 'store',
                image: props.kubectlImage,
                // Fails (and changes nothing) when the secret already exists.
                args: ['create', 'secret', 'generic', VAULT_TLS_SECRET_NAME, `--namespace=${ns}`, '--from-file=/tls'],
                resources: JOB_RESOURCES,
                securityContext: JOB_CONTAINER_SECURITY,
                volumeMount: [{ name: 'tls', mountPath: '/tls', readOnly: true }],
              },
            ],
            volume: [
              { name: 'work', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
              { name: 'tls', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
            ],
          },
        },
      },
      // The apply waits until the secret exists: Vault's pods and the CA publishers mount it. A
      // failed Job fails the apply (and is replaced by the next one) instead of leaving Vault
      // without its certificate.
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      // The service account and the binding that lets it create the secret exist first.
      dependsOn: [tlsSa, tlsBinding, ...(props.dependsOn ?? [])],
    });
    props.caSecretNamespaces.forEach((clientNs, i) => this.publishCa(`ca-${i}`, clientNs));

    // ---- the server
    const retryJoin = Array.from({ length: props.replicas }, (_, i) =>
      [
        '  retry_join {',
        `    leader_api_addr         = "https://vault-${i}.vault-internal:8200"`,
        `    leader_ca_cert_file     = "${tlsDir}/ca.crt"`,
        `    leader_tls_servername   = "vault-${i}.vault-internal"`,
        '  }',
      ].join('\n'),
    ).join('\n');
    this.serverConfig = [
      'ui = false',
      'disable_mlock = true',
      'listener "tcp" {',
      '  address            = "[::]:8200"',
      '  cluster_address    = "[::]:8201"',
      `  tls_cert_file      = "${tlsDir}/tls.crt"`,
      `  tls_key_file       = "${tlsDir}/tls.key"`,
      '  tls_min_version    = "tls12"',
      '  telemetry {',
      '    unauthenticated_metrics_access = true',
      '  }',
      '}',
      'storage "raft" {',
      '  path = "/vault/data"',
      retryJoin,
      '}',
      ...(props.unseal.migrateFromKmsKeyId
        ? ['seal "awskms" {', '  disabled   = "true"', `  region     = "${props.unseal.region}"`, `  kms_key_id = "${props.unseal.migrateFromKmsKeyId}"`, '}']
        : []),
      'seal "awskms" {',
      `  region     = "${props.unseal.region}"`,
      `  kms_key_id = "${props.unseal.kmsKeyId}"`,
      '}',
      'service_registration "kubernetes" {}',
      'telemetry {',
      '  prometheus_retention_time = "30s"',
      '  disable_hostname          = true',
      '}',
    ].join('\n');

    const resources = { requests: { ...props.compute }, limits: { ...props.compute } };
    this.release = new ChartRelease(this, 'release', {
      name: 'vault',
      namespace: ns,
      chart: CHARTS.vault,
      values: {
        global: { enabled: true, tlsDisable: false },
        // The injector follows global.enabled (its default '-').
        injector: {
          replicas: props.replicas > 1 ? 2 : 1,
          // SEC-1 / issue 15: fail closed, for exactly the pods that ask for injection (their
          // label; constructs/app/vault-agent.ts): such a pod is never created without its secrets,
          // and no other pod depends on the injector.
          // (objectSelector is a string in the chart's values: it goes through `tpl`.)
          webhook: {
            failurePolicy: 'Fail',
            objectSelector: `matchLabels:\n${Object.entries(VAULT_INJECT_LABEL).map(([k, v]) => `  ${k}: "${v}"\n`).join('')}`,
          },
          // rendered whole (toYaml) into the injector's budget; one replica gets none
          ...(props.replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
          agentImage: { tag: props.imageTag },
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
          securityContext: { pod: { ...POD_SECURITY }, container: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: true } },
          nodeSelector: props.placement.nodeSelector,
          tolerations: props.placement.tolerations,
        },
        server: {
          image: { repository: 'hashicorp/vault', tag: props.imageTag },
          resources,
          nodeSelector: props.placement.nodeSelector,
          tolerations: props.placement.tolerations,
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'vault', component: 'server' } },
            },
          ],
          // Readiness stays the chart's `vault status` (ready = unsealed). Helm does not wait for
          // the pods of an OnDelete StatefulSet, so the first install completes before
          // `vault operator init`. Liveness only restarts a hung process, not a sealed one.
          livenessProbe: { enabled: true, path: '/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204', initialDelaySeconds: 60 },
          extraEnvironmentVars: { VAULT_CACERT: `${tlsDir}/ca.crt`, AWS_REGION: props.unseal.region },
          // /tmp: the chart's start script writes the server configuration there (storageconfig.hcl);
          // the root filesystem is read-only (statefulSet.securityContext.container).
          volumes: [
            { name: VAULT_TLS_SECRET_NAME, secret: { secretName: VAULT_TLS_SECRET_NAME, defaultMode: 0o440 } },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          ],
          volumeMounts: [
            { name: VAULT_TLS_SECRET_NAME, mountPath: tlsDir, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          dataStorage: { enabled: true, size: `${props.dataStorageGiB}Gi`, storageClass: props.storageClass },
          auditStorage: { enabled: true, size: `${props.auditStorageGiB}Gi`, storageClass: props.storageClass },
          ha: {
            enabled: true,
            replicas: props.replicas,
            raft: { enabled: true, setNodeId: true, config: this.serverConfig },
            // The chart's budget allows floor((n-1)/2) evictions: none with one replica, which
            // would block every node drain, so a single server gets no budget.
            disruptionBudget: { enabled: props.replicas > 1 },
          },
          serviceAccount: { create: true, name: 'vault' },
          statefulSet: { securityContext: { pod: { ...POD_SECURITY }, container: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: true } } },
        },
        ui: { enabled: false },
      },
      dependsOn: [this.tlsJob, ...(props.dependsOn ?? [])],
    });

    // ---- configuration as code
    const retired = props.retiredRoles ?? [];
    const policies: Record<string, string> = { [`policy-${CONFIGURE_ROLE}.hcl`]: configurePolicy(props.clients, retired) };
    for (const c of props.clients) policies[`policy-${c.role}.hcl`] = clientPolicy(c);
    const roles = props.clients
      .map(
        (c) =>
          `vault write auth/kubernetes/role/${c.role} ${Object.entries(clientRoleParameters(c))
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
      )
      .join('\n');
    const script = [
      '#!/bin/sh',
      'set -eu',
      `export VAULT_ADDR="${this.address}"`,
      'export VAULT_CACERT=/tls/ca.crt',
      'set +e; vault status >/dev/null 2>&1; status=$?; set -e',
      'if [ "$status" -ne 0 ]; then echo "Vault is not initialised, sealed or unreachable (status $status): nothing to do (README: Vault first initialisation)"; exit 0; fi',
      // Logs in with its own service account; the first login is made possible once, after
      // `vault operator init`, by the README's bootstrap (no token is ever stored in the cluster).
      `VAULT_TOKEN="$(vault write -field=token auth/kubernetes/login role=${CONFIGURE_ROLE} jwt=@/var/run/secrets/kubernetes.io/serviceaccount/token)" || { echo "kubernetes auth not bootstrapped yet (README: Vault first initialisation)"; exit 0; }`,
      'export VAULT_TOKEN',
      'vault auth list -format=json | grep -q \'"kubernetes/"\' || vault auth enable kubernetes',
      `vault write auth/kubernetes/config kubernetes_host="${KUBERNETES_HOST}"`,
      'vault secrets list -format=json | grep -q \'"secret/"\' || vault secrets enable -path=secret -version=2 kv',
      'vault audit list -format=json 2>/dev/null | grep -q \'"file/"\' || vault audit enable file file_path=/vault/audit/vault-audit.log',
      // Its own policy and role are written once by the operator's bootstrap (README), never by itself.
      // No dollar-brace in the script: Terraform would read it as an interpolation.
      `for f in /config/policy-*.hcl; do name="$(basename "$f" .hcl | sed 's/^policy-//')"; [ "$name" = ${CONFIGURE_ROLE} ] || vault policy write "$name" "$f"; done`,
      roles,
      ...retired.map((r) => `vault delete auth/kubernetes/role/${r} >/dev/null`),
      'echo "Vault configuration applied"',
    ].join('\n');
    this.config = new ConfigMapV1(this, 'configure-script', {
      metadata: { name: 'vault-configure', namespace: ns },
      data: { 'configure.sh': script, ...policies },
    });
    const configureSa = new ServiceAccountV1(this, 'configure-service-account', {
      metadata: { name: 'vault-configure', namespace: ns },
    });
    this.configureJob = new CronJobV1(this, 'configure-job', {
      metadata: { name: 'vault-configure', namespace: ns, labels: { 'app.kubernetes.io/name': 'vault-configure' } },
      spec: {
        schedule: props.configureSchedule,
        ...CRON_JOB_POLICY,
        successfulJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { labels: { 'app.kubernetes.io/name': 'vault-configure' } },
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 600,
            ttlSecondsAfterFinished: '86400',
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': 'vault-configure' } },
              spec: {
                serviceAccountName: configureSa.metadata.name,
                restartPolicy: 'Never',
                nodeSelector: props.placement.nodeSelector,
                toleration: props.placement.tolerations.map((t) => ({ ...t })),
                securityContext: JOB_POD_SECURITY,
                container: [
                  {
                    name: 'configure',
                    image: `hashicorp/vault:${props.imageTag}`,
                    command: ['/bin/sh', '/config/configure.sh'],
                    env: [{ name: 'HOME', value: '/tmp' }],
                    resources: JOB_RESOURCES,
                    securityContext: JOB_CONTAINER_SECURITY,
                    volumeMount: [
                      { name: 'config', mountPath: '/config', readOnly: true },
                      { name: 'tls', mountPath: '/tls', readOnly: true },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volume: [
                  { name: 'config', configMap: { name: this.config.metadata.name } },
                  { name: 'tls', secret: { secretName: VAULT_TLS_SECRET_NAME, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                  { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
                ],
              },
            },
          },
        },
      },
      dependsOn: [this.release.release],
    });
  }

  /**
   * Publishes the public CA certificate as the `vault-ca` secret in `clientNamespace` (a name or
   * a namespace reference), so injected agents there verify Vault's certificate. A one-shot Job in
   * Vault's namespace mounts only `ca.crt` of the server secret; its role may only create secrets
   * in the client namespace (it reads nothing there).
   */
  publishCa(id: string, clientNamespace: string): JobV1 {
    const role = new RoleV1(this, `${id}-role`, {
      metadata: { name: 'vault-ca-publisher', namespace: clientNamespace },
      rule: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }],
    });
    const binding = new RoleBindingV1(this, `${id}-role-binding`, {
      metadata: { name: 'vault-ca-publisher', namespace: clientNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: this.tlsServiceAccount, namespace: this.namespace }],
    });
    const job = new JobV1(this, `${id}-job`, {
      metadata: { name: `vault-publish-${id}`, namespace: this.namespace, labels: { 'app.kubernetes.io/name': 'vault-ca-publisher' } },
      spec: {
        // Kept after it finishes (no TTL): a deleted Job would be re-created by the next apply.
        backoffLimit: 6,
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'vault-ca-publisher' } },
          spec: {
            serviceAccountName: this.tlsServiceAccount,
            restartPolicy: 'Never',
            nodeSelector: this.placement.nodeSelector,
            toleration: this.placement.tolerations.map((t) => ({ ...t })),
            securityContext: JOB_POD_SECURITY,
            container: [
              {
                name: 'publish',
                image: this.kubectlImage,
                // Fails (and changes nothing) when the secret already exists.
                args: ['create', 'secret', 'generic', VAULT_CA_SECRET_NAME, `--namespace=${clientNamespace}`, '--from-file=ca.crt=/tls/ca.crt'],
                resources: JOB_RESOURCES,
                securityContext: JOB_CONTAINER_SECURITY,
                volumeMount: [{ name: 'ca', mountPath: '/tls', readOnly: true }],
              },
            ],
            // Waits (ContainerCreating) until the TLS job has written the server secret.
            volume: [{ name: 'ca', secret: { secretName: VAULT_TLS_SECRET_NAME, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      dependsOn: [role, binding, this.tlsJob],
    });
    this.caPublishers[id] = job;
    return job;
  }
}
