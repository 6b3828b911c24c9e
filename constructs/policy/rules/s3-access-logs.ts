import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from '../types';
import { isLogDeliveryTarget } from './s3-common';

/** TAI-S3-5: server access logging. */
export const s3AccessLogs: PolicyRule = {
  id: 'TAI-S3-5',
  title: 'S3 buckets write server access logs',
  explanation:
    'Every aws_s3_bucket that is not itself a log destination needs an aws_s3_bucket_logging ' +
    'sending its access logs to the environment\'s access-log bucket, so reads and deletes of ' +
    'backups can be audited. The access-log bucket itself is exempt (logging it into itself loops).',
  references: { checkov: ['CKV_AWS_18'], cdkNag: ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled'] },
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, context) {
    if (isLogDeliveryTarget(bucket, context)) return NOT_APPLICABLE;
    const logging = context.referencing('aws_s3_bucket_logging', 'bucket', bucket, [bucket.config.bucket]);
    return logging.length > 0 && logging[0].config.target_bucket ? COMPLIANT : nonCompliant('no aws_s3_bucket_logging refers to this bucket');
  },
};
