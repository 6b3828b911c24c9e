/**
 * Cloud-side security signals (SEC-3) of the `<env>` stack: GuardDuty with EKS protection when
 * the definition's `observability.security.guardDuty` is on. CloudWatch log groups (flow logs,
 * control plane) are already KMS-encrypted and retained by constructs/network and
 * constructs/cluster. Also the empty Secrets Manager containers of the Alertmanager receivers'
 * credentials, which the platform syncs into `monitoring` (./observability.ts). Called with one
 * line from CloudStack's constructor.
 */
import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { Environment } from '../../environments/schema';
import { GuardDuty } from '../../constructs/security/guardduty';
import { receiverSecretRefs } from '../../constructs/observability/monitoring';
import { SecretContainers, SyncedSecretKey, distinctKeys, secretsManagerName } from '../../constructs/secrets/secrets-manager';
import { namesFor } from '../naming';

/** The namespace of Alertmanager, where the receivers' credential Secrets are synced. */
export const MONITORING_NAMESPACE = 'monitoring';

/** Every Secret key the definition's Alertmanager receivers read (synced from Secrets Manager). */
export function alertCredentialKeys(env: Environment): SyncedSecretKey[] {
  return distinctKeys(
    env.observability.alertmanager.receivers.flatMap((r) =>
      receiverSecretRefs(r).map((ref) => ({ namespace: MONITORING_NAMESPACE, secretName: ref.name, key: ref.key })),
    ),
  );
}

export interface ObservabilityCloudParts {
  /** Present when the definition turns GuardDuty on. */
  readonly guardDuty?: GuardDuty;
  /** Present when a receiver reads a credential. */
  readonly alertCredentials?: SecretContainers;
}

export function addObservabilityCloud(stack: Construct & { readonly cluster: { readonly name: string } }, env: Environment): ObservabilityCloudParts {
  const names = namesFor(env);
  const keys = alertCredentialKeys(env);
  let alertCredentials: SecretContainers | undefined;
  if (keys.length > 0) {
    alertCredentials = new SecretContainers(stack, 'alert-credentials', {
      prefix: names.prefix,
      accountId: env.aws.allowedAccountIds[0],
      region: env.aws.region,
      keys,
      clusterName: stack.cluster.name,
      protect: env.protectState,
    });
    new TerraformOutput(stack, 'alert_credential_secrets', {
      value: keys.map((k) => secretsManagerName(names.prefix, k)),
      description: 'Secrets Manager secrets (created empty) a person fills with `aws secretsmanager put-secret-value`: the Alertmanager receivers\' credentials',
    });
  }
  if (!env.observability.security.guardDuty) return { alertCredentials };
  return { guardDuty: new GuardDuty(stack, 'guardduty', { protect: env.protectState }), alertCredentials };
}
