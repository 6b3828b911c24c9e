import { PolicyRule, fromProblems, nonCompliant } from '../types';
import { isTrue } from '../util';

/** TAI-EC-1: Redis encrypted at rest with a customer key. */
export const elasticacheAtRest: PolicyRule = {
  id: 'TAI-EC-1',
  title: 'ElastiCache (Redis/Valkey) encrypts data at rest with a KMS key',
  explanation:
    'aws_elasticache_replication_group sets at_rest_encryption_enabled = true and kms_key_id; a ' +
    'Redis aws_elasticache_cluster outside a replication group cannot encrypt and is not allowed ' +
    '(SEC-3, DATA-4).',
  references: { checkov: ['CKV_AWS_29', 'CKV_AWS_191'], cdkNag: ['AwsSolutions-AEC3'] },
  resourceTypes: ['aws_elasticache_replication_group', 'aws_elasticache_cluster', 'aws_elasticache_serverless_cache'],
  check(resource) {
    const c = resource.config;
    if (resource.type === 'aws_elasticache_serverless_cache') return fromProblems(c.kms_key_id ? [] : ['no kms_key_id']);
    if (resource.type === 'aws_elasticache_cluster') {
      if (c.replication_group_id) return fromProblems([]);
      return nonCompliant(`standalone ${c.engine ?? 'cache'} cluster cannot encrypt at rest; use a replication group`);
    }
    const problems: string[] = [];
    if (!isTrue(c.at_rest_encryption_enabled)) problems.push('at_rest_encryption_enabled is not true');
    if (!c.kms_key_id) problems.push('no kms_key_id (AWS-managed key)');
    return fromProblems(problems);
  },
};
