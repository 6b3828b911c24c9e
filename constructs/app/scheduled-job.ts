import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { CronJobV1, CRON_JOB_POLICY } from '../kubernetes/workloads';
import { NodePlacement } from '../nodepools/placement';
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, TMP_MOUNT, TMP_VOLUME } from '../common/pod-security';
import { VAULT_INJECT_LABEL, VaultAgentProps, vaultAgentAnnotations, vaultTokenVolume } from './vault-agent';

export interface ScheduledJobProps {
  readonly name: string;
  readonly namespace: string;
  /** Five-field cron schedule (UTC). */
  readonly schedule: string;
  /** Pinned image (`repository:tag`). */
  readonly image: string;
  readonly command: readonly string[];
  /** Service account the job runs as (its token is not automounted). */
  readonly serviceAccountName: string;
  /** ConfigMap exposed as environment variables. */
  readonly configMapName: string;
  /** Secrets from Vault, rendered by an init container only (a sidecar would keep the Job running). */
  readonly vault: VaultAgentProps;
  readonly placement: NodePlacement;
  /** Labels of the job's pods; give the application's labels so its network policies apply. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** @default 1800 */
  readonly activeDeadlineSeconds?: number;
  /**
   * What must exist before the job's pods can run: Vault (the agent injector's webhook) and the
   * job that publishes `vault-ca` into the namespace.
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * APP-3: a scheduled job of the application (feedback reminders in beta): the application image
 * with a management command, one run at a time, hardened like the application, bounded in time,
 * with secrets from Vault.
 */
export class ScheduledJob extends Construct {
  readonly cronJob: CronJobV1;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    if (/:latest$/.test(props.image) || !/:[^/]+$/.test(props.image)) {
      throw new Error(`${this.node.path}: 'image' must carry a pinned tag. Got: ${props.image}`);
    }
    const labels = { ...props.podLabels, 'app.kubernetes.io/component': props.name };
    this.cronJob = new CronJobV1(this, 'cron-job', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        schedule: props.schedule,
        ...CRON_JOB_POLICY,
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: props.activeDeadlineSeconds ?? 1800,
            ttlSecondsAfterFinished: '86400',
            template: {
              metadata: {
                labels: { ...labels, ...VAULT_INJECT_LABEL },
                annotations: {
                  ...vaultAgentAnnotations(props.vault),
                  'vault.hashicorp.com/agent-pre-populate-only': 'true',
                },
              },
              spec: {
                serviceAccountName: props.serviceAccountName,
                automountServiceAccountToken: false,
                restartPolicy: 'Never',
                securityContext: RESTRICTED_POD_SECURITY,
                nodeSelector: props.placement.nodeSelector,
                toleration: props.placement.tolerations.map((t) => ({ ...t })),
                container: [
                  {
                    name: props.name,
                    image: props.image,
                    command: [...props.command],
                    envFrom: [{ configMapRef: { name: props.configMapName } }],
                    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
                    securityContext: RESTRICTED_CONTAINER_SECURITY,
                    volumeMount: [TMP_MOUNT],
                  },
                ],
                volume: [TMP_VOLUME, vaultTokenVolume()],
              },
            },
          },
        },
      },
      dependsOn: props.dependsOn,
    });
  }
}
