import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { isTrue } from '../util';

/** TAI-NET-2: subnets never hand out public IPs. */
export const subnetPublicIp: PolicyRule = {
  id: 'TAI-NET-2',
  title: 'Subnets do not assign public IPs on launch',
  explanation:
    'aws_subnet never sets map_public_ip_on_launch: nodes live in private subnets and egress ' +
    'through NAT; even public subnets hold only load balancers and NAT gateways, which get their ' +
    'addresses explicitly (NET-1).',
  references: { checkov: ['CKV_AWS_130'], cdkNag: ['NIST.800.53.R5-VPCSubnetAutoAssignPublicIpDisabled'] },
  resourceTypes: ['aws_subnet'],
  check(subnet) {
    return isTrue(subnet.config.map_public_ip_on_launch) ? nonCompliant('map_public_ip_on_launch is true') : COMPLIANT;
  },
};
