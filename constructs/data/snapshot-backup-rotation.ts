import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { CronJobV1 } from '../kubernetes/workloads';
import { kubectlCronJob } from './kubectl-cron-job';
import { NodePlacement } from '../nodepools/placement';
import { cronMaxGapSeconds } from '../../environments/cron';
import type { BackupCronJob } from '../observability/backup-alerts';

/** CloudNativePG's label on every Backup a ScheduledBackup creates (pkg/utils, ParentScheduledBackupLabelName). */
export const SCHEDULED_BACKUP_LABEL = 'cnpg.io/scheduled-backup';
/** CloudNativePG's label on the VolumeSnapshots of a backup, naming the Backup (BackupNameLabelName). */
export const BACKUP_NAME_LABEL = 'cnpg.io/backupName';

export interface SnapshotBackupRotationProps {
  /** Name of the CronJob, its service account and roles. */
  readonly name: string;
  /** Namespace of the Cluster, its Backups and their VolumeSnapshots. */
  readonly namespace: string;
  /** The ScheduledBackup (method volumeSnapshot) whose Backups this rotates and checks. */
  readonly scheduledBackup: string;
  /** Its schedule (six fields, seconds first, as CloudNativePG takes it). */
  readonly snapshotSchedule: string;
  /** Minutes a snapshot backup may take to complete after its scheduled time. */
  readonly completionMinutes: number;
  /**
   * The ScheduledBackup of the base backups to S3, checked too: CloudNativePG's backup metrics
   * take the newest backup of any method, so with snapshot backups they no longer tell an overdue
   * base backup apart.
   */
  readonly baseBackup: { readonly scheduledBackup: string; readonly schedule: string; readonly completionMinutes: number };
  /** Completed backups kept (older ones deleted with their VolumeSnapshots and EBS snapshots); >= 2. */
  readonly keep: number;
  /** When the job runs (five-field cron, UTC). */
  readonly schedule: string;
  /** Image with kubectl and a POSIX shell. */
  readonly image: string;
  readonly placement: NodePlacement;
  readonly dependsOn?: ITerraformDependable[];
}

/** The age (seconds) above which the newest completed backup of a schedule is stale. */
export function snapshotBackupMaxAgeSeconds(snapshotSchedule: string, completionMinutes: number): number {
  return cronMaxGapSeconds(snapshotSchedule) + completionMinutes * 60;
}

/** The shell script of one run (a pure function, so tests read exactly what runs). */
export function rotationScript(props: Pick<SnapshotBackupRotationProps, 'namespace' | 'scheduledBackup' | 'keep' | 'snapshotSchedule' | 'completionMinutes' | 'baseBackup'>): string {
  const maxAge = snapshotBackupMaxAgeSeconds(props.snapshotSchedule, props.completionMinutes);
  const baseMaxAge = snapshotBackupMaxAgeSeconds(props.baseBackup.schedule, props.baseBackup.completionMinutes);
  return [
    'set -eu',
    `ns=${props.namespace}`,
    `sb=${props.scheduledBackup}`,
    // Backups of the ScheduledBackup, oldest first: name, phase, stoppedAt.
    `list="$(kubectl -n "$ns" get backups.postgresql.cnpg.io -l ${SCHEDULED_BACKUP_LABEL}="$sb" --sort-by=.metadata.creationTimestamp -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{" "}{.status.stoppedAt}{"\\n"}{end}')"`,
    // Deletes a backup's VolumeSnapshots, their contents switched to Delete first (the class
    // retains them, so a lost namespace or a deleted Cluster keeps them), then the Backup.
    'prune() {',
    `  for snap in $(kubectl -n "$ns" get volumesnapshots -l ${BACKUP_NAME_LABEL}="$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'); do`,
    '    content="$(kubectl -n "$ns" get volumesnapshot "$snap" -o jsonpath=\'{.status.boundVolumeSnapshotContentName}\')"',
    '    if [ -n "$content" ]; then kubectl patch volumesnapshotcontent "$content" --type=merge -p \'{"spec":{"deletionPolicy":"Delete"}}\'; fi',
    '    kubectl -n "$ns" delete volumesnapshot "$snap" --wait=false',
    '  done',
    '  kubectl -n "$ns" delete backups.postgresql.cnpg.io "$1" --wait=false',
    '  echo "pruned backup $ns/$1"',
    '}',
    // Completed backups beyond the count kept, oldest first; failed ones but the newest.
    'completed="$(printf \'%s\\n\' "$list" | awk \'$2 == "completed" { print $1 }\')"',
    'count="$(printf \'%s\\n\' "$completed" | grep -c . || true)"',
    `excess=$((count - ${props.keep}))`,
    'if [ "$excess" -gt 0 ]; then printf \'%s\\n\' "$completed" | grep . | head -n "$excess" | while read -r b; do prune "$b"; done; fi',
    'failed="$(printf \'%s\\n\' "$list" | awk \'$2 == "failed" { print $1 }\')"',
    'nfailed="$(printf \'%s\\n\' "$failed" | grep -c . || true)"',
    'if [ "$nfailed" -gt 1 ]; then printf \'%s\\n\' "$failed" | grep . | head -n "$((nfailed - 1))" | while read -r b; do prune "$b"; done; fi',
    // The checks: the newest finished backup of each ScheduledBackup succeeded and is recent enough.
    'fail=0',
    'check() {',
    `  last="$(kubectl -n "$ns" get backups.postgresql.cnpg.io -l ${SCHEDULED_BACKUP_LABEL}="$1" --sort-by=.metadata.creationTimestamp -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{" "}{.status.stoppedAt}{"\\n"}{end}' | awk '$2 == "completed" || $2 == "failed"' | tail -n 1)"`,
    '  if [ -z "$last" ]; then echo "$3: no finished backup of $1 yet" >&2; fail=1; return 0; fi',
    '  name="${last%% *}"; rest="${last#* }"; phase="${rest%% *}"; at="${rest#* }"',
    '  if [ "$phase" = "failed" ]; then echo "$3: the newest backup $name failed (kubectl -n $ns describe backup $name)" >&2; fail=1; return 0; fi',
    '  stopped="$(date -u -d "$(printf \'%s\' "$at" | sed \'s/T/ /; s/Z$//\')" +%s)"',
    '  age=$(($(date -u +%s) - stopped))',
    '  if [ "$age" -gt "$2" ]; then echo "$3: the newest backup $name is $age s old, more than the $2 s its schedule allows" >&2; fail=1; return 0; fi',
    '  echo "$3: the newest backup $name completed $age s ago"',
    '}',
    `check "$sb" ${maxAge} "volume snapshot backups"`,
    `check ${props.baseBackup.scheduledBackup} ${baseMaxAge} "base backups"`,
    'exit "$fail"',
  ].join('\n');
}

/**
 * Issue 13: rotation and check of CloudNativePG volume snapshot backups. CloudNativePG applies
 * no retention policy to them (its retentionPolicy covers the object store only), so each run
 * deletes the completed Backups of the ScheduledBackup beyond `keep` (and failed ones but the
 * newest), each with its VolumeSnapshots, whose contents it first switches to `Delete` so the EBS
 * snapshots go too. Then it fails when, for the snapshot backups or the base backups, the newest
 * finished backup failed or the newest completed one is older than its schedule allows: the
 * backup alerts watch the CronJob (PostgresBackupCheckFailed / PostgresBackupCheckStale).
 *
 * Least privilege: in its namespace, get, list and delete Backups and VolumeSnapshots; across the
 * cluster, get and patch VolumeSnapshotContents (cluster-scoped, their names are generated).
 */
export class SnapshotBackupRotation extends Construct {
  readonly cronJob: CronJobV1;
  /** What the backup alerts watch: the CronJob, its schedule and the deadline of a run. */
  readonly alertSpec: BackupCronJob;
  readonly maxAgeSeconds: number;

  constructor(scope: Construct, id: string, props: SnapshotBackupRotationProps) {
    super(scope, id);
    if (!Number.isInteger(props.keep) || props.keep < 2) throw new Error(`${this.node.path}: 'keep' must be an integer >= 2. Got: ${props.keep}`);
    if (props.schedule.trim().split(/\s+/).length !== 5) {
      throw new Error(`${this.node.path}: 'schedule' must be a five-field cron expression. Got: ${props.schedule}`);
    }
    if (props.snapshotSchedule.trim().split(/\s+/).length !== 6) {
      throw new Error(`${this.node.path}: 'snapshotSchedule' must be a six-field cron expression (seconds first). Got: ${props.snapshotSchedule}`);
    }
    this.maxAgeSeconds = snapshotBackupMaxAgeSeconds(props.snapshotSchedule, props.completionMinutes);
    const deadlineSeconds = Math.min(1800, Math.max(120, cronMaxGapSeconds(props.schedule) - 60));
    this.alertSpec = { namespace: props.namespace, name: props.name, schedule: props.schedule, deadlineSeconds };

    const ns = props.namespace;
    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: props.name, namespace: ns },
      automountServiceAccountToken: false,
    });
    const subject = [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: ns }];
    const role = new RoleV1(this, 'role', {
      metadata: { name: props.name, namespace: ns },
      rule: [
        { apiGroups: ['postgresql.cnpg.io'], resources: ['backups'], verbs: ['get', 'list', 'delete'] },
        { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['get', 'list', 'delete'] },
      ],
    });
    const binding = new RoleBindingV1(this, 'role-binding', {
      metadata: { name: props.name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subject,
    });
    const clusterRole = new ClusterRoleV1(this, 'cluster-role', {
      metadata: { name: `${ns}-${props.name}` },
      rule: [{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: ['get', 'patch'] }],
    });
    const clusterBinding = new ClusterRoleBindingV1(this, 'cluster-role-binding', {
      metadata: { name: `${ns}-${props.name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name },
      subject,
    });

    this.cronJob = kubectlCronJob(this, {
      name: props.name,
      namespace: ns,
      schedule: props.schedule,
      deadlineSeconds,
      serviceAccountName: serviceAccount.metadata.name,
      containerName: 'rotate',
      image: props.image,
      script: rotationScript(props),
      placement: props.placement,
      dependsOn: [binding, clusterBinding, ...(props.dependsOn ?? [])],
    });
  }
}
