/**
 * Checks Helm values against the pinned chart's defaults in ../shared/charts: every path a
 * release sets must exist in the chart's values.yaml, in a sub-chart's values.yaml (under its
 * key), in values.schema.json, as a documented commented-out key, or below a free-form default
 * (`{}` or `[]`). Helm silently ignores a misspelled path, so this is the only guard.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

/** The workplace's shared chart defaults, beside the repository (authoritative when present). */
export const SHARED_CHARTS = join(__dirname, '..', '..', '..', 'shared', 'charts');
/** The defaults vendored into the repository (charts/upstream-defaults/README.md). */
export const VENDORED_CHARTS = join(__dirname, '..', '..', 'charts', 'upstream-defaults');

/** Where chart defaults are read from: $CHART_DEFAULTS_DIR, ../shared/charts, or the vendored copy. */
export function chartDefaultsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHART_DEFAULTS_DIR) return env.CHART_DEFAULTS_DIR;
  return existsSync(SHARED_CHARTS) ? SHARED_CHARTS : VENDORED_CHARTS;
}

interface ChartDefaults {
  readonly values: unknown;
  readonly text: string;
  readonly schema: unknown;
  readonly dir: string;
}

const cache = new Map<string, ChartDefaults | undefined>();

function loadChart(dir: string): ChartDefaults | undefined {
  if (cache.has(dir)) return cache.get(dir);
  const file = join(dir, 'values.yaml');
  let result: ChartDefaults | undefined;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const schemaFile = join(dir, 'values.schema.json');
    result = {
      values: load(text) ?? {},
      text,
      schema: existsSync(schemaFile) ? JSON.parse(readFileSync(schemaFile, 'utf8')) : undefined,
      dir,
    };
  }
  cache.set(dir, result);
  return result;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf paths of a values tree; arrays and empty objects are leaves. */
export function leafPaths(values: unknown, prefix: string[] = []): string[][] {
  if (!isObject(values) || Object.keys(values).length === 0) return [prefix];
  return Object.entries(values).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

function inSchema(schema: unknown, path: string[]): boolean {
  let node = schema;
  for (const key of path) {
    if (!isObject(node)) return false;
    const props = node.properties;
    if (isObject(props) && key in props) {
      node = props[key];
      continue;
    }
    if (isObject(node.additionalProperties) || isObject(node.patternProperties)) return true;
    return false;
  }
  return true;
}

function inDefaults(values: unknown, path: string[]): 'yes' | 'no' {
  let node = values;
  for (const key of path) {
    if (!isObject(node)) return 'no';
    if (Object.keys(node).length === 0) return 'yes'; // free-form map such as podAnnotations: {}
    if (!(key in node)) return 'no';
    node = node[key];
    if (Array.isArray(node) || node === null) return 'yes'; // lists and null defaults take any shape
  }
  return 'yes';
}

function commentedOut(text: string, key: string): boolean {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*#+\\s*-?\\s*["']?${escaped}["']?\\s*:`, 'm').test(text);
}

/** Whether `path` is a values path of the chart in `dir` (recursing into sub-charts). */
export function pathExists(dir: string, path: string[]): boolean {
  const chart = loadChart(dir);
  if (!chart) return false;
  if (inDefaults(chart.values, path) === 'yes') return true;
  if (chart.schema && inSchema(chart.schema, path)) return true;
  if (path[0] === 'global') return true; // global.* is passed to every sub-chart
  const sub = join(dir, 'charts', path[0]);
  if (path.length > 1 && existsSync(join(sub, 'values.yaml')) && pathExists(sub, path.slice(1))) return true;
  // A documented but commented-out key (or block, such as `resources: {requests: ...}` followed by
  // `# limits:` / `#   memory:`): below the longest prefix that exists, every further segment
  // must appear in the file as a commented-out key.
  let present = path.length - 1;
  while (present > 0 && inDefaults(chart.values, path.slice(0, present)) !== 'yes') present--;
  return path.slice(present).every((segment) => commentedOut(chart.text, segment));
}

/**
 * Values a chart renders whole with `toYaml` into a typed field of a custom resource, whose default
 * in values.yaml shows only some of that field's keys. Each entry was read in the chart's template
 * at the pinned version; the keys below it are the custom resource's own fields.
 */
export const RENDERED_WHOLE: Readonly<Record<string, readonly string[]>> = {
  // eck-kibana 0.20.0, templates/kibana.yaml: `podTemplate: {{ toYaml . }}` (the Kibana resource's
  // PodTemplateSpec); values.yaml documents the key only as `# podTemplate:`.
  'eck-kibana': ['podTemplate'],
  // kube-prometheus-stack 88.5.3, charts/prometheus-node-exporter/templates/daemonset.yaml:
  // `securityContext: {{ toYaml .Values.containerSecurityContext }}` (a core SecurityContext).
  'kube-prometheus-stack': ['prometheus-node-exporter.containerSecurityContext'],
  // psmdb-db 1.22.2, templates/cluster.yaml: `nodeSelector`, `podSecurityContext` and
  // `containerSecurityContext` of a replica set, and the backup's `containerSecurityContext`, each
  // `{{ toYaml }}` into the PerconaServerMongoDB's typed field (a node selector map, a core
  // PodSecurityContext / SecurityContext); values.yaml documents them as `# nodeSelector: {}` etc.
  'psmdb-db': [
    'replsets.rs0.nodeSelector',
    'replsets.rs0.podSecurityContext',
    'replsets.rs0.containerSecurityContext',
    'backup.containerSecurityContext',
  ],
};

function renderedWhole(valuesDir: string, path: string[]): boolean {
  const joined = path.join('.');
  return (RENDERED_WHOLE[valuesDir] ?? []).some((p) => joined === p || joined.startsWith(`${p}.`));
}

/** The values paths of `values` that the chart in `../shared/charts/<valuesDir>` does not have. */
export function unknownValuesPaths(valuesDir: string, values: unknown): string[] {
  const root = chartDefaultsDir();
  const dir = join(root, valuesDir);
  if (!existsSync(join(dir, 'values.yaml'))) {
    return [`no default values for chart folder '${valuesDir}' in ${root}`];
  }
  return leafPaths(values)
    .filter((p) => p.length > 0 && !pathExists(dir, p) && !renderedWhole(valuesDir, p))
    .map((p) => p.join('.'));
}
