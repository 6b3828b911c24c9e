/**
 * Every value the program sets on a helm_release changes the rendered output (scripts/helm/inert.ts),
 * except the reasoned entries of scripts/helm/inert-allowlist.ts, which must still be inert.
 */
import { binaries } from '../scripts/helm/binaries';
import { inertValues, searchable } from '../scripts/helm/inert';
import { INERT_ALLOWLIST } from '../scripts/helm/inert-allowlist';
import { renderAll } from '../scripts/helm/suite';
import { render, renderDigest, textDigest, withoutCrdFolders } from '../scripts/helm/render';

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

describe('where a marker is looked for', () => {
  const secret = (data: string) => `apiVersion: v1\nkind: Secret\ndata:\n  alertmanager.yaml: ${data}\n`;

  test('inside a Secret\'s data, decoded (kube-prometheus-stack writes the Alertmanager configuration there)', () => {
    const encoded = Buffer.from('route:\n  receiver: slack-alertszqm7q\n  repeat_interval: 86420003\n').toString('base64');
    expect(secret(encoded)).not.toContain('zqm7q');
    expect(searchable(secret(encoded))).toContain('receiver: slack-alertszqm7q');
    expect(searchable(secret(encoded))).toContain('86420003');
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
