import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ChartRelease, HelmValues } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { Toleration } from '../nodepools/placement';

/**
 * The AWS object-store and EBS snapshot plugin. Its version is paired with the Velero release of
 * the pinned chart (velero 12.1.0 ships Velero v1.18.1, paired with plugin v1.14.x); it moves
 * with CHARTS.velero, not with an environment, so it is pinned here next to that pairing.
 */
export const VELERO_AWS_PLUGIN_IMAGE = 'docker.io/velero/velero-plugin-for-aws:v1.14.2';

/** Velero server version of CHARTS.velero (12.1.0). */
export const VELERO_IMAGE_TAG = 'v1.18.1';

/** Container security context meeting the Pod Security "restricted" profile. */
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface VeleroProps {
  /** Namespace (pass the namespace resource's name so it is created first). */
  readonly namespace: string;
  /** Service account bound to Velero's IAM role by the EKS Pod Identity association. */
  readonly serviceAccount: string;
  /** Backup bucket and Velero's prefix in it (no slashes, e.g. `velero`). */
  readonly bucketName: string;
  readonly prefix: string;
  readonly region: string;
  /** KMS key the backup objects are written with (SSE-KMS). */
  readonly kmsKeyArn: string;
  /** Cron schedule (UTC) of the cluster backup. */
  readonly schedule: string;
  /** Hours each backup is kept. */
  readonly ttlHours: number;
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: readonly Toleration[];
  /**
   * Resources of the Velero server.
   * @default requests 500m / 512Mi, limits 1 CPU / 1Gi
   */
  readonly resources?: ContainerResources;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Velero (BAK-2: cluster configuration, secrets and volumes) from the pinned chart:
 * - backups of Kubernetes resources go to `s3://<bucket>/<prefix>/`, SSE-KMS with the backups key;
 * - persistent volumes are captured as native EBS snapshots through the AWS plugin (incremental,
 *   crash-consistent, encrypted with the volumes key like the volumes). The file-system backup
 *   (node agent, kopia) is NOT deployed: it needs a root DaemonSet with host paths on every node,
 *   and the databases already have application-consistent backups of their own in the bucket;
 * - credentials come from EKS Pod Identity (no secret: `credentials.useSecret` is false);
 * - every container runs non-root, read-only, all capabilities dropped (Pod Security "restricted").
 */
export class Velero extends Construct {
  readonly release: ChartRelease;
  readonly values: HelmValues;

  constructor(scope: Construct, id: string, props: VeleroProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(props.prefix)) {
      throw new Error(`${this.node.path}: 'prefix' must be one path segment without slashes, e.g. "velero". Got: ${props.prefix}`);
    }
    const resources = props.resources ?? {
      requests: { cpu: '500m', memory: '512Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    };
    const small = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };

    this.values = {
      // The chart's default, repeated so the pinned server version is visible in review.
      image: { repository: 'docker.io/velero/velero', tag: VELERO_IMAGE_TAG },
      initContainers: [
        {
          name: 'velero-plugin-for-aws',
          image: VELERO_AWS_PLUGIN_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
          securityContext: RESTRICTED_CONTAINER,
          resources: small,
        },
      ],
      podSecurityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        fsGroup: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containerSecurityContext: RESTRICTED_CONTAINER,
      resources,
      // The CRD upgrade Job runs the velero image with these resources (velero 12.1.0 has no
      // kubectl image: its `kubectl.*` values are read by no template).
      upgradeJobResources: small,
      nodeSelector: props.nodeSelector,
      tolerations: props.tolerations,
      serviceAccount: { server: { create: true, name: props.serviceAccount } },
      credentials: { useSecret: false },
      backupsEnabled: true,
      snapshotsEnabled: true,
      deployNodeAgent: false,
      configuration: {
        backupStorageLocation: [
          {
            name: 'default',
            provider: 'aws',
            bucket: props.bucketName,
            prefix: props.prefix,
            default: true,
            accessMode: 'ReadWrite',
            config: { region: props.region, kmsKeyId: props.kmsKeyArn },
          },
        ],
        volumeSnapshotLocation: [{ name: 'default', provider: 'aws', config: { region: props.region } }],
        logFormat: 'json',
      },
      schedules: {
        cluster: {
          schedule: props.schedule,
          template: {
            ttl: `${props.ttlHours}h0m0s`,
            storageLocation: 'default',
            volumeSnapshotLocations: ['default'],
            includedNamespaces: ['*'],
            includeClusterResources: true,
            snapshotVolumes: true,
          },
        },
      },
    };

    this.release = new ChartRelease(this, 'release', {
      name: 'velero',
      namespace: props.namespace,
      chart: CHARTS.velero,
      values: this.values,
      dependsOn: props.dependsOn,
    });
  }
}
