import { Construct } from 'constructs';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { SecureBucket } from '../backup/secure-bucket';
import { SecurityHeaders, hstsValue } from './security-headers';

/** TLS 1.3 and 1.2 only, forward-secret ciphers (LB-1). */
export const ALB_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** Where the load balancer sends one class of traffic. */
export interface TargetSpec {
  /** Port the pods listen on (target type `ip`: traffic goes straight to the pod). */
  readonly port: number;
  /** HTTP path of the readiness check. */
  readonly healthCheckPath: string;
  /**
   * Host names routed to this target by a listener rule. Left out: this target is the listener's
   * default action (exactly one target must leave it out).
   */
  readonly hostNames?: readonly string[];
  /** Paths routed to this target (with `hostNames`: both must match). */
  readonly pathPatterns?: readonly string[];
  /** Seconds a deregistered target keeps its connections. @default 30 */
  readonly deregistrationDelaySeconds?: number;
}

export interface LoadBalancerProps {
  /** Prefix of every name, e.g. `toronto-ai-production` (ALB and target group names: 32 chars max). */
  readonly namePrefix: string;
  /** Account of the environment: the log bucket grants ELB log delivery into this account's prefix only. */
  readonly accountId: string;
  readonly vpcId: string;
  /** The VPC CIDR: the only destination the load balancer may send traffic to. */
  readonly vpcCidr: string;
  /** Public subnets, one per zone (LB-1: at least 2 zones). */
  readonly publicSubnetIds: readonly string[];
  /** Validated certificate of the HTTPS listener. */
  readonly certificateArn: string;
  /** LB-1: deletion protection (production). */
  readonly deletionProtection: boolean;
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** Days access logs are kept. */
  readonly accessLogRetentionDays: number;
  /** Globally unique name of the access-log bucket. */
  readonly accessLogBucketName: string;
  /** BAK-4: keep the access-log bucket on destroy. */
  readonly protectLogs: boolean;
  /**
   * Buckets (same region and account) whose S3 server access logs also go to the log bucket,
   * under `s3/`. @default none
   */
  readonly s3AccessLogSources?: readonly string[];
  /** LB-3 headers added to every HTTPS response. */
  readonly securityHeaders: SecurityHeaders;
  /** Target groups by key (`app`, `beta`...); the key is part of the construct id and the name. */
  readonly targets: Readonly<Record<string, TargetSpec>>;
  /**
   * Security groups of the targets (for pods on EKS nodes: the cluster security group); each gets
   * an ingress rule from the load balancer on the target ports only.
   */
  readonly targetSecurityGroupIds: readonly string[];
}

/**
 * LB-1: an internet-facing application load balancer across the public subnets. HTTPS on a TLS 1.3
 * policy with the LB-3 security headers, HTTP redirected to HTTPS, invalid header fields dropped,
 * access logs to an encrypted bucket, a security group open only on 80/443 from the internet and
 * sending only to the VPC, IP target groups that the in-cluster controller fills with pod IPs.
 */
export class LoadBalancer extends Construct {
  readonly lb: Lb;
  readonly arn: string;
  readonly dnsName: string;
  readonly zoneId: string;
  readonly securityGroupId: string;
  readonly httpsListener: LbListener;
  readonly logBucket: SecureBucket;
  readonly targetGroups: Record<string, LbTargetGroup> = {};

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const idleTimeout = props.idleTimeoutSeconds ?? 60;
    if (props.publicSubnetIds.length < 2) {
      throw new Error(`${this.node.path}: 'publicSubnetIds' must name subnets in at least 2 zones (LB-1). Got: ${props.publicSubnetIds.length}`);
    }
    const defaults = Object.entries(props.targets).filter(([, t]) => t.hostNames === undefined && t.pathPatterns === undefined);
    if (defaults.length !== 1) {
      throw new Error(`${this.node.path}: exactly one target must be the default (no 'hostNames', no 'pathPatterns'). Got: ${defaults.map(([k]) => k).join(', ') || 'none'}`);
    }
    const p = props.namePrefix;
    if (p.length > 26) {
      throw new Error(`${this.node.path}: 'namePrefix' must be at most 26 characters (ALB names are limited to 32). Got: ${p}`);
    }

    // Access logs: ALB delivers only to SSE-S3 buckets (SSE-KMS is not supported for access logs).
    const logPrefix = 'alb';
    this.logBucket = new SecureBucket(this, 'access-logs', {
      bucketName: props.accessLogBucketName,
      encryption: { kind: 's3' },
      lifecycle: { expiryDays: props.accessLogRetentionDays, noncurrentVersionExpiryDays: 7 },
      protect: props.protectLogs,
      policyStatements: [
        {
          Sid: 'ElbAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${props.accessLogBucketName}/${logPrefix}/AWSLogs/${props.accountId}/*`,
        },
        ...((props.s3AccessLogSources ?? []).length > 0
          ? [
              {
                Sid: 'S3ServerAccessLogDelivery',
                Effect: 'Allow' as const,
                Principal: { Service: 'logging.s3.amazonaws.com' },
                Action: 's3:PutObject',
                Resource: `arn:aws:s3:::${props.accessLogBucketName}/s3/*`,
                Condition: {
                  StringEquals: { 'aws:SourceAccount': props.accountId },
                  ArnLike: { 'aws:SourceArn': (props.s3AccessLogSources ?? []).map((b) => `arn:aws:s3:::${b}`) },
                },
              },
            ]
          : []),
      ],
    });

    const targetPorts = [...new Set(Object.values(props.targets).map((t) => t.port))].sort((a, b) => a - b);
    const sg = new SecurityGroup(this, 'security-group', {
      name: `${p}-alb`,
      description: 'Public load balancer: HTTP/HTTPS from the internet, only the target ports into the VPC',
      vpcId: props.vpcId,
      ingress: [
        { description: 'HTTPS from the internet', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] },
        { description: 'HTTP from the internet (redirected to HTTPS)', protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: ['0.0.0.0/0'] },
      ],
      egress: targetPorts.map((port) => ({
        description: `Targets (pods) on ${port} inside the VPC`,
        protocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrBlocks: [props.vpcCidr],
      })),
      tags: { Name: `${p}-alb` },
    });
    this.securityGroupId = sg.id;
    props.targetSecurityGroupIds.forEach((targetSg, i) => {
      for (const port of targetPorts) {
        new VpcSecurityGroupIngressRule(this, `target-ingress-${i}-${port}`, {
          securityGroupId: targetSg,
          referencedSecurityGroupId: sg.id,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description: `From the public load balancer ${p}-alb to the pods on ${port}`,
        });
      }
    });

    this.lb = new Lb(this, 'alb', {
      name: `${p}-alb`,
      loadBalancerType: 'application',
      internal: false,
      ipAddressType: 'ipv4',
      subnets: [...props.publicSubnetIds],
      securityGroups: [sg.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: 'strictest',
      enableDeletionProtection: props.deletionProtection,
      enableHttp2: true,
      idleTimeout,
      accessLogs: { bucket: this.logBucket.bucketName, prefix: logPrefix, enabled: true },
      // The bucket policy must exist before the load balancer checks it can write there.
      dependsOn: [this.logBucket.policy],
    });
    this.arn = this.lb.arn;
    this.dnsName = this.lb.dnsName;
    this.zoneId = this.lb.zoneId;

    for (const [key, target] of Object.entries(props.targets)) {
      this.targetGroups[key] = new LbTargetGroup(this, `target-${key}`, {
        name: `${p}-${key}`.slice(0, 32),
        targetType: 'ip',
        protocol: 'HTTP',
        port: target.port,
        vpcId: props.vpcId,
        deregistrationDelay: String(target.deregistrationDelaySeconds ?? 30),
        healthCheck: {
          enabled: true,
          protocol: 'HTTP',
          path: target.healthCheckPath,
          port: 'traffic-port',
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
        tags: { Name: `${p}-${key}` },
      });
    }
    const defaultKey = defaults[0][0];

    const headers = props.securityHeaders;
    this.httpsListener = new LbListener(this, 'https', {
      loadBalancerArn: this.lb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: ALB_TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroups[defaultKey].arn }],
      // LB-3 at the edge (Referrer-Policy has no listener attribute: see security-headers.ts).
      routingHttpResponseStrictTransportSecurityHeaderValue: hstsValue(headers),
      routingHttpResponseXContentTypeOptionsHeaderValue: 'nosniff',
      routingHttpResponseXFrameOptionsHeaderValue: headers.frameOptions,
      routingHttpResponseContentSecurityPolicyHeaderValue: headers.contentSecurityPolicy,
      routingHttpResponseServerEnabled: false,
    });
    new LbListener(this, 'http', {
      loadBalancerArn: this.lb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });

    // The most specific rules first: host and path, then path, then host.
    const specificity = (t: TargetSpec) => (t.hostNames ? 1 : 0) + (t.pathPatterns ? 2 : 0);
    const routed = Object.entries(props.targets)
      .filter(([, t]) => t.hostNames !== undefined || t.pathPatterns !== undefined)
      .sort(([, a], [, b]) => specificity(b) - specificity(a));
    let priority = 10;
    for (const [key, target] of routed) {
      new LbListenerRule(this, `rule-${key}`, {
        listenerArn: this.httpsListener.arn,
        priority,
        condition: [
          ...(target.hostNames ? [{ hostHeader: { values: [...target.hostNames] } }] : []),
          ...(target.pathPatterns ? [{ pathPattern: { values: [...target.pathPatterns] } }] : []),
        ],
        action: [{ type: 'forward', targetGroupArn: this.targetGroups[key].arn }],
      });
      priority += 10;
    }
  }
}
