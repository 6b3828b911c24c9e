/**
 * Every values path set on every helm_release of every environment exists in the pinned chart's
 * default values (../shared/charts), and every chart is pinned to an exact version from CHARTS.
 */
import { Testing } from 'cdktf';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { buildStacks } from '../stacks/app';
import { ChartRelease } from '../constructs/helm/chart-release';
import { CHARTS } from '../constructs/helm/charts';
import { unknownValuesPaths } from '../scripts/chart-values';

function allReleases(): ChartRelease[] {
  const app = Testing.app();
  buildStacks(app, validateEnvironments(DEFINITIONS));
  return app.node.findAll().filter((c): c is ChartRelease => c instanceof ChartRelease);
}

describe('Helm values paths', () => {
  const releases = allReleases();
  const pinned = new Set(Object.values(CHARTS).map((c) => `${c.repository}|${c.chart}|${c.version}`));

  test('every release sets only paths its chart has', () => {
    const problems: Record<string, string[]> = {};
    for (const r of releases) {
      const unknown = unknownValuesPaths(r.chart.valuesDir, r.values);
      if (unknown.length > 0) problems[r.node.path] = unknown;
    }
    expect(problems).toEqual({});
  });

  test('every release uses a chart pinned in CHARTS', () => {
    const unpinned = releases
      .filter((r) => !pinned.has(`${r.chart.repository}|${r.chart.chart}|${r.chart.version}`))
      .map((r) => r.node.path);
    expect(unpinned).toEqual([]);
  });
});

describe('the values-path checker', () => {
  test('accepts real paths, including sub-chart paths, and rejects a misspelled one', () => {
    const values = {
      prometheus: { prometheusSpec: { retention: '15d' } },
      grafana: { persistence: { enabled: true, size: '10Gi' }, persistance: { size: '10Gi' } },
      alertmanager: { alertmanagerSpec: { replicas: 2 } },
    };
    expect(unknownValuesPaths('kube-prometheus-stack', values)).toEqual(['grafana.persistance.size']);
  });

  test('treats keys below a free-form default as valid', () => {
    expect(unknownValuesPaths('vault', { server: { annotations: { 'example.com/a': 'b' } } })).toEqual([]);
  });

  test('reports a chart folder that does not exist', () => {
    expect(unknownValuesPaths('no-such-chart', { a: 1 })[0]).toMatch(/no default values/);
  });
});

describe('commented-out blocks', () => {
  test('keys documented as a commented-out block below an existing key are accepted', () => {
    expect(unknownValuesPaths('metrics-server', { resources: { limits: { memory: '400Mi' } } })).toEqual([]);
  });

  test('a misspelled key below the same parent is still rejected', () => {
    expect(unknownValuesPaths('metrics-server', { resources: { limitz: { memory: '400Mi' } } })).toEqual(['resources.limitz.memory']);
  });
});
