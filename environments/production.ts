import { EnvironmentInput } from './schema';

/**
 * Production (ENV-1): full multi-node deployment with redundancy, sized to the documented
 * hardware (HW-1) across three zones of ca-central-1, private API endpoint only.
 */
export const production: EnvironmentInput = {
  name: 'production',
  tier: 'production',
  description: 'Live system for end users: full multi-node deployment with redundancy',
  sizing: 'documented',
  aws: {
    allowedAccountIds: ['444455556666'],
    region: 'ca-central-1',
    availabilityZones: ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'],
  },
  tags: { project: 'toronto-ai-team-agent', owner: 'platform-engineering', costCenter: 'ai-platform' },
  stateBackend: {
    type: 's3',
    bucket: 'toronto-ai-terraform-state-444455556666',
    region: 'ca-central-1',
    keyPrefix: 'toronto-ai',
  },
  network: {
    vpcCidr: '10.40.0.0/16',
    publicSubnetCidrs: ['10.40.0.0/24', '10.40.1.0/24', '10.40.2.0/24'],
    privateSubnetCidrs: ['10.40.32.0/19', '10.40.64.0/19', '10.40.96.0/19'],
    dataSubnetCidrs: ['10.40.10.0/24', '10.40.11.0/24', '10.40.12.0/24'],
    natGateways: 'per-az',
    flowLogRetentionDays: 365,
  },
  cluster: {
    version: '1.35',
    publicAccessCidrs: [],
    adminPrincipalArns: ['arn:aws:iam::444455556666:role/platform-admins'],
    logRetentionDays: 365,
  },
  nodePools: {
    // Platform services and the in-cluster proxy tier: the documented load-balancer row, 2+ nodes.
    system: { instanceType: 'm6in.2xlarge', minSize: 3, desiredSize: 3, maxSize: 6, rootVolumeGiB: 200 },
    // 3 primary + 1 backup application servers: 16 vCPU, 64 GiB, 25 Gbps baseline, 500 GiB SSD.
    app: { instanceType: 'm6in.4xlarge', minSize: 4, desiredSize: 4, maxSize: 10, rootVolumeGiB: 500 },
    // 3-node database cluster: 16 vCPU, 128 GiB, 25 Gbps; 2 TiB persistent volume per replica.
    database: { instanceType: 'r6in.4xlarge', minSize: 3, desiredSize: 3, maxSize: 4, rootVolumeGiB: 200, dataVolumeGiB: 2048 },
    // 3 vector database servers (seed 000 4.2.3): 16 vCPU, 128 GiB, 25 Gbps; 1 TiB per replica.
    vector: { instanceType: 'r6in.4xlarge', minSize: 3, desiredSize: 3, maxSize: 4, rootVolumeGiB: 200, dataVolumeGiB: 1024 },
  },
  protectState: true,
};
