import { COMPLIANT, PolicyRule, nonCompliant } from '../types';

/** TAI-WAF-1: WAF logs. */
export const wafLogging: PolicyRule = {
  id: 'TAI-WAF-1',
  title: 'WAF web ACLs have logging configured',
  explanation:
    'Every aws_wafv2_web_acl has an aws_wafv2_web_acl_logging_configuration referring to it, so ' +
    'blocked and rate-limited requests can be investigated (LB-2).',
  references: { checkov: ['CKV2_AWS_31'], cdkNag: ['NIST.800.53.R5-WAFv2LoggingEnabled'] },
  resourceTypes: ['aws_wafv2_web_acl'],
  check(acl, context) {
    return context.referencing('aws_wafv2_web_acl_logging_configuration', 'resource_arn', acl).length > 0
      ? COMPLIANT
      : nonCompliant('no aws_wafv2_web_acl_logging_configuration refers to this web ACL');
  },
};
