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
import { AdmissionPolicies, literalNamespace, serviceAccountUser, UserAdmissionPolicy } from '../kubernetes/admission-policies';

/** CloudNativePG's label on every Backup a ScheduledBackup creates (pkg/utils, ParentScheduledBackupLabelName). */
export const SCHEDULED_BACKUP_LABEL = 'cnpg.io/scheduled-backup';
/** CloudNativePG's label on the VolumeSnapshots of a backup, naming the Backup (BackupNameLabelName). */
export const BACKUP_NAME_LABEL = 'cnpg.io/backupName';

export interface SnapshotBackupRotationProps {
  /** Name of the CronJob, its service account and roles. */
  readonly name: string;
  /** Namespace of the Cluster, its Backups and their VolumeSnapshots. */
  readonly namespace: string;
  /**
   * The same namespace's literal name (`namespace` may be a reference to the namespace resource):
   * the admission policies' expressions and user name are text the API server evaluates.
   */
  readonly namespaceName: string;
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

/**
 * The names CloudNativePG gives the Backups of a ScheduledBackup, and so the VolumeSnapshots of
 * their data volume, as an RE2 pattern (CEL's `matches`), for CloudNativePG 1.30.0 (the operator
 * of the pinned chart cloudnative-pg 0.29.0):
 * - a Backup is `<scheduledBackup>-<YYYYMMDDhhmmss>`: api/v1/scheduledbackup_funcs.go, `BackupName`
 *   (`fmt.Sprintf("%s-%s", scheduledBackup.Name, pgTime.ToCompactISO8601(scheduledTime))`), used for
 *   scheduled and immediate backups by internal/controller/scheduledbackup_controller.go; and
 *   `ToCompactISO8601` is `t.Format("20060102150405")` (cloudnative-pg/machinery v0.5.0,
 *   pkg/postgres/time/time.go): 14 digits;
 * - the VolumeSnapshot of a Backup's PGDATA volume has the Backup's name:
 *   pkg/reconciler/persistentvolumeclaim/calculator.go, `pgDataCalculator.GetSnapshotName` returns
 *   `backupName` (pkg/reconciler/backup/volumesnapshot/reconciler.go names the snapshot with it).
 *   A WAL volume's would be `<backup>-wal` and a tablespace's `<backup>-tbs-<name>`: the Cluster
 *   here has neither (charts/postgres-cluster sets no walStorage or tablespaces; a test checks), so
 *   the pattern admits the data volume's snapshot only.
 */
export function scheduledBackupNamePattern(scheduledBackup: string): string {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(scheduledBackup)) throw new Error(`scheduled backup '${scheduledBackup}' must be a lower-case DNS name`);
  return `^${scheduledBackup.replace(/\./g, '[.]')}-[0-9]{14}$`;
}

/** Metadata fields the API server itself changes on every update. */
const SERVER_SET_METADATA = "['resourceVersion', 'generation', 'managedFields']";

/**
 * The admission policies that confine the rotation job's service account (SEC, issue 13
 * follow-up). RBAC can only grant `patch` on every VolumeSnapshotContent (cluster-scoped, with
 * generated names); these narrow it, and its deletes in its namespace, to its own ScheduledBackup:
 * - `<namespace>-<name>-contents`: on volumesnapshotcontents the account may only UPDATE (a patch
 *   is one) the main resource, and only to switch `spec.deletionPolicy` from Retain to Delete,
 *   nothing else of spec or metadata changed, on a content whose `spec.volumeSnapshotRef` is in its
 *   namespace and named as a Backup of its ScheduledBackup. MongoDB's, Chroma's and every other
 *   retained content stays out of its reach;
 * - `<namespace>-<name>-own-backups`: on VolumeSnapshots and Backups it may only DELETE, in its
 *   namespace, objects named as a Backup of its ScheduledBackup (the snapshot of a Backup has its
 *   name): not MongoDB's snapshots beside them, not the base backups' Backups.
 * `dyn()` keeps the type check (against the CRD schema) from refusing iteration over an object's
 * fields; at run time `object` and `oldObject` are the request's objects as maps.
 */
export function rotationAdmissionPolicies(props: Pick<SnapshotBackupRotationProps, 'name' | 'namespaceName' | 'scheduledBackup'>): UserAdmissionPolicy[] {
  const ns = props.namespaceName;
  const pattern = scheduledBackupNamePattern(props.scheduledBackup);
  const user = serviceAccountUser(ns, props.name);
  const unchangedExcept = (path: string, except: string) =>
    `dyn(object.${path}).all(k, k in ${except} || (k in dyn(oldObject.${path}) && dyn(object.${path})[k] == dyn(oldObject.${path})[k])) && ` +
    `dyn(oldObject.${path}).all(k, k in ${except} || k in dyn(object.${path}))`;
  return [
    {
      name: `${ns}-${props.name}-contents`,
      user,
      resourceRules: [
        { apiGroups: ['snapshot.storage.k8s.io'], apiVersions: ['*'], operations: ['*'], resources: ['volumesnapshotcontents', 'volumesnapshotcontents/*'] },
      ],
      validations: [
        {
          expression: "request.operation == 'UPDATE' && (!has(request.subResource) || request.subResource == '')",
          message: `${props.name} may only update (patch) a VolumeSnapshotContent itself: no create, delete or status change`,
        },
        {
          expression: `oldObject.spec.volumeSnapshotRef.namespace == '${ns}'`,
          message: `${props.name} may only change the contents of VolumeSnapshots in ${ns}`,
        },
        {
          expression: `oldObject.spec.volumeSnapshotRef.name.matches('${pattern}')`,
          message: `${props.name} may only change the contents of the snapshots of ScheduledBackup ${props.scheduledBackup} (${pattern})`,
        },
        {
          expression: "oldObject.spec.deletionPolicy == 'Retain' && object.spec.deletionPolicy == 'Delete'",
          message: `${props.name} may only switch a content's deletionPolicy from Retain to Delete`,
        },
        {
          expression: unchangedExcept('spec', "['deletionPolicy']"),
          message: `${props.name} may change nothing of a content's spec but its deletionPolicy`,
        },
        {
          expression: unchangedExcept('metadata', SERVER_SET_METADATA),
          message: `${props.name} may change nothing of a content's metadata (labels, annotations, finalizers, owners)`,
        },
      ],
    },
    {
      name: `${ns}-${props.name}-own-backups`,
      user,
      resourceRules: [
        { apiGroups: ['snapshot.storage.k8s.io'], apiVersions: ['*'], operations: ['*'], resources: ['volumesnapshots', 'volumesnapshots/*'] },
        { apiGroups: ['postgresql.cnpg.io'], apiVersions: ['*'], operations: ['*'], resources: ['backups', 'backups/*'] },
      ],
      validations: [
        {
          expression: `request.operation == 'DELETE' && request.namespace == '${ns}'`,
          message: `${props.name} may only delete VolumeSnapshots and Backups, in ${ns}`,
        },
        {
          expression: `oldObject.metadata.name.matches('${pattern}')`,
          message: `${props.name} may only delete the Backups of ScheduledBackup ${props.scheduledBackup} and their VolumeSnapshots (${pattern})`,
        },
      ],
    },
  ];
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
    // Only a retained content is switched (the admission policy admits Retain -> Delete only).
    '    if [ -n "$content" ] && [ "$(kubectl get volumesnapshotcontent "$content" -o jsonpath=\'{.spec.deletionPolicy}\')" = "Retain" ]; then',
    '      kubectl patch volumesnapshotcontent "$content" --type=merge -p \'{"spec":{"deletionPolicy":"Delete"}}\'',
    '    fi',
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
 * Least privilege: RBAC grants, in its namespace, get, list and delete on Backups and
 * VolumeSnapshots, and across the cluster get and patch on VolumeSnapshotContents (cluster-scoped,
 * their names are generated, so RBAC cannot name them). The admission policies of
 * `rotationAdmissionPolicies` confine that to its own ScheduledBackup's objects and to the one
 * change it makes (Retain -> Delete); the CronJob is created only after them.
 */
export class SnapshotBackupRotation extends Construct {
  readonly cronJob: CronJobV1;
  /** What the backup alerts watch: the CronJob, its schedule and the deadline of a run. */
  readonly alertSpec: BackupCronJob;
  readonly maxAgeSeconds: number;
  /** The admission policies confining the job's service account. */
  readonly guard: AdmissionPolicies;

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

    // The confinement exists before the job can run: the CronJob depends on it.
    literalNamespace(this.node.path, props.namespaceName);
    this.guard = new AdmissionPolicies(this, 'guard', {
      name: `${props.name}-guard`,
      namespace: ns,
      policies: rotationAdmissionPolicies(props),
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
      dependsOn: [binding, clusterBinding, this.guard.release.release, ...(props.dependsOn ?? [])],
    });
  }
}
