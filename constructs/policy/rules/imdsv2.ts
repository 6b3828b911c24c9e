import { PolicyRule, fromProblems } from '../types';
import { block } from '../util';

/** TAI-EC2-2: IMDSv2 only, hop limit 1. */
export const imdsv2: PolicyRule = {
  id: 'TAI-EC2-2',
  title: 'Instances require IMDSv2 with a response hop limit of 1',
  explanation:
    'aws_launch_template and aws_instance set metadata_options.http_tokens = "required" (no IMDSv1) ' +
    'and http_put_response_hop_limit = 1, so a pod cannot reach the node\'s credentials through the ' +
    'metadata service; workloads get AWS credentials from EKS Pod Identity (K8S-2).',
  references: { checkov: ['CKV_AWS_79', 'CKV_AWS_341'], cdkNag: ['NIST.800.53.R5-EC2IMDSv2Enabled'] },
  resourceTypes: ['aws_launch_template', 'aws_instance'],
  check(resource) {
    const m = block(resource.config.metadata_options);
    const problems: string[] = [];
    if (m.http_endpoint === 'disabled') return fromProblems([]);
    if (m.http_tokens !== 'required') problems.push(`metadata_options.http_tokens is ${m.http_tokens ?? 'unset'}, expected "required"`);
    const hops = Number(m.http_put_response_hop_limit ?? NaN);
    if (!(hops === 1)) problems.push(`metadata_options.http_put_response_hop_limit is ${m.http_put_response_hop_limit ?? 'unset'}, expected 1`);
    return fromProblems(problems);
  },
};
