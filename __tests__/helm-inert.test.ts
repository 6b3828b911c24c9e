/**
 * Every value the program sets on a helm_release changes the rendered output (scripts/helm/inert.ts),
 * except the reasoned entries of scripts/helm/inert-allowlist.ts, which must still be inert.
 */
import { binaries } from '../scripts/helm/binaries';
import { inertValues, mayVary, restoredText, searchable } from '../scripts/helm/inert';
import { INERT_ALLOWLIST } from '../scripts/helm/inert-allowlist';
import { renderAll } from '../scripts/helm/suite';
import { normalized, NO_VARIANCE, render, renderDigest, textDigest, varianceBetween, withoutCrdFolders } from '../scripts/helm/render';

jest.setTimeout(900_000);

const ENVIRONMENTS = ['development', 'testing', 'staging', 'production'];

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
