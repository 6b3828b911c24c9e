/** ENV-2, HW-1..3, NET-1, K8S-1, OPS-2/4: the schema accepts the shipped definitions and names every broken rule. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITIONS, DefinitionError, selectEnvironments, TIERS, validateEnvironments } from '../environments';
import { synthesizeApp } from '../stacks/app';
import { definition, problemsOfInputs } from './helpers';
import { scratchDir } from './scratch';

const problemsOf = problemsOfInputs;

describe('shipped definitions', () => {
  test('every registered definition validates, in registration order', () => {
    expect(validateEnvironments(DEFINITIONS).map((e) => e.name)).toEqual(DEFINITIONS.map((d) => d.name));
  });

  test('the registry covers every tier of ENV-1', () => {
    expect(new Set(validateEnvironments(DEFINITIONS).map((e) => e.tier))).toEqual(new Set(TIERS));
  });

  test('production has the documented pool shapes (HW-1): app 3+1, database 3, vector 3', () => {
    const prod = validateEnvironments(DEFINITIONS).find((e) => e.name === 'production')!;
    expect(prod.nodePools.app).toMatchObject({ minSize: 4, rootVolumeGiB: 500 });
    expect(prod.nodePools.database).toMatchObject({ minSize: 3, dataVolumeGiB: 2048 });
    expect(prod.nodePools.vector).toMatchObject({ minSize: 3, dataVolumeGiB: 1024 });
    expect(prod.aws.availabilityZones).toHaveLength(3);
  });

  test('development and testing say why they are smaller (HW-2)', () => {
    for (const e of validateEnvironments(DEFINITIONS).filter((x) => x.sizing === 'reduced')) {
      expect(e.sizingNote).toMatch(/HW-2/);
    }
  });
});

type Case = [string, string, (d: any) => void, RegExp];
const cases: Case[] = [
  ['malformed VPC CIDR', 'production', (d) => (d.network.vpcCidr = '10.40.0.0/33'), /^production\.network\.vpcCidr: must be an IPv4 CIDR/],
  ['VPC CIDR with host bits', 'staging', (d) => (d.network.vpcCidr = '10.30.0.1/16'), /^staging\.network\.vpcCidr: must be an IPv4 CIDR/],
  ['overlapping subnets', 'production', (d) => (d.network.privateSubnetCidrs[0] = '10.40.0.0/19'), /^production\.network\.privateSubnetCidrs\.0: 10\.40\.0\.0\/19 overlaps network\.publicSubnetCidrs\.0/],
  ['subnet outside the VPC', 'testing', (d) => (d.network.dataSubnetCidrs[1] = '10.99.0.0/24'), /^testing\.network\.dataSubnetCidrs\.1: 10\.99\.0\.0\/24 is not inside the VPC CIDR 10\.20\.0\.0\/16/],
  ['subnet count differs from zone count', 'staging', (d) => d.network.publicSubnetCidrs.pop(), /^staging\.network\.publicSubnetCidrs: needs one subnet per availability zone: 3 expected, 2 given/],
  ['zone not in the region', 'production', (d) => (d.aws.availabilityZones[2] = 'us-east-1a'), /^production\.aws\.availabilityZones\.2: us-east-1a is not a zone of ca-central-1/],
  ['production in two zones', 'production', (d) => {
    d.aws.availabilityZones.pop();
    for (const t of ['publicSubnetCidrs', 'privateSubnetCidrs', 'dataSubnetCidrs']) d.network[t].pop();
  }, /^production\.aws\.availabilityZones: production needs 3 availability zones \(NET-1\)/],
  ['production with one NAT gateway', 'production', (d) => (d.network.natGateways = 'single'), /^production\.network\.natGateways: production needs a NAT gateway per availability zone/],
  ['undersized production database pool', 'production', (d) => (d.nodePools.database.instanceType = 'r6i.4xlarge'), /^production\.nodePools\.database\.instanceType: r6i\.4xlarge has a baseline of 6\.25 Gbps; the documented database server needs >= 10 Gbps$/],
  ['production app pool with too little memory', 'production', (d) => (d.nodePools.app.instanceType = 'm6in.2xlarge'), /^production\.nodePools\.app\.instanceType: m6in\.2xlarge has 8 vCPUs; the documented application server needs >= 16/],
  ['unknown instance type', 'testing', (d) => (d.nodePools.app.instanceType = 'x9.huge'), /^testing\.nodePools\.app\.instanceType: unknown instance type x9\.huge; add its facts to INSTANCE_TYPES/],
  ['min > max', 'development', (d) => Object.assign(d.nodePools.app, { minSize: 3, desiredSize: 3, maxSize: 2 }), /^development\.nodePools\.app\.desiredSize: sizes must satisfy minSize <= desiredSize <= maxSize; got 3 <= 3 <= 2/],
  ['production app pool below 3 primary + 1 backup', 'production', (d) => Object.assign(d.nodePools.app, { minSize: 3, desiredSize: 3 }), /^production\.nodePools\.app\.minSize: 3 nodes is below the documented 4 application servers/],
  ['app root volume below 500 GiB', 'staging', (d) => (d.nodePools.app.rootVolumeGiB = 400), /^staging\.nodePools\.app\.rootVolumeGiB: 400 GiB is below the documented 500 GiB/],
  ['database volume below 2 TiB', 'production', (d) => (d.nodePools.database.dataVolumeGiB = 1000), /^production\.nodePools\.database\.dataVolumeGiB: 1000 GiB is below the documented 2048 GiB/],
  ['missing vector pool in production', 'production', (d) => delete d.nodePools.vector, /^production\.nodePools\.vector: production needs a dedicated vector pool \(K8S-2\)/],
  ['spot capacity for database nodes', 'staging', (d) => (d.nodePools.database.capacityType = 'SPOT'), /^staging\.nodePools\.database\.capacityType: database nodes hold data and must be ON_DEMAND/],
  ['unsupported cluster version', 'testing', (d) => (d.cluster.version = '1.27'), /^testing\.cluster\.version: must be a supported EKS version \(1\.34, 1\.35\)/],
  ['production with a public endpoint', 'production', (d) => (d.cluster.publicAccessCidrs = ['203.0.113.0/24']), /^production\.cluster\.publicAccessCidrs: production must not expose a public API endpoint/],
  ['endpoint open to the internet', 'testing', (d) => (d.cluster.publicAccessCidrs = ['0.0.0.0/0']), /^testing\.cluster\.publicAccessCidrs\.0: 0\.0\.0\.0\/0 opens the API endpoint to the whole internet/],
  ['missing account id', 'staging', (d) => (d.aws.allowedAccountIds = []), /^staging\.aws\.allowedAccountIds: name at least one allowed AWS account id/],
  ['malformed account id', 'development', (d) => (d.aws.allowedAccountIds = ['1234']), /^development\.aws\.allowedAccountIds\.0: must be a 12-digit AWS account id/],
  ['admin role in another account', 'testing', (d) => (d.cluster.adminPrincipalArns = ['arn:aws:iam::999999999999:role/admins']), /^testing\.cluster\.adminPrincipalArns\.0: .* is in account 999999999999, which is not one of aws\.allowedAccountIds/],
  ['backend bucket without region', 'production', (d) => delete d.stateBackend.region, /^production\.stateBackend\.region: is required \('ca-central-1'/],
  ['staging without state protection', 'staging', (d) => (d.protectState = false), /^staging\.protectState: staging must protect state-holding resources from destroy \(BAK-4\): set true/],
  ['staging with reduced sizing', 'staging', (d) => (d.sizing = 'reduced'), /^staging\.sizing: staging must meet the documented hardware \(HW-1\)/],
  ['reduced sizing without a reason', 'development', (d) => delete d.sizingNote, /^development\.sizingNote: a reduced environment must say why/],
  ['log retention CloudWatch does not accept', 'testing', (d) => (d.cluster.logRetentionDays = 0), /^testing\.cluster\.logRetentionDays: must be a CloudWatch Logs retention value/],
  ['misspelled field', 'development', (d) => { d.nodePool = d.nodePools; }, /^development: unknown field\(s\) nodePool; check the spelling/],
];

describe('broken definitions are refused with environment, field and rule', () => {
  test.each(cases)('%s', (_title, env, mutate, expected) => {
    const problems = problemsOf([definition(env, mutate)]);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    // ...and the run stops before anything is written.
    const outdir = join(scratchDir('bad-'), 'out');
    expect(() => synthesizeApp({ definitions: [definition(env, mutate)], outdir })).toThrow(DefinitionError);
    expect(existsSync(outdir)).toBe(false);
  });

  test('every problem of every environment is reported at once', () => {
    const problems = problemsOf([
      definition('production', (d) => (d.nodePools.database.instanceType = 'r6i.4xlarge')),
      definition('staging', (d) => {
        d.protectState = false;
        d.nodePools.app.rootVolumeGiB = 100;
      }),
      definition('testing', (d) => (d.cluster.version = '1.20')),
    ]);
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'production.nodePools.database.instanceType',
      'staging.nodePools.app.rootVolumeGiB',
      'staging.protectState',
      'testing.cluster.version',
    ]);
  });

  test('duplicate environment names are refused', () => {
    expect(problemsOf([definition('testing'), definition('testing')])).toEqual([
      'testing.name: defined twice; environment names must be unique',
      "testing.network.vpcCidr: 10.20.0.0/16 overlaps the VPC CIDR of testing (10.20.0.0/16); peering and VPN routes between environments would collide: give each environment its own range",
    ]);
  });

  test('nothing is written when a definition is broken', () => {
    const outdir = join(scratchDir('synth-'), 'out');
    const broken = [definition('development'), definition('production', (d) => (d.aws.allowedAccountIds = []))];
    expect(() => synthesizeApp({ definitions: broken, outdir })).toThrow(DefinitionError);
    expect(existsSync(outdir)).toBe(false);
  });
});

describe('selecting environments (ENVIRONMENTS)', () => {
  const all = validateEnvironments(DEFINITIONS);

  test('empty selects all', () => {
    expect(selectEnvironments(all, '').map((e) => e.name)).toEqual(all.map((e) => e.name));
  });

  test('a list selects those only', () => {
    const names = all.map((e) => e.name);
    const [first, last] = [names[0], names[names.length - 1]];
    expect(selectEnvironments(all, ` ${last}, ${first}`).map((e) => e.name)).toEqual([first, last]);
  });

  test('an unknown name is an error naming the known ones', () => {
    expect(() => selectEnvironments(all, 'stagin')).toThrow(`ENVIRONMENTS: unknown environment(s) stagin; known: ${all.map((e) => e.name).join(', ')}`);
  });
});
