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
import { Json, definition, resources, stacksFor, synth, shipped } from './helpers';
import { DEFINITIONS, DefinitionError, validateEnvironments } from '../environments';
import { isStateHoldingResource, STATE_HOLDING_NAMESPACES } from '../constructs/policy/state-holding';
import { evaluate } from '../constructs/policy/engine';
import { stateProtection } from '../constructs/policy/rules/state-protection';
import { policyReportOf } from '../constructs/policy/aspect';

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
    const json = shipped(name)[which];
    expect(formatFindings(which === 'cloud' ? name : `${name}-platform`, findUnprotected(json))).toEqual([]);
  });

  test('the walk really covers state: production has protected buckets, keys, a cluster and log groups', () => {
    const json = shipped('production').cloud;
    for (const type of ['aws_s3_bucket', 'aws_kms_key', 'aws_eks_cluster', 'aws_cloudwatch_log_group']) {
      const found = resources(json, type);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((r) => r.lifecycle?.prevent_destroy === true)).toBe(true);
    }
  });

  test('the default storage class of the platform retains its volumes', () => {
    const json = shipped('production').platform;
    const defaults = resources(json, 'kubernetes_storage_class_v1').filter(
      (c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    );
    expect(defaults.map((c) => c.reclaim_policy)).toEqual(['Retain']);
  });

  test('development may be destroyed (protectState false): the walker reports its buckets', () => {
    const findings = findUnprotected(shipped('development').cloud);
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
    const kept = { prevent_destroy: true };
    json.resource.helm_release = {
      db: { lifecycle: kept, values: [JSON.stringify({ persistence: { storageClass: 'gp3-encrypted' } })] },
      ok: { lifecycle: kept, values: [JSON.stringify({ primary: { persistence: { storageClassName: 'gp3-encrypted-retain' } } })] },
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

/** The data-owning releases (by release name) and the namespaces that hold data (BAK-4, issue 9). */
const DATA_RELEASE_NAMES = ['postgres', 'mongodb', 'vault', 'chroma', 'elasticsearch', 'kube-prometheus-stack'];
const DATA_NAMESPACE_NAMES = ['data', 'vault', 'vector', 'logging'];

/** Every environment whose definition protects state (decided by protectState, as prevent_destroy is). */
const protectedEnvs = validateEnvironments(DEFINITIONS)
  .filter((e) => e.protectState)
  .map((e) => e.name);
const unprotectedEnvs = validateEnvironments(DEFINITIONS)
  .filter((e) => !e.protectState)
  .map((e) => e.name);

const byName = (json: Json, type: string, name: string): Json[] =>
  resources(json, type).filter((r) => (type === 'helm_release' ? r.name : r.metadata?.name) === name);

describe('data-owning releases and data namespaces cannot be destroyed by accident', () => {
  test('the registry has environments that protect state', () => {
    expect(protectedEnvs.length).toBeGreaterThan(0);
  });

  test.each(protectedEnvs)('%s-platform: every data-owning release and data namespace is classified and has prevent_destroy', (name) => {
    const json = shipped(name).platform;
    for (const [type, names] of [
      ['helm_release', DATA_RELEASE_NAMES],
      ['kubernetes_namespace_v1', DATA_NAMESPACE_NAMES],
    ] as const) {
      for (const n of names) {
        const found = byName(json, type, n);
        expect([type, n, found.length]).toEqual([type, n, 1]);
        const { __name, ...config } = found[0];
        expect([type, n, isStateHoldingResource(type, config)]).toEqual([type, n, true]);
        expect([type, n, found[0].lifecycle?.prevent_destroy]).toEqual([type, n, true]);
      }
    }
  });

  test.each(protectedEnvs)('%s-platform: removing prevent_destroy from any one of them is reported by the walker', (name) => {
    const original = shipped(name).platform;
    expect(findUnprotected(original)).toEqual([]);
    for (const [type, names] of [
      ['helm_release', DATA_RELEASE_NAMES],
      ['kubernetes_namespace_v1', DATA_NAMESPACE_NAMES],
    ] as const) {
      for (const n of names) {
        const json = JSON.parse(JSON.stringify(original));
        const [target] = byName(json, type, n);
        delete json.resource[type][target.__name].lifecycle;
        expect(findUnprotected(json).map((f) => f.address)).toEqual([`${type}.${target.__name}`]);
      }
    }
  });

  test.each(protectedEnvs)('%s-platform: TAI-DATA-1 flags a data release or namespace without prevent_destroy', (name) => {
    const json = JSON.parse(JSON.stringify(shipped(name).platform));
    const [release] = byName(json, 'helm_release', 'postgres');
    const [namespace] = byName(json, 'kubernetes_namespace_v1', 'vector');
    delete json.resource.helm_release[release.__name].lifecycle;
    delete json.resource.kubernetes_namespace_v1[namespace.__name].lifecycle;
    const report = evaluate(json, { stack: `${name}-platform`, tier: 'production', rules: [stateProtection] });
    expect(report.findings.map((f) => f.address).sort()).toEqual(
      [`helm_release.${release.__name}`, `kubernetes_namespace_v1.${namespace.__name}`].sort(),
    );
  });

  test('the classification takes every release that puts data on a volume, and no other', () => {
    const json = shipped(protectedEnvs[0]).platform;
    const owning = resources(json, 'helm_release')
      .filter(({ __name, ...config }) => isStateHoldingResource('helm_release', config))
      .map((r) => r.name)
      .sort();
    expect(owning).toEqual([...DATA_RELEASE_NAMES].sort());
    expect(STATE_HOLDING_NAMESPACES).toEqual(expect.arrayContaining(DATA_NAMESPACE_NAMES));
  });

  test.each(unprotectedEnvs)('%s (protectState false) may be destroyed: no release or namespace is protected', (name) => {
    const json = shipped(name).platform;
    for (const type of ['helm_release', 'kubernetes_namespace_v1']) {
      expect(resources(json, type).filter((r) => r.lifecycle?.prevent_destroy)).toEqual([]);
    }
  });
});

describe('replacing data on purpose (definition unprotect, README "Replacing data on purpose")', () => {
  const reason = 'restore PostgreSQL to 2026-11-28T10:00Z after a bad migration, ticket OPS-123';
  const name = protectedEnvs[0];

  test('a listed release loses prevent_destroy only for itself, with a TAI-DATA-1 suppression carrying the reason', () => {
    const stacks = stacksFor(name, (d) => (d.unprotect = [{ kind: 'release', name: 'postgres', reason }]));
    const json = synth(stacks.platform);
    const [postgres] = byName(json, 'helm_release', 'postgres');
    expect(postgres.lifecycle?.prevent_destroy).toBeUndefined();
    expect(byName(json, 'helm_release', 'mongodb')[0].lifecycle?.prevent_destroy).toBe(true);
    // The walker accepts it only when told (the CLI passes the definition's unprotect list).
    expect(findUnprotected(json).map((f) => f.address)).toEqual([`helm_release.${postgres.__name}`]);
    expect(findUnprotected(json, [{ kind: 'release', name: 'postgres' }])).toEqual([]);
    const report = policyReportOf(stacks.platform)!;
    expect(report.findings.filter((f) => f.ruleId === 'TAI-DATA-1')).toEqual([]);
    expect(report.suppressed.filter((f) => f.ruleId === 'TAI-DATA-1').map((f) => [f.address, f.suppression.reason])).toEqual([
      [`helm_release.${postgres.__name}`, `replaced on purpose (definition unprotect): ${reason}`],
    ]);
  });

  test('bad unprotect entries are refused with the field and the rule', () => {
    const problems = (mutate: (d: any) => void, env = name) => {
      try {
        validateEnvironments([definition(env, mutate)]);
        return [];
      } catch (e) {
        return [...(e as DefinitionError).problems];
      }
    };
    expect(problems((d) => (d.unprotect = [{ kind: 'release', name: 'postgres', reason: 'x' }]))).toEqual([
      `${name}.unprotect.0.reason: say why (20+ characters): the restore, its ticket`,
    ]);
    expect(problems((d) => (d.unprotect = [{ kind: 'release', name: 'falco', reason }]))[0]).toMatch(new RegExp(`^${name}\\.unprotect\\.0\\.name: `));
    expect(problems((d) => (d.unprotect = [{ kind: 'release', name: 'postgres', reason }, { kind: 'release', name: 'postgres', reason }]))).toEqual([
      `${name}.unprotect.1: release/postgres is listed twice`,
    ]);
    if (unprotectedEnvs.length > 0) {
      const dev = unprotectedEnvs[0];
      expect(problems((d) => (d.unprotect = [{ kind: 'namespace', name: 'data', reason }]), dev)).toEqual([
        `${dev}.unprotect: lifts prevent_destroy, which is only set where protectState is true: remove it`,
      ]);
    }
  });
});
