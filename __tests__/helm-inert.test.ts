/**
 * Every value the program sets on a helm_release changes the rendered output (scripts/helm/inert.ts),
 * except the reasoned entries of scripts/helm/inert-allowlist.ts, which must still be inert.
 */
import { binaries } from '../scripts/helm/binaries';
import { inertValues } from '../scripts/helm/inert';
import { INERT_ALLOWLIST } from '../scripts/helm/inert-allowlist';
import { renderAll } from '../scripts/helm/suite';
import { render } from '../scripts/helm/render';

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
