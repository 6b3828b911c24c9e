import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { LocalChartRelease } from './local-chart-release';
import { RESTRICTED_CONTAINER_SECURITY } from '../common/pod-security';

/** PostgreSQL's port (the `-rw`, `-ro`, `-r` services). */
export const POSTGRES_PORT = 5432;

/**
 * Seed 004's PostgreSQL settings kept for PostgreSQL 17 (README: decisions), the memory ones
 * scaled to the instance's memory with the seed's values as the floor (the seed's were written
 * for a 1-2 GiB host): shared_buffers 25 %, effective_cache_size 75 %, maintenance_work_mem 1/16
 * up to 2 GiB. Left out: log_statement = 'mod' and log_duration = on (every write's SQL text,
 * values included, into the logs; log_min_duration_statement covers slow statements).
 */
export function seedParameters(memoryMiB: number): Record<string, string> {
  if (!Number.isFinite(memoryMiB) || memoryMiB < 256) throw new Error(`seedParameters: memoryMiB must be >= 256. Got: ${memoryMiB}`);
  const mb = (n: number) => `${Math.floor(n)}MB`;
  return {
    shared_buffers: mb(Math.max(256, memoryMiB / 4)),
    effective_cache_size: mb(Math.max(1024, (memoryMiB * 3) / 4)),
    work_mem: '16MB',
    maintenance_work_mem: mb(Math.max(64, Math.min(2048, memoryMiB / 16))),
    max_connections: '100',
    max_worker_processes: '8',
    wal_level: 'replica',
    max_wal_size: '1GB',
    min_wal_size: '80MB',
    random_page_cost: '1.1',
    effective_io_concurrency: '200',
  };
}

export interface ComputeResources {
  /** CPU quantity, requests = limits (Guaranteed QoS). */
  readonly cpu: string;
  /** Memory quantity, requests = limits. */
  readonly memory: string;
}

export interface PostgresProps {
  /** Namespace of the operator and the cluster (Pod Security `restricted`). */
  readonly namespace: string;
  /**
   * Name of the CloudNativePG Cluster. The operator names the instances' service account, the
   * services (`<name>-rw`, `-ro`, `-r`) and the generated secrets (`<name>-app`) after it.
   */
  readonly clusterName: string;
  readonly instances: number;
  /** PostgreSQL version: the tag of `ghcr.io/cloudnative-pg/postgresql` (major or major.minor). */
  readonly version: string;
  readonly storageGiB: number;
  readonly storageClass: string;
  readonly compute: ComputeResources;
  /** Node selector and tolerations of the database pool. */
  readonly placement: NodePlacement;
  /** Node selector and tolerations of the CloudNativePG operator (the system pool). */
  readonly operatorPlacement: NodePlacement;
  /** Zones of the cluster: instances <= zones are spread with a required anti-affinity. */
  readonly zoneCount: number;
  /** Application database and its owner (the operator generates the owner's password). */
  readonly database: string;
  /** The instances' memory (MiB): the seed 004 settings are scaled to it (`seedParameters`). */
  readonly memoryMiB: number;
  /** RPO of WAL archiving: `archive_timeout`. */
  readonly walArchiveTimeoutMinutes: number;
  /** Six-field cron of the base backups. */
  readonly baseBackupSchedule: string;
  readonly backupRetentionDays: number;
  /** Archive generation: WAL and base backups go to `<prefix>/g<n>/`. */
  readonly backupGeneration: number;
  /**
   * Create the Cluster from an older generation's archive (optionally to a point in time): from
   * its base backup in S3, or from `volumeSnapshot` (a VolumeSnapshot of a volume snapshot backup
   * of that generation) with that generation's WAL replayed from S3.
   */
  readonly restore?: { readonly fromGeneration: number; readonly targetTime?: string; readonly volumeSnapshot?: string };
  /** Issue 13: online volume snapshot backups. */
  readonly snapshots: {
    /** The VolumeSnapshotClass (the cluster's retaining class). */
    readonly className: string;
    /** The release that creates the class: the Cluster waits for it. */
    readonly classRelease: ITerraformDependable;
    /** Six-field cron, seconds first. */
    readonly schedule: string;
  };
  /** Backup bucket, its region and the prefix (without slashes) WAL and base backups go under. */
  readonly backup: { readonly bucket: string; readonly region: string; readonly prefix: string };
  /** PodMonitor and PrometheusRule (needs the Prometheus Operator CRDs). */
  readonly monitoring: boolean;
  /**
   * Further databases, each owned by a login role of its own (e.g. the beta channel's, so it
   * cannot reach the application database): CloudNativePG manages the role (`managed.roles`) and
   * the database (`Database`); the role's password is generated in the cluster by the local
   * chart charts/database-credentials, into a basic-auth Secret with the connection URI.
   * @default none
   */
  readonly extraDatabases?: readonly { readonly database: string; readonly owner: string }[];
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * DATA-1: PostgreSQL through CloudNativePG. The operator chart, then the local chart
 * charts/postgres-cluster that creates the Cluster, its ScheduledBackups, Databases and monitoring
 * resources through Helm (no CRD needed at plan time). It replaced the `cluster` chart 0.8.1 (which
 * renders no volume snapshot backup or recovery) with the same release, kinds and names.
 *
 * - Instances spread over zones (anti-affinity on `topology.kubernetes.io/zone`), on the tainted
 *   database pool, each on its own encrypted, retained volume.
 * - Credentials are generated by the operator (`<cluster>-app` secret, basic-auth + URI); the
 *   superuser is disabled. No password appears in the configuration.
 * - Continuous WAL archiving and scheduled base backups to `s3://<bucket>/<prefix>/g<generation>/` with the
 *   instances' Pod Identity role (`inheritFromIAMRole`, no access keys); objects take the bucket's
 *   default SSE-KMS key.
 * - Issue 13: scheduled online volume snapshot backups of the data volumes (the RTO path: a
 *   restore starts from the newest snapshot and replays only the WAL since it, from the same
 *   archive); a restore names the snapshot or restores from the base backup in S3.
 */
export class Postgres extends Construct {
  readonly operator: ChartRelease;
  /** The Cluster, its ScheduledBackups, Databases and monitoring (local chart charts/postgres-cluster). */
  readonly cluster: LocalChartRelease;
  /** The ScheduledBackup of the volume snapshot backups. */
  readonly snapshotBackupName: string;
  /** The ScheduledBackup of the base backups to S3 (the name the `cluster` chart gave it). */
  readonly baseBackupName: string;
  /** The VolumeSnapshotClass the snapshot backups are taken through. */
  readonly volumeSnapshotClass: string;
  /** Service account of the instances: the Pod Identity association binds the backup role to it. */
  readonly serviceAccountName: string;
  /** Secret the operator generates with the application owner's credentials. */
  readonly appSecretName: string;
  /** Read-write service (the primary). */
  readonly readWriteHost: string;
  /** Secrets (`username`, `password`, `uri`) of the `extraDatabases` owners, by owner. */
  readonly extraCredentialSecrets: Readonly<Record<string, string>> = {};
  readonly extraCredentials?: LocalChartRelease;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{1,40}$/.test(props.clusterName)) {
      throw new Error(`${this.node.path}: 'clusterName' must be a DNS label of at most 41 characters. Got: ${props.clusterName}`);
    }
    if (props.walArchiveTimeoutMinutes < 1) {
      throw new Error(`${this.node.path}: 'walArchiveTimeoutMinutes' must be >= 1. Got: ${props.walArchiveTimeoutMinutes}`);
    }
    if (/[/]/.test(props.backup.prefix) || props.backup.prefix === '') {
      throw new Error(`${this.node.path}: 'backup.prefix' must be one path segment without slashes. Got: ${props.backup.prefix}`);
    }
    if (props.restore?.volumeSnapshot !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.restore.volumeSnapshot)) {
      throw new Error(`${this.node.path}: 'restore.volumeSnapshot' must be a VolumeSnapshot name. Got: ${props.restore.volumeSnapshot}`);
    }
    if (props.restore && props.restore.fromGeneration >= props.backupGeneration) {
      throw new Error(`${this.node.path}: 'restore.fromGeneration' must be older than 'backupGeneration'. Got: ${props.restore.fromGeneration} >= ${props.backupGeneration}`);
    }
    const archivePath = (generation: number) => `/${props.backup.prefix}/g${generation}`;
    const resources = { requests: { ...props.compute }, limits: { ...props.compute } };

    this.operator = new ChartRelease(this, 'operator', {
      name: 'cloudnative-pg',
      namespace: props.namespace,
      chart: CHARTS.cloudnativePg,
      values: {
        crds: { create: true },
        replicaCount: 1,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        nodeSelector: props.operatorPlacement.nodeSelector,
        tolerations: props.operatorPlacement.tolerations,
        monitoring: { podMonitorEnabled: false },
      },
      dependsOn: props.dependsOn,
    });

    this.serviceAccountName = props.clusterName;
    this.appSecretName = `${props.clusterName}-app`;
    this.readWriteHost = `${props.clusterName}-rw.${props.namespace}.svc`;
    const spreadRequired = props.instances <= props.zoneCount;
    const extra = props.extraDatabases ?? [];
    for (const x of extra) {
      for (const [field, value] of [['database', x.database], ['owner', x.owner]] as const) {
        if (!/^[a-z][a-z0-9_]{0,62}$/.test(value)) {
          throw new Error(`${this.node.path}: extraDatabases ${field} must be a lower-case SQL identifier (letters, digits, _). Got: ${value}`);
        }
      }
      if (x.database === props.database || x.owner === props.database) {
        throw new Error(`${this.node.path}: extraDatabases must not reuse the application database or its owner '${props.database}'`);
      }
    }
    const secretOf = (owner: string) => `${props.clusterName}-${owner.replace(/_/g, '-')}`;
    const secrets: Record<string, string> = {};
    for (const x of extra) secrets[x.owner] = secretOf(x.owner);
    this.extraCredentialSecrets = secrets;
    if (extra.length > 0) {
      this.extraCredentials = new LocalChartRelease(this, 'credentials', {
        name: `${props.clusterName}-credentials`,
        namespace: props.namespace,
        chart: 'database-credentials',
        values: {
          credentials: extra.map((x) => ({
            secretName: secretOf(x.owner),
            username: x.owner,
            host: this.readWriteHost,
            port: POSTGRES_PORT,
            database: x.database,
          })),
        },
        dependsOn: props.dependsOn,
      });
    }

    const objectStore = (generation: number) => ({
      destinationPath: `s3://${props.backup.bucket}${archivePath(generation)}`,
      endpointURL: `https://s3.${props.backup.region}.amazonaws.com`,
      s3Credentials: { inheritFromIAMRole: true },
    });
    // The archive a restore reads: the same bucket and `postgres/g<n>` path the backups of that
    // generation were written to, as server `<clusterName>` (barman's folder under the path).
    const origin = props.restore ? `${props.clusterName}-g${props.restore.fromGeneration}` : undefined;
    const bootstrap = props.restore
      ? {
          recovery: {
            source: origin,
            database: props.database,
            owner: props.database,
            ...(props.restore.volumeSnapshot
              ? { volumeSnapshots: { storage: { name: props.restore.volumeSnapshot, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' } } }
              : {}),
            ...(props.restore.targetTime ? { recoveryTarget: { targetTime: props.restore.targetTime } } : {}),
          },
        }
      : { initdb: { database: props.database, owner: props.database } };
    this.snapshotBackupName = `${props.clusterName}-snapshot-backup`;
    this.baseBackupName = `${props.clusterName}-${props.clusterName}-base-backup`;
    this.volumeSnapshotClass = props.snapshots.className;

    // The Cluster spec as the `cluster` chart 0.8.1 rendered it (so the upgrade to the local
    // chart changes nothing it set), plus the volume snapshot backups and their recovery.
    const clusterSpec = {
      instances: props.instances,
      imageName: `ghcr.io/cloudnative-pg/postgresql:${props.version}`,
      imagePullPolicy: 'IfNotPresent',
      postgresUID: 26,
      postgresGID: 26,
      storage: { size: `${props.storageGiB}Gi`, storageClass: props.storageClass },
      resources,
      // CloudNativePG AffinityConfiguration.
      affinity: {
        enablePodAntiAffinity: true,
        topologyKey: 'topology.kubernetes.io/zone',
        podAntiAffinityType: spreadRequired ? 'required' : 'preferred',
        nodeSelector: props.placement.nodeSelector,
        tolerations: props.placement.tolerations,
      },
      primaryUpdateMethod: 'switchover',
      primaryUpdateStrategy: 'unsupervised',
      stopDelay: 1800,
      logLevel: 'info',
      enableSuperuserAccess: false,
      enablePDB: props.instances > 1,
      postgresql: {
        parameters: {
          ...seedParameters(props.memoryMiB),
          archive_timeout: `${props.walArchiveTimeoutMinutes}min`,
          log_min_duration_statement: '1000',
        },
      },
      ...(extra.length > 0
        ? {
            managed: {
              roles: extra.map((x) => ({
                name: x.owner,
                ensure: 'present',
                login: true,
                superuser: false,
                passwordSecret: { name: secretOf(x.owner) },
              })),
            },
          }
        : {}),
      // CloudNativePG 1.30's own defaults (specs.GetPodSecurityContext / GetSecurityContext
      // fill every field left out), stated so the policy pack can check the instances' pods.
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: RESTRICTED_CONTAINER_SECURITY,
      monitoring: { disableDefaultQueries: false, tls: { enabled: false } },
      bootstrap,
      ...(origin
        ? {
            externalClusters: [
              {
                name: origin,
                barmanObjectStore: { serverName: props.clusterName, ...objectStore(props.restore!.fromGeneration), wal: { maxParallel: 8 } },
              },
            ],
          }
        : {}),
      backup: {
        target: 'prefer-standby',
        retentionPolicy: `${props.backupRetentionDays}d`,
        // Empty: no SSE header, so S3 applies the bucket's default SSE-KMS key (the backups key).
        barmanObjectStore: {
          ...objectStore(props.backupGeneration),
          wal: { compression: 'gzip', maxParallel: 2 },
          data: { compression: 'gzip', jobs: 2 },
        },
        // Issue 13: online (hot) snapshots of each instance's data volume; the snapshots are no
        // one's dependents (`none`): replacing the release or the Cluster for a restore keeps
        // them, and the class (Retain in staging/production) keeps the EBS snapshot even when a
        // VolumeSnapshot goes. SnapshotBackupRotation prunes them.
        volumeSnapshot: {
          className: props.snapshots.className,
          online: true,
          // The snapshot's replay starts at its checkpoint: a fast one keeps that close to its time.
          onlineConfiguration: { immediateCheckpoint: true, waitForArchive: true },
          snapshotOwnerReference: 'none',
        },
      },
    };

    this.cluster = new LocalChartRelease(this, 'cluster', {
      name: props.clusterName,
      namespace: props.namespace,
      chart: 'postgres-cluster',
      values: {
        name: props.clusterName,
        cluster: clusterSpec,
        scheduledBackups: [
          {
            // The name the `cluster` chart gave it (`<fullname>-<name>`), so the upgrade keeps it.
            name: this.baseBackupName,
            spec: { immediate: true, schedule: props.baseBackupSchedule, method: 'barmanObjectStore', backupOwnerReference: 'self' },
          },
          {
            name: this.snapshotBackupName,
            // `none`: the Backups (and so their snapshots) outlive the ScheduledBackup, e.g. when
            // the release is replaced for a restore from one of them.
            spec: { immediate: true, schedule: props.snapshots.schedule, method: 'volumeSnapshot', backupOwnerReference: 'none' },
          },
        ],
        databases: extra.map((x) => ({
          name: `${props.clusterName}-${x.database.replace(/_/g, '-')}`,
          spec: { name: x.database, ensure: 'present', owner: x.owner, template: 'template1', encoding: 'UTF8', databaseReclaimPolicy: 'retain' },
        })),
        monitoring: { podMonitor: props.monitoring, prometheusRule: props.monitoring },
      },
      // The snapshot class before the Cluster that names it (scripts/dependency-order.ts).
      dependsOn: [this.operator.release, props.snapshots.classRelease, ...(this.extraCredentials ? [this.extraCredentials.release] : [])],
    });
  }
}
