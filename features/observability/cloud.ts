/**
 * Cloud-side security signals (SEC-3) of the `<env>` stack: GuardDuty with EKS protection when
 * the definition's `observability.security.guardDuty` is on. CloudWatch log groups (flow logs,
 * control plane) are already KMS-encrypted and retained by constructs/network and
 * constructs/cluster. Called with one line from CloudStack's constructor.
 */
import { GuardDuty } from '../../constructs/security/guardduty';
import { CloudContext } from '../context';

export interface ObservabilityCloudParts {
  /** Present when the definition turns GuardDuty on. */
  readonly guardDuty?: GuardDuty;
}

export function addObservabilityCloud(ctx: CloudContext): ObservabilityCloudParts {
  const { env } = ctx;
  if (!env.observability.security.guardDuty) return {};
  return { guardDuty: new GuardDuty(ctx.scope, 'guardduty', { protect: env.protectState }) };
}
