import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { hasCondition, policyStatements } from '../util';

/** TAI-S3-2: a bucket policy denying every request that is not TLS. */
export const s3TlsOnly: PolicyRule = {
  id: 'TAI-S3-2',
  title: 'S3 buckets deny requests without TLS',
  explanation:
    'Every aws_s3_bucket needs an aws_s3_bucket_policy with a Deny statement for all principals ' +
    'conditioned on aws:SecureTransport = false, so no client can read or write over plain HTTP (SEC-3).',
  references: { checkov: [], cdkNag: ['AwsSolutions-S10', 'NIST.800.53.R5-S3BucketSSLRequestsOnly'] },
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, context) {
    const policies = context.referencing('aws_s3_bucket_policy', 'bucket', bucket, [bucket.config.bucket]);
    if (policies.length === 0) return nonCompliant('no aws_s3_bucket_policy refers to this bucket');
    for (const p of policies) {
      const statements = policyStatements(p.config.policy, context) ?? [];
      if (statements.some((s) => s.effect === 'Deny' && hasCondition(s.condition, 'Bool', 'aws:SecureTransport', 'false'))) {
        return COMPLIANT;
      }
    }
    return nonCompliant('the bucket policy has no Deny statement on aws:SecureTransport = false');
  },
};
