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
/** Optional secret with a one-time bootstrap token for the first configuration run (README runbook). */
export const VAULT_BOOTSTRAP_TOKEN_SECRET_NAME = 'vault-configure-token';
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
}

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
  /** Region and key (ARN or `alias/...`) of the awskms seal; the server's Pod Identity role may use it. */
  readonly unseal: { readonly region: string; readonly kmsKeyId: string };
  /** Who reads which secrets (policies and kubernetes auth roles, written by the configuration job). */
  readonly clients: readonly VaultClient[];
  /** Namespaces (names or namespace references) that receive the `vault-ca` secret. */
  readonly caSecretNamespaces: readonly string[];
  /** Images of the one-time TLS job. */
  readonly opensslImage: string;
  readonly kubectlImage: string;
  /** Five-field cron of the configuration job (it is idempotent). */
  readonly configureSchedule: string;
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
  if (reads.length + writes.length === 0) {
    throw new Error(`clientPolicy: role '${client.role}' needs readPaths or writePaths. Got neither`);
  }
  return [...reads, ...writes].join('\n');
}

/** What the configuration job itself may do once kubernetes auth works (no root token needed). */
export const CONFIGURE_POLICY = `path "sys/auth" {
  capabilities = ["read"]
}
path "sys/auth/kubernetes" {
  capabilities = ["create", "update", "read", "sudo"]
}
path "auth/kubernetes/*" {
  capabilities = ["create", "update", "read", "list"]
}
path "sys/policies/acl/*" {
  capabilities = ["create", "update", "read", "list"]
}
path "sys/mounts" {
  capabilities = ["read"]
}
path "sys/mounts/secret" {
  capabilities = ["create", "update", "read"]
}
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/audit/file" {
  capabilities = ["create", "update", "read", "sudo"]
}`;

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
 *   `secret/`, the audit device, the policies and the roles from a ConfigMap, idempotently. Its
 *   first run uses a bootstrap token an operator places once after `vault operator init`; later
 *   runs log in through kubernetes auth with their own narrow policy.
 */
export class Vault extends Construct {
  readonly release: ChartRelease;
  readonly tlsJob: JobV1;
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
    new RoleBindingV1(this, 'tls-role-binding', {
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
        backoffLimit: 0,
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
      waitForCompletion: false,
      dependsOn: props.dependsOn,
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
          volumes: [{ name: VAULT_TLS_SECRET_NAME, secret: { secretName: VAULT_TLS_SECRET_NAME, defaultMode: 0o440 } }],
          volumeMounts: [{ name: VAULT_TLS_SECRET_NAME, mountPath: tlsDir, readOnly: true }],
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
          statefulSet: { securityContext: { pod: { ...POD_SECURITY }, container: { ...CONTAINER_SECURITY } } },
        },
        ui: { enabled: false },
      },
      dependsOn: [this.tlsJob, ...(props.dependsOn ?? [])],
    });

    // ---- configuration as code
    const policies: Record<string, string> = { 'policy-vault-configure.hcl': CONFIGURE_POLICY };
    for (const c of props.clients) policies[`policy-${c.role}.hcl`] = clientPolicy(c);
    const roles = props.clients
      .map(
        (c) =>
          `vault write auth/kubernetes/role/${c.role} bound_service_account_names=${c.serviceAccounts.join(',')} bound_service_account_namespaces=${c.namespaces.join(',')} policies=${c.role} ttl=1h max_ttl=4h`,
      )
      .join('\n');
    const script = [
      '#!/bin/sh',
      'set -eu',
      `export VAULT_ADDR="${this.address}"`,
      'export VAULT_CACERT=/tls/ca.crt',
      'set +e; vault status >/dev/null 2>&1; status=$?; set -e',
      'if [ "$status" -ne 0 ]; then echo "Vault is not initialised, sealed or unreachable (status $status): nothing to do (README: Vault first initialisation)"; exit 0; fi',
      'if [ -s /bootstrap/token ]; then',
      '  VAULT_TOKEN="$(cat /bootstrap/token)"',
      'else',
      '  VAULT_TOKEN="$(vault write -field=token auth/kubernetes/login role=vault-configure jwt=@/var/run/secrets/kubernetes.io/serviceaccount/token)" || { echo "no bootstrap token and kubernetes auth not configured yet (README: Vault first initialisation)"; exit 0; }',
      'fi',
      'export VAULT_TOKEN',
      'vault auth list -format=json | grep -q \'"kubernetes/"\' || vault auth enable kubernetes',
      'vault write auth/kubernetes/config kubernetes_host="https://kubernetes.default.svc:443"',
      'vault secrets list -format=json | grep -q \'"secret/"\' || vault secrets enable -path=secret -version=2 kv',
      'vault audit list -format=json 2>/dev/null | grep -q \'"file/"\' || vault audit enable file file_path=/vault/audit/vault-audit.log',
      'for f in /config/policy-*.hcl; do name="$(basename "$f" .hcl)"; vault policy write "${name#policy-}" "$f"; done',
      `vault write auth/kubernetes/role/vault-configure bound_service_account_names=vault-configure bound_service_account_namespaces=${ns} policies=vault-configure ttl=15m`,
      roles,
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
                      { name: 'bootstrap', mountPath: '/bootstrap', readOnly: true },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volume: [
                  { name: 'config', configMap: { name: this.config.metadata.name } },
                  { name: 'tls', secret: { secretName: VAULT_TLS_SECRET_NAME, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                  { name: 'bootstrap', secret: { secretName: VAULT_BOOTSTRAP_TOKEN_SECRET_NAME, optional: true } },
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
    return new JobV1(this, `${id}-job`, {
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
      waitForCompletion: false,
      dependsOn: [binding, this.tlsJob],
    });
  }
}
