import { COMPLIANT, PolicyRule, nonCompliant } from '../types';

/** TAI-NET-3: VPC flow logs. */
export const vpcFlowLogs: PolicyRule = {
  id: 'TAI-NET-3',
  title: 'VPCs have flow logs of all traffic',
  explanation:
    'Every aws_vpc has an aws_flow_log (traffic_type ALL) referring to it, so network traffic can ' +
    'be investigated after the fact (NET-3).',
  references: { checkov: ['CKV2_AWS_11'], cdkNag: ['AwsSolutions-VPC7', 'NIST.800.53.R5-VPCFlowLogsEnabled'] },
  resourceTypes: ['aws_vpc'],
  check(vpc, context) {
    const logs = context.referencing('aws_flow_log', 'vpc_id', vpc);
    if (logs.length === 0) return nonCompliant('no aws_flow_log refers to this VPC');
    return logs.some((l) => l.config.traffic_type === 'ALL') ? COMPLIANT : nonCompliant('the flow log does not capture traffic_type ALL');
  },
};
