import { PolicyRule, fromProblems } from '../types';
import { isTrue } from '../util';

/** TAI-EC-2: Redis TLS and authentication. */
export const elasticacheInTransit: PolicyRule = {
  id: 'TAI-EC-2',
  title: 'ElastiCache (Redis/Valkey) requires TLS and authentication',
  explanation:
    'aws_elasticache_replication_group sets transit_encryption_enabled = true (with ' +
    'transit_encryption_mode "required" when given) and authenticates clients with user groups or ' +
    'an auth token taken from a secret, never a literal (DATA-4, SEC-3).',
  references: { checkov: ['CKV_AWS_30', 'CKV_AWS_31'], cdkNag: ['AwsSolutions-AEC3', 'AwsSolutions-AEC6'] },
  resourceTypes: ['aws_elasticache_replication_group'],
  check(group) {
    const c = group.config;
    const problems: string[] = [];
    if (!isTrue(c.transit_encryption_enabled)) problems.push('transit_encryption_enabled is not true');
    if (c.transit_encryption_mode && c.transit_encryption_mode !== 'required') problems.push(`transit_encryption_mode is ${c.transit_encryption_mode}`);
    if (!c.auth_token && !(Array.isArray(c.user_group_ids) && c.user_group_ids.length > 0)) problems.push('no auth_token or user_group_ids');
    return fromProblems(problems);
  },
};
