/**
 * Issue 13, keys: the Vault unseal and backups keys deny disabling and deletion to all but the
 * break-glass role, every attempt alarms, and multi-region keys with replicas are introduced
 * beside the existing single-region keys (never replacing them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { autoScalingVolumeStatements, cloudWatchLogsStatements } from '../constructs/kms/foundation-keys';
import { Json, definitionProblems, environment, resourceAt, resources, stacksFor, synth, shipped } from './helpers';

const prodCloud = shipped('production').cloud;
const devCloud = shipped('development').cloud;
const BREAK_GLASS = 'arn:aws:iam::444455556666:role/toronto-ai-production-kms-break-glass';

const policyOf = (json: Json, path: string) => JSON.parse(resourceAt(json, 'aws_kms_key', path).policy).Statement as Json[];
const GUARDED = ['/key-backups-mr/key', 'data/key-vault-unseal/key', 'data/key-vault-unseal-mr/key', 'key-backups/key', 'api-keys/key/key'];
/** The guarded keys in the replica region: the multi-region replicas and the replica bucket's own key. */
const replicaKeyRefs = () => [
  `\${aws_kms_replica_key.${resourceAt(prodCloud, 'aws_kms_replica_key', '/key-backups-mr/replica-ca-west-1').__name}.arn}`,
  `\${aws_kms_replica_key.${resourceAt(prodCloud, 'aws_kms_replica_key', 'data/key-vault-unseal-mr/replica-ca-west-1').__name}.arn}`,
  `\${aws_kms_key.${resourceAt(prodCloud, 'aws_kms_key', 'backups/replica/key/key').__name}.arn}`,
  `\${aws_kms_replica_key.${resourceAt(prodCloud, 'aws_kms_replica_key', 'api-keys/key/replica-ca-west-1').__name}.arn}`,
];

describe('guarded keys (production)', () => {
  test.each(GUARDED)('%s: only the break-glass role may disable it or schedule its deletion', (path) => {
    const deny = policyOf(prodCloud, path).find((s) => s.Effect === 'Deny');
    expect(deny).toEqual({
      Sid: 'OnlyBreakGlassDisablesOrDeletesKey',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:DisableKey', 'kms:ScheduleKeyDeletion'],
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } },
    });
    expect(resourceAt(prodCloud, 'aws_kms_key', path).lifecycle).toEqual({ prevent_destroy: true });
  });

  test('other keys carry no guard (the cache key, for one)', () => {
    expect(policyOf(prodCloud, 'data/key-cache/key').some((s) => s.Effect === 'Deny')).toBe(false);
  });

  test('the break-glass role: named principals, or the account only with MFA; it may only disable/enable and delete/cancel the guarded keys', () => {
    const role = resourceAt(prodCloud, 'aws_iam_role', 'key-protection/break-glass-role');
    expect(`arn:aws:iam::444455556666:role/${role.name}`).toBe(BREAK_GLASS);
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Sid: 'NamedPrincipals', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::444455556666:role/platform-break-glass'] }, Action: 'sts:AssumeRole' },
      {
        Sid: 'AccountPrincipalsWithMfa',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ]);
    const [statement] = JSON.parse(resourceAt(prodCloud, 'aws_iam_role_policy', 'key-protection/break-glass-policy').policy).Statement;
    expect(statement.Action).toEqual(['kms:DisableKey', 'kms:EnableKey', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:DescribeKey', 'kms:GetKeyPolicy']);
    // The five keys of this region (the API keys' one too), the trail's key and the four replicas in ca-west-1 (replicaKeyRefs).
    expect(statement.Resource).toHaveLength(10);
    for (const r of statement.Resource) expect(r).toMatch(/^\$\{aws_kms_(replica_)?key\.[^.]+\.arn\}$/);
  });

  test('every state or policy change of the guarded keys (attempts included) goes to the alert topic', () => {
    const rule = resourceAt(prodCloud, 'aws_cloudwatch_event_rule', 'key-protection/rule');
    expect(rule.name).toBe('toronto-ai-production-alerts-kms-key-changes');
    const pattern = JSON.parse(rule.event_pattern);
    expect(pattern.source).toEqual(['aws.kms']);
    expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(pattern.detail.eventName).toEqual(expect.arrayContaining(['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation']));
    const keyIds = GUARDED.map((p) => Object.entries(prodCloud.resource.aws_kms_key as Json).find(([, r]) => String((r as Json)['//'].metadata.path).endsWith(p))![0]);
    // The replicas' events are forwarded from ca-west-1 (below) and caught by this rule too.
    const trailKey = `\${aws_kms_key.${resourceAt(prodCloud, 'aws_kms_key', 'key-protection/trail/key/key').__name}.arn}`;
    expect(pattern.detail.resources.ARN.sort()).toEqual([...keyIds.map((id) => `\${aws_kms_key.${id}.arn}`), trailKey, ...replicaKeyRefs()].sort());
    const target = resourceAt(prodCloud, 'aws_cloudwatch_event_target', 'key-protection/target');
    expect(target.arn).toMatch(/^\$\{aws_sns_topic\.alerts_topic_[A-F0-9]+\.arn\}$/);
    // The topic's policy accepts this rule.
    const topicPolicy = JSON.stringify(resourceAt(prodCloud, 'aws_sns_topic_policy', 'alerts/policy').policy);
    expect(topicPolicy).toContain('rule/toronto-ai-production-alerts-*');
  });

  test('development is not guarded (it can be destroyed) but still alarms', () => {
    expect(resources(devCloud, 'aws_kms_key').every((k) => !JSON.parse(k.policy).Statement.some((s: Json) => s.Effect === 'Deny'))).toBe(true);
    expect(resources(devCloud, 'aws_iam_role').some((r) => String(r.name).endsWith('kms-break-glass'))).toBe(false);
    expect(resourceAt(devCloud, 'aws_cloudwatch_event_rule', 'key-protection/rule').name).toBe('toronto-ai-development-alerts-kms-key-changes');
  });

  test('a break-glass principal must be an IAM user or role ARN', () => {
    expect(definitionProblems('production', (d) => (d.backup.breakGlassPrincipalArns = ['platform-admins']))).toEqual([
      'production.backup.breakGlassPrincipalArns.0: must be an IAM user or role ARN such as arn:aws:iam::444455556666:role/break-glass',
    ]);
  });
});

describe('multi-region keys beside the single-region ones', () => {
  test('the existing keys are unchanged (no multi_region: no replacement)', () => {
    expect(resourceAt(prodCloud, 'aws_kms_key', 'key-backups/key').multi_region).toBeUndefined();
    expect(resourceAt(prodCloud, 'aws_kms_key', 'data/key-vault-unseal/key').multi_region).toBeUndefined();
    expect(resourceAt(prodCloud, 'aws_kms_alias', 'data/key-vault-unseal/alias').name).toBe('alias/toronto-ai-production-vault-unseal');
  });

  test.each([
    ['/key-backups-mr', 'alias/toronto-ai-production-backups-mr'],
    ['data/key-vault-unseal-mr', 'alias/toronto-ai-production-vault-unseal-mr'],
  ])('%s: multi-region primary with a replica in ca-west-1, same policy, same alias there, protected', (path, alias) => {
    const primary = resourceAt(prodCloud, 'aws_kms_key', `${path}/key`);
    expect(primary).toMatchObject({ multi_region: true, enable_key_rotation: true });
    const replica = resourceAt(prodCloud, 'aws_kms_replica_key', `${path}/replica-ca-west-1`);
    expect(replica.primary_key_arn).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
    expect(replica.policy).toBe(primary.policy);
    expect(replica.provider).toBe('aws.replica');
    expect(replica.lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceAt(prodCloud, 'aws_kms_alias', `${path}/alias`).name).toBe(alias);
    const replicaAlias = resourceAt(prodCloud, 'aws_kms_alias', `${path}/replica-ca-west-1-alias`);
    expect(replicaAlias).toMatchObject({ name: alias, provider: 'aws.replica' });
  });

  test('without a replica region there is no replica key', () => {
    expect(resources(devCloud, 'aws_kms_replica_key')).toEqual([]);
    expect(resourceAt(devCloud, 'aws_kms_key', 'data/key-vault-unseal-mr/key').multi_region).toBe(true);
  });

  test('Vault\'s server role may use both unseal keys (the seal migration reads with one, writes with the other)', () => {
    const [statement] = JSON.parse(resourceAt(prodCloud, 'aws_iam_role_policy', 'data/role-vault/policy').policy).Statement;
    expect(statement.Resource).toHaveLength(2);
    expect(statement.Action).toEqual(['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey']);
  });
});

describe('Vault seal migration to the multi-region key, as configuration', () => {
  /** Vault's raft configuration in production as shipped, or with `data.vault.seal` set to `seal`. */
  const sealOf = (seal?: string) => {
    const platform = seal ? synth(stacksFor('production', (d) => (d.data.vault.seal = seal)).platform) : shipped('production').platform;
    return JSON.parse(resourceAt(platform, 'helm_release', 'vault/release/release').values[0]).server.ha.raft.config as string;
  };
  const stanzas = (config: string) => config.split('\n').join('\n').match(/seal "awskms" \{[^}]*\}/g);

  test('the default for a new environment is the multi-region key; the deployed definitions name the original key until they migrate', () => {
    const fresh = synth(stacksFor('production', (d) => delete d.data.vault.seal).platform);
    const config = JSON.parse(resourceAt(fresh, 'helm_release', 'vault/release/release').values[0]).server.ha.raft.config as string;
    expect(stanzas(config)).toEqual(['seal "awskms" {\n  region     = "ca-central-1"\n  kms_key_id = "alias/toronto-ai-production-vault-unseal-mr"\n}']);
    for (const name of ['development', 'testing', 'staging', 'production']) expect(environment(name).data.vault.seal).toBe('single-region');
  });

  test('single-region (the deployed definitions): the original key only', () => {
    expect(stanzas(sealOf())).toEqual(['seal "awskms" {\n  region     = "ca-central-1"\n  kms_key_id = "alias/toronto-ai-production-vault-unseal"\n}']);
  });

  test('migrating: the old seal disabled, the multi-region key active', () => {
    expect(stanzas(sealOf('migrating'))).toEqual([
      'seal "awskms" {\n  disabled   = "true"\n  region     = "ca-central-1"\n  kms_key_id = "alias/toronto-ai-production-vault-unseal"\n}',
      'seal "awskms" {\n  region     = "ca-central-1"\n  kms_key_id = "alias/toronto-ai-production-vault-unseal-mr"\n}',
    ]);
  });

  test('multi-region: the multi-region key only', () => {
    expect(stanzas(sealOf('multi-region'))).toEqual(['seal "awskms" {\n  region     = "ca-central-1"\n  kms_key_id = "alias/toronto-ai-production-vault-unseal-mr"\n}']);
  });
});

describe('the backup bucket on the multi-region key (issue 13)', () => {
  const keyRef = (path: string) => `\${aws_kms_key.${resourceAt(prodCloud, 'aws_kms_key', path).__name}.arn}`;
  const MR = () => keyRef('/key-backups-mr/key');
  const OLD = () => keyRef('key-backups/key');
  const statementsOf = (path: string) => JSON.parse(resourceAt(prodCloud, 'aws_iam_role_policy', path).policy).Statement as Json[];

  test('the bucket\'s default encryption is the multi-region key', () => {
    const sse = resources(prodCloud, 'aws_s3_bucket_server_side_encryption_configuration').find((r) => String(r['//'].metadata.path).endsWith('backups/backups/encryption'));
    expect(sse?.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(MR());
  });

  test.each([
    ['postgres', 'data/role-postgres/policy', 'Postgres'],
    ['mongodb', 'data/role-mongodbBackup/policy', 'Mongodb'],
    ['chroma', 'data/role-chromaBackup/policy', 'Chroma'],
    ['vault', 'data/role-vaultSnapshot/policy', 'Vault'],
    ['velero', 'velero-role/policy', 'Velero'],
  ])('writer %s: writes with the multi-region key only, decrypts objects written before with the single-region key', (_w, path, sid) => {
    const st = statementsOf(path);
    const use = st.find((s) => s.Sid === `Use${sid}BackupKeyThroughS3`)!;
    expect(use).toMatchObject({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: MR() });
    expect(use.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.ca-central-1.amazonaws.com' } });
    const older = st.find((s) => s.Sid === `Decrypt${sid}OlderObjectsThroughS3`)!;
    expect(older).toMatchObject({ Action: 'kms:Decrypt', Resource: [OLD()], Condition: use.Condition });
    // No statement lets the writer encrypt with the old key.
    const oldKeyActions = st.filter((s) => [s.Resource].flat().includes(OLD())).flatMap((s) => [s.Action].flat());
    expect(oldKeyActions).toEqual(['kms:Decrypt']);
  });

  test('the Vault restore job reads snapshots written with either key', () => {
    const st = statementsOf('data/role-vault-restore/policy');
    expect(st.find((s) => s.Sid === 'DecryptVaultWithBackupKeyThroughS3')).toMatchObject({ Action: ['kms:Decrypt'], Resource: [MR(), OLD()] });
  });

  test('Velero writes with an explicit key: the platform reads the multi-region key\'s ARN from the cloud stack', () => {
    const mr = resourceAt(prodCloud, 'aws_kms_key', '/key-backups-mr/key').__name;
    const old = resourceAt(prodCloud, 'aws_kms_key', 'key-backups/key').__name;
    const prodPlatform = shipped('production').platform;
    const velero = resources(prodPlatform, 'helm_release').find((r) => r.name === 'velero')!;
    const [bsl] = JSON.parse(velero.values[0]).configuration.backupStorageLocation;
    // The multi-region key's ARN: a remote-state read of the cloud stack's output that holds it.
    const read = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-production\.outputs\.([A-Za-z0-9_-]+)\}$/.exec(bsl.config.kmsKeyId);
    expect(read).not.toBeNull();
    expect(prodCloud.output[read![1]]?.value).toBe(`\${aws_kms_key.${mr}.arn}`);
    expect(prodCloud.output[read![1]]?.value).not.toContain(old);
  });

  test('a copy in the replica region is decryptable with the replica key: replicas are written with the multi-region key\'s replica', () => {
    const replica = resourceAt(prodCloud, 'aws_kms_replica_key', '/key-backups-mr/replica-ca-west-1');
    const replication = resourceAt(prodCloud, 'aws_s3_bucket_replication_configuration', 'backups/replica/replication');
    expect(replication.rule[0].destination.encryption_configuration.replica_kms_key_id).toBe(`\${aws_kms_replica_key.${replica.__name}.arn}`);
    // The replica bucket's own key stays, protected (objects replicated before the switch keep it).
    expect(resourceAt(prodCloud, 'aws_kms_key', 'backups/replica/key/key').lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe('the replica region\'s keys alarm too (forwarded to the primary region\'s bus)', () => {
  test('a rule in ca-west-1 matches the replica keys\' events and forwards them to ca-central-1\'s default bus through its own role', () => {
    const rule = resourceAt(prodCloud, 'aws_cloudwatch_event_rule', 'key-protection/replica-rule');
    expect(rule).toMatchObject({ provider: 'aws.replica', name: 'toronto-ai-production-kms-key-changes-forward' });
    const pattern = JSON.parse(rule.event_pattern);
    const primary = JSON.parse(resourceAt(prodCloud, 'aws_cloudwatch_event_rule', 'key-protection/rule').event_pattern);
    expect(pattern.detail.resources.ARN.sort()).toEqual(replicaKeyRefs().sort());
    expect({ ...pattern, detail: { ...pattern.detail, resources: undefined } }).toEqual({ ...primary, detail: { ...primary.detail, resources: undefined } });
    const target = resourceAt(prodCloud, 'aws_cloudwatch_event_target', 'key-protection/replica-target');
    const bus = 'arn:aws:events:ca-central-1:444455556666:event-bus/default';
    const role = resourceAt(prodCloud, 'aws_iam_role', 'key-protection/forward-role');
    expect(target).toMatchObject({ provider: 'aws.replica', arn: bus, role_arn: `\${aws_iam_role.${role.__name}.arn}` });
    expect(target.rule).toBe(`\${aws_cloudwatch_event_rule.${rule.__name}.name}`);
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } } },
    ]);
    expect(JSON.parse(resourceAt(prodCloud, 'aws_iam_role_policy', 'key-protection/forward-policy').policy).Statement).toEqual([
      { Sid: 'PutEventsOnPrimaryDefaultBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: bus },
    ]);
  });

  test('the replica bucket\'s own key (copies made before the switch) is guarded like the others', () => {
    const deny = policyOf(prodCloud, 'backups/replica/key/key').find((s) => s.Effect === 'Deny');
    expect(deny?.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } });
  });

  test('without a replica region there is no forwarding rule', () => {
    expect(resources(devCloud, 'aws_cloudwatch_event_rule').some((r) => r.provider === 'aws.replica')).toBe(false);
    expect(resources(devCloud, 'aws_iam_role').some((r) => String(r.name).endsWith('kms-events-forward'))).toBe(false);
  });
});

describe('the CloudTrail trail the key alarm needs (audit.cloudTrail)', () => {
  const TRAIL_ARN = 'arn:aws:cloudtrail:ca-central-1:444455556666:trail/toronto-ai-production';
  const BUCKET = 'toronto-ai-production-cloudtrail-444455556666';

  test('create: a multi-region trail of management events with log-file validation, encrypted with its own key', () => {
    const trail = resourceAt(prodCloud, 'aws_cloudtrail', 'key-protection/trail/trail');
    const key = resourceAt(prodCloud, 'aws_kms_key', 'key-protection/trail/key/key');
    const bucket = resourceAt(prodCloud, 'aws_s3_bucket', 'key-protection/trail/bucket/bucket');
    expect(trail).toMatchObject({
      name: 'toronto-ai-production',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      kms_key_id: `\${aws_kms_key.${key.__name}.arn}`,
      s3_bucket_name: `\${aws_s3_bucket.${bucket.__name}.id}`,
    });
    // No event selector: the default records every management event (read and write).
    expect(trail.event_selector).toBeUndefined();
    expect(trail.advanced_event_selector).toBeUndefined();
    expect(trail.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket_policy\./)]));
    expect(bucket.bucket).toBe(BUCKET);
    expect(key.enable_key_rotation).toBe(true);
    expect(key.lifecycle).toEqual({ prevent_destroy: true });
    const cloudtrail = JSON.parse(key.policy).Statement.filter((s: Json) => s.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(cloudtrail.map((s: Json) => s.Action)).toEqual(['kms:GenerateDataKey*', 'kms:DescribeKey']);
    for (const s of cloudtrail) expect(s.Condition.StringEquals['aws:SourceArn']).toBe(TRAIL_ARN);
  });

  test('create: the secure bucket accepts only this trail (aws:SourceArn), keeps the files the definition\'s days and logs its access', () => {
    const bucketRes = (type: string) => resourceAt(prodCloud, type, `key-protection/trail/bucket/${type === 'aws_s3_bucket_policy' ? 'policy' : type === 'aws_s3_bucket_lifecycle_configuration' ? 'lifecycle' : type === 'aws_s3_bucket_logging' ? 'logging' : type === 'aws_s3_bucket_versioning' ? 'versioning' : 'encryption'}`);
    const statements = JSON.parse(bucketRes('aws_s3_bucket_policy').policy).Statement as Json[];
    expect(statements.find((s) => s.Sid === 'DenyInsecureTransport')).toBeDefined();
    expect(statements.find((s) => s.Sid === 'CloudTrailAclCheck')).toEqual({
      Sid: 'CloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl',
      Resource: `arn:aws:s3:::${BUCKET}`, Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
    });
    expect(statements.find((s) => s.Sid === 'CloudTrailWritesLogFiles')).toEqual({
      Sid: 'CloudTrailWritesLogFiles', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/444455556666/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
    });
    const rules = bucketRes('aws_s3_bucket_lifecycle_configuration').rule as Json[];
    expect(JSON.stringify(rules)).toContain('"days":400');
    expect(bucketRes('aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    const sse = bucketRes('aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default;
    expect(sse.sse_algorithm).toBe('aws:kms');
    const logs = resourceAt(prodCloud, 'aws_s3_bucket', 'backups/access-logs/bucket');
    expect(bucketRes('aws_s3_bucket_logging').target_bucket).toBe(`\${aws_s3_bucket.${logs.__name}.id}`);
    // The access-log bucket's delivery accepts the trail bucket's logs.
    expect(resourceAt(prodCloud, 'aws_s3_bucket_policy', 'backups/access-logs/policy').policy).toContain(`arn:aws:s3:::${BUCKET}`);
  });

  test('create: stopping, deleting or changing the trail alarms (attempts included), and its key is guarded', () => {
    const rule = resourceAt(prodCloud, 'aws_cloudwatch_event_rule', 'key-protection/trail-rule');
    expect(rule.name).toBe('toronto-ai-production-alerts-trail-changes');
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ['aws.cloudtrail'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['cloudtrail.amazonaws.com'],
        eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'],
        requestParameters: { name: ['toronto-ai-production', TRAIL_ARN] },
      },
    });
    const target = resourceAt(prodCloud, 'aws_cloudwatch_event_target', 'key-protection/trail-target');
    expect(target.arn).toMatch(/^\$\{aws_sns_topic\.alerts_topic_[A-F0-9]+\.arn\}$/);
    expect(target.rule).toBe(`\${aws_cloudwatch_event_rule.${rule.__name}.name}`);
    const deny = policyOf(prodCloud, 'key-protection/trail/key/key').find((s) => s.Effect === 'Deny');
    expect(deny?.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } });
  });

  test('retention per environment: development keeps 90 days', () => {
    const rules = resourceAt(devCloud, 'aws_s3_bucket_lifecycle_configuration', 'key-protection/trail/bucket/lifecycle').rule;
    expect(JSON.stringify(rules)).toContain('"days":90');
  });

  test('organization: nothing is created (the organisation\'s trail is the prerequisite), the alarm stays', () => {
    const org = synth(stacksFor('development', (d) => (d.audit = { cloudTrail: 'organization' })).cloud);
    expect(resources(org, 'aws_cloudtrail')).toEqual([]);
    expect(resources(org, 'aws_s3_bucket').some((b) => String(b.bucket).includes('cloudtrail'))).toBe(false);
    expect(resourceAt(org, 'aws_s3_bucket_policy', 'backups/access-logs/policy').policy).not.toContain('cloudtrail');
    expect(resourceAt(org, 'aws_cloudwatch_event_rule', 'key-protection/rule').name).toBe('toronto-ai-development-alerts-kms-key-changes');
    expect(resources(org, 'aws_cloudwatch_event_rule').some((r) => String(r.name).endsWith('trail-changes'))).toBe(false);
  });

  test.each([
    [(d: Json) => (d.audit = { cloudTrail: 'create' }), "development.audit.trailRetentionDays: required when cloudTrail is 'create' (days the trail's log files are kept)", 'development'],
    [(d: Json) => (d.audit = { cloudTrail: 'organization', trailRetentionDays: 90 }), "development.audit.trailRetentionDays: only with cloudTrail 'create' (the organisation's trail keeps its own log files): remove it", 'development'],
    [(d: Json) => (d.audit.trailRetentionDays = 200), 'production.audit.trailRetentionDays: production keeps its trail\'s log files at least 365 days', 'production'],
    [(d: Json) => (d.audit.cloudTrail = 'none'), "production.audit.cloudTrail: Invalid enum value. Expected 'create' | 'organization', received 'none'", 'production'],
  ])('bad input is refused before anything is built (%#)', (mutate, message, name) => {
    expect(definitionProblems(name, mutate)).toEqual([message]);
  });
});

describe('the foundation key policies live in constructs/kms/foundation-keys.ts (issue 10: a stack only wires)', () => {
  test('the cloud stack writes no policy statement or KMS action itself', () => {
    const source = readFileSync(join(__dirname, '..', '..', 'stacks', 'cloud-stack.ts'), 'utf8');
    expect(source).toContain('createFoundationKeys(this, {');
    expect(source).not.toMatch(/Sid:|'kms:|Principal:/);
  });

  test('the volumes and logs keys carry the construct\'s service statements', () => {
    const volumes = policyOf(prodCloud, '/key-volumes/key');
    expect(volumes.slice(1)).toEqual(autoScalingVolumeStatements('444455556666'));
    const logs = policyOf(prodCloud, '/key-logs/key');
    expect(logs.slice(1)).toEqual(cloudWatchLogsStatements('ca-central-1', '444455556666'));
    expect(logs[1].Principal).toEqual({ Service: 'logs.ca-central-1.amazonaws.com' });
  });
});
