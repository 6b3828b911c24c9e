import { COMPLIANT, PolicyRule, nonCompliant } from '../types';

/** TAI-LOG-2: bounded, explicit retention. */
export const logGroupRetention: PolicyRule = {
  id: 'TAI-LOG-2',
  title: 'CloudWatch log groups have an explicit retention period',
  explanation:
    'aws_cloudwatch_log_group sets retention_in_days (from the environment definition): without ' +
    'it logs are kept forever, which costs money and keeps personal data longer than needed.',
  references: { checkov: ['CKV_AWS_66'], cdkNag: ['NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod'] },
  resourceTypes: ['aws_cloudwatch_log_group'],
  check(group) {
    const days = group.config.retention_in_days;
    return typeof days === 'number' && days > 0 ? COMPLIANT : nonCompliant(`retention_in_days is ${days ?? 'unset'} (kept forever)`);
  },
};
