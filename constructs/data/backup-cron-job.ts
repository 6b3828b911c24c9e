import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { CronJobV1, PodSpecVolume, CRON_JOB_POLICY } from '../kubernetes/workloads';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { NodePlacement } from '../nodepools/placement';
import type { BackupCronJob as BackupCronJobAlertSpec } from '../observability/backup-alerts';

/** An environment variable read from a key of an existing secret (never a literal value). */
export interface SecretEnv {
  readonly name: string;
  readonly secretName: string;
  readonly key: string;
}

export interface BackupCronJobProps {
  /** Name of the CronJob. */
  readonly name: string;
  readonly namespace: string;
  /** Service account the job runs as; the Pod Identity association binds the writer role to it. */
  readonly serviceAccountName: string;
  /** Five-field cron (UTC). */
  readonly schedule: string;
  /**
   * Optional first step that writes the dump into `/backup` (an emptyDir), e.g. mongodump. Left
   * out: the upload step copies `uploadFrom` directly.
   */
  readonly dump?: {
    readonly image: string;
    readonly script: string;
    readonly env?: readonly SecretEnv[];
    /**
     * Files only the dump step sees, in one projected volume at `mountPath`: a short-lived
     * service-account token (`token`, 10 minutes, e.g. to log in through Vault's kubernetes auth;
     * the pod itself keeps `automountServiceAccountToken` off) and keys of existing secrets.
     */
    readonly files?: {
      readonly mountPath: string;
      readonly serviceAccountToken?: boolean;
      readonly secrets?: readonly { readonly name: string; readonly items: readonly { readonly key: string; readonly path: string }[] }[];
    };
  };
  /** Size limit of the `/backup` emptyDir the dump step writes (on the node's disk). @default none */
  readonly scratchSizeLimit?: string;
  /** AWS CLI image of the upload step. */
  readonly awsCliImage: string;
  /** Directory the upload step copies (`/backup` after a dump step, or a mounted volume). */
  readonly uploadFrom: string;
  readonly bucket: string;
  readonly region: string;
  /** Prefix (lower-case segments, no leading or trailing slash) the job writes under: `s3://<bucket>/<prefix>/<timestamp>/`. */
  readonly prefix: string;
  /** Create the service account (false when another job of the same service already does). @default true */
  readonly createServiceAccount?: boolean;
  /**
   * A persistent volume claim mounted read-only at `mountPath` (e.g. a ChromaDB data volume).
   * `readAsGroup`: the group owning the volume's files (the owning workload's fsGroup); the job
   * joins it as a supplemental group, so it can read files that are not world-readable without
   * an fsGroup of its own (which would make kubelet re-own the other workload's data).
   */
  readonly volume?: { readonly claimName: string; readonly mountPath: string; readonly readAsGroup?: number };
  /**
   * Run on the node of the pod with these labels (required for a ReadWriteOnce volume that pod
   * has attached).
   */
  readonly colocateWith?: Record<string, string>;
  readonly placement: NodePlacement;
  /** Seconds after which a run is killed. @default 3600 */
  readonly activeDeadlineSeconds?: number;
  readonly dependsOn?: ITerraformDependable[];
}

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const JOB_RESOURCES = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

/**
 * BAK-2: a scheduled backup of one data service to its own prefix of the backup bucket. Runs
 * non-root with a read-only root filesystem, no privilege escalation and bounded resources
 * (Pod Security `restricted`); credentials come from secrets and the AWS identity from EKS Pod
 * Identity, so the job holds no key. Objects take the bucket's default SSE-KMS key. One run at a
 * time (`Forbid`), failed runs kept for inspection.
 */
export class BackupCronJob extends Construct {
  readonly cronJob: CronJobV1;
  readonly serviceAccount?: ServiceAccountV1;
  /** Where the job writes: `s3://<bucket>/<prefix>/`. */
  readonly destination: string;
  /** What the backup alerts watch: the CronJob, its schedule and the deadline of a run. */
  readonly alertSpec: BackupCronJobAlertSpec;

  constructor(scope: Construct, id: string, props: BackupCronJobProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(props.prefix)) {
      throw new Error(`${this.node.path}: 'prefix' must be lower-case path segments without a leading or trailing slash. Got: ${props.prefix}`);
    }
    if (props.schedule.trim().split(/\s+/).length !== 5) {
      throw new Error(`${this.node.path}: 'schedule' must be a five-field cron expression. Got: ${props.schedule}`);
    }
    this.destination = `s3://${props.bucket}/${props.prefix}/`;
    this.alertSpec = {
      namespace: props.namespace,
      name: props.name,
      schedule: props.schedule,
      deadlineSeconds: props.activeDeadlineSeconds ?? 3600,
    };

    if (props.createServiceAccount ?? true) {
      this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
        metadata: { name: props.serviceAccountName, namespace: props.namespace },
        automountServiceAccountToken: false,
      });
    }

    const volumes: PodSpecVolume[] = [
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      ...(props.dump ? [{ name: 'backup', emptyDir: props.scratchSizeLimit ? { sizeLimit: props.scratchSizeLimit } : {} }] : []),
      ...(props.dump?.files
        ? [
            {
              name: 'dump-files',
              projected: [
                {
                  sources: [
                    ...(props.dump.files.serviceAccountToken ? [{ serviceAccountToken: { path: 'token', expirationSeconds: 600 } }] : []),
                    ...(props.dump.files.secrets ?? []).map((x) => ({ secret: [{ name: x.name, items: x.items.map((i) => ({ ...i })) }] })),
                  ],
                },
              ],
            },
          ]
        : []),
      ...(props.volume ? [{ name: 'source', persistentVolumeClaim: { claimName: props.volume.claimName, readOnly: true } }] : []),
    ];
    const tmpMount = { name: 'tmp', mountPath: '/tmp' };
    const backupMount = props.dump ? [{ name: 'backup', mountPath: '/backup' }] : [];
    const sourceMount = props.volume ? [{ name: 'source', mountPath: props.volume.mountPath, readOnly: true }] : [];

    const upload = [
      'set -eu',
      'stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"',
      `aws s3 cp --recursive --only-show-errors "${props.uploadFrom}" "${this.destination}\${stamp}/"`,
      `echo "backup written to ${this.destination}\${stamp}/"`,
    ].join('\n');

    this.cronJob = new CronJobV1(this, 'cron-job', {
      metadata: { name: props.name, namespace: props.namespace, labels: { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/component': 'backup' } },
      spec: {
        schedule: props.schedule,
        ...CRON_JOB_POLICY,
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: { 'app.kubernetes.io/name': props.name } },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: props.activeDeadlineSeconds ?? 3600,
            ttlSecondsAfterFinished: '86400',
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/component': 'backup' } },
              spec: {
                serviceAccountName: this.serviceAccount?.metadata.name ?? props.serviceAccountName,
                automountServiceAccountToken: false,
                restartPolicy: 'Never',
                nodeSelector: props.placement.nodeSelector,
                toleration: props.placement.tolerations.map((t) => ({ ...t })),
                affinity: props.colocateWith
                  ? {
                      podAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: [
                          { topologyKey: 'kubernetes.io/hostname', labelSelector: [{ matchLabels: props.colocateWith }] },
                        ],
                      },
                    }
                  : undefined,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: '65534',
                  runAsGroup: '65534',
                  // No fsGroup with a source volume: kubelet would re-own another workload's data.
                  fsGroup: props.volume ? undefined : '65534',
                  supplementalGroups: props.volume?.readAsGroup !== undefined ? [props.volume.readAsGroup] : undefined,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                initContainer: props.dump
                  ? [
                      {
                        name: 'dump',
                        image: props.dump.image,
                        command: ['/bin/sh', '-c', props.dump.script],
                        env: [
                          { name: 'HOME', value: '/tmp' },
                          ...(props.dump.env ?? []).map((e) => ({
                            name: e.name,
                            valueFrom: { secretKeyRef: { name: e.secretName, key: e.key } },
                          })),
                        ],
                        resources: JOB_RESOURCES,
                        securityContext: RESTRICTED_CONTAINER,
                        volumeMount: [
                          tmpMount,
                          ...backupMount,
                          ...sourceMount,
                          ...(props.dump.files ? [{ name: 'dump-files', mountPath: props.dump.files.mountPath, readOnly: true }] : []),
                        ],
                      },
                    ]
                  : undefined,
                container: [
                  {
                    name: 'upload',
                    image: props.awsCliImage,
                    command: ['/bin/sh', '-c', upload],
                    env: [
                      { name: 'HOME', value: '/tmp' },
                      { name: 'AWS_REGION', value: props.region },
                    ],
                    resources: JOB_RESOURCES,
                    securityContext: RESTRICTED_CONTAINER,
                    volumeMount: [tmpMount, ...backupMount, ...sourceMount],
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
