/**
 * Reference data the environment definitions are checked against.
 *
 * Everything here is a fact the program relies on, kept as data so a reviewer can see every
 * number in one place: the documented hardware (seed 000, "Hardware Requirements"), the EC2
 * instance facts that hardware is checked against, the availability zones of each region, the
 * EKS versions the program supports and the managed add-on versions pinned for each.
 */

/** The logical node pools of a cluster. The key is also the construct id and the node label value. */
export const NODE_POOL_NAMES = ['system', 'app', 'database', 'vector', 'inference'] as const;
export type NodePoolName = (typeof NODE_POOL_NAMES)[number];

/** The tiers of ENV-1. A definition's tier decides which rules apply to it. */
export const TIERS = ['development', 'testing', 'staging', 'production'] as const;
export type Tier = (typeof TIERS)[number];

/** Tiers whose pools must meet the documented hardware (HW-1) and whose state must be protected (BAK-4). */
export const PRODUCTION_LIKE_TIERS: readonly Tier[] = ['staging', 'production'];

/**
 * Where the documented storage of a pool lives on EKS.
 * - `node-volume`: the node's own (root) EBS volume, e.g. the application servers' 500 GB SSD.
 * - `persistent-volume`: an EBS persistent volume per database replica, attached to a node of the
 *   pool (DATA-1, DATA-3); the node's root volume only holds the OS and images.
 */
export type StoragePlacement = 'node-volume' | 'persistent-volume';

export interface HardwareProfile {
  /** Row of the seed 000 hardware table this profile comes from. */
  readonly documentedAs: string;
  readonly minVcpus: number;
  readonly minMemoryGiB: number;
  /** Sustained (baseline, not burst) network bandwidth. */
  readonly minBaselineGbps: number;
  readonly storageGiB: number;
  readonly storage: StoragePlacement;
  /** The documented node count (production shape). */
  readonly documentedCount: number;
}

/**
 * HW table (seed 000 / REQUIREMENTS HW). The system pool is not in the seed's table: it hosts the
 * platform services (monitoring, logging, Vault, controllers) and the in-cluster proxy tier, so it
 * is held to the documented load-balancer row (8 cores, 32 GB, 10 Gbps, 2 for redundancy).
 */
export const HARDWARE_PROFILES: Readonly<Record<NodePoolName, HardwareProfile>> = {
  app: {
    documentedAs: 'application server',
    minVcpus: 16,
    minMemoryGiB: 64,
    minBaselineGbps: 10,
    storageGiB: 500,
    storage: 'node-volume',
    documentedCount: 4, // 3 primary + 1 backup
  },
  database: {
    documentedAs: 'database server',
    minVcpus: 16,
    minMemoryGiB: 128,
    minBaselineGbps: 10,
    storageGiB: 2048,
    storage: 'persistent-volume',
    documentedCount: 3,
  },
  vector: {
    documentedAs: 'vector database server',
    minVcpus: 16,
    minMemoryGiB: 128,
    minBaselineGbps: 10,
    storageGiB: 1024,
    storage: 'persistent-volume',
    documentedCount: 3,
  },
  inference: {
    // Not in the seed's hardware table: the AI service cluster of seed 004, sized for 7-8B
    // parameter models on CPU (a GPU family is the per-environment option). Its models live on a
    // persistent volume of dataVolumeGiB per replica.
    documentedAs: 'AI inference server',
    minVcpus: 8,
    minMemoryGiB: 32,
    minBaselineGbps: 1,
    storageGiB: 100,
    storage: 'persistent-volume',
    documentedCount: 1,
  },
  system: {
    documentedAs: 'load balancer / platform services server',
    minVcpus: 8,
    minMemoryGiB: 32,
    minBaselineGbps: 10,
    storageGiB: 100,
    storage: 'node-volume',
    documentedCount: 2,
  },
};

export interface InstanceFacts {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** Baseline bandwidth in Gbps (AWS "network performance" baseline, not the "up to" burst figure). */
  readonly baselineGbps: number;
  /**
   * Pods the VPC CNI can address on one node (ENIs x (IPv4 addresses per ENI - 1) + 2, AWS
   * eni-max-pods.txt); the kubelet's memory reserve grows with it (environments/capacity.ts).
   */
  readonly maxPods: number;
  readonly architecture: 'x86_64';
  /** NVIDIA GPUs (a GPU node pool runs the EKS NVIDIA AMI and the device plugin). */
  readonly gpus?: number;
}

/**
 * EC2 instance facts (AWS instance-type documentation, "Network specifications": baseline bandwidth).
 * Only the types a definition may name are listed; an unknown type is refused rather than guessed.
 */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceFacts>> = {
  't3.large': { vcpus: 2, memoryGiB: 8, baselineGbps: 0.512, maxPods: 35, architecture: 'x86_64' },
  't3.xlarge': { vcpus: 4, memoryGiB: 16, baselineGbps: 1.024, maxPods: 58, architecture: 'x86_64' },
  'm6i.large': { vcpus: 2, memoryGiB: 8, baselineGbps: 0.781, maxPods: 29, architecture: 'x86_64' },
  'm6i.xlarge': { vcpus: 4, memoryGiB: 16, baselineGbps: 1.562, maxPods: 58, architecture: 'x86_64' },
  'm6i.2xlarge': { vcpus: 8, memoryGiB: 32, baselineGbps: 3.125, maxPods: 58, architecture: 'x86_64' },
  'm6i.4xlarge': { vcpus: 16, memoryGiB: 64, baselineGbps: 6.25, maxPods: 234, architecture: 'x86_64' },
  'm6i.8xlarge': { vcpus: 32, memoryGiB: 128, baselineGbps: 12.5, maxPods: 234, architecture: 'x86_64' },
  'm6in.xlarge': { vcpus: 4, memoryGiB: 16, baselineGbps: 6.25, maxPods: 58, architecture: 'x86_64' },
  'm6in.2xlarge': { vcpus: 8, memoryGiB: 32, baselineGbps: 12.5, maxPods: 58, architecture: 'x86_64' },
  'm6in.4xlarge': { vcpus: 16, memoryGiB: 64, baselineGbps: 25, maxPods: 234, architecture: 'x86_64' },
  'm6in.8xlarge': { vcpus: 32, memoryGiB: 128, baselineGbps: 50, maxPods: 234, architecture: 'x86_64' },
  'r6i.large': { vcpus: 2, memoryGiB: 16, baselineGbps: 0.781, maxPods: 29, architecture: 'x86_64' },
  'r6i.xlarge': { vcpus: 4, memoryGiB: 32, baselineGbps: 1.562, maxPods: 58, architecture: 'x86_64' },
  'r6i.2xlarge': { vcpus: 8, memoryGiB: 64, baselineGbps: 3.125, maxPods: 58, architecture: 'x86_64' },
  'r6i.4xlarge': { vcpus: 16, memoryGiB: 128, baselineGbps: 6.25, maxPods: 234, architecture: 'x86_64' },
  'r6i.8xlarge': { vcpus: 32, memoryGiB: 256, baselineGbps: 12.5, maxPods: 234, architecture: 'x86_64' },
  'r6in.2xlarge': { vcpus: 8, memoryGiB: 64, baselineGbps: 12.5, maxPods: 58, architecture: 'x86_64' },
  'r6in.4xlarge': { vcpus: 16, memoryGiB: 128, baselineGbps: 25, maxPods: 234, architecture: 'x86_64' },
  'r6in.8xlarge': { vcpus: 32, memoryGiB: 256, baselineGbps: 50, maxPods: 234, architecture: 'x86_64' },
  // GPU families for the inference pool (NVIDIA A10G / L4, one GPU each).
  'g5.2xlarge': { vcpus: 8, memoryGiB: 32, baselineGbps: 5, maxPods: 58, architecture: 'x86_64', gpus: 1 },
  'g5.4xlarge': { vcpus: 16, memoryGiB: 64, baselineGbps: 10, maxPods: 234, architecture: 'x86_64', gpus: 1 },
  'g6.2xlarge': { vcpus: 8, memoryGiB: 32, baselineGbps: 5, maxPods: 58, architecture: 'x86_64', gpus: 1 },
};

/**
 * ElastiCache node types a definition may name (current generation; AWS ElastiCache "Supported
 * node types"). An unknown type is refused rather than left for the apply to fail on.
 */
const sizes = (family: string, list: readonly string[]) => list.map((size) => `cache.${family}.${size}`);
export const CACHE_NODE_TYPES: readonly string[] = [
  ...sizes('t4g', ['micro', 'small', 'medium']),
  ...sizes('t3', ['micro', 'small', 'medium']),
  ...['m6g', 'm7g', 'r6g', 'r7g'].flatMap((f) => sizes(f, ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'])),
];

/** Availability zones per region (explicit, so no plan depends on a lookup). */
export const REGION_AZS: Readonly<Record<string, readonly string[]>> = {
  'ca-central-1': ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'],
  'ca-west-1': ['ca-west-1a', 'ca-west-1b', 'ca-west-1c'],
  'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'],
  'us-east-2': ['us-east-2a', 'us-east-2b', 'us-east-2c'],
  'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d'],
};
export const REGIONS = Object.keys(REGION_AZS) as [string, ...string[]];

/** CloudWatch Logs accepts only these retention values (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The managed add-ons every cluster runs (K8S-1), in install order. */
export const EKS_ADDONS = ['vpc-cni', 'kube-proxy', 'coredns', 'eks-pod-identity-agent', 'aws-ebs-csi-driver', 'snapshot-controller'] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

/**
 * Kubernetes versions in EKS standard support that this program is tested with, and the add-on
 * builds pinned for each. Confirm with `aws eks describe-addon-versions --kubernetes-version <v>`
 * before moving a cluster to a new version; the versions are pinned so a plan never drifts.
 */
export const EKS_VERSIONS: Readonly<Record<string, Readonly<Record<EksAddonName, string>>>> = {
  '1.34': {
    'vpc-cni': 'v1.20.4-eksbuild.2',
    'kube-proxy': 'v1.34.0-eksbuild.2',
    coredns: 'v1.12.3-eksbuild.1',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.2',
    'aws-ebs-csi-driver': 'v1.53.0-eksbuild.1',
    // Issue 13: the CSI snapshot controller and the snapshot.storage.k8s.io CRDs (v1).
    'snapshot-controller': 'v8.2.0-eksbuild.1',
  },
  '1.35': {
    'vpc-cni': 'v1.21.1-eksbuild.3',
    'kube-proxy': 'v1.35.0-eksbuild.2',
    coredns: 'v1.13.2-eksbuild.1',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.2',
    'aws-ebs-csi-driver': 'v1.53.0-eksbuild.1',
    // Issue 13: the CSI snapshot controller and the snapshot.storage.k8s.io CRDs (v1).
    'snapshot-controller': 'v8.2.0-eksbuild.1',
  },
};
export const SUPPORTED_CLUSTER_VERSIONS = Object.keys(EKS_VERSIONS) as [string, ...string[]];
