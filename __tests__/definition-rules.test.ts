/**
 * Issue 9 part 4: a definition that cannot work is refused before anything is written, with every
 * problem of every environment at once. One test per class of rule, each asserting the exact
 * message and that the run wrote nothing; then a fifth environment, registered like the others.
 */
import { join } from 'node:path';
import { DEFINITIONS, EnvironmentInput, validateEnvironments } from '../environments';
import { cronProblem } from '../environments/cron';
import { GENERATED_NAMES } from '../environments/names';
import { nodeAllocatable, podRoom } from '../environments/capacity';
import { CACHE_NODE_TYPES, INSTANCE_TYPES } from '../environments/catalog';
import { synthesizeApp } from '../stacks/app';
import { checkReferences, checkStacks, listStacks, readStack } from '../scripts/terraform-check';
import { definition, refusedBeforeWriting } from './helpers';
import { scratchDir } from './scratch';

jest.setTimeout(180_000);

/** The problems of one shipped definition changed by `mutate`; asserts nothing was written. */
const refused = (name: string, mutate: (d: any) => void) => refusedBeforeWriting([definition(name, mutate)]);

describe('cron schedules: every field of every schedule', () => {
  test.each([
    ['app.beta.feedbackReminderSchedule', (d: any) => (d.app.beta.feedbackReminderSchedule = '0 24 * * 1'),
      'production.app.beta.feedbackReminderSchedule: must be a five-field cron schedule (UTC) such as "0 9 * * 1": hour field 24 is outside 0-23'],
    ['backup.velero.schedule', (d: any) => (d.backup.velero.schedule = '*/0 * * * *'),
      'production.backup.velero.schedule: must be a five-field cron schedule (UTC) such as "0 */6 * * *": minute field "*/0": the step must be a whole number >= 1'],
    ['data.mongodb.baseBackupSchedule', (d: any) => (d.data.mongodb.baseBackupSchedule = '30 x * * *'),
      'production.data.mongodb.baseBackupSchedule: must be a five-field cron schedule (UTC) such as "30 */6 * * *": hour field "x" is not a number 0-23'],
    ['data.chroma.backupSchedule', (d: any) => (d.data.chroma.backupSchedule = '0 3 32 * *'),
      'production.data.chroma.backupSchedule: must be a five-field cron schedule (UTC) such as "0 3 * * *": day of month field 32 is outside 1-31'],
    ['data.postgres.baseBackupSchedule', (d: any) => (d.data.postgres.baseBackupSchedule = '60 0 2 * * *'),
      'production.data.postgres.baseBackupSchedule: must be a six-field cron schedule with seconds first, as CloudNativePG expects, such as "0 0 2 * * *": second field 60 is outside 0-59'],
  ])('%s', (_field, mutate, message) => {
    expect(refused('production', mutate)).toEqual([message]);
  });

  test('months, weekdays, lists, ranges and steps', () => {
    const five = { seconds: false, macros: false };
    expect(cronProblem('0 9 * * MON-FRI', five)).toBeUndefined();
    expect(cronProblem('*/15 0-6,22,23 1-31/2 jan,JUL 0,7', five)).toBeUndefined();
    expect(cronProblem('0 9 * 13 *', five)).toBe('month field 13 is outside 1-12');
    expect(cronProblem('0 9 * * 8', five)).toBe('day of week field 8 is outside 0-7');
    expect(cronProblem('0 9 * * FUN', five)).toBe('day of week field "FUN" is not a number 0-7 or a name (sun, mon, tue, wed, thu, fri, sat)');
    expect(cronProblem('0 20-8 * * *', five)).toBe('hour field the range 20-8 runs backwards');
    expect(cronProblem('0 9,,10 * * *', five)).toBe('hour field has an empty list item');
    expect(cronProblem('@daily', five)).toBe('macros such as @daily are not accepted here; write the fields');
    expect(cronProblem('TZ=UTC 0 9 * * *', five)).toBe('a time zone inside the schedule is refused by Kubernetes; schedules run in UTC');
  });
});

describe('capacity: every pod fits the node of its pool, every pool holds its workloads', () => {
  const r6in = INSTANCE_TYPES['r6in.4xlarge'];

  test('the system reserve is the EKS AMI formula (m5.large check: 8 GiB, 29 pods -> 7.07 GiB allocatable)', () => {
    // An r6in.4xlarge: 16 vCPUs -> 110m kube-reserved; 234 pods -> 2829 MiB + 100 MiB eviction.
    expect(nodeAllocatable(r6in)).toEqual({ cpuMillis: 16000 - 110, memoryMiB: Math.floor(128 * 1024 * 0.97 - 200) - 2829 - 100 });
    expect(podRoom(r6in).cpuMillis).toBe(15890 - 440);
  });

  test('a PostgreSQL instance larger than a database node', () => {
    expect(refused('production', (d) => (d.data.postgres.compute = { cpu: '6', memory: '128Gi' }))).toEqual([
      "production.data.postgres.compute.memory: the PostgreSQL instance's memory request of 128Gi does not fit on one r6in.4xlarge node (database pool): 121.1 GiB allocatable after the system reserve, less 0.9 GiB for the DaemonSets on every node, leaves 120.2 GiB; the pod could never be scheduled",
    ]);
  });

  test('an application pod larger than an app node, and a limit no node can give', () => {
    expect(refused('testing', (d) => (d.app.resources = { requests: { cpu: '8', memory: '2Gi' }, limits: { cpu: '8', memory: '40Gi' } }))).toEqual([
      "testing.app.resources.requests.cpu: the application pod's CPU request of 8 does not fit on one m6i.2xlarge node (app pool): 7.91 CPU allocatable after the system reserve, less 0.44 for the DaemonSets on every node, leaves 7.47; the pod could never be scheduled",
      "testing.app.resources.limits.memory: the application pod's memory limit of 40Gi is more than one m6i.2xlarge node (app pool) can give a pod (29.9 GiB allocatable)",
      'testing.nodePools.app.maxSize: 4 m6i.2xlarge node(s) offer 29.88 CPU and 116.0 GiB to pods after the system reserve and DaemonSets, but the workloads placed on the app pool request 101.6 CPU and 43.4 GiB at full scale: 1 x agent runtime pod (250m CPU, 512Mi), 1 x agent coordinator pod (100m CPU, 256Mi), 4 x Celery worker pod (250m CPU, 512Mi), 1 x Celery beat pod (50m CPU, 128Mi), 1 x WebSocket server pod (100m CPU, 256Mi), 1 x onboarding service pod (100m CPU, 256Mi), 2 x AI inference pod (2 CPU, 8Gi), 12 x application pod (8 CPU, 2Gi)',
    ]);
  });

  test('an Elasticsearch node larger than a system node (development: on its app pool)', () => {
    expect(refused('testing', (d) => (d.observability.logging.elasticsearch.memoryGiB = 14))).toEqual([
      "testing.observability.logging.elasticsearch.memoryGiB: the Elasticsearch node's memory request of 14Gi does not fit on one m6i.xlarge node (system pool): 14.4 GiB allocatable after the system reserve, less 0.9 GiB for the DaemonSets on every node, leaves 13.5 GiB; the pod could never be scheduled",
      'testing.nodePools.system.maxSize: 3 m6i.xlarge node(s) offer 10.44 CPU and 40.5 GiB to pods after the system reserve and DaemonSets, but the workloads placed on the system pool request 2.75 CPU and 45.5 GiB at full scale: 3 x Vault server (250m CPU, 512Mi), 3 x Elasticsearch node (500m CPU, 14Gi), 1 x Prometheus replica (500m CPU, 2Gi)',
    ]);
  });

  test('a request above its limit', () => {
    expect(refused('development', (d) => (d.app.resources.requests.memory = '2Gi'))).toEqual([
      'development.app.resources.limits.memory: 1Gi is below the request of 2Gi; limits must be >= requests',
    ]);
  });

  test('more pods with a required one-per-node anti-affinity than the pool has nodes', () => {
    expect(refused('development', (d) => (d.observability.prometheus.replicas = 3))).toEqual([
      'development.observability.prometheus.replicas: 3 Prometheus replicas need 3 nodes (one per node, required anti-affinity), but the app pool that hosts them has at most 2 (nodePools.app.maxSize)',
    ]);
  });

  test('PostgreSQL instances spread one per zone need as many database nodes', () => {
    // Testing has 2 zones: 2 instances get the required zone anti-affinity.
    expect(refused('testing', (d) => {
      d.data.postgres.instances = 2;
      d.data.mongodb.members = 1;
      d.nodePools.database = { ...d.nodePools.database, minSize: 1, desiredSize: 1, maxSize: 1 };
    })).toEqual([
      'testing.data.postgres.instances: 2 PostgreSQL instances need 2 nodes (one per zone, required anti-affinity), but the database pool that hosts them has at most 1 (nodePools.database.maxSize)',
    ]);
  });

  test('more pod addresses than the private subnets hold', () => {
    expect(refused('testing', (d) => (d.network.privateSubnetCidrs = ['10.20.32.0/26', '10.20.64.0/26']))).toEqual([
      'testing.network.privateSubnetCidrs: 118 usable addresses, but the node pools at their maxSize need 650 (one per node and one per pod it can host); pods would fail to start: use larger private subnets',
    ]);
  });
});

describe('allow-lists never cover the whole internet', () => {
  test('0.0.0.0/1 + 128.0.0.0/1', () => {
    expect(refused('testing', (d) => (d.cluster.publicAccessCidrs = ['0.0.0.0/1', '128.0.0.0/1']))).toEqual([
      "testing.cluster.publicAccessCidrs: 0.0.0.0/1 + 128.0.0.0/1 together cover every IPv4 address: that opens the API endpoint to the whole internet; list the administrators' CIDRs instead",
    ]);
  });

  test('many overlapping pieces', () => {
    const pieces = ['64.0.0.0/2', '0.0.0.0/2', '128.0.0.0/3', '160.0.0.0/3', '128.0.0.0/2', '192.0.0.0/2', '203.0.113.0/24'];
    expect(refused('testing', (d) => (d.cluster.publicAccessCidrs = pieces))).toEqual([
      `testing.cluster.publicAccessCidrs: ${pieces.join(' + ')} together cover every IPv4 address: that opens the API endpoint to the whole internet; list the administrators' CIDRs instead`,
    ]);
  });

  test('pieces that leave one address out are accepted; a private range is refused', () => {
    // 224.0.0.0/3 is left out.
    expect(validateEnvironments([definition('testing', (d) => (d.cluster.publicAccessCidrs = ['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/4', '208.0.0.0/4']))])).toHaveLength(1);
    expect(refused('testing', (d) => (d.cluster.publicAccessCidrs = ['192.168.0.0/24']))).toEqual([
      'testing.cluster.publicAccessCidrs.0: 192.168.0.0/24 is inside 192.168.0.0/16, which is not publicly routable; a public allow-list entry there never matches a client',
    ]);
  });
});

describe('across environments', () => {
  test("a second environment reusing another's VPC range is refused", () => {
    const problems = refusedBeforeWriting([
      definition('development'),
      definition('testing', (d) => {
        d.network.vpcCidr = '10.10.0.0/16';
        for (const t of ['publicSubnetCidrs', 'privateSubnetCidrs', 'dataSubnetCidrs']) d.network[t] = d.network[t].map((c: string) => c.replace('10.20.', '10.10.'));
      }),
    ]);
    expect(problems).toEqual([
      'testing.network.vpcCidr: 10.10.0.0/16 overlaps the VPC CIDR of development (10.10.0.0/16); peering and VPN routes between environments would collide: give each environment its own range',
    ]);
  });

  test('a range inside another environment\'s range is refused too', () => {
    const problems = refusedBeforeWriting([definition('staging'), definition('production', (d) => (d.network.vpcCidr = '10.0.0.0/8'))]);
    expect(problems).toEqual([
      'production.network.vpcCidr: /8 is not a VPC size AWS accepts (/16 to /28)',
      'production.network.vpcCidr: 10.0.0.0/8 overlaps the VPC CIDR of staging (10.30.0.0/16); peering and VPN routes between environments would collide: give each environment its own range',
    ]);
  });
});

describe('generated AWS names stay within their limits', () => {
  test('a name that passes the schema but makes a generated name too long is refused, not crashed on', () => {
    expect(refused('production', (d) => (d.name = 'performance-labs'))).toEqual([
      'performance-labs.name: performance-labs (16 characters) makes the name toronto-ai-performance-labs 27 characters long, but the load balancer construct takes a name prefix of at most 26 characters: use a name of at most 15 characters',
    ]);
  });

  test('a bucket name that carries the account id and a region is refused with its own limit', () => {
    // In ca-west-1 with the replica (and the state bucket) in ca-central-1, the offsite access-log
    // buckets are toronto-ai-<name>-access-logs-<account>-ca-central-1: 15 characters are one too many.
    expect(refusedBeforeWriting([{
      ...fifthEnvironment(),
      aws: { allowedAccountIds: ['444455556666'], region: 'ca-west-1', availabilityZones: ['ca-west-1a', 'ca-west-1b', 'ca-west-1c'] },
      backup: { ...(fifthEnvironment().backup as object), replicaRegion: 'ca-central-1' } as never,
    }])).toEqual([
      'performance-lab.name: performance-lab (15 characters) makes the name toronto-ai-performance-lab-access-logs-444455556666-ca-central-1 64 characters long, but S3 bucket names are at most 63 characters: use a name of at most 14 characters',
    ]);
  });
});

describe('other values AWS or Kubernetes would refuse at apply time', () => {
  test.each([
    ['an even number of raft voters', 'testing', (d: any) => (d.data.vault.replicas = 2), 'testing.data.vault.replicas: 2 Vault raft voters survive no more failures than 1, and two halves elect no leader; use an odd count'],
    ['an even MongoDB replica set', 'development', (d: any) => (d.data.mongodb.members = 2), 'development.data.mongodb.members: 2 MongoDB members (replica set elections) survive no more failures than 1, and two halves elect no leader; use an odd count'],
    ['a volume larger than gp3 allows', 'production', (d: any) => (d.data.postgres.storageGiB = 20000), 'production.data.postgres.storageGiB: must be <= 16384'],
    ['a CPU quantity of zero', 'development', (d: any) => (d.data.vault.compute.cpu = '0'), 'development.data.vault.compute.cpu: must be more than 0 CPU'],
    ['a CPU quantity finer than 1m', 'development', (d: any) => (d.data.vault.compute.cpu = '0.0005'), 'development.data.vault.compute.cpu: must be a CPU quantity such as 250m or 2 (no precision finer than 1m)'],
    ['a subnet smaller than /28', 'development', (d: any) => (d.network.dataSubnetCidrs[0] = '10.10.10.0/29'), 'development.network.dataSubnetCidrs.0: /29 is smaller than the smallest subnet AWS accepts (/28)'],
    ['a public VPC range', 'development', (d: any) => {
      d.network.vpcCidr = '11.10.0.0/16';
      for (const t of ['publicSubnetCidrs', 'privateSubnetCidrs', 'dataSubnetCidrs']) d.network[t] = d.network[t].map((c: string) => c.replace('10.10.', '11.10.'));
    }, 'development.network.vpcCidr: 11.10.0.0/16 is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); its routes would shadow public addresses'],
    ['kubectl two minor versions from the cluster', 'testing', (d: any) => (d.data.jobImages.kubectl = 'registry.k8s.io/kubectl:v1.33.0'), "testing.data.jobImages.kubectl: kubectl 1.33 is more than one minor version away from the cluster's 1.35 (cluster.version); kubectl supports one minor version of skew"],
    ['a tag value AWS refuses', 'development', (d: any) => (d.tags.owner = 'dev team <ops>'), 'development.tags.owner: must use only letters, digits, spaces and _ . : / = + - @ (AWS tag values)'],
    ['an SMTP port out of range', 'development', (d: any) => d.observability.alertmanager.receivers.push({ type: 'email', name: 'mail', to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:70000' }), 'development.observability.alertmanager.receivers.1.smarthost: the port must be 1-65535'],
    ['more certificate names than ACM allows', 'staging', (d: any) => (d.edge.publicNames = Array.from({ length: 11 }, (_, i) => `n${i}.${d.edge.domainName}`)), 'staging.edge.publicNames: the certificate would cover 11 names (publicNames and betaName); ACM allows 10 per certificate by default'],
    ['an ElastiCache node type that does not exist', 'development', (d: any) => (d.data.redis.nodeType = 'cache.t4g.huge'), `development.data.redis.nodeType: unknown ElastiCache node type cache.t4g.huge; add it to CACHE_NODE_TYPES in environments/catalog.ts or pick one of: ${CACHE_NODE_TYPES.join(', ')}`],
    ['too many public access CIDRs', 'testing', (d: any) => (d.cluster.publicAccessCidrs = Array.from({ length: 41 }, (_, i) => `198.51.${i}.0/24`)), 'testing.cluster.publicAccessCidrs: 41 CIDRs; EKS accepts at most 40'],
  ])('%s', (_title, env, mutate, message) => {
    expect(refused(env, mutate)).toEqual([message]);
  });
});

describe('every problem of every environment at once', () => {
  test('an invalid field does not hide a cross-field problem of the same environment', () => {
    expect(refused('staging', (d) => {
      d.app.resources.requests.cpu = 'lots'; // field rule
      d.nodePools.app.minSize = 9; // cross-field rule: minSize <= desiredSize <= maxSize
      d.backup.velero.schedule = '0 2 * * 9'; // field rule in another section
      d.network.dataSubnetCidrs[0] = '10.99.0.0/24'; // cross-field rule: inside the VPC
    })).toEqual([
      'staging.app.resources.requests.cpu: must be a CPU quantity such as 250m or 2 (no precision finer than 1m)',
      'staging.backup.velero.schedule: must be a five-field cron schedule (UTC) such as "0 */6 * * *": day of week field 9 is outside 0-7',
      'staging.network.dataSubnetCidrs.0: 10.99.0.0/24 is not inside the VPC CIDR 10.30.0.0/16',
      'staging.nodePools.app.desiredSize: sizes must satisfy minSize <= desiredSize <= maxSize; got 9 <= 4 <= 8',
    ]);
  });

  test("two environments' problems are reported together, with the rules across them", () => {
    const problems = refusedBeforeWriting([
      definition('development', (d) => {
        d.data.postgres.compute.memory = 'much';
        d.app.hpa.minReplicas = 9;
      }),
      definition('production', (d) => {
        d.cluster.publicAccessCidrs = ['0.0.0.0/1', '128.0.0.0/1'];
        d.network.vpcCidr = '10.10.0.0/16';
      }),
    ]);
    expect(problems).toEqual([
      'development.data.postgres.compute.memory: must be a memory quantity such as 512Mi or 2Gi',
      'development.app.hpa.minReplicas: must be <= hpa.maxReplicas; got minReplicas 9 > maxReplicas 4',
      'production.network.publicSubnetCidrs.0: 10.40.0.0/24 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.publicSubnetCidrs.1: 10.40.1.0/24 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.publicSubnetCidrs.2: 10.40.2.0/24 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.privateSubnetCidrs.0: 10.40.32.0/19 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.privateSubnetCidrs.1: 10.40.64.0/19 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.privateSubnetCidrs.2: 10.40.96.0/19 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.dataSubnetCidrs.0: 10.40.10.0/24 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.dataSubnetCidrs.1: 10.40.11.0/24 is not inside the VPC CIDR 10.10.0.0/16',
      'production.network.dataSubnetCidrs.2: 10.40.12.0/24 is not inside the VPC CIDR 10.10.0.0/16',
      'production.cluster.publicAccessCidrs: production must not expose a public API endpoint (K8S-1): leave this list empty and use the private endpoint',
      "production.cluster.publicAccessCidrs: 0.0.0.0/1 + 128.0.0.0/1 together cover every IPv4 address: that opens the API endpoint to the whole internet; list the administrators' CIDRs instead",
      'production.network.vpcCidr: 10.10.0.0/16 overlaps the VPC CIDR of development (10.10.0.0/16); peering and VPN routes between environments would collide: give each environment its own range',
    ]);
  });
});

/**
 * A fifth environment, registered the way the README says (one definition, one entry in the
 * registry): production's shape under the longest name the generated AWS names allow, in its own
 * VPC range.
 */
function fifthEnvironment(): EnvironmentInput {
  return definition('production', (d) => {
    d.name = 'performance-lab';
    d.description = 'Load tests at production size';
    d.network.vpcCidr = '10.50.0.0/16';
    for (const t of ['publicSubnetCidrs', 'privateSubnetCidrs', 'dataSubnetCidrs']) d.network[t] = d.network[t].map((c: string) => c.replace('10.40.', '10.50.'));
    // Same account as production, which creates the GitHub OIDC provider: this one reuses it.
    d.cicd.github.oidcProviderArn = `arn:aws:iam::${d.aws.allowedAccountIds[0]}:oidc-provider/token.actions.githubusercontent.com`;
  });
}

describe('a fifth environment is one definition plus its registration', () => {
  const registry = [...DEFINITIONS, fifthEnvironment()];
  const outdir = join(scratchDir('fifth-'), 'cdktf.out');
  const name = 'performance-lab';

  beforeAll(() => {
    synthesizeApp({ definitions: registry, selection: name, outdir });
  });

  test('it validates alongside the shipped ones', () => {
    expect(validateEnvironments(registry).map((e) => e.name)).toEqual([...DEFINITIONS.map((d) => d.name), name]);
  });

  test('it synthesizes both of its stacks', () => {
    expect(listStacks(outdir).sort()).toEqual([name, `${name}-platform`]);
    expect(readStack(outdir, name).resource?.aws_eks_cluster).toBeDefined();
  });

  test('the checks that iterate stacks pick it up and pass it at synth level', async () => {
    const results = await checkStacks({ outdir, stacks: [`${name}-platform`], scratch: join(outdir, '..', 'scratch'), concurrency: 1 });
    expect(results.map((r) => [r.stack, r.ok])).toEqual([[`${name}-platform`, true]]);
    expect(checkReferences(readStack(outdir, name))).toEqual([]);
  });

  test('every generated AWS name of its cloud stack is in the names table and within its limit', () => {
    const json = readStack(outdir, name) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const ctx = { name, accountId: '444455556666', region: 'ca-central-1', replicaRegion: 'ca-west-1', stateRegion: 'ca-central-1', imageRepositories: ['team-agent', 'jac-runtime'] };
    const unknown: string[] = [];
    const tooLong: string[] = [];
    for (const kind of GENERATED_NAMES) {
      const expected = kind.names(ctx);
      for (const config of Object.values(json.resource[kind.resource] ?? {})) {
        const raw = config[kind.attribute];
        // The state bucket is named by the definition (stateBackend.bucket), checked by its own rule.
        if (typeof raw !== 'string' || raw === (fifthEnvironment().stateBackend as { bucket?: string }).bucket) continue;
        // Names built from the cluster's name reference it; resolve that one reference.
        const value = raw.replace(/^\$\{aws_eks_cluster\.[^}]+\.name\}/, `toronto-ai-${name}`);
        if (!expected.includes(value)) unknown.push(`${kind.resource}.${kind.attribute} = ${value}`);
        if (value.length > kind.limit) tooLong.push(`${value} (${value.length} > ${kind.limit})`);
      }
    }
    expect(unknown).toEqual([]);
    expect(tooLong).toEqual([]);
    // The table's limits are the tightest in play: one character more is refused.
    expect(refusedBeforeWriting([{ ...fifthEnvironment(), name: `${name}s` }])[0]).toMatch(/^performance-labs\.name: .* use a name of at most 15 characters$/);
  });
});
