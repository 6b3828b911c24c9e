import { EnvironmentInput } from './schema';

/**
 * Staging (ENV-1): production-equivalent size and a mirror of production's configuration, in its
 * own account, so a change is rehearsed on the same shape before it reaches production.
 */
export const staging: EnvironmentInput = {
  name: 'staging',
  tier: 'staging',
  description: 'Pre-production validation: production-equivalent size, mirror of production',
  sizing: 'documented',
  aws: {
    allowedAccountIds: ['333344445555'],
    region: 'ca-central-1',
    availabilityZones: ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'],
  },
  tags: { project: 'toronto-ai-team-agent', owner: 'platform-engineering', costCenter: 'ai-platform' },
  stateBackend: {
    type: 's3',
    bucket: 'toronto-ai-terraform-state-333344445555',
    region: 'ca-central-1',
    keyPrefix: 'toronto-ai',
  },
  network: {
    vpcCidr: '10.30.0.0/16',
    publicSubnetCidrs: ['10.30.0.0/24', '10.30.1.0/24', '10.30.2.0/24'],
    privateSubnetCidrs: ['10.30.32.0/19', '10.30.64.0/19', '10.30.96.0/19'],
    dataSubnetCidrs: ['10.30.10.0/24', '10.30.11.0/24', '10.30.12.0/24'],
    natGateways: 'per-az',
    flowLogRetentionDays: 90,
  },
  cluster: {
    version: '1.35',
    publicAccessCidrs: [],
    adminPrincipalArns: ['arn:aws:iam::333344445555:role/platform-admins'],
    logRetentionDays: 90,
  },
  nodePools: {
    system: { instanceType: 'm6in.2xlarge', minSize: 2, desiredSize: 3, maxSize: 6, rootVolumeGiB: 200 },
    app: { instanceType: 'm6in.4xlarge', minSize: 4, desiredSize: 4, maxSize: 8, rootVolumeGiB: 500 },
    database: { instanceType: 'r6in.4xlarge', minSize: 3, desiredSize: 3, maxSize: 4, rootVolumeGiB: 200, dataVolumeGiB: 2048 },
    vector: { instanceType: 'r6in.4xlarge', minSize: 3, desiredSize: 3, maxSize: 4, rootVolumeGiB: 200, dataVolumeGiB: 1024 },
  },
  protectState: true,
};
