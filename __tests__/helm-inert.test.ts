/**
 * Every value the program sets on a helm_release changes the rendered output (scripts/helm/inert.ts),
 * except the reasoned entries of scripts/helm/inert-allowlist.ts, which must still be inert.
 */
import { binaries } from '../scripts/helm/binaries';
import { inertValues, mayVary, restoredText, searchable, setAt } from '../scripts/helm/inert';
import { indexTemplates, mutatesShared, selectTemplates } from '../scripts/helm/prune';
import { INERT_ALLOWLIST } from '../scripts/helm/inert-allowlist';
import { renderAll } from '../scripts/helm/suite';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ChartSource, localChart } from '../scripts/helm/chart-packages';
import { documentSet, normalized, NO_VARIANCE, render, renderBatch, renderDigest, textDigest, varianceBetween, withoutCrdFolders } from '../scripts/helm/render';
import { scratchDir } from './scratch';

jest.setTimeout(900_000);

const ENVIRONMENTS = ['development', 'testing', 'staging', 'production'];

/** Every production release with its inert-value search and its render without crds/ documents (the search's baseline). */
async function productionSearches() {
  const e = (await renderAll()).find((x) => x.env === 'production')!;
  return Promise.all(
    e.rendered.releases.map(async (release) => {
      const full = await render(binaries(), release.request);
      if (!full.ok) throw new Error(`${release.name} did not render`);
      return { release, search: await inertValues(binaries(), release.request), full: withoutCrdFolders(full.text) };
    }),
  );
}

describe.each(ENVIRONMENTS)('%s-platform values', (env) => {
  test('every value changes the render, or is allowlisted with a reason', async () => {
    const e = (await renderAll()).find((x) => x.env === env)!;
    const found = (
      await Promise.all(e.rendered.releases.map(async (r) => (await inertValues(binaries(), r.request)).inert.map((p) => `${r.name}: ${p}`)))
    ).flat();
    const allowed = INERT_ALLOWLIST.filter((a) => a.environment === '*' || a.environment === env).map((a) => `${a.release}: ${a.path}`);
    expect(found.filter((f) => !allowed.includes(f))).toEqual([]);
    expect(allowed.filter((a) => !found.includes(a))).toEqual([]);
  });
});

describe('the inert-value search', () => {
  test('finds a value the chart ignores (velero 12.1.0 has no kubectl.* values in its templates)', async () => {
    const e = (await renderAll()).find((x) => x.env === 'production')!;
    const velero = e.rendered.releases.find((r) => r.name === 'velero')!;
    const values = { ...velero.request.values, kubectl: { image: { tag: 'v1.35.0' } } };
    expect((await render(binaries(), { ...velero.request, values })).ok).toBe(true);
    expect((await inertValues(binaries(), { ...velero.request, values })).inert).toEqual(['kubectl.image.tag']);
  });
});

describe('charts whose output varies from one render to the next', () => {
  test('two renders of a generated-secrets release differ only in the generated values, which the search masks', async () => {
    const e = (await renderAll()).find((x) => x.env === 'production')!;
    const tokens = e.rendered.releases.find((r) => r.name === 'chroma-tokens')!;
    expect(mayVary(tokens.request.chart, tokens.request.values)).toBe(true);
    const a = await render(binaries(), tokens.request);
    const b = await render(binaries(), { ...tokens.request, includeCrds: false });
    if (!a.ok || !b.ok) throw new Error('chroma-tokens did not render');
    expect(a.text).not.toBe(b.text);
    const variance = varianceBetween(a.text, b.text);
    expect(variance.lines.size).toBeGreaterThan(0);
    expect(normalized(a.text, variance)).toBe(normalized(b.text, variance));
    expect(normalized(a.text, variance)).toContain('token: <varies>');
  });

  test('a value such a chart ignores is still found (compared as they are, every render differed and nothing was ever inert)', async () => {
    const e = (await renderAll()).find((x) => x.env === 'production')!;
    const tokens = e.rendered.releases.find((r) => r.name === 'chroma-tokens')!;
    const values = { ...tokens.request.values, readByNoTemplate: 'x' };
    expect((await inertValues(binaries(), { ...tokens.request, values })).inert).toEqual(['readByNoTemplate']);
  });

  test('a difference that is not a keyed value cannot be masked, and says so', () => {
    const a = '---\n# Source: c/templates/a.yaml\nkind: Secret\ndata:\n  token: abc\n';
    expect(varianceBetween(a, a)).toBe(NO_VARIANCE);
    expect([...varianceBetween(a, a.replace('abc', 'xyz')).lines]).toEqual(['c/templates/a.yaml\0  token: ']);
    expect(() => varianceBetween(a, `${a}---\n# Source: c/templates/b.yaml\nkind: X\n`)).toThrow(/differ in their documents/);
    expect(() => varianceBetween(a, a.replace('kind: Secret', '- Secret'))).toThrow(/not a keyed value/);
  });
});

describe('markers', () => {
  test('a true value and an integer printed by the chart are proven by their markers, without a render of their own', async () => {
    const e = (await renderAll()).find((x) => x.env === 'production')!;
    const autoscaler = e.rendered.releases.find((r) => r.name === 'cluster-autoscaler')!;
    const search = await inertValues(binaries(), autoscaler.request);
    // `true` inside a securityContext the chart prints with toYaml: marked as {<marker>: true}.
    expect(autoscaler.request.values).toMatchObject({ containerSecurityContext: { readOnlyRootFilesystem: true } });
    expect(search.removed).not.toContain('containerSecurityContext.readOnlyRootFilesystem');
    // `false` cannot carry a marker: it is rendered without.
    expect(search.removed).toContain('extraArgs.skip-nodes-with-local-storage');
    // A text of several lines (YAML the chart indents into its own) is marked by a comment line.
    const vault = e.rendered.releases.find((r) => r.name === 'vault')!;
    expect((await inertValues(binaries(), vault.request)).removed).not.toContain('injector.webhook.objectSelector');
    // Printed as `{{ .Values.x }}` (a float64 in Go): a marker of a million or more printed as 8.6420012e+07.
    const prometheus = e.rendered.releases.find((r) => r.name === 'kube-prometheus-stack')!;
    expect((await inertValues(binaries(), prometheus.request)).removed).not.toContain('prometheus.prometheusSpec.replicas');
  });

  test('every marker is put back in the forms a chart prints a map, a string or a number; any other form leaves the text different', () => {
    const numbers = new Map([[7, 3]]);
    expect(restoredText('securityContext:\n  readOnlyRootFilesystem:\n    zqm4q: true\n  x: 1', numbers)).toBe('securityContext:\n  readOnlyRootFilesystem: true\n  x: 1');
    expect(restoredText('{"a":{"zqm4q":true}}', numbers)).toBe('{"a":true}');
    expect(restoredText('v: "{\\"a\\":{\\"zqm4q\\":true}}"', numbers)).toBe('v: "{\\"a\\":true}"');
    expect(restoredText('--flag=map[zqm4q:true]', numbers)).toBe('--flag=true');
    expect(restoredText('image: repo:v1zqm5q\nreplicas: 864007\nport: 18640070', numbers)).toBe('image: repo:v1\nreplicas: 3\nport: 18640070');
    expect(restoredText('objectSelector:\n      matchLabels:\n        inject: "true"\n      # zqm6q\nkind: X', numbers)).toBe('objectSelector:\n      matchLabels:\n        inject: "true"\nkind: X');
    expect(restoredText('a: {zqm4q: true}', numbers)).not.toBe('a: true');
  });
});

describe('where a marker is looked for', () => {
  const secret = (data: string) => `apiVersion: v1\nkind: Secret\ndata:\n  alertmanager.yaml: ${data}\n`;

  test('inside a Secret\'s data, decoded (kube-prometheus-stack writes the Alertmanager configuration there)', () => {
    const encoded = Buffer.from('route:\n  receiver: slack-alertszqm7q\n  repeat_interval: 864003\n').toString('base64');
    expect(secret(encoded)).not.toContain('zqm7q');
    expect(searchable(secret(encoded))).toContain('receiver: slack-alertszqm7q');
    expect(searchable(secret(encoded))).toContain('864003');
  });

  test('a value that does not decode to text (a key, a certificate) adds nothing', () => {
    const binary = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 37 + 200) % 256)).toString('base64');
    expect(searchable(secret(binary))).toBe(secret(binary));
  });
});

test('the search\'s baseline, a release\'s render without its crds/ documents, is what helm prints without --include-crds', async () => {
  const e = (await renderAll()).find((x) => x.env === 'production')!;
  // Each has a crds/ folder (velero's own, the operators' own); their renders are deterministic.
  for (const name of ['velero', 'psmdb-operator', 'trivy-operator']) {
    const release = e.rendered.releases.find((r) => r.name === name)!;
    const full = await render(binaries(), release.request);
    const without = await renderDigest(binaries(), { ...release.request, includeCrds: false });
    if (!full.ok || !without.ok) throw new Error(`${name} did not render`);
    expect(withoutCrdFolders(full.text).length).toBeLessThan(full.text.length / 2);
    expect(textDigest(withoutCrdFolders(full.text))).toBe(without.digest);
  }
  // A template under templates/crds/ is a template: kept.
  const text = '---\n# Source: c/crds/a.yaml\nkind: CustomResourceDefinition\n---\n# Source: c/templates/crds/b.yaml\nkind: CustomResourceDefinition\n---\n# Source: c/charts/s/crds/d.yaml\nkind: X\n';
  expect(withoutCrdFolders(text)).toBe('---\n# Source: c/templates/crds/b.yaml\nkind: CustomResourceDefinition\n');
});

describe('pruned renders (scripts/helm/prune.ts)', () => {
  test('a call that changes a map it did not make is a mutation of shared state; one on its own map is not', () => {
    expect(mutatesShared(['$_ := set .Values "a" 1'], '')).toBe(true);
    expect(mutatesShared(['$_ := set . "a" 1'], '')).toBe(true);
    expect(mutatesShared(['$_ := merge .Values.podSecurityContext .Values.extra'], '')).toBe(true);
    expect(mutatesShared(['$all := mergeOverwrite (dict) .Values.a .Values.b'], '')).toBe(false);
    expect(mutatesShared(['$_ := set (dict "a" 1) "b" 2'], '')).toBe(false);
    const own = '{{- $d := dict "a" 1 }}{{- $_ := set $d "b" 2 }}';
    expect(mutatesShared(['$d := dict "a" 1', '$_ := set $d "b" 2'], own)).toBe(false);
    const copied = '{{- $d := .Values.a | deepCopy }}{{- $_ := set $d "b" 2 }}';
    expect(mutatesShared(['$d := .Values.a | deepCopy', '$_ := set $d "b" 2'], copied)).toBe(false);
    const aliased = '{{- $d := .Values.a }}{{- $_ := set $d "b" 2 }}';
    expect(mutatesShared(['$d := .Values.a', '$_ := set $d "b" 2'], aliased)).toBe(true);
  });

  test('a template is left out only when neither it nor what it calls mutates shared state, it calls nothing by a computed name and defines nothing', () => {
    const files = new Map(
      Object.entries({
        'Chart.yaml': 'name: c\nversion: 0.1.0\n',
        'templates/_helpers.tpl': '{{- define "c.mut" }}{{- $_ := set .Values "x" 1 }}{{- end }}\n{{- define "c.calls-mut" }}{{ include "c.mut" . }}{{- end }}\n{{- define "c.beside-mut" }}{{ .Values.delta }}{{- end }}',
        'templates/_pure.tpl': '{{- define "c.pure" }}{{ .Values.beta }}{{- end }}',
        'templates/a.yaml': 'a: {{ .Values.alpha }}',
        'templates/b.yaml': '{{- $_ := set .Values "y" 2 }}b: 1',
        'templates/c.yaml': 'c: {{ include "c.calls-mut" . }}',
        'templates/d.yaml': 'd: {{ include "c.pure" . }}',
        'templates/e.yaml': 'e: {{ include (printf "c.%s" "pure") . }}',
        // A named template beside a mutating one, in the same file, counts as mutating too.
        'templates/i.yaml': 'i: {{ include "c.beside-mut" . }}',
        'templates/f.yaml': '{{- define "c.local" }}x{{ end }}f: {{ include "c.local" . }}',
        'charts/s/templates/g.yaml': 'g: {{ .Values.alpha }}',
        'files/templates/h.yaml': 'not a template: {{ .Values.alpha }}',
      }).map(([k, v]) => [k, Buffer.from(v)]),
    );
    const index = indexTemplates({ path: '/nowhere', digest: 'x', files }, '{}');
    expect([...index.removable].sort()).toEqual(['charts/s/templates/g.yaml', 'templates/a.yaml', 'templates/d.yaml']);
    // Named directly, or only inside a named template the file calls.
    expect(selectTemplates(index, ['alpha'])).toEqual(['charts/s/templates/g.yaml', 'templates/a.yaml']);
    expect(selectTemplates(index, ['beta'])).toEqual(['templates/d.yaml']);
    expect(selectTemplates(index, ['gamma'])).toBeUndefined();
    // Values holding template code that mutates make every `tpl` a possible mutation.
    files.set('templates/t.yaml', Buffer.from('t: {{ tpl .Values.text . }}'));
    const withTpl = (values: unknown) => indexTemplates({ path: '/nowhere', digest: 'with-tpl', files }, JSON.stringify(values)).removable.has('templates/t.yaml');
    expect(withTpl({ text: '{{ .Values.name }}' })).toBe(true);
    expect(withTpl({ text: '{{ $_ := set $.Values "a" 1 }}' })).toBe(false);
  });

  test('every pruned chart that proved a value in production renders, with the release\'s values, exactly the baseline\'s documents of its templates', async () => {
    let checked = 0;
    for (const { release, search, full } of await productionSearches()) {
      for (const pruned of search.prunedCharts) {
        const own = await render(binaries(), { ...release.request, chart: pruned.chart, includeCrds: false });
        if (!own.ok) throw new Error(`${release.name}: the pruned chart ${pruned.chart.path} did not render: ${own.error}`);
        expect([release.name, documentSet(own.text, search.variance)]).toEqual([release.name, documentSet(full, search.variance, pruned.sources)]);
        checked++;
      }
    }
    // kube-prometheus-stack's and most charts' `false` values are proven this way.
    expect(checked).toBeGreaterThan(20);
  });
});

describe('batch renders (scripts/helm/render.ts renderBatch)', () => {
  /** A chart that names itself and its template, with a sub-chart its values disable (as cloudnative-pg's `cluster`). */
  async function selfNamingChart(): Promise<ChartSource> {
    const dir = join(scratchDir('batch-chart-'), 'selfnamed');
    const files: Record<string, string> = {
      'Chart.yaml': 'apiVersion: v2\nname: selfnamed\nversion: 1.2.3\ndependencies:\n  - name: extra\n    version: 0.1.0\n    condition: extra.enabled\n',
      'values.yaml': 'size: 1\nextra:\n  enabled: false\n',
      'templates/_helpers.tpl': '{{- define "selfnamed.fullname" -}}{{ if contains .Chart.Name .Release.Name }}{{ .Release.Name }}{{ else }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}{{- end -}}\n',
      'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "selfnamed.fullname" . }}\ndata:\n  size: "{{ .Values.size }}"\n  template: {{ .Template.Name }}\n  chart: {{ .Chart.Name }}-{{ .Chart.Version }}\n',
      'charts/extra/Chart.yaml': 'apiVersion: v2\nname: extra\nversion: 0.1.0\n',
      'charts/extra/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return localChart(dir);
  }

  test("each copy gives exactly its own run's documents: its chart's own name, its template's name, its sub-charts' conditions", async () => {
    const chart = await selfNamingChart();
    const request = { release: 'selfnamed', namespace: 'ns', chart, values: {}, kubeVersion: '1.35', apiVersions: [], includeCrds: false };
    const variants = [{}, { size: 2 }, { extra: { enabled: true } }];
    const alone = await Promise.all(variants.map((values) => render(binaries(), { ...request, values })));
    const batch = await renderBatch(binaries(), request, variants.map((values) => ({ chart, values })));
    if (!batch.ok) throw new Error(batch.error);
    expect(batch.digests).toEqual(alone.map((r) => (r.ok ? textDigest(documentSet(r.text, NO_VARIANCE)) : r.error)));
    // The three runs differ from each other, so equal digests are not an accident of equal output.
    expect(new Set(batch.digests).size).toBe(3);
  });

  test('in production every release that batches its values gets the baseline from the copy with its own values', async () => {
    const e = (await renderAll()).find((x) => x.env === 'production')!;
    const outcomes = await Promise.all(e.rendered.releases.map(async (r) => [r.name, (await inertValues(binaries(), r.request)).batch] as const));
    expect(outcomes.filter(([, batch]) => batch !== 'used' && batch !== 'none')).toEqual([]);
    expect(outcomes.filter(([, batch]) => batch === 'used').length).toBeGreaterThan(10);
  });

  test('every value a whole-chart copy proved in production also changes a run of its own', async () => {
    let checked = 0;
    for (const { release, search, full } of await productionSearches()) {
      const baseline = textDigest(normalized(full, search.variance));
      for (const { path } of search.provenByBatch.filter((p) => !p.pruned)) {
        const without = setAt(release.request.values, path.split('.'), undefined);
        const own = await renderDigest(binaries(), { ...release.request, values: without, includeCrds: false }, search.variance);
        expect([release.name, path, own.ok && own.digest === baseline]).toEqual([release.name, path, false]);
        checked++;
      }
    }
    // vault's, CloudNativePG's and falco's values (their helpers mutate shared values: never pruned).
    expect(checked).toBeGreaterThan(5);
  });
});
