import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { NodePlacement } from '../nodepools/placement';
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
