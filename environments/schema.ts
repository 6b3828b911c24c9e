/**
 * The schema every environment definition is validated against (ENV-2).
 *
 * Field-level rules live on the fields; rules across fields (CIDRs inside the VPC, subnets per
 * zone, pool sizes against the documented hardware, capacity, generated names, tier rules) are the
 * `DEFINITION_RULES` below. Each rule names the fields it reads; `checkDefinition` runs every rule
 * whose fields parsed, so an invalid value never hides another field's cross-field problem.
 */
import { z } from 'zod/v4';
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
import { EBS_GP3_MAX_GIB } from './sections/data';
import { addressesCovered, cidrContains, cidrsOverlap, containedIn, IPV4_ADDRESSES, NON_PUBLIC_RANGES, parseCidr, PRIVATE_RANGES } from './cidr';
import { checkCapacity } from './capacity';
import { GENERATED_NAMES } from './names';
import { checkEdge, checkEdgeNames, edgeSchema } from './sections/edge';
import { appSchema, checkApp, checkAppConfig, checkAppResources, checkAppScaling } from './sections/app';
import { checkObservability, observabilitySchema } from './sections/observability';
import { backupSchema, checkBackup } from './sections/backup';
import { auditSchema, checkAudit } from './sections/audit';
import { checkData, dataSchema } from './sections/data';
import { checkCicd, cicdSchema } from './sections/cicd';
import { checkEmailDomain, checkServices, checkWebsocketIdle, servicesSchema } from './sections/services';

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

/** AWS tag values: 1-256 letters, digits, spaces and _ . : / = + - @. */
const tagValue = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'must use only letters, digits, spaces and _ . : / = + - @ (AWS tag values)');

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
    dataVolumeGiB: z.number().int().min(1).max(EBS_GP3_MAX_GIB).optional(),
    /** SSD volume type of the root volume. */
    volumeType: z.enum(['gp3', 'io2']).default('gp3'),
    capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
    /** NVIDIA GPU nodes (the inference pool only): the EKS NVIDIA AMI and the device plugin. */
    gpu: z.boolean().default(false),
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
      region: z.enum(REGIONS, { error: () => `must be one of ${REGIONS.join(', ')}` }),
      /** Prefix of the state objects; the stack name is appended. */
      keyPrefix: z.string().regex(/^[A-Za-z0-9/_-]+$/).default('toronto-ai'),
      /** KMS key for server-side encryption of the state objects (ARN). */
      kmsKeyArn: z.string().regex(/^arn:aws:kms:/, 'must be a KMS key ARN').optional(),
    })
    .strict(),
]);

/** Data-owning releases and namespaces whose protection a reviewed restore may lift (BAK-4). */
export const DATA_RELEASES = ['postgres', 'mongodb', 'vault', 'chroma', 'elasticsearch', 'kube-prometheus-stack'] as const;
export const DATA_NAMESPACES = ['data', 'vault', 'vector', 'logging', 'monitoring'] as const;

const unprotectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('release'), name: z.enum(DATA_RELEASES), reason: z.string().trim().min(20, 'say why (20+ characters): the restore, its ticket') }).strict(),
  z.object({ kind: z.literal('namespace'), name: z.enum(DATA_NAMESPACES), reason: z.string().trim().min(20, 'say why (20+ characters): the restore, its ticket') }).strict(),
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
        region: z.enum(REGIONS, { error: () => `must be one of ${REGIONS.join(', ')}` }),
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
          error: () => `must be a supported EKS version (${SUPPORTED_CLUSTER_VERSIONS.join(', ')})`,
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
        /** The AI service's own pool (services.inference); CPU, or GPU with `gpu: true` and a GPU instance type. */
        inference: nodePoolSchema.optional(),
      })
      .strict(),
    /** BAK-4: state-holding resources get prevent_destroy / deletion protection. */
    protectState: z.boolean(),
    /**
     * BAK-4: a deliberate, reviewed replacement of data (a restore): the data-owning releases or
     * namespaces listed here lose prevent_destroy for the apply that replaces them, each with a
     * written reason (a TAI-DATA-1 suppression the policy report lists). Remove the entry again
     * once the replacement is done. README: "Replacing data on purpose".
     */
    unprotect: z.array(unprotectSchema).default([]),
    /** NET-4, LB-1..4: public names, certificate, load balancer, WAF, CDN (environments/sections/edge.ts). */
    edge: edgeSchema,
    /** APP-1..3, K8S-3, ENV-4: the application, blue-green, HPA, beta channel (environments/sections/app.ts). */
    app: appSchema,
    /** OBS-1..4, SEC-2, SEC-3: monitoring, alerting, logging, security tooling (environments/sections/observability.ts). */
    observability: observabilitySchema,
    /** BAK-1..3: backup bucket retention, object lock, offsite replica, recovery objectives, Velero. */
    backup: backupSchema,
    /** SEC-1: the CloudTrail trail the key alarm needs: created here or the organisation's (environments/sections/audit.ts). */
    audit: auditSchema,
    /** DATA-1..4, SEC-1: PostgreSQL, MongoDB, ChromaDB, Redis, Vault (environments/sections/data.ts). */
    data: dataSchema,
    /** The service tier around the application and the AWS resources it uses (environments/sections/services.ts). */
    services: servicesSchema,
    /** CI/CD: the GitHub repository that deploys this environment, its trigger and approval (environments/sections/cicd.ts). */
    cicd: cicdSchema,
  })
  .strict();

export type EnvironmentInput = z.input<typeof environmentObjectSchema>;
export type Environment = z.output<typeof environmentObjectSchema>;
export type NodePool = z.output<typeof nodePoolSchema>;

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;
type Def = Environment;

/**
 * A rule across fields. `needs` lists the fields it reads (dotted paths; a section name covers the
 * whole section): the rule runs only when none of them failed its field rules.
 */
export interface DefinitionRule {
  readonly needs: readonly string[];
  readonly check: (env: Def, report: Report) => void;
}

const productionLike = (env: Def) => PRODUCTION_LIKE_TIERS.includes(env.tier);

/** AWS reserves 5 addresses of every subnet. */
const SUBNET_RESERVED_ADDRESSES = 5;
/** AWS accepts VPC and subnet CIDRs from /16 to /28. */
const AWS_CIDR_PREFIX = { min: 16, max: 28 } as const;
/** EKS accepts at most 40 public access CIDRs. */
export const EKS_PUBLIC_ACCESS_CIDRS_MAX = 40;

export const DEFINITION_RULES: readonly DefinitionRule[] = [
  // ---- region and zones (NET-1)
  {
    needs: ['tier', 'aws.region', 'aws.availabilityZones'],
    check: (env, report) => {
      const zones = REGION_AZS[env.aws.region] ?? [];
      env.aws.availabilityZones.forEach((az, i) => {
        if (!zones.includes(az)) {
          report(['aws', 'availabilityZones', i], `${az} is not a zone of ${env.aws.region} (zones: ${zones.join(', ')})`);
        }
      });
      if (new Set(env.aws.availabilityZones).size !== env.aws.availabilityZones.length) {
        report(['aws', 'availabilityZones'], 'zones must be distinct');
      }
      if (env.tier === 'production' && env.aws.availabilityZones.length < 3) {
        report(['aws', 'availabilityZones'], `production needs 3 availability zones (NET-1); got ${env.aws.availabilityZones.length}`);
      }
    },
  },
  // ---- CIDRs (NET-1)
  {
    needs: ['aws.availabilityZones', 'network.vpcCidr', 'network.publicSubnetCidrs', 'network.privateSubnetCidrs', 'network.dataSubnetCidrs'],
    check: (env, report) => {
      const nZones = env.aws.availabilityZones.length;
      const vpc = parseCidr(env.network.vpcCidr)!;
      if (vpc.prefix < AWS_CIDR_PREFIX.min || vpc.prefix > AWS_CIDR_PREFIX.max) {
        report(['network', 'vpcCidr'], `/${vpc.prefix} is not a VPC size AWS accepts (/${AWS_CIDR_PREFIX.min} to /${AWS_CIDR_PREFIX.max})`);
      }
      if (!containedIn(env.network.vpcCidr, PRIVATE_RANGES)) {
        report(['network', 'vpcCidr'], `${env.network.vpcCidr} is not inside a private range (${PRIVATE_RANGES.join(', ')}); its routes would shadow public addresses`);
      }
      const all: { path: Path; cidr: string }[] = [];
      for (const tier of ['publicSubnetCidrs', 'privateSubnetCidrs', 'dataSubnetCidrs'] as const) {
        const list = env.network[tier];
        if (list.length !== nZones) {
          report(['network', tier], `needs one subnet per availability zone: ${nZones} expected, ${list.length} given`);
        }
        list.forEach((c, i) => {
          const prefix = parseCidr(c)!.prefix;
          if (!cidrContains(env.network.vpcCidr, c)) {
            report(['network', tier, i], `${c} is not inside the VPC CIDR ${env.network.vpcCidr}`);
          } else if (prefix > AWS_CIDR_PREFIX.max) {
            report(['network', tier, i], `/${prefix} is smaller than the smallest subnet AWS accepts (/${AWS_CIDR_PREFIX.max})`);
          }
          all.push({ path: ['network', tier, i], cidr: c });
        });
      }
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
          if (cidrsOverlap(all[i].cidr, all[j].cidr)) {
            report(all[j].path, `${all[j].cidr} overlaps ${all[i].path.join('.')} (${all[i].cidr}); subnets must not overlap`);
          }
        }
      }
    },
  },
  // ---- pod addresses: the VPC CNI gives every pod an address of a private subnet
  {
    needs: ['nodePools', 'network.privateSubnetCidrs'],
    check: (env, report) => {
      const usable = env.network.privateSubnetCidrs
        .map((c) => parseCidr(c))
        .reduce((n, c) => n + (c ? 2 ** (32 - c.prefix) - SUBNET_RESERVED_ADDRESSES : 0), 0);
      let needed = 0;
      for (const name of NODE_POOL_NAMES) {
        const pool = env.nodePools[name];
        const facts = pool ? INSTANCE_TYPES[pool.instanceType] : undefined;
        if (pool && facts) needed += pool.maxSize * (facts.maxPods + 1);
      }
      if (needed > usable) {
        report(['network', 'privateSubnetCidrs'], `${usable} usable addresses, but the node pools at their maxSize need ${needed} (one per node and one per pod it can host); pods would fail to start: use larger private subnets`);
      }
    },
  },
  {
    needs: ['tier', 'network.natGateways'],
    check: (env, report) => {
      if (env.tier === 'production' && env.network.natGateways !== 'per-az') {
        report(['network', 'natGateways'], 'production needs a NAT gateway per availability zone (NET-1): set "per-az"');
      }
    },
  },
  // ---- cluster endpoint (K8S-1)
  {
    needs: ['tier', 'cluster.publicAccessCidrs'],
    check: (env, report) => {
      const cidrs = env.cluster.publicAccessCidrs;
      if (env.tier === 'production' && cidrs.length > 0) {
        report(['cluster', 'publicAccessCidrs'], 'production must not expose a public API endpoint (K8S-1): leave this list empty and use the private endpoint');
      }
      checkAllowList(['cluster', 'publicAccessCidrs'], cidrs, 'the API endpoint', report);
      if (cidrs.length > EKS_PUBLIC_ACCESS_CIDRS_MAX) {
        report(['cluster', 'publicAccessCidrs'], `${cidrs.length} CIDRs; EKS accepts at most ${EKS_PUBLIC_ACCESS_CIDRS_MAX}`);
      }
    },
  },
  {
    needs: ['aws.allowedAccountIds', 'cluster.adminPrincipalArns'],
    check: (env, report) => {
      env.cluster.adminPrincipalArns.forEach((arn, i) => {
        const account = arn.split(':')[4];
        if (!env.aws.allowedAccountIds.includes(account)) {
          report(['cluster', 'adminPrincipalArns', i], `${arn} is in account ${account}, which is not one of aws.allowedAccountIds`);
        }
      });
    },
  },
  // ---- kubectl follows the cluster within one minor version (Kubernetes version skew policy)
  {
    needs: ['cluster.version', 'data.jobImages.kubectl', 'data.jobImages.kubectlShell'],
    check: (env, report) => {
      const [major, minor] = env.cluster.version.split('.').map(Number);
      for (const field of ['kubectl', 'kubectlShell'] as const) {
        const image = env.data.jobImages[field];
        const tag = /:v?(\d+)\.(\d+)/.exec(image.slice(image.lastIndexOf(':')));
        if (tag && (Number(tag[1]) !== major || Math.abs(Number(tag[2]) - minor) > 1)) {
          report(['data', 'jobImages', field], `kubectl ${tag[1]}.${tag[2]} is more than one minor version away from the cluster's ${env.cluster.version} (cluster.version); kubectl supports one minor version of skew`);
        }
      }
    },
  },
  // ---- generated AWS names (environments/names.ts)
  {
    needs: ['name', 'aws.allowedAccountIds', 'aws.region', 'backup.replicaRegion', 'stateBackend', 'app.image', 'services.agents.image'],
    check: (env, report) => checkGeneratedNames(env, report),
  },
  // ---- backups (BAK-1..3): rules in sections/backup.ts
  { needs: ['tier', 'aws.region', 'backup'], check: (env, report) => checkBackup(env, report) },
  // ---- audit trail (SEC-1): rules in sections/audit.ts
  { needs: ['tier', 'audit'], check: (env, report) => checkAudit(env.tier, env.audit, report) },
  // ---- data services (DATA-1..4, SEC-1): rules in sections/data.ts
  {
    needs: ['tier', 'data', 'aws.availabilityZones', 'nodePools.database.dataVolumeGiB', 'nodePools.vector.dataVolumeGiB', 'backup.databaseRpoMinutes'],
    check: (env, report) => checkData(env, report),
  },
  // ---- edge and application (LB-1, ENV-4): rules in sections/edge.ts and sections/app.ts
  { needs: ['edge'], check: (env, report) => checkEdgeNames(env.edge, report) },
  { needs: ['tier', 'edge.loadBalancer.deletionProtection'], check: (env, report) => checkEdge(env.tier, env.edge, report) },
  { needs: ['app.hpa', 'app.replicas'], check: (env, report) => checkAppScaling(env.app, report) },
  { needs: ['app.resources'], check: (env, report) => checkAppResources(env.app, report) },
  { needs: ['app.config'], check: (env, report) => checkAppConfig(env.app, report) },
  { needs: ['services'], check: (env, report) => checkServices(env.services, report) },
  { needs: ['services.email', 'edge.domainName'], check: (env, report) => checkEmailDomain(env.services.email, env.edge.domainName, report) },
  { needs: ['edge.loadBalancer.idleTimeoutSeconds'], check: (env, report) => checkWebsocketIdle(env.edge.loadBalancer.idleTimeoutSeconds, report) },
  { needs: ['tier', 'app.beta', 'edge.betaName'], check: (env, report) => checkApp(env.tier, env.app, env.edge, report) },
  // ---- state (OPS-2, BAK-4)
  {
    needs: ['tier', 'protectState'],
    check: (env, report) => {
      if (productionLike(env) && !env.protectState) {
        report(['protectState'], `${env.tier} must protect state-holding resources from destroy (BAK-4): set true`);
      }
    },
  },
  // `unprotect` lifts prevent_destroy from one named release or namespace (a deliberate replacement).
  {
    needs: ['protectState', 'unprotect'],
    check: (env, report) => {
      if (!env.protectState && env.unprotect.length > 0) {
        report(['unprotect'], 'lifts prevent_destroy, which is only set where protectState is true: remove it');
      }
      const unprotected = new Set<string>();
      env.unprotect.forEach((u, i) => {
        const key = `${u.kind}/${u.name}`;
        if (unprotected.has(key)) report(['unprotect', i], `${key} is listed twice`);
        unprotected.add(key);
      });
    },
  },
  { needs: ['tier', 'observability'], check: (env, report) => checkObservability(env.tier, env.observability, report) },
  // ---- CI/CD: deploy role trust, trigger and approval (environments/sections/cicd.ts)
  { needs: ['name', 'tier', 'aws.allowedAccountIds', 'cicd'], check: (env, report) => checkCicd(env.name, env.tier, env.aws.allowedAccountIds, env.cicd, report) },
  // ---- node pools (HW-1, HW-2, K8S-2)
  {
    needs: ['tier', 'sizing', 'sizingNote'],
    check: (env, report) => {
      if (productionLike(env) && env.sizing !== 'documented') {
        report(['sizing'], `${env.tier} must meet the documented hardware (HW-1): set "documented"`);
      }
      if (env.sizing === 'reduced' && !env.sizingNote) {
        report(['sizingNote'], 'a reduced environment must say why it is smaller than the documented hardware (HW-2)');
      }
    },
  },
  ...NODE_POOL_NAMES.map(
    (name): DefinitionRule => ({
      needs: ['tier', `nodePools.${name}`],
      check: (env, report) => {
        const pool = env.nodePools[name];
        if (!pool) {
          if (productionLike(env)) report(['nodePools', name], `${env.tier} needs a dedicated ${name} pool (K8S-2)`);
          return;
        }
        checkPool(env, name, pool, productionLike(env), report);
      },
    }),
  ),
  // ---- capacity: every pod fits its node, every pool holds its workloads (environments/capacity.ts)
  {
    needs: ['aws.availabilityZones', 'nodePools', 'app.replicas', 'app.resources', 'app.hpa', 'app.beta', 'data.postgres', 'data.mongodb', 'data.chroma', 'data.vault', 'observability.prometheus.replicas', 'observability.logging.elasticsearch', 'services'],
    check: (env, report) => checkCapacity(env, report),
  },
];

/**
 * An allow-list of public CIDRs: never the whole internet (0.0.0.0/0, or pieces that together
 * cover every address), never a range that is not publicly routable.
 */
export function checkAllowList(at: Path, cidrs: readonly string[], what: string, report: Report): void {
  cidrs.forEach((c, i) => {
    const parsed = parseCidr(c);
    if (parsed && parsed.prefix === 0) {
      report([...at, i], `${c} opens ${what} to the whole internet; list the administrators' CIDRs instead`);
      return;
    }
    const inside = containedIn(c, NON_PUBLIC_RANGES);
    if (inside !== undefined) {
      report([...at, i], `${c} is inside ${inside}, which is not publicly routable; a public allow-list entry there never matches a client`);
    }
  });
  if (!cidrs.some((c) => parseCidr(c)?.prefix === 0) && addressesCovered(cidrs) === IPV4_ADDRESSES) {
    report(at, `${cidrs.join(' + ')} together cover every IPv4 address: that opens ${what} to the whole internet; list the administrators' CIDRs instead`);
  }
}

/** Refuses an environment name that makes any generated AWS name longer than its limit. */
export function checkGeneratedNames(env: Def, report: Report): void {
  const ctx = {
    name: env.name,
    accountId: env.aws.allowedAccountIds[0],
    region: env.aws.region,
    replicaRegion: env.backup.replicaRegion,
    stateRegion: env.stateBackend.type === 's3' ? env.stateBackend.region : undefined,
    imageRepositories: [env.app.image.repository, env.services.agents.image.repository].map((r) => r.slice(r.lastIndexOf('/') + 1)),
  };
  let worst: { name: string; limit: number; rule: string; room: number } | undefined;
  for (const kind of GENERATED_NAMES) {
    for (const name of kind.names(ctx)) {
      const room = kind.limit - (name.length - env.name.length);
      if (name.length > kind.limit && (worst === undefined || room < worst.room)) {
        worst = { name, limit: kind.limit, rule: kind.rule, room };
      }
    }
  }
  if (worst) {
    report(['name'], `${env.name} (${env.name.length} characters) makes the name ${worst.name} ${worst.name.length} characters long, but ${worst.rule}: use a name of at most ${worst.room} characters`);
  }
}

function checkPool(env: Def, name: NodePoolName, pool: NodePool, enforce: boolean, report: Report): void {
  const at = (field: string) => ['nodePools', name, field];
  if (pool.minSize > pool.desiredSize || pool.desiredSize > pool.maxSize) {
    report(at('desiredSize'), `sizes must satisfy minSize <= desiredSize <= maxSize; got ${pool.minSize} <= ${pool.desiredSize} <= ${pool.maxSize}`);
  }
  const profile = HARDWARE_PROFILES[name];
  if (profile.storage === 'persistent-volume' && pool.dataVolumeGiB === undefined) {
    report(at('dataVolumeGiB'), `the ${name} pool needs the size of its persistent data volumes`);
  }
  const facts = INSTANCE_TYPES[pool.instanceType];
  if (!facts) {
    report(at('instanceType'), `unknown instance type ${pool.instanceType}; add its facts to INSTANCE_TYPES in environments/catalog.ts or pick one of: ${Object.keys(INSTANCE_TYPES).join(', ')}`);
    return;
  }
  if (pool.gpu && name !== 'inference') {
    report(at('gpu'), `only the inference pool runs GPU nodes; set gpu: false on the ${name} pool`);
  }
  if (pool.gpu && !facts.gpus) {
    report(at('instanceType'), `${pool.instanceType} has no GPU; gpu: true needs a GPU instance type (${Object.keys(INSTANCE_TYPES).filter((t) => INSTANCE_TYPES[t].gpus).join(', ')})`);
  }
  if (!enforce) {
    return;
  }
  const needs = `the documented ${profile.documentedAs} needs`;
  if (facts.vcpus < profile.minVcpus) {
    report(at('instanceType'), `${pool.instanceType} has ${facts.vcpus} vCPUs; ${needs} >= ${profile.minVcpus}`);
  }
  if (facts.memoryGiB < profile.minMemoryGiB) {
    report(at('instanceType'), `${pool.instanceType} has ${facts.memoryGiB} GiB of memory; ${needs} >= ${profile.minMemoryGiB} GiB`);
  }
  if (facts.baselineGbps < profile.minBaselineGbps) {
    report(at('instanceType'), `${pool.instanceType} has a baseline of ${facts.baselineGbps} Gbps; ${needs} >= ${profile.minBaselineGbps} Gbps`);
  }
  if (pool.minSize < profile.documentedCount) {
    report(at('minSize'), `${pool.minSize} nodes is below the documented ${profile.documentedCount} ${profile.documentedAs}s`);
  }
  if (profile.storage === 'node-volume' && pool.rootVolumeGiB < profile.storageGiB) {
    report(at('rootVolumeGiB'), `${pool.rootVolumeGiB} GiB is below the documented ${profile.storageGiB} GiB of SSD per ${profile.documentedAs}`);
  }
  if (profile.storage === 'persistent-volume' && pool.dataVolumeGiB !== undefined && pool.dataVolumeGiB < profile.storageGiB) {
    report(at('dataVolumeGiB'), `${pool.dataVolumeGiB} GiB is below the documented ${profile.storageGiB} GiB of SSD per ${profile.documentedAs}`);
  }
  if (pool.capacityType !== 'ON_DEMAND' && (name === 'database' || name === 'vector')) {
    report(at('capacityType'), `${name} nodes hold data and must be ON_DEMAND in ${env.tier}`);
  }
}

/** True when the two dotted paths are the same field or one contains the other. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || a === '' || b === '';
}

/**
 * Runs every rule whose fields parsed. `value` is the definition with every field that parsed
 * replaced by its parsed value (defaults applied); `failed` are the dotted paths of the fields
 * that did not. A rule that still throws on a partly-parsed definition is skipped: the field
 * problem it tripped over is reported already.
 */
export function checkDefinition(value: Def, failed: readonly string[], report: Report): void {
  for (const rule of DEFINITION_RULES) {
    if (rule.needs.some((need) => failed.some((f) => overlaps(need, f)))) continue;
    try {
      rule.check(value, report);
    } catch (error) {
      if (failed.length === 0) throw error;
    }
  }
}

/**
 * The definition with every field that parses replaced by its parsed value, and every other
 * field left as written: what the rules read when some fields are invalid.
 */
export function bestEffortParse(schema: unknown, value: unknown): unknown {
  // `unknown`, narrowed below: relating the whole definition schema's type to z.ZodType at the
  // call would cost the type check about half a second.
  if (!(schema instanceof z.ZodType)) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Refinements stay on their schema in zod 4 (no wrapper); defaults and optionals wrap it.
  let inner: z.ZodType = schema;
  for (;;) {
    if (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
    else break;
  }
  if (inner instanceof z.ZodObject && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, sub] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      out[key] = bestEffortParse(sub, (value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}
