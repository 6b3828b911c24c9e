import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { JobV1 } from '../kubernetes/workloads';
import { NodePlacement } from '../nodepools/placement';
import { RESTRICTED_CONTAINER_SECURITY } from '../common/pod-security';

/** The Secret holding the beats connection's CA, server and client certificates and keys. */
export const BEATS_TLS_SECRET = 'beats-tls';
/** The Job that generates it (the ordering walker names it as the Secret's creator). */
export const BEATS_TLS_JOB = 'beats-tls-bootstrap';
/** Days the server and client certificates are valid (the CA: 10 years). */
export const BEATS_CERT_DAYS = 825;

/** Keys of BEATS_TLS_SECRET: Logstash mounts the server's, Filebeat the client's (each with the CA). */
export const BEATS_TLS_KEYS = {
  ca: 'ca.crt',
  serverCert: 'server.crt',
  /** PKCS#8, as the Logstash beats input requires. */
  serverKey: 'server.key',
  clientCert: 'client.crt',
  clientKey: 'client.key',
} as const;

export interface BeatsTlsProps {
  /** Namespace of Logstash and Filebeat (`logging`): the Secret is created there. */
  readonly namespace: string;
  /** DNS names of the beats Service the server certificate is for. */
  readonly serverNames: readonly string[];
  /** Image with openssl (the definition's `jobImages.openssl`). */
  readonly opensslImage: string;
  /** Image with kubectl (the definition's `jobImages.kubectl`). */
  readonly kubectlImage: string;
  readonly placement: NodePlacement;
  readonly dependsOn?: ITerraformDependable[];
}

const POD_SECURITY = { runAsNonRoot: true, runAsUser: '100', runAsGroup: '1000', fsGroup: '1000', seccompProfile: { type: 'RuntimeDefault' } };
const RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } };

/** The openssl script: a private CA, a server certificate for `names`, a client certificate; the CA key is discarded. */
export function beatsTlsScript(names: readonly string[]): string {
  const k = BEATS_TLS_KEYS;
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  const san = names.map((n) => `DNS:${n}`).join(',');
  return [
    'set -eu',
    'cd /work',
    `openssl req -x509 ${ec} -days 3650 -subj "/CN=toronto-ai beats CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout ca.key -out /tls/${k.ca}`,
    `openssl req ${ec} -subj "/CN=${names[0]}" -keyout server.pem -out server.csr`,
    `printf 'subjectAltName=${san}\\nextendedKeyUsage=serverAuth\\nkeyUsage=critical,digitalSignature\\n' > server.ext`,
    `openssl x509 -req -in server.csr -CA /tls/${k.ca} -CAkey ca.key -CAserial ca.srl -CAcreateserial -days ${BEATS_CERT_DAYS} -extfile server.ext -out /tls/${k.serverCert}`,
    `openssl pkcs8 -topk8 -nocrypt -in server.pem -out /tls/${k.serverKey}`,
    `openssl req ${ec} -subj "/CN=filebeat" -keyout /tls/${k.clientKey} -out client.csr`,
    `printf 'extendedKeyUsage=clientAuth\\nkeyUsage=critical,digitalSignature\\n' > client.ext`,
    `openssl x509 -req -in client.csr -CA /tls/${k.ca} -CAkey ca.key -CAserial ca.srl -CAcreateserial -days ${BEATS_CERT_DAYS} -extfile client.ext -out /tls/${k.clientCert}`,
    // Proves the chain before anything is stored.
    `openssl verify -CAfile /tls/${k.ca} /tls/${k.serverCert} /tls/${k.clientCert}`,
    // The CA key is never stored: new certificates mean a new CA (README renewal runbook).
    'rm -f ca.key ca.srl server.pem server.csr server.ext client.csr client.ext',
  ].join('\n');
}

/**
 * TLS for Filebeat -> Logstash (beats, 5044), issued in the cluster: a one-shot Job generates a
 * private CA, Logstash's server certificate (the beats Service's names) and Filebeat's client
 * certificate, and stores them in one Secret; Logstash requires and verifies the client
 * certificate, Filebeat verifies the server's certificate and name against the CA. Each side
 * mounts only its own certificate, key and the CA (secret volume items). Same pattern as Vault's
 * certificate (constructs/data/vault.ts): nothing secret passes through Terraform.
 */
export class BeatsTls extends Construct {
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: BeatsTlsProps) {
    super(scope, id);
    if (props.serverNames.length === 0) throw new Error(`${this.node.path}: 'serverNames' must name the beats Service`);
    const ns = props.namespace;
    const sa = new ServiceAccountV1(this, 'service-account', { metadata: { name: BEATS_TLS_JOB, namespace: ns } });
    const role = new RoleV1(this, 'role', {
      metadata: { name: BEATS_TLS_JOB, namespace: ns },
      rule: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }],
    });
    const binding = new RoleBindingV1(this, 'role-binding', {
      metadata: { name: BEATS_TLS_JOB, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: ns }],
    });
    const labels = { 'app.kubernetes.io/name': BEATS_TLS_JOB };
    this.job = new JobV1(this, 'job', {
      metadata: { name: BEATS_TLS_JOB, namespace: ns, labels },
      spec: {
        // Kept after it finishes (no TTL): a deleted Job would be re-created by the next apply.
        backoffLimit: 4,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.metadata.name,
            restartPolicy: 'Never',
            nodeSelector: props.placement.nodeSelector,
            toleration: props.placement.tolerations.map((t) => ({ ...t })),
            securityContext: POD_SECURITY,
            initContainer: [
              {
                name: 'generate',
                image: props.opensslImage,
                command: ['/bin/sh', '-c', beatsTlsScript(props.serverNames)],
                env: [{ name: 'HOME', value: '/work' }],
                resources: RESOURCES,
                securityContext: RESTRICTED_CONTAINER_SECURITY,
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
                args: ['create', 'secret', 'generic', BEATS_TLS_SECRET, `--namespace=${ns}`, '--from-file=/tls'],
                resources: RESOURCES,
                securityContext: RESTRICTED_CONTAINER_SECURITY,
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
      // Logstash and Filebeat mount the Secret: the apply waits until it exists.
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      dependsOn: [sa, binding, ...(props.dependsOn ?? [])],
    });
  }
}
