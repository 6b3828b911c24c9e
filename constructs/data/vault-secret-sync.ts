import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { CronJobV1, PodSpecVolume, CRON_JOB_POLICY } from '../kubernetes/workloads';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { NodePlacement } from '../nodepools/placement';
import { VAULT_CA_SECRET_NAME } from './vault';

/** One field of the Vault secret, read from a key of a Kubernetes secret of the same namespace. */
export interface SyncedField {
  /** Field name in the Vault secret, e.g. `postgres_uri`. */
  readonly field: string;
  readonly secretName: string;
  readonly key: string;
}

export interface VaultSecretSyncProps {
  /** Namespace of the source secrets (the job runs there, so it can mount them). */
  readonly namespace: string;
  /** Name of the CronJob and of its service account (bound to `vaultRole` in Vault). */
  readonly name: string;
  readonly schedule: string;
  /** Vault's address (https) and the kubernetes-auth role the job logs in with. */
  readonly vaultAddress: string;
  readonly vaultRole: string;
  /** hashicorp/vault image (the CLI). */
  readonly vaultImage: string;
  /** KV v2 path under `secret/`, e.g. `toronto-ai/database`. */
  readonly path: string;
  readonly fields: readonly SyncedField[];
  /**
   * The source Secrets may not exist yet (e.g. synced from Secrets Manager before a person has put
   * a value): they are mounted optionally, and a run that finds any field missing or empty writes
   * nothing (what Vault holds stays) and says so.
   * @default false: the Secrets are created before the job (operators' generated Secrets)
   */
  readonly optionalSources?: boolean;
  readonly placement: NodePlacement;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * DATA-5 / SEC-1: copies credentials that operators generate in the cluster (CloudNativePG's
 * `postgres-app`, the MongoDB operator's connection-string secret) into Vault, where the
 * application reads them through the agent injector. The job mounts the source keys as files and
 * hands them to `vault kv put field=@file`, so no value passes through a command line, an
 * environment variable or the configuration. It logs in with its own service account (Vault
 * kubernetes auth, a policy that may only write this one path) and verifies Vault's certificate
 * with the `vault-ca` secret. Before Vault is initialised it exits without doing anything.
 */
export class VaultSecretSync extends Construct {
  readonly cronJob: CronJobV1;
  readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: VaultSecretSyncProps) {
    super(scope, id);
    if (props.fields.length === 0) {
      throw new Error(`${this.node.path}: 'fields' must name at least one field. Got none`);
    }
    for (const f of props.fields) {
      if (!/^[a-z][a-z0-9_]*$/.test(f.field)) {
        throw new Error(`${this.node.path}: field '${f.field}' must be lower-case letters, digits and underscores`);
      }
    }
    const sa = new ServiceAccountV1(this, 'service-account', { metadata: { name: props.name, namespace: props.namespace } });
    this.serviceAccountName = props.name;

    const secrets = [...new Set(props.fields.map((f) => f.secretName))];
    const volumes: PodSpecVolume[] = [
      { name: 'vault-ca', secret: { secretName: VAULT_CA_SECRET_NAME } },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
      ...secrets.map((secretName, i) => ({
        name: `source-${i}`,
        secret: {
          secretName,
          ...(props.optionalSources ? { optional: true } : {}),
          items: props.fields.filter((f) => f.secretName === secretName).map((f) => ({ key: f.key, path: f.field })),
        },
      })),
    ];
    const fileOf = (f: SyncedField) => `/sources/${secrets.indexOf(f.secretName)}/${f.field}`;
    const script = [
      'set -eu',
      `export VAULT_ADDR="${props.vaultAddress}"`,
      'export VAULT_CACERT=/vault-ca/ca.crt',
      `VAULT_TOKEN="$(vault write -field=token auth/kubernetes/login role=${props.vaultRole} jwt=@/var/run/secrets/kubernetes.io/serviceaccount/token)" || { echo "Vault not initialised or role ${props.vaultRole} not configured yet: nothing to do"; exit 0; }`,
      'export VAULT_TOKEN',
      ...(props.optionalSources
        ? [`for f in ${props.fields.map(fileOf).join(' ')}; do [ -s "$f" ] || { echo "$f has no value yet: secret/${props.path} left as it is"; exit 0; }; done`]
        : []),
      `vault kv put -mount=secret ${props.path} ${props.fields.map((f) => `${f.field}=@${fileOf(f)}`).join(' ')} >/dev/null`,
      `echo "secret/${props.path} updated (${props.fields.map((f) => f.field).join(', ')})"`,
    ].join('\n');

    this.cronJob = new CronJobV1(this, 'cron-job', {
      metadata: { name: props.name, namespace: props.namespace, labels: { 'app.kubernetes.io/name': props.name } },
      spec: {
        schedule: props.schedule,
        ...CRON_JOB_POLICY,
        successfulJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { labels: { 'app.kubernetes.io/name': props.name } },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 300,
            ttlSecondsAfterFinished: '86400',
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': props.name } },
              spec: {
                serviceAccountName: sa.metadata.name,
                restartPolicy: 'Never',
                nodeSelector: props.placement.nodeSelector,
                toleration: props.placement.tolerations.map((t) => ({ ...t })),
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: '100',
                  runAsGroup: '1000',
                  fsGroup: '1000',
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                container: [
                  {
                    name: 'sync',
                    image: props.vaultImage,
                    command: ['/bin/sh', '-c', script],
                    env: [{ name: 'HOME', value: '/tmp' }],
                    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } },
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      readOnlyRootFilesystem: true,
                      runAsNonRoot: true,
                      capabilities: { drop: ['ALL'] },
                      seccompProfile: { type: 'RuntimeDefault' },
                    },
                    volumeMount: [
                      { name: 'vault-ca', mountPath: '/vault-ca', readOnly: true },
                      { name: 'tmp', mountPath: '/tmp' },
                      ...secrets.map((_, i) => ({ name: `source-${i}`, mountPath: `/sources/${i}`, readOnly: true })),
                    ],
                  },
                ],
                volume: volumes,
              },
            },
          },
        },
      },
      dependsOn: props.dependsOn,
    });
  }
}
