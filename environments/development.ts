import { EnvironmentInput } from './schema';

/**
 * Development (ENV-1): single-node deployment with minimal resources. Only the app pool exists;
 * database, vector and platform workloads fall back onto it (see constructs/nodepools/placement.ts).
 */
export const development: EnvironmentInput = {
  name: 'development',
  tier: 'development',
  description: 'Active development and feature testing: single node, debug allowed, minimal resources',
  sizing: 'reduced',
  sizingNote:
    'HW-2: one node runs every workload with single replicas; EKS still needs subnets in two zones.',
  aws: {
    allowedAccountIds: ['111122223333'],
    region: 'ca-central-1',
    availabilityZones: ['ca-central-1a', 'ca-central-1b'],
  },
  tags: { project: 'toronto-ai-team-agent', owner: 'development-team' },
  stateBackend: { type: 'local' },
  network: {
    vpcCidr: '10.10.0.0/16',
    publicSubnetCidrs: ['10.10.0.0/24', '10.10.1.0/24'],
    privateSubnetCidrs: ['10.10.32.0/19', '10.10.64.0/19'],
    dataSubnetCidrs: ['10.10.10.0/24', '10.10.11.0/24'],
    natGateways: 'single',
    flowLogRetentionDays: 14,
  },
  cluster: {
    version: '1.35',
    publicAccessCidrs: ['198.51.100.0/24'],
    adminPrincipalArns: ['arn:aws:iam::111122223333:role/developers'],
    logRetentionDays: 14,
  },
  nodePools: {
    app: { instanceType: 'm6i.4xlarge', minSize: 1, desiredSize: 1, maxSize: 2, rootVolumeGiB: 200 },
  },
  protectState: false,
};
