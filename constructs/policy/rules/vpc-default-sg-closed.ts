import { COMPLIANT, PolicyRule, fromProblems, nonCompliant } from '../types';
import { blocks } from '../util';

/** TAI-NET-4: the default security group allows nothing. */
export const vpcDefaultSecurityGroupClosed: PolicyRule = {
  id: 'TAI-NET-4',
  title: 'The default security group of every VPC allows no traffic',
  explanation:
    'Every aws_vpc has an aws_default_security_group with no ingress and no egress rule, so a ' +
    'resource launched without an explicit group is isolated instead of open to its neighbours ' +
    '(NET-2); every tier uses its own security group.',
  references: { checkov: ['CKV2_AWS_12'], cdkNag: ['NIST.800.53.R5-VPCDefaultSecurityGroupClosed'] },
  resourceTypes: ['aws_vpc'],
  check(vpc, context) {
    const groups = context.referencing('aws_default_security_group', 'vpc_id', vpc);
    if (groups.length === 0) return nonCompliant('no aws_default_security_group takes over (and empties) the default group');
    const g = groups[0].config;
    const problems = (['ingress', 'egress'] as const).filter((k) => blocks(g[k]).length > 0).map((k) => `the default security group has ${k} rules`);
    return problems.length === 0 ? COMPLIANT : fromProblems(problems);
  },
};
