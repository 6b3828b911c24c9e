import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { LocalChartRelease } from './local-chart-release';
import { BackupCronJob } from './backup-cron-job';
import { ComputeResources } from './postgres';

export interface MongoDbProps {
  readonly namespace: string;
  /** Name of the MongoDBCommunity resource (services `<name>-svc`, pods `<name>-<i>`). */
  readonly name: string;
  readonly members: number;
  /** MongoDB Community Server version x.y.z (>= 6). */
  readonly version: string;
  readonly storageGiB: number;
  readonly storageClass: string;
  readonly compute: ComputeResources;
  readonly placement: NodePlacement;
  /** Node selector and tolerations of the MongoDB operator (the system pool). */
  readonly operatorPlacement: NodePlacement;
  readonly zoneCount: number;
  /** Application user and its database (readWrite). */
  readonly appUser: string;
  readonly appDatabase: string;
  /**
   * Further users, each with readWrite on its own database only (e.g. the beta channel's).
   * @default none
   */
  readonly extraUsers?: readonly { readonly name: string; readonly database: string }[];
  /** Scheduled mongodump to the backup bucket. */
  readonly backup: {
    readonly schedule: string;
    readonly bucket: string;
    readonly region: string;
    readonly prefix: string;
    /** Service account of the backup job (bound to its Pod Identity role in the cloud stack). */
    readonly serviceAccountName: string;
    readonly mongoToolsImage: string;
    readonly awsCliImage: string;
  };
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * DATA-2: a MongoDB replica set managed by the maintained mongodb-kubernetes operator (MCK).
 *
 * The operator comes from its pinned chart; the MongoDBCommunity resource and its password
 * secrets come from the project's own chart charts/mongodb-replicaset (installed by Helm, so no
 * CRD has to exist when Terraform plans). Authentication is SCRAM; each user's password is
 * generated in the cluster by that chart on first install (`randAlphaNum`, kept across upgrades
 * with `lookup`), so it never appears in code, values or Terraform state. The operator writes the
 * connection strings to `<name>-admin-<user>` secrets. Members spread over zones on the database
 * pool, each with encrypted, retained volumes. A CronJob takes a gzip'ed mongodump (oplog
 * included) and uploads it to `s3://<bucket>/<prefix>/`.
 */
export class MongoDb extends Construct {
  readonly operator: ChartRelease;
  readonly replicaSet: LocalChartRelease;
  readonly backupJob: BackupCronJob;
  /** Secret of the application user's password (generated in the cluster). */
  readonly appPasswordSecret: string;
  /** Secret the operator writes with the application user's connection strings (`connectionString.standard`). */
  readonly appConnectionSecret: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: MongoDbProps) {
    super(scope, id);
    if (Number(props.version.split('.')[0]) < 6) {
      throw new Error(`${this.node.path}: MongoDB must be 6 or later (HW-3). Got: ${props.version}`);
    }
    const resources = { requests: { ...props.compute }, limits: { ...props.compute } };

    this.operator = new ChartRelease(this, 'operator', {
      name: 'mongodb-kubernetes',
      namespace: props.namespace,
      chart: CHARTS.mongodbKubernetes,
      values: {
        operator: {
          // Only the Community resource is used; nothing of Ops Manager or Enterprise.
          watchedResources: ['mongodbcommunity'],
          replicas: 1,
          nodeSelector: props.operatorPlacement.nodeSelector,
          tolerations: props.operatorPlacement.tolerations,
        },
        registry: { pullPolicy: 'IfNotPresent' },
        community: { mongodb: { imageType: 'ubi8' } },
      },
      dependsOn: props.dependsOn,
    });
    this.operator.suppressRendered(
      'Deployment/mongodb-kubernetes-operator',
      'TAI-K8S-3',
      'mongodb-kubernetes 1.10.0 renders no probes for the operator and has no values for them; it serves no traffic and a crash restarts it',
    );

    this.name = props.name;
    const backupUser = 'backup';
    const extraUsers = props.extraUsers ?? [];
    for (const u of extraUsers) {
      if ([props.appUser, backupUser, 'monitoring'].includes(u.name) || u.database === props.appDatabase) {
        throw new Error(`${this.node.path}: extraUsers must not reuse a built-in user or the application database. Got: ${u.name} on ${u.database}`);
      }
    }
    this.appPasswordSecret = `${props.name}-${props.appUser}-password`;
    this.appConnectionSecret = this.connectionSecretOf(props.appUser);
    this.replicaSet = new LocalChartRelease(this, 'replica-set', {
      name: props.name,
      namespace: props.namespace,
      chart: 'mongodb-replicaset',
      values: {
        name: props.name,
        members: props.members,
        version: props.version,
        users: { app: { name: props.appUser, database: props.appDatabase }, backup: { name: backupUser }, monitoring: { name: 'monitoring' } },
        ...(extraUsers.length > 0 ? { extraUsers: extraUsers.map((u) => ({ name: u.name, database: u.database })) } : {}),
        persistence: { storageClass: props.storageClass, dataSize: `${props.storageGiB}Gi`, logsSize: '10Gi' },
        resources,
        nodeSelector: props.placement.nodeSelector,
        tolerations: props.placement.tolerations,
        zoneSpread: { whenUnsatisfiable: props.members <= props.zoneCount ? 'DoNotSchedule' : 'ScheduleAnyway' },
      },
      dependsOn: [this.operator.release],
    });

    const hosts = Array.from({ length: props.members }, (_, i) => `${props.name}-${i}.${props.name}-svc.${props.namespace}.svc.cluster.local:27017`).join(',');
    this.backupJob = new BackupCronJob(this, 'backup', {
      name: `${props.name}-backup`,
      namespace: props.namespace,
      serviceAccountName: props.backup.serviceAccountName,
      schedule: props.backup.schedule,
      dump: {
        image: props.backup.mongoToolsImage,
        // The password reaches mongodump through a config file on the memory-backed /tmp, never
        // on the command line (where `ps` would show it).
        script: [
          'set -eu',
          'umask 077',
          'printf "password: %s\\n" "$MONGODB_PASSWORD" > /tmp/mongodump.yaml',
          `mongodump --uri="mongodb://${backupUser}@${hosts}/?replicaSet=${props.name}&authSource=admin&readPreference=secondaryPreferred" --config=/tmp/mongodump.yaml --oplog --gzip --archive=/backup/mongodb.archive.gz`,
          'rm -f /tmp/mongodump.yaml',
        ].join('\n'),
        env: [{ name: 'MONGODB_PASSWORD', secretName: `${props.name}-${backupUser}-password`, key: 'password' }],
      },
      awsCliImage: props.backup.awsCliImage,
      uploadFrom: '/backup',
      bucket: props.backup.bucket,
      region: props.backup.region,
      prefix: props.backup.prefix,
      placement: props.placement,
      dependsOn: [this.replicaSet.release],
    });
  }

  /** Secret the operator writes with `user`'s connection strings (`connectionString.standard`). */
  connectionSecretOf(user: string): string {
    return `${this.name}-admin-${user}`;
  }
}
