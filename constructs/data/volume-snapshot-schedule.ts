import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { CronJobV1 } from '../kubernetes/workloads';
import { kubectlCronJob } from './kubectl-cron-job';
import { NodePlacement } from '../nodepools/placement';
import { cronMaxGapSeconds } from '../../environments/cron';
import type { BackupCronJob as BackupCronJobAlertSpec } from '../observability/backup-alerts';
import { AdmissionPolicies, literalNamespace, serviceAccountUser, UserAdmissionPolicy } from '../kubernetes/admission-policies';

/** The label every scheduled snapshot carries with the claim it was taken of. */
export const SNAPSHOT_CLAIM_LABEL = 'toronto-ai.io/claim';
/** The label that marks snapshots a schedule took (and so may prune): its value is the job's name. */
export const SNAPSHOT_SCHEDULE_LABEL = 'toronto-ai.io/snapshot-schedule';

export interface VolumeSnapshotScheduleProps {
  /** Name of the CronJob, its service account, Role and RoleBinding. */
  readonly name: string;
  /** Namespace of the claims and of the snapshots (a VolumeSnapshot lives beside its claim). */
  readonly namespace: string;
  /**
   * The same namespace's literal name (`namespace` may be a reference to the namespace resource):
   * the admission policy's expressions and user name are text the API server evaluates.
   */
  readonly namespaceName: string;
  /** The persistent volume claims to snapshot, each run all of them. */
  readonly claims: readonly string[];
  /** The VolumeSnapshotClass the snapshots are taken through. */
  readonly snapshotClass: string;
  /** Five-field cron (UTC). */
  readonly schedule: string;
  /** Snapshots kept per claim (older ones are deleted at the start of each run); >= 2. */
  readonly keep: number;
  /** Image with kubectl and a POSIX shell. */
  readonly image: string;
  readonly placement: NodePlacement;
  readonly dependsOn?: ITerraformDependable[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The timestamp suffix of a snapshot name: `-YYYYMMDDhhmm` (UTC), 13 characters. */
const STAMP_LENGTH = 13;

/**
 * The name one run gives the snapshot of `claim`: `<claim>-<stamp>`, the run's UTC minute as
 * `YYYYMMDDhhmm` (the script's `$claim-$stamp`). Every claim of a run carries the same stamp, so
 * the snapshots of one run are named by the claims and that stamp.
 */
export function snapshotNameOf(claim: string, stamp: string): string {
  if (!/^\d{12}$/.test(stamp)) throw new Error(`snapshot stamp '${stamp}' must be YYYYMMDDhhmm (UTC)`);
  return `${claim}-${stamp}`;
}

/** The names a run gives its snapshots (`<claim>-<YYYYMMDDhhmm>`, one of `claims`), as an RE2 pattern. */
export function scheduledSnapshotNamePattern(claims: readonly string[]): string {
  for (const c of claims) if (!DNS_LABEL.test(c)) throw new Error(`claim '${c}' must be a lower-case DNS label`);
  return `^(${claims.join('|')})-[0-9]{12}$`;
}

/**
 * The admission policy that confines a schedule's service account in its namespace (SEC, issue
 * 13 follow-up). Its Role may create and delete any VolumeSnapshot of the namespace (RBAC cannot
 * name objects not yet created, and `delete` by name would need every future name); in `data`
 * that reaches PostgreSQL's backup snapshots beside MongoDB's. `<namespace>-<name>-own-snapshots`
 * admits, from that account only, CREATE of a snapshot named `<claim>-<YYYYMMDDhhmm>` of one of
 * its claims, from that claim, through its class, labelled as its own (schedule and claim), and
 * DELETE only of a snapshot so named and labelled; nothing else (no update, no other namespace).
 */
export function snapshotScheduleAdmissionPolicies(props: Pick<VolumeSnapshotScheduleProps, 'name' | 'namespaceName' | 'claims' | 'snapshotClass'>): UserAdmissionPolicy[] {
  const ns = props.namespaceName;
  const pattern = scheduledSnapshotNamePattern(props.claims);
  const claims = `[${props.claims.map((c) => `'${c}'`).join(', ')}]`;
  const labels = (o: string, label: string) => `has(${o}.metadata.labels) && '${label}' in ${o}.metadata.labels && ${o}.metadata.labels['${label}']`;
  return [
    {
      name: `${ns}-${props.name}-own-snapshots`,
      user: serviceAccountUser(ns, props.name),
      resourceRules: [{ apiGroups: ['snapshot.storage.k8s.io'], apiVersions: ['*'], operations: ['*'], resources: ['volumesnapshots', 'volumesnapshots/*'] }],
      validations: [
        {
          expression: `(request.operation == 'CREATE' || request.operation == 'DELETE') && request.namespace == '${ns}' && (!has(request.subResource) || request.subResource == '')`,
          message: `${props.name} may only create and delete VolumeSnapshots, in ${ns}`,
        },
        {
          expression:
            `request.operation != 'CREATE' || (object.spec.source.persistentVolumeClaimName in ${claims} && ` +
            `object.metadata.name.matches('^' + object.spec.source.persistentVolumeClaimName + '-[0-9]{12}$') && ` +
            `object.spec.volumeSnapshotClassName == '${props.snapshotClass}' && ` +
            `${labels('object', SNAPSHOT_SCHEDULE_LABEL)} == '${props.name}' && ` +
            `${labels('object', SNAPSHOT_CLAIM_LABEL)} == object.spec.source.persistentVolumeClaimName)`,
          message: `${props.name} may only create <claim>-<YYYYMMDDhhmm> snapshots of its claims (${props.claims.join(', ')}) through ${props.snapshotClass}, labelled as its own`,
        },
        {
          expression: `request.operation != 'DELETE' || (oldObject.metadata.name.matches('${pattern}') && ${labels('oldObject', SNAPSHOT_SCHEDULE_LABEL)} == '${props.name}')`,
          message: `${props.name} may only delete the snapshots it took (${pattern}, labelled ${SNAPSHOT_SCHEDULE_LABEL}=${props.name})`,
        },
      ],
    },
  ];
}

/** The shell script of one run (kept a pure function so tests read exactly what runs). */
export function snapshotScript(props: Pick<VolumeSnapshotScheduleProps, 'name' | 'namespace' | 'claims' | 'snapshotClass' | 'keep'>): string {
  const ns = props.namespace;
  const claims = props.claims.join(' ');
  return [
    'set -eu',
    `ns=${ns}`,
    'stamp="$(date -u +%Y%m%d%H%M)"',
    `for claim in ${claims}; do`,
    // Prune first, keeping keep-1, so the count stays bounded even while runs fail.
    `  names="$(kubectl -n "$ns" get volumesnapshots -l ${SNAPSHOT_SCHEDULE_LABEL}=${props.name},${SNAPSHOT_CLAIM_LABEL}="$claim" --sort-by=.metadata.creationTimestamp -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}')"`,
    '  count="$(printf \'%s\\n\' "$names" | grep -c . || true)"',
    `  excess=$((count - ${props.keep - 1}))`,
    '  if [ "$excess" -gt 0 ]; then',
    '    printf \'%s\\n\' "$names" | grep . | head -n "$excess" | while read -r old; do kubectl -n "$ns" delete volumesnapshot "$old" --wait=false; done',
    '  fi',
    // The claim must exist (a typo or a renamed claim fails the run, and the alert says so).
    '  kubectl -n "$ns" get persistentvolumeclaim "$claim" -o name',
    '  kubectl -n "$ns" create -f - <<EOF',
    'apiVersion: snapshot.storage.k8s.io/v1',
    'kind: VolumeSnapshot',
    'metadata:',
    '  name: $claim-$stamp',
    '  namespace: $ns',
    '  labels:',
    `    ${SNAPSHOT_SCHEDULE_LABEL}: ${props.name}`,
    `    ${SNAPSHOT_CLAIM_LABEL}: $claim`,
    'spec:',
    `  volumeSnapshotClassName: ${props.snapshotClass}`,
    '  source:',
    '    persistentVolumeClaimName: $claim',
    'EOF',
    'done',
    // The run succeeds only once every snapshot of it is ready to restore from: the CronJob's
    // last successful time is then the time of the newest restorable snapshot (the alerts).
    `for claim in ${claims}; do`,
    '  until [ "$(kubectl -n "$ns" get volumesnapshot "$claim-$stamp" -o jsonpath=\'{.status.readyToUse}\')" = "true" ]; do',
    '    error="$(kubectl -n "$ns" get volumesnapshot "$claim-$stamp" -o jsonpath=\'{.status.error.message}\')"',
    '    if [ -n "$error" ]; then echo "snapshot $claim-$stamp failed: $error" >&2; exit 1; fi',
    '    sleep 5',
    '  done',
    '  echo "snapshot $ns/$claim-$stamp is ready"',
    'done',
  ].join('\n');
}

/**
 * Issue 13: scheduled CSI volume snapshots of a set of claims. Each run prunes the oldest
 * snapshots of each claim beyond `keep`, creates one VolumeSnapshot per claim
 * (`<claim>-<YYYYMMDDhhmm>`, labelled with the claim and the schedule) and succeeds once every
 * one of them is ready to restore from. The snapshot is crash-consistent: the volume as a power
 * loss would leave it.
 *
 * Least privilege: the job's Role can create, get, list and delete VolumeSnapshots in its
 * namespace (get: to wait for readiness) and get only the named claims; nothing else, nowhere
 * else. The admission policy of `snapshotScheduleAdmissionPolicies` narrows create and delete to
 * its own claims' snapshots (the CronJob is created after it). Runs non-root with a read-only root filesystem and bounded resources; a run that has not
 * finished by the next one's time fails (`activeDeadlineSeconds`), so the alerts see it.
 */
export class VolumeSnapshotSchedule extends Construct {
  readonly cronJob: CronJobV1;
  readonly role: RoleV1;
  readonly serviceAccount: ServiceAccountV1;
  /** What the backup alerts watch: the CronJob, its schedule and the deadline of a run. */
  readonly alertSpec: BackupCronJobAlertSpec;
  readonly snapshotClass: string;
  readonly namespace: string;
  readonly claims: readonly string[];
  /** The admission policy confining the job's service account. */
  readonly guard: AdmissionPolicies;

  constructor(scope: Construct, id: string, props: VolumeSnapshotScheduleProps) {
    super(scope, id);
    if (props.claims.length === 0) throw new Error(`${this.node.path}: 'claims' must name at least one claim`);
    for (const c of props.claims) {
      if (!DNS_LABEL.test(c) || c.length + STAMP_LENGTH > 253) {
        throw new Error(`${this.node.path}: claim '${c}' must be a lower-case DNS label short enough for a '-<YYYYMMDDhhmm>' suffix`);
      }
    }
    if (!Number.isInteger(props.keep) || props.keep < 2) throw new Error(`${this.node.path}: 'keep' must be an integer >= 2. Got: ${props.keep}`);
    if (props.schedule.trim().split(/\s+/).length !== 5) {
      throw new Error(`${this.node.path}: 'schedule' must be a five-field cron expression. Got: ${props.schedule}`);
    }
    this.snapshotClass = props.snapshotClass;
    this.namespace = props.namespace;
    this.claims = [...props.claims];
    // A run must end before the next one starts: the gap less a minute, within 2 minutes .. 1 hour.
    const deadlineSeconds = Math.min(3600, Math.max(120, cronMaxGapSeconds(props.schedule) - 60));
    this.alertSpec = { namespace: props.namespace, name: props.name, schedule: props.schedule, deadlineSeconds };

    const ns = props.namespace;
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: props.name, namespace: ns },
      automountServiceAccountToken: false,
    });
    this.role = new RoleV1(this, 'role', {
      metadata: { name: props.name, namespace: ns },
      rule: [
        { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], resourceNames: [...props.claims], verbs: ['get'] },
      ],
    });
    const binding = new RoleBindingV1(this, 'role-binding', {
      metadata: { name: props.name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: this.serviceAccount.metadata.name, namespace: ns }],
    });

    literalNamespace(this.node.path, props.namespaceName);
    this.guard = new AdmissionPolicies(this, 'guard', {
      name: `${props.name}-guard`,
      namespace: ns,
      policies: snapshotScheduleAdmissionPolicies(props),
    });

    this.cronJob = kubectlCronJob(this, {
      name: props.name,
      namespace: ns,
      schedule: props.schedule,
      deadlineSeconds,
      serviceAccountName: this.serviceAccount.metadata.name,
      containerName: 'snapshot',
      image: props.image,
      script: snapshotScript(props),
      placement: props.placement,
      dependsOn: [binding, this.guard.release.release, ...(props.dependsOn ?? [])],
    });
  }
}
