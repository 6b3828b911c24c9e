/**
 * Cloud-side security signals (SEC-3) of the `<env>` stack: GuardDuty with EKS protection when
 * the definition's `observability.security.guardDuty` is on. CloudWatch log groups (flow logs,
 * control plane) are already KMS-encrypted and retained by constructs/network and
 * constructs/cluster. Called with one line from CloudStack's constructor.
 */
import { Construct } from 'constructs';
import { Environment } from '../../environments/schema';
import { GuardDuty } from '../../constructs/security/guardduty';

export interface ObservabilityCloudParts {
  /** Present when the definition turns GuardDuty on. */
  readonly guardDuty?: GuardDuty;
}

export function addObservabilityCloud(stack: Construct, env: Environment): ObservabilityCloudParts {
  if (!env.observability.security.guardDuty) return {};
  return { guardDuty: new GuardDuty(stack, 'guardduty', { protect: env.protectState }) };
}
