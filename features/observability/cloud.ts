/**
 * Cloud-side security signals (SEC-3) of the `<env>` stack: GuardDuty with EKS protection when
 * the definition's `observability.security.guardDuty` is on, its findings sent by an EventBridge
 * rule to the stack's alert topic. CloudWatch log groups (flow logs, control plane) are already
 * KMS-encrypted and retained by constructs/network and constructs/cluster. Also the empty Secrets
 * Manager containers of the Alertmanager receivers' credentials and the heartbeat URL, which the
 * platform syncs into `monitoring` (./platform.ts). Called with one line from CloudStack's
 * constructor.
 */
import { TerraformOutput } from 'cdktf';
import { GuardDuty } from '../../constructs/security/guardduty';
import { SecretContainers, secretsManagerName } from '../../constructs/secrets/secrets-manager';
import { CloudContext } from '../context';
import { alertEventRuleName } from '../../constructs/observability/alert-topic';
import { alertCredentialKeys } from './contract';

export interface ObservabilityCloudParts {
  /** Present when the definition turns GuardDuty on. */
  readonly guardDuty?: GuardDuty;
  /** The Secrets Manager containers of Alertmanager's credentials (receivers and heartbeat). */
  readonly alertCredentials: SecretContainers;
}

/** GuardDuty findings of at least this severity (4 = medium) page through the alert topic. */
export const GUARDDUTY_ALERT_MIN_SEVERITY = 4;

export function addObservabilityCloud(ctx: CloudContext): ObservabilityCloudParts {
  const { env, names } = ctx;
  const keys = alertCredentialKeys(env);
  const alertCredentials = new SecretContainers(ctx.scope, 'alert-credentials', {
    prefix: names.prefix,
    accountId: ctx.accountId,
    region: env.aws.region,
    keys,
    clusterName: ctx.cluster.name,
    clusterArn: ctx.cluster.arn,
    protect: env.protectState,
  });
  new TerraformOutput(ctx.scope, 'alert_credential_secrets', {
    value: keys.map((k) => secretsManagerName(names.prefix, k)),
    description: "Secrets Manager secrets (created empty) a person fills with `aws secretsmanager put-secret-value`: the Alertmanager receivers' credentials and the heartbeat URL",
  });
  if (!env.observability.security.guardDuty) return { alertCredentials };
  return {
    alertCredentials,
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
