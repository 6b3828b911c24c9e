/**
 * The schema every environment definition is validated against (ENV-2).
 *
 * Field-level rules live on the fields; rules across fields (CIDRs inside the VPC, subnets per
 * zone, pool sizes against the documented hardware, tier rules) live in `checkDefinition` below,
 * so every broken rule of every environment is reported in one run.
 */
import { z } from 'zod';
import {
  HARDWARE_PROFILES,
  INSTANCE_TYPES,
  LOG_RETENTION_DAYS,
  NODE_POOL_NAMES,
  NodePoolName,
  PRODUCTION_LIKE_TIERS,
  REGION_AZS,
  REGIONS,
  SUPPORTED_CLUSTER_VERSIONS,
  TIERS,
} from './catalog';
import { cidrContains, cidrsOverlap, parseCidr } from './cidr';
import { checkEdge, edgeSchema } from './sections/edge';
import { appSchema, checkApp } from './sections/app';
import { checkObservability, observabilitySchema } from './sections/observability';
import { backupSchema, checkBackup } from './sections/backup';
import { checkData, dataSchema } from './sections/data';
import { checkCicd, cicdSchema } from './sections/cicd';

const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  message: 'must be an IPv4 CIDR such as 10.20.0.0/16 with the host bits zero',
});

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

const logRetention = z
  .number()
  .int()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    message: `must be a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(', ')} days)`,
  });

const tagValue = z.string().min(1).max(256);

export const nodePoolSchema = z
  .object({
    /** EC2 instance type; must be one of `INSTANCE_TYPES` in environments/catalog.ts. */
    instanceType: z.string().min(1),
    /** Nodes the autoscaler may not go below. */
    minSize: z.number().int().min(0),
    /** Nodes at creation (the autoscaler adjusts it afterwards). */
    desiredSize: z.number().int().min(0),
    /** Nodes the autoscaler may not go above. */
    maxSize: z.number().int().min(1),
    /** Root EBS volume of each node (GiB, gp3, encrypted). */
    rootVolumeGiB: z.number().int().min(20).max(16384),
    /**
     * Size of each persistent data volume the pool's workloads claim (GiB). Required for the
     * database and vector pools, whose documented storage lives on persistent volumes.
     */
    dataVolumeGiB: z.number().int().min(1).max(65536).optional(),
    /** SSD volume type of the root volume. */
    volumeType: z.enum(['gp3', 'io2']).default('gp3'),
    capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
  })
  .strict();

const stateBackendSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }).strict(),
  z
    .object({
      type: z.literal('s3'),
      /** Existing state bucket (versioned, encrypted). */
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
      /** Region of the state bucket. */
      region: z.enum(REGIONS, { errorMap: () => ({ message: `must be one of ${REGIONS.join(', ')}` }) }),
      /** Prefix of the state objects; the stack name is appended. */
      keyPrefix: z.string().regex(/^[A-Za-z0-9/_-]+$/).default('toronto-ai'),
      /** KMS key for server-side encryption of the state objects (ARN). */
      kmsKeyArn: z.string().regex(/^arn:aws:kms:/, 'must be a KMS key ARN').optional(),
    })
    .strict(),
]);

export const environmentObjectSchema = z
  .object({
    /** Environment name: stack names are `<name>` and `<name>-platform`. */
    name: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/, 'must be lower-case letters, digits and dashes (2-21 chars)'),
    /** ENV-1 tier: decides which rules (hardware, protection, public endpoint) apply. */
    tier: z.enum(TIERS),
    description: z.string().min(1),
    /**
     * HW-2: `documented` pools meet the seed's hardware table; `reduced` pools are smaller on
     * purpose and `sizingNote` says why. Staging and production must be `documented`.
     */
    sizing: z.enum(['documented', 'reduced']),
    sizingNote: z.string().optional(),
    aws: z
      .object({
        /** OPS-4: the only accounts this definition may be applied to. */
        allowedAccountIds: z.array(accountId).min(1, 'name at least one allowed AWS account id'),
        region: z.enum(REGIONS, { errorMap: () => ({ message: `must be one of ${REGIONS.join(', ')}` }) }),
        /** Explicit zones (no lookup at plan time). */
        availabilityZones: z.array(z.string()).min(2, 'at least 2 availability zones (NET-1)'),
      })
      .strict(),
    /** OPS-4 tags on every resource (environment and managed-by are added automatically). */
    tags: z
      .object({
        project: tagValue,
        owner: tagValue,
        costCenter: tagValue.optional(),
      })
      .strict(),
    stateBackend: stateBackendSchema,
    network: z
      .object({
        vpcCidr: cidr,
        /** One subnet per availability zone, in the zones' order. */
        publicSubnetCidrs: z.array(cidr),
        privateSubnetCidrs: z.array(cidr),
        dataSubnetCidrs: z.array(cidr),
        /** NAT gateways: one per zone (production) or one shared. */
        natGateways: z.enum(['per-az', 'single']),
        flowLogRetentionDays: logRetention,
      })
      .strict(),
    cluster: z
      .object({
        version: z.enum(SUPPORTED_CLUSTER_VERSIONS, {
          errorMap: () => ({
            message: `must be a supported EKS version (${SUPPORTED_CLUSTER_VERSIONS.join(', ')})`,
          }),
        }),
        /**
         * CIDRs allowed to reach the public API endpoint. Empty: the endpoint is private only.
         * Production must leave it empty (K8S-1).
         */
        publicAccessCidrs: z.array(cidr).default([]),
        /** IAM principals (roles) given cluster-admin through EKS access entries. */
        adminPrincipalArns: z
          .array(z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN'))
          .min(1, 'name at least one administrator role'),
        logRetentionDays: logRetention,
      })
      .strict(),
    nodePools: z
      .object({
        system: nodePoolSchema.optional(),
        app: nodePoolSchema,
        database: nodePoolSchema.optional(),
        vector: nodePoolSchema.optional(),
      })
      .strict(),
    /** BAK-4: state-holding resources get prevent_destroy / deletion protection. */
    protectState: z.boolean(),
    /** NET-4, LB-1..4: public names, certificate, load balancer, WAF, CDN (environments/sections/edge.ts). */
    edge: edgeSchema,
    /** APP-1..3, K8S-3, ENV-4: the application, blue-green, HPA, beta channel (environments/sections/app.ts). */
    app: appSchema,
    /** OBS-1..4, SEC-2, SEC-3: monitoring, alerting, logging, security tooling (environments/sections/observability.ts). */
    observability: observabilitySchema,
    /** BAK-1..3: backup bucket retention, object lock, offsite replica, recovery objectives, Velero. */
    backup: backupSchema,
    /** DATA-1..4, SEC-1: PostgreSQL, MongoDB, ChromaDB, Redis, Vault (environments/sections/data.ts). */
    data: dataSchema,
    /** CI/CD: the GitHub repository that deploys this environment, its trigger and approval (environments/sections/cicd.ts). */
    cicd: cicdSchema,
  })
  .strict();

export type EnvironmentInput = z.input<typeof environmentObjectSchema>;
export type Environment = z.output<typeof environmentObjectSchema>;
export type NodePool = z.output<typeof nodePoolSchema>;

type Ctx = z.RefinementCtx;
type Def = Environment;

function issue(ctx: Ctx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
}

/** Cross-field rules. Runs only when every field parsed. */
function checkDefinition(env: Def, ctx: Ctx): void {
  const productionLike = PRODUCTION_LIKE_TIERS.includes(env.tier);

  // ---- region and zones (NET-1)
  const zones = REGION_AZS[env.aws.region] ?? [];
  env.aws.availabilityZones.forEach((az, i) => {
    if (!zones.includes(az)) {
      issue(ctx, ['aws', 'availabilityZones', i], `${az} is not a zone of ${env.aws.region} (zones: ${zones.join(', ')})`);
    }
  });
  if (new Set(env.aws.availabilityZones).size !== env.aws.availabilityZones.length) {
    issue(ctx, ['aws', 'availabilityZones'], 'zones must be distinct');
  }
  if (env.tier === 'production' && env.aws.availabilityZones.length < 3) {
    issue(ctx, ['aws', 'availabilityZones'], `production needs 3 availability zones (NET-1); got ${env.aws.availabilityZones.length}`);
  }

  // ---- CIDRs (NET-1)
  const nZones = env.aws.availabilityZones.length;
  const all: { path: (string | number)[]; cidr: string }[] = [];
  for (const tier of ['publicSubnetCidrs', 'privateSubnetCidrs', 'dataSubnetCidrs'] as const) {
    const list = env.network[tier];
    if (list.length !== nZones) {
      issue(ctx, ['network', tier], `needs one subnet per availability zone: ${nZones} expected, ${list.length} given`);
    }
    list.forEach((c, i) => {
      if (!cidrContains(env.network.vpcCidr, c)) {
        issue(ctx, ['network', tier, i], `${c} is not inside the VPC CIDR ${env.network.vpcCidr}`);
      }
      all.push({ path: ['network', tier, i], cidr: c });
    });
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      if (cidrsOverlap(all[i].cidr, all[j].cidr)) {
        issue(ctx, all[j].path, `${all[j].cidr} overlaps ${all[i].path.join('.')} (${all[i].cidr}); subnets must not overlap`);
      }
    }
  }
  if (env.tier === 'production' && env.network.natGateways !== 'per-az') {
    issue(ctx, ['network', 'natGateways'], 'production needs a NAT gateway per availability zone (NET-1): set "per-az"');
  }

  // ---- cluster endpoint (K8S-1)
  if (env.tier === 'production' && env.cluster.publicAccessCidrs.length > 0) {
    issue(ctx, ['cluster', 'publicAccessCidrs'], 'production must not expose a public API endpoint (K8S-1): leave this list empty and use the private endpoint');
  }
  env.cluster.publicAccessCidrs.forEach((c, i) => {
    const parsed = parseCidr(c);
    if (parsed && parsed.prefix === 0) {
      issue(ctx, ['cluster', 'publicAccessCidrs', i], `${c} opens the API endpoint to the whole internet; list the administrators' CIDRs instead`);
    }
  });
  env.cluster.adminPrincipalArns.forEach((arn, i) => {
    const account = arn.split(':')[4];
    if (!env.aws.allowedAccountIds.includes(account)) {
      issue(ctx, ['cluster', 'adminPrincipalArns', i], `${arn} is in account ${account}, which is not one of aws.allowedAccountIds`);
    }
  });

  // ---- backups (BAK-1..3): rules in sections/backup.ts
  checkBackup(env, (path, message) => issue(ctx, path, message));

  // ---- data services (DATA-1..4, SEC-1): rules in sections/data.ts
  checkData(env, (path, message) => issue(ctx, path, message));

  // ---- edge and application (LB-1, ENV-4): rules in sections/edge.ts and sections/app.ts
  checkEdge(env.tier, env.edge, (path, message) => issue(ctx, path, message));
  checkApp(env.tier, env.app, env.edge, (path, message) => issue(ctx, path, message));

  // ---- state backend (OPS-2)
  if (productionLike && !env.protectState) {
    issue(ctx, ['protectState'], `${env.tier} must protect state-holding resources from destroy (BAK-4): set true`);
  }

  checkObservability(env.tier, env.observability, (path, message) => issue(ctx, path, message));

  // ---- CI/CD: deploy role trust, trigger and approval (environments/sections/cicd.ts)
  checkCicd(env.name, env.tier, env.aws.allowedAccountIds, env.cicd, (path, message) => issue(ctx, path, message));

  // ---- node pools (HW-1, HW-2, K8S-2)
  if (productionLike && env.sizing !== 'documented') {
    issue(ctx, ['sizing'], `${env.tier} must meet the documented hardware (HW-1): set "documented"`);
  }
  if (env.sizing === 'reduced' && !env.sizingNote) {
    issue(ctx, ['sizingNote'], 'a reduced environment must say why it is smaller than the documented hardware (HW-2)');
  }
  for (const name of NODE_POOL_NAMES) {
    const pool = env.nodePools[name];
    if (!pool) {
      if (productionLike) {
        issue(ctx, ['nodePools', name], `${env.tier} needs a dedicated ${name} pool (K8S-2)`);
      }
      continue;
    }
    checkPool(env, name, pool, productionLike, ctx);
  }
}

function checkPool(env: Def, name: NodePoolName, pool: NodePool, enforce: boolean, ctx: Ctx): void {
  const at = (field: string) => ['nodePools', name, field];
  if (pool.minSize > pool.desiredSize || pool.desiredSize > pool.maxSize) {
    issue(ctx, at('desiredSize'), `sizes must satisfy minSize <= desiredSize <= maxSize; got ${pool.minSize} <= ${pool.desiredSize} <= ${pool.maxSize}`);
  }
  const profile = HARDWARE_PROFILES[name];
  if (profile.storage === 'persistent-volume' && pool.dataVolumeGiB === undefined) {
    issue(ctx, at('dataVolumeGiB'), `the ${name} pool needs the size of its persistent data volumes`);
  }
  const facts = INSTANCE_TYPES[pool.instanceType];
  if (!facts) {
    issue(ctx, at('instanceType'), `unknown instance type ${pool.instanceType}; add its facts to INSTANCE_TYPES in environments/catalog.ts or pick one of: ${Object.keys(INSTANCE_TYPES).join(', ')}`);
    return;
  }
  if (!enforce) {
    return;
  }
  const needs = `the documented ${profile.documentedAs} needs`;
  if (facts.vcpus < profile.minVcpus) {
    issue(ctx, at('instanceType'), `${pool.instanceType} has ${facts.vcpus} vCPUs; ${needs} >= ${profile.minVcpus}`);
  }
  if (facts.memoryGiB < profile.minMemoryGiB) {
    issue(ctx, at('instanceType'), `${pool.instanceType} has ${facts.memoryGiB} GiB of memory; ${needs} >= ${profile.minMemoryGiB} GiB`);
  }
  if (facts.baselineGbps < profile.minBaselineGbps) {
    issue(ctx, at('instanceType'), `${pool.instanceType} has a baseline of ${facts.baselineGbps} Gbps; ${needs} >= ${profile.minBaselineGbps} Gbps`);
  }
  if (pool.minSize < profile.documentedCount) {
    issue(ctx, at('minSize'), `${pool.minSize} nodes is below the documented ${profile.documentedCount} ${profile.documentedAs}s`);
  }
  if (profile.storage === 'node-volume' && pool.rootVolumeGiB < profile.storageGiB) {
    issue(ctx, at('rootVolumeGiB'), `${pool.rootVolumeGiB} GiB is below the documented ${profile.storageGiB} GiB of SSD per ${profile.documentedAs}`);
  }
  if (profile.storage === 'persistent-volume' && pool.dataVolumeGiB !== undefined && pool.dataVolumeGiB < profile.storageGiB) {
    issue(ctx, at('dataVolumeGiB'), `${pool.dataVolumeGiB} GiB is below the documented ${profile.storageGiB} GiB of SSD per ${profile.documentedAs}`);
  }
  if (pool.capacityType !== 'ON_DEMAND' && (name === 'database' || name === 'vector')) {
    issue(ctx, at('capacityType'), `${name} nodes hold data and must be ON_DEMAND in ${env.tier}`);
  }
}

/** The full schema: field rules plus the cross-field rules of `checkDefinition`. */
export const environmentSchema = environmentObjectSchema.superRefine(checkDefinition);
