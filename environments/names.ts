/**
 * Every AWS name the program derives from an environment's name, and the length AWS (or the
 * construct that builds it) accepts. The definition check refuses a name that would make any of
 * them too long, before a construct is built; features/naming.ts takes the prefix from here.
 *
 * A test (__tests__/definition-rules.test.ts) synthesizes an environment and checks that every
 * name of these resource types in the output is one of the names below, so a new named resource
 * cannot be added without its limit.
 */

/** Prefix of every environment-scoped AWS name: `toronto-ai-<env>`. */
export const NAME_PREFIX = 'toronto-ai';

export function namePrefix(envName: string): string {
  return `${NAME_PREFIX}-${envName}`;
}

/** What a generated name depends on besides the environment's name. */
export interface NameContext {
  readonly name: string;
  /** `aws.allowedAccountIds[0]`: bucket names carry it to be globally unique. */
  readonly accountId: string;
  readonly region: string;
  /** `backup.replicaRegion`, when there is an offsite replica. */
  readonly replicaRegion?: string;
  /** `stateBackend.region` of an S3 backend. */
  readonly stateRegion?: string;
  /** Last path segments of the release images' repositories (`app.image`, `services.agents.image`): ECR repositories carry them. */
  readonly imageRepositories?: readonly string[];
}

export interface GeneratedName {
  /** Terraform resource type and the attribute holding the name. */
  readonly resource: string;
  readonly attribute: string;
  /** Longest name accepted. */
  readonly limit: number;
  /** Where the limit comes from. */
  readonly rule: string;
  /** The names of this kind for an environment (empty when the resource is not created). */
  readonly names: (ctx: NameContext) => string[];
}

const p = (ctx: NameContext) => namePrefix(ctx.name);
const S3 = 'S3 bucket names are at most 63 characters';
const IAM_ROLE = 'IAM role names are at most 64 characters';
const TG = 'target group names are at most 32 characters';

/** The application channels and queues (features/app/contract.ts, features/services/contract.ts). */
const CHANNELS = ['stable', 'beta'];
const QUEUES = ['agent-tasks', 'celery'];
/** Services with AWS needs: one Pod Identity role per (channel, service) (features/services/cloud.ts). */
const SERVICE_ROLE_KEYS = ['agents', 'coordinator', 'workers', 'beat', 'websocket', 'onboarding', 'feedback'];
const queueNames = (c: NameContext) => CHANNELS.flatMap((ch) => QUEUES.map((q) => `${p(c)}-${ch}-${q}`));

/** Workload roles (features/<area>/cloud.ts): `<prefix>-<suffix>`. */
export const IAM_ROLE_SUFFIXES = [
  'node', 'velero', 'cluster', 'ebs-csi', 'vpc-cni', 'vault-unseal', 'chroma-backup', 'vpc-flow-logs',
  'mongodb-backup', 'postgres-backup', 'backup-replication', 'cluster-autoscaler', 'aws-load-balancer-controller',
  'external-secrets', 'app-cache', 'beta-cache', 'github-deploy', 'vault-snapshot-backup', 'kms-break-glass', 'vault-restore',
  'files-replication', 'keda-operator', 'inference', 'model-sync', 'kms-events-forward',
  ...CHANNELS.flatMap((ch) => SERVICE_ROLE_KEYS.map((s) => `${ch}-${s}`)),
] as const;

export const GENERATED_NAMES: readonly GeneratedName[] = [
  { resource: 'aws_s3_bucket', attribute: 'bucket', limit: 63, rule: S3, names: (c) => [
    `${p(c)}-backups-${c.accountId}`,
    `${p(c)}-access-logs-${c.accountId}`,
    `${p(c)}-alb-logs-${c.accountId}`,
    `${p(c)}-static-assets-${c.accountId}`,
    `${p(c)}-files-${c.accountId}`,
    `${p(c)}-models-${c.accountId}`,
    ...(c.replicaRegion ? [`${p(c)}-backups-${c.accountId}-${c.replicaRegion}`, `${p(c)}-access-logs-${c.accountId}-${c.replicaRegion}`, `${p(c)}-files-${c.accountId}-${c.replicaRegion}`] : []),
    ...(c.stateRegion && c.stateRegion !== c.region ? [`${p(c)}-access-logs-${c.accountId}-${c.stateRegion}`] : []),
    // audit.cloudTrail 'create' (features/backups/key-protection.ts).
    `${p(c)}-cloudtrail-${c.accountId}`,
  ] },
  { resource: 'aws_iam_role', attribute: 'name', limit: 64, rule: IAM_ROLE, names: (c) => IAM_ROLE_SUFFIXES.map((s) => `${p(c)}-${s}`) },
  { resource: 'aws_lb', attribute: 'name', limit: 32, rule: 'load balancer names are at most 32 characters', names: (c) => [`${p(c)}-alb`] },
  // A construct's own rule: constructs/edge/load-balancer.ts keeps 6 of the 32 characters for suffixes.
  { resource: 'constructs/edge/load-balancer.ts', attribute: 'namePrefix', limit: 26, rule: 'the load balancer construct takes a name prefix of at most 26 characters', names: (c) => [p(c)] },
  { resource: 'aws_security_group', attribute: 'name', limit: 255, rule: 'security group names are at most 255 characters', names: (c) => [`${p(c)}-alb`, `${p(c)}-cache`, `${p(c)}-vpc-endpoints`, `${p(c)}-deploy-runner`] },
  { resource: 'aws_lb_target_group', attribute: 'name', limit: 32, rule: TG, names: (c) => [`${p(c)}-app`, `${p(c)}-beta`, `${p(c)}-ws`, `${p(c)}-bws`] },
  { resource: 'aws_elasticache_replication_group', attribute: 'replication_group_id', limit: 40, rule: 'ElastiCache replication group ids are at most 40 characters', names: (c) => [`${p(c)}-cache`] },
  { resource: 'aws_elasticache_subnet_group', attribute: 'name', limit: 255, rule: 'ElastiCache subnet group names are at most 255 characters', names: (c) => [`${p(c)}-cache`] },
  { resource: 'aws_eks_cluster', attribute: 'name', limit: 100, rule: 'EKS cluster names are at most 100 characters', names: (c) => [p(c)] },
  { resource: 'aws_eks_node_group', attribute: 'node_group_name', limit: 63, rule: 'EKS node group names are at most 63 characters', names: (c) => ['system', 'app', 'database', 'vector', 'inference'].map((n) => `${p(c)}-${n}`) },
  { resource: 'aws_launch_template', attribute: 'name', limit: 128, rule: 'launch template names are at most 128 characters', names: (c) => ['system', 'app', 'database', 'vector', 'inference'].map((n) => `${p(c)}-${n}`) },
  { resource: 'aws_kms_alias', attribute: 'name', limit: 256, rule: 'KMS alias names are at most 256 characters', names: (c) =>
    ['logs', 'cache', 'alerts', 'backups', 'volumes', 'cdn-logs', 'eks-secrets', 'vault-unseal', 'static-assets', 'backups-replica', 'terraform-state', 'alerts-us-east-1', 'platform-secrets', 'services', 'files-replica', 'backups-mr', 'vault-unseal-mr', 'cloudtrail', 'api-keys'].map((s) => `alias/${p(c)}-${s}`) },
  { resource: 'aws_sns_topic', attribute: 'name', limit: 256, rule: 'SNS topic names are at most 256 characters', names: (c) => [`${p(c)}-alerts`, `${p(c)}-alerts-us-east-1`] },
  { resource: 'aws_wafv2_web_acl', attribute: 'name', limit: 128, rule: 'WAF web ACL names are at most 128 characters', names: (c) => [p(c), `${p(c)}-cdn`] },
  { resource: 'aws_cloudwatch_log_group', attribute: 'name', limit: 512, rule: 'CloudWatch log group names are at most 512 characters', names: (c) => [
    `aws-waf-logs-${p(c)}`, `aws-waf-logs-${p(c)}-cdn`, `/aws/eks/${p(c)}/cluster`, `/aws/vpc/${p(c)}/flow-logs`, `/aws/elasticache/${p(c)}-cache`,
  ] },
  { resource: 'aws_cloudwatch_log_resource_policy', attribute: 'policy_name', limit: 255, rule: 'CloudWatch Logs resource policy names are at most 255 characters', names: (c) => [`${p(c)}-waf-log-delivery`, `${p(c)}-cdn-waf-log-delivery`] },
  { resource: 'aws_cloudwatch_metric_alarm', attribute: 'alarm_name', limit: 255, rule: 'CloudWatch alarm names are at most 255 characters', names: (c) => [
    `${p(c)}-certificate-expiry`, `${p(c)}-cdn-certificate-expiry`, `${p(c)}-cache-EngineCPUUtilization`, `${p(c)}-cache-DatabaseMemoryUsagePercentage`,
    `${p(c)}-backup-replication-lag`, `${p(c)}-backup-replication-failed`,
    `${p(c)}-files-replication-lag`, `${p(c)}-files-replication-failed`,
    ...queueNames(c).flatMap((q) => [`${q}-oldest-message`, `${q}-dlq-messages`]),
  ] },
  { resource: 'aws_sqs_queue', attribute: 'name', limit: 80, rule: 'SQS queue names are at most 80 characters', names: (c) => queueNames(c).flatMap((q) => [q, `${q}-dlq`]) },
  { resource: 'aws_sesv2_configuration_set', attribute: 'configuration_set_name', limit: 64, rule: 'SES configuration set names are at most 64 characters', names: (c) => [`${p(c)}-email`] },
  { resource: 'aws_ecr_repository', attribute: 'name', limit: 256, rule: 'ECR repository names are at most 256 characters', names: (c) => (c.imageRepositories ?? []).map((r) => `${p(c)}/${r}`) },
  { resource: 'aws_cloudwatch_event_rule', attribute: 'name', limit: 64, rule: 'EventBridge rule names are at most 64 characters', names: (c) => [`${p(c)}-alerts-guardduty-findings`, `${p(c)}-alerts-kms-key-changes`, `${p(c)}-alerts-trail-changes`, `${p(c)}-kms-key-changes-forward`] },
  { resource: 'aws_cloudtrail', attribute: 'name', limit: 128, rule: 'CloudTrail trail names are at most 128 characters', names: (c) => [p(c)] },
  { resource: 'aws_cloudfront_origin_access_control', attribute: 'name', limit: 64, rule: 'CloudFront origin access control names are at most 64 characters', names: (c) => [`${p(c)}-static-assets`] },
  { resource: 'aws_cloudfront_response_headers_policy', attribute: 'name', limit: 128, rule: 'CloudFront response headers policy names are at most 128 characters', names: (c) => [`${p(c)}-security-headers`] },
];
