import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { asList, block, blocks } from '../util';

/** TAI-EKS-1: envelope encryption of Kubernetes secrets. */
export const eksSecretsEncryption: PolicyRule = {
  id: 'TAI-EKS-1',
  title: 'EKS clusters encrypt Kubernetes secrets with a customer-managed KMS key',
  explanation:
    'aws_eks_cluster sets encryption_config with resources ["secrets"] and provider.key_arn, so ' +
    'secrets in etcd are envelope-encrypted with the environment\'s secrets key (K8S-1, SEC-3).',
  references: { checkov: ['CKV_AWS_58'], cdkNag: [] },
  resourceTypes: ['aws_eks_cluster'],
  check(cluster) {
    const configs = blocks(cluster.config.encryption_config);
    const secrets = configs.find((c) => asList(c.resources).includes('secrets'));
    if (!secrets) return nonCompliant('no encryption_config covers "secrets"');
    return block(secrets.provider).key_arn ? COMPLIANT : nonCompliant('encryption_config has no provider.key_arn');
  },
};
