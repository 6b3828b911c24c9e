import { EnvironmentInput } from './schema';

/** Testing (ENV-1): multi-node, production-like configuration on smaller nodes, with test data. */
export const testing: EnvironmentInput = {
  name: 'testing',
  tier: 'testing',
  description: 'Integration testing and QA: multi-node, production-like, smaller scale',
  sizing: 'reduced',
  sizingNote:
    'HW-2: QA runs test data only; every pool exists (so placement and taints are exercised) on ' +
    'smaller instance types, two zones and one NAT gateway.',
  aws: {
    allowedAccountIds: ['222233334444'],
    region: 'ca-central-1',
    availabilityZones: ['ca-central-1a', 'ca-central-1b'],
  },
  tags: { project: 'toronto-ai-team-agent', owner: 'qa-engineering', costCenter: 'ai-platform' },
  stateBackend: { type: 'local' },
  network: {
    vpcCidr: '10.20.0.0/16',
    publicSubnetCidrs: ['10.20.0.0/24', '10.20.1.0/24'],
    privateSubnetCidrs: ['10.20.32.0/19', '10.20.64.0/19'],
    dataSubnetCidrs: ['10.20.10.0/24', '10.20.11.0/24'],
    natGateways: 'single',
    flowLogRetentionDays: 30,
  },
  cluster: {
    version: '1.35',
    // Office / VPN egress range allowed on the public endpoint (documentation range: replace).
    publicAccessCidrs: ['198.51.100.0/24'],
    adminPrincipalArns: ['arn:aws:iam::222233334444:role/platform-admins'],
    logRetentionDays: 30,
  },
  nodePools: {
    system: { instanceType: 'm6i.xlarge', minSize: 2, desiredSize: 2, maxSize: 3, rootVolumeGiB: 100 },
    app: { instanceType: 'm6i.2xlarge', minSize: 2, desiredSize: 2, maxSize: 4, rootVolumeGiB: 100 },
    database: { instanceType: 'r6i.xlarge', minSize: 3, desiredSize: 3, maxSize: 3, rootVolumeGiB: 50, dataVolumeGiB: 100 },
    vector: { instanceType: 'r6i.large', minSize: 1, desiredSize: 1, maxSize: 2, rootVolumeGiB: 50, dataVolumeGiB: 50 },
  },
  protectState: false,
};
