/**
 * Every values path set on every helm_release of every environment exists in the pinned chart's
 * default values (../shared/charts), and every chart is pinned to an exact version from CHARTS.
 */
import { Testing } from 'cdktf';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { buildStacks } from '../stacks/app';
import { ChartRelease } from '../constructs/helm/chart-release';
import { LocalChartRelease } from '../constructs/data/local-chart-release';
import { CHARTS } from '../constructs/helm/charts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SHARED_CHARTS, VENDORED_CHARTS, chartDefaultsDir, leafPaths, pathExists, unknownValuesPaths } from '../scripts/chart-values';

const app = Testing.app();
buildStacks(app, validateEnvironments(DEFINITIONS));
const releases = app.node.findAll().filter((c): c is ChartRelease => c instanceof ChartRelease);
const localReleases = app.node.findAll().filter((c): c is LocalChartRelease => c instanceof LocalChartRelease);

describe('Helm values paths', () => {
  const pinned = new Set(Object.values(CHARTS).map((c) => `${c.repository}|${c.chart}|${c.version}`));

  test('every release sets only paths its chart has', () => {
    const problems: Record<string, string[]> = {};
    for (const r of releases) {
      const unknown = unknownValuesPaths(r.chart.valuesDir, r.values);
      if (unknown.length > 0) problems[r.node.path] = unknown;
    }
    expect(problems).toEqual({});
  });

  test('every release of a project chart (charts/) sets only keys of that chart\'s values.yaml', () => {
    expect(new Set(localReleases.map((r) => relative(join(__dirname, '..', '..'), r.chartDir))).size).toBeGreaterThanOrEqual(8);
    const problems: Record<string, string[]> = {};
    for (const r of localReleases) {
      const unknown = leafPaths(r.values).filter((p) => p.length > 0 && !pathExists(r.chartDir, p)).map((p) => p.join('.'));
      if (unknown.length > 0) problems[r.node.path] = unknown;
    }
    expect(problems).toEqual({});
    // The check bites: a misspelled key of a project chart is reported.
    const chroma = localReleases.find((r) => r.chartDir.endsWith(join('charts', 'chroma')))!;
    expect(pathExists(chroma.chartDir, ['image', 'tag'])).toBe(true);
    expect(pathExists(chroma.chartDir, ['image', 'tagg'])).toBe(false);
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

describe('vendored chart defaults (charts/upstream-defaults)', () => {
  const files = (dir: string, base = dir): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name), base) : e.name === 'README.md' ? [] : [relative(base, join(dir, e.name))],
    );

  test('every chart a release uses is vendored', () => {
    const vendored = new Set(readdirSync(VENDORED_CHARTS));
    const missing = [...new Set(releases.map((r) => r.chart.valuesDir))].filter((d) => !vendored.has(d));
    expect(missing).toEqual([]);
  });

  (existsSync(SHARED_CHARTS) ? test : test.skip)('every vendored file is identical to ../shared/charts', () => {
    const differing = files(VENDORED_CHARTS).filter(
      (f) => !existsSync(join(SHARED_CHARTS, f)) || !readFileSync(join(SHARED_CHARTS, f)).equals(readFileSync(join(VENDORED_CHARTS, f))),
    );
    expect(differing).toEqual([]);
  });

  test('the checker reads the vendored copy when no other source is set', () => {
    expect(chartDefaultsDir({ CHART_DEFAULTS_DIR: VENDORED_CHARTS })).toBe(VENDORED_CHARTS);
  });
});
