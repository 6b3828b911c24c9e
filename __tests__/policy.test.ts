/**
 * The policy pack (constructs/policy): every rule fails a small non-compliant stack with its id on
 * the offending construct and passes a compliant one; suppressions need a reason and are counted;
 * and the shipped stacks synthesize with zero findings.
 */
import { App, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { IConstruct } from 'constructs';
import {
  POLICY_RULES,
  PolicyTier,
  applyPolicies,
  evaluate,
  policyReportOf,
  policyTierOf,
  setPolicyTier,
  suppress,
  suppressionsUnder,
} from '../constructs/policy';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { buildStacks } from '../stacks/app';
import { policyReports, renderPolicyReport, renderRuleTable } from '../scripts/policy-report';
import { isSensitiveKey } from '../constructs/policy/rules/literal-secrets';
import { Json, shipped } from './helpers';
import { scratchDir } from './scratch';

type Config = Record<string, unknown>;

/** A resource given by its synthesized (snake_case) configuration. */
function raw(scope: IConstruct, type: string, id: string, config: Config): TerraformResource {
  const r = new TerraformResource(scope as any, id, { terraformResourceType: type });
  for (const [k, v] of Object.entries(config)) r.addOverride(k, v);
  return r;
}

interface Error {
  readonly path: string;
  readonly message: string;
}

/** Builds a one-off stack of `tier`, runs the policy aspect through a test synth, returns the errors. */
function errorsOf(tier: PolicyTier, build: (stack: TerraformStack) => void): Error[] {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  setPolicyTier(stack, tier);
  build(stack);
  applyPolicies(stack);
  Testing.synth(stack);
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/error').map((m) => ({ path: c.node.path, message: String(m.data) })));
}

const SSE_KMS = { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: 'arn:aws:kms:ca-central-1:111122223333:key/k' } }] };
const SSE_AES = { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] };
const TLS_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b1', 'arn:aws:s3:::b1/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
});

interface BucketOptions {
  sse?: Config | null;
  policy?: string | null;
  publicAccessBlock?: Config | null;
  versioning?: string | null;
  logging?: boolean;
}

/** A bucket `subject` with everything the S3 rules ask for, minus what `o` removes. */
function bucket(s: TerraformStack, o: BucketOptions = {}): void {
  raw(s, 'aws_s3_bucket', 'subject', { bucket: 'b1' });
  const ref = '${aws_s3_bucket.subject.id}';
  const sse = o.sse === undefined ? SSE_KMS : o.sse;
  if (sse) raw(s, 'aws_s3_bucket_server_side_encryption_configuration', 'sse', { bucket: ref, ...sse });
  const policy = o.policy === undefined ? TLS_POLICY : o.policy;
  if (policy) raw(s, 'aws_s3_bucket_policy', 'policy', { bucket: ref, policy });
  const pab = o.publicAccessBlock === undefined ? { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true } : o.publicAccessBlock;
  if (pab) raw(s, 'aws_s3_bucket_public_access_block', 'pab', { bucket: ref, ...pab });
  const versioning = o.versioning === undefined ? 'Enabled' : o.versioning;
  if (versioning) raw(s, 'aws_s3_bucket_versioning', 'versioning', { bucket: ref, versioning_configuration: { status: versioning } });
  if (o.logging !== false) {
    // The access-log bucket: itself compliant (AES256 is what S3 log delivery supports).
    raw(s, 'aws_s3_bucket', 'access-logs', { bucket: 'logs1' });
    const logsRef = '${aws_s3_bucket.access-logs.id}';
    raw(s, 'aws_s3_bucket_server_side_encryption_configuration', 'logs-sse', { bucket: logsRef, ...SSE_AES });
    raw(s, 'aws_s3_bucket_policy', 'logs-policy', { bucket: logsRef, policy: TLS_POLICY });
    raw(s, 'aws_s3_bucket_public_access_block', 'logs-pab', { bucket: logsRef, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    raw(s, 'aws_s3_bucket_versioning', 'logs-versioning', { bucket: logsRef, versioning_configuration: { status: 'Enabled' } });
    raw(s, 'aws_s3_bucket_logging', 'logging', { bucket: ref, target_bucket: '${aws_s3_bucket.access-logs.id}', target_prefix: 'b1/' });
  }
}

const LAUNCH_TEMPLATE = {
  name: 'nodes',
  metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
  block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true', kms_key_id: 'arn:aws:kms:ca-central-1:111122223333:key/v', volume_size: 100 } }],
};

const EKS = {
  name: 'c1',
  role_arn: 'arn:aws:iam::111122223333:role/c1',
  enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
  encryption_config: { resources: ['secrets'], provider: { key_arn: 'arn:aws:kms:ca-central-1:111122223333:key/s' } },
  vpc_config: { subnet_ids: ['subnet-1'], endpoint_private_access: true, endpoint_public_access: false },
  lifecycle: { prevent_destroy: true },
};

function lb(s: TerraformStack, config: Config = {}, sgIngress?: Config[]): void {
  raw(s, 'aws_security_group', 'lb-sg', {
    name: 'lb',
    ingress: sgIngress ?? [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }],
  });
  raw(s, 'aws_lb', 'subject', {
    name: 'edge',
    load_balancer_type: 'application',
    security_groups: ['${aws_security_group.lb-sg.id}'],
    access_logs: { enabled: true, bucket: 'logs1' },
    enable_deletion_protection: true,
    ...config,
  });
}

const CONTAINER = {
  name: 'app',
  image: 'ghcr.io/toronto-ai/app:1.4.2',
  security_context: { run_as_non_root: true, run_as_user: '10001', allow_privilege_escalation: false, read_only_root_filesystem: true },
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  liveness_probe: { http_get: { path: '/api/health/', port: '8000' } },
  readiness_probe: { http_get: { path: '/api/health/ready/', port: '8000' } },
};

function deployment(s: TerraformStack, container: Config = {}, pod: Config = {}, namespace: string | null = 'toronto-ai'): void {
  raw(s, 'kubernetes_deployment_v1', 'subject', {
    metadata: { name: 'app', ...(namespace ? { namespace } : {}) },
    spec: { replicas: '2', template: { metadata: { labels: { app: 'app' } }, spec: { ...pod, container: [{ ...CONTAINER, ...container }] } } },
  });
}

function helm(s: TerraformStack, config: Config = {}): void {
  raw(s, 'helm_release', 'subject', {
    name: 'vault',
    namespace: 'vault',
    chart: 'vault',
    repository: 'https://helm.releases.hashicorp.com',
    version: '0.34.1',
    values: [JSON.stringify({ server: { ha: { enabled: true } } })],
    ...config,
  });
}

const KEY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Account', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
});

function iamPolicy(statement: Config): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

interface RuleCase {
  readonly rule: string;
  readonly tier?: PolicyTier;
  readonly good: (s: TerraformStack) => void;
  readonly bad: (s: TerraformStack) => void;
  /** What the error message must say. */
  readonly reason: RegExp;
}

const CASES: RuleCase[] = [
  { rule: 'TAI-S3-1', good: (s) => bucket(s), bad: (s) => bucket(s, { sse: SSE_AES }), reason: /sse_algorithm is AES256/ },
  { rule: 'TAI-S3-2', good: (s) => bucket(s), bad: (s) => bucket(s, { policy: null }), reason: /no aws_s3_bucket_policy/ },
  {
    rule: 'TAI-S3-3',
    good: (s) => bucket(s),
    bad: (s) => bucket(s, { publicAccessBlock: { block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: true } }),
    reason: /block_public_policy is not true/,
  },
  { rule: 'TAI-S3-4', good: (s) => bucket(s), bad: (s) => bucket(s, { versioning: 'Suspended' }), reason: /versioning status is Suspended/ },
  { rule: 'TAI-S3-5', good: (s) => bucket(s), bad: (s) => bucket(s, { logging: false }), reason: /no aws_s3_bucket_logging/ },
  {
    rule: 'TAI-EC2-1',
    good: (s) => raw(s, 'aws_launch_template', 'subject', LAUNCH_TEMPLATE),
    bad: (s) => raw(s, 'aws_launch_template', 'subject', { ...LAUNCH_TEMPLATE, block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 100 } }] }),
    reason: /\/dev\/xvda: encrypted is not true/,
  },
  {
    rule: 'TAI-EC2-2',
    good: (s) => raw(s, 'aws_launch_template', 'subject', LAUNCH_TEMPLATE),
    bad: (s) => raw(s, 'aws_launch_template', 'subject', { ...LAUNCH_TEMPLATE, metadata_options: { http_tokens: 'optional', http_put_response_hop_limit: 2 } }),
    reason: /http_tokens is optional/,
  },
  {
    rule: 'TAI-NET-1',
    good: (s) => lb(s),
    bad: (s) => raw(s, 'aws_security_group', 'subject', { name: 'admin', ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] }),
    reason: /port 22 \(tcp\) open to 0\.0\.0\.0\/0/,
  },
  {
    rule: 'TAI-NET-2',
    good: (s) => raw(s, 'aws_subnet', 'subject', { vpc_id: 'vpc-1', cidr_block: '10.0.0.0/24', map_public_ip_on_launch: false }),
    bad: (s) => raw(s, 'aws_subnet', 'subject', { vpc_id: 'vpc-1', cidr_block: '10.0.0.0/24', map_public_ip_on_launch: true }),
    reason: /map_public_ip_on_launch is true/,
  },
  {
    rule: 'TAI-NET-3',
    good: (s) => {
      raw(s, 'aws_vpc', 'subject', { cidr_block: '10.0.0.0/16' });
      raw(s, 'aws_flow_log', 'flow', { vpc_id: '${aws_vpc.subject.id}', traffic_type: 'ALL', log_destination: 'arn:aws:logs:x' });
    },
    bad: (s) => raw(s, 'aws_vpc', 'subject', { cidr_block: '10.0.0.0/16' }),
    reason: /no aws_flow_log/,
  },
  {
    rule: 'TAI-NET-4',
    good: (s) => {
      raw(s, 'aws_vpc', 'subject', { cidr_block: '10.0.0.0/16' });
      raw(s, 'aws_flow_log', 'flow', { vpc_id: '${aws_vpc.subject.id}', traffic_type: 'ALL', log_destination: 'arn:aws:logs:x' });
      raw(s, 'aws_default_security_group', 'default-sg', { vpc_id: '${aws_vpc.subject.id}' });
    },
    bad: (s) => {
      raw(s, 'aws_vpc', 'subject', { cidr_block: '10.0.0.0/16' });
      raw(s, 'aws_default_security_group', 'default-sg', { vpc_id: '${aws_vpc.subject.id}', ingress: [{ protocol: '-1', from_port: 0, to_port: 0, self: true }] });
    },
    reason: /the default security group has ingress rules/,
  },
  {
    rule: 'TAI-EKS-1',
    good: (s) => raw(s, 'aws_eks_cluster', 'subject', EKS),
    bad: (s) => raw(s, 'aws_eks_cluster', 'subject', { ...EKS, encryption_config: undefined }),
    reason: /no encryption_config covers "secrets"/,
  },
  {
    rule: 'TAI-EKS-2',
    good: (s) => raw(s, 'aws_eks_cluster', 'subject', EKS),
    bad: (s) => raw(s, 'aws_eks_cluster', 'subject', { ...EKS, enabled_cluster_log_types: ['api'] }),
    reason: /log type audit is not enabled/,
  },
  {
    rule: 'TAI-EKS-3',
    good: (s) => raw(s, 'aws_eks_cluster', 'subject', EKS),
    bad: (s) => raw(s, 'aws_eks_cluster', 'subject', { ...EKS, vpc_config: { subnet_ids: ['subnet-1'], endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] } }),
    reason: /endpoint_public_access is not false in production/,
  },
  {
    rule: 'TAI-LOG-1',
    good: (s) => raw(s, 'aws_cloudwatch_log_group', 'subject', { name: '/x', retention_in_days: 30, kms_key_id: 'arn:aws:kms:k', lifecycle: { prevent_destroy: true } }),
    bad: (s) => raw(s, 'aws_cloudwatch_log_group', 'subject', { name: '/x', retention_in_days: 30, lifecycle: { prevent_destroy: true } }),
    reason: /no kms_key_id/,
  },
  {
    rule: 'TAI-LOG-2',
    good: (s) => raw(s, 'aws_cloudwatch_log_group', 'subject', { name: '/x', retention_in_days: 30, kms_key_id: 'arn:aws:kms:k' }),
    bad: (s) => raw(s, 'aws_cloudwatch_log_group', 'subject', { name: '/x', kms_key_id: 'arn:aws:kms:k' }),
    reason: /retention_in_days is unset/,
  },
  { rule: 'TAI-ELB-1', good: (s) => lb(s), bad: (s) => lb(s, { access_logs: { enabled: false, bucket: 'logs1' } }), reason: /access_logs.enabled is not true/ },
  {
    rule: 'TAI-ELB-2',
    good: (s) => {
      raw(s, 'aws_lb_listener', 'subject', { load_balancer_arn: 'arn:lb', port: 443, protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificate_arn: 'arn:cert', default_action: [{ type: 'forward', target_group_arn: 'arn:tg' }] });
      raw(s, 'aws_lb_listener', 'http', { load_balancer_arn: 'arn:lb', port: 80, protocol: 'HTTP', default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }] });
    },
    bad: (s) => raw(s, 'aws_lb_listener', 'subject', { load_balancer_arn: 'arn:lb', port: 80, protocol: 'HTTP', default_action: [{ type: 'forward', target_group_arn: 'arn:tg' }] }),
    reason: /HTTP listener does not redirect to HTTPS/,
  },
  { rule: 'TAI-ELB-3', good: (s) => lb(s), bad: (s) => lb(s, { enable_deletion_protection: false }), reason: /enable_deletion_protection is not true/ },
  {
    rule: 'TAI-WAF-1',
    good: (s) => {
      raw(s, 'aws_wafv2_web_acl', 'subject', { name: 'edge', scope: 'REGIONAL' });
      raw(s, 'aws_wafv2_web_acl_logging_configuration', 'waf-logs', { resource_arn: '${aws_wafv2_web_acl.subject.arn}', log_destination_configs: ['arn:aws:logs:x:aws-waf-logs-edge'] });
    },
    bad: (s) => raw(s, 'aws_wafv2_web_acl', 'subject', { name: 'edge', scope: 'REGIONAL' }),
    reason: /no aws_wafv2_web_acl_logging_configuration/,
  },
  {
    rule: 'TAI-EC-1',
    good: (s) => raw(s, 'aws_elasticache_replication_group', 'subject', { replication_group_id: 'r', description: 'r', at_rest_encryption_enabled: 'true', kms_key_id: 'arn:aws:kms:k', transit_encryption_enabled: true, user_group_ids: ['ug'], lifecycle: { prevent_destroy: true } }),
    bad: (s) => raw(s, 'aws_elasticache_replication_group', 'subject', { replication_group_id: 'r', description: 'r', transit_encryption_enabled: true, user_group_ids: ['ug'], lifecycle: { prevent_destroy: true } }),
    reason: /at_rest_encryption_enabled is not true/,
  },
  {
    rule: 'TAI-EC-2',
    good: (s) => raw(s, 'aws_elasticache_replication_group', 'subject', { replication_group_id: 'r', description: 'r', at_rest_encryption_enabled: 'true', kms_key_id: 'arn:aws:kms:k', transit_encryption_enabled: true, user_group_ids: ['ug'] }),
    bad: (s) => raw(s, 'aws_elasticache_replication_group', 'subject', { replication_group_id: 'r', description: 'r', at_rest_encryption_enabled: 'true', kms_key_id: 'arn:aws:kms:k', transit_encryption_enabled: false }),
    reason: /transit_encryption_enabled is not true; no auth_token or user_group_ids/,
  },
  {
    rule: 'TAI-KMS-1',
    good: (s) => raw(s, 'aws_kms_key', 'subject', { enable_key_rotation: true, policy: KEY_POLICY }),
    bad: (s) => raw(s, 'aws_kms_key', 'subject', { enable_key_rotation: false, policy: KEY_POLICY }),
    reason: /enable_key_rotation is not true/,
  },
  {
    rule: 'TAI-KMS-2',
    good: (s) => raw(s, 'aws_kms_key', 'subject', { enable_key_rotation: true, policy: KEY_POLICY }),
    bad: (s) => raw(s, 'aws_kms_key', 'subject', { enable_key_rotation: true }),
    reason: /no key policy/,
  },
  {
    rule: 'TAI-IAM-1',
    good: (s) => raw(s, 'aws_iam_role_policy', 'subject', { role: 'r', policy: iamPolicy({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b1/*' }) }),
    bad: (s) => raw(s, 'aws_iam_role_policy', 'subject', { role: 'r', policy: iamPolicy({ Effect: 'Allow', Action: '*', Resource: '*' }) }),
    reason: /Allow "\*" on "\*"/,
  },
  {
    rule: 'TAI-DATA-1',
    tier: 'staging',
    good: (s) => raw(s, 'aws_cloudwatch_log_group', 'subject', { name: '/x', retention_in_days: 30, kms_key_id: 'k', lifecycle: { prevent_destroy: true } }),
    bad: (s) => raw(s, 'aws_cloudwatch_log_group', 'subject', { name: '/x', retention_in_days: 30, kms_key_id: 'k' }),
    reason: /no lifecycle.prevent_destroy in staging/,
  },
  { rule: 'TAI-K8S-1', good: (s) => deployment(s), bad: (s) => deployment(s, { security_context: { run_as_user: '0' } }), reason: /container app: may run as root.*allow_privilege_escalation is not false/ },
  { rule: 'TAI-K8S-2', good: (s) => deployment(s), bad: (s) => deployment(s, { resources: { requests: { cpu: '100m', memory: '64Mi' } } }), reason: /container app: no limits.cpu\/memory/ },
  { rule: 'TAI-K8S-3', good: (s) => deployment(s), bad: (s) => deployment(s, { readiness_probe: undefined }), reason: /container app: no readiness_probe/ },
  { rule: 'TAI-K8S-4', good: (s) => deployment(s), bad: (s) => deployment(s, { image: 'ghcr.io/toronto-ai/app:latest' }), reason: /uses the moving tag :latest/ },
  { rule: 'TAI-K8S-5', good: (s) => deployment(s), bad: (s) => deployment(s, {}, { host_network: true, host_pid: true }), reason: /host_network is true; host_pid is true/ },
  { rule: 'TAI-K8S-6', good: (s) => deployment(s), bad: (s) => deployment(s, {}, {}, null), reason: /metadata.namespace is unset/ },
  {
    rule: 'TAI-K8S-7',
    good: (s) => deployment(s, {}, { node_selector: { 'toronto-ai.io/pool': 'app' } }),
    bad: (s) => deployment(s, {}, { node_selector: { 'kubernetes.io/os': 'linux' } }),
    reason: /no node_selector on toronto-ai.io\/pool/,
  },
  {
    rule: 'TAI-K8S-8',
    good: (s) => deployment(s),
    bad: (s) => deployment(s, { security_context: { run_as_non_root: true, run_as_user: '10001', allow_privilege_escalation: false } }),
    reason: /container app: read_only_root_filesystem is not true/,
  },
  { rule: 'TAI-HELM-1', good: (s) => helm(s), bad: (s) => helm(s, { version: '~0.34', repository: 'http://charts.example.com' }), reason: /version ~0.34 is not an exact version; repository http:\/\/charts.example.com is not https/ },
  {
    rule: 'TAI-SEC-1',
    good: (s) => helm(s, { values: [JSON.stringify({ auth: { existingSecret: 'redis-auth', password: '' } })] }),
    bad: (s) => helm(s, { values: [JSON.stringify({ auth: { password: 'hunter2-but-longer' } })] }),
    reason: /values\[0\]\(json\)\.auth\.password: literal value/,
  },
];

describe('policy rules', () => {
  test('every rule of the pack has a case here, an id, a title, an explanation and public references', () => {
    expect(CASES.map((c) => c.rule).sort()).toEqual(POLICY_RULES.map((r) => r.id).sort());
    for (const rule of POLICY_RULES) {
      expect(rule.id).toMatch(/^TAI-[A-Z0-9]+-\d+$/);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.explanation.length).toBeGreaterThan(40);
    }
    expect(new Set(POLICY_RULES.map((r) => r.id)).size).toBe(POLICY_RULES.length);
  });

  describe.each(CASES.map((c) => [c.rule, c] as const))('%s', (rule, c) => {
    test('GIVEN a compliant resource WHEN synthesized THEN the rule reports nothing on it', () => {
      const errors = errorsOf(c.tier ?? 'production', c.good).filter((e) => e.message.startsWith(`${rule} `));
      expect(errors).toEqual([]);
    });

    test('GIVEN a non-compliant resource WHEN synthesized THEN an error names the rule and the construct path', () => {
      const errors = errorsOf(c.tier ?? 'production', c.bad).filter((e) => e.message.startsWith(`${rule} `));
      expect(errors.map((e) => e.path)).toEqual(['test/subject']);
      expect(errors[0].message).toMatch(c.reason);
      expect(errors[0].message).toContain(POLICY_RULES.find((r) => r.id === rule)!.title);
    });
  });
});

describe('tier-dependent rules', () => {
  test('prevent_destroy is not required in development', () => {
    const errors = errorsOf('development', (s) => raw(s, 'aws_kms_key', 'subject', { enable_key_rotation: true, policy: KEY_POLICY }));
    expect(errors).toEqual([]);
  });

  test('a public EKS endpoint restricted to known CIDRs is allowed in testing but never open to the world', () => {
    const restricted = { ...EKS, vpc_config: { subnet_ids: ['s'], endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] } };
    expect(errorsOf('testing', (s) => raw(s, 'aws_eks_cluster', 'subject', restricted))).toEqual([]);
    const open = { ...EKS, vpc_config: { subnet_ids: ['s'], endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] } };
    expect(errorsOf('testing', (s) => raw(s, 'aws_eks_cluster', 'subject', open)).map((e) => e.message)).toEqual([
      expect.stringMatching(/^TAI-EKS-3 .*open to 0\.0\.0\.0\/0/),
    ]);
  });

  test('a protected bucket that would still empty itself on destroy (force_destroy) is refused in production', () => {
    const errors = errorsOf('production', (s) => raw(s, 'aws_kms_key', 'subject', { enable_key_rotation: true, policy: KEY_POLICY, lifecycle: { prevent_destroy: true } }));
    expect(errors).toEqual([]);
    const forced = errorsOf('production', (s) => {
      bucket(s);
      (s.node.findChild('subject') as TerraformResource).addOverride('force_destroy', true);
      (s.node.findChild('subject') as TerraformResource).addOverride('lifecycle', { prevent_destroy: true });
    });
    expect(forced.filter((e) => e.message.startsWith('TAI-DATA-1 ') && e.path === 'test/subject').map((e) => e.message)).toEqual([
      expect.stringMatching(/force_destroy is true/),
    ]);
  });

  test('a stack without a tier marker is checked as production', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'unmarked');
    expect(policyTierOf(stack)).toBe('production');
  });

  test('port 443 open to the world is refused on a security group no load balancer uses', () => {
    const errors = errorsOf('production', (s) =>
      raw(s, 'aws_security_group', 'subject', { name: 'x', ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] }),
    );
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^TAI-NET-1 .*no load balancer of this stack uses/)]);
  });

  test('an AES256 bucket is accepted only as a log-delivery target', () => {
    expect(errorsOf('development', (s) => bucket(s))).toEqual([]);
    const errors = errorsOf('development', (s) => bucket(s, { sse: SSE_AES, logging: false }));
    expect(errors.map((e) => `${e.path} ${e.message}`)).toEqual([
      expect.stringMatching(/^test\/subject TAI-S3-1 .*sse_algorithm is AES256/),
      expect.stringMatching(/^test\/subject TAI-S3-5 /),
    ]);
  });
});

describe('literal secrets', () => {
  test.each([
    ['an AWS access key id', { env: [{ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAABCDEFGHIJKLMNOP' }] }, /an AWS access key id/],
    ['a connection string with a password', { url: 'postgresql://app:s3cret@db:5432/app' }, /connection string with an inline password/],
    ['a private key', { tls: { key: '-----BEGIN RSA PRIVATE KEY-----\nMII...' } }, /a PEM private key/],
    ['a literal token', { slack: { apiToken: 'abc123def456' } }, /slack\.apiToken: literal value/],
  ])('%s in Helm values is refused', (_what, values, reason) => {
    const errors = errorsOf('development', (s) => helm(s, { values: [JSON.stringify(values)] }));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(reason)]);
  });

  test.each([
    ['a reference to an existing secret', { auth: { existingSecret: 'redis-auth', existingSecretPasswordKey: 'password' } }],
    ['an interpolated value', { grafana: { adminPassword: '${random_password.grafana.result}' } }],
    ['a secret key reference', { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }],
  ])('%s is accepted', (_what, values) => {
    expect(errorsOf('development', (s) => helm(s, { values: [JSON.stringify(values)] }))).toEqual([]);
  });

  test('a literal password in a Helm set block is refused', () => {
    const errors = errorsOf('development', (s) => helm(s, { set: [{ name: 'auth.password', value: 'p4ssw0rd-literal' }] }));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^TAI-SEC-1 .*set auth\.password: literal value/)]);
  });

  test('literal data in a Kubernetes secret is refused', () => {
    const errors = errorsOf('development', (s) => raw(s, 'kubernetes_secret_v1', 'subject', { metadata: { name: 'db', namespace: 'data' }, data: { password: 'x' } }));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^TAI-SEC-1 .*data\.password/)]);
  });
});

describe('Helm values', () => {
  test('an image override with the tag latest in a release\'s values is refused', () => {
    const errors = errorsOf('development', (s) => helm(s, { values: [JSON.stringify({ server: { image: { repository: 'hashicorp/vault', tag: 'latest' } } })] }));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^TAI-HELM-1 .*values\[0\]\.server\.image\.tag is latest/)]);
  });

  test('pinned image overrides are accepted', () => {
    expect(errorsOf('development', (s) => helm(s, { values: [JSON.stringify({ server: { image: { repository: 'hashicorp/vault', tag: '1.20.4' } } })] }))).toEqual([]);
  });
});

describe('suppressions', () => {
  test('GIVEN a suppression with a reason next to the resource THEN its finding is not an error and is counted', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    setPolicyTier(stack, 'production');
    const sg = raw(stack, 'aws_security_group', 'subject', { name: 'x', ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] });
    suppress(sg, 'TAI-NET-1', 'the ingress controller\'s NLB is created in-cluster and uses this group');
    applyPolicies(stack);
    Testing.synth(stack);
    expect(stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/error'))).toEqual([]);
    const report = policyReportOf(stack)!;
    expect(report.findings).toEqual([]);
    expect(report.suppressed.map((s) => [s.ruleId, s.path, s.suppression.reason])).toEqual([
      ['TAI-NET-1', 'test/subject', "the ingress controller's NLB is created in-cluster and uses this group"],
    ]);
  });

  test('a suppression covers only its rule', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const group = raw(stack, 'aws_cloudwatch_log_group', 'subject', { name: '/x', retention_in_days: 7 });
    suppress(group, 'TAI-DATA-1', 'scratch log group recreated by every test run');
    const report = evaluate(JSON.parse(JSON.stringify(stack.toTerraform())), { stack: 'test', tier: 'production', rules: POLICY_RULES, suppressions: suppressionsUnder(stack) });
    expect(report.findings.map((f) => f.ruleId)).toEqual(['TAI-LOG-1']);
    expect(report.suppressed.map((f) => f.ruleId)).toEqual(['TAI-DATA-1']);
  });

  test.each([
    ['TAI-NET-1', '', /needs a written reason/],
    ['TAI-NET-1', 'because', /needs a written reason/],
    ['NET-1', 'a reason that is long enough', /needs a rule id like 'TAI-S3-1'/],
  ])('suppress(%s, %j) is refused', (rule, reason, message) => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    expect(() => suppress(stack, rule, reason)).toThrow(message);
  });

  test('an unsuppressed finding makes App.synth fail with the construct path and the rule', () => {
    const outdir = scratchDir('policy-');
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'test');
    raw(stack, 'aws_subnet', 'subject', { vpc_id: 'v', cidr_block: '10.0.0.0/24', map_public_ip_on_launch: true });
    applyPolicies(stack);
    expect(() => app.synth()).toThrow(/\[test\/subject\] TAI-NET-2 Subnets do not assign public IPs on launch/);
  });
});

describe('shipped stacks', () => {
  test('every stack of every environment synthesizes with zero policy findings', () => {
    const app = Testing.app();
    const built = buildStacks(app, validateEnvironments(DEFINITIONS));
    const stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c));
    expect(stacks.length).toBe(DEFINITIONS.length * 2);
    // The stack's synthesized JSON (shared by the run's test files); the constructs give its tier and suppressions.
    const synthesized = (stack: TerraformStack): Json => {
      for (const [name, s] of Object.entries(built)) {
        if (s.cloud === stack) return shipped(name).cloud;
        if (s.platform === stack) return shipped(name).platform;
      }
      throw new Error(`${stack.node.id} is not a stack of an environment`);
    };
    const findings: string[] = [];
    for (const stack of stacks) {
      const report = evaluate(synthesized(stack), { stack: stack.node.id, tier: policyTierOf(stack), rules: POLICY_RULES, suppressions: suppressionsUnder(stack) });
      findings.push(...report.findings.map((f) => `${f.path}: ${f.ruleId} ${f.reason}`));
    }
    expect(findings).toEqual([]);
  });

  test('each stack records its environment tier for the policy pack', () => {
    const app = Testing.app();
    const built = buildStacks(app, validateEnvironments(DEFINITIONS));
    for (const def of DEFINITIONS) {
      expect(policyTierOf(built[def.name].cloud)).toBe(def.tier);
      expect(policyTierOf(built[def.name].platform)).toBe(def.tier);
    }
  });
});

describe('policy report (npm run policy)', () => {
  test('counts findings and suppressions per stack and lists every suppression with its reason', () => {
    const reports = policyReports();
    const text = renderPolicyReport(reports);
    expect(reports.map((r) => r.stack).sort()).toEqual(DEFINITIONS.flatMap((d) => [d.name, `${d.name}-platform`]).sort());
    for (const r of reports) expect(text).toContain(`| ${r.stack} | ${r.tier} | ${r.resources} | ${r.findings.length} | ${r.suppressed.length} |`);
    for (const s of reports.flatMap((r) => r.suppressed)) expect(text).toContain(`| ${s.ruleId} | \`${s.path}\` | ${s.suppression.reason} |`);
  });

  test('the rule table names every rule with its checkov and cdk-nag counterparts', () => {
    const table = renderRuleTable();
    for (const r of POLICY_RULES) {
      expect(table).toContain(`| ${r.id} | ${r.title} | ${r.references.checkov.join(', ') || '—'} | ${r.references.cdkNag.join(', ') || '—'} |`);
    }
  });
});

describe('TAI-SEC-1 key names', () => {
  test.each([
    ['vault.hashicorp.com/tls-secret', false],
    ['vault.hashicorp.com/agent-inject-secret-database', false],
    ['existingSecret', false],
    ['adminPassword', true],
    ['client_secret', true],
  ])('%s is sensitive: %s', (key, sensitive) => {
    expect(isSensitiveKey(key)).toBe(sensitive);
  });
});
