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
 *   alert topic.
 */
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { Environment } from '../../environments/schema';
import { KeyGuard } from '../../constructs/kms/kms-key';
import { policyDocument } from '../../constructs/common/iam';
import { alertEventRuleName } from '../../constructs/observability/alert-topic';
import { namesFor } from '../naming';
import { CloudContext } from '../context';

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

export interface KeyProtection {
  readonly breakGlassRole?: IamRole;
  readonly rule: CloudwatchEventRule;
}

/** The break-glass role (where keys are guarded) and the alarm on `keyArns` (keys of the stack's region). */
export function addKeyProtection(ctx: CloudContext, keyArns: readonly string[]): KeyProtection {
  const { env, accountId } = ctx;
  const scope = new Construct(ctx.scope, 'key-protection');
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
          Resource: [...keyArns],
        },
      ]),
    });
  }
  const rule = new CloudwatchEventRule(scope, 'rule', {
    name: alertEventRuleName(ctx.alerts.name, 'kms-key-changes'),
    description: 'Disabling, deleting or re-policying the Vault unseal or backups keys (attempts included) to the alert topic',
    eventPattern: JSON.stringify({
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['kms.amazonaws.com'], eventName: [...WATCHED_KEY_EVENTS], resources: { ARN: [...keyArns] } },
    }),
  });
  new CloudwatchEventTarget(scope, 'target', { rule: rule.name, targetId: 'alert-topic', arn: ctx.alerts.arn });
  return { breakGlassRole, rule };
}
