import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from '../types';
import { isTrue } from '../util';

/** TAI-ELB-3: deletion protection in production. */
export const lbDeletionProtection: PolicyRule = {
  id: 'TAI-ELB-3',
  title: 'Production load balancers have deletion protection',
  explanation:
    'In production, aws_lb sets enable_deletion_protection = true (LB-1): deleting the public ' +
    'entry point by accident is an outage.',
  references: { checkov: ['CKV_AWS_150'], cdkNag: ['NIST.800.53.R5-ELBDeletionProtectionEnabled'] },
  resourceTypes: ['aws_lb', 'aws_alb'],
  check(lb, context) {
    if (context.tier !== 'production') return NOT_APPLICABLE;
    return isTrue(lb.config.enable_deletion_protection) ? COMPLIANT : nonCompliant('enable_deletion_protection is not true');
  },
};
