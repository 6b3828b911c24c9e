/** The edge of the cloud stack (NET-4, LB-1..4) and the definition rules of the `edge` section. */
import { Testing, TerraformStack } from 'cdktf';
import { DnsValidatedCertificate } from '../constructs/edge/certificate';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { Json, resourceAt, resources, stacksFor, definitionProblems, shipped } from './helpers';
import { SEED_SECURITY_HEADERS, hstsValue } from '../constructs/edge/security-headers';
import { COMMON_RULE_SET_BODY_RULES, MANAGED_RULE_GROUPS, greaterThanPattern } from '../constructs/edge/web-acl';

const prod = shipped('production').cloud;
const dev = shipped('development').cloud;

const ref = (type: string, r: Json, attr: string) => `\${${type}.${r.__name}.${attr}}`;
const policyOf = (r: Json) => JSON.parse(r.policy);

function problems(mutate: (d: any) => void, name = 'production'): string[] {
  return definitionProblems(name, mutate);
}

describe('load balancer (LB-1)', () => {
  const alb = resourceAt(prod, 'aws_lb', 'edge/load-balancer/alb');

  test('is an internet-facing ALB across every public subnet, dropping invalid headers', () => {
    expect(alb).toMatchObject({
      load_balancer_type: 'application',
      internal: false,
      drop_invalid_header_fields: true,
      desync_mitigation_mode: 'strictest',
    });
    const publicSubnets = resources(prod, 'aws_subnet').filter((s) => String(s['//'].metadata.path).includes('public'));
    expect(publicSubnets).toHaveLength(3);
    expect(alb.subnets).toEqual(publicSubnets.map((s) => ref('aws_subnet', s, 'id')));
  });

  test('deletion protection follows the definition: on in production, off in development', () => {
    expect(alb.enable_deletion_protection).toBe(true);
    expect(resourceAt(dev, 'aws_lb', 'edge/load-balancer/alb').enable_deletion_protection).toBe(false);
  });

  test('access logs go to an SSE-S3 bucket that only ELB log delivery may write into', () => {
    const bucket = resourceAt(prod, 'aws_s3_bucket', 'edge/load-balancer/access-logs/bucket');
    expect(alb.access_logs).toEqual({ bucket: 'toronto-ai-production-alb-logs-444455556666', prefix: 'alb', enabled: true });
    expect(bucket.bucket).toBe('toronto-ai-production-alb-logs-444455556666');
    const sse = resourceAt(prod, 'aws_s3_bucket_server_side_encryption_configuration', 'edge/load-balancer/access-logs/encryption');
    expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
    const statements = policyOf(resourceAt(prod, 'aws_s3_bucket_policy', 'edge/load-balancer/access-logs/policy')).Statement;
    expect(statements).toContainEqual({
      Sid: 'ElbAccessLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::toronto-ai-production-alb-logs-444455556666/alb/AWSLogs/444455556666/*',
    });
    expect(statements.find((s: Json) => s.Sid === 'DenyInsecureTransport')).toBeDefined();
    const lifecycle = resourceAt(prod, 'aws_s3_bucket_lifecycle_configuration', 'edge/load-balancer/access-logs/lifecycle');
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 365 }]);
  });

  test('the security group admits only 80/443 from the internet and sends only the app port into the VPC', () => {
    const sg = resourceAt(prod, 'aws_security_group', 'edge/load-balancer/security-group');
    expect(sg.ingress.map((r: Json) => [r.from_port, r.to_port, r.protocol, r.cidr_blocks])).toEqual([
      [443, 443, 'tcp', ['0.0.0.0/0']],
      [80, 80, 'tcp', ['0.0.0.0/0']],
    ]);
    // The application's port and the WebSocket servers' (/ws/).
    expect(sg.egress.map((r: Json) => [r.from_port, r.to_port, r.protocol, r.cidr_blocks])).toEqual([
      [8000, 8000, 'tcp', ['10.40.0.0/16']],
      [8002, 8002, 'tcp', ['10.40.0.0/16']],
    ]);
    expect(alb.security_groups).toEqual([ref('aws_security_group', sg, 'id')]);
  });

  test('the cluster security group admits the load balancer on the app port only', () => {
    const rule = resourceAt(prod, 'aws_vpc_security_group_ingress_rule', 'edge/load-balancer/target-ingress-0-8000');
    const sg = resourceAt(prod, 'aws_security_group', 'edge/load-balancer/security-group');
    const cluster = resourceAt(prod, 'aws_eks_cluster', 'cluster/cluster');
    expect(rule).toMatchObject({ from_port: 8000, to_port: 8000, ip_protocol: 'tcp', referenced_security_group_id: ref('aws_security_group', sg, 'id') });
    expect(rule.security_group_id).toBe(`\${aws_eks_cluster.${cluster.__name}.vpc_config[0].cluster_security_group_id}`);
  });

  test('HTTPS uses a TLS 1.3 policy, the validated certificate and the LB-3 security headers', () => {
    const https = resourceAt(prod, 'aws_lb_listener', 'edge/load-balancer/https');
    const validation = resourceAt(prod, 'aws_acm_certificate_validation', 'edge/certificate/validation');
    expect(https).toMatchObject({
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: ref('aws_acm_certificate_validation', validation, 'certificate_arn'),
      routing_http_response_strict_transport_security_header_value: 'max-age=63072000; includeSubDomains; preload',
      routing_http_response_x_content_type_options_header_value: 'nosniff',
      routing_http_response_x_frame_options_header_value: 'SAMEORIGIN',
      routing_http_response_content_security_policy_header_value: SEED_SECURITY_HEADERS.contentSecurityPolicy,
      routing_http_response_server_enabled: false,
    });
    const app = resourceAt(prod, 'aws_lb_target_group', 'edge/load-balancer/target-app');
    expect(https.default_action).toEqual([{ type: 'forward', target_group_arn: ref('aws_lb_target_group', app, 'arn') }]);
  });

  test('HTTP only redirects to HTTPS', () => {
    const http = resourceAt(prod, 'aws_lb_listener', 'edge/load-balancer/http');
    expect(http).toMatchObject({ port: 80, protocol: 'HTTP' });
    expect(http.default_action).toEqual([{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }]);
  });

  test('the app target group registers pod IPs on 8000 and checks readiness', () => {
    const tg = resourceAt(prod, 'aws_lb_target_group', 'edge/load-balancer/target-app');
    expect(tg).toMatchObject({ target_type: 'ip', protocol: 'HTTP', port: 8000, name: 'toronto-ai-production-app' });
    expect(tg.health_check).toMatchObject({ path: '/api/health/ready/', port: 'traffic-port', matcher: '200' });
  });

  test('production routes the beta name to its own target group (ENV-4); development has none', () => {
    const beta = resourceAt(prod, 'aws_lb_target_group', 'edge/load-balancer/target-beta');
    const rule = resourceAt(prod, 'aws_lb_listener_rule', 'edge/load-balancer/rule-beta');
    expect(rule.condition).toEqual([{ host_header: { values: ['beta.toronto-ai-team-agent.example.com'] } }]);
    expect(rule.action).toEqual([{ type: 'forward', target_group_arn: ref('aws_lb_target_group', beta, 'arn') }]);
    expect(resources(dev, 'aws_lb_target_group').map((t) => t.name)).toEqual(['toronto-ai-development-app', 'toronto-ai-development-ws']);
    // Development routes only /ws/ (to the WebSocket servers).
    expect(resources(dev, 'aws_lb_listener_rule').map((r) => r.condition)).toEqual([[{ path_pattern: { values: ['/ws/*'] } }]]);
  });

  test('the target groups are exposed to the platform stack', () => {
    expect(Object.keys(stacksFor('production').cloud.outputs.targetGroupArns).sort()).toEqual(['app', 'beta', 'bws', 'ws']);
    expect(Object.keys(stacksFor('development').cloud.outputs.targetGroupArns).sort()).toEqual(['app', 'ws']);
    const alb = resourceAt(prod, 'aws_lb', 'edge/load-balancer/alb');
    expect(prod.output.load_balancer_dns_name.value).toBe(ref('aws_lb', alb, 'dns_name'));
  });
});

describe('certificate and DNS (NET-4)', () => {
  test('the certificate covers every public name and the beta name, validated by DNS', () => {
    const cert = resourceAt(prod, 'aws_acm_certificate', 'edge/certificate/certificate');
    expect(cert).toMatchObject({
      domain_name: 'toronto-ai-team-agent.example.com',
      subject_alternative_names: ['www.toronto-ai-team-agent.example.com', 'beta.toronto-ai-team-agent.example.com'],
      validation_method: 'DNS',
    });
  });

  test('one validation record per name in the hosted zone, all awaited by the validation', () => {
    const records = resources(prod, 'aws_route53_record').filter((r) => String(r['//'].metadata.path).includes('edge/certificate/validation-'));
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.zone_id).toBe('Z0444455556666PRODZONE');
      expect(r.name).toMatch(/domain_validation_options : o\.resource_record_name if o\.domain_name == /);
    }
    const validation = resourceAt(prod, 'aws_acm_certificate_validation', 'edge/certificate/validation');
    expect(validation.validation_record_fqdns.sort()).toEqual(records.map((r) => ref('aws_route53_record', r, 'fqdn')).sort());
  });

  test('every public name is an alias of the load balancer', () => {
    const alb = resourceAt(prod, 'aws_lb', 'edge/load-balancer/alb');
    for (const name of ['toronto-ai-team-agent.example.com', 'www.toronto-ai-team-agent.example.com', 'beta.toronto-ai-team-agent.example.com']) {
      const rec = resources(prod, 'aws_route53_record').find((r) => r.name === name && r.type === 'A');
      expect(rec).toMatchObject({
        zone_id: 'Z0444455556666PRODZONE',
        alias: { name: ref('aws_lb', alb, 'dns_name'), zone_id: ref('aws_lb', alb, 'zone_id'), evaluate_target_health: true },
      });
    }
  });
});

describe('web application firewall (LB-2)', () => {
  const acl = resourceAt(prod, 'aws_wafv2_web_acl', 'edge/waf/acl');
  const rule = (name: string) => acl.rule.find((r: Json) => r.name === name);

  test('rate limits of seed 004 are expressed per 60 s evaluation window, per client IP, answering 429', () => {
    expect(acl.scope).toBe('REGIONAL');
    const auth = rule('rate-limit-auth');
    const api = rule('rate-limit-api');
    expect(auth.statement.rate_based_statement).toMatchObject({ limit: 300, evaluation_window_sec: 60, aggregate_key_type: 'IP' });
    expect(api.statement.rate_based_statement).toMatchObject({ limit: 600, evaluation_window_sec: 60, aggregate_key_type: 'IP' });
    expect(auth.statement.rate_based_statement.scope_down_statement.byte_match_statement).toMatchObject({
      search_string: '/api/auth/',
      positional_constraint: 'STARTS_WITH',
    });
    expect(api.statement.rate_based_statement.scope_down_statement.byte_match_statement.search_string).toBe('/api/');
    expect(auth.priority).toBeLessThan(api.priority);
    expect(auth.action).toEqual({ block: { custom_response: { response_code: 429 } } });
  });

  test('the four AWS managed rule groups run after the rate limits', () => {
    for (const group of MANAGED_RULE_GROUPS) {
      expect(rule(group)).toMatchObject({
        override_action: { none: {} },
        statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
      });
      expect(rule(group).priority).toBeGreaterThan(rule('rate-limit-api').priority);
    }
    expect(MANAGED_RULE_GROUPS).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
    ]);
  });

  test("the Common Rule Set's body rules only count on /api/ and block elsewhere; our own body limit replaces its 8 KB limit", () => {
    const crs = rule('AWSManagedRulesCommonRuleSet').statement.managed_rule_group_statement;
    expect(crs.rule_action_override).toEqual(
      ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'EC2MetaDataSSRF_BODY'].map((name) => ({
        name,
        action_to_use: { count: {} },
      })),
    );
    // The other managed groups are untouched.
    for (const group of MANAGED_RULE_GROUPS.filter((g) => g !== 'AWSManagedRulesCommonRuleSet')) {
      expect(rule(group).statement.managed_rule_group_statement.rule_action_override).toBeUndefined();
    }
    const outside = rule('common-body-rules-outside-api');
    expect(outside.action).toEqual({ block: {} });
    expect(outside.priority).toBeGreaterThan(rule('AWSManagedRulesCommonRuleSet').priority);
    const [labels, notApi] = outside.statement.and_statement.statement;
    expect(labels.or_statement.statement.map((s: Json) => s.label_match_statement)).toEqual(
      COMMON_RULE_SET_BODY_RULES.map(({ label }) => ({ scope: 'LABEL', key: label })),
    );
    expect(notApi.not_statement.statement[0].byte_match_statement).toMatchObject({ search_string: '/api/', positional_constraint: 'STARTS_WITH' });
    const size = rule('request-body-size-limit');
    expect(size.action).toEqual({ block: { custom_response: { response_code: 413 } } });
    expect(size.priority).toBeLessThan(rule('AWSManagedRulesCommonRuleSet').priority);
    expect(size.statement.regex_match_statement.field_to_match).toEqual({ single_header: { name: 'content-length' } });
    expect(size.statement.regex_match_statement.regex_string).toBe(greaterThanPattern(10 * 1024 * 1024));
  });

  test('the body-size pattern matches exactly the lengths above the limit', () => {
    for (const limit of [8192, 10485760, 99999, 100000, 1999]) {
      const re = new RegExp(greaterThanPattern(limit));
      for (const n of [0, 1, 7, limit - 1, limit, limit + 1, limit * 2, limit * 10 + 3, 10 ** String(limit).length, 10 ** String(limit).length - 1]) {
        expect([n, re.test(String(n))]).toEqual([n, n > limit]);
      }
      // Leading zeros are no way around it.
      expect(re.test(`00${limit + 1}`)).toBe(true);
      expect(re.test(`00${limit}`)).toBe(false);
      expect(re.test(`${limit + 1}x`)).toBe(false);
    }
    expect(greaterThanPattern(10485760).length).toBeLessThan(200);
  });

  test('a body limit below the managed 8 KB is refused', () => {
    expect(definitionProblems('production', (d) => (d.edge.waf.maxRequestBodyBytes = 4096))).toEqual(['production.edge.waf.maxRequestBodyBytes: must be >= 8192']);
  });

  test('the ACL protects the load balancer', () => {
    const assoc = resourceAt(prod, 'aws_wafv2_web_acl_association', 'edge/waf/association');
    const alb = resourceAt(prod, 'aws_lb', 'edge/load-balancer/alb');
    expect(assoc).toMatchObject({ resource_arn: ref('aws_lb', alb, 'arn'), web_acl_arn: ref('aws_wafv2_web_acl', acl, 'arn') });
  });

  test('logs go to an aws-waf-logs- group encrypted with the logs key, retained, credentials redacted', () => {
    const group = resourceAt(prod, 'aws_cloudwatch_log_group', 'edge/waf/log-group');
    const logsKey = resourceAt(prod, 'aws_kms_key', 'key-logs/key');
    expect(group).toMatchObject({ name: 'aws-waf-logs-toronto-ai-production', retention_in_days: 365, kms_key_id: ref('aws_kms_key', logsKey, 'arn') });
    expect(group.lifecycle).toEqual({ prevent_destroy: true });
    const logging = resourceAt(prod, 'aws_wafv2_web_acl_logging_configuration', 'edge/waf/logging');
    expect(logging.log_destination_configs).toEqual([ref('aws_cloudwatch_log_group', group, 'arn')]);
    expect(logging.redacted_fields).toEqual([{ single_header: { name: 'authorization' } }, { single_header: { name: 'cookie' } }]);
  });
});

describe('CDN (LB-4)', () => {
  test('production serves static assets through CloudFront with TLS 1.2+, its WAF and security headers', () => {
    const dist = resourceAt(prod, 'aws_cloudfront_distribution', 'edge/cdn/distribution');
    const cert = resourceAt(prod, 'aws_acm_certificate_validation', 'edge/cdn-certificate/validation');
    const acl = resourceAt(prod, 'aws_wafv2_web_acl', 'edge/cdn-waf/acl');
    const headers = resourceAt(prod, 'aws_cloudfront_response_headers_policy', 'edge/cdn/security-headers');
    expect(dist.aliases).toEqual(['static.toronto-ai-team-agent.example.com']);
    expect(dist.viewer_certificate).toEqual({
      acm_certificate_arn: ref('aws_acm_certificate_validation', cert, 'certificate_arn'),
      ssl_support_method: 'sni-only',
      minimum_protocol_version: 'TLSv1.2_2021',
    });
    expect(dist.web_acl_id).toBe(ref('aws_wafv2_web_acl', acl, 'arn'));
    expect(dist.default_cache_behavior).toMatchObject({
      viewer_protocol_policy: 'redirect-to-https',
      response_headers_policy_id: ref('aws_cloudfront_response_headers_policy', headers, 'id'),
    });
    expect(headers.security_headers_config).toMatchObject({
      strict_transport_security: { access_control_max_age_sec: 63072000, include_subdomains: true, preload: true, override: true },
      frame_options: { frame_option: 'SAMEORIGIN', override: true },
      referrer_policy: { referrer_policy: 'strict-origin-when-cross-origin', override: true },
      content_type_options: { override: true },
    });
    expect(hstsValue(SEED_SECURITY_HEADERS)).toBe('max-age=63072000; includeSubDomains; preload');
  });

  test('the CloudFront certificate and WAF live in us-east-1 through a provider alias', () => {
    expect(prod.provider.aws.find((p: Json) => p.alias === 'us-east-1')).toMatchObject({ region: 'us-east-1', allowed_account_ids: ['444455556666'] });
    expect(resourceAt(prod, 'aws_acm_certificate', 'edge/cdn-certificate/certificate').provider).toBe('aws.us-east-1');
    expect(resourceAt(prod, 'aws_wafv2_web_acl', 'edge/cdn-waf/acl')).toMatchObject({ provider: 'aws.us-east-1', scope: 'CLOUDFRONT' });
    expect(resourceAt(prod, 'aws_cloudwatch_log_group', 'edge/cdn-waf/log-group').provider).toBe('aws.us-east-1');
  });

  test('the assets bucket is private, KMS-encrypted and readable only by this distribution through OAC', () => {
    const dist = resourceAt(prod, 'aws_cloudfront_distribution', 'edge/cdn/distribution');
    const oac = resourceAt(prod, 'aws_cloudfront_origin_access_control', 'edge/cdn/origin-access-control');
    expect(oac).toMatchObject({ origin_access_control_origin_type: 's3', signing_behavior: 'always', signing_protocol: 'sigv4' });
    expect(dist.origin[0]).toMatchObject({
      domain_name: 'toronto-ai-production-static-assets-444455556666.s3.ca-central-1.amazonaws.com',
      origin_access_control_id: ref('aws_cloudfront_origin_access_control', oac, 'id'),
    });
    const statements = policyOf(resourceAt(prod, 'aws_s3_bucket_policy', 'edge/cdn/assets/policy')).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': ref('aws_cloudfront_distribution', dist, 'arn') } },
      }),
    );
    const access = resourceAt(prod, 'aws_s3_bucket_public_access_block', 'edge/cdn/assets/public-access-block');
    expect(access).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const sse = resourceAt(prod, 'aws_s3_bucket_server_side_encryption_configuration', 'edge/cdn/assets/encryption');
    expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
  });

  test('development has no CDN, no us-east-1 provider', () => {
    expect(resources(dev, 'aws_cloudfront_distribution')).toEqual([]);
    expect(dev.provider.aws.filter((p: Json) => p.alias)).toEqual([]);
  });
});

describe('load balancer controller role', () => {
  test('registers targets only in this environment\'s target groups', () => {
    const policy = policyOf(resourceAt(prod, 'aws_iam_role_policy', 'edge/lb-controller-role/policy'));
    const register = policy.Statement.find((s: Json) => s.Sid === 'RegisterPodsInThisEnvironmentsTargetGroups');
    expect(register.Action).toEqual([
      'elasticloadbalancing:RegisterTargets',
      'elasticloadbalancing:DeregisterTargets',
      'elasticloadbalancing:ModifyTargetGroup',
      'elasticloadbalancing:ModifyTargetGroupAttributes',
    ]);
    expect(register.Resource).toBe('arn:aws:elasticloadbalancing:ca-central-1:444455556666:targetgroup/toronto-ai-production-*/*');
    for (const s of policy.Statement) {
      // Only reads on '*'; every write is scoped to this environment's target groups.
      if (s.Resource === '*') for (const action of s.Action) expect(action).toMatch(/^(elasticloadbalancing|ec2):Describe/);
    }
    const assoc = resourceAt(prod, 'aws_eks_pod_identity_association', 'edge/lb-controller-role/association');
    expect(assoc).toMatchObject({ namespace: 'kube-system', service_account: 'aws-load-balancer-controller' });
  });
});

describe('cluster autoscaler role (K8S-3)', () => {
  test('scales only the Auto Scaling groups this cluster owns', () => {
    const policy = policyOf(resourceAt(prod, 'aws_iam_role_policy', 'scaling/cluster-autoscaler-role/policy'));
    const scale = policy.Statement.find((s: Json) => s.Sid === 'ScaleOnlyThisClustersGroups');
    expect(scale).toEqual({
      Sid: 'ScaleOnlyThisClustersGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/toronto-ai-production': 'owned' } },
    });
    const describe = policy.Statement.find((s: Json) => s.Sid === 'DescribeScalingInputs');
    for (const action of describe.Action) expect(action).toMatch(/:(Describe|Get)/);
    const assoc = resourceAt(prod, 'aws_eks_pod_identity_association', 'scaling/cluster-autoscaler-role/association');
    expect(assoc).toMatchObject({ namespace: 'kube-system', service_account: 'cluster-autoscaler' });
  });
});

describe('edge definition rules', () => {
  test('the shipped definitions carry the seed 004 rate limits', () => {
    const envs = validateEnvironments(DEFINITIONS);
    for (const env of envs) {
      expect(env.edge.waf).toMatchObject({ apiRequestsPerSecond: 10, authRequestsPerSecond: 5, evaluationWindowSec: 60 });
    }
  });

  test.each<[string, (d: any) => void, string]>([
    ['an API rate limit of 0', (d) => (d.edge.waf.apiRequestsPerSecond = 0), 'production.edge.waf.apiRequestsPerSecond: must be at least 1 request per second per client (LB-2)'],
    ['an auth rate limit of 0', (d) => (d.edge.waf.authRequestsPerSecond = 0), 'production.edge.waf.authRequestsPerSecond: must be at least 1 request per second per client (LB-2)'],
    ['an auth limit above the API limit', (d) => (d.edge.waf.authRequestsPerSecond = 20), 'production.edge.waf.authRequestsPerSecond: 20 r/s is above the API limit of 10 r/s'],
    ['an evaluation window WAF does not offer', (d) => (d.edge.waf.evaluationWindowSec = 45), 'production.edge.waf.evaluationWindowSec: must be one of 60, 120, 300, 600 seconds'],
    ['the CDN on without a certificate', (d) => (d.edge.cdn.certificate = 'none'), 'production.edge.cdn.certificate: the CDN is enabled and serves static.toronto-ai-team-agent.example.com over HTTPS: it needs a certificate'],
    ['the CDN on without a name', (d) => delete d.edge.cdn.domainName, 'production.edge.cdn.domainName: the CDN is enabled and needs a public name'],
    ['a public name outside the hosted zone', (d) => d.edge.publicNames.push('toronto-ai.example.org'), 'production.edge.publicNames.2: toronto-ai.example.org is not in the hosted zone toronto-ai-team-agent.example.com'],
    ['a malformed hosted zone id', (d) => (d.edge.hostedZoneId = 'prod-zone'), 'production.edge.hostedZoneId: must be a Route 53 hosted zone id'],
    ['production without deletion protection', (d) => (d.edge.loadBalancer.deletionProtection = false), 'production.edge.loadBalancer.deletionProtection: production load balancers must have deletion protection (LB-1): set true'],
    ['a beta name that is also a public name', (d) => (d.edge.betaName = 'www.toronto-ai-team-agent.example.com'), 'production.edge.betaName: www.toronto-ai-team-agent.example.com is also a public name of the main channel'],
    ['no public name', (d) => (d.edge.publicNames = []), 'production.edge.publicNames: name at least one public name (NET-4)'],
  ])('rejects %s', (_label, mutate, message) => {
    const found = problems(mutate);
    expect(found.some((p) => p.startsWith(message))).toBe(true);
  });
});

describe('certificate expiry alarms (OBS-2)', () => {
  const alarms = resources(prod, 'aws_cloudwatch_metric_alarm');
  const topics = resources(prod, 'aws_sns_topic');

  test('each ACM certificate alarms 30 days before expiry, publishing to an encrypted topic of its region', () => {
    const lb = alarms.find((a) => a.alarm_name === 'toronto-ai-production-certificate-expiry')!;
    expect(lb).toMatchObject({
      namespace: 'AWS/CertificateManager',
      metric_name: 'DaysToExpiry',
      statistic: 'Minimum',
      comparison_operator: 'LessThanThreshold',
      threshold: 30,
    });
    const validation = resourceAt(prod, 'aws_acm_certificate_validation', 'edge/certificate/validation');
    expect(lb.dimensions).toEqual({ CertificateArn: ref('aws_acm_certificate_validation', validation, 'certificate_arn') });
    const topic = topics.find((t) => t.name === 'toronto-ai-production-alerts')!;
    expect(lb.alarm_actions).toEqual([ref('aws_sns_topic', topic, 'arn')]);
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
    const cdn = alarms.find((a) => a.alarm_name === 'toronto-ai-production-cdn-certificate-expiry')!;
    expect(cdn.provider).toBe('aws.us-east-1');
    expect(topics.find((t) => t.name === 'toronto-ai-production-alerts-us-east-1')!.provider).toBe('aws.us-east-1');
  });

  test('only CloudWatch alarms (and, with GuardDuty, EventBridge rules) of this account may publish, over TLS', () => {
    const policy = policyOf(resources(prod, 'aws_sns_topic_policy').find((p) => p.provider === undefined)!);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } },
    });
    // Statement[1]: the GuardDuty findings rule (wiring-fixes.test.ts).
    expect(policy.Statement[1]).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } });
    expect(policy.Statement[2]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } });
    expect(policy.Statement).toHaveLength(3);
  });

  test('an alarm threshold outside what ACM renewal allows is refused', () => {
    const stack = new TerraformStack(Testing.app(), 'unit');
    expect(
      () =>
        new DnsValidatedCertificate(stack, 'c', {
          domainName: 'a.example.com',
          hostedZoneId: 'Z123',
          expiryAlarm: { days: 0, alarmTopicArn: 'arn:aws:sns:ca-central-1:111122223333:t', name: 'n' },
        }),
    ).toThrow("unit/c: 'expiryAlarm.days' must be a whole number from 1 to 60 (ACM renews 60 days ahead). Got: 0");
  });
});
