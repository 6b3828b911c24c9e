import { PolicyRule, RuleContext, SynthResource, fromProblems } from '../types';
import { asList, blocks } from '../util';

const WORLD = ['0.0.0.0/0', '::/0'];
const WEB_PORTS = [80, 443];

/** Whether a security group (by address) is attached to a load balancer of the stack. */
function isLoadBalancerGroup(groupAddress: string, context: RuleContext): boolean {
  return [...context.byType('aws_lb'), ...context.byType('aws_alb')].some((lb) =>
    asList<string>(lb.config.security_groups).some((g) => typeof g === 'string' && g.includes(`\${${groupAddress}.`)),
  );
}

function groupAddressOf(ref: unknown): string | undefined {
  const m = typeof ref === 'string' ? /^\$\{(aws_security_group\.[^.]+)\.id\}$/.exec(ref) : null;
  return m?.[1];
}

interface Ingress {
  readonly from: number;
  readonly to: number;
  readonly protocol: string;
  readonly cidrs: string[];
}

function ingressOf(resource: SynthResource): { group?: string; rules: Ingress[] } {
  const c = resource.config;
  if (resource.type === 'aws_security_group') {
    return {
      group: resource.address,
      rules: blocks(c.ingress).map((r) => ({
        from: Number(r.from_port),
        to: Number(r.to_port),
        protocol: String(r.protocol),
        cidrs: [...asList<string>(r.cidr_blocks), ...asList<string>(r.ipv6_cidr_blocks)],
      })),
    };
  }
  if (resource.type === 'aws_security_group_rule') {
    if (c.type !== 'ingress') return { rules: [] };
    return {
      group: groupAddressOf(c.security_group_id),
      rules: [{ from: Number(c.from_port), to: Number(c.to_port), protocol: String(c.protocol), cidrs: [...asList<string>(c.cidr_blocks), ...asList<string>(c.ipv6_cidr_blocks)] }],
    };
  }
  // aws_vpc_security_group_ingress_rule
  return {
    group: groupAddressOf(c.security_group_id),
    rules: [
      {
        from: Number(c.from_port ?? 0),
        to: Number(c.to_port ?? 65535),
        protocol: String(c.ip_protocol),
        cidrs: [c.cidr_ipv4, c.cidr_ipv6].filter((x): x is string => typeof x === 'string'),
      },
    ],
  };
}

/** TAI-NET-1: nothing open to the internet but HTTP/HTTPS on the load balancer. */
export const securityGroupWorldIngress: PolicyRule = {
  id: 'TAI-NET-1',
  title: 'No ingress from 0.0.0.0/0 or ::/0 except ports 80/443 on a load balancer security group',
  explanation:
    'Security groups and ingress rules never admit the whole internet, except TCP 80 and 443 on a ' +
    'security group attached to an aws_lb of the stack (NET-2). Administrative ports (SSH, RDP, ' +
    'the Kubernetes API, databases) are reached through SSM or the VPN, never from the internet.',
  references: {
    checkov: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'CKV_AWS_277'],
    cdkNag: ['AwsSolutions-EC23', 'NIST.800.53.R5-EC2RestrictedCommonPorts', 'NIST.800.53.R5-EC2RestrictedSSH'],
  },
  resourceTypes: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'],
  check(resource, context) {
    const { group, rules } = ingressOf(resource);
    const problems: string[] = [];
    for (const r of rules) {
      const world = r.cidrs.filter((c) => WORLD.includes(c));
      if (world.length === 0) continue;
      const ports = r.protocol === '-1' || r.protocol === 'all' ? 'all ports' : r.from === r.to ? `port ${r.from}` : `ports ${r.from}-${r.to}`;
      const web = r.protocol === 'tcp' && r.from === r.to && WEB_PORTS.includes(r.from);
      if (!web) problems.push(`${ports} (${r.protocol}) open to ${world.join(', ')}`);
      else if (!group || !isLoadBalancerGroup(group, context)) {
        problems.push(`${ports} open to ${world.join(', ')} on a security group no load balancer of this stack uses`);
      }
    }
    return fromProblems(problems);
  },
};
