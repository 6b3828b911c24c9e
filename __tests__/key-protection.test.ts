/**
 * Issue 13, keys: the Vault unseal and backups keys deny disabling and deletion to all but the
 * break-glass role, every attempt alarms, and multi-region keys with replicas are introduced
 * beside the existing single-region keys (never replacing them).
 */
import { Json, definitionProblems, resourceAt, resources, stacksFor, synth } from './helpers';

const prodCloud = synth(stacksFor('production').cloud);
const devCloud = synth(stacksFor('development').cloud);
const BREAK_GLASS = 'arn:aws:iam::444455556666:role/toronto-ai-production-kms-break-glass';

const policyOf = (json: Json, path: string) => JSON.parse(resourceAt(json, 'aws_kms_key', path).policy).Statement as Json[];
const GUARDED = ['/key-backups-mr/key', 'data/key-vault-unseal/key', 'data/key-vault-unseal-mr/key', 'key-backups/key'];

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
    expect(statement.Resource).toHaveLength(4);
    for (const r of statement.Resource) expect(r).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
  });

  test('every state or policy change of the guarded keys (attempts included) goes to the alert topic', () => {
    const rule = resourceAt(prodCloud, 'aws_cloudwatch_event_rule', 'key-protection/rule');
    expect(rule.name).toBe('toronto-ai-production-alerts-kms-key-changes');
    const pattern = JSON.parse(rule.event_pattern);
    expect(pattern.source).toEqual(['aws.kms']);
    expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(pattern.detail.eventName).toEqual(expect.arrayContaining(['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation']));
    const keyIds = GUARDED.map((p) => Object.entries(prodCloud.resource.aws_kms_key as Json).find(([, r]) => String((r as Json)['//'].metadata.path).endsWith(p))![0]);
    expect(pattern.detail.resources.ARN.sort()).toEqual(keyIds.map((id) => `\${aws_kms_key.${id}.arn}`).sort());
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
  const sealOf = (seal?: string) => {
    const platform = synth(stacksFor('production', (d) => (seal ? (d.data.vault.seal = seal) : undefined)).platform);
    return JSON.parse(resourceAt(platform, 'helm_release', 'vault/release/release').values[0]).server.ha.raft.config as string;
  };
  const stanzas = (config: string) => config.split('\n').join('\n').match(/seal "awskms" \{[^}]*\}/g);

  test('single-region (default): the original key only', () => {
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
