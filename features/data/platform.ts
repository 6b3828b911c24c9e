/**
 * The in-cluster data services of the platform stack (DATA-1..3, DATA-5, SEC-1, BAK-2), called
 * from PlatformStack with one line: PostgreSQL (CloudNativePG), MongoDB (Percona operator, PBM),
 * ChromaDB and Vault, with their scheduled backups. The AWS side (Pod Identity roles, the
 * unseal key, the Redis cache) is in ./data-cloud.ts; names shared by both live there.
 */
import { ITerraformDependable } from 'cdktf';
import { Postgres } from '../../constructs/data/postgres';
import { MongoDb, mongodDataClaimLabels } from '../../constructs/data/mongodb';
import { Chroma } from '../../constructs/data/chroma';
import { ChromaGateway } from '../../constructs/data/chroma-gateway';
import { GeneratedSecrets } from '../../constructs/secrets/generated-secrets';
import { Vault } from '../../constructs/data/vault';
import { VaultSecretSync } from '../../constructs/data/vault-secret-sync';
import { VaultRestore, VaultSnapshots } from '../../constructs/data/vault-snapshot';
import { ProvisionedStorageClass } from '../../constructs/kubernetes/storage-classes';
import { memoryMiB } from '../../environments/quantity';
import { CertificateCheck } from '../../constructs/security/certificate-check';
import { VAULT_TLS_SECRET_NAME, VaultClient } from '../../constructs/data/vault';
import { PlatformContext } from '../context';
import { vaultMultiRegionUnsealKeyAlias, vaultUnsealKeyAlias } from './cloud';
import { servicesOf } from '../services/contract';
import { snapshotNameOf, VolumeSnapshotSchedule } from '../../constructs/data/volume-snapshot-schedule';
import { SnapshotBackupRotation } from '../../constructs/data/snapshot-backup-rotation';
import { SNAPSHOT_RESTORE_ASSUMPTIONS } from '../../environments/recovery';
import { RestoredClaims } from '../../constructs/data/restored-claims';
import { chromaClaimNames, CHROMA_GATEWAY, CHROMA_STATEFUL_SET, CHROMA_STORAGE, CHROMA_TOKEN_FIELD, CHROMA_TOKEN_SYNC, DATA_IDENTITIES, DATA_SERVICES, DATA_NAMESPACE, DATABASE_SYNC, API_KEYS_SYNC, apiKeySources, MONGODB_STORAGE, mongodbClaimNames, VAULT_SNAPSHOT, VECTOR_NAMESPACE, POSTGRES_SNAPSHOT_ROTATION } from './contract';
import { APP_API_KEYS, APP_CA_PUBLISHER, APP_CHANNELS, AppChannel, MONGODB_CA_FILE, channelsOf } from '../app/contract';
import { ExternalSecretsOperator, SyncedSecrets } from '../../constructs/secrets/external-secrets';
import { MONGODB_EXPORTER_CA_DIR, MONGODB_MONITORING_USER } from '../observability/contract';

/** The application's database and user names (PostgreSQL and MongoDB). */
export const APP_DATABASE = APP_CHANNELS.stable.database;
/** The KV v2 paths under `secret/` the application reads (SEC-1): `toronto-ai/database`, `toronto-ai/api`. */
export const APP_SECRET_PATHS = Object.values(APP_CHANNELS.stable.secretPaths);

export interface DataPlatformOptions {
  /** Releases that install the Prometheus Operator CRDs (PodMonitor, PrometheusRule). */
  readonly monitoringDependsOn?: ITerraformDependable[];
  /** The External Secrets Operator (features/observability): syncs the API keys from Secrets Manager. */
  readonly externalSecrets: ExternalSecretsOperator;
}

export interface DataPlatform {
  readonly postgres: Postgres;
  /** Issue 13: rotation and check of PostgreSQL's volume snapshot backups. */
  readonly postgresSnapshotRotation: SnapshotBackupRotation;
  readonly mongodb: MongoDb;
  /** Issue 13: scheduled CSI volume snapshots of every MongoDB member's claim. */
  readonly mongodbSnapshots: VolumeSnapshotSchedule;
  /** The members' claims created from one snapshot run, while `data.mongodb.restore.snapshotRun` is set. */
  readonly mongodbRestore?: RestoredClaims;
  readonly chroma: Chroma;
  /** Issue 13: scheduled CSI volume snapshots of Chroma's claims. */
  readonly chromaSnapshots: VolumeSnapshotSchedule;
  /** The claims created from snapshots, while `data.chroma.restore` is set. */
  readonly chromaRestore?: RestoredClaims;
  /** Chroma's authenticating gateway (the address clients use). */
  readonly chromaGateway: ChromaGateway;
  /** Per channel: copies its Chroma token into its Vault secret `<namespace>/vector`. */
  readonly chromaTokenSyncs: readonly VaultSecretSync[];
  readonly vault: Vault;
  /** Vault's raft snapshots to the backup bucket's `vault/` prefix. */
  readonly vaultSnapshots: VaultSnapshots;
  /** The one-off restore Job, while `data.vault.restore` is set. */
  readonly vaultRestore?: VaultRestore;
  /** The stable channel's credential sync (DATA-5). */
  readonly databaseSync: VaultSecretSync;
  /** Issue 13: the API keys synced from Secrets Manager into `data` (their source outside Vault). */
  readonly apiKeys: SyncedSecrets;
  /** Per channel: copies its API keys from `data` into its Vault secret `<namespace>/api`. */
  readonly apiKeySyncs: readonly VaultSecretSync[];
  /** The beta channel's credential sync, where the beta channel runs. */
  readonly betaDatabaseSync?: VaultSecretSync;
  readonly vaultCertificateCheck: CertificateCheck;
  readonly mongodbCertificateCheck: CertificateCheck;
}

/** The authenticating gateway in front of Chroma: nginx, unprivileged image (uid 101, no root). */
export const CHROMA_GATEWAY_IMAGE = 'docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine';

/** OBS-2: certificates issued in the cluster alert this many days before they expire (as ACM's do). */
export const CERTIFICATE_WARN_DAYS = 30;

/** Adds the in-cluster data services to the platform stack `stack`. */
export function addDataPlatform(ctx: PlatformContext, options: DataPlatformOptions): DataPlatform {
  const { env } = ctx;
  const stack = ctx.scope;
  const d = env.data;
  const region = ctx.cloud.region;
  const bucket = ctx.cloud.backupBucketName;
  const storageClass = ctx.storageClasses.statefulName;
  const zoneCount = env.aws.availabilityZones.length;
  const database = ctx.placement('database');
  const dataNs = ctx.namespaces.name(DATA_IDENTITIES.postgres.namespace);
  const base = [ctx.storageClasses.stateful];
  // ENV-4: every channel but stable gets a database and users of its own, so the beta channel
  // (external testers) never holds production's credentials or reaches its data.
  const channels = channelsOf(env);
  const ownDatabases = channels.filter((c) => c.name !== 'stable');

  // Issue 13: provisioned IOPS and throughput per store (gp3), from the definition.
  const volumeClass = (store: 'postgres' | 'chroma') =>
    new ProvisionedStorageClass(stack, `storage-class-${store}`, {
      name: `gp3-${store}-retain`,
      volumesKeyArn: ctx.cloud.volumesKeyArn,
      iops: d[store].volume.iops,
      throughputMiBps: d[store].volume.throughputMiBps,
    });
  const postgresClass = volumeClass('postgres');
  const chromaClass = volumeClass('chroma');

  const postgres = new Postgres(stack, 'postgres', {
    namespace: dataNs,
    clusterName: DATA_IDENTITIES.postgres.serviceAccount,
    instances: d.postgres.instances,
    version: d.postgres.version,
    storageGiB: d.postgres.storageGiB,
    storageClass: postgresClass.name,
    compute: d.postgres.compute,
    memoryMiB: memoryMiB(d.postgres.compute.memory),
    placement: database,
    operatorPlacement: ctx.placement('system'),
    zoneCount,
    database: APP_DATABASE,
    walArchiveTimeoutMinutes: d.postgres.walArchiveTimeoutMinutes,
    baseBackupSchedule: d.postgres.baseBackupSchedule,
    backupRetentionDays: d.postgres.backupRetentionDays,
    backupGeneration: d.postgres.backupGeneration,
    restore: d.postgres.restore,
    // Issue 13: volume snapshot backups through the cluster's retaining class (Retain in
    // staging/production), rotated by postgresSnapshotRotation below.
    snapshots: { className: ctx.volumeSnapshots.className, classRelease: ctx.volumeSnapshots.release, schedule: d.postgres.snapshotSchedule },
    backup: { bucket, region, prefix: DATA_IDENTITIES.postgres.prefix.segment },
    monitoring: true,
    extraDatabases: ownDatabases.map((c) => ({ database: c.database, owner: c.database })),
    dependsOn: [...base, postgresClass.storageClass, ...(options.monitoringDependsOn ?? [])],
  });

  // Issue 13: CloudNativePG prunes no volume snapshot backup: this job keeps the newest
  // `snapshotsKept` (and their EBS snapshots) and fails when the newest failed or is overdue.
  const postgresSnapshotRotation = new SnapshotBackupRotation(stack, 'postgres-snapshot-rotation', {
    name: POSTGRES_SNAPSHOT_ROTATION.cronJob,
    namespace: dataNs,
    namespaceName: DATA_IDENTITIES.postgres.namespace,
    scheduledBackup: postgres.snapshotBackupName,
    snapshotSchedule: d.postgres.snapshotSchedule,
    completionMinutes: SNAPSHOT_RESTORE_ASSUMPTIONS.snapshotReadyMinutes + POSTGRES_SNAPSHOT_ROTATION.graceMinutes,
    keep: d.postgres.snapshotsKept,
    // As PostgresBaseBackupStale allows: the longest gap plus 6 hours to complete.
    baseBackup: { scheduledBackup: postgres.baseBackupName, schedule: d.postgres.baseBackupSchedule, completionMinutes: 360 },
    schedule: POSTGRES_SNAPSHOT_ROTATION.schedule,
    image: d.jobImages.kubectlShell,
    placement: ctx.placement('system'),
    dependsOn: [postgres.cluster.release],
  });

  // Issue 13: a snapshot restore pre-creates each member's claim from its snapshot of one run (in
  // `data`, where the scheduled snapshots are), before the replica set release: the operator then
  // creates the StatefulSet, which adopts them. mongod recovers from its journal on start.
  const mongodbClaims = mongodbClaimNames(d.mongodb.members);
  const snapshotRun = d.mongodb.restore?.snapshotRun;
  const mongodbRestore = snapshotRun
    ? new RestoredClaims(stack, 'mongodb-restore-claims', {
        name: MONGODB_STORAGE.restoredClaims,
        namespace: dataNs,
        claims: mongodbClaims.map((name) => ({ name, snapshot: snapshotNameOf(name, snapshotRun) })),
        storageClass,
        storageGiB: d.mongodb.storageGiB,
        // The labels the StatefulSet would give them: the operator resizes the claims it finds by them.
        labels: mongodDataClaimLabels(MONGODB_STORAGE.cluster),
        dependsOn: [...base, ctx.volumeSnapshots.release],
      })
    : undefined;
  const pbmRestore = d.mongodb.restore?.baseBackup;

  const mongodb = new MongoDb(stack, 'mongodb', {
    namespace: dataNs,
    name: MONGODB_STORAGE.cluster,
    members: d.mongodb.members,
    version: d.mongodb.version,
    storageGiB: d.mongodb.storageGiB,
    storageClass,
    compute: d.mongodb.compute,
    placement: database,
    operatorPlacement: ctx.placement('system'),
    zoneCount,
    // ENV-4: each channel's user has readWrite on its own database only.
    users: channels.map((c) => ({ name: c.mongodbUser, database: c.database, caFile: MONGODB_CA_FILE })),
    monitoring: { name: MONGODB_MONITORING_USER, caFile: `${MONGODB_EXPORTER_CA_DIR}/ca.crt` },
    backup: {
      bucket,
      region,
      prefix: DATA_IDENTITIES.mongodbBackup.prefix.segment,
      baseBackupSchedule: d.mongodb.baseBackupSchedule,
      baseBackupsKept: d.mongodb.baseBackupsKept,
      oplogSpanMinutes: d.mongodb.oplogSpanMinutes,
      serviceAccountName: DATA_IDENTITIES.mongodbBackup.serviceAccount,
    },
    restore: pbmRestore ? { baseBackup: pbmRestore, targetTime: d.mongodb.restore?.targetTime } : undefined,
    dependsOn: base,
    replicaSetDependsOn: mongodbRestore ? [mongodbRestore.release.release] : undefined,
  });
  // Issue 13: crash-consistent CSI snapshots of every member's volume in one run, on the
  // definition's schedule (every 5 minutes in staging/production: the database RPO).
  const mongodbSnapshots = new VolumeSnapshotSchedule(stack, 'mongodb-snapshots', {
    name: MONGODB_STORAGE.snapshotJob,
    namespace: dataNs,
    namespaceName: MONGODB_STORAGE.namespace,
    claims: mongodbClaims,
    snapshotClass: ctx.volumeSnapshots.rotatingClassName,
    schedule: d.mongodb.snapshotSchedule,
    keep: d.mongodb.snapshotsKept,
    image: d.jobImages.kubectlShell,
    placement: ctx.placement('system'),
    dependsOn: [ctx.volumeSnapshots.release, mongodb.replicaSet.release],
  });

  // Issue 13: a restore pre-creates each replica's claim from its volume snapshot (in `vector`,
  // where the scheduled snapshots are), before the StatefulSet, which adopts them.
  const chromaReplicaClaims = chromaClaimNames(d.chroma.replicas);
  const chromaRestore = d.chroma.restore
    ? new RestoredClaims(stack, 'chroma-restore', {
        name: 'chroma-restored-claims',
        namespace: ctx.namespaces.name(CHROMA_STORAGE.namespace),
        claims: chromaReplicaClaims.map((name, i) => ({ name, snapshot: d.chroma.restore!.snapshots[i] })),
        storageClass: chromaClass.name,
        storageGiB: d.chroma.storageGiB,
        dependsOn: [...base, chromaClass.storageClass, ctx.volumeSnapshots.release],
      })
    : undefined;

  const chroma = new Chroma(stack, 'chroma', {
    namespace: ctx.namespaces.name(CHROMA_STATEFUL_SET.namespace),
    name: CHROMA_STATEFUL_SET.name,
    replicas: d.chroma.replicas,
    imageTag: d.chroma.imageTag,
    storageGiB: d.chroma.storageGiB,
    storageClass: chromaClass.name,
    compute: d.chroma.compute,
    placement: ctx.placement('vector'),
    clientPods: CHROMA_GATEWAY.pods,
    backup: {
      schedule: d.chroma.backupSchedule,
      bucket,
      region,
      prefix: DATA_IDENTITIES.chromaBackup.prefix.segment,
      serviceAccountName: DATA_IDENTITIES.chromaBackup.serviceAccount,
      awsCliImage: d.jobImages.awsCli,
    },
    dependsOn: [...base, ...(chromaRestore ? [chromaRestore.release.release] : [])],
  });
  // Issue 13: crash-consistent CSI snapshots of every replica's volume on the definition's schedule
  // (every 5 minutes in staging/production: the database RPO), the oldest pruned beyond the count kept.
  const chromaSnapshots = new VolumeSnapshotSchedule(stack, 'chroma-snapshots', {
    name: CHROMA_STORAGE.snapshotJob,
    namespace: ctx.namespaces.name(CHROMA_STORAGE.namespace),
    namespaceName: CHROMA_STORAGE.namespace,
    claims: chromaReplicaClaims,
    snapshotClass: ctx.volumeSnapshots.rotatingClassName,
    schedule: d.chroma.snapshotSchedule,
    keep: d.chroma.snapshotsKept,
    image: d.jobImages.kubectlShell,
    placement: ctx.placement('system'),
    dependsOn: [ctx.volumeSnapshots.release, chroma.release.release],
  });

  const vault = new Vault(stack, 'vault', {
    namespace: ctx.namespaces.name(DATA_IDENTITIES.vault.namespace),
    replicas: d.vault.replicas,
    imageTag: d.vault.imageTag,
    dataStorageGiB: d.vault.dataStorageGiB,
    auditStorageGiB: d.vault.auditStorageGiB,
    storageClass,
    compute: d.vault.compute,
    placement: ctx.placement('system'),
    // Issue 13: the seal moves to the multi-region key through `migrating` (README: Vault seal migration).
    unseal:
      d.vault.seal === 'single-region'
        ? { region, kmsKeyId: vaultUnsealKeyAlias(env) }
        : {
            region,
            kmsKeyId: vaultMultiRegionUnsealKeyAlias(env),
            ...(d.vault.seal === 'migrating' ? { migrateFromKmsKeyId: vaultUnsealKeyAlias(env) } : {}),
          },
    // Each channel reads only its own paths, through its own role bound to its own namespace;
    // each sync job writes only its channel's database secret.
    clients: channels.flatMap((c): VaultClient[] => [
      {
        role: c.vaultRole,
        // The application and the channel's services that use its database (features/services).
        serviceAccounts: [c.serviceAccount, ...servicesOf(c).filter((s) => s.usesDatabase).map((s) => s.name)],
        namespaces: [c.namespace],
        readPaths: Object.values(c.secretPaths),
      },
      {
        role: DATABASE_SYNC[c.name].role,
        serviceAccounts: [DATABASE_SYNC[c.name].serviceAccount],
        namespaces: [DATA_IDENTITIES.postgres.namespace],
        readPaths: [],
        writePaths: [c.secretPaths.database],
      },
      {
        role: API_KEYS_SYNC[c.name].role,
        serviceAccounts: [API_KEYS_SYNC[c.name].serviceAccount],
        namespaces: [DATA_IDENTITIES.postgres.namespace],
        readPaths: [],
        writePaths: [c.secretPaths.api],
      },
      {
        role: CHROMA_TOKEN_SYNC[c.name].role,
        serviceAccounts: [CHROMA_TOKEN_SYNC[c.name].serviceAccount],
        namespaces: [VECTOR_NAMESPACE],
        readPaths: [],
        writePaths: [c.secretPaths.vector],
      },
    ]).concat([
      // The raft snapshot job: read on the snapshot endpoint, nothing else.
      {
        role: VAULT_SNAPSHOT.role,
        serviceAccounts: [DATA_IDENTITIES.vaultSnapshot.serviceAccount],
        namespaces: [DATA_IDENTITIES.vaultSnapshot.namespace],
        readPaths: [],
        apiPaths: [{ path: VAULT_SNAPSHOT.path, capabilities: ['read'] }],
      },
      // The restore Job's role exists only while a restore is configured.
      ...(d.vault.restore
        ? [
            {
              role: VAULT_SNAPSHOT.restore.role,
              serviceAccounts: [VAULT_SNAPSHOT.restore.serviceAccount],
              namespaces: [VAULT_SNAPSHOT.restore.namespace],
              readPaths: [],
              apiPaths: [{ path: VAULT_SNAPSHOT.path, capabilities: ['update', 'sudo'] as const }],
            },
          ]
        : []),
    ]),
    retiredRoles: d.vault.restore ? [] : [VAULT_SNAPSHOT.restore.role],
    // Published below (the application namespace) and by features/app/platform.ts (the beta
    // namespace, created with the beta channel).
    caSecretNamespaces: [],
    opensslImage: d.jobImages.openssl,
    kubectlImage: d.jobImages.kubectl,
    configureSchedule: '*/30 * * * *',
    dependsOn: base,
  });

  // SEC-1, BAK-2: raft snapshots off the cluster, to the replicated backup bucket.
  const vaultSnapshots = new VaultSnapshots(stack, 'vault-snapshots', {
    namespace: vault.namespace,
    name: VAULT_SNAPSHOT.cronJob,
    serviceAccountName: DATA_IDENTITIES.vaultSnapshot.serviceAccount,
    vaultRole: VAULT_SNAPSHOT.role,
    vaultAddress: vault.address,
    vaultImage: `hashicorp/vault:${d.vault.imageTag}`,
    awsCliImage: d.jobImages.awsCli,
    schedule: d.vault.snapshotSchedule,
    bucket,
    region,
    prefix: DATA_IDENTITIES.vaultSnapshot.prefix.segment,
    placement: ctx.placement('system'),
    // The server's CA secret and the job's Vault role (written by vault-configure).
    dependsOn: [vault.tlsJob, vault.configureJob],
  });

  // BAK-3: restore as configuration, from exactly the prefix the snapshots are written to.
  const vaultRestore = d.vault.restore
    ? new VaultRestore(stack, 'vault-restore', {
        namespace: vault.namespace,
        name: VAULT_SNAPSHOT.restore.job,
        serviceAccountName: VAULT_SNAPSHOT.restore.serviceAccount,
        vaultRole: VAULT_SNAPSHOT.restore.role,
        vaultAddress: vault.address,
        firstServerAddress: `https://vault-0.vault-internal:${DATA_SERVICES.vault.port}`,
        vaultImage: `hashicorp/vault:${d.vault.imageTag}`,
        awsCliImage: d.jobImages.awsCli,
        bucket,
        region,
        prefix: VAULT_SNAPSHOT.restore.prefix.segment,
        snapshot: d.vault.restore.snapshot,
        placement: ctx.placement('system'),
        dependsOn: [vault.release.release, vault.configureJob],
      })
    : undefined;

  // OBS-2: Vault's server certificate (VAULT_CERT_DAYS) and its CA, generated in the cluster,
  // are watched like the ACM certificates: the check fails (and alerts) 30 days before expiry.
  const vaultCertificateCheck = new CertificateCheck(stack, 'vault-certificate-check', {
    namespace: vault.namespace,
    name: 'vault',
    certificates: [
      { secretName: VAULT_TLS_SECRET_NAME, key: 'tls.crt' },
      { secretName: VAULT_TLS_SECRET_NAME, key: 'ca.crt' },
    ],
    warnDays: CERTIFICATE_WARN_DAYS,
    opensslImage: d.jobImages.openssl,
    placement: ctx.placement('system'),
    dependsOn: [vault.tlsJob],
  });

  // OBS-2: the MongoDB CA and server certificate the operator generated, watched the same way.
  const mongodbCertificateCheck = new CertificateCheck(stack, 'mongodb-certificate-check', {
    namespace: dataNs,
    name: 'mongodb',
    certificates: [
      { secretName: mongodb.tlsSecret, key: 'tls.crt' },
      { secretName: mongodb.tlsSecret, key: 'ca.crt' },
    ],
    warnDays: CERTIFICATE_WARN_DAYS,
    opensslImage: d.jobImages.openssl,
    placement: ctx.placement('system'),
    dependsOn: [mongodb.replicaSet.release],
  });

  vault.publishCa(APP_CA_PUBLISHER, ctx.namespaces.name(APP_CHANNELS.stable.namespace));
  // DATA-5: the operator-generated database credentials reach the application through Vault.
  const dataCa = vault.publishCa('ca-data', dataNs);
  const sync = (id: string, c: AppChannel, fields: { postgres: { secretName: string; key: string }; mongodb: string }) =>
    new VaultSecretSync(stack, id, {
      namespace: dataNs,
      name: DATABASE_SYNC[c.name].serviceAccount,
      schedule: '7 * * * *',
      vaultAddress: vault.address,
      vaultRole: DATABASE_SYNC[c.name].role,
      vaultImage: `hashicorp/vault:${d.vault.imageTag}`,
      path: c.secretPaths.database,
      fields: [
        { field: 'postgres_uri', ...fields.postgres },
        { field: 'mongodb_uri', secretName: fields.mongodb, key: 'uri' },
        // The CA the URI's tlsCAFile names: the agent renders it to MONGODB_CA_FILE.
        { field: 'mongodb_ca', secretName: mongodb.tlsSecret, key: 'ca.crt' },
      ],
      placement: ctx.placement('system'),
      // The operators' generated Secrets, Vault's role for the job, and `vault-ca` in `data`.
      dependsOn: [
        postgres.cluster.release,
        ...(postgres.extraCredentials ? [postgres.extraCredentials.release] : []),
        mongodb.credentials.release,
        mongodb.replicaSet.release,
        vault.configureJob,
        dataCa,
      ],
    });
  const databaseSync = sync('vault-database-sync', APP_CHANNELS.stable, {
    postgres: { secretName: postgres.appSecretName, key: 'uri' },
    mongodb: mongodb.credentialSecretOf(APP_CHANNELS.stable.mongodbUser),
  });
  const beta = ownDatabases.find((c) => c.name === 'beta');
  const betaDatabaseSync = beta
    ? sync('vault-database-sync-beta', beta, {
        postgres: { secretName: postgres.extraCredentialSecrets[beta.database], key: 'uri' },
        mongodb: mongodb.credentialSecretOf(beta.mongodbUser),
      })
    : undefined;

  // Issue 13: the API keys' source outside Vault. Secrets Manager (cloud stack, replicated to the
  // replica region) -> the External Secrets Operator -> `api-keys-<namespace>` in `data` -> the
  // channel's sync job -> `secret/<namespace>/api`. Until a person has put a value, the Secret is
  // missing and the job leaves Vault as it is.
  const apiKeys = new SyncedSecrets(stack, 'api-keys', {
    name: 'api-keys',
    namespace: dataNs,
    namespaceName: DATA_NAMESPACE,
    prefix: ctx.names.prefix,
    region,
    keys: apiKeySources(env),
    operator: options.externalSecrets,
  });
  const apiKeySyncs = channels.map(
    (c) =>
      new VaultSecretSync(stack, `vault-api-keys-sync-${c.name}`, {
        namespace: dataNs,
        name: API_KEYS_SYNC[c.name].serviceAccount,
        schedule: '27 * * * *',
        vaultAddress: vault.address,
        vaultRole: API_KEYS_SYNC[c.name].role,
        vaultImage: `hashicorp/vault:${d.vault.imageTag}`,
        path: c.secretPaths.api,
        fields: APP_API_KEYS.map((key) => ({ field: key, secretName: API_KEYS_SYNC[c.name].secretName, key })),
        optionalSources: true,
        placement: ctx.placement('system'),
        dependsOn: [apiKeys.release.release, vault.configureJob, dataCa],
      }),
  );

  // Issue 15: Chroma requires a token. One per channel, generated in the cluster, checked by the
  // gateway in front of Chroma and copied into the channel's Vault secret `<namespace>/vector`,
  // where the application's Vault agent reads it (like the database credentials).
  const vectorNs = ctx.namespaces.name(VECTOR_NAMESPACE);
  const tokens = new GeneratedSecrets(stack, 'chroma-tokens', {
    name: 'chroma-tokens',
    namespace: vectorNs,
    secrets: channels.map((c) => ({ name: CHROMA_TOKEN_SYNC[c.name].secretName, generated: ['token'] })),
  });
  const chromaGateway = new ChromaGateway(stack, 'chroma-gateway', {
    namespace: vectorNs,
    name: CHROMA_GATEWAY.name,
    podLabels: CHROMA_GATEWAY.pods,
    port: DATA_SERVICES.chroma.port,
    upstream: CHROMA_GATEWAY.upstream,
    tokens: channels.map((c) => ({ id: c.name.toUpperCase(), secretName: CHROMA_TOKEN_SYNC[c.name].secretName, key: 'token' })),
    image: CHROMA_GATEWAY_IMAGE,
    replicas: 2,
    placement: ctx.placement('system'),
    maxBodyMiB: 64,
    dependsOn: [tokens.release.release, chroma.release.release],
  });
  const vectorCa = vault.publishCa('ca-vector', vectorNs);
  const chromaTokenSyncs = channels.map(
    (c) =>
      new VaultSecretSync(stack, `vault-chroma-token-sync-${c.name}`, {
        namespace: vectorNs,
        name: CHROMA_TOKEN_SYNC[c.name].serviceAccount,
        schedule: '17 * * * *',
        vaultAddress: vault.address,
        vaultRole: CHROMA_TOKEN_SYNC[c.name].role,
        vaultImage: `hashicorp/vault:${d.vault.imageTag}`,
        path: c.secretPaths.vector,
        fields: [{ field: CHROMA_TOKEN_FIELD, secretName: CHROMA_TOKEN_SYNC[c.name].secretName, key: 'token' }],
        placement: ctx.placement('system'),
        dependsOn: [tokens.release.release, vault.configureJob, vectorCa],
      }),
  );

  return { postgres, postgresSnapshotRotation, mongodb, mongodbSnapshots, mongodbRestore, apiKeys, apiKeySyncs, chroma, chromaSnapshots, chromaRestore, chromaGateway, chromaTokenSyncs, vault, vaultSnapshots, vaultRestore, databaseSync, betaDatabaseSync, vaultCertificateCheck, mongodbCertificateCheck };
}
