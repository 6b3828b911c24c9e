/**
 * Issue 13, SEC-1 / BAK-1: the keys recovery depends on (Vault's unseal keys, the backups keys)
 * cannot be disabled or scheduled for deletion by an ordinary administrator, and every attempt
 * alarms.
 *
 * - The key policies deny `kms:DisableKey` and `kms:ScheduleKeyDeletion` to every principal but the
 *   break-glass role `<prefix>-kms-break-glass` (an explicit deny in the key policy beats any IAM
 *   allow, AdministratorAccess included). `kms:PutKeyPolicy` is NOT denied: the key policy is
 *   Terraform's to write (a reviewed change), a deny would also fail CreateKey's lockout safety
 *   check for the deploying principal; rewriting the policy alarms instead (README decisions).
 * - The break-glass role may be assumed by the definition's `backup.breakGlassPrincipalArns` and
 *   by the account's principals only with MFA; it may only disable/enable and schedule/cancel the
 *   deletion of these keys.
 * - An EventBridge rule sends every CloudTrail record of a state or policy change of these keys
 *   (denied attempts included: CloudTrail records them with their error code) to the stack's
 *   alert topic. The keys' replicas in `backup.replicaRegion` are watched by a rule there that
 *   forwards the same events to this region's default bus, where the first rule catches them.
 * - Those events exist only where a CloudTrail trail records management events: with
 *   `audit.cloudTrail: 'create'` the stack creates a multi-region trail (constructs/security/audit-trail.ts);
 *   with `'organization'` the organisation's trail is the prerequisite (README).
 */
import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { Environment } from '../../environments/schema';
import { EncryptionKey, KeyGuard } from '../../constructs/kms/kms-key';
import { policyDocument } from '../../constructs/common/iam';
import { alertEventRuleName } from '../../constructs/observability/alert-topic';
import { AuditTrail } from '../../constructs/security/audit-trail';
import { namesFor } from '../naming';
import { CloudContext } from '../context';
import type { Backups } from './cloud';
import type { DataCloud } from '../data/cloud';

/** What the key policies deny to everyone but the break-glass role. */
export const GUARDED_KEY_ACTIONS = ['kms:DisableKey', 'kms:ScheduleKeyDeletion'] as const;

/** CloudTrail events on the guarded keys that alarm (attempts included). */
export const WATCHED_KEY_EVENTS = [
  'DisableKey',
  'ScheduleKeyDeletion',
  'PutKeyPolicy',
  'DisableKeyRotation',
  'UpdatePrimaryRegion',
  'CancelKeyDeletion',
  'EnableKey',
] as const;

/** CloudTrail events on the created trail that alarm (attempts included). */
export const WATCHED_TRAIL_EVENTS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'] as const;

export function breakGlassRoleName(env: Environment): string {
  return `${namesFor(env).prefix}-kms-break-glass`;
}

/**
 * The guard the protected keys carry: in definitions with `protectState` (staging, production),
 * so a development environment can still be destroyed. The role's ARN is a literal (the role is
 * built after the keys; a deny that names a role not yet created denies everyone, which is safe).
 */
export function keyGuard(env: Environment, accountId: string): KeyGuard | undefined {
  if (!env.protectState) return undefined;
  return { actions: GUARDED_KEY_ACTIONS, exceptPrincipalArns: [`arn:aws:iam::${accountId}:role/${breakGlassRoleName(env)}`] };
}

/** Bucket of the trail's log files (`audit.cloudTrail: 'create'`). */
export function trailBucketName(env: Environment): string {
  return `${namesFor(env).prefix}-cloudtrail-${env.aws.allowedAccountIds[0]}`;
}

/** The keys recovery depends on: in the stack's region, and their replicas in the replica region. */
export interface GuardedKeys {
  readonly primary: readonly string[];
  readonly replica?: { readonly region: string; readonly provider: TerraformProvider; readonly arns: readonly string[] };
}

/**
 * The guarded keys of the stack: the backups keys (single-region, multi-region) and the Vault
 * unseal keys (single-region, multi-region), and `others` (the API keys' Secrets Manager key: the
 * only copy of those values outside Vault); in the replica region the multi-region replicas and
 * the offsite replica bucket's own key (copies made before the multi-region switch use it).
 */
export function guardedKeys(backups: Backups, data: DataCloud, primaryBackupsKeyArn: string, others: readonly EncryptionKey[] = []): GuardedKeys {
  const primary = [primaryBackupsKeyArn, backups.multiRegionKey.arn, data.vaultUnsealKey.arn, data.vaultUnsealMultiRegionKey.arn, ...others.map((k) => k.arn)];
  const region = Object.keys(backups.multiRegionKey.replicas)[0];
  if (!region || !backups.replicaProvider) return { primary };
  const arns = [
    backups.multiRegionKey.replicas[region].arn,
    ...(data.vaultUnsealMultiRegionKey.replicas[region] ? [data.vaultUnsealMultiRegionKey.replicas[region].arn] : []),
    ...(backups.storage.replica ? [backups.storage.replica.replicaKey.arn] : []),
    ...others.flatMap((k) => (k.replicas[region] ? [k.replicas[region].arn] : [])),
  ];
  return { primary, replica: { region, provider: backups.replicaProvider, arns } };
}

export interface KeyProtection {
  readonly breakGlassRole?: IamRole;
  readonly rule: CloudwatchEventRule;
  /** The replica region's rule forwarding its keys' events to this region's default bus. */
  readonly replicaRule?: CloudwatchEventRule;
  /** The multi-region trail, with `audit.cloudTrail: 'create'`. */
  readonly trail?: AuditTrail;
  /** The alarm on changes of that trail. */
  readonly trailRule?: CloudwatchEventRule;
}

/** The pattern of the key events that alarm, on `arns`. */
function keyEventPattern(arns: readonly string[]): string {
  return JSON.stringify({
    source: ['aws.kms'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: ['kms.amazonaws.com'], eventName: [...WATCHED_KEY_EVENTS], resources: { ARN: [...arns] } },
  });
}

/**
 * The break-glass role (where keys are guarded), the alarm on the guarded keys (both regions) and,
 * with `audit.cloudTrail: 'create'`, the trail whose events the alarm matches.
 * `accessLogBucket`: where the trail bucket's S3 access logs go (its log delivery accepts `trailBucketName`).
 */
export function addKeyProtection(ctx: CloudContext, keys: GuardedKeys, accessLogBucket: string): KeyProtection {
  const { env, accountId } = ctx;
  const scope = new Construct(ctx.scope, 'key-protection');
  const names = namesFor(env);
  const trail =
    env.audit.cloudTrail === 'create'
      ? new AuditTrail(scope, 'trail', {
          trailName: names.prefix,
          bucketName: trailBucketName(env),
          keyAlias: `${names.prefix}-cloudtrail`,
          accountId,
          region: env.aws.region,
          retentionDays: env.audit.trailRetentionDays as number,
          accessLogBucket,
          protect: env.protectState,
          // Disabling the trail's key would blind the alarm: guarded and watched like the others.
          keyGuard: keyGuard(env, accountId),
        })
      : undefined;
  const allArns = [...keys.primary, ...(trail ? [trail.key.arn] : []), ...(keys.replica?.arns ?? [])];
  let breakGlassRole: IamRole | undefined;
  if (keyGuard(env, accountId)) {
    const named = env.backup.breakGlassPrincipalArns;
    breakGlassRole = new IamRole(scope, 'break-glass-role', {
      name: breakGlassRoleName(env),
      description: 'Break glass: the only principal that may disable or schedule the deletion of the Vault unseal and backups keys',
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument([
        ...(named.length > 0
          ? [{ Sid: 'NamedPrincipals', Effect: 'Allow' as const, Principal: { AWS: [...named] }, Action: 'sts:AssumeRole' }]
          : []),
        {
          Sid: 'AccountPrincipalsWithMfa',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: 'sts:AssumeRole',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
      ]),
    });
    new IamRolePolicy(scope, 'break-glass-policy', {
      role: breakGlassRole.id,
      name: 'guarded-keys',
      policy: policyDocument([
        {
          Sid: 'DisableOrDeleteGuardedKeys',
          Effect: 'Allow',
          Action: ['kms:DisableKey', 'kms:EnableKey', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:DescribeKey', 'kms:GetKeyPolicy'],
          Resource: [...allArns],
        },
      ]),
    });
  }
  // The replicas' events arrive forwarded from the replica region (below): one rule matches both.
  const rule = new CloudwatchEventRule(scope, 'rule', {
    name: alertEventRuleName(ctx.alerts.name, 'kms-key-changes'),
    description: 'Disabling, deleting or re-policying the Vault unseal or backups keys (attempts included) to the alert topic',
    eventPattern: keyEventPattern(allArns),
  });
  new CloudwatchEventTarget(scope, 'target', { rule: rule.name, targetId: 'alert-topic', arn: ctx.alerts.arn });

  let replicaRule: CloudwatchEventRule | undefined;
  if (keys.replica) {
    const { provider, region } = keys.replica;
    const primaryBus = `arn:aws:events:${env.aws.region}:${accountId}:event-bus/default`;
    const forwardRole = new IamRole(scope, 'forward-role', {
      name: `${names.prefix}-kms-events-forward`,
      description: `EventBridge in ${region}: forwards the replica keys' events to ${env.aws.region}'s default bus`,
      assumeRolePolicy: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ]),
    });
    new IamRolePolicy(scope, 'forward-policy', {
      role: forwardRole.id,
      name: 'put-events-primary-bus',
      policy: policyDocument([{ Sid: 'PutEventsOnPrimaryDefaultBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: primaryBus }]),
    });
    replicaRule = new CloudwatchEventRule(scope, 'replica-rule', {
      provider,
      name: `${names.prefix}-kms-key-changes-forward`,
      description: `Changes of the guarded keys' replicas in ${region} (attempts included), forwarded to ${env.aws.region}'s alarm rule`,
      eventPattern: keyEventPattern(keys.replica.arns),
    });
    new CloudwatchEventTarget(scope, 'replica-target', {
      provider,
      rule: replicaRule.name,
      targetId: 'primary-region-bus',
      arn: primaryBus,
      roleArn: forwardRole.arn,
    });
  }

  // A trail that stops recording would silence the alarm above: its own changes alarm too.
  let trailRule: CloudwatchEventRule | undefined;
  if (trail) {
    trailRule = new CloudwatchEventRule(scope, 'trail-rule', {
      name: alertEventRuleName(ctx.alerts.name, 'trail-changes'),
      description: 'Stopping, deleting or changing the trail the key alarm depends on (attempts included) to the alert topic',
      eventPattern: JSON.stringify({
        source: ['aws.cloudtrail'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: [...WATCHED_TRAIL_EVENTS], requestParameters: { name: [trail.name, trail.arn] } },
      }),
    });
    new CloudwatchEventTarget(scope, 'trail-target', { rule: trailRule.name, targetId: 'alert-topic', arn: ctx.alerts.arn });
  }
  return { breakGlassRole, rule, replicaRule, trail, trailRule };
}
