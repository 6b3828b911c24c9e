import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { CronJobV1, CRON_JOB_POLICY } from '../kubernetes/workloads';
import { NodePlacement } from '../nodepools/placement';
import { NOBODY_POD_SECURITY, RESTRICTED_CONTAINER_SECURITY } from '../common/pod-security';

export interface KubectlCronJobProps {
  /** Name of the CronJob (and its `app.kubernetes.io/name` label). */
  readonly name: string;
  readonly namespace: string;
  /** Five-field cron (UTC). */
  readonly schedule: string;
  /** A run that has not finished by then fails (`activeDeadlineSeconds`): the backup alerts see it. */
  readonly deadlineSeconds: number;
  /** The service account whose (RBAC-bound) token kubectl uses. */
  readonly serviceAccountName: string;
  readonly containerName: string;
  /** Image with kubectl and a POSIX shell. */
  readonly image: string;
  /** The shell script the container runs. */
  readonly script: string;
  readonly placement: NodePlacement;
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The CronJob of a backup job that only talks to the Kubernetes API with kubectl (the volume
 * snapshot schedules, the PostgreSQL snapshot rotation): one run at a time, no retry, a deadline,
 * non-root (`nobody`) with a read-only root filesystem, a small in-memory /tmp for kubectl's cache,
 * bounded resources. Created as `cron-job` under `scope`.
 */
export function kubectlCronJob(scope: Construct, props: KubectlCronJobProps): CronJobV1 {
  const labels = { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/component': 'backup' };
  return new CronJobV1(scope, 'cron-job', {
    metadata: { name: props.name, namespace: props.namespace, labels },
    spec: {
      schedule: props.schedule,
      ...CRON_JOB_POLICY,
      startingDeadlineSeconds: 60,
      successfulJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: { 'app.kubernetes.io/name': props.name } },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: props.deadlineSeconds,
          ttlSecondsAfterFinished: '3600',
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: props.serviceAccountName,
              // kubectl calls the API with this pod's token (the account itself does not automount).
              automountServiceAccountToken: true,
              restartPolicy: 'Never',
              nodeSelector: props.placement.nodeSelector,
              toleration: props.placement.tolerations.map((t) => ({ ...t })),
              securityContext: NOBODY_POD_SECURITY,
              container: [
                {
                  name: props.containerName,
                  image: props.image,
                  command: ['/bin/sh', '-c', props.script],
                  env: [{ name: 'HOME', value: '/tmp' }],
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } },
                  securityContext: RESTRICTED_CONTAINER_SECURITY,
                  volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
                },
              ],
              volume: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }],
            },
          },
        },
      },
    },
    dependsOn: props.dependsOn,
  });
}
