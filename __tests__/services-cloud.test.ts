/**
 * The service tier's cloud side (issue 12, features/services/cloud.ts), asserted on the
 * synthesized cloud stacks: queues with dead-letter queues, KMS and alarms; the files bucket and
 * its offsite replica with Replication Time Control; the model store; the SES identity with DKIM;
 * the ECR repositories; and one role per service account holding exactly its AWS needs.
 */
import { DefaultTokenResolver, StringConcat, Testing, TerraformStack, Tokenization } from 'cdktf';
import { Json, definitionProblems, environment, resourceAt, resources, stacksFor, shipped } from './helpers';
import { APP_CHANNELS, AppChannel, ChannelName, channelsOf } from '../features/app/contract';
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
  SERVICES,
  filesPrefix,
  queueName,
  serviceInstances,
} from '../features/services/contract';
import { REPLICATION_TIME_MINUTES } from '../constructs/backup/replication';
import { WorkloadRole } from '../constructs/identity/workload-role';
import { EncryptedQueue } from '../constructs/messaging/queue';
import { ImageRepository } from '../constructs/registry/image-repository';

const prod = stacksFor('production');
const dev = stacksFor('development');
const prodCloud: Json = shipped('production').cloud;
const devCloud: Json = shipped('development').cloud;
const prodEnv = environment('production');
const PREFIX = 'toronto-ai-production';
const ACCOUNT = '444455556666';
const FILES_BUCKET = `${PREFIX}-files-${ACCOUNT}`;
const MODELS_BUCKET = `${PREFIX}-models-${ACCOUNT}`;

const ref = (type: string, r: Json, attr: string) => `\${${type}.${r.__name}.${attr}}`;
const at = (json: Json, type: string, path: string) => resourceAt(json, type, path);
const servicesKey = at(prodCloud, 'aws_kms_key', 'services/key/key');
const SERVICES_KEY_ARN = ref('aws_kms_key', servicesKey, 'arn');
const alertTopic = at(prodCloud, 'aws_sns_topic', 'alerts/topic');
const ALERTS = ref('aws_sns_topic', alertTopic, 'arn');

const queueOf = (json: Json, channel: ChannelName, q: QueueKey) => at(json, 'aws_sqs_queue', `services/queue-${channel}-${q}/queue`);
const dlqOf = (json: Json, channel: ChannelName, q: QueueKey) => at(json, 'aws_sqs_queue', `services/queue-${channel}-${q}/dlq`);
const queueArn = (channel: ChannelName, q: QueueKey) => ref('aws_sqs_queue', queueOf(prodCloud, channel, q), 'arn');

/** Allow statements of every inline policy of the role at `rolePath`, as `resource -> sorted actions`. */
function grants(json: Json, rolePath: string): Record<string, string[]> {
  const role = at(json, 'aws_iam_role', `${rolePath}/role`);
  const out: Record<string, Set<string>> = {};
  for (const p of resources(json, 'aws_iam_role_policy').filter((r) => r.role === ref('aws_iam_role', role, 'id'))) {
    for (const s of JSON.parse(p.policy).Statement as Json[]) {
      if (s.Effect !== 'Allow') continue;
      for (const resource of [s.Resource].flat()) {
        for (const action of [s.Action].flat()) (out[resource] ??= new Set()).add(action);
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** What each need grants, written out from the brief (not from the code under test). */
function expectedGrants(channel: ChannelName, needs: readonly AwsNeed[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  const add = (resource: string, actions: string[]) => actions.forEach((a) => (out[resource] ??= new Set()).add(a));
  const identity = ref('aws_sesv2_email_identity', at(prodCloud, 'aws_sesv2_email_identity', 'services/email/identity'), 'arn');
  const configurationSet = ref('aws_sesv2_configuration_set', at(prodCloud, 'aws_sesv2_configuration_set', 'services/email/configuration-set'), 'arn');
  for (const n of needs) {
    if (n.kind === 'queue-consume') {
      add(queueArn(channel, n.queue), ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes']);
      add(SERVICES_KEY_ARN, ['kms:Decrypt']);
    } else if (n.kind === 'queue-send') {
      add(queueArn(channel, n.queue), ['sqs:SendMessage']);
      add(SERVICES_KEY_ARN, ['kms:GenerateDataKey', 'kms:Decrypt']);
    } else if (n.kind === 'files-read-write') {
      add(`arn:aws:s3:::${FILES_BUCKET}/${filesPrefix(channel)}*`, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']);
      add(`arn:aws:s3:::${FILES_BUCKET}`, ['s3:ListBucket']);
      add(SERVICES_KEY_ARN, ['kms:GenerateDataKey', 'kms:Decrypt']);
    } else {
      add(identity, ['ses:SendEmail', 'ses:SendRawEmail']);
      add(configurationSet, ['ses:SendEmail', 'ses:SendRawEmail']);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

describe('queues: per channel and queue, SSE-KMS, dead-letter queue, TLS only, alarms', () => {
  const cases = channelsOf(prodEnv).flatMap((c) => QUEUE_KEYS.map((q) => [c.name, q] as [ChannelName, QueueKey]));

  test('production runs both channels: four queues and four dead-letter queues', () => {
    expect(resources(prodCloud, 'aws_sqs_queue').map((q) => q.name).sort()).toEqual(
      cases.flatMap(([c, q]) => [queueName(PREFIX, c, q), `${queueName(PREFIX, c, q)}-dlq`]).sort(),
    );
    expect(resources(devCloud, 'aws_sqs_queue').map((q) => q.name).sort()).toEqual([
      'toronto-ai-development-stable-agent-tasks', 'toronto-ai-development-stable-agent-tasks-dlq',
      'toronto-ai-development-stable-celery', 'toronto-ai-development-stable-celery-dlq',
    ]);
  });

  test.each(cases)('%s/%s: redrive to its own dead-letter queue with the definition\'s count, retention and visibility', (c, q) => {
    const queue = queueOf(prodCloud, c, q);
    const dlq = dlqOf(prodCloud, c, q);
    const s = prodEnv.services.queues;
    expect(queue).toMatchObject({
      kms_master_key_id: SERVICES_KEY_ARN,
      message_retention_seconds: s.retentionDays * 86400,
      visibility_timeout_seconds: s.visibilityTimeoutSeconds,
    });
    expect(JSON.parse(queue.redrive_policy)).toEqual({ deadLetterTargetArn: ref('aws_sqs_queue', dlq, 'arn'), maxReceiveCount: s.maxReceiveCount });
    expect(dlq).toMatchObject({ kms_master_key_id: SERVICES_KEY_ARN, message_retention_seconds: 14 * 86400 });
    expect(dlq.redrive_policy).toBeUndefined();
    const allow = at(prodCloud, 'aws_sqs_queue_redrive_allow_policy', `services/queue-${c}-${q}/dlq-redrive-allow`);
    expect(allow.queue_url).toBe(ref('aws_sqs_queue', dlq, 'url'));
    expect(JSON.parse(allow.redrive_allow_policy)).toEqual({ redrivePermission: 'byQueue', sourceQueueArns: [ref('aws_sqs_queue', queue, 'arn')] });
  });

  test.each(cases)('%s/%s: both queues deny every request without TLS', (c, q) => {
    for (const [policy, target] of [['policy', queueOf(prodCloud, c, q)], ['dlq-policy', dlqOf(prodCloud, c, q)]] as const) {
      const p = at(prodCloud, 'aws_sqs_queue_policy', `services/queue-${c}-${q}/${policy}`);
      expect(p.queue_url).toBe(ref('aws_sqs_queue', target, 'url'));
      expect(JSON.parse(p.policy).Statement).toEqual([
        { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: ref('aws_sqs_queue', target, 'arn'), Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ]);
    }
  });

  test.each(cases)('%s/%s: age of the oldest message and dead letters alarm to the alert topic', (c, q) => {
    const name = queueName(PREFIX, c, q);
    const age = at(prodCloud, 'aws_cloudwatch_metric_alarm', `services/queue-${c}-${q}/oldest-message-alarm`);
    expect(age).toMatchObject({
      alarm_name: `${name}-oldest-message`,
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: name },
      comparison_operator: 'GreaterThanThreshold',
      threshold: prodEnv.services.queues.oldestMessageAlarmSeconds,
      alarm_actions: [ALERTS],
      ok_actions: [ALERTS],
    });
    const dead = at(prodCloud, 'aws_cloudwatch_metric_alarm', `services/queue-${c}-${q}/dlq-alarm`);
    expect(dead).toMatchObject({
      alarm_name: `${name}-dlq-messages`,
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: `${name}-dlq` },
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      alarm_actions: [ALERTS],
    });
  });

  test('the services key rotates and only the account administers it (no service principal needs it)', () => {
    expect(servicesKey).toMatchObject({ enable_key_rotation: true });
    expect(JSON.parse(servicesKey.policy).Statement.map((s: Json) => s.Principal)).toEqual([{ AWS: `arn:aws:iam::${ACCOUNT}:root` }]);
  });

  test('the construct refuses a visibility timeout that outlives the retention', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new EncryptedQueue(stack, 'q', { name: 'q', kmsKeyArn: 'k', region: 'ca-central-1', retentionDays: 1, visibilityTimeoutSeconds: 86400, maxReceiveCount: 3, alarms: { topicArn: 't', oldestMessageSeconds: 60 } })).toThrow(
      /'visibilityTimeoutSeconds' must be shorter than the retention period/,
    );
  });
});

describe('identities: one role per service account, exactly its AWS needs', () => {
  const associations = resources(prodCloud, 'aws_eks_pod_identity_association').map((a) => `${a.namespace}/${a.service_account}`);

  test('one Pod Identity association per service account (EKS allows no second one)', () => {
    expect(associations.length).toBe(new Set(associations).size);
    for (const c of channelsOf(prodEnv)) expect(associations.filter((a) => a === `${c.namespace}/${c.serviceAccount}`)).toHaveLength(1);
  });

  test.each(serviceInstances(prodEnv).map(({ channel, service }) => [channel.name, service.key] as const))('%s/%s: bound to its service account, statements are exactly its needs', (channel, key) => {
    const c: AppChannel = APP_CHANNELS[channel];
    const service = SERVICES[key];
    const association = at(prodCloud, 'aws_eks_pod_identity_association', `services/role-${channel}-${key}/association`);
    expect(association).toMatchObject({ namespace: c.namespace, service_account: service.name });
    const role = at(prodCloud, 'aws_iam_role', `services/role-${channel}-${key}/role`);
    expect(role.name).toBe(`${PREFIX}-${channel}-${key}`);
    expect(association.role_arn).toBe(ref('aws_iam_role', role, 'arn'));
    expect(grants(prodCloud, `services/role-${channel}-${key}`)).toEqual(expectedGrants(channel, service.aws));
  });

  test('the beat role may only send to its channel\'s Celery queue: no receive, no agent tasks, no files', () => {
    const g = grants(prodCloud, 'services/role-stable-beat');
    expect(g[queueArn('stable', 'celery')]).toEqual(['sqs:SendMessage']);
    expect(Object.values(g).flat()).not.toContain('sqs:ReceiveMessage');
    expect(Object.keys(g)).not.toContain(queueArn('stable', 'agent-tasks'));
    expect(Object.keys(g).some((r) => r.includes(FILES_BUCKET))).toBe(false);
  });

  test('the agents role cannot touch a Celery queue, nor the other channel\'s files or queues', () => {
    for (const channel of ['stable', 'beta'] as const) {
      const other = channel === 'stable' ? 'beta' : 'stable';
      const resourcesOf = Object.keys(grants(prodCloud, `services/role-${channel}-agents`));
      expect(resourcesOf).not.toContain(queueArn(channel, 'celery'));
      expect(resourcesOf).not.toContain(queueArn(other, 'agent-tasks'));
      expect(resourcesOf).toContain(`arn:aws:s3:::${FILES_BUCKET}/${channel}/*`);
      expect(resourcesOf).not.toContain(`arn:aws:s3:::${FILES_BUCKET}/${other}/*`);
    }
  });

  test('file listings are limited to the channel\'s prefix, the key to S3 of the region for this bucket', () => {
    const policy = JSON.parse(at(prodCloud, 'aws_iam_role_policy', 'services/role-beta-workers/policy').policy).Statement as Json[];
    expect(policy.find((s) => s.Action === 's3:ListBucket')?.Condition).toEqual({ StringLike: { 's3:prefix': ['beta', 'beta/*'] } });
    expect(policy.find((s) => s.Sid === 'UseChannelFilesKeyThroughS3')?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.ca-central-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${FILES_BUCKET}`, `arn:aws:s3:::${FILES_BUCKET}/beta/*`] },
    });
    for (const s of policy.filter((x) => String(x.Sid).match(/^(Decrypt|Encrypt)Celery/))) {
      expect(s.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'sqs.ca-central-1.amazonaws.com' } });
    }
  });

  test('e-mail senders may send as the configured address only', () => {
    const policy = JSON.parse(at(prodCloud, 'aws_iam_role_policy', 'services/role-stable-onboarding/policy').policy).Statement as Json[];
    expect(policy).toHaveLength(1);
    expect(policy[0].Condition).toEqual({ StringEquals: { 'ses:FromAddress': prodEnv.services.email.fromAddress } });
  });

  test.each(['stable', 'beta'] as const)('%s: the application\'s cache role is extended with its AWS needs (no second role)', (channel) => {
    const c = APP_CHANNELS[channel];
    const path = `data/role-${c.cacheRoleSuffix}`;
    const g = grants(prodCloud, path);
    const expected = expectedGrants(channel, APP_AWS_NEEDS);
    for (const [resource, actions] of Object.entries(expected)) expect(g[resource]).toEqual(actions);
    // Besides the needs, only the cache connect of the data feature.
    expect(Object.values(g).flat().filter((a) => !Object.values(expected).flat().includes(a))).toEqual(['elasticache:Connect', 'elasticache:Connect']);
    expect(at(prodCloud, 'aws_iam_role_policy', `${path}/policy-services`).name).toBe('services');
  });

  test('KEDA reads the depth of the Celery queues only', () => {
    expect(at(prodCloud, 'aws_eks_pod_identity_association', 'services/role-keda-operator/association')).toMatchObject({ namespace: KEDA_NAMESPACE, service_account: KEDA_OPERATOR_SERVICE_ACCOUNT });
    expect(grants(prodCloud, 'services/role-keda-operator')).toEqual({
      [queueArn('stable', 'celery')]: ['sqs:GetQueueAttributes'],
      [queueArn('beta', 'celery')]: ['sqs:GetQueueAttributes'],
    });
  });

  test('the inference pods read the model store under its prefix; the model sync job reads and writes it', () => {
    const objects = `arn:aws:s3:::${MODELS_BUCKET}/${MODEL_STORE_PREFIX}*`;
    expect(at(prodCloud, 'aws_eks_pod_identity_association', 'services/role-inference/association')).toMatchObject({ namespace: INFERENCE_NAMESPACE, service_account: INFERENCE_SERVICE_ACCOUNT });
    expect(grants(prodCloud, 'services/role-inference')).toEqual({ [`arn:aws:s3:::${MODELS_BUCKET}`]: ['s3:ListBucket'], [objects]: ['s3:GetObject'], [SERVICES_KEY_ARN]: ['kms:Decrypt'] });
    expect(at(prodCloud, 'aws_eks_pod_identity_association', 'services/role-model-sync/association')).toMatchObject({ namespace: INFERENCE_NAMESPACE, service_account: MODEL_SYNC_SERVICE_ACCOUNT });
    expect(grants(prodCloud, 'services/role-model-sync')[objects]).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
  });

  test('development binds the stable channel only', () => {
    const dev = resources(devCloud, 'aws_eks_pod_identity_association').map((a) => `${a.namespace}/${a.service_account}`);
    expect(dev).toContain('toronto-ai/toronto-ai-workers');
    expect(dev.filter((a) => a.startsWith('toronto-ai-beta/'))).toEqual([]);
  });

  test('a role cannot get the same policy name twice', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const role = new WorkloadRole(stack, 'w', { roleName: 'r', clusterName: 'c', clusterArn: 'arn:aws:eks:ca-central-1:111122223333:cluster/c', accountId: '111122223333', namespace: 'n', serviceAccount: 's', statements: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'q' }] });
    role.addStatements('services', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'o' }]);
    expect(() => role.addStatements('services', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'o' }])).toThrow(/already has an inline policy named services/);
  });
});

describe('files bucket (seed 004 file storage, RPO 1 h) and model store', () => {
  const files = at(prodCloud, 'aws_s3_bucket', 'services/files/bucket');
  const bucketRef = ref('aws_s3_bucket', files, 'id');

  test('versioned, SSE-KMS with the services key, private, TLS only, access-logged, noncurrent versions expire per the definition', () => {
    expect(files.bucket).toBe(FILES_BUCKET);
    expect(at(prodCloud, 'aws_s3_bucket_versioning', 'services/files/versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    expect(at(prodCloud, 'aws_s3_bucket_server_side_encryption_configuration', 'services/files/encryption').rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'aws:kms', kms_master_key_id: SERVICES_KEY_ARN });
    expect(at(prodCloud, 'aws_s3_bucket_public_access_block', 'services/files/public-access-block')).toMatchObject({ bucket: bucketRef, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const logging = at(prodCloud, 'aws_s3_bucket_logging', 'services/files/logging');
    expect(logging.target_bucket).toBe(ref('aws_s3_bucket', at(prodCloud, 'aws_s3_bucket', 'backups/access-logs/bucket'), 'id'));
    const lifecycle = at(prodCloud, 'aws_s3_bucket_lifecycle_configuration', 'services/files/lifecycle');
    expect(lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: prodEnv.services.files.noncurrentVersionExpiryDays }]);
    expect(lifecycle.rule[0].expiration).toBeUndefined();
  });

  test('the access-log buckets accept the service buckets\' logs (both regions)', () => {
    const sources = (path: string) => JSON.parse(at(prodCloud, 'aws_s3_bucket_policy', path).policy).Statement.find((s: Json) => s.Sid === 'S3ServerAccessLogDelivery').Condition.ArnLike['aws:SourceArn'];
    expect(sources('backups/access-logs/policy')).toEqual(expect.arrayContaining([`arn:aws:s3:::${FILES_BUCKET}`, `arn:aws:s3:::${MODELS_BUCKET}`]));
    expect(sources('backups/replica/access-logs/policy')).toContain(`arn:aws:s3:::${FILES_BUCKET}-ca-west-1`);
  });

  test('replicated to the replica region with S3 Replication Time Control (15 minutes <= rpoMinutes) and alarms', () => {
    const replication = at(prodCloud, 'aws_s3_bucket_replication_configuration', 'services/files-replica/replication');
    expect(replication.bucket).toBe(bucketRef);
    const [rule] = replication.rule;
    expect(rule.destination.replication_time).toEqual({ status: 'Enabled', time: { minutes: REPLICATION_TIME_MINUTES } });
    expect(rule.destination.metrics).toEqual({ status: 'Enabled', event_threshold: { minutes: REPLICATION_TIME_MINUTES } });
    expect(rule.destination.bucket).toBe(ref('aws_s3_bucket', at(prodCloud, 'aws_s3_bucket', 'services/files-replica/bucket/bucket'), 'arn'));
    expect(rule.delete_marker_replication).toEqual({ status: 'Disabled' });
    expect(REPLICATION_TIME_MINUTES).toBeLessThanOrEqual(prodEnv.services.files.rpoMinutes);
    const replica = at(prodCloud, 'aws_s3_bucket', 'services/files-replica/bucket/bucket');
    expect(replica).toMatchObject({ bucket: `${FILES_BUCKET}-ca-west-1`, provider: 'aws.replica' });
    expect(at(prodCloud, 'aws_kms_key', 'services/files-replica/key/key').provider).toBe('aws.replica');
    expect(at(prodCloud, 'aws_iam_role', 'services/files-replica/role').name).toBe(`${PREFIX}-files-replication`);
    for (const [alarm, name] of [['latency-alarm', 'lag'], ['failed-alarm', 'failed']]) {
      expect(at(prodCloud, 'aws_cloudwatch_metric_alarm', `services/files-replica/${alarm}`)).toMatchObject({
        alarm_name: `${PREFIX}-files-replication-${name}`,
        dimensions: { SourceBucket: FILES_BUCKET, DestinationBucket: `${FILES_BUCKET}-ca-west-1`, RuleId: 'offsite-copy' },
        alarm_actions: [ALERTS],
      });
    }
  });

  test('the backup bucket\'s replica keeps its names (no replacement from the shared construct)', () => {
    expect(at(prodCloud, 'aws_iam_role', 'backups/replica/role').name).toBe(`${PREFIX}-backup-replication`);
    expect(at(prodCloud, 'aws_kms_alias', 'backups/replica/key/alias').name).toBe(`alias/${PREFIX}-backups-replica`);
    expect(at(prodCloud, 'aws_iam_role_policy', 'backups/replica/policy').name).toBe('replicate-backups');
    expect(at(prodCloud, 'aws_s3_bucket_logging', 'backups/replica/bucket/logging').target_prefix).toBe('backups-replica/');
  });

  test('an environment without a replica region keeps versions in its region only', () => {
    expect(resources(devCloud, 'aws_s3_bucket_replication_configuration')).toEqual([]);
    expect(at(devCloud, 'aws_s3_bucket', 'services/files/bucket').bucket).toBe('toronto-ai-development-files-111122223333');
  });

  test('the model store: secure bucket, no replica (models can be pulled again)', () => {
    const store = at(prodCloud, 'aws_s3_bucket', 'services/model-store/bucket');
    expect(store.bucket).toBe(MODELS_BUCKET);
    expect(at(prodCloud, 'aws_s3_bucket_versioning', 'services/model-store/versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    expect(at(prodCloud, 'aws_s3_bucket_server_side_encryption_configuration', 'services/model-store/encryption').rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(SERVICES_KEY_ARN);
    expect(resources(prodCloud, 'aws_s3_bucket_replication_configuration').filter((r) => r.bucket === ref('aws_s3_bucket', store, 'id'))).toEqual([]);
  });

  test('state-holding resources are protected in production', () => {
    for (const [type, path] of [['aws_s3_bucket', 'services/files/bucket'], ['aws_s3_bucket', 'services/model-store/bucket'], ['aws_kms_key', 'services/key/key'], ['aws_ecr_repository', 'services/registry-app/repository']]) {
      expect(at(prodCloud, type, path).lifecycle).toEqual({ prevent_destroy: true });
    }
  });
});

describe('e-mail (SES) and registry (ECR)', () => {
  test('the sender\'s domain is an SES identity with Easy DKIM records in the hosted zone and a default configuration set', () => {
    const identity = at(prodCloud, 'aws_sesv2_email_identity', 'services/email/identity');
    const set = at(prodCloud, 'aws_sesv2_configuration_set', 'services/email/configuration-set');
    expect(identity).toMatchObject({ email_identity: 'toronto-ai-team-agent.example.com', dkim_signing_attributes: { next_signing_key_length: 'RSA_2048_BIT' } });
    expect(identity.configuration_set_name).toBe(ref('aws_sesv2_configuration_set', set, 'configuration_set_name'));
    expect(set).toMatchObject({ configuration_set_name: `${PREFIX}-email`, delivery_options: { tls_policy: 'REQUIRE' }, suppression_options: { suppressed_reasons: ['BOUNCE', 'COMPLAINT'] } });
    const tokens = `${ref('aws_sesv2_email_identity', identity, 'dkim_signing_attributes[0].tokens')}`.slice(2, -1);
    for (const i of [0, 1, 2]) {
      const record = at(prodCloud, 'aws_route53_record', `services/email/dkim-${i}`);
      expect(record).toMatchObject({
        zone_id: prodEnv.edge.hostedZoneId,
        type: 'CNAME',
        name: `\${element(${tokens}, ${i})}._domainkey.toronto-ai-team-agent.example.com`,
        records: [`\${element(${tokens}, ${i})}.dkim.amazonses.com`],
      });
    }
  });

  test('a sender outside the hosted zone is refused before anything is written', () => {
    expect(definitionProblems('production', (d) => (d.services.email.fromAddress = 'noreply@example.org'))).toEqual([
      'production.services.email.fromAddress: example.org is not in the hosted zone toronto-ai-team-agent.example.com (edge.domainName); its DKIM records can only be written there',
    ]);
  });

  test.each([['app', 'team-agent'], ['agents', 'jac-runtime']])('%s images: immutable tags, scan on push, KMS, lifecycle from the definition', (key, name) => {
    const repo = at(prodCloud, 'aws_ecr_repository', `services/registry-${key}/repository`);
    expect(repo).toMatchObject({
      name: `${PREFIX}/${name}`,
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: 'KMS', kms_key: SERVICES_KEY_ARN }],
    });
    const policy = JSON.parse(at(prodCloud, 'aws_ecr_lifecycle_policy', `services/registry-${key}/lifecycle`).policy);
    expect(policy.rules.map((r: Json) => r.selection)).toEqual([
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: prodEnv.services.registry.untaggedExpiryDays },
      { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: prodEnv.services.registry.keepReleases },
    ]);
  });

  test('the construct refuses fewer than two kept releases', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new ImageRepository(stack, 'r', { name: 'a/b', kmsKeyArn: 'k', untaggedExpiryDays: 1, keepReleases: 1, protect: false })).toThrow(/'keepReleases' must be at least 2/);
  });
});

describe('outputs for the platform stack', () => {
  const o = prod.cloud.outputs;
  const resolve = (v: unknown) => Tokenization.resolve(v, { scope: prod.cloud, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });

  test('queue URLs by channel and queue, buckets, configuration set and repositories reference the resources', () => {
    for (const c of ['stable', 'beta'] as const) {
      for (const q of QUEUE_KEYS) expect(resolve(o.serviceQueueUrls[c]?.[q])).toBe(ref('aws_sqs_queue', queueOf(prodCloud, c, q), 'url'));
    }
    expect(Object.keys(dev.cloud.outputs.serviceQueueUrls)).toEqual(['stable']);
    expect(resolve(o.filesBucketName)).toBe(ref('aws_s3_bucket', at(prodCloud, 'aws_s3_bucket', 'services/files/bucket'), 'bucket'));
    expect(resolve(o.modelStoreBucketName)).toBe(ref('aws_s3_bucket', at(prodCloud, 'aws_s3_bucket', 'services/model-store/bucket'), 'bucket'));
    expect(resolve(o.emailConfigurationSetName)).toBe(ref('aws_sesv2_configuration_set', at(prodCloud, 'aws_sesv2_configuration_set', 'services/email/configuration-set'), 'configuration_set_name'));
    expect(resolve(o.imageRepositoryUrls.app)).toBe(ref('aws_ecr_repository', at(prodCloud, 'aws_ecr_repository', 'services/registry-app/repository'), 'repository_url'));
    expect(resolve(o.imageRepositoryUrls.agents)).toBe(ref('aws_ecr_repository', at(prodCloud, 'aws_ecr_repository', 'services/registry-agents/repository'), 'repository_url'));
  });
});
