import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { asList, block } from '../util';

/** TAI-EKS-3: private API endpoint. */
export const eksPublicEndpoint: PolicyRule = {
  id: 'TAI-EKS-3',
  title: 'EKS API endpoints are private in production and never open to the internet',
  explanation:
    'In production, aws_eks_cluster sets vpc_config.endpoint_public_access = false. In other tiers ' +
    'a public endpoint is allowed only with public_access_cidrs that exclude 0.0.0.0/0 (K8S-1). ' +
    'Administrators reach the API through SSM port forwarding or the VPN.',
  references: { checkov: ['CKV_AWS_39', 'CKV_AWS_38'], cdkNag: ['AwsSolutions-EKS1'] },
  resourceTypes: ['aws_eks_cluster'],
  check(cluster, context) {
    const vpc = block(cluster.config.vpc_config);
    // The provider's default for endpoint_public_access is true.
    const isPublic = vpc.endpoint_public_access !== false && vpc.endpoint_public_access !== 'false';
    if (!isPublic) return COMPLIANT;
    if (context.tier === 'production') return nonCompliant('endpoint_public_access is not false in production');
    const cidrs = asList<string>(vpc.public_access_cidrs);
    if (cidrs.length === 0 || cidrs.includes('0.0.0.0/0')) {
      return nonCompliant(`public endpoint open to ${cidrs.length === 0 ? 'the default 0.0.0.0/0' : '0.0.0.0/0'}`);
    }
    return COMPLIANT;
  },
};
