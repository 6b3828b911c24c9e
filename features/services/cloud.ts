/**
 * The cloud side of the service tier (seed 004 "Service Layer"), called from CloudStack with one
 * line: the services key, the queues of every channel with their dead-letter queues and alarms,
 * the files bucket (replicated offsite where the environment has a replica region) and the model
 * store, the SES identity of the sender, the release images' registry, and one Pod Identity role
 * per service account holding exactly the statements of its `aws` needs (features/services/contract.ts).
 */
import { TerraformOutput } from 'cdktf';
import { Environment } from '../../environments/schema';
import { EncryptionKey } from '../../constructs/kms/kms-key';
import { EncryptedQueue } from '../../constructs/messaging/queue';
import { SecureBucket } from '../../constructs/backup/secure-bucket';
import { OffsiteReplica } from '../../constructs/backup/replication';
import { EmailIdentity } from '../../constructs/email/email-identity';
import { ImageRepository } from '../../constructs/registry/image-repository';
import { WorkloadRole } from '../../constructs/identity/workload-role';
import { bucketPrefixStatements } from '../../constructs/identity/bucket-access';
import { PolicyStatement } from '../../constructs/common/iam';
import { Construct } from 'constructs';
import { CloudContext } from '../context';
import { Backups, filesReplicaBucketName } from '../backups/cloud';
import { DataCloud } from '../data/cloud';
import { AppChannel, ChannelName, channelsOf } from '../app/contract';
import {
  APP_AWS_NEEDS,
  AwsNeed,
  INFERENCE_NAMESPACE,
  INFERENCE_SERVICE_ACCOUNT,
  KEDA_NAMESPACE,
  KEDA_OPERATOR_SERVICE_ACCOUNT,
  MODEL_STORE_PREFIX,
  MODEL_SYNC_SERVICE_ACCOUNT,
  QUEUE_KEYS,
  QueueKey,
  ServiceKey,
  filesPrefix,
  queueName,
  serviceInstances,
} from './contract';

/** The release images: the application's and the JacLang runtime's (agents, coordinator). */
export type ImageKey = 'app' | 'agents';

/** Overwritten or deleted model files are kept this long: models can be pulled again from their registry. */
export const MODEL_STORE_NONCURRENT_DAYS = 7;

/** The sender's domain (verified in SES). */
export function emailDomain(env: Environment): string {
  return env.services.email.fromAddress.split('@')[1];
}

/** ECR repository of an image: `<prefix>/<last path segment of the definition's repository>`. */
export function imageRepositoryNames(env: Environment, prefix: string): Record<ImageKey, string> {
  const last = (repository: string) => repository.slice(repository.lastIndexOf('/') + 1);
  return { app: `${prefix}/${last(env.app.image.repository)}`, agents: `${prefix}/${last(env.services.agents.image.repository)}` };
}

/** SES configuration set of the environment's mail. */
export function emailConfigurationSetName(prefix: string): string {
  return `${prefix}-email`;
}

/** Pod Identity role of a channel's service: `<prefix>-<channel>-<service>`. */
export function serviceRoleName(prefix: string, channel: ChannelName, service: ServiceKey): string {
  return `${prefix}-${channel}-${service}`;
}

export interface ServicesCloud {
  /** Encrypts the queues, the files bucket, the model store and the images. */
  readonly key: EncryptionKey;
  readonly queues: Readonly<Partial<Record<ChannelName, Readonly<Record<QueueKey, EncryptedQueue>>>>>;
  readonly files: SecureBucket;
  /** The files bucket's offsite copy (environments with `backup.replicaRegion`). */
  readonly filesReplica?: OffsiteReplica;
  readonly modelStore: SecureBucket;
  readonly email: EmailIdentity;
  readonly repositories: Readonly<Record<ImageKey, ImageRepository>>;
  /** One role per (channel, service) the environment runs. */
  readonly serviceRoles: Readonly<Partial<Record<ChannelName, Partial<Record<ServiceKey, WorkloadRole>>>>>;
  readonly kedaRole: WorkloadRole;
  readonly inferenceRole: WorkloadRole;
  readonly modelSyncRole: WorkloadRole;
}

/** IAM statement ids must be unique within a policy: a need listed twice is a contract error. */
function checkedStatements(what: string, statements: PolicyStatement[]): PolicyStatement[] {
  const seen = new Set<string>();
  for (const s of statements) {
    if (s.Sid === undefined) continue;
    if (seen.has(s.Sid)) throw new Error(`${what}: two statements named ${s.Sid} (an AWS need listed twice?)`);
    seen.add(s.Sid);
  }
  return statements;
}

/** Adds the service tier's AWS resources; the application's roles (data) get its AWS needs. */
export function addServicesCloud(ctx: CloudContext, deps: { backups: Backups; data: DataCloud }): ServicesCloud {
  const { env, names, accountId } = ctx;
  const region = env.aws.region;
  const protect = env.protectState;
  const s = env.services;
  const scope = new Construct(ctx.scope, 'services');

  // No AWS service principal needs this key: producers and consumers use it through SQS with
  // their own roles, S3 and ECR through grants or the caller's role; the alarms publish to the
  // alert topic, which has its own key that CloudWatch may use (constructs/observability/alert-topic.ts).
  const key = new EncryptionKey(scope, 'key', {
    alias: `${names.prefix}-services`,
    description: `${names.prefix}: service tier queues, files, model store and release images`,
    accountId,
    protect,
  });

  // ---- queues: per channel, agent tasks and Celery's queue, each with its dead-letter queue
  const queues: Partial<Record<ChannelName, Record<QueueKey, EncryptedQueue>>> = {};
  for (const c of channelsOf(env)) {
    const byKey = {} as Record<QueueKey, EncryptedQueue>;
    for (const q of QUEUE_KEYS) {
      byKey[q] = new EncryptedQueue(scope, `queue-${c.name}-${q}`, {
        name: queueName(names.prefix, c.name, q),
        kmsKeyArn: key.arn,
        region,
        retentionDays: s.queues.retentionDays,
        visibilityTimeoutSeconds: s.queues.visibilityTimeoutSeconds,
        maxReceiveCount: s.queues.maxReceiveCount,
        alarms: { topicArn: ctx.alerts.arn, oldestMessageSeconds: s.queues.oldestMessageAlarmSeconds },
      });
    }
    queues[c.name] = byKey;
  }

  // ---- files (seed 004 file storage, RPO 1 h): versioned, SSE-KMS, private, TLS only, access-logged
  const files = new SecureBucket(scope, 'files', {
    bucketName: names.filesBucket,
    encryption: { kind: 'kms', keyArn: key.arn },
    lifecycle: { noncurrentVersionExpiryDays: s.files.noncurrentVersionExpiryDays },
    accessLogBucket: deps.backups.storage.accessLogBucket.bucket.id,
    accessLogPrefix: 'files/',
    protect,
  });
  // Offsite copy with S3 Replication Time Control (15 minutes, below the definition's rpoMinutes >= 15).
  const backupReplica = deps.backups.storage.replica;
  let filesReplica: OffsiteReplica | undefined;
  if (env.backup.replicaRegion && backupReplica && deps.backups.replicaProvider) {
    filesReplica = new OffsiteReplica(scope, 'files-replica', {
      source: files,
      sourceKeyArn: key.arn,
      sourceRegion: region,
      replicaBucketName: filesReplicaBucketName(env),
      // The backup replica's access-log bucket accepts this replica's logs (features/backups/cloud.ts).
      replicaAccessLogs: { existing: backupReplica.accessLogBucket },
      replicaRegion: env.backup.replicaRegion,
      replicaProvider: deps.backups.replicaProvider,
      accountId,
      namePrefix: names.prefix,
      names: {
        keyAlias: `${names.prefix}-files-replica`,
        roleName: `${names.prefix}-files-replication`,
        policyName: 'replicate-files',
        accessLogPrefix: 'files-replica/',
        what: 'files',
      },
      lifecycle: { noncurrentVersionExpiryDays: s.files.noncurrentVersionExpiryDays },
      protect,
    });
    filesReplica.addAlarms(ctx.alerts.arn);
  }

  // ---- model store of the AI service: models can be pulled again from their registry, so no replica.
  const modelStore = new SecureBucket(scope, 'model-store', {
    bucketName: names.modelStoreBucket,
    encryption: { kind: 'kms', keyArn: key.arn },
    lifecycle: { noncurrentVersionExpiryDays: MODEL_STORE_NONCURRENT_DAYS },
    accessLogBucket: deps.backups.storage.accessLogBucket.bucket.id,
    accessLogPrefix: 'models/',
    protect,
  });

  // ---- e-mail: the sender's domain, DKIM in the environment's hosted zone
  const email = new EmailIdentity(scope, 'email', {
    domain: emailDomain(env),
    hostedZoneId: env.edge.hostedZoneId,
    configurationSetName: emailConfigurationSetName(names.prefix),
  });

  // ---- registry of the release images
  const repoNames = imageRepositoryNames(env, names.prefix);
  const repository = (k: ImageKey) =>
    new ImageRepository(scope, `registry-${k}`, {
      name: repoNames[k],
      kmsKeyArn: key.arn,
      untaggedExpiryDays: s.registry.untaggedExpiryDays,
      keepReleases: s.registry.keepReleases,
      protect,
    });
  const repositories = { app: repository('app'), agents: repository('agents') };

  // ---- identities: each AWS need becomes statements on exactly the resource it names
  const statementsOf = (c: AppChannel, needs: readonly AwsNeed[]): PolicyStatement[] => {
    const q = queues[c.name] as Record<QueueKey, EncryptedQueue>;
    return needs.flatMap((n): PolicyStatement[] => {
      switch (n.kind) {
        case 'queue-consume':
          return q[n.queue].consumeStatements(n.queue);
        case 'queue-send':
          return q[n.queue].sendStatements(n.queue);
        case 'files-read-write':
          return bucketPrefixStatements({ bucketArn: files.bucketArn, prefix: filesPrefix(c.name), kmsKeyArn: key.arn, region, access: 'read-write', label: 'ChannelFiles' });
        case 'send-email':
          return [email.sendStatement(s.email.fromAddress)];
      }
    });
  };
  const workloadRole = (id: string, roleName: string, namespace: string, serviceAccount: string, statements: PolicyStatement[]) =>
    new WorkloadRole(scope, id, {
      roleName,
      clusterName: ctx.cluster.name,
      clusterArn: ctx.cluster.arn,
      accountId,
      namespace,
      serviceAccount,
      statements: checkedStatements(`${namespace}/${serviceAccount}`, statements),
    });

  const serviceRoles: Partial<Record<ChannelName, Partial<Record<ServiceKey, WorkloadRole>>>> = {};
  for (const { channel, service } of serviceInstances(env)) {
    if (service.aws.length === 0) continue;
    (serviceRoles[channel.name] ??= {})[service.key] = workloadRole(
      `role-${channel.name}-${service.key}`,
      serviceRoleName(names.prefix, channel.name, service.key),
      channel.namespace,
      service.name,
      statementsOf(channel, service.aws),
    );
  }
  // The application's own service account already has its cache role (one Pod Identity
  // association per service account): its AWS needs extend that role.
  for (const c of channelsOf(env)) {
    const role = deps.data.cacheClientRoles[c.name];
    if (!role) throw new Error(`services: the ${c.name} channel has no application role to extend (features/data/cloud.ts)`);
    role.addStatements('services', checkedStatements(`${c.namespace}/${c.serviceAccount}`, statementsOf(c, APP_AWS_NEEDS)));
  }
  // KEDA scales the workers on their queue's depth: attributes of the Celery queues, nothing else.
  const kedaRole = workloadRole(
    'role-keda-operator',
    `${names.prefix}-keda-operator`,
    KEDA_NAMESPACE,
    KEDA_OPERATOR_SERVICE_ACCOUNT,
    channelsOf(env).flatMap((c) => (queues[c.name] as Record<QueueKey, EncryptedQueue>).celery.depthStatements(`${c.name}-celery`)),
  );
  const models = (access: 'read' | 'read-write') =>
    bucketPrefixStatements({ bucketArn: modelStore.bucketArn, prefix: MODEL_STORE_PREFIX, kmsKeyArn: key.arn, region, access, label: 'Models' });
  const inferenceRole = workloadRole('role-inference', `${names.prefix}-inference`, INFERENCE_NAMESPACE, INFERENCE_SERVICE_ACCOUNT, models('read'));
  const modelSyncRole = workloadRole('role-model-sync', `${names.prefix}-model-sync`, INFERENCE_NAMESPACE, MODEL_SYNC_SERVICE_ACCOUNT, models('read-write'));

  new TerraformOutput(ctx.scope, 'image_repositories', {
    value: { app: repositories.app.url, agents: repositories.agents.url },
    description: 'ECR repositories CI pushes the release images to (immutable tags, scanned on push)',
  });
  new TerraformOutput(ctx.scope, 'files_bucket', { value: files.bucketName, description: "The application's files (seed 004 file storage)" });

  return { key, queues, files, filesReplica, modelStore, email, repositories, serviceRoles, kedaRole, inferenceRole, modelSyncRole };
}
