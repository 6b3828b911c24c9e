import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { LocalChartRelease } from './local-chart-release';
import { ComputeResources } from './postgres';

/** A MongoDB user with readWrite on its own database, whose TLS URI a client reads. */
export interface MongoDbUser {
  readonly name: string;
  readonly database: string;
  /** Where the client finds the replica set's CA certificate (the URI's `tlsCAFile`). */
  readonly caFile: string;
}

export interface MongoDbProps {
  readonly namespace: string;
  /** Name of the PerconaServerMongoDB resource (pods `<name>-rs0-<i>`, service `<name>-rs0`). */
  readonly name: string;
  readonly members: number;
  /** Percona Server for MongoDB image tag `<x.y.z>-<build>` (>= 6). */
  readonly version: string;
  readonly storageGiB: number;
  readonly storageClass: string;
  readonly compute: ComputeResources;
  readonly placement: NodePlacement;
  /** Node selector and tolerations of the operator (the system pool). */
  readonly operatorPlacement: NodePlacement;
  readonly zoneCount: number;
  /** The application channels' users, each with readWrite on its own database only. */
  readonly users: readonly MongoDbUser[];
  /** The metrics exporter's user (clusterMonitor, read on `local` and on `admin` for PBM's status). */
  readonly monitoring: { readonly name: string; readonly caFile: string };
  /** Percona Backup for MongoDB: base backups and the oplog (PITR) in one prefix of the backup bucket. */
  readonly backup: {
    readonly bucket: string;
    readonly region: string;
    /** One path segment (features/backups/contract.ts): PBM writes `s3://<bucket>/<prefix>/`. */
    readonly prefix: string;
    /** Five-field cron (UTC) of the logical base backups. */
    readonly baseBackupSchedule: string;
    /** Base backups kept (PBM retention by count). */
    readonly baseBackupsKept: number;
    /** Oplog slice span (minutes): the RPO of a total loss. */
    readonly oplogSpanMinutes: number;
    /**
     * Service account of the replica set's pods, whose PBM agent sidecar writes to S3 with the
     * Pod Identity role the cloud stack binds to it.
     */
    readonly serviceAccountName: string;
  };
  /** BAK-3: restore from the backup storage, from base backup `baseBackup` up to `targetTime` (or the latest slice). */
  readonly restore?: { readonly baseBackup: string; readonly targetTime?: string };
  readonly dependsOn?: ITerraformDependable[];
  /**
   * What the replica set (the PerconaServerMongoDB resource, from which the operator creates the
   * StatefulSet) waits for besides the operator: e.g. the members' claims restored from snapshots.
   */
  readonly replicaSetDependsOn?: ITerraformDependable[];
}

/** The replica set's name inside the PerconaServerMongoDB resource. */
export const MONGODB_REPLSET = 'rs0';
/**
 * The operator's volume claim template of a member's data volume, mounted at `/data/db` (data
 * files and the WiredTiger journal): the claim of member `i` is `mongod-data-<name>-rs0-<i>`.
 */
export const MONGODB_DATA_CLAIM_TEMPLATE = 'mongod-data';

/**
 * The labels of a member's data claim as the StatefulSet controller creates it, which the Percona
 * operator 1.22.0 finds its claims by. The operator gives the mongod StatefulSet the selector
 * `naming.MongodLabels(cr, replset)` (pkg/controller/perconaservermongodb/psmdb_controller.go,
 * reconcileReplset; pkg/psmdb/statefulset.go, StatefulSpec `Selector.MatchLabels: ls`): the
 * labels of pkg/naming/labels.go `Labels()` plus `app.kubernetes.io/instance: <cluster>`,
 * `app.kubernetes.io/replset: <replset>` and `app.kubernetes.io/component: mongod`. Its claim
 * template has no labels of its own (pkg/psmdb/statefulset.go, PersistentVolumeClaim; the resource
 * here sets no `volumeSpec.persistentVolumeClaim.labels`), and the StatefulSet controller labels each
 * claim it creates with the selector's labels. The operator lists claims by exactly these labels to
 * resize them and fix their labels (pkg/controller/perconaservermongodb/volumes.go, reconcilePVCs:
 * `LabelSelector: labels.SelectorFromSet(ls)`): a claim without them is never resized.
 */
export function mongodDataClaimLabels(cluster: string, replset: string = MONGODB_REPLSET): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'percona-server-mongodb',
    'app.kubernetes.io/managed-by': 'percona-server-mongodb-operator',
    'app.kubernetes.io/part-of': 'percona-server-mongodb',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/replset': replset,
    'app.kubernetes.io/component': 'mongod',
  };
}
/** MongoDB's port. */
export const MONGODB_PORT = 27017;
/** The PBM storage name in the PerconaServerMongoDB resource. */
export const MONGODB_BACKUP_STORAGE = 's3';

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** `2026-01-31T12:00:00Z` (or with an offset) as PBM's `YYYY-MM-DD HH:MM:SS` in UTC. */
export function pbmDate(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${rfc3339}`);
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

/**
 * DATA-2, BAK-2, BAK-3: a MongoDB replica set managed by the Percona Server for MongoDB operator,
 * backed up by Percona Backup for MongoDB (PBM).
 *
 * - The operator (psmdb-operator) and the cluster (psmdb-db, one PerconaServerMongoDB resource)
 *   come from their pinned charts; the operator's chart installs the CRDs before the cluster's
 *   release is applied (it depends on it).
 * - TLS only (`requireTLS`): the operator generates the CA and the member certificates into
 *   `<name>-ssl` / `<name>-ssl-internal` (no cert-manager in the cluster); clients verify the
 *   server against `ca.crt` of `<name>-ssl` (`allowInvalidCertificates: false`).
 * - Users: each channel's user with readWrite on its database, and the exporter's; passwords
 *   generated in the cluster by charts/mongodb-credentials (never in code, values or state), which
 *   also writes each user's TLS connection URI. The operator's own system users live in
 *   `<name>-secrets`, generated by the operator.
 * - Backups: the PBM agent runs beside each member and writes to `s3://<bucket>/<prefix>/` with
 *   the Pod Identity role of the members' service account (no key): continuous oplog slices of at
 *   most `oplogSpanMinutes` (point-in-time recovery) and scheduled logical base backups streamed
 *   to S3 (no local disk), `baseBackupsKept` of them kept.
 * - Restore: `restore` adds a PerconaServerMongoDBRestore (charts/mongodb-restore) reading the
 *   same bucket and prefix.
 */
export class MongoDb extends Construct {
  readonly operator: ChartRelease;
  readonly credentials: LocalChartRelease;
  readonly replicaSet: ChartRelease;
  readonly restore?: LocalChartRelease;
  readonly serviceAccount: ServiceAccountV1;
  readonly name: string;
  /** Secret the operator generates with the CA (`ca.crt`) and the server certificate (`tls.crt`). */
  readonly tlsSecret: string;
  /** `host:port` of every member (the URIs' seed list). */
  readonly hosts: string;
  /** Where PBM writes: `s3://<bucket>/<prefix>/`. */
  readonly backupDestination: string;
  /** What the backup alerts watch. */
  readonly alertSpec: { readonly namespace: string; readonly baseBackupSchedule: string; readonly oplogSpanMinutes: number };

  constructor(scope: Construct, id: string, props: MongoDbProps) {
    super(scope, id);
    if (Number(props.version.split('.')[0]) < 6) {
      throw new Error(`${this.node.path}: MongoDB must be 6 or later (HW-3). Got: ${props.version}`);
    }
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(props.backup.prefix)) {
      throw new Error(`${this.node.path}: 'backup.prefix' must be one lower-case path segment without slashes. Got: ${props.backup.prefix}`);
    }
    const names = [...props.users.map((u) => u.name), props.monitoring.name];
    if (new Set(names).size !== names.length) {
      throw new Error(`${this.node.path}: user names must be unique. Got: ${names.join(', ')}`);
    }
    if (new Set(props.users.map((u) => u.database)).size !== props.users.length) {
      throw new Error(`${this.node.path}: each user needs a database of its own. Got: ${props.users.map((u) => u.database).join(', ')}`);
    }
    this.name = props.name;
    this.tlsSecret = `${props.name}-ssl`;
    const svc = `${props.name}-${MONGODB_REPLSET}`;
    this.hosts = Array.from({ length: props.members }, (_, i) => `${svc}-${i}.${svc}.${props.namespace}.svc.cluster.local:${MONGODB_PORT}`).join(',');
    this.backupDestination = `s3://${props.backup.bucket}/${props.backup.prefix}/`;
    this.alertSpec = { namespace: props.namespace, baseBackupSchedule: props.backup.baseBackupSchedule, oplogSpanMinutes: props.backup.oplogSpanMinutes };
    const resources = { requests: { ...props.compute }, limits: { ...props.compute } };

    this.operator = new ChartRelease(this, 'operator', {
      name: 'psmdb-operator',
      namespace: props.namespace,
      chart: CHARTS.psmdbOperator,
      values: {
        disableTelemetry: true,
        nodeSelector: props.operatorPlacement.nodeSelector,
        tolerations: props.operatorPlacement.tolerations,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
      },
      dependsOn: props.dependsOn,
    });

    // The members' service account: the PBM agent sidecar's S3 identity (Pod Identity). Under
    // `backup/`, the path the mongodump CronJob's account of the same name had: an environment that
    // moves from it keeps the same Terraform resource instead of deleting and creating one name.
    this.serviceAccount = new ServiceAccountV1(new Construct(this, 'backup'), 'service-account', {
      metadata: { name: props.backup.serviceAccountName, namespace: props.namespace },
      automountServiceAccountToken: false,
    });

    this.credentials = new LocalChartRelease(this, 'credentials', {
      name: `${props.name}-credentials`,
      namespace: props.namespace,
      chart: 'mongodb-credentials',
      values: {
        hosts: this.hosts,
        replicaSet: MONGODB_REPLSET,
        users: [
          ...props.users.map((u) => ({ secretName: this.credentialSecretOf(u.name), username: u.name, database: u.database, caFile: u.caFile })),
          { secretName: this.credentialSecretOf(props.monitoring.name), username: props.monitoring.name, database: 'admin', caFile: props.monitoring.caFile },
        ],
      },
      dependsOn: props.dependsOn,
    });

    const user = (name: string, roles: { name: string; db: string }[]) => ({
      name,
      db: 'admin',
      passwordSecretRef: { name: this.credentialSecretOf(name), key: 'password' },
      roles,
    });
    const storage = { bucket: props.backup.bucket, region: props.backup.region, prefix: props.backup.prefix };
    this.replicaSet = new ChartRelease(this, 'replica-set', {
      name: props.name,
      namespace: props.namespace,
      chart: CHARTS.psmdbDb,
      values: {
        fullnameOverride: props.name,
        // A 1-member replica set (development) is refused by the operator unless allowed.
        ...(props.members < 3 ? { unsafeFlags: { replsetSize: true } } : {}),
        image: { tag: props.version },
        imagePullPolicy: 'IfNotPresent',
        // Versions are pinned here, never upgraded by the operator's version service.
        upgradeOptions: { apply: 'disabled' },
        sharding: { enabled: false },
        logcollector: { enabled: false },
        tls: { mode: 'requireTLS', allowInvalidCertificates: false },
        secrets: { users: `${props.name}-secrets`, ssl: this.tlsSecret, sslInternal: `${props.name}-ssl-internal` },
        replsets: {
          rs0: {
            name: MONGODB_REPLSET,
            size: props.members,
            serviceAccountName: this.serviceAccount.metadata.name,
            nodeSelector: props.placement.nodeSelector,
            // Development's app pool has no taint: an empty list would set nothing.
            ...(props.placement.tolerations.length > 0 ? { tolerations: props.placement.tolerations } : {}),
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: props.members <= props.zoneCount ? 'DoNotSchedule' : 'ScheduleAnyway',
                labelSelector: { matchLabels: { 'app.kubernetes.io/instance': props.name, 'app.kubernetes.io/replset': MONGODB_REPLSET } },
              },
            ],
            podSecurityContext: { runAsNonRoot: true, runAsUser: 1001, fsGroup: 1001, seccompProfile: { type: 'RuntimeDefault' } },
            containerSecurityContext: RESTRICTED_CONTAINER,
            resources,
            volumeSpec: {
              pvc: { storageClassName: props.storageClass, resources: { requests: { storage: `${props.storageGiB}Gi` } } },
            },
          },
        },
        users: [
          ...props.users.map((u) => user(u.name, [{ name: 'readWrite', db: u.database }])),
          user(props.monitoring.name, [
            { name: 'clusterMonitor', db: 'admin' },
            { name: 'read', db: 'local' },
            // PBM's status collections (admin.pbm*), read by the exporter's PBM collector.
            { name: 'read', db: 'admin' },
          ]),
        ],
        backup: {
          enabled: true,
          resources: { requests: { cpu: '300m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
          containerSecurityContext: RESTRICTED_CONTAINER,
          storages: { [MONGODB_BACKUP_STORAGE]: { main: true, type: 's3', s3: storage } },
          pitr: { enabled: true, oplogSpanMin: props.backup.oplogSpanMinutes, compressionType: 'gzip' },
          tasks: [
            {
              name: 'base',
              enabled: true,
              schedule: props.backup.baseBackupSchedule,
              type: 'logical',
              storageName: MONGODB_BACKUP_STORAGE,
              compressionType: 'gzip',
              retention: { count: props.backup.baseBackupsKept, type: 'count', deleteFromStorage: true },
            },
          ],
        },
      },
      dependsOn: [this.operator.release, this.credentials.release, this.serviceAccount, ...(props.replicaSetDependsOn ?? [])],
    });

    if (props.restore) {
      const r = props.restore;
      this.restore = new LocalChartRelease(this, 'restore', {
        name: `${props.name}-restore`,
        namespace: props.namespace,
        chart: 'mongodb-restore',
        values: {
          // A new restore setting is a new object: the operator runs each restore once.
          name: `restore-${(r.targetTime ? pbmDate(r.targetTime) : `${r.baseBackup}-latest`).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`,
          clusterName: props.name,
          baseBackup: r.baseBackup,
          pitr: r.targetTime ? { type: 'date', date: pbmDate(r.targetTime) } : { type: 'latest', date: '' },
          storage,
        },
        dependsOn: [this.replicaSet.release],
      });
    }
  }

  /** Secret with `user`'s password and TLS connection URI (`uri`). */
  credentialSecretOf(user: string): string {
    return `${this.name}-${user}-credentials`;
  }
}
