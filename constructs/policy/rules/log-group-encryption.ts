import { COMPLIANT, PolicyRule, nonCompliant } from '../types';

/** TAI-LOG-1: encrypted log groups. */
export const logGroupEncryption: PolicyRule = {
  id: 'TAI-LOG-1',
  title: 'CloudWatch log groups are encrypted with a KMS key',
  explanation:
    'aws_cloudwatch_log_group sets kms_key_id (the environment\'s logs key): flow logs and ' +
    'control-plane logs hold addresses, user names and request details (SEC-3).',
  references: { checkov: ['CKV_AWS_158'], cdkNag: ['NIST.800.53.R5-CloudWatchLogGroupEncrypted'] },
  resourceTypes: ['aws_cloudwatch_log_group'],
  check(group) {
    return group.config.kms_key_id ? COMPLIANT : nonCompliant('no kms_key_id');
  },
};
