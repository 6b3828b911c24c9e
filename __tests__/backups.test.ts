/**
 * Backups (BAK-1..3, OPS-2): the backup bucket and its access-log bucket, object lock and the
 * offsite replica in production, the Terraform state bucket, Velero's role and release, and the
 * backup section's rules.
 */
import { Testing } from 'cdktf';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { buildStacks } from '../stacks/app';
import { namesFor } from '../features/naming';
import { PLATFORM_NAMESPACES } from '../stacks/platform-stack';
import { replicaBucketName } from '../features/backups/cloud';
import { backupWriterStatements } from '../constructs/backup/policies';
import { CHARTS } from '../constructs/helm/charts';
import { Json, environment, resourceAt, resources, stacksFor, synth, definitionProblems, shipped } from './helpers';

const BACKUP = 'backups/backups/bucket';
const ACCESS_LOGS = 'backups/access-logs/bucket';

function cloud(name: string): Json {
  return shipped(name).cloud;
}

function platform(name: string): Json {
  return shipped(name).platform;
}

/** The resource of `type` whose `bucket` argument refers to the bucket at `bucketPath`. */
function forBucket(json: Json, type: string, bucketPath: string): Json {
  const bucket = resourceAt(json, 'aws_s3_bucket', bucketPath);
  const ref = `\${aws_s3_bucket.${bucket.__name}.id}`;
  const found = resources(json, type).filter((r) => r.bucket === ref);
  if (found.length !== 1) throw new Error(`expected one ${type} for ${bucketPath}, found ${found.length}`);
  return found[0];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function statements(policy: string): any[] {
  return JSON.parse(policy).Statement;
}

function problemsOf(mutate: (d: any) => void, name = 'production'): string[] {
  return definitionProblems(name, mutate);
}

describe('backup bucket (BAK-1)', () => {
  test.each(['production', 'staging', 'development'])('%s: named by namesFor, versioned, public access blocked', (name) => {
    const json = cloud(name);
    const bucket = resourceAt(json, 'aws_s3_bucket', BACKUP);
    expect(bucket.bucket).toBe(namesFor(environment(name)).backupBucket);
    expect(bucket.force_destroy).toBe(false);
    expect(forBucket(json, 'aws_s3_bucket_versioning', BACKUP).versioning_configuration.status).toBe('Enabled');
    expect(forBucket(json, 'aws_s3_bucket_public_access_block', BACKUP)).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(forBucket(json, 'aws_s3_bucket_ownership_controls', BACKUP).rule.object_ownership).toBe('BucketOwnerEnforced');
  });

  test('is SSE-KMS with the multi-region backups key (issue 13) and an S3 bucket key', () => {
    const json = cloud('production');
    const key = resourceAt(json, 'aws_kms_key', '/key-backups-mr/key');
    expect(key.multi_region).toBe(true);
    const rule = forBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', BACKUP).rule[0];
    expect(rule.apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'aws:kms',
      kms_master_key_id: `\${aws_kms_key.${key.__name}.arn}`,
    });
    expect(rule.bucket_key_enabled).toBe(true);
  });

  test('policy denies every request not sent over TLS', () => {
    const json = cloud('production');
    const name = namesFor(environment('production')).backupBucket;
    const deny = statements(forBucket(json, 'aws_s3_bucket_policy', BACKUP).policy).find((s) => s.Effect === 'Deny');
    expect(deny).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test('lifecycle: STANDARD_IA after 30 days, expiry and noncurrent expiry from the definition', () => {
    const env = environment('production');
    const rules = forBucket(cloud('production'), 'aws_s3_bucket_lifecycle_configuration', BACKUP).rule;
    const retention = rules.find((r: Json) => r.id === 'retention');
    expect(retention.status).toBe('Enabled');
    expect(retention.transition).toEqual([{ days: 30, storage_class: 'STANDARD_IA' }]);
    expect(retention.expiration).toEqual([{ days: env.backup.expiryDays }]);
    expect(retention.noncurrent_version_expiration).toEqual([{ noncurrent_days: env.backup.noncurrentVersionExpiryDays }]);
    expect(rules.find((r: Json) => r.id === 'remove-expired-delete-markers').expiration).toEqual([{ expired_object_delete_marker: true }]);
  });

  test('writes access logs to the access-log bucket, which is SSE-S3, versioned, TLS-only and expires logs', () => {
    const json = cloud('production');
    const env = environment('production');
    const logs = resourceAt(json, 'aws_s3_bucket', ACCESS_LOGS);
    expect(logs.bucket).toBe(namesFor(env).accessLogBucket);
    expect(forBucket(json, 'aws_s3_bucket_logging', BACKUP).target_bucket).toBe(`\${aws_s3_bucket.${logs.__name}.id}`);
    expect(forBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', ACCESS_LOGS).rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
    expect(forBucket(json, 'aws_s3_bucket_versioning', ACCESS_LOGS).versioning_configuration.status).toBe('Enabled');
    expect(forBucket(json, 'aws_s3_bucket_public_access_block', ACCESS_LOGS).block_public_policy).toBe(true);
    const policy = statements(forBucket(json, 'aws_s3_bucket_policy', ACCESS_LOGS).policy);
    expect(policy.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    const delivery = policy.find((s) => s.Sid === 'S3ServerAccessLogDelivery');
    expect(delivery.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
    expect(delivery.Condition.StringEquals['aws:SourceAccount']).toBe('444455556666');
    expect(delivery.Condition.ArnLike['aws:SourceArn']).toContain(`arn:aws:s3:::${namesFor(env).backupBucket}`);
    const retention = forBucket(json, 'aws_s3_bucket_lifecycle_configuration', ACCESS_LOGS).rule.find((r: Json) => r.id === 'retention');
    expect(retention.expiration).toEqual([{ days: env.backup.accessLogExpiryDays }]);
  });

  test.each([
    ['production', true],
    ['staging', true],
    ['development', false],
  ])('%s: buckets carry prevent_destroy = %s', (name, protectedState) => {
    const json = cloud(name);
    for (const path of [BACKUP, ACCESS_LOGS]) {
      expect(resourceAt(json, 'aws_s3_bucket', path).lifecycle?.prevent_destroy === true).toBe(protectedState);
    }
  });
});

describe('object lock (BAK-1)', () => {
  test('production: object lock enabled at creation, COMPLIANCE retention from the definition', () => {
    const json = cloud('production');
    expect(resourceAt(json, 'aws_s3_bucket', BACKUP).object_lock_enabled).toBe(true);
    expect(forBucket(json, 'aws_s3_bucket_object_lock_configuration', BACKUP).rule.default_retention).toEqual({ mode: 'COMPLIANCE', days: 35 });
  });

  test.each(['staging', 'testing', 'development'])('%s: no object lock', (name) => {
    const json = cloud(name);
    expect(resourceAt(json, 'aws_s3_bucket', BACKUP).object_lock_enabled).toBeUndefined();
    expect(resources(json, 'aws_s3_bucket_object_lock_configuration')).toEqual([]);
  });
});

describe('offsite replica (BAK-1)', () => {
  const REPLICA = 'backups/replica/bucket/bucket';

  test('production: replica bucket and its own KMS key live in ca-west-1 through the aliased provider', () => {
    const json = cloud('production');
    expect(json.provider.aws).toContainEqual(expect.objectContaining({ alias: 'replica', region: 'ca-west-1', allowed_account_ids: ['444455556666'] }));
    const bucket = resourceAt(json, 'aws_s3_bucket', REPLICA);
    expect(bucket.bucket).toBe(replicaBucketName(environment('production')));
    expect(bucket.provider).toBe('aws.replica');
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
    const key = resourceAt(json, 'aws_kms_key', 'backups/replica/key/key');
    expect(key.provider).toBe('aws.replica');
    expect(key.enable_key_rotation).toBe(true);
    expect(key.lifecycle.prevent_destroy).toBe(true);
    // Issue 13: new replicas are encrypted with the multi-region key's replica in ca-west-1; the
    // replica's own key stays (objects replicated before keep it).
    const mrReplica = resourceAt(json, 'aws_kms_replica_key', '/key-backups-mr/replica-ca-west-1');
    const sse = forBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', REPLICA);
    expect(sse.provider).toBe('aws.replica');
    expect(sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(`\${aws_kms_replica_key.${mrReplica.__name}.arn}`);
    expect(forBucket(json, 'aws_s3_bucket_versioning', REPLICA).versioning_configuration.status).toBe('Enabled');
    // S3 requires object lock on the destination of an object-locked source.
    expect(bucket.object_lock_enabled).toBe(true);
    // The replica logs to an access-log bucket in its own region.
    const logs = resourceAt(json, 'aws_s3_bucket', 'backups/replica/access-logs/bucket');
    expect(logs.provider).toBe('aws.replica');
    expect(forBucket(json, 'aws_s3_bucket_logging', REPLICA).target_bucket).toBe(`\${aws_s3_bucket.${logs.__name}.id}`);
  });

  test('production: replication of KMS objects re-encrypts with the multi-region replica key and never replicates delete markers', () => {
    const json = cloud('production');
    const replication = resourceAt(json, 'aws_s3_bucket_replication_configuration', 'backups/replica/replication');
    const source = resourceAt(json, 'aws_s3_bucket', BACKUP);
    const replica = resourceAt(json, 'aws_s3_bucket', REPLICA);
    const key = resourceAt(json, 'aws_kms_replica_key', '/key-backups-mr/replica-ca-west-1');
    expect(replication.bucket).toBe(`\${aws_s3_bucket.${source.__name}.id}`);
    const rule = replication.rule[0];
    expect(rule.status).toBe('Enabled');
    expect(rule.delete_marker_replication).toEqual({ status: 'Disabled' });
    expect(rule.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: 'Enabled' } });
    expect(rule.destination.bucket).toBe(`\${aws_s3_bucket.${replica.__name}.arn}`);
    expect(rule.destination.encryption_configuration).toEqual({ replica_kms_key_id: `\${aws_kms_replica_key.${key.__name}.arn}` });
    expect(replication.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket_versioning\./)]));
  });

  test('production: replication runs under Replication Time Control, and its lag and failures alarm to the alert topic', () => {
    const json = cloud('production');
    const [replication] = resources(json, 'aws_s3_bucket_replication_configuration');
    const rule = replication.rule[0];
    expect(rule.destination.replication_time).toEqual({ status: 'Enabled', time: { minutes: 15 } });
    expect(rule.destination.metrics).toEqual({ status: 'Enabled', event_threshold: { minutes: 15 } });
    const topic = resourceAt(json, 'aws_sns_topic', 'alerts/topic');
    const source = resourceAt(json, 'aws_s3_bucket', BACKUP);
    const replica = resourceAt(json, 'aws_s3_bucket', REPLICA);
    const dimensions = { SourceBucket: source.bucket, DestinationBucket: replica.bucket, RuleId: rule.id };
    const lag = resourceAt(json, 'aws_cloudwatch_metric_alarm', 'backups/replica/latency-alarm');
    expect(lag).toMatchObject({
      namespace: 'AWS/S3',
      metric_name: 'ReplicationLatency',
      dimensions,
      comparison_operator: 'GreaterThanThreshold',
      threshold: 900,
      alarm_actions: [`\${aws_sns_topic.${topic.__name}.arn}`],
      ok_actions: [`\${aws_sns_topic.${topic.__name}.arn}`],
    });
    expect(lag.provider).toBeUndefined(); // S3 replication metrics are published in the source region.
    const failed = resourceAt(json, 'aws_cloudwatch_metric_alarm', 'backups/replica/failed-alarm');
    expect(failed).toMatchObject({ metric_name: 'OperationsFailedReplication', dimensions, statistic: 'Sum', threshold: 0, comparison_operator: 'GreaterThanThreshold' });
  });

  test('production: the replication role is least privilege', () => {
    const json = cloud('production');
    const role = resourceAt(json, 'aws_iam_role', 'backups/replica/role');
    expect(statements(role.assume_role_policy)[0].Principal).toEqual({ Service: 's3.amazonaws.com' });
    const policy = statements(resourceAt(json, 'aws_iam_role_policy', 'backups/replica/policy').policy);
    const env = environment('production');
    const src = `arn:aws:s3:::${namesFor(env).backupBucket}`;
    const dst = `arn:aws:s3:::${replicaBucketName(env)}`;
    const actions = policy.flatMap((s) => [s.Action].flat());
    expect(actions.some((a: string) => a.endsWith(':*') || a === '*')).toBe(false);
    expect(actions).not.toContain('s3:ReplicateDelete');
    expect(policy.find((s) => s.Sid === 'ReadSourceObjectVersions').Resource).toBe(`${src}/*`);
    expect(policy.find((s) => s.Sid === 'WriteReplicas').Resource).toBe(`${dst}/*`);
    const decrypt = policy.find((s) => s.Sid === 'DecryptSourceThroughS3');
    expect(decrypt.Action).toBe('kms:Decrypt');
    expect(decrypt.Condition.StringEquals['kms:ViaService']).toBe('s3.ca-central-1.amazonaws.com');
    // Source objects carry the multi-region key (new) or the single-region key (written before the switch).
    const keyRef = (path: string) => `\${aws_kms_key.${resourceAt(json, 'aws_kms_key', path).__name}.arn}`;
    expect(decrypt.Resource).toEqual([keyRef('/key-backups-mr/key'), keyRef('key-backups/key')]);
    const encrypt = policy.find((s) => s.Sid === 'EncryptReplicasThroughS3');
    expect(encrypt.Resource).toBe(`\${aws_kms_replica_key.${resourceAt(json, 'aws_kms_replica_key', '/key-backups-mr/replica-ca-west-1').__name}.arn}`);
    expect(encrypt.Condition.StringEquals['kms:ViaService']).toBe('s3.ca-west-1.amazonaws.com');
  });

  test.each(['staging', 'testing', 'development'])('%s: no replica, no replication, no aliased provider', (name) => {
    const json = cloud(name);
    expect(resources(json, 'aws_s3_bucket_replication_configuration')).toEqual([]);
    expect(resources(json, 'aws_s3_bucket').map((b) => b.bucket)).not.toContainEqual(expect.stringMatching(/ca-west-1$/));
    expect(json.provider.aws.filter((p: Json) => p.alias)).toEqual([]);
  });
});

describe('Terraform state bucket (OPS-2)', () => {
  test.each(['production', 'staging'])('%s: the S3 backend bucket is versioned, SSE-KMS, TLS-only, protected, at stable addresses', (name) => {
    const json = cloud(name);
    const env = environment(name);
    if (env.stateBackend.type !== 's3') throw new Error('expected an s3 backend');
    const bucket = json.resource.aws_s3_bucket.terraform_state_bucket;
    expect(bucket.bucket).toBe(env.stateBackend.bucket);
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
    const key = json.resource.aws_kms_key.terraform_state_key;
    expect(key.lifecycle.prevent_destroy).toBe(true);
    expect(json.resource.aws_s3_bucket_versioning.terraform_state_versioning.versioning_configuration.status).toBe('Enabled');
    expect(json.resource.aws_s3_bucket_server_side_encryption_configuration.terraform_state_encryption.rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'aws:kms',
      kms_master_key_id: '${aws_kms_key.terraform_state_key.arn}',
    });
    expect(json.resource.aws_s3_bucket_public_access_block.terraform_state_public_access_block.restrict_public_buckets).toBe(true);
    const deny = statements(json.resource.aws_s3_bucket_policy.terraform_state_policy.policy)[0];
    expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    // Old state versions are kept for a while; the current state never expires.
    const rule = json.resource.aws_s3_bucket_lifecycle_configuration.terraform_state_lifecycle.rule[0];
    expect(rule.expiration).toBeUndefined();
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
    expect(json.terraform.backend.s3.bucket).toBe(env.stateBackend.bucket);
  });

  test.each(['development', 'testing'])('%s: local backend, no state bucket', (name) => {
    const json = cloud(name);
    expect(json.resource.aws_s3_bucket.terraform_state_bucket).toBeUndefined();
    expect(json.terraform.backend.local).toBeDefined();
  });

  test('a state bucket in another region gets its own aliased provider', () => {
    const json = synth(
      stacksFor('staging', (d) => {
        d.stateBackend.region = 'us-east-2';
      }).cloud,
    );
    expect(json.provider.aws).toContainEqual(expect.objectContaining({ alias: 'state', region: 'us-east-2' }));
    expect(json.resource.aws_s3_bucket.terraform_state_bucket.provider).toBe('aws.state');
    // Access logs go to a log bucket in the state bucket's own region.
    const logs = resourceAt(json, 'aws_s3_bucket', 'terraform-state-access-logs/bucket');
    expect(logs).toMatchObject({ provider: 'aws.state', bucket: 'toronto-ai-staging-access-logs-333344445555-us-east-2' });
    expect(json.resource.aws_s3_bucket_logging.terraform_state_logging.target_bucket).toBe(`\${aws_s3_bucket.${logs.__name}.id}`);
  });

  test('the app keeps exactly two stacks per environment', () => {
    const app = Testing.app();
    buildStacks(app, validateEnvironments(DEFINITIONS));
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual(
      DEFINITIONS.flatMap((d) => [d.name, `${d.name}-platform`]).sort(),
    );
  });
});

describe('workload roles limited to their prefix (BAK-2)', () => {
  test('Velero: Pod Identity for velero/velero, objects only under velero/, listing only that prefix', () => {
    const json = cloud('production');
    const env = environment('production');
    const bucketArn = `arn:aws:s3:::${namesFor(env).backupBucket}`;
    const association = resourceAt(json, 'aws_eks_pod_identity_association', 'velero-role/association');
    expect(association).toMatchObject({ namespace: 'velero', service_account: 'velero' });
    const policy = statements(resourceAt(json, 'aws_iam_role_policy', 'velero-role/policy').policy);
    const s3 = policy.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    const objectStatement = s3.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(objectStatement.Resource).toBe(`${bucketArn}/velero/*`);
    const list = s3.find((s) => s.Action === 's3:ListBucket');
    expect(list.Resource).toBe(bucketArn);
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['velero', 'velero/*'] } });
    for (const s of s3) {
      expect([s.Resource].flat().every((r: string) => r === bucketArn || r.startsWith(`${bucketArn}/velero/`))).toBe(true);
    }
    const actions = policy.flatMap((s) => [s.Action].flat());
    for (const forbidden of ['s3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention', 's3:PutLifecycleConfiguration', 's3:*', '*']) {
      expect(actions).not.toContain(forbidden);
    }
    const deleteSnapshot = policy.find((s) => s.Action === 'ec2:DeleteSnapshot');
    expect(deleteSnapshot.Condition).toEqual({ Null: { 'aws:ResourceTag/velero.io/backup': 'false' } });
    // Issue 15: tags only at creation, so no existing snapshot can be made deletable by tagging it.
    const tagging = policy.filter((s) => [s.Action].flat().includes('ec2:CreateTags'));
    expect(tagging).toHaveLength(1);
    expect(tagging[0].Condition).toEqual({ StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateVolume'] } });
  });

  test('backupWriterStatements scopes objects, listing and the key to one prefix', () => {
    const out = backupWriterStatements('arn:aws:s3:::b', 'postgres/', 'arn:aws:kms:ca-central-1:1:key/k', 'ca-central-1');
    expect(out).toEqual([
      { Sid: 'ListPostgresPrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': ['postgres', 'postgres/*'] } } },
      {
        Sid: 'ReadWritePostgresObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: 'arn:aws:s3:::b/postgres/*',
      },
      {
        Sid: 'UsePostgresBackupKeyThroughS3',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: 'arn:aws:kms:ca-central-1:1:key/k',
        Condition: { StringEquals: { 'kms:ViaService': 's3.ca-central-1.amazonaws.com' } },
      },
    ]);
  });

  test.each(['', 'postgres', '/postgres/', 'post*/', '*', 'Postgres/', 'a//'])('backupWriterStatements refuses the prefix %p', (prefix) => {
    expect(() => backupWriterStatements('arn:aws:s3:::b', prefix, 'k')).toThrow(/backup prefix must look like "postgres\/".*Got: /);
  });
});

describe('Velero (BAK-2)', () => {
  function veleroRelease(name: string): Json {
    const json = platform(name);
    const release = resources(json, 'helm_release').find((r) => r.name === 'velero');
    if (!release) throw new Error('no velero release');
    return release;
  }

  test('pinned chart in the velero namespace, which enforces the restricted Pod Security level', () => {
    const release = veleroRelease('production');
    expect(release).toMatchObject({ chart: 'velero', version: CHARTS.velero.version, repository: CHARTS.velero.repository });
    expect(release.namespace).toMatch(/kubernetes_namespace_v1\..*\.metadata\[0\]\.name|^velero$/);
    expect(PLATFORM_NAMESPACES).toContainEqual({ name: 'velero', podSecurity: 'restricted' });
  });

  test('backs up to the bucket under velero/, SSE-KMS, EBS snapshots, credentials from Pod Identity', () => {
    const env = environment('production');
    const values = JSON.parse(veleroRelease('production').values[0]);
    const [bsl] = values.configuration.backupStorageLocation;
    expect(bsl).toMatchObject({ name: 'default', provider: 'aws', bucket: namesFor(env).backupBucket, prefix: 'velero', default: true });
    expect(bsl.config.region).toBe('ca-central-1');
    expect(bsl.config.kmsKeyId).toMatch(/\$\{/); // the backups key, by reference to the cloud stack
    expect(values.configuration.volumeSnapshotLocation).toEqual([{ name: 'default', provider: 'aws', config: { region: 'ca-central-1' } }]);
    expect(values.credentials).toEqual({ useSecret: false });
    expect(values.serviceAccount.server).toEqual({ create: true, name: 'velero' });
    expect(values.deployNodeAgent).toBe(false);
  });

  test.each(['production', 'staging', 'development'])('%s: schedule and TTL come from the definition', (name) => {
    const env = environment(name);
    const values = JSON.parse(veleroRelease(name).values[0]);
    expect(values.schedules.cluster.schedule).toBe(env.backup.velero.schedule);
    expect(values.schedules.cluster.template).toMatchObject({ ttl: `${env.backup.velero.ttlHours}h0m0s`, snapshotVolumes: true, storageLocation: 'default' });
  });

  test('pinned images, resources and a non-root, read-only security context on every container', () => {
    const values = JSON.parse(veleroRelease('production').values[0]);
    const [plugin] = values.initContainers;
    expect(plugin.image).toMatch(/^docker\.io\/velero\/velero-plugin-for-aws:v\d+\.\d+\.\d+$/);
    expect(values.image.tag).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(values.kubectl).toBeUndefined(); // velero 12.1.0 reads no kubectl.* value (helm-inert.test.ts)
    for (const ctx of [plugin.securityContext, values.containerSecurityContext]) {
      expect(ctx).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.podSecurityContext.runAsUser).toBeGreaterThan(0);
    for (const r of [values.resources, plugin.resources, values.upgradeJobResources]) {
      expect(r.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      expect(r.limits).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    }
  });

  test('runs on the system pool, or the app pool where there is none', () => {
    expect(JSON.parse(veleroRelease('production').values[0]).nodeSelector).toEqual({ 'toronto-ai.io/pool': 'system' });
    expect(JSON.parse(veleroRelease('development').values[0]).nodeSelector).toEqual({ 'toronto-ai.io/pool': 'app' });
  });

  test('the cloud stack exports the bucket the platform stack uses', () => {
    const { cloud: c } = stacksFor('production');
    expect(c.outputs.backupBucketName).toBe(namesFor(environment('production')).backupBucket);
    expect(c.outputs.backupBucketArn).toBe(`arn:aws:s3:::${c.outputs.backupBucketName}`);
  });
});

describe('backup section of the definitions (BAK-3)', () => {
  test.each(['production', 'staging'])('%s records the seed 004 recovery objectives', (name) => {
    expect(environment(name).backup).toMatchObject({
      databaseRtoMinutes: 15,
      databaseRpoMinutes: 5,
      applicationRtoMinutes: 30,
      fullSystemRtoHours: 2,
      infrequentAccessAfterDays: 30,
    });
  });

  test.each<[string, string, (d: any) => void, string]>([
    ['production', 'expiry shorter than the RPO window', (d) => { d.backup.databaseRpoMinutes = 10080; d.tier = 'testing'; d.backup.expiryDays = 5; d.backup.objectLock.retentionDays = 1; d.backup.velero.ttlHours = 24; }, 'backup.expiryDays: 5 days is shorter than the RPO window of 10080 minutes (databaseRpoMinutes)'],
    ['production', 'expiry before the IA transition', (d) => { d.backup.expiryDays = 30; d.backup.objectLock.retentionDays = 7; d.backup.velero.ttlHours = 24; }, 'production.backup.expiryDays: 30 days is not longer than the 30-day transition to STANDARD_IA'],
    ['production', 'IA transition earlier than S3 allows', (d) => { d.backup.infrequentAccessAfterDays = 7; }, 'production.backup.infrequentAccessAfterDays: must be >= 30'],
    ['production', 'production without object lock', (d) => { d.backup.objectLock.enabled = false; }, 'production.backup.objectLock.enabled: production backups need S3 Object Lock (BAK-1): set true'],
    ['production', 'production without a replica', (d) => { delete d.backup.replicaRegion; }, 'production.backup.replicaRegion: production backups need an offsite replica in a second region (BAK-1)'],
    ['production', 'replica in the same region', (d) => { d.backup.replicaRegion = 'ca-central-1'; }, "production.backup.replicaRegion: ca-central-1 is the environment's own region (aws.region)"],
    ['production', 'unknown replica region', (d) => { d.backup.replicaRegion = 'eu-mars-1'; }, 'production.backup.replicaRegion: must be one of ca-central-1'],
    ['production', 'object lock outliving the retention', (d) => { d.backup.objectLock.retentionDays = 400; }, 'production.backup.objectLock.retentionDays: 400 days must be shorter than expiryDays (400)'],
    ['production', 'unknown lock mode', (d) => { d.backup.objectLock.mode = 'FOREVER'; }, "production.backup.objectLock.mode: Invalid enum value. Expected 'COMPLIANCE' | 'GOVERNANCE'"],
    ['production', 'Velero TTL longer than the bucket keeps objects', (d) => { d.backup.velero.ttlHours = 24 * 500; }, 'production.backup.velero.ttlHours: 12000 hours (500.0 days) outlives expiryDays (400)'],
    ['production', 'a cron that is not one', (d) => { d.backup.velero.schedule = 'every 6 hours'; }, 'production.backup.velero.schedule: must be a five-field cron schedule (UTC) such as "0 */6 * * *": has 3 field(s); 5 are needed (minute, hour, day of month, month, day of week)'],
    ['production', 'RPO above the documented objective', (d) => { d.backup.databaseRpoMinutes = 60; }, 'production.backup.databaseRpoMinutes: 60 is above the documented objective of 5 (seed 004, BAK-3); production must meet it'],
    ['staging', 'RTO above the documented objective', (d) => { d.backup.databaseRtoMinutes = 60; }, 'staging.backup.databaseRtoMinutes: 60 is above the documented objective of 15 (seed 004, BAK-3); staging must meet it'],
    ['development', 'part RTO above the full-system RTO', (d) => { d.backup.applicationRtoMinutes = 24 * 60 + 1; }, 'development.backup.applicationRtoMinutes: 1441 minutes exceeds the full-system RTO of 24 h (fullSystemRtoHours)'],
    ['staging', 'a misspelled field', (d) => { d.backup.expiresDays = 10; }, 'staging.backup: unknown field(s) expiresDays'],
    ['testing', 'the section left out', (d) => { delete d.backup; }, 'testing.backup: is required (object)'],
  ])('%s: rejects %s', (name, _what, mutate, message) => {
    const problems = problemsOf(mutate, name);
    expect(problems.join('\n')).toContain(message);
  });
});
