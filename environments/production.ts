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
    // The AI service cluster (seed 004): Ollama's own pool, models on the nodes' volumes (CPU: r6i; GPU: g5/g6 with gpu: true).
    inference: { instanceType: 'r6i.2xlarge', minSize: 2, desiredSize: 2, maxSize: 4, rootVolumeGiB: 200, dataVolumeGiB: 100 },
  },
  observability: {
    // OBS-1: 50 Gi Prometheus volumes, 10 Gi Grafana; OBS-4: 3 master-eligible nodes, 14 days of logs.
    prometheus: { retentionDays: 15, storageGiB: 50, replicas: 2 },
    grafana: { storageGiB: 10 },
    alertmanager: {
      replicas: 3,
      receivers: [
        { type: 'pagerduty', name: 'pagerduty-oncall', routingKeySecret: { name: 'alertmanager-pagerduty', key: 'routing-key' } },
        { type: 'slack', name: 'slack-alerts', channel: '#deia-alerts', apiUrlSecret: { name: 'alertmanager-slack', key: 'webhook-url' } },
      ],
      defaultReceiver: 'slack-alerts',
      routes: [
        { severity: 'critical', receiver: 'pagerduty-oncall', repeatIntervalHours: 1 },
        { severity: 'warning', receiver: 'slack-alerts', repeatIntervalHours: 4 },
      ],
    },
    logging: {
      elasticVersion: '9.1.5',
      elasticsearch: { nodes: 3, storageGiB: 500, memoryGiB: 16 },
      retentionDays: 14,
      logstashReplicas: 2,
      kibanaReplicas: 2,
    },
    security: { guardDuty: true, clamav: { scanIntervalHours: 24, signatureChecksPerDay: 12, imageTag: '1.4.3' } },
  },
  protectState: true,
  // SEC-1: the key alarm's CloudTrail events (README: Keys recovery depends on).
  audit: { cloudTrail: 'create', trailRetentionDays: 400 },
  backup: {
    // BAK-3, seed 004 recovery objectives.
    databaseRtoMinutes: 15,
    databaseRpoMinutes: 5,
    applicationRtoMinutes: 30,
    fullSystemRtoHours: 2,
    // BAK-1: STANDARD_IA after 30 days, kept 13 months; overwritten/deleted versions 90 days.
    expiryDays: 400,
    infrequentAccessAfterDays: 30,
    noncurrentVersionExpiryDays: 90,
    accessLogExpiryDays: 365,
    // WORM: no one (not even the account root) can delete a backup version for 35 days.
    objectLock: { enabled: true, mode: 'COMPLIANCE', retentionDays: 35 },
    // Offsite copy (seed 000 "offsite backup storage"): the other Canadian region.
    replicaRegion: 'ca-west-1',
    // Only these may disable or delete the Vault unseal and backups keys (through the break-glass role).
    breakGlassPrincipalArns: ['arn:aws:iam::444455556666:role/platform-break-glass'],
    // Cluster resources and volumes every 6 hours, kept 30 days.
    velero: { schedule: '0 */6 * * *', ttlHours: 720 },
  },
  // DATA-1..4, SEC-1: 3 PostgreSQL instances and 3 MongoDB members over the 3 database nodes
  // (2 TiB each), ChromaDB on a 1 TiB volume, multi-AZ Valkey, 3 Vault raft voters.
  data: {
    postgres: { instances: 3, version: '17.6', storageGiB: 2048, volume: { iops: 12000, throughputMiBps: 500 }, walArchiveTimeoutMinutes: 5, baseBackupSchedule: '0 0 2 * * *', backupRetentionDays: 30, snapshotSchedule: '0 */15 * * * *', snapshotsKept: 96, backupGeneration: 1, compute: { cpu: '6', memory: '48Gi' } },
    mongodb: { members: 3, version: '8.0.19-7', storageGiB: 2048, baseBackupSchedule: '30 */6 * * *', baseBackupsKept: 120, oplogSpanMinutes: 2, snapshotSchedule: '*/5 * * * *', snapshotsKept: 288, compute: { cpu: '4', memory: '32Gi' } },
    chroma: { replicas: 1, imageTag: '1.5.3', storageGiB: 1024, volume: { iops: 6000, throughputMiBps: 250 }, backupSchedule: '0 3 * * *', snapshotSchedule: '*/5 * * * *', snapshotsKept: 288, compute: { cpu: '8', memory: '64Gi' } },
    redis: { engine: 'valkey', engineVersion: '8.0', nodeType: 'cache.r7g.large', replicas: 2, snapshotRetentionDays: 14 },
    // Deployed on the original single-region unseal key: it moves to the multi-region key through
    // `seal` ('migrating', then 'multi-region'), README: Vault seal migration.
    vault: { replicas: 3, imageTag: '2.0.4', dataStorageGiB: 20, auditStorageGiB: 50, snapshotSchedule: '*/5 * * * *', seal: 'single-region', compute: { cpu: '1', memory: '1Gi' } },
    jobImages: { awsCli: 'public.ecr.aws/aws-cli/aws-cli:2.22.0', openssl: 'docker.io/alpine/openssl:3.5.4', kubectl: 'registry.k8s.io/kubectl:v1.35.0', kubectlShell: 'docker.io/alpine/k8s:1.35.0' },
  },
  edge: {
    domainName: 'toronto-ai-team-agent.example.com',
    hostedZoneId: 'Z0444455556666PRODZONE',
    publicNames: ['toronto-ai-team-agent.example.com', 'www.toronto-ai-team-agent.example.com'],
    // ENV-4: limited external beta users reach the beta namespace through this name.
    betaName: 'beta.toronto-ai-team-agent.example.com',
    loadBalancer: { deletionProtection: true, idleTimeoutSeconds: 60, accessLogRetentionDays: 365 },
    // LB-2, seed 004: 10 r/s per client on the API, 5 r/s on auth, counted over 60 s.
    waf: { apiRequestsPerSecond: 10, authRequestsPerSecond: 5, evaluationWindowSec: 60, logRetentionDays: 365 },
    // LB-4: static assets through CloudFront (certificate in us-east-1).
    cdn: {
      enabled: true,
      domainName: 'static.toronto-ai-team-agent.example.com',
      certificate: 'acm-us-east-1',
      priceClass: 'PriceClass_100',
    },
  },
  app: {
    image: { repository: 'docker.io/torontoai/team-agent' },
    // APP-2: blue serves; green carries the next release. Switch (or roll back) with activeColour.
    colours: { blue: { imageTag: 'v1.0.0' }, green: { imageTag: 'v1.1.0' } },
    activeColour: 'blue',
    replicas: 3,
    resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    // K8S-3, seed 004: min 2, max 20, CPU 70 %, memory 80 %.
    hpa: { minReplicas: 2, maxReplicas: 20, cpuUtilization: 70, memoryUtilization: 80 },
    config: { DJANGO_SETTINGS_MODULE: 'config.settings.production', LOG_LEVEL: 'INFO', DEBUG: 'false' },
    // ENV-4: the beta channel runs the release candidate for limited external users.
    beta: { enabled: true, imageTag: 'v1.2.0-beta.1', replicas: 2, feedbackReminderSchedule: '0 9 * * 1' },
  },
  // CI/CD: after staging's deploy in the same run (or by hand), and only once a required reviewer approves.
  services: {
    // Seed 004 service layer. The JacLang runtime (agents, coordinator) is its own image.
    agents: { image: { repository: 'docker.io/torontoai/jac-runtime', tag: 'v1.0.0' }, replicas: 3, resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } } },
    coordinator: { replicas: 2, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    workers: { minReplicas: 2, maxReplicas: 20, messagesPerReplica: 20, concurrency: 4, resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } },
    beat: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
    websocket: { replicas: 3, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    // Seed 003: Ollama on 11434, on the inference pool (CPU; set nodePools.inference.gpu for a GPU family).
    inference: { imageTag: '0.32.15', replicas: 2, resources: { requests: { cpu: '6', memory: '40Gi' }, limits: { cpu: '7', memory: '48Gi' } }, models: ['llama3.1:8b', 'nomic-embed-text'] },
    onboarding: { replicas: 2, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    feedback: { replicas: 2, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    betaReplicas: 1,
    queues: { retentionDays: 4, maxReceiveCount: 5, visibilityTimeoutSeconds: 900, oldestMessageAlarmSeconds: 900 },
    // Seed 004: file storage RPO 1 hour (replication with S3 RTC: 15 minutes).
    files: { noncurrentVersionExpiryDays: 90, rpoMinutes: 60 },
    email: { fromAddress: 'noreply@toronto-ai-team-agent.example.com' },
    registry: { untaggedExpiryDays: 7, keepReleases: 30 },
  },
  cicd: {
    github: { owner: 'toronto-ai', repository: 'team-agent-infrastructure' },
    deploy: { trigger: 'manual', after: 'staging', requiredReviewers: true, runnerLabels: ['toronto-ai-production-vpc'] },
  },
};
