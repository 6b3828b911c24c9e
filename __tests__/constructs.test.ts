/** Unit tests of the foundation's building blocks, each on a small stack of its own. */
import { Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EncryptionKey } from '../constructs/kms/kms-key';
import { WorkloadRole } from '../constructs/identity/workload-role';
import { NodePool } from '../constructs/nodepools/node-pool';
import { Network } from '../constructs/network/network';
import { ChartRelease } from '../constructs/helm/chart-release';
import { CHARTS } from '../constructs/helm/charts';
import { Json, resources } from './helpers';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'unit');
  new AwsProvider(s, 'aws', { region: 'ca-central-1' });
  return s;
}
const json = (s: TerraformStack): Json => JSON.parse(Testing.synth(s));

describe('EncryptionKey', () => {
  test('rotates, has an explicit policy and an alias, and is protected when asked', () => {
    const s = stack();
    new EncryptionKey(s, 'k', { alias: 'a-b', description: 'd', accountId: '111122223333', protect: true });
    const out = json(s);
    const key = resources(out, 'aws_kms_key')[0];
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    expect(JSON.parse(key.policy).Statement).toHaveLength(1);
    expect(resources(out, 'aws_kms_alias')[0].name).toBe('alias/a-b');
  });

  test('refuses a deletion window outside 7..30 days', () => {
    expect(() => new EncryptionKey(stack(), 'k', { alias: 'a', description: 'd', accountId: '111122223333', protect: false, deletionWindowDays: 3 })).toThrow(
      "unit/k: 'deletionWindowDays' must be between 7 and 30. Got: 3",
    );
  });
});

describe('WorkloadRole', () => {
  test('trusts only EKS Pod Identity and binds exactly one service account', () => {
    const s = stack();
    new WorkloadRole(s, 'w', {
      roleName: 'r',
      clusterName: 'c',
      clusterArn: 'arn:aws:eks:ca-central-1:111122223333:cluster/c',
      accountId: '111122223333',
      namespace: 'ns',
      serviceAccount: 'sa',
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/p/*' }],
    });
    const out = json(s);
    const role = resources(out, 'aws_iam_role')[0];
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        // Issue 15: only this account's Pod Identity, only sessions of this cluster, namespace and service account.
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '111122223333',
            'aws:RequestTag/kubernetes-namespace': 'ns',
            'aws:RequestTag/kubernetes-service-account': 'sa',
          },
          ArnEquals: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:ca-central-1:111122223333:cluster/c' },
        },
      },
    ]);
    expect(resources(out, 'aws_eks_pod_identity_association')[0]).toMatchObject({ cluster_name: 'c', namespace: 'ns', service_account: 'sa' });
    expect(JSON.parse(resources(out, 'aws_iam_role_policy')[0].policy).Statement[0].Resource).toBe('arn:aws:s3:::b/p/*');
  });

  test('refuses a role with no permissions', () => {
    expect(() => new WorkloadRole(stack(), 'w', { roleName: 'r', clusterName: 'c', clusterArn: 'arn:aws:eks:ca-central-1:111122223333:cluster/c', accountId: '111122223333', namespace: 'n', serviceAccount: 's' })).toThrow(
      /needs 'statements' or 'managedPolicies'/,
    );
  });
});

describe('NodePool', () => {
  const base = {
    clusterName: 'c',
    poolName: 'database',
    nodeRoleArn: 'arn:aws:iam::111122223333:role/n',
    subnetIds: ['s1', 's2'],
    instanceType: 'r6in.4xlarge',
    rootVolumeGiB: 100,
    volumeType: 'io2' as const,
    capacityType: 'ON_DEMAND' as const,
    volumesKeyArn: 'arn:aws:kms:ca-central-1:111122223333:key/x',
  };

  test('io2 volumes get provisioned IOPS and no throughput; database pools are tainted', () => {
    const s = stack();
    new NodePool(s, 'p', { ...base, minSize: 1, desiredSize: 1, maxSize: 2 });
    const out = json(s);
    expect(resources(out, 'aws_launch_template')[0].block_device_mappings[0].ebs).toMatchObject({ volume_type: 'io2', iops: 16000 });
    expect(resources(out, 'aws_launch_template')[0].block_device_mappings[0].ebs.throughput).toBeUndefined();
    expect(resources(out, 'aws_eks_node_group')[0].taint).toHaveLength(1);
  });

  test('refuses desired above max with the construct path and the values', () => {
    expect(() => new NodePool(stack(), 'p', { ...base, minSize: 1, desiredSize: 3, maxSize: 2 })).toThrow(
      'unit/p: sizes must satisfy minSize <= desiredSize <= maxSize. Got: 1 <= 3 <= 2',
    );
  });
});

describe('Network', () => {
  test('refuses subnet lists that do not match the zones', () => {
    expect(
      () =>
        new Network(stack(), 'n', {
          namePrefix: 'x',
          region: 'ca-central-1',
          accountId: '111122223333',
          cidr: '10.0.0.0/16',
          availabilityZones: ['ca-central-1a', 'ca-central-1b'],
          publicSubnetCidrs: ['10.0.0.0/24'],
          privateSubnetCidrs: ['10.0.32.0/19', '10.0.64.0/19'],
          dataSubnetCidrs: ['10.0.10.0/24', '10.0.11.0/24'],
          natGateways: 'single',
          clusterName: 'c',
          flowLogRetentionDays: 14,
          logsKeyArn: 'arn',
          protect: false,
        }),
    ).toThrow("unit/n: 'publicSubnetCidrs' needs one CIDR per zone (2). Got: 1");
  });
});

describe('ChartRelease', () => {
  test('pins the chart, serializes the values once, installs atomically', () => {
    const s = new TerraformStack(Testing.app(), 'h');
    new ChartRelease(s, 'r', { name: 'm', namespace: 'ns', chart: CHARTS.metricsServer, values: { replicas: 2 } });
    const release = resources(json(s), 'helm_release')[0];
    expect(release).toMatchObject({
      chart: 'metrics-server',
      repository: 'https://kubernetes-sigs.github.io/metrics-server/',
      version: '3.13.1',
      values: ['{"replicas":2}'],
      atomic: true,
    });
  });

  test.each([
    ['a version range', { ...CHARTS.metricsServer, version: '^3.13.0' }, /must pin an exact version. Got: \^3\.13\.0/],
    ['a plain-http repository', { ...CHARTS.metricsServer, repository: 'http://charts.example.com' }, /must be https:\/\/ or oci:\/\/\. Got: http:/],
  ])('refuses %s', (_t, chart, message) => {
    expect(() => new ChartRelease(new TerraformStack(Testing.app(), 'h'), 'r', { name: 'm', namespace: 'n', chart, values: {} })).toThrow(message);
  });
});
