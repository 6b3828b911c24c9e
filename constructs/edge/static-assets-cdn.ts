import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { EncryptionKey } from '../kms/kms-key';
import { SecureBucket } from '../backup/secure-bucket';
import { SecurityHeaders } from './security-headers';

/** AWS managed cache policy `Managed-CachingOptimized` (fixed id, the same in every account). */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';

export interface StaticAssetsCdnProps {
  /** Prefix of every name, e.g. `toronto-ai-production`. */
  readonly namePrefix: string;
  readonly accountId: string;
  /** Region of the assets bucket (the stack's region). */
  readonly region: string;
  /** Globally unique name of the private assets bucket. */
  readonly bucketName: string;
  /** Public name of the CDN; an alias record is written in `hostedZoneId`. */
  readonly domainName: string;
  readonly hostedZoneId: string;
  /** Validated us-east-1 certificate covering `domainName`. */
  readonly certificateArn: string;
  /** CloudFront-scope web ACL (ARN). */
  readonly webAclArn: string;
  readonly priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** LB-3 headers on every response. */
  readonly securityHeaders: SecurityHeaders;
  /** Bucket (same region) receiving the assets bucket's S3 server access logs, under `s3/<bucket>/`. */
  readonly accessLogBucket: string;
  /** BAK-4: keep the bucket and its key on destroy. */
  readonly protect: boolean;
  /** Provider of the stack's region (bucket, key); the distribution is global. @default default provider */
  readonly provider?: TerraformProvider;
}

/**
 * LB-4: CloudFront for static assets. The bucket stays private (public access blocked, SSE-KMS
 * with its own key); only this distribution may read it, through origin access control (SigV4),
 * which the bucket policy and the key policy both pin to the distribution's ARN. Viewers get
 * HTTPS only (TLS 1.2+), HTTP/2 and 3, IPv6, and the LB-3 security headers.
 */
export class StaticAssetsCdn extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly bucket: SecureBucket;
  readonly key: EncryptionKey;
  readonly responseHeadersPolicy: CloudfrontResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: StaticAssetsCdnProps) {
    super(scope, id);
    const p = props.namePrefix;
    const originId = 'static-assets';
    const h = props.securityHeaders;

    const oac = new CloudfrontOriginAccessControl(this, 'origin-access-control', {
      name: `${p}-static-assets`,
      description: `${p}: CloudFront reads the static assets bucket with SigV4`,
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    this.responseHeadersPolicy = new CloudfrontResponseHeadersPolicy(this, 'security-headers', {
      name: `${p}-security-headers`,
      comment: 'LB-3: security headers of seed 004',
      securityHeadersConfig: {
        strictTransportSecurity: {
          accessControlMaxAgeSec: h.strictTransportSecurity.maxAgeSeconds,
          includeSubdomains: h.strictTransportSecurity.includeSubdomains,
          preload: h.strictTransportSecurity.preload,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: h.frameOptions, override: true },
        referrerPolicy: { referrerPolicy: h.referrerPolicy, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: h.contentSecurityPolicy, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });

    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      comment: `${p}: static assets (LB-4)`,
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      priceClass: props.priceClass,
      aliases: [props.domainName],
      webAclId: props.webAclArn,
      origin: [
        {
          originId,
          // The regional endpoint, computed from the name: no reference to the bucket needed.
          domainName: `${props.bucketName}.s3.${props.region}.amazonaws.com`,
          originAccessControlId: oac.id,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
        cachedMethods: ['GET', 'HEAD'],
        compress: true,
        cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
        responseHeadersPolicyId: this.responseHeadersPolicy.id,
      },
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: {
        acmCertificateArn: props.certificateArn,
        sslSupportMethod: 'sni-only',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
    });

    const onlyThisDistribution = { StringEquals: { 'AWS:SourceArn': this.distribution.arn } };
    this.key = new EncryptionKey(this, 'key', {
      alias: `${p}-static-assets`,
      description: `${p}: static assets served through CloudFront`,
      accountId: props.accountId,
      protect: props.protect,
      serviceStatements: [
        {
          Sid: 'CloudFrontDecryptsForThisDistribution',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: onlyThisDistribution,
        },
      ],
    });
    this.bucket = new SecureBucket(this, 'assets', {
      provider: props.provider,
      bucketName: props.bucketName,
      encryption: { kind: 'kms', keyArn: this.key.arn },
      lifecycle: { noncurrentVersionExpiryDays: 30 },
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: `s3/${props.bucketName}/`,
      protect: props.protect,
      policyStatements: [
        {
          Sid: 'CloudFrontReadsThroughOriginAccessControl',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${props.bucketName}/*`,
          Condition: onlyThisDistribution,
        },
      ],
    });

    for (const type of ['A', 'AAAA']) {
      new Route53Record(this, `alias-${type.toLowerCase()}`, {
        zoneId: props.hostedZoneId,
        name: props.domainName,
        type,
        alias: { name: this.distribution.domainName, zoneId: this.distribution.hostedZoneId, evaluateTargetHealth: false },
      });
    }
  }
}
