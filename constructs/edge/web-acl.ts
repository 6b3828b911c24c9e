import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { Wafv2WebAcl, Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { policyDocument } from '../common/iam';
import { protectFromDestroy } from '../common/protection';

/** AWS managed rule groups every web ACL of the platform runs (LB-2), in evaluation order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/**
 * The body rules of the Common Rule Set and the label each adds. They block any body over 8 KB
 * (`SizeRestrictions_BODY`: the ALB's WAF inspects at most 8 KB) and text that looks like script,
 * file paths or URLs: AI prompts and uploads to the API match them. With an `apiBody` exception they
 * only count, and a rule after the group blocks on their labels outside the API's path.
 */
export const COMMON_RULE_SET_BODY_RULES = [
  { rule: 'SizeRestrictions_BODY', label: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' },
  { rule: 'CrossSiteScripting_BODY', label: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body' },
  { rule: 'GenericLFI_BODY', label: 'awswaf:managed:aws:core-rule-set:GenericLFI_Body' },
  { rule: 'GenericRFI_BODY', label: 'awswaf:managed:aws:core-rule-set:GenericRFI_Body' },
  { rule: 'EC2MetaDataSSRF_BODY', label: 'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body' },
] as const;

/** The API's request bodies: where the Common Rule Set's body rules only count, and our own size limit. */
export interface ApiBodyException {
  /** Path prefix of the API (e.g. `/api/`). */
  readonly pathPrefix: string;
  /** Requests whose `Content-Length` is above this are blocked (413), on every path. */
  readonly maxBodyBytes: number;
}

/**
 * A regular expression matching the decimal numbers greater than `n` (leading zeros allowed, as
 * HTTP allows them in `Content-Length`): more significant digits than `n`, or as many and greater
 * at the first digit that differs.
 */
export function greaterThanPattern(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`greaterThanPattern: ${n} is not a non-negative integer`);
  const digits = String(n);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (d === 9) continue;
    const rest = digits.length - i - 1;
    const head = digits.slice(0, i);
    alternatives.push(`${head}[${d + 1}-9]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^0*(${alternatives.join('|')})$`;
}

/** A per-client rate limit on the requests whose path starts with `pathPrefix`. */
export interface RateLimit {
  /** Rule name (letters, digits, dashes). */
  readonly name: string;
  readonly pathPrefix: string;
  readonly requestsPerSecond: number;
}

export interface WebAclLogging {
  /** Retention of the `aws-waf-logs-*` log group. */
  readonly retentionDays: number;
  /** KMS key (ARN) encrypting the log group; its policy must allow CloudWatch Logs. */
  readonly kmsKeyArn: string;
  /** Region and account of the log group (for the log delivery resource policy). */
  readonly region: string;
  readonly accountId: string;
  /** BAK-4: keep the log group on destroy. */
  readonly protect: boolean;
}

export interface WebAclProps {
  /** Name of the ACL, its metrics and its log group (`aws-waf-logs-<name>`). */
  readonly name: string;
  /** `REGIONAL` for a load balancer; `CLOUDFRONT` for a distribution (then `provider` must be us-east-1). */
  readonly scope: 'REGIONAL' | 'CLOUDFRONT';
  /** Rate-based rules, evaluated before the managed groups; listed from the most specific path. */
  readonly rateLimits: readonly RateLimit[];
  /** WAF counts requests over this window (60, 120, 300 or 600 s); the limit is rate x window. */
  readonly evaluationWindowSec: number;
  /**
   * The API's bodies (REGIONAL ACLs in front of the application): the Common Rule Set's body rules
   * count on the API's path and block elsewhere, and `maxBodyBytes` replaces its 8 KB limit.
   * Left out: the managed groups run unchanged.
   */
  readonly apiBody?: ApiBodyException;
  /** Resource (load balancer ARN) to protect. Left out: the caller attaches the ACL (CloudFront). */
  readonly associateWith?: string;
  /** Logging to CloudWatch Logs. Left out: no logging. */
  readonly logging?: WebAclLogging;
  /** @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/** The rule limit of WAF for a rate in requests per second (requests per evaluation window). */
export function rateLimitPerWindow(requestsPerSecond: number, evaluationWindowSec: number): number {
  return requestsPerSecond * evaluationWindowSec;
}

/**
 * LB-2: a WAFv2 web ACL. Per-client (source IP) rate limits on path prefixes answer 429, then the
 * AWS managed rule groups (IP reputation, common, known bad inputs, SQL injection); every rule
 * emits CloudWatch metrics and samples. Logs go to an encrypted, retained log group with the
 * authorization and cookie headers redacted.
 */
export class WebAcl extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly arn: string;
  readonly logGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    if (![60, 120, 300, 600].includes(props.evaluationWindowSec)) {
      throw new Error(`${this.node.path}: 'evaluationWindowSec' must be 60, 120, 300 or 600. Got: ${props.evaluationWindowSec}`);
    }
    const visibility = (metric: string) => ({
      cloudwatchMetricsEnabled: true,
      metricName: `${props.name}-${metric}`,
      sampledRequestsEnabled: true,
    });
    const rules: Wafv2WebAclRule[] = [];
    props.rateLimits.forEach((limit, i) => {
      const perWindow = rateLimitPerWindow(limit.requestsPerSecond, props.evaluationWindowSec);
      if (perWindow < 10) {
        throw new Error(`${this.node.path}: rate limit '${limit.name}' is ${perWindow} requests per ${props.evaluationWindowSec} s; WAF needs at least 10`);
      }
      rules.push({
        name: limit.name,
        priority: i,
        action: { block: { customResponse: { responseCode: 429 } } },
        // `statement` is untyped in the provider bindings: Terraform (snake_case) names.
        statement: {
          rate_based_statement: {
            limit: perWindow,
            evaluation_window_sec: props.evaluationWindowSec,
            aggregate_key_type: 'IP',
            scope_down_statement: {
              byte_match_statement: {
                search_string: limit.pathPrefix,
                positional_constraint: 'STARTS_WITH',
                field_to_match: { uri_path: {} },
                text_transformation: [{ priority: 0, type: 'LOWERCASE' }],
              },
            },
          },
        },
        visibilityConfig: visibility(limit.name),
      });
    });
    const apiBody = props.apiBody;
    if (apiBody) {
      if (!Number.isInteger(apiBody.maxBodyBytes) || apiBody.maxBodyBytes < 8192) {
        throw new Error(`${this.node.path}: 'apiBody.maxBodyBytes' must be an integer of at least 8192 (the managed limit it replaces). Got: ${apiBody.maxBodyBytes}`);
      }
      // Our own size limit, before everything else that reads the body. The ALB's WAF sees only the
      // first 8 KB of a body, so the limit is on the declared length; a request without one (chunked)
      // is bounded by the application server.
      rules.push({
        name: 'request-body-size-limit',
        priority: props.rateLimits.length,
        action: { block: { customResponse: { responseCode: 413 } } },
        statement: {
          regex_match_statement: {
            regex_string: greaterThanPattern(apiBody.maxBodyBytes),
            field_to_match: { single_header: { name: 'content-length' } },
            text_transformation: [{ priority: 0, type: 'NONE' }],
          },
        },
        visibilityConfig: visibility('request-body-size-limit'),
      });
    }
    MANAGED_RULE_GROUPS.forEach((group, i) => {
      const relaxBody = apiBody !== undefined && group === 'AWSManagedRulesCommonRuleSet';
      rules.push({
        name: group,
        priority: 10 + i,
        overrideAction: { none: {} },
        statement: {
          managed_rule_group_statement: {
            name: group,
            vendor_name: 'AWS',
            ...(relaxBody
              ? { rule_action_override: COMMON_RULE_SET_BODY_RULES.map(({ rule }) => ({ name: rule, action_to_use: { count: {} } })) }
              : {}),
          },
        },
        visibilityConfig: visibility(group),
      });
    });
    if (apiBody) {
      // Outside the API, the body rules block as the managed group would have.
      rules.push({
        name: 'common-body-rules-outside-api',
        priority: 10 + MANAGED_RULE_GROUPS.length,
        action: { block: {} },
        statement: {
          and_statement: {
            statement: [
              {
                or_statement: {
                  statement: COMMON_RULE_SET_BODY_RULES.map(({ label }) => ({ label_match_statement: { scope: 'LABEL', key: label } })),
                },
              },
              {
                not_statement: {
                  statement: [
                    {
                      byte_match_statement: {
                        search_string: apiBody.pathPrefix,
                        positional_constraint: 'STARTS_WITH',
                        field_to_match: { uri_path: {} },
                        text_transformation: [{ priority: 0, type: 'LOWERCASE' }],
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
        visibilityConfig: visibility('common-body-rules-outside-api'),
      });
    }

    this.acl = new Wafv2WebAcl(this, 'acl', {
      provider: props.provider,
      name: props.name,
      description: `${props.name}: managed rule groups and per-client rate limits (LB-2)`,
      scope: props.scope,
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility('acl'),
    });
    this.arn = this.acl.arn;

    if (props.associateWith !== undefined) {
      new Wafv2WebAclAssociation(this, 'association', {
        provider: props.provider,
        resourceArn: props.associateWith,
        webAclArn: this.acl.arn,
      });
    }

    if (props.logging) {
      const log = props.logging;
      // WAF only delivers to log groups whose name starts with `aws-waf-logs-`.
      this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
        provider: props.provider,
        name: `aws-waf-logs-${props.name}`,
        retentionInDays: log.retentionDays,
        kmsKeyId: log.kmsKeyArn,
      });
      protectFromDestroy(this.logGroup, log.protect);
      const policy = new CloudwatchLogResourcePolicy(this, 'log-delivery-policy', {
        provider: props.provider,
        policyName: `${props.name}-waf-log-delivery`,
        policyDocument: policyDocument([
          {
            Sid: 'WafLogDelivery',
            Effect: 'Allow',
            Principal: { Service: 'delivery.logs.amazonaws.com' },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: `arn:aws:logs:${log.region}:${log.accountId}:log-group:aws-waf-logs-${props.name}:*`,
            Condition: {
              StringEquals: { 'aws:SourceAccount': log.accountId },
              ArnLike: { 'aws:SourceArn': `arn:aws:logs:${log.region}:${log.accountId}:*` },
            },
          },
        ]),
      });
      new Wafv2WebAclLoggingConfiguration(this, 'logging', {
        provider: props.provider,
        resourceArn: this.acl.arn,
        logDestinationConfigs: [this.logGroup.arn],
        redactedFields: [{ singleHeader: { name: 'authorization' } }, { singleHeader: { name: 'cookie' } }],
        dependsOn: [policy],
      });
    }
  }
}
