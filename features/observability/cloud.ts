/**
 * Cloud-side security signals (SEC-3) of the `<env>` stack: GuardDuty with EKS protection when
 * the definition's `observability.security.guardDuty` is on, its findings sent by an EventBridge
 * rule to the stack's alert topic. CloudWatch log groups (flow logs,
 * control plane) are already KMS-encrypted and retained by constructs/network and
 * constructs/cluster. Called with one line from CloudStack's constructor.
 */
import { GuardDuty } from '../../constructs/security/guardduty';
import { CloudContext } from '../context';
import { alertEventRuleName } from '../../constructs/observability/alert-topic';

export interface ObservabilityCloudParts {
  /** Present when the definition turns GuardDuty on. */
  readonly guardDuty?: GuardDuty;
}

/** GuardDuty findings of at least this severity (4 = medium) page through the alert topic. */
export const GUARDDUTY_ALERT_MIN_SEVERITY = 4;

export function addObservabilityCloud(ctx: CloudContext): ObservabilityCloudParts {
  const { env } = ctx;
  if (!env.observability.security.guardDuty) return {};
  return {
    guardDuty: new GuardDuty(ctx.scope, 'guardduty', {
      protect: env.protectState,
      // SEC-3: findings reach on-call through EventBridge and the stack's alert topic.
      findings: {
        topicArn: ctx.alerts.arn,
        ruleName: alertEventRuleName(ctx.alerts.name, 'guardduty-findings'),
        minSeverity: GUARDDUTY_ALERT_MIN_SEVERITY,
      },
    }),
  };
}
