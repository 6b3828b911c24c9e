import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { NodePlacement } from '../nodepools/placement';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { JobV1 } from '../kubernetes/workloads';
import { BackupCronJob } from './backup-cron-job';
import { VAULT_TLS_SECRET_NAME } from './vault';

/** The object each snapshot run writes under its timestamp: `s3://<bucket>/<prefix>/<timestamp>/vault.snap`. */
export const VAULT_SNAPSHOT_FILE = 'vault.snap';

/** Where the dump step sees its service-account token and Vault's CA. */
const FILES = '/var/run/secrets/vault-snapshot';

export interface VaultSnapshotsProps {
  /** Vault's namespace: the job runs beside the servers. */
  readonly namespace: string;
  /** CronJob name (kube-state-metrics' `cronjob` label, the pods' `app.kubernetes.io/name`). */
  readonly name: string;
  /** Service account; the cloud stack's Pod Identity role for it may write only under `prefix`. */
  readonly serviceAccountName: string;
  /** Kubernetes-auth role whose policy grants only `read` on `sys/storage/raft/snapshot`. */
  readonly vaultRole: string;
  /** `https://vault-active.<ns>.svc:8200`: snapshots are taken from the active server. */
  readonly vaultAddress: string;
  /** `hashicorp/vault:<tag>`: the CLI of the server's own version. */
  readonly vaultImage: string;
  readonly awsCliImage: string;
  /** Five-field cron (UTC). */
  readonly schedule: string;
  readonly bucket: string;
  readonly region: string;
  /** The backup contract's segment (`vault`). */
  readonly prefix: string;
  readonly placement: NodePlacement;
  readonly dependsOn?: ITerraformDependable[];
}

/** The dump step: log in with the job's own role, save a raft snapshot from the active server. */
export function snapshotScript(props: Pick<VaultSnapshotsProps, 'vaultAddress' | 'vaultRole'>): string {
  return [
    'set -eu',
    `export VAULT_ADDR="${props.vaultAddress}"`,
    `export VAULT_CACERT=${FILES}/ca.crt`,
    `VAULT_TOKEN="$(vault write -field=token auth/kubernetes/login role=${props.vaultRole} jwt=@${FILES}/token)"`,
    'export VAULT_TOKEN',
    `vault operator raft snapshot save /backup/${VAULT_SNAPSHOT_FILE}`,
    `test -s /backup/${VAULT_SNAPSHOT_FILE}`,
    'vault token revoke -self || true',
  ].join('\n');
}

/**
 * SEC-1 / BAK-2: Vault's integrated storage saved off the cluster. A CronJob in Vault's
 * namespace logs in through kubernetes auth with a role that may only read
 * `sys/storage/raft/snapshot` (token lifetime of the client roles, revoked after the save), writes
 * the snapshot into a size-limited emptyDir, and the upload step copies it to
 * `s3://<bucket>/<prefix>/<timestamp>/vault.snap` with the job's Pod Identity role (its own prefix
 * only; objects take the bucket's SSE-KMS key and replicate with the bucket). The snapshot is
 * encrypted by Vault's barrier: it is useless without the unseal key (multi-region, so the replica
 * region can unseal a restore).
 */
export class VaultSnapshots extends Construct {
  readonly job: BackupCronJob;

  constructor(scope: Construct, id: string, props: VaultSnapshotsProps) {
    super(scope, id);
    this.job = new BackupCronJob(this, 'backup', {
      name: props.name,
      namespace: props.namespace,
      serviceAccountName: props.serviceAccountName,
      schedule: props.schedule,
      dump: {
        image: props.vaultImage,
        script: snapshotScript(props),
        files: {
          mountPath: FILES,
          serviceAccountToken: true,
          secrets: [{ name: VAULT_TLS_SECRET_NAME, items: [{ key: 'ca.crt', path: 'ca.crt' }] }],
        },
      },
      // A raft snapshot is the size of Vault's data (megabytes); the limit keeps a runaway off the node's disk.
      scratchSizeLimit: '1Gi',
      awsCliImage: props.awsCliImage,
      uploadFrom: '/backup',
      bucket: props.bucket,
      region: props.region,
      prefix: props.prefix,
      placement: props.placement,
      // A run must finish well within the shortest schedule (5 minutes).
      activeDeadlineSeconds: 240,
      dependsOn: props.dependsOn,
    });
  }
}

export interface VaultRestoreProps {
  readonly namespace: string;
  /** Job name prefix; the Job is `<name>-<snapshot, lower-case>`: a new snapshot is a new Job. */
  readonly name: string;
  /** Service account; its Pod Identity role may only read `prefix` of the bucket. */
  readonly serviceAccountName: string;
  /** Kubernetes-auth role (update + sudo on `sys/storage/raft/snapshot`), used when Vault is initialised. */
  readonly vaultRole: string;
  /** The active server (initialised Vault) and the first server (a rebuilt, uninitialised Vault). */
  readonly vaultAddress: string;
  readonly firstServerAddress: string;
  readonly vaultImage: string;
  readonly awsCliImage: string;
  readonly bucket: string;
  readonly region: string;
  /** The backup contract's segment (`vault`): the same prefix the snapshots are written under. */
  readonly prefix: string;
  /** The timestamp folder of the snapshot, e.g. `2026-11-29T053000Z`. */
  readonly snapshot: string;
  readonly placement: NodePlacement;
  readonly dependsOn?: ITerraformDependable[];
}

/** The restore step (see `VaultRestore`). */
export function restoreScript(props: Pick<VaultRestoreProps, 'vaultAddress' | 'firstServerAddress' | 'vaultRole'>): string {
  return [
    'set -eu',
    `export VAULT_CACERT=${FILES}/ca.crt`,
    `snap=/restore/${VAULT_SNAPSHOT_FILE}`,
    'test -s "$snap"',
    `if VAULT_ADDR="${props.firstServerAddress}" vault status -format=json 2>/dev/null | grep -q '"initialized": false'; then`,
    // A rebuilt Vault (region or cluster loss): initialise it with a throwaway recovery share and
    // root token that never leave this process, then force the snapshot in. The snapshot brings
    // back its own keyring (unsealed by the same KMS key material), recovery keys, tokens and
    // configuration: the throwaway ones are gone with it.
    `  export VAULT_ADDR="${props.firstServerAddress}"`,
    '  VAULT_TOKEN="$(vault operator init -recovery-shares=1 -recovery-threshold=1 -format=json | sed -n \'s/.*"root_token": *"\\([^"]*\\)".*/\\1/p\')"',
    '  export VAULT_TOKEN',
    '  vault operator raft snapshot restore -force "$snap"',
    'else',
    // A running Vault rolled back to the snapshot: the Job's own role, which exists only while
    // the restore is configured.
    `  export VAULT_ADDR="${props.vaultAddress}"`,
    `  VAULT_TOKEN="$(vault write -field=token auth/kubernetes/login role=${props.vaultRole} jwt=@${FILES}/token)"`,
    '  export VAULT_TOKEN',
    '  vault operator raft snapshot restore "$snap"',
    'fi',
    'echo "Vault restored from the snapshot"',
  ].join('\n');
}

/**
 * BAK-3, issue 13: restore as configuration. `data.vault.restore.snapshot` makes this one-off
 * Job: its first step copies `s3://<bucket>/<prefix>/<snapshot>/vault.snap` (exactly where
 * `VaultSnapshots` writes) with a read-only Pod Identity role; the second restores it into Vault,
 * a rebuilt one (uninitialised) or the running one (see `restoreScript`). The apply does not wait
 * for it (Vault may still be starting); its logs say what it did.
 */
export class VaultRestore extends Construct {
  readonly job: JobV1;
  readonly source: string;

  constructor(scope: Construct, id: string, props: VaultRestoreProps) {
    super(scope, id);
    if (!/^\d{4}-\d{2}-\d{2}T\d{6}Z$/.test(props.snapshot)) {
      throw new Error(`${this.node.path}: 'snapshot' must be a snapshot's timestamp folder such as 2026-11-29T053000Z. Got: ${props.snapshot}`);
    }
    this.source = `s3://${props.bucket}/${props.prefix}/${props.snapshot}/${VAULT_SNAPSHOT_FILE}`;
    const sa = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: props.serviceAccountName, namespace: props.namespace },
      automountServiceAccountToken: false,
    });
    const labels = { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/component': 'restore' };
    const container = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
    this.job = new JobV1(this, 'job', {
      metadata: { name: `${props.name}-${props.snapshot.toLowerCase()}`, namespace: props.namespace, labels },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 1800,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.metadata.name,
            automountServiceAccountToken: false,
            restartPolicy: 'Never',
            nodeSelector: props.placement.nodeSelector,
            toleration: props.placement.tolerations.map((t) => ({ ...t })),
            securityContext: { runAsNonRoot: true, runAsUser: '65534', runAsGroup: '65534', fsGroup: '65534', seccompProfile: { type: 'RuntimeDefault' } },
            initContainer: [
              {
                name: 'download',
                image: props.awsCliImage,
                command: ['/bin/sh', '-c', `set -eu\naws s3 cp --only-show-errors "${this.source}" /restore/${VAULT_SNAPSHOT_FILE}`],
                env: [
                  { name: 'HOME', value: '/tmp' },
                  { name: 'AWS_REGION', value: props.region },
                ],
                resources,
                securityContext: container,
                volumeMount: [
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'restore', mountPath: '/restore' },
                ],
              },
            ],
            container: [
              {
                name: 'restore',
                image: props.vaultImage,
                command: ['/bin/sh', '-c', restoreScript(props)],
                env: [{ name: 'HOME', value: '/tmp' }],
                resources,
                securityContext: container,
                volumeMount: [
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'restore', mountPath: '/restore', readOnly: true },
                  { name: 'files', mountPath: FILES, readOnly: true },
                ],
              },
            ],
            volume: [
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
              { name: 'restore', emptyDir: { sizeLimit: '1Gi' } },
              {
                name: 'files',
                projected: [
                  {
                    sources: [
                      { serviceAccountToken: { path: 'token', expirationSeconds: 600 } },
                      { secret: [{ name: VAULT_TLS_SECRET_NAME, items: [{ key: 'ca.crt', path: 'ca.crt' }] }] },
                    ],
                  },
                ],
              },
            ],
          },
        },
      },
      waitForCompletion: false,
      dependsOn: [sa, ...(props.dependsOn ?? [])],
    });
  }
}
