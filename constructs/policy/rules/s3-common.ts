import { RuleContext, SynthResource } from '../types';
import { block, blocks } from '../util';

/** Whether a bucket receives S3 server access logs or load balancer access logs. */
export function isLogDeliveryTarget(bucket: SynthResource, context: RuleContext): boolean {
  const names = [bucket.config.bucket, `\${${bucket.address}.id}`, `\${${bucket.address}.bucket}`];
  const matches = (v: unknown) => typeof v === 'string' && (v.includes(`\${${bucket.address}.`) || names.includes(v));
  if (context.byType('aws_s3_bucket_logging').some((l) => matches(l.config.target_bucket))) return true;
  return [...context.byType('aws_lb'), ...context.byType('aws_alb')].some((lb) =>
    blocks(lb.config.access_logs).concat(blocks(lb.config.connection_logs)).some((a) => matches(a.bucket)),
  ) || context.byType('aws_cloudfront_distribution').some((d) => matches(block(d.config.logging_config).bucket));
}
