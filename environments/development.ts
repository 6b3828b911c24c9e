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
  observability: {
    // Reduced (HW-2): one Elasticsearch node, short retention, smaller volumes.
    prometheus: { retentionDays: 7, storageGiB: 20, replicas: 1 },
    grafana: { storageGiB: 10 },
    alertmanager: {
      replicas: 1,
      receivers: [{ type: 'slack', name: 'slack-dev', channel: '#deia-alerts-dev', apiUrlSecret: { name: 'alertmanager-slack', key: 'webhook-url' } }],
      defaultReceiver: 'slack-dev',
      routes: [],
    },
    logging: {
      elasticVersion: '9.1.5',
      elasticsearch: { nodes: 1, storageGiB: 20, memoryGiB: 2 },
      retentionDays: 7,
      logstashReplicas: 1,
      kibanaReplicas: 1,
    },
    security: { guardDuty: false, clamav: { scanIntervalHours: 24, signatureChecksPerDay: 2, imageTag: '1.4.3' } },
  },
  protectState: false,
  // SEC-1: the key alarm's CloudTrail events (README: Keys recovery depends on).
  audit: { cloudTrail: 'create', trailRetentionDays: 90 },
  backup: {
    // Relaxed objectives: development data can be regenerated.
    databaseRtoMinutes: 120,
    databaseRpoMinutes: 1440,
    applicationRtoMinutes: 120,
    fullSystemRtoHours: 24,
    expiryDays: 45,
    infrequentAccessAfterDays: 30,
    noncurrentVersionExpiryDays: 7,
    accessLogExpiryDays: 30,
    objectLock: { enabled: false },
    velero: { schedule: '0 4 * * *', ttlHours: 168 },
  },
  // DATA-1..4, SEC-1 (HW-2): single instances on small volumes; no HA in development.
  data: {
    postgres: { instances: 1, version: '17.6', storageGiB: 20, volume: { iops: 3000, throughputMiBps: 125 }, walArchiveTimeoutMinutes: 5, baseBackupSchedule: '0 0 2 * * *', backupRetentionDays: 7, snapshotSchedule: '0 0 */6 * * *', snapshotsKept: 4, backupGeneration: 1, compute: { cpu: '500m', memory: '1Gi' } },
    mongodb: { members: 1, version: '8.0.19-7', storageGiB: 10, baseBackupSchedule: '30 2 * * *', baseBackupsKept: 7, oplogSpanMinutes: 5, snapshotSchedule: '0 */6 * * *', snapshotsKept: 4, compute: { cpu: '500m', memory: '1Gi' } },
    chroma: { replicas: 1, imageTag: '1.5.3', storageGiB: 10, volume: { iops: 3000, throughputMiBps: 125 }, backupSchedule: '0 3 * * *', snapshotSchedule: '0 */6 * * *', snapshotsKept: 4, compute: { cpu: '500m', memory: '1Gi' } },
    redis: { engine: 'valkey', engineVersion: '8.0', nodeType: 'cache.t4g.micro', replicas: 0, snapshotRetentionDays: 0 },
    // Deployed on the original single-region unseal key: it moves to the multi-region key through
    // `seal` ('migrating', then 'multi-region'), README: Vault seal migration.
    vault: { replicas: 1, imageTag: '2.0.4', dataStorageGiB: 5, auditStorageGiB: 5, snapshotSchedule: '0 3 * * *', seal: 'single-region', compute: { cpu: '250m', memory: '256Mi' } },
    jobImages: { awsCli: 'public.ecr.aws/aws-cli/aws-cli:2.22.0', openssl: 'docker.io/alpine/openssl:3.5.4', kubectl: 'registry.k8s.io/kubectl:v1.35.0', kubectlShell: 'docker.io/alpine/k8s:1.35.0' },
  },
  edge: {
    domainName: 'dev.toronto-ai-team-agent.example.com',
    hostedZoneId: 'Z0111122223333DEVZONE',
    publicNames: ['dev.toronto-ai-team-agent.example.com'],
    loadBalancer: { deletionProtection: false, idleTimeoutSeconds: 60, accessLogRetentionDays: 14 },
    // LB-2, seed 004: 10 r/s per client on the API, 5 r/s on auth, counted over 60 s.
    waf: { apiRequestsPerSecond: 10, authRequestsPerSecond: 5, evaluationWindowSec: 60, logRetentionDays: 14 },
    cdn: { enabled: false, certificate: 'none' },
  },
  app: {
    image: { repository: 'docker.io/torontoai/team-agent' },
    colours: { blue: { imageTag: 'v1.0.0' }, green: { imageTag: 'v1.0.0' } },
    activeColour: 'blue',
    replicas: 1,
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
    // HW-2: one node; the HPA still scales between 1 and 4.
    hpa: { minReplicas: 1, maxReplicas: 4, cpuUtilization: 70, memoryUtilization: 80 },
    config: { DJANGO_SETTINGS_MODULE: 'config.settings.development', LOG_LEVEL: 'DEBUG', DEBUG: 'true' },
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
    email: { fromAddress: 'noreply@dev.toronto-ai-team-agent.example.com' },
    registry: { untaggedExpiryDays: 3, keepReleases: 10 },
  },
  cicd: {
    github: { owner: 'toronto-ai', repository: 'team-agent-infrastructure' },
    deploy: { trigger: 'manual', requiredReviewers: false, runnerLabels: ['toronto-ai-development-vpc'] },
  },
};
