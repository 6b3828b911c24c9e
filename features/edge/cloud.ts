/**
 * The edge of an environment in the cloud stack (NET-4, LB-1..4), called from CloudStack with one
 * line: certificate and DNS, the public load balancer and its target groups, the regional WAF,
 * the CDN where the definition enables it. The AWS Load Balancer Controller that binds the target
 * groups to the application pods is a cluster add-on (features/cluster-addons/).
 */
import { Construct } from 'constructs';
import { SERVICE_READINESS_PATH, WEBSOCKET_PATH, WEBSOCKET_PORT } from '../services/contract';
import { TerraformOutput } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { DnsValidatedCertificate } from '../../constructs/edge/certificate';
import { AlertTopic } from '../../constructs/observability/alert-topic';
import { LoadBalancer } from '../../constructs/edge/load-balancer';
import { WebAcl } from '../../constructs/edge/web-acl';
import { StaticAssetsCdn } from '../../constructs/edge/static-assets-cdn';
import { SEED_SECURITY_HEADERS } from '../../constructs/edge/security-headers';
import { EncryptionKey } from '../../constructs/kms/kms-key';
import { tagsFor } from '../naming';
import { CloudContext } from '../context';
import { APP_PORT, APP_READINESS_PATH } from '../app/contract';

/** OBS-2: TLS certificates alarm when they are less than this many days from expiry. */
export const CERTIFICATE_EXPIRY_ALARM_DAYS = 30;

/** Target groups by channel: `app` (the main site) and `beta` (ENV-4, when enabled). */
export type Channel = 'app' | 'beta' | 'ws' | 'bws';

export interface Edge {
  readonly loadBalancer: LoadBalancer;
  readonly certificate: DnsValidatedCertificate;
  /** SNS topic of the stack's CloudWatch alarms (OBS-2). */
  readonly alertTopicArn: string;
  readonly webAcl: WebAcl;
  readonly cdn?: StaticAssetsCdn;
  /** Target group ARNs by channel, for the TargetGroupBindings of the platform stack. */
  readonly targetGroupArns: Partial<Record<Channel, string>>;
  /**
   * The edge's construct. The load-balancer controller's role (features/cluster-addons/cloud.ts)
   * is created under it, where it was first made, so its Terraform addresses stay the same.
   */
  readonly construct: Construct;
}

/** Adds the edge of `env` to the cloud stack `stack`. */
export function addEdge(ctx: CloudContext): Edge {
  const { env, names, accountId } = ctx;
  const region = env.aws.region;
  const edge = env.edge;
  const scope = new Construct(ctx.scope, 'edge');
  const betaEnabled = env.app.beta.enabled && edge.betaName !== undefined;
  const cdnEnabled = edge.cdn.enabled && edge.cdn.domainName !== undefined;
  const staticAssetsBucket = `${names.prefix}-static-assets-${accountId}`;
  const lbNames = [...edge.publicNames, ...(betaEnabled ? [edge.betaName as string] : [])];

  // NET-4: one certificate for every name the load balancer answers.
  const certificate = new DnsValidatedCertificate(scope, 'certificate', {
    domainName: lbNames[0],
    subjectAlternativeNames: lbNames.slice(1),
    hostedZoneId: edge.hostedZoneId,
    expiryAlarm: { days: CERTIFICATE_EXPIRY_ALARM_DAYS, alarmTopicArn: ctx.alerts.arn, name: `${names.prefix}-certificate-expiry` },
  });

  const loadBalancer = new LoadBalancer(scope, 'load-balancer', {
    namePrefix: names.prefix,
    accountId,
    vpcId: ctx.network.vpcId,
    vpcCidr: env.network.vpcCidr,
    publicSubnetIds: ctx.network.publicSubnetIds,
    certificateArn: certificate.arn,
    deletionProtection: edge.loadBalancer.deletionProtection,
    idleTimeoutSeconds: edge.loadBalancer.idleTimeoutSeconds,
    accessLogRetentionDays: edge.loadBalancer.accessLogRetentionDays,
    accessLogBucketName: `${names.prefix}-alb-logs-${accountId}`,
    protectLogs: env.protectState,
    // The static assets bucket's server access logs go to the same log bucket.
    s3AccessLogSources: cdnEnabled ? [staticAssetsBucket] : [],
    securityHeaders: SEED_SECURITY_HEADERS,
    targets: {
      app: { port: APP_PORT, healthCheckPath: APP_READINESS_PATH },
      ...(betaEnabled ? { beta: { port: APP_PORT, healthCheckPath: APP_READINESS_PATH, hostNames: [edge.betaName as string] } } : {}),
      // The WebSocket servers (features/services) under /ws/. Not sticky: a WebSocket stays on the
      // target it opened on for its whole life, and a reconnect may land anywhere (the channel layer
      // is shared). The servers ping every WEBSOCKET_PING_SECONDS, under the idle timeout; a draining
      // server keeps its connections up to 120 s (seed 003: 60-120 s).
      // `bws`: the beta channel's WebSocket servers (a short key: target group names are at most 32 characters).
      ws: { port: WEBSOCKET_PORT, healthCheckPath: SERVICE_READINESS_PATH, pathPatterns: [WEBSOCKET_PATH], deregistrationDelaySeconds: 120 },
      ...(betaEnabled
        ? { bws: { port: WEBSOCKET_PORT, healthCheckPath: SERVICE_READINESS_PATH, hostNames: [edge.betaName as string], pathPatterns: [WEBSOCKET_PATH], deregistrationDelaySeconds: 120 } }
        : {}),
    },
    // Pods (VPC CNI, no per-pod security groups) use the cluster security group of the nodes.
    targetSecurityGroupIds: [ctx.cluster.clusterSecurityGroupId],
  });

  for (const name of lbNames) {
    const id = name.replace(/\./g, '-');
    new Route53Record(scope, `alias-${id}`, {
      zoneId: edge.hostedZoneId,
      name,
      type: 'A',
      alias: { name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true },
    });
  }

  // LB-2: regional web ACL on the load balancer; the auth rule comes first (the stricter limit).
  const rateLimits = [
    { name: 'rate-limit-auth', pathPrefix: '/api/auth/', requestsPerSecond: edge.waf.authRequestsPerSecond },
    { name: 'rate-limit-api', pathPrefix: '/api/', requestsPerSecond: edge.waf.apiRequestsPerSecond },
  ];
  const webAcl = new WebAcl(scope, 'waf', {
    name: names.prefix,
    scope: 'REGIONAL',
    rateLimits,
    apiBody: { pathPrefix: '/api/', maxBodyBytes: edge.waf.maxRequestBodyBytes },
    evaluationWindowSec: edge.waf.evaluationWindowSec,
    associateWith: loadBalancer.arn,
    logging: {
      retentionDays: edge.waf.logRetentionDays,
      kmsKeyArn: ctx.keys.logs.arn,
      region,
      accountId,
      protect: env.protectState,
    },
  });

  // LB-4: CloudFront and its WAF and certificate live in us-east-1.
  let cdn: StaticAssetsCdn | undefined;
  if (cdnEnabled && edge.cdn.domainName !== undefined) {
    const usEast1 = new AwsProvider(scope, 'aws-us-east-1', {
      alias: 'us-east-1',
      region: 'us-east-1',
      allowedAccountIds: env.aws.allowedAccountIds,
      defaultTags: [{ tags: tagsFor(env) }],
    });
    const usEast1Alerts = new AlertTopic(scope, 'alerts-us-east-1', {
      name: `${names.prefix}-alerts-us-east-1`,
      accountId,
      region: 'us-east-1',
      protect: env.protectState,
      provider: usEast1,
    });
    const cdnCertificate = new DnsValidatedCertificate(scope, 'cdn-certificate', {
      domainName: edge.cdn.domainName,
      hostedZoneId: edge.hostedZoneId,
      provider: usEast1,
      expiryAlarm: {
        days: CERTIFICATE_EXPIRY_ALARM_DAYS,
        alarmTopicArn: usEast1Alerts.arn,
        name: `${names.prefix}-cdn-certificate-expiry`,
      },
    });
    // CloudWatch Logs needs a key of its own region for the CloudFront-scope ACL's log group.
    const cdnLogsKey = new EncryptionKey(scope, 'cdn-logs-key', {
      alias: `${names.prefix}-cdn-logs`,
      description: `${names.prefix}: us-east-1 log groups of the CloudFront-scope web ACL`,
      accountId,
      protect: env.protectState,
      provider: usEast1,
      serviceStatements: [
        {
          Sid: 'CloudWatchLogsInUsEast1',
          Effect: 'Allow',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${accountId}:*` } },
        },
      ],
    });
    const cdnAcl = new WebAcl(scope, 'cdn-waf', {
      name: `${names.prefix}-cdn`,
      scope: 'CLOUDFRONT',
      rateLimits: [],
      evaluationWindowSec: edge.waf.evaluationWindowSec,
      provider: usEast1,
      logging: {
        retentionDays: edge.waf.logRetentionDays,
        kmsKeyArn: cdnLogsKey.arn,
        region: 'us-east-1',
        accountId,
        protect: env.protectState,
      },
    });
    cdn = new StaticAssetsCdn(scope, 'cdn', {
      namePrefix: names.prefix,
      accountId,
      region,
      bucketName: staticAssetsBucket,
      accessLogBucket: loadBalancer.logBucket.bucketName,
      domainName: edge.cdn.domainName,
      hostedZoneId: edge.hostedZoneId,
      certificateArn: cdnCertificate.arn,
      webAclArn: cdnAcl.arn,
      priceClass: edge.cdn.priceClass,
      securityHeaders: SEED_SECURITY_HEADERS,
      protect: env.protectState,
    });
    new TerraformOutput(ctx.scope, 'cdn_domain_name', {
      value: cdn.distribution.domainName,
      description: 'CloudFront domain of the static assets (alias target of the CDN name)',
    });
  }

  new TerraformOutput(ctx.scope, 'load_balancer_dns_name', {
    value: loadBalancer.dnsName,
    description: 'DNS name of the public load balancer (the public names are aliases of it)',
  });

  const targetGroupArns: Partial<Record<Channel, string>> = { app: loadBalancer.targetGroups.app.arn };
  if (loadBalancer.targetGroups.beta) targetGroupArns.beta = loadBalancer.targetGroups.beta.arn;
  targetGroupArns.ws = loadBalancer.targetGroups.ws.arn;
  if (loadBalancer.targetGroups.bws) targetGroupArns.bws = loadBalancer.targetGroups.bws.arn;
  return { loadBalancer, certificate, webAcl, cdn, targetGroupArns, construct: scope, alertTopicArn: ctx.alerts.arn };
}
