import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { block } from '../util';

/** TAI-S3-4: versioning enabled. */
export const s3Versioning: PolicyRule = {
  id: 'TAI-S3-4',
  title: 'S3 buckets are versioned',
  explanation:
    'Every aws_s3_bucket needs an aws_s3_bucket_versioning with status Enabled, so an overwrite or ' +
    'a delete keeps the previous version (BAK-1). Suspending versioning is a reviewed change.',
  references: { checkov: ['CKV_AWS_21'], cdkNag: ['NIST.800.53.R5-S3BucketVersioningEnabled'] },
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, context) {
    const versioning = context.referencing('aws_s3_bucket_versioning', 'bucket', bucket, [bucket.config.bucket]);
    if (versioning.length === 0) return nonCompliant('no aws_s3_bucket_versioning refers to this bucket');
    const status = block(versioning[0].config.versioning_configuration).status;
    return status === 'Enabled' ? COMPLIANT : nonCompliant(`versioning status is ${status ?? 'unset'}, expected Enabled`);
  },
};
