/**
 * The `edge` section of an environment definition: public names, certificate and DNS (NET-4),
 * load balancer (LB-1), web application firewall (LB-2) and CDN (LB-4).
 *
 * Rules inside the section live on the schema below; rules that need the tier or another section
 * live in `checkEdge`, which `checkDefinition` (environments/schema.ts) calls.
 */
import { z } from 'zod/v4';
import { LOG_RETENTION_DAYS, Tier } from '../catalog';

/** A DNS name in lower case (no trailing dot, no wildcard). */
export const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case DNS name such as app.example.com (no wildcard, no trailing dot)',
  );

const logRetention = z
  .number()
  .int()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    message: `must be a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(', ')} days)`,
  });

/** Requests per second per client: WAF counts them over `evaluationWindowSec`. */
const requestsPerSecond = z
  .number()
  .int('must be a whole number of requests per second')
  .refine((v) => v >= 1, {
    message: 'must be at least 1 request per second per client (LB-2); 0 would block every request on these paths',
  })
  .refine((v) => v <= 10000, { message: 'must be at most 10000 requests per second per client' });

/** Evaluation windows WAF rate-based rules accept (seconds). */
export const WAF_EVALUATION_WINDOWS = [60, 120, 300, 600] as const;

/** WAF's smallest and largest rate-based limit (requests per evaluation window). */
export const WAF_RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;

export const CDN_PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

export const edgeSchema = z
  .object({
    /** Domain of the environment's Route 53 hosted zone, e.g. `toronto-ai-team-agent.example.com`. */
    domainName: hostname,
    /** The hosted zone holding `domainName` (explicit: no lookup at plan time). */
    hostedZoneId: z
      .string()
      .regex(/^Z[0-9A-Z]{8,32}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ'),
    /**
     * Names that resolve to the load balancer (alias records) and that the certificate covers.
     * Each is `domainName` or a name below it.
     */
    publicNames: z.array(hostname).min(1, 'name at least one public name (NET-4)'),
    /** Name of the beta channel (ENV-4); required when `app.beta.enabled`. */
    betaName: hostname.optional(),
    loadBalancer: z
      .object({
        /** LB-1: production must set true. */
        deletionProtection: z.boolean(),
        /** Seconds an idle connection stays open. */
        idleTimeoutSeconds: z.number().int().min(1).max(4000).default(60),
        /** Days access logs are kept in the log bucket before they expire. */
        accessLogRetentionDays: z.number().int().min(1).max(3650),
      })
      .strict(),
    waf: z
      .object({
        /** Seed 004: 10 r/s per client on `/api/`. */
        apiRequestsPerSecond: requestsPerSecond,
        /** Seed 004: 5 r/s per client on `/api/auth/`. */
        authRequestsPerSecond: requestsPerSecond,
        /** WAF counts requests over this window; the rule limit is rate x window. */
        evaluationWindowSec: z
          .number()
          .refine((v) => (WAF_EVALUATION_WINDOWS as readonly number[]).includes(v), {
            message: `must be one of ${WAF_EVALUATION_WINDOWS.join(', ')} seconds (WAF evaluation windows)`,
          }),
        /** Retention of the WAF log group (`aws-waf-logs-...`). */
        logRetentionDays: logRetention,
        /**
         * Largest request body (declared `Content-Length`) the load balancer's WAF lets through, on
         * every path; it replaces the Common Rule Set's 8 KB body limit, which AI prompts and file
         * uploads exceed. 10 MiB by default (nginx's default of the seeds' set-up was 1 MiB).
         */
        maxRequestBodyBytes: z.number().int().min(8192, 'must be at least 8192 bytes (the managed 8 KB limit it replaces)').max(1024 ** 3, 'must be at most 1 GiB').default(10 * 1024 * 1024),
      })
      .strict(),
    cdn: z
      .object({
        /** LB-4: CloudFront in front of the static assets bucket. */
        enabled: z.boolean(),
        /** Public name of the CDN (below `domainName`); required when enabled. */
        domainName: hostname.optional(),
        /**
         * Certificate of the CDN name. `acm-us-east-1`: issued and DNS-validated in us-east-1,
         * where CloudFront reads certificates. `none`: only valid while the CDN is disabled.
         */
        certificate: z.enum(['none', 'acm-us-east-1']),
        priceClass: z.enum(CDN_PRICE_CLASSES).default('PriceClass_100'),
      })
      .strict(),
  })
  .strict();

export type EdgeSection = z.output<typeof edgeSchema>;

/** Rules of the edge section that depend on the tier. `issue` takes a path from the definition's root. */
export function checkEdge(tier: Tier, edge: EdgeSection, issue: (path: (string | number)[], message: string) => void): void {
  if (tier === 'production' && !edge.loadBalancer.deletionProtection) {
    issue(['edge', 'loadBalancer', 'deletionProtection'], 'production load balancers must have deletion protection (LB-1): set true');
  }
}

/** An ACM certificate names at most 10 domains unless the account's quota was raised. */
export const ACM_NAMES_PER_CERTIFICATE = 10;

/** Rules across the edge section's own fields. `at` takes paths from the definition's root. */
export function checkEdgeNames(edge: EdgeSection, at: (path: (string | number)[], message: string) => void): void {
  const inZone = (name: string) => name === edge.domainName || name.endsWith(`.${edge.domainName}`);
  edge.publicNames.forEach((name, i) => {
    if (!inZone(name)) {
      at(['edge', 'publicNames', i], `${name} is not in the hosted zone ${edge.domainName}; alias records can only be created there`);
    }
  });
  if (new Set(edge.publicNames).size !== edge.publicNames.length) {
    at(['edge', 'publicNames'], 'names must be distinct');
  }
  if (edge.betaName !== undefined && !inZone(edge.betaName)) {
    at(['edge', 'betaName'], `${edge.betaName} is not in the hosted zone ${edge.domainName}`);
  }
  if (edge.betaName !== undefined && edge.publicNames.includes(edge.betaName)) {
    at(['edge', 'betaName'], `${edge.betaName} is also a public name of the main channel; the beta channel needs its own name`);
  }
  const { apiRequestsPerSecond: api, authRequestsPerSecond: auth, evaluationWindowSec: window } = edge.waf;
  if (auth > api) {
    at(['edge', 'waf', 'authRequestsPerSecond'], `${auth} r/s is above the API limit of ${api} r/s; auth paths are part of the API and must be limited at least as strictly`);
  }
  for (const [field, rate] of [['apiRequestsPerSecond', api], ['authRequestsPerSecond', auth]] as const) {
    const limit = rate * window;
    if (rate >= 1 && (limit < WAF_RATE_LIMIT_RANGE.min || limit > WAF_RATE_LIMIT_RANGE.max)) {
      at(['edge', 'waf', field], `${rate} r/s over ${window} s is ${limit} requests per window; WAF accepts ${WAF_RATE_LIMIT_RANGE.min} to ${WAF_RATE_LIMIT_RANGE.max}`);
    }
  }
  if (edge.cdn.enabled) {
    if (edge.cdn.certificate === 'none') {
      at(['edge', 'cdn', 'certificate'], `the CDN is enabled and serves ${edge.cdn.domainName ?? 'its name'} over HTTPS: it needs a certificate; set "acm-us-east-1"`);
    }
    if (edge.cdn.domainName === undefined) {
      at(['edge', 'cdn', 'domainName'], 'the CDN is enabled and needs a public name (e.g. static.<domainName>)');
    }
  }
  if (edge.cdn.domainName !== undefined) {
    if (!inZone(edge.cdn.domainName)) {
      at(['edge', 'cdn', 'domainName'], `${edge.cdn.domainName} is not in the hosted zone ${edge.domainName}`);
    }
    if (edge.publicNames.includes(edge.cdn.domainName) || edge.cdn.domainName === edge.betaName) {
      at(['edge', 'cdn', 'domainName'], `${edge.cdn.domainName} already points at the load balancer; the CDN needs its own name`);
    }
  }
  const certificateNames = new Set([...edge.publicNames, ...(edge.betaName !== undefined ? [edge.betaName] : [])]);
  if (certificateNames.size > ACM_NAMES_PER_CERTIFICATE) {
    at(['edge', 'publicNames'], `the certificate would cover ${certificateNames.size} names (publicNames and betaName); ACM allows ${ACM_NAMES_PER_CERTIFICATE} per certificate by default`);
  }
}
