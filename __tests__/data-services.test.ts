/**
 * Data services and Vault (DATA-1..5, SEC-1, BAK-2 jobs): the data section's rules, the managed
 * Redis cache and the workload roles in the cloud stack, PostgreSQL, MongoDB, ChromaDB and Vault
 * in the platform stack, and a scan of every synthesized stack for literal credentials.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { buildStacks } from '../stacks/app';
import { Json, resourceAt, resources, stacksFor, synth, definitionProblems, shipped } from './helpers';
import { BackupPrefix } from '../features/backups/contract';
import { DATA_IDENTITIES, chromaClaimNames } from '../features/data/contract';
import { Chroma } from '../constructs/data/chroma';
import { APP_SECRET_PATHS } from '../features/data/platform';
import { LOCAL_CHARTS_DIR, LocalChartRelease } from '../constructs/data/local-chart-release';
import { leafPaths, pathExists } from '../scripts/chart-values';

/** The stateful storage class, by reference (so volumes wait for the class). */
const STATEFUL_STORAGE_CLASS = expect.stringMatching(/^\$\{kubernetes_storage_class_v1\.storage-classes_stateful_[A-F0-9]+\.metadata\[0\]\.name\}$/);
/** Issue 13: the stores with provisioned IOPS/throughput have classes of their own (storage.test.ts). */
const STORE_CLASS = (store: string) => expect.stringMatching(new RegExp(`^\\$\\{kubernetes_storage_class_v1\\.storage-class-${store}_class_[A-F0-9]+\\.metadata\\[0\\]\\.name\\}$`));

/** All stacks of all shipped environments, built once. */
const allApp = Testing.app();
const allStacks = buildStacks(allApp, validateEnvironments(DEFINITIONS));

/** Production's constructs (those of the app above). */
const prod = allStacks.production;
const prodCloud = shipped('production').cloud;
/** The backup bucket's ARN as the backups feature (the bucket's owner) exposes it. */
const BACKUP_BUCKET_ARN = prod.cloud.backups.bucketArn;
const devCloud = shipped('development').cloud;
const prodPlatform = shipped('production').platform;
const devPlatform = shipped('development').platform;

function problemsOf(name: string, mutate: (d: any) => void): string[] {
  return definitionProblems(name, mutate);
}

/** The parsed values of a synthesized helm_release. */
function releaseValues(json: Json, pathSuffix: string): Json {
  const r = resourceAt(json, 'helm_release', pathSuffix);
  return JSON.parse(r.values[0]);
}

/** The statements of the inline policy of a workload role. */
function rolePolicy(json: Json, id: string): Json[] {
  return JSON.parse(resourceAt(json, 'aws_iam_role_policy', `data/role-${id}/policy`).policy).Statement;
}

describe('data section of the definitions (DATA-1..4, HW-1, HW-3)', () => {
  test('every shipped definition is valid', () => {
    expect(() => validateEnvironments(DEFINITIONS)).not.toThrow();
  });

  test.each([
    ['production', 'production.data.postgres.instances: production PostgreSQL must run 3 instances across the 3 database nodes (DATA-1); got 2', (d: any) => (d.data.postgres.instances = 2)],
    ['staging', 'staging.data.postgres.storageGiB: 1024 GiB is below the documented 2048 GiB per database server', (d: any) => (d.data.postgres.storageGiB = 1024)],
    ['production', 'production.data.mongodb.storageGiB: 500 GiB is below the documented 2048 GiB per database server', (d: any) => (d.data.mongodb.storageGiB = 500)],
    ['production', 'production.data.chroma.storageGiB: 512 GiB is below the documented 1024 GiB per vector database server', (d: any) => (d.data.chroma.storageGiB = 512)],
    ['development', 'development.data.postgres.version: PostgreSQL 14 is below the documented minimum 15 (HW-3)', (d: any) => (d.data.postgres.version = '14')],
    ['development', 'development.data.mongodb.version: MongoDB 5.0.26-22 is below the documented minimum 6 (HW-3)', (d: any) => (d.data.mongodb.version = '5.0.26-22')],
    ['development', 'development.data.mongodb.version: must be a Percona Server for MongoDB image tag such as 8.0.19-7', (d: any) => (d.data.mongodb.version = '7.0.14')],
    ['staging', 'staging.data.mongodb.oplogSpanMinutes: 10 minutes exceeds the database RPO of 5 minutes (backup.databaseRpoMinutes)', (d: any) => (d.data.mongodb.oplogSpanMinutes = 10)],
    ['staging', 'staging.data.mongodb.restore.targetTime: 2026-11-20T05:00:00Z is before the base backup 2026-11-20T06:30:21Z', (d: any) => (d.data.mongodb.restore = { baseBackup: '2026-11-20T06:30:21Z', targetTime: '2026-11-20T05:00:00Z' })],
    ['staging', 'staging.data.mongodb.restore.baseBackup: must be a PBM backup name such as 2026-01-31T06:30:21Z', (d: any) => (d.data.mongodb.restore = { baseBackup: 'last-night' })],
    ['production', 'production.data.mongodb.members: production MongoDB must be a 3-member replica set (DATA-2); got 1', (d: any) => (d.data.mongodb.members = 1)],
    ['staging', 'staging.data.vault.replicas: staging Vault must run 3 raft replicas', (d: any) => (d.data.vault.replicas = 1)],
    ['production', 'production.data.redis.replicas: production Redis needs at least 1 replica for multi-AZ automatic failover (DATA-4); got 0', (d: any) => (d.data.redis.replicas = 0)],
    ['production', 'production.data.postgres.walArchiveTimeoutMinutes: 10 minutes exceeds the database RPO of 5 minutes (backup.databaseRpoMinutes)', (d: any) => (d.data.postgres.walArchiveTimeoutMinutes = 10)],
    ['development', 'development.data.redis.engineVersion: valkey 6.2 cannot authenticate with IAM; use 7.0 or later', (d: any) => (d.data.redis.engineVersion = '6.2')],
    ['development', 'development.data.chroma.imageTag: must be a pinned tag, never "latest"', (d: any) => (d.data.chroma.imageTag = 'latest')],
    ['development', 'development.data.jobImages.awsCli: must be registry/repository:tag with an explicit registry and tag', (d: any) => (d.data.jobImages.awsCli = 'public.ecr.aws/aws-cli/aws-cli')],
    ['development', 'development.data.postgres.baseBackupSchedule: must be a six-field cron schedule with seconds first, as CloudNativePG expects, such as "0 0 2 * * *": has 5 field(s); 6 are needed (second, minute, hour, day of month, month, day of week)', (d: any) => (d.data.postgres.baseBackupSchedule = '0 2 * * *')],
    ['development', 'development.data.mongodb.baseBackupSchedule: must be a five-field cron schedule (UTC) such as "30 */6 * * *": has 1 field(s); 5 are needed (minute, hour, day of month, month, day of week)', (d: any) => (d.data.mongodb.baseBackupSchedule = 'daily')],
    ['testing', 'testing.data: is required', (d: any) => delete d.data],
    ['staging', 'staging.data.postgres.restore.fromGeneration: generation 1 is not older than backupGeneration 1; the restored cluster would archive over the backups it reads: set backupGeneration to 2', (d: any) => (d.data.postgres.restore = { fromGeneration: 1 })],
    ['staging', 'staging.data.postgres.restore.targetTime: must be an RFC 3339 time', (d: any) => (d.data.postgres.restore = { fromGeneration: 1, targetTime: 'yesterday' })],
    ['production', 'production.data.chroma.replicas: 3 replicas would be independent servers behind one Service', (d: any) => (d.data.chroma.replicas = 3)],
    // Issue 13: hourly snapshots leave up to 65 minutes of WAL, 17 minutes of replay at 4x: 24 > 15.
    ['production', "production.data.postgres.snapshotSchedule: '0 0 * * * *' lets a restore replay up to 65 minutes of WAL (the longest gap plus 5 minutes until a snapshot is ready), 17 minutes at 4x the rate it was written; with 5 + 2 minutes for the volume and the start that is 24 minutes, above the database RTO of 15 minutes (backup.databaseRtoMinutes)", (d: any) => (d.data.postgres.snapshotSchedule = '0 0 * * * *')],
    ['staging', "staging.data.postgres.snapshotSchedule: '0 */30 * * * *' lets a restore replay up to 35 minutes of WAL", (d: any) => (d.data.postgres.snapshotSchedule = '0 */30 * * * *')],
    ['development', 'development.data.postgres.snapshotSchedule: must be a six-field cron schedule with seconds first', (d: any) => (d.data.postgres.snapshotSchedule = '*/15 * * * *')],
    ['development', 'development.data.postgres.snapshotsKept: must be >= 2', (d: any) => (d.data.postgres.snapshotsKept = 1)],
    ['staging', 'staging.data.postgres.restore.volumeSnapshot: must be the name of a VolumeSnapshot (a lower-case DNS label)', (d: any) => (d.data.postgres.restore = { fromGeneration: 1, volumeSnapshot: 'Postgres_Snap' })],
  ])('%s: rejects "%s"', (name, message, mutate) => {
    const problems = problemsOf(name as string, mutate as (d: any) => void);
    expect(problems.some((p) => p.startsWith(message as string))).toBe(true);
  });

  test('development and testing may snapshot PostgreSQL rarely (no RTO rule below staging)', () => {
    expect(problemsOf('development', (d) => (d.data.postgres.snapshotSchedule = '0 0 3 * * *'))).toEqual([]);
    expect(problemsOf('production', (d) => (d.data.postgres.snapshotSchedule = '0 */20 * * * *'))).toEqual([]);
  });

  test('development may run single instances on small volumes', () => {
    expect(problemsOf('development', (d) => {
      d.data.postgres.instances = 1;
      d.data.postgres.storageGiB = 5;
    })).toEqual([]);
  });
});

describe('Redis: ElastiCache with IAM authentication (DATA-4)', () => {
  const group = resourceAt(prodCloud, 'aws_elasticache_replication_group', 'data/redis/replication-group');
  const devGroup = resourceAt(devCloud, 'aws_elasticache_replication_group', 'data/redis/replication-group');

  test('production: encrypted at rest with its own key and in transit, multi-AZ with failover, protected', () => {
    expect(group).toMatchObject({
      engine: 'valkey',
      engine_version: '8.0',
      node_type: 'cache.r7g.large',
      num_cache_clusters: 3,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      at_rest_encryption_enabled: 'true',
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
      snapshot_retention_limit: 14,
      final_snapshot_identifier: 'toronto-ai-production-cache-final',
      lifecycle: { prevent_destroy: true },
    });
    expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\.data_key-cache_key_[A-F0-9]+\.arn\}$/);
    expect(resourceAt(prodCloud, 'aws_kms_key', 'data/key-cache/key').enable_key_rotation).toBe(true);
  });

  test('no auth token: RBAC with an IAM user, the default user switched off', () => {
    expect(group.auth_token).toBeUndefined();
    expect(group.user_group_ids).toEqual([expect.stringMatching(/aws_elasticache_user_group\.data_redis_user-group_.*\.user_group_id/)]);
    const app = resourceAt(prodCloud, 'aws_elasticache_user', 'data/redis/app-user');
    expect(app).toMatchObject({ user_id: 'toronto-ai-production-cache-app', user_name: 'toronto-ai-production-cache-app', authentication_mode: { type: 'iam' } });
    expect(app.passwords).toBeUndefined();
    const off = resourceAt(prodCloud, 'aws_elasticache_user', 'data/redis/default-user');
    expect(off).toMatchObject({ user_name: 'default', access_string: 'off -@all', authentication_mode: { type: 'no-password-required' } });
  });

  test('in the data subnets, reachable on 6379 from the EKS cluster security group only', () => {
    const subnets = resourceAt(prodCloud, 'aws_elasticache_subnet_group', 'data/redis/subnets');
    expect(subnets.subnet_ids).toHaveLength(3);
    subnets.subnet_ids.forEach((id: string) => expect(id).toMatch(/aws_subnet\.network_data-/));
    const rules = resources(prodCloud, 'aws_vpc_security_group_ingress_rule').filter((r) => r['//'].metadata.path.includes('/data/redis/'));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ from_port: 6379, to_port: 6379, ip_protocol: 'tcp' });
    expect(rules[0].referenced_security_group_id).toMatch(/aws_eks_cluster\.cluster_.*\.vpc_config\[0\]\.cluster_security_group_id/);
    expect(rules[0].cidr_ipv4).toBeUndefined();
  });

  test('development: one node, no multi-AZ, no final snapshot, not protected', () => {
    expect(devGroup).toMatchObject({ num_cache_clusters: 1, automatic_failover_enabled: false, multi_az_enabled: false, node_type: 'cache.t4g.micro' });
    expect(devGroup.final_snapshot_identifier).toBeUndefined();
    expect(devGroup.lifecycle).toBeUndefined();
  });
});

describe('workload roles of the data services (BAK-2, SEC-1)', () => {
  test.each(Object.entries(DATA_IDENTITIES).filter(([, v]) => 'prefix' in v))('%s writes only under its prefix of the backup bucket', (id, who) => {
    const prefix = (who as { prefix: BackupPrefix }).prefix.keyPrefix;
    const statements = rolePolicy(prodCloud, id);
    const objects = statements.find((s) => s.Sid?.startsWith('ReadWrite'));
    expect(objects?.Resource).toBe(`${BACKUP_BUCKET_ARN}/${prefix}*`);
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('s3:*');
    const association = resourceAt(prodCloud, 'aws_eks_pod_identity_association', `data/role-${id}/association`);
    expect(association).toMatchObject({ namespace: who.namespace, service_account: who.serviceAccount });
  });

  test('Vault may use only its unseal keys', () => {
    expect(rolePolicy(prodCloud, 'vault')).toEqual([
      {
        Sid: 'VaultAutoUnsealWithKms',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'],
        // the single-region key and the multi-region one it migrates to (issue 13)
        Resource: [expect.stringMatching(/aws_kms_key\.data_key-vault-unseal_key_.*\.arn/), expect.stringMatching(/aws_kms_key\.data_key-vault-unseal-mr_key_.*\.arn/)],
      },
    ]);
    expect(resourceAt(prodCloud, 'aws_kms_alias', 'data/key-vault-unseal/alias').name).toBe('alias/toronto-ai-production-vault-unseal');
    expect(resourceAt(prodCloud, 'aws_kms_key', 'data/key-vault-unseal/key').lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe('PostgreSQL: CloudNativePG (DATA-1)', () => {
  const values = releaseValues(prodPlatform, 'postgres/cluster/release');
  const spec = values.cluster;
  const bucket = 'toronto-ai-production-backups-444455556666';

  test('3 instances across zones on the tainted database pool, 2 TiB retained volumes', () => {
    expect(spec.instances).toBe(3);
    expect(spec.storage).toEqual({ size: '2048Gi', storageClass: STORE_CLASS('postgres') });
    expect(spec.affinity).toEqual({
      enablePodAntiAffinity: true,
      topologyKey: 'topology.kubernetes.io/zone',
      podAntiAffinityType: 'required',
      nodeSelector: { 'toronto-ai.io/pool': 'database' },
      tolerations: [{ key: 'toronto-ai.io/pool', operator: 'Equal', value: 'database', effect: 'NoSchedule' }],
    });
    expect(spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17.6');
  });

  test('operator-generated credentials, no superuser, monitoring on', () => {
    expect(spec.bootstrap).toEqual({ initdb: { database: 'toronto_ai', owner: 'toronto_ai' } });
    expect(spec.externalClusters).toBeUndefined();
    expect(spec.enableSuperuserAccess).toBe(false);
    expect(spec.superuserSecret).toBeUndefined();
    expect(values.monitoring).toEqual({ podMonitor: true, prometheusRule: true });
  });

  test('WAL archived within the RPO and base backups scheduled to postgres/g1 with the Pod Identity role', () => {
    expect(spec.postgresql.parameters.archive_timeout).toBe('5min');
    expect(spec.backup).toMatchObject({
      target: 'prefer-standby',
      retentionPolicy: '30d',
      barmanObjectStore: {
        destinationPath: `s3://${bucket}/postgres/g1`,
        endpointURL: 'https://s3.ca-central-1.amazonaws.com',
        s3Credentials: { inheritFromIAMRole: true },
        wal: { compression: 'gzip', maxParallel: 2 },
        data: { compression: 'gzip', jobs: 2 },
      },
    });
    // No keys, no SSE override (the bucket's default SSE-KMS key applies).
    expect(JSON.stringify(spec.backup)).not.toMatch(/accessKeyId|secretAccessKey|encryption/);
    expect(values.scheduledBackups[0]).toEqual({
      name: 'postgres-postgres-base-backup',
      spec: { immediate: true, schedule: '0 0 2 * * *', method: 'barmanObjectStore', backupOwnerReference: 'self' },
    });
    // The release names the Cluster (and so the service account) after the contract.
    expect(values.name).toBe(DATA_IDENTITIES.postgres.serviceAccount);
    expect(prod.platform.data.postgres.serviceAccountName).toBe(DATA_IDENTITIES.postgres.serviceAccount);
  });

  test('the release keeps its name and Terraform address, now from charts/postgres-cluster', () => {
    const release = resourceAt(prodPlatform, 'helm_release', 'postgres/cluster/release');
    expect(release).toMatchObject({ name: 'postgres', description: 'local chart postgres-cluster' });
    expect(release.chart).toMatch(/^\.\/assets\//);
    expect(release.repository).toBeUndefined();
    expect(Object.keys(prodPlatform.resource.helm_release).filter((k) => k.startsWith('postgres_cluster_release_'))).toHaveLength(1);
    const local = allApp.node.findAll().filter((c): c is LocalChartRelease => c instanceof LocalChartRelease && c.chartDir.endsWith(join('charts', 'postgres-cluster')));
    expect(local.length).toBe(4);
    const unknown = local.flatMap((r) => leafPaths(r.values).filter((p) => !pathExists(r.chartDir, p)).map((p) => `${r.node.path}: ${p.join('.')}`));
    expect(unknown).toEqual([]);
  });

  test('volume snapshot backups: online, through the retaining class, on the definition schedule, owned by nothing', () => {
    expect(spec.backup.volumeSnapshot).toEqual({
      className: 'ebs-snapshots',
      online: true,
      onlineConfiguration: { immediateCheckpoint: true, waitForArchive: true },
      snapshotOwnerReference: 'none',
    });
    // The class the Cluster names is the cluster's Retain class in production.
    const classes = releaseValues(prodPlatform, 'volume-snapshot-class/release/release').classes;
    expect(classes).toContainEqual({ name: spec.backup.volumeSnapshot.className, deletionPolicy: 'Retain' });
    expect(values.scheduledBackups[1]).toEqual({
      name: 'postgres-snapshot-backup',
      spec: { immediate: true, schedule: '0 */15 * * * *', method: 'volumeSnapshot', backupOwnerReference: 'none' },
    });
    // A changed schedule is the ScheduledBackup's.
    const hourly = stacksFor('development', (d) => (d.data.postgres.snapshotSchedule = '0 0 * * * *'));
    expect(releaseValues(synth(hourly.platform), 'postgres/cluster/release').scheduledBackups[1].spec.schedule).toBe('0 0 * * * *');
  });

  test('the cluster waits for the operator, the snapshot class and the Prometheus Operator CRDs', () => {
    const cluster = resourceAt(prodPlatform, 'helm_release', 'postgres/cluster/release');
    expect(cluster.depends_on).toEqual(expect.arrayContaining([
      expect.stringMatching(/^helm_release\.postgres_operator_release_/),
      expect.stringMatching(/^helm_release\.volume-snapshot-class_release_/),
    ]));
    const operator = resourceAt(prodPlatform, 'helm_release', 'postgres/operator/release');
    expect(operator.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.monitoring_kube-prometheus-stack/)]));
  });

  test('the rotation job keeps the newest snapshots (their EBS snapshots too) and checks the newest one', () => {
    const job = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'postgres-snapshot-rotation/cron-job');
    expect(job.spec.schedule).toBe('*/10 * * * *');
    const script: string = job.spec.job_template.spec.template.spec.container[0].command[2];
    expect(script).toContain('-l cnpg.io/scheduled-backup="$sb"');
    expect(script).toContain('sb=postgres-snapshot-backup');
    expect(script).toContain('excess=$((count - 96))');
    expect(script).toContain('{"spec":{"deletionPolicy":"Delete"}}');
    // the longest gap of the snapshot schedule (15 min) + 5 min to become ready + 10 min grace;
    // the base backups: a day + 6 hours (CloudNativePG's metrics no longer tell them apart)
    expect(script).toContain('check "$sb" 1800 "volume snapshot backups"');
    expect(script).toContain(`check postgres-postgres-base-backup ${24 * 3600 + 6 * 3600} "base backups"`);
    expect(script).toContain('exit "$fail"');
    const role = resourceAt(prodPlatform, 'kubernetes_role_v1', 'postgres-snapshot-rotation/role');
    expect(role.rule).toEqual([
      { api_groups: ['postgresql.cnpg.io'], resources: ['backups'], verbs: ['get', 'list', 'delete'] },
      { api_groups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['get', 'list', 'delete'] },
    ]);
    expect(resourceAt(prodPlatform, 'kubernetes_cluster_role_v1', 'postgres-snapshot-rotation/cluster-role').rule).toEqual([
      { api_groups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: ['get', 'patch'] },
    ]);
  });

  const restoredSpec = (restore: Json) =>
    releaseValues(
      synth(
        stacksFor('staging', (d) => {
          d.data.postgres.backupGeneration = 2;
          d.data.postgres.restore = restore;
        }).platform,
      ),
      'postgres/cluster/release',
    ).cluster;

  test('restore from the object store: created from generation 1 to a point in time, archiving to generation 2', () => {
    const staging = releaseValues(shipped('staging').platform, 'postgres/cluster/release').cluster;
    const r = restoredSpec({ fromGeneration: 1, targetTime: '2026-11-20T08:30:00Z' });
    expect(r.bootstrap).toEqual({
      recovery: { source: 'postgres-g1', database: 'toronto_ai', owner: 'toronto_ai', recoveryTarget: { targetTime: '2026-11-20T08:30:00Z' } },
    });
    // It reads exactly what generation 1 wrote: the same bucket, prefix and server name.
    expect(r.externalClusters).toEqual([
      {
        name: 'postgres-g1',
        barmanObjectStore: {
          serverName: 'postgres',
          destinationPath: staging.backup.barmanObjectStore.destinationPath,
          endpointURL: staging.backup.barmanObjectStore.endpointURL,
          s3Credentials: { inheritFromIAMRole: true },
          wal: { maxParallel: 8 },
        },
      },
    ]);
    expect(staging.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\/toronto-ai-staging-backups-\d+\/postgres\/g1$/);
    expect(r.backup.barmanObjectStore.destinationPath).toBe(staging.backup.barmanObjectStore.destinationPath.replace(/g1$/, 'g2'));
  });

  test('restore from a volume snapshot: the snapshot of a backup, then generation 1\'s WAL from the bucket', () => {
    const staging = releaseValues(shipped('staging').platform, 'postgres/cluster/release').cluster;
    const r = restoredSpec({ fromGeneration: 1, targetTime: '2026-11-20T10:42:00+02:00', volumeSnapshot: 'postgres-snapshot-backup-20261120083000' });
    expect(r.bootstrap.recovery).toEqual({
      source: 'postgres-g1',
      database: 'toronto_ai',
      owner: 'toronto_ai',
      volumeSnapshots: { storage: { name: 'postgres-snapshot-backup-20261120083000', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' } },
      recoveryTarget: { targetTime: '2026-11-20T10:42:00+02:00' },
    });
    expect(r.externalClusters[0].barmanObjectStore.destinationPath).toBe(staging.backup.barmanObjectStore.destinationPath);
    expect(r.externalClusters[0].barmanObjectStore.serverName).toBe('postgres');
    // The restored cluster snapshots through the same class, under the same ScheduledBackup name.
    expect(r.backup.volumeSnapshot.className).toBe(staging.backup.volumeSnapshot.className);
    // The VolumeSnapshot is read in the namespace the snapshot backups are taken in (the Cluster's,
    // where the rotation job finds their Backups).
    const json = synth(stacksFor('staging', (d) => {
      d.data.postgres.backupGeneration = 2;
      d.data.postgres.restore = { fromGeneration: 1, volumeSnapshot: 'snap-a' };
    }).platform);
    const release = resourceAt(json, 'helm_release', 'postgres/cluster/release');
    const rotation = resourceAt(json, 'kubernetes_cron_job_v1', 'postgres-snapshot-rotation/cron-job');
    expect(release.namespace).toMatch(/namespaces_data_/);
    expect(rotation.metadata.namespace).toBe(release.namespace);
    // Without a target time: replay all the WAL there is.
    expect(restoredSpec({ fromGeneration: 1, volumeSnapshot: 'snap-a' }).bootstrap.recovery.recoveryTarget).toBeUndefined();
  });

  test('development: 1 instance on the app pool, no tolerations, snapshots through its (Delete) class', () => {
    const d = releaseValues(devPlatform, 'postgres/cluster/release').cluster;
    expect(d.instances).toBe(1);
    expect(d.enablePDB).toBe(false);
    expect(d.affinity.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'app' });
    expect(d.affinity.tolerations).toEqual([]);
    expect(releaseValues(devPlatform, 'volume-snapshot-class/release/release').classes).toContainEqual({ name: d.backup.volumeSnapshot.className, deletionPolicy: 'Delete' });
  });
});

describe('MongoDB: Percona operator, TLS only, PBM point-in-time backups (DATA-2, BAK-2, BAK-3)', () => {
  const values = releaseValues(prodPlatform, 'mongodb/replica-set/release');
  const credentialsDir = join(LOCAL_CHARTS_DIR, 'mongodb-credentials');
  const bucket = 'toronto-ai-production-backups-444455556666';
  const rs = values.replsets.rs0;

  test('the replica set: 3 members of Percona Server >= 6 on the database pool, retained encrypted volumes, no sharding', () => {
    const release = resourceAt(prodPlatform, 'helm_release', 'mongodb/replica-set/release');
    expect(release).toMatchObject({ name: 'mongodb', chart: 'psmdb-db', version: '1.22.2', repository: 'https://percona.github.io/percona-helm-charts/' });
    expect(values.fullnameOverride).toBe('mongodb');
    expect(values.image).toEqual({ tag: '8.0.19-7' });
    expect(values.sharding).toEqual({ enabled: false });
    expect(values.unsafeFlags).toBeUndefined();
    expect(rs).toMatchObject({
      name: 'rs0',
      size: 3,
      serviceAccountName: expect.stringMatching(/^\$\{kubernetes_service_account_v1\.mongodb_backup_service-account_[A-F0-9]+\.metadata\[0\]\.name\}$/),
      nodeSelector: { 'toronto-ai.io/pool': 'database' },
      tolerations: [{ key: 'toronto-ai.io/pool', operator: 'Equal', value: 'database', effect: 'NoSchedule' }],
      resources: { requests: { cpu: '4', memory: '32Gi' }, limits: { cpu: '4', memory: '32Gi' } },
      volumeSpec: { pvc: { storageClassName: STATEFUL_STORAGE_CLASS, resources: { requests: { storage: '2048Gi' } } } },
    });
    expect(rs.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' });
    // Development runs one member, which the operator accepts only as an explicit unsafe setting.
    const d = releaseValues(devPlatform, 'mongodb/replica-set/release');
    expect(d.replsets.rs0.size).toBe(1);
    expect(d.unsafeFlags).toEqual({ replsetSize: true });
  });

  test('the operator release installs the CRDs and comes first; the community operator is gone', () => {
    const operator = resourceAt(prodPlatform, 'helm_release', 'mongodb/operator/release');
    expect(operator).toMatchObject({ name: 'psmdb-operator', chart: 'psmdb-operator', version: '1.22.0' });
    expect(JSON.parse(operator.values[0])).toMatchObject({ disableTelemetry: true, nodeSelector: { 'toronto-ai.io/pool': 'system' } });
    const release = resourceAt(prodPlatform, 'helm_release', 'mongodb/replica-set/release');
    expect(release.depends_on).toEqual(expect.arrayContaining([
      expect.stringMatching(/^helm_release\.mongodb_operator_release_/),
      expect.stringMatching(/^helm_release\.mongodb_credentials_release_/),
    ]));
    const charts = resources(prodPlatform, 'helm_release').map((r) => `${r.chart}`);
    expect(charts).not.toContain('mongodb-kubernetes');
    expect(JSON.stringify(prodPlatform)).not.toMatch(/mongodump|MongoDBCommunity/);
    expect(resources(prodPlatform, 'kubernetes_cron_job_v1').map((r) => r.metadata.name)).not.toContain('mongodb-backup');
  });

  test('TLS only, verified: requireTLS, no invalid certificates, the operator-generated CA', () => {
    expect(values.tls).toEqual({ mode: 'requireTLS', allowInvalidCertificates: false });
    expect(values.secrets).toEqual({ users: 'mongodb-secrets', ssl: 'mongodb-ssl', sslInternal: 'mongodb-ssl-internal' });
    // Every client URI says tls=true and names the CA file its client has.
    const uri = readFileSync(join(credentialsDir, 'templates', 'secrets.yaml'), 'utf8');
    expect(uri).toContain('tls=true&tlsCAFile=%s');
    expect(uri).not.toMatch(/tlsInsecure|tlsAllowInvalid/);
  });

  test('users: each channel readWrite on its own database, the exporter monitoring only; passwords generated in the cluster', () => {
    expect(values.users).toEqual([
      { name: 'toronto-ai', db: 'admin', passwordSecretRef: { name: 'mongodb-toronto-ai-credentials', key: 'password' }, roles: [{ name: 'readWrite', db: 'toronto_ai' }] },
      { name: 'toronto-ai-beta', db: 'admin', passwordSecretRef: { name: 'mongodb-toronto-ai-beta-credentials', key: 'password' }, roles: [{ name: 'readWrite', db: 'toronto_ai_beta' }] },
      {
        name: 'monitoring',
        db: 'admin',
        passwordSecretRef: { name: 'mongodb-monitoring-credentials', key: 'password' },
        roles: [{ name: 'clusterMonitor', db: 'admin' }, { name: 'read', db: 'local' }, { name: 'read', db: 'admin' }],
      },
    ]);
    const creds = releaseValues(prodPlatform, 'mongodb/credentials/release');
    expect(creds.users).toEqual([
      { secretName: 'mongodb-toronto-ai-credentials', username: 'toronto-ai', database: 'toronto_ai', caFile: '/vault/secrets/mongodb-ca' },
      { secretName: 'mongodb-toronto-ai-beta-credentials', username: 'toronto-ai-beta', database: 'toronto_ai_beta', caFile: '/vault/secrets/mongodb-ca' },
      { secretName: 'mongodb-monitoring-credentials', username: 'monitoring', database: 'admin', caFile: '/etc/mongodb-tls/ca.crt' },
    ]);
    // The namespace is the `data` namespace resource's name (a reference, resolved by Terraform).
    expect(creds.hosts.replace(/\$\{kubernetes_namespace_v1\.namespaces_data_[A-F0-9]+\.metadata\[0\]\.name\}/g, 'data')).toBe([0, 1, 2].map((i) => `mongodb-rs0-${i}.mongodb-rs0.data.svc.cluster.local:27017`).join(','));
    const template = readFileSync(join(credentialsDir, 'templates', 'secrets.yaml'), 'utf8');
    expect(template).toMatch(/lookup "v1" "Secret"/);
    expect(template).toMatch(/randAlphaNum 40/);
    expect(JSON.stringify([values, creds])).not.toMatch(/password"\s*:\s*"[^"]/i);
    const local = allApp.node.findAll().filter((c): c is LocalChartRelease => c instanceof LocalChartRelease && c.chartDir.includes('mongodb-'));
    const unknown = local.flatMap((r) => leafPaths(r.values).filter((p) => !pathExists(r.chartDir, p)).map((p) => `${r.node.path}: ${p.join('.')}`));
    expect(unknown).toEqual([]);
  });

  test('PBM: continuous oplog within the RPO and scheduled base backups, streamed to the bucket under mongodb/', () => {
    expect(values.backup.storages).toEqual({ s3: { main: true, type: 's3', s3: { bucket, region: 'ca-central-1', prefix: DATA_IDENTITIES.mongodbBackup.prefix.segment } } });
    expect(values.backup.storages.s3.s3.credentialsSecret).toBeUndefined();
    expect(values.backup.pitr).toEqual({ enabled: true, oplogSpanMin: 2, compressionType: 'gzip' });
    expect(values.backup.tasks).toEqual([
      { name: 'base', enabled: true, schedule: '30 */6 * * *', type: 'logical', storageName: 's3', compressionType: 'gzip', retention: { count: 120, type: 'count', deleteFromStorage: true } },
    ]);
    // No local dump anywhere: nothing mounts an emptyDir for a backup in the data namespace.
    const inData = Object.values(prodPlatform.resource as Json).flatMap((rs) => Object.values(rs as Json)).filter((r: any) => JSON.stringify(r.metadata ?? '').includes('namespaces_data'));
    expect(inData.length).toBeGreaterThan(0);
    expect(JSON.stringify(inData)).not.toMatch(/"mount_path":"\/backup"/);
    // The members' service account is the one the cloud stack binds the mongodb/ writer role to.
    const sa = resourceAt(prodPlatform, 'kubernetes_service_account_v1', 'mongodb/backup/service-account');
    expect(sa.metadata).toEqual({ name: DATA_IDENTITIES.mongodbBackup.serviceAccount, namespace: expect.stringContaining('namespaces_data') });
    const assoc = resources(prodCloud, 'aws_eks_pod_identity_association').find((a) => a.service_account === DATA_IDENTITIES.mongodbBackup.serviceAccount);
    expect(assoc?.namespace).toBe('data');
    const statements = rolePolicy(prodCloud, 'mongodbBackup');
    expect(statements.find((st) => st.Action === 's3:ListBucket')!.Condition).toEqual({ StringLike: { 's3:prefix': ['mongodb', 'mongodb/*'] } });
    expect(statements.find((st) => Array.isArray(st.Action) && st.Action.includes('s3:PutObject'))!.Resource).toMatch(/\/mongodb\/\*$/);
  });

  test('every environment: the oplog span is within its database RPO', () => {
    for (const def of DEFINITIONS) {
      expect(def.data.mongodb.oplogSpanMinutes).toBeLessThanOrEqual(def.backup.databaseRpoMinutes);
    }
  });

  test('restore: a PerconaServerMongoDBRestore reads exactly the bucket and prefix the backups write to', () => {
    const restored = stacksFor('staging', (d) => {
      d.data.mongodb.restore = { baseBackup: '2026-11-20T06:30:21Z', targetTime: '2026-11-20T10:42:00+02:00' };
    });
    const json = synth(restored.platform);
    const storage = releaseValues(json, 'mongodb/replica-set/release').backup.storages.s3.s3;
    const release = resourceAt(json, 'helm_release', 'mongodb/restore/release');
    expect(release.description).toBe('local chart mongodb-restore');
    expect(release.depends_on).toEqual([expect.stringMatching(/^helm_release\.mongodb_replica-set_release_/)]);
    const r = JSON.parse(release.values[0]);
    expect(r.storage).toEqual(storage);
    expect(r.storage.bucket).toMatch(/^toronto-ai-staging-backups-/);
    expect(r.storage.prefix).toBe(DATA_IDENTITIES.mongodbBackup.prefix.segment);
    expect(r).toMatchObject({ clusterName: 'mongodb', baseBackup: '2026-11-20T06:30:21Z', pitr: { type: 'date', date: '2026-11-20 08:42:00' }, name: 'restore-2026-11-20-08-42-00' });
    // The template builds the destination from the same storage values.
    const cr = readFileSync(join(LOCAL_CHARTS_DIR, 'mongodb-restore', 'templates', 'restore.yaml'), 'utf8');
    expect(cr).toContain('printf "s3://%s/%s/%s" .Values.storage.bucket .Values.storage.prefix .Values.baseBackup');
    // Without a target time: replay to the latest slice. Without the setting: no restore.
    const latest = stacksFor('staging', (d) => (d.data.mongodb.restore = { baseBackup: '2026-11-20T06:30:21Z' }));
    expect(JSON.parse(resourceAt(synth(latest.platform), 'helm_release', 'mongodb/restore/release').values[0]).pitr).toEqual({ type: 'latest', date: '' });
    expect(resources(prodPlatform, 'helm_release').filter((x) => x.name === 'mongodb-restore')).toEqual([]);
  });
});

describe('ChromaDB on the vector pool (DATA-3)', () => {
  const values = releaseValues(prodPlatform, 'chroma/release/release');

  test('one single-node replica with a 1 TiB retained volume on the vector pool, from the project\'s chart', () => {
    const release = resourceAt(prodPlatform, 'helm_release', 'chroma/release/release');
    expect(release).toMatchObject({ name: 'chroma', description: 'local chart chroma' });
    expect(release.chart).toMatch(/^\.\/assets\//);
    expect(release.repository).toBeUndefined();
    expect(values.replicas).toBe(1);
    expect(values.image).toEqual({ repository: 'ghcr.io/chroma-core/chroma', tag: '1.5.3' });
    expect(values.volume).toEqual({ size: '1024Gi', storageClass: STORE_CLASS('chroma') });
    expect(values.nodeSelector).toEqual({ 'toronto-ai.io/pool': 'vector' });
    expect(values.tolerations).toEqual([{ key: 'toronto-ai.io/pool', operator: 'Equal', value: 'vector', effect: 'NoSchedule' }]);
    expect(values.resources).toEqual({ requests: { cpu: '8', memory: '64Gi' }, limits: { cpu: '8', memory: '64Gi' } });
    expect(values.runAsUser).toBeGreaterThan(0);
    expect(values.runAsGroup).toBeGreaterThan(0);
  });

  test('the selector and claim labels are the chromadb chart\'s, so the existing StatefulSet upgrades in place', () => {
    expect(values.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'chromadb', 'app.kubernetes.io/instance': 'chroma' });
    expect(values.volumeClaimLabels).toEqual({
      'app.kubernetes.io/name': 'chromadb',
      'app.kubernetes.io/instance': 'chroma',
      'helm.sh/chart': 'chromadb-0.2.2',
      'app.kubernetes.io/version': '1.5.3',
      'app.kubernetes.io/managed-by': 'Helm',
    });
    // An image upgrade changes the pods, never the (immutable) claim template.
    const upgraded = stacksFor('production', (d) => (d.data.chroma.imageTag = '1.6.0'));
    const v = releaseValues(synth(upgraded.platform), 'chroma/release/release');
    expect(v.image.tag).toBe('1.6.0');
    expect(v.volumeClaimLabels).toEqual(values.volumeClaimLabels);
  });

  test('every value is a key of charts/chroma/values.yaml', () => {
    const release = allApp.node.findAll().filter((c): c is LocalChartRelease => c instanceof LocalChartRelease && c.chartDir.endsWith(join('charts', 'chroma')));
    expect(release.length).toBe(4);
    const unknown = release.flatMap((r) => leafPaths(r.values).filter((p) => !pathExists(r.chartDir, p)).map((p) => `${r.node.path}: ${p.join('.')}`));
    expect(unknown).toEqual([]);
  });

  test('the claim names are the contract\'s (volume snapshots and backups find the volumes by them)', () => {
    expect(chromaClaimNames(1)).toEqual(['data-chroma-0']);
    expect(chromaClaimNames(2)).toEqual(['data-chroma-0', 'data-chroma-1']);
    expect(prod.platform.node.findAll().find((c): c is Chroma => c instanceof Chroma)!.claimNames).toEqual(chromaClaimNames(1));
    const claims = resources(prodPlatform, 'kubernetes_cron_job_v1')
      .flatMap((j) => j.spec.job_template.spec.template.spec.volume ?? [])
      .filter((v: Json) => v.persistent_volume_claim?.claim_name?.includes('chroma'))
      .map((v: Json) => v.persistent_volume_claim.claim_name);
    expect(claims).toEqual(chromaClaimNames(1));
  });

  test('a backup CronJob on the replica node reads its volume read-only and writes under chroma/', () => {
    const job = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'chroma/backup-0/cron-job');
    const pod = job.spec.job_template.spec.template.spec;
    expect(pod.volume).toContainEqual({ name: 'source', persistent_volume_claim: { claim_name: 'data-chroma-0', read_only: true } });
    expect(pod.security_context.fs_group).toBeUndefined();
    // It reads Chroma's files as a member of Chroma's group (the volume's fsGroup), never re-owning them.
    expect(pod.security_context.supplemental_groups).toEqual([values.runAsGroup]);
    expect(pod.affinity.pod_affinity.required_during_scheduling_ignored_during_execution[0]).toEqual({
      topology_key: 'kubernetes.io/hostname',
      label_selector: [{ match_labels: { 'statefulset.kubernetes.io/pod-name': 'chroma-0' } }],
    });
    expect(pod.container[0].command[2]).toContain('s3://toronto-ai-production-backups-444455556666/chroma/chroma-0/');
    expect(resourceAt(prodPlatform, 'kubernetes_service_account_v1', 'chroma/backup-0/service-account').metadata.name).toBe(DATA_IDENTITIES.chromaBackup.serviceAccount);
  });

  test('Chroma has no authentication of its own: only its token-checking gateway reaches port 8000 (chroma-auth.test.ts)', () => {
    const policy = resourceAt(prodPlatform, 'kubernetes_network_policy_v1', 'chroma/network-policy');
    expect(policy.spec).toEqual({
      pod_selector: { match_labels: { 'app.kubernetes.io/instance': 'chroma' } },
      policy_types: ['Ingress'],
      ingress: [
        {
          from: [{ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'chroma-gateway' } } }],
          ports: [{ port: '8000', protocol: 'TCP' }],
        },
      ],
    });
  });

  test('the vector namespace enforces restricted (rendered pods checked in helm-render.test.ts)', () => {
    const ns = resourceAt(prodPlatform, 'kubernetes_namespace_v1', 'namespaces/vector');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(ns.metadata.annotations?.['toronto-ai.io/pod-security-reason']).toBeUndefined();
  });
});

describe('Vault (SEC-1)', () => {
  const values = releaseValues(prodPlatform, 'vault/release/release');
  const config: string = values.server.ha.raft.config;

  test('HA with raft storage, 3 replicas spread over zones, TLS on', () => {
    expect(values.global.tlsDisable).toBe(false);
    expect(values.server.ha).toMatchObject({ enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true } });
    expect(values.server.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' });
    expect(config).toContain('tls_cert_file      = "/vault/userconfig/vault-server-tls/tls.crt"');
    expect(config.match(/retry_join \{/g)).toHaveLength(3);
    expect(config).not.toMatch(/tls_disable\s*=\s*(1|true)/);
  });

  test('auto-unseal with the KMS key from the cloud stack, audit storage, injector', () => {
    expect(config).toContain('seal "awskms" {\n  region     = "ca-central-1"\n  kms_key_id = "alias/toronto-ai-production-vault-unseal"\n}');
    expect(values.server.auditStorage).toEqual({ enabled: true, size: '50Gi', storageClass: STATEFUL_STORAGE_CLASS });
    expect(values.server.dataStorage).toEqual({ enabled: true, size: '20Gi', storageClass: STATEFUL_STORAGE_CLASS });
    expect(values.global.enabled).toBe(true); // the injector follows global.enabled
    expect(values.server.serviceAccount.name).toBe(DATA_IDENTITIES.vault.serviceAccount);
    expect(values.server.statefulSet.securityContext.pod).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('the TLS certificate is generated in the cluster before the server starts', () => {
    const job = resourceAt(prodPlatform, 'kubernetes_job_v1', 'vault/tls-job');
    const pod = job.spec.template.spec;
    expect(pod.init_container[0].command[2]).toContain('openssl req -x509');
    expect(pod.container[0].args).toEqual(['create', 'secret', 'generic', 'vault-server-tls', expect.stringMatching(/^--namespace=/), '--from-file=/tls']);
    const release = resourceAt(prodPlatform, 'helm_release', 'vault/release/release');
    expect(release.depends_on).toContainEqual(expect.stringMatching(/^kubernetes_job_v1\.vault_tls-job_/));
    // Issue 9: the Job waits for its RoleBinding, retries, and the apply waits for its outcome.
    expect(job.depends_on).toContainEqual(expect.stringMatching(/^kubernetes_role_binding_v1\.vault_tls-role-binding_/));
    expect(job.spec.backoff_limit).toBeGreaterThan(0);
    expect(job.wait_for_completion).toBe(true);
  });

  test.each([
    ['ca-0', /^\$\{kubernetes_namespace_v1\.namespaces_toronto-ai_.*\.metadata\[0\]\.name\}$/],
    ['ca-beta', /^\$\{kubernetes_namespace_v1\.app_beta-namespace_toronto-ai-beta_.*\.metadata\[0\]\.name\}$/],
  ])('the public CA reaches the application namespace as vault-ca (%s), through a create-only role', (id, namespace) => {
    const job = resourceAt(prodPlatform, 'kubernetes_job_v1', `vault/${id}-job`);
    const pod = job.spec.template.spec;
    expect(pod.container[0].args).toEqual(['create', 'secret', 'generic', 'vault-ca', expect.any(String), '--from-file=ca.crt=/tls/ca.crt']);
    expect(pod.container[0].args[4].replace(/^--namespace=/, '')).toMatch(namespace as RegExp);
    expect(pod.volume).toEqual([{ name: 'ca', secret: { secret_name: 'vault-server-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]);
    expect(job.depends_on).toContainEqual(expect.stringMatching(/^kubernetes_job_v1\.vault_tls-job_/));
    // The apply waits for the secret, and the binding that allows it exists first.
    expect(job.wait_for_completion).toBe(true);
    expect(job.depends_on).toContainEqual(expect.stringMatching(new RegExp(`^kubernetes_role_binding_v1\\.vault_${id}-role-binding_`)));
    const role = resourceAt(prodPlatform, 'kubernetes_role_v1', `vault/${id}-role`);
    expect(role.metadata.namespace).toMatch(namespace as RegExp);
    expect(role.rule).toEqual([{ api_groups: [''], resources: ['secrets'], verbs: ['create'] }]);
  });

  test('auth method, policies and secret paths are code, applied by a CronJob', () => {
    const cm = resourceAt(prodPlatform, 'kubernetes_config_map_v1', 'vault/configure-script');
    const script: string = cm.data['configure.sh'];
    expect(script).toContain('vault auth enable kubernetes');
    expect(script).toContain('vault secrets enable -path=secret -version=2 kv');
    expect(script).toContain('vault audit enable file file_path=/vault/audit/vault-audit.log');
    // Each channel has its own role, bound to its own namespace (the beta channel's: wiring-fixes.test.ts).
    expect(script).toContain('vault write auth/kubernetes/role/toronto-ai bound_service_account_names=toronto-ai,toronto-ai-agents,toronto-ai-coordinator,toronto-ai-workers,toronto-ai-beat,toronto-ai-websocket,toronto-ai-onboarding bound_service_account_namespaces=toronto-ai policies=toronto-ai');
    for (const p of APP_SECRET_PATHS) {
      expect(cm.data['policy-toronto-ai.hcl']).toContain(`path "secret/data/${p}" {\n  capabilities = ["read"]\n}`);
    }
    const job = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'vault/configure-job');
    expect(job.spec.job_template.spec.template.spec.container[0].image).toBe('hashicorp/vault:2.0.4');
  });

  test('operator-generated database credentials are synced into secret/toronto-ai/database from files, never literals', () => {
    const job = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'vault-database-sync/cron-job');
    const pod = job.spec.job_template.spec.template.spec;
    const script: string = pod.container[0].command[2];
    expect(script).toContain('vault kv put -mount=secret toronto-ai/database postgres_uri=@/sources/0/postgres_uri mongodb_uri=@/sources/1/mongodb_uri mongodb_ca=@/sources/2/mongodb_ca');
    expect(script).toContain('auth/kubernetes/login role=database-sync');
    expect(pod.volume).toContainEqual({ name: 'source-0', secret: { secret_name: 'postgres-app', items: [{ key: 'uri', path: 'postgres_uri' }] } });
    expect(pod.volume).toContainEqual({ name: 'source-1', secret: { secret_name: 'mongodb-toronto-ai-credentials', items: [{ key: 'uri', path: 'mongodb_uri' }] } });
    // The MongoDB CA travels with the URI: the application's agent renders it to the file tlsCAFile names.
    expect(script).toContain('mongodb_ca=@/sources/2/mongodb_ca');
    expect(pod.volume).toContainEqual({ name: 'source-2', secret: { secret_name: 'mongodb-ssl', items: [{ key: 'ca.crt', path: 'mongodb_ca' }] } });
    expect(pod.volume).toContainEqual({ name: 'vault-ca', secret: { secret_name: 'vault-ca' } });
    expect(pod.container[0].security_context).toMatchObject({ run_as_non_root: true, read_only_root_filesystem: true, allow_privilege_escalation: false });
    const cm = resourceAt(prodPlatform, 'kubernetes_config_map_v1', 'vault/configure-script');
    expect(cm.data['policy-database-sync.hcl']).toBe('path "secret/data/toronto-ai/database" {\n  capabilities = ["create", "update"]\n}');
    expect(cm.data['configure.sh']).toContain('vault write auth/kubernetes/role/database-sync bound_service_account_names=vault-database-sync bound_service_account_namespaces=data policies=database-sync');
    expect(resourceAt(prodPlatform, 'kubernetes_job_v1', 'vault/ca-data-job').spec.template.spec.container[0].args[4]).toMatch(/namespaces_data_/);
  });

  test('development: one replica, still TLS and auto-unseal', () => {
    const d = releaseValues(devPlatform, 'vault/release/release');
    expect(d.server.ha.replicas).toBe(1);
    expect(d.server.ha.raft.config).toContain('kms_key_id = "alias/toronto-ai-development-vault-unseal"');
  });
});

/** Every string in a JSON tree, with the key it sits under; JSON-encoded strings (Helm values) are opened. */
function strings(node: unknown, key = ''): { key: string; value: string }[] {
  if (typeof node === 'string') {
    const trimmed = node.trim();
    if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length > 1) {
      try {
        return [{ key, value: node }, ...strings(JSON.parse(trimmed), key)];
      } catch {
        return [{ key, value: node }];
      }
    }
    return [{ key, value: node }];
  }
  if (Array.isArray(node)) return node.flatMap((v) => strings(v, key));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => strings(v, k));
  return [];
}

const SECRET_KEY = /^(password|passwd|passwords|token|auth_token|secret|secret_key|secretkey|secret_access_key|access_key|accesskey|api_key|apikey|private_key|client_secret|root_token|devroottoken)$/i;
/** A value that only refers to something (a Terraform reference, a shell or template variable, empty). */
const REFERENCE = /^(\$?\$\{.*\}|\$?\$[A-Za-z_][A-Za-z0-9_]*|%s|\{\{.*\}\}|)$/;

/** Literal credentials in a synthesized stack: `<where>: <why>`. */
function literalSecrets(json: Json): string[] {
  const found: string[] = [];
  for (const { key, value } of strings(json)) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) found.push(`${key}: PEM private key`);
    if (/\bAKIA[0-9A-Z]{16}\b/.test(value)) found.push(`${key}: AWS access key id`);
    for (const m of value.matchAll(/\b(password|passwd|pwd|token|secret)\s*(?:=>|[=:])\s*["']?([^\s"'&;,)\\>]+)/gi)) {
      if (!REFERENCE.test(m[2])) found.push(`${key}: ${m[1]}=<literal>`);
    }
    if (SECRET_KEY.test(key) && !REFERENCE.test(value)) found.push(`${key}: literal value`);
  }
  return found;
}

describe('no literal password, token or key in any synthesized stack (DATA-5)', () => {
  /** Every stack of the app as `[stack id, environment, which]`; its JSON is the shipped synth (metadata included). */
  const stacks = Object.entries(allStacks).flatMap(([name, s]) => [[s.cloud.node.id, name, 'cloud'] as const, [s.platform.node.id, name, 'platform'] as const]);

  test('every stack of every environment is scanned', () => {
    expect(stacks).toHaveLength(DEFINITIONS.length * 2);
  });

  test.each(stacks)('%s holds no literal credential', (_id, name, which) => {
    expect(literalSecrets(shipped(name)[which])).toEqual([]);
  });

  test('the scan finds planted literals', () => {
    expect(
      literalSecrets({
        resource: {
          x: {
            a: { password: 'hunter2hunter2' },
            b: { values: [JSON.stringify({ auth: { token: 'abc123' } })] },
            c: { command: ['sh', '-c', 'mongodump --password=s3cr3t'] },
            d: { data: { 'tls.key': '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----' } },
            e: { env: 'AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP' },
            f: { password: '${var.password}', script: 'printf "password: %s" "$PW"' },
          },
        },
      }),
    ).toEqual([
      'password: literal value',
      'token: literal value',
      'command: password=<literal>',
      'tls.key: PEM private key',
      'env: AWS access key id',
    ]);
  });
});

describe('cache health alarms (OBS-2, DATA-4)', () => {
  test('ElastiCache engine CPU and memory alarm to the stack alert topic, and missing data alarms too', () => {
    const cloud = shipped('production').cloud;
    const topic = resources(cloud, 'aws_sns_topic').find((t) => t.name === 'toronto-ai-production-alerts')!;
    const alarms = resources(cloud, 'aws_cloudwatch_metric_alarm').filter((a) => a.namespace === 'AWS/ElastiCache');
    expect(alarms.map((a) => [a.metric_name, a.threshold]).sort()).toEqual([
      ['DatabaseMemoryUsagePercentage', 90],
      ['EngineCPUUtilization', 80],
    ]);
    for (const a of alarms) {
      expect(a.alarm_actions).toEqual([`\${aws_sns_topic.${topic.__name}.arn}`]);
      expect(a.treat_missing_data).toBe('breaching');
      expect(a.dimensions.ReplicationGroupId).toMatch(/^\$\{aws_elasticache_replication_group\./);
    }
  });
});
