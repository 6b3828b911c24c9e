import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from '../types';
import { block, isTrue } from '../util';

/** TAI-ELB-1: load balancer access logs. */
export const lbAccessLogs: PolicyRule = {
  id: 'TAI-ELB-1',
  title: 'Load balancers write access logs to S3',
  explanation:
    'aws_lb (application and network) sets access_logs { enabled = true, bucket = ... } so every ' +
    'request through the edge is on record (LB-1). Gateway load balancers have no access logs.',
  references: { checkov: ['CKV_AWS_91'], cdkNag: ['AwsSolutions-ELB2', 'NIST.800.53.R5-ELBLoggingEnabled'] },
  resourceTypes: ['aws_lb', 'aws_alb'],
  check(lb) {
    if (lb.config.load_balancer_type === 'gateway') return NOT_APPLICABLE;
    const logs = block(lb.config.access_logs);
    if (!isTrue(logs.enabled)) return nonCompliant('access_logs.enabled is not true');
    return logs.bucket ? COMPLIANT : nonCompliant('access_logs has no bucket');
  },
};
