import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from '../types';
import { isTrue } from '../util';

/** TAI-KMS-1: yearly (or faster) rotation. */
export const kmsRotation: PolicyRule = {
  id: 'TAI-KMS-1',
  title: 'Symmetric KMS keys rotate automatically',
  explanation:
    'aws_kms_key with a symmetric spec sets enable_key_rotation = true (SEC-3); asymmetric and HMAC ' +
    'keys cannot rotate and are not applicable.',
  references: { checkov: ['CKV_AWS_7'], cdkNag: ['AwsSolutions-KMS5', 'NIST.800.53.R5-KMSBackingKeyRotationEnabled'] },
  resourceTypes: ['aws_kms_key'],
  check(key) {
    const spec = key.config.customer_master_key_spec ?? 'SYMMETRIC_DEFAULT';
    if (spec !== 'SYMMETRIC_DEFAULT') return NOT_APPLICABLE;
    return isTrue(key.config.enable_key_rotation) ? COMPLIANT : nonCompliant('enable_key_rotation is not true');
  },
};
