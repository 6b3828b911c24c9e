/**
 * BAK-4: nothing stateful in staging or production can be destroyed by an ordinary apply. Walks
 * every resource of the synthesized staging and production stacks (cloud and platform) with the
 * data-safety walker (scripts/data-safety.ts), and shows the walker catches what it should.
 */
import { Testing, TerraformStack } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { PersistentVolumeClaimV1 } from '@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1';
import { protectFromDestroy } from '../constructs/common/protection';
import { StorageClasses } from '../constructs/kubernetes/storage-classes';
import { findUnprotected, formatFindings, isStateHolding } from '../scripts/data-safety';
import { Json, definition, resources, stacksFor, synth } from './helpers';
import { DefinitionError, validateEnvironments } from '../environments';

function synthOf(build: (stack: TerraformStack) => void): Json {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'synthetic');
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

describe('staging and production protect every state-holding resource', () => {
  test.each([
    ['production', 'cloud'],
    ['production', 'platform'],
    ['staging', 'cloud'],
    ['staging', 'platform'],
  ] as const)('%s %s stack: no unprotected state', (name, which) => {
    const stack = stacksFor(name)[which];
    const json = synth(stack);
    expect(formatFindings(stack.node.id, findUnprotected(json))).toEqual([]);
  });

  test('the walk really covers state: production has protected buckets, keys, a cluster and log groups', () => {
    const json = synth(stacksFor('production').cloud);
    for (const type of ['aws_s3_bucket', 'aws_kms_key', 'aws_eks_cluster', 'aws_cloudwatch_log_group']) {
      const found = resources(json, type);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((r) => r.lifecycle?.prevent_destroy === true)).toBe(true);
    }
  });

  test('the default storage class of the platform retains its volumes', () => {
    const json = synth(stacksFor('production').platform);
    const defaults = resources(json, 'kubernetes_storage_class_v1').filter(
      (c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    );
    expect(defaults.map((c) => c.reclaim_policy)).toEqual(['Retain']);
  });

  test('development may be destroyed (protectState false): the walker reports its buckets', () => {
    const findings = findUnprotected(synth(stacksFor('development').cloud));
    expect(findings.map((f) => f.address)).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket\.backups_bucket_/)]));
  });
});

describe('the walker flags what is unprotected', () => {
  test('a definition that turns protection off is refused for staging and production', () => {
    for (const name of ['staging', 'production']) {
      expect(() => validateEnvironments([definition(name, (d) => (d.protectState = false))])).toThrow(DefinitionError);
      try {
        validateEnvironments([definition(name, (d) => (d.protectState = false))]);
      } catch (e) {
        expect((e as DefinitionError).problems).toContain(`${name}.protectState: ${name} must protect state-holding resources from destroy (BAK-4): set true`);
      }
    }
  });

  test('a synthetic stack with an unprotected bucket and key is reported; protecting them clears it', () => {
    const json = synthOf((stack) => {
      new AwsProvider(stack, 'aws', { region: 'ca-central-1' });
      new S3Bucket(stack, 'forgotten', { bucket: 'forgotten-bucket' });
      new KmsKey(stack, 'forgotten-key', { description: 'x' });
      protectFromDestroy(new S3Bucket(stack, 'kept', { bucket: 'kept-bucket' }), true);
    });
    const findings = findUnprotected(json);
    expect(findings.map((f) => f.address).sort()).toEqual([
      expect.stringMatching(/^aws_kms_key\.forgotten-key/),
      expect.stringMatching(/^aws_s3_bucket\.forgotten/),
    ]);
    expect(findings[0].problem).toMatch(/without lifecycle.prevent_destroy/);
    expect(formatFindings('synthetic', findings)[0]).toMatch(/^synthetic: aws_kms_key\.forgotten-key\S*( \(.*\))?: state-holding resource without lifecycle\.prevent_destroy/);
  });

  test('a database without deletion protection is reported even with prevent_destroy', () => {
    const json = {
      resource: {
        aws_db_instance: { db: { lifecycle: { prevent_destroy: true }, deletion_protection: false } },
        aws_db_subnet_group: { subnets: {} },
      },
    };
    expect(findUnprotected(json)).toEqual([{ address: 'aws_db_instance.db', path: undefined, problem: 'deletion_protection is not true' }]);
  });

  test('a Delete default storage class, and data put on a Delete class, are reported', () => {
    const json = synthOf((stack) => {
      new KubernetesProvider(stack, 'k8s', {});
      new StorageClassV1(stack, 'scratch', {
        metadata: { name: 'scratch', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        storageProvisioner: 'ebs.csi.aws.com',
        reclaimPolicy: 'Delete',
      });
      const claim = new PersistentVolumeClaimV1(stack, 'data', {
        metadata: { name: 'data', namespace: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'scratch', resources: { requests: { storage: '1Gi' } } },
      });
      protectFromDestroy(claim, true);
    });
    const problems = findUnprotected(json).map((f) => f.problem);
    expect(problems).toEqual(
      expect.arrayContaining([
        'default storage class scratch has reclaim_policy Delete; claims that name no class would lose their volume: set Retain',
        'no storage class with reclaim_policy Retain for stateful data',
        'claim on storage class scratch, whose reclaim policy deletes the volume',
      ]),
    );
  });

  test('helm values naming the Delete storage class are reported; the Retain class is fine', () => {
    const json = synthOf((stack) => {
      new KubernetesProvider(stack, 'k8s', {});
      new StorageClasses(stack, 'classes', { volumesKeyArn: 'arn:aws:kms:ca-central-1:1:key/k' });
    });
    json.resource.helm_release = {
      db: { values: [JSON.stringify({ persistence: { storageClass: 'gp3-encrypted' } })] },
      ok: { values: [JSON.stringify({ primary: { persistence: { storageClassName: 'gp3-encrypted-retain' } } })] },
    };
    expect(findUnprotected(json)).toEqual([
      expect.objectContaining({ address: 'helm_release.db', problem: 'values put data on storage class gp3-encrypted, whose reclaim policy deletes the volume' }),
    ]);
  });

  test.each([
    ['aws_s3_bucket', true],
    ['aws_elasticache_replication_group', true],
    ['aws_elasticache_serverless_cache', true],
    ['aws_db_instance', true],
    ['aws_rds_cluster', true],
    ['aws_cloudwatch_log_group', true],
    ['kubernetes_persistent_volume_claim_v1', true],
    ['aws_db_subnet_group', false],
    ['aws_elasticache_subnet_group', false],
    ['aws_s3_bucket_policy', false],
    ['aws_iam_role', false],
  ])('%s is state-holding: %s', (type, expected) => {
    expect(isStateHolding(type)).toBe(expected);
  });
});
