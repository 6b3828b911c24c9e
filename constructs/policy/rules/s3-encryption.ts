import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { block, blocks } from '../util';
import { isLogDeliveryTarget } from './s3-common';

/** TAI-S3-1: default encryption with a KMS key. */
export const s3Encryption: PolicyRule = {
  id: 'TAI-S3-1',
  title: 'S3 buckets encrypt objects with a customer-managed KMS key',
  explanation:
    'Every aws_s3_bucket needs an aws_s3_bucket_server_side_encryption_configuration with ' +
    'sse_algorithm aws:kms (or aws:kms:dsse) and an explicit kms_master_key_id (SEC-3). Buckets ' +
    'that receive S3 server access logs or load balancer access logs may use AES256, the only ' +
    'encryption those AWS log deliveries support.',
  references: { checkov: ['CKV_AWS_145', 'CKV_AWS_19'], cdkNag: ['NIST.800.53.R5-S3DefaultEncryptionKMS'] },
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, context) {
    const configs = context.referencing('aws_s3_bucket_server_side_encryption_configuration', 'bucket', bucket, [bucket.config.bucket]);
    if (configs.length === 0) return nonCompliant('no aws_s3_bucket_server_side_encryption_configuration refers to this bucket');
    const defaults = blocks(configs[0].config.rule).map((r) => block(r.apply_server_side_encryption_by_default));
    const kms = defaults.find((d) => String(d.sse_algorithm).startsWith('aws:kms'));
    if (kms) return kms.kms_master_key_id ? COMPLIANT : nonCompliant('sse_algorithm aws:kms without kms_master_key_id (AWS-managed key)');
    if (defaults.some((d) => d.sse_algorithm === 'AES256') && isLogDeliveryTarget(bucket, context)) return COMPLIANT;
    return nonCompliant(`sse_algorithm is ${defaults.map((d) => d.sse_algorithm).join(', ') || 'unset'}, expected aws:kms with a customer key`);
  },
};
