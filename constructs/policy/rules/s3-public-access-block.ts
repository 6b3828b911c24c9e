import { PolicyRule, fromProblems, nonCompliant } from '../types';
import { isTrue } from '../util';

const SETTINGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

/** TAI-S3-3: all four public access block settings on. */
export const s3PublicAccessBlock: PolicyRule = {
  id: 'TAI-S3-3',
  title: 'S3 buckets block every form of public access',
  explanation:
    'Every aws_s3_bucket needs an aws_s3_bucket_public_access_block with block_public_acls, ' +
    'block_public_policy, ignore_public_acls and restrict_public_buckets all true (BAK-1). Public ' +
    'content is served through the CDN, never from a public bucket.',
  references: { checkov: ['CKV2_AWS_6', 'CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56'], cdkNag: ['AwsSolutions-S2'] },
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, context) {
    const blocks = context.referencing('aws_s3_bucket_public_access_block', 'bucket', bucket, [bucket.config.bucket]);
    if (blocks.length === 0) return nonCompliant('no aws_s3_bucket_public_access_block refers to this bucket');
    return fromProblems(SETTINGS.filter((s) => !isTrue(blocks[0].config[s])).map((s) => `${s} is not true`));
  },
};
