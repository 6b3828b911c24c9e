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
  observability: {
    prometheus: { retentionDays: 7, storageGiB: 30, replicas: 1 },
    grafana: { storageGiB: 10 },
    alertmanager: {
      replicas: 1,
      receivers: [{ type: 'slack', name: 'slack-testing', channel: '#deia-alerts-testing', apiUrlSecret: { name: 'alertmanager-slack', key: 'webhook-url' } }],
      defaultReceiver: 'slack-testing',
      routes: [],
    },
    logging: {
      elasticVersion: '9.1.5',
      elasticsearch: { nodes: 3, storageGiB: 50, memoryGiB: 4 },
      retentionDays: 14,
      logstashReplicas: 1,
      kibanaReplicas: 1,
    },
    security: { guardDuty: false, clamav: { scanIntervalHours: 24, signatureChecksPerDay: 4, imageTag: '1.4.3' } },
  },
  protectState: false,
  // SEC-1: the key alarm's CloudTrail events (README: Keys recovery depends on).
  audit: { cloudTrail: 'create', trailRetentionDays: 90 },
  backup: {
    // Relaxed objectives: test data can be regenerated.
    databaseRtoMinutes: 60,
    databaseRpoMinutes: 60,
    applicationRtoMinutes: 60,
    fullSystemRtoHours: 8,
    expiryDays: 45,
    infrequentAccessAfterDays: 30,
    noncurrentVersionExpiryDays: 7,
    accessLogExpiryDays: 30,
    objectLock: { enabled: false },
    velero: { schedule: '0 3 * * *', ttlHours: 168 },
  },
  // DATA-1..4, SEC-1 (HW-2): the production topology (3 instances/members) on smaller volumes.
  data: {
    postgres: { instances: 3, version: '17.6', storageGiB: 100, volume: { iops: 3000, throughputMiBps: 125 }, walArchiveTimeoutMinutes: 5, baseBackupSchedule: '0 0 2 * * *', backupRetentionDays: 7, snapshotSchedule: '0 0 * * * *', snapshotsKept: 24, backupGeneration: 1, compute: { cpu: '1', memory: '4Gi' } },
    mongodb: { members: 3, version: '8.0.19-7', storageGiB: 100, baseBackupSchedule: '30 */12 * * *', baseBackupsKept: 14, oplogSpanMinutes: 5, snapshotSchedule: '0 * * * *', snapshotsKept: 24, compute: { cpu: '1', memory: '4Gi' } },
    chroma: { replicas: 1, imageTag: '1.5.3', storageGiB: 50, volume: { iops: 3000, throughputMiBps: 125 }, backupSchedule: '0 3 * * *', snapshotSchedule: '0 * * * *', snapshotsKept: 24, compute: { cpu: '1', memory: '4Gi' } },
    redis: { engine: 'valkey', engineVersion: '8.0', nodeType: 'cache.t4g.small', replicas: 1, snapshotRetentionDays: 1 },
    // Deployed on the original single-region unseal key: it moves to the multi-region key through
    // `seal` ('migrating', then 'multi-region'), README: Vault seal migration.
    vault: { replicas: 3, imageTag: '2.0.4', dataStorageGiB: 10, auditStorageGiB: 10, snapshotSchedule: '0 * * * *', seal: 'single-region', compute: { cpu: '250m', memory: '512Mi' } },
    jobImages: { awsCli: 'public.ecr.aws/aws-cli/aws-cli:2.22.0', openssl: 'docker.io/alpine/openssl:3.5.4', kubectl: 'registry.k8s.io/kubectl:v1.35.0', kubectlShell: 'docker.io/alpine/k8s:1.35.0' },
  },
  edge: {
    domainName: 'test.toronto-ai-team-agent.example.com',
    hostedZoneId: 'Z0222233334444TESTZONE',
    publicNames: ['test.toronto-ai-team-agent.example.com'],
    loadBalancer: { deletionProtection: false, idleTimeoutSeconds: 60, accessLogRetentionDays: 30 },
    // LB-2, seed 004: 10 r/s per client on the API, 5 r/s on auth, counted over 60 s.
    waf: { apiRequestsPerSecond: 10, authRequestsPerSecond: 5, evaluationWindowSec: 60, logRetentionDays: 30 },
    cdn: { enabled: false, certificate: 'none' },
  },
  app: {
    image: { repository: 'docker.io/torontoai/team-agent' },
    colours: { blue: { imageTag: 'v1.0.0' }, green: { imageTag: 'v1.1.0' } },
    activeColour: 'blue',
    replicas: 2,
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
    hpa: { minReplicas: 2, maxReplicas: 6, cpuUtilization: 70, memoryUtilization: 80 },
    config: { DJANGO_SETTINGS_MODULE: 'config.settings.testing', LOG_LEVEL: 'INFO', DEBUG: 'false' },
    beta: { enabled: false },
  },
  // CI/CD: deployed from the deploy workflow only when started by hand; no approval.
  services: {
    agents: { image: { repository: 'docker.io/torontoai/jac-runtime', tag: 'v1.0.0' }, replicas: 1, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } } },
    coordinator: { replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
    workers: { minReplicas: 1, maxReplicas: 4, messagesPerReplica: 20, concurrency: 2, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    beat: { resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '250m', memory: '256Mi' } } },
    websocket: { replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
    // No inference pool here: Ollama runs on the app pool with a small model.
    inference: { imageTag: '0.32.15', replicas: 1, resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '12Gi' } }, models: ['llama3.2:3b'] },
    onboarding: { replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
    feedback: { replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
    queues: { retentionDays: 1, maxReceiveCount: 5, visibilityTimeoutSeconds: 900, oldestMessageAlarmSeconds: 1800 },
    files: { noncurrentVersionExpiryDays: 7, rpoMinutes: 60 },
    email: { fromAddress: 'noreply@test.toronto-ai-team-agent.example.com' },
    registry: { untaggedExpiryDays: 3, keepReleases: 10 },
  },
  cicd: {
    github: { owner: 'toronto-ai', repository: 'team-agent-infrastructure' },
    deploy: { trigger: 'manual', requiredReviewers: false, runnerLabels: ['toronto-ai-testing-vpc'] },
  },
};
