import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { policyStatements } from '../util';

/** Whether a statement's principal is everyone. */
function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    return Object.values(principal as Record<string, unknown>).some((v) => v === '*' || (Array.isArray(v) && v.includes('*')));
  }
  return false;
}

/** TAI-KMS-2: an explicit key policy, no anonymous grants. */
export const kmsKeyPolicy: PolicyRule = {
  id: 'TAI-KMS-2',
  title: 'KMS keys have an explicit key policy that grants nothing to "*"',
  explanation:
    'aws_kms_key sets policy (or an aws_kms_key_policy refers to it), so who may use the key is ' +
    'reviewed in code rather than left to the default; no Allow statement names the principal "*" ' +
    'without a condition (SEC-3).',
  references: { checkov: ['CKV2_AWS_64', 'CKV_AWS_33'], cdkNag: [] },
  resourceTypes: ['aws_kms_key'],
  check(key, context) {
    const policy = key.config.policy ?? context.referencing('aws_kms_key_policy', 'key_id', key)[0]?.config.policy;
    if (!policy) return nonCompliant('no key policy (the AWS default grants the whole account)');
    const statements = policyStatements(policy, context);
    if (!statements) return COMPLIANT;
    const open = statements.find((s) => s.effect === 'Allow' && isEveryone(s.principals) && Object.keys(s.condition ?? {}).length === 0);
    return open ? nonCompliant('an Allow statement grants the key to principal "*" without a condition') : COMPLIANT;
  },
};
