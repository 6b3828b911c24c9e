/**
 * Values that change nothing. A value the program sets is inert when rendering the release
 * without it gives exactly the same output: the chart ignores it (velero 12.1.0 and `kubectl.*`)
 * or it restates what the chart would do anyway. Rendering once per value is too slow for a test
 * suite, so the search is in two steps:
 *
 * 1. one marker render: every string and integer value that differs from the chart's default gets
 *    a unique marker (`...zqm12q`, `86420012`); a marker found in the output (or in a base64 value
 *    of it, decoded: Secret data) proves its value is used.
 *    A render the markers break (a chart validating an enum) is marked again without the values its
 *    error names, or else split in halves, until it passes.
 * 2. only the values still unproven (booleans, values transformed by the chart, markers lost in a
 *    branch) are rendered once each without the value, and compared with the baseline (by the
 *    SHA-256 of the output: renderDigest keeps no text).
 *
 * Every render of the search leaves out the chart's crds/ folders (not templated, so no value can
 * change them).
 *
 * Values equal to the chart's own default are pins (they keep behaviour stable across chart
 * upgrades) and are not searched: by construction, removing them changes nothing.
 */
import { load } from 'js-yaml';
import { Binaries } from './binaries';
import { ChartSource } from './chart-packages';
import { render, renderDigest, RenderRequest, textDigest, withoutCrdFolders } from './render';
import { Json, mergeValues } from './terraform-values';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf paths of a values tree; arrays and empty maps are leaves. */
export function leaves(values: unknown, prefix: string[] = []): string[][] {
  if (!isObject(values) || (Object.keys(values).length === 0 && prefix.length > 0)) return [prefix];
  return Object.entries(values).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}

function at(values: unknown, path: readonly string[]): unknown {
  let node = values;
  for (const k of path) node = isObject(node) ? node[k] : undefined;
  return node;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function setAt(values: Json, path: readonly string[], value: unknown): Json {
  const copy: Json = structuredClone(values);
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  if (value === undefined) delete node[path[path.length - 1]];
  else node[path[path.length - 1]] = value;
  return copy;
}

/** The chart's default values, sub-charts' defaults merged under their keys (as Helm does). */
export function chartDefaults(chart: ChartSource): Json {
  const read = (name: string): Json => {
    const file = chart.files.get(name);
    const parsed = file ? load(file.toString('utf8')) : undefined;
    return isObject(parsed) ? parsed : {};
  };
  let values = read('values.yaml');
  for (const name of chart.files.keys()) {
    const m = /^charts\/([^/]+)\/values\.yaml$/.exec(name);
    if (m) values = mergeValues({ [m[1]]: read(name) }, values);
  }
  return values;
}

const MARK = (i: number) => `zqm${i}q`;
const NUMBER_MARK = (i: number) => 86420000 + i;

function marked(value: unknown, i: number): unknown {
  if (typeof value === 'string') return `${value}${MARK(i)}`;
  if (typeof value === 'number' && Number.isInteger(value)) return NUMBER_MARK(i);
  if (Array.isArray(value)) return value.map((v) => marked(v, i));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, marked(v, i)]));
  return value;
}

function markable(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isInteger(value);
  if (Array.isArray(value)) return value.some(markable);
  if (isObject(value)) return Object.values(value).some(markable);
  return false;
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The render's text with every base64 value in it decoded and appended: a Secret carries its data
 * base64-encoded (kube-prometheus-stack's Alertmanager configuration and additional scrape
 * configurations), so a marker that reached it is only visible decoded. A decoded value that is not
 * valid UTF-8 text (a certificate, a compressed blob) is left out.
 */
export function searchable(text: string): string {
  const decoded: string[] = [];
  for (const m of text.matchAll(/(?<=[\s:"'])[A-Za-z0-9+/]{16,}={0,2}(?=["'\s]|$)/g)) {
    if (m[0].length % 4 !== 0) continue;
    const bytes = Buffer.from(m[0], 'base64');
    const value = UTF8.decode(bytes);
    if (!value.includes('\uFFFD')) decoded.push(value);
  }
  return decoded.length === 0 ? text : `${text}\n${decoded.join('\n')}`;
}

function seen(text: string, i: number): boolean {
  return text.includes(MARK(i)) || new RegExp(`(^|[^0-9])${NUMBER_MARK(i)}([^0-9]|$)`).test(text);
}

export interface InertSearch {
  /** Paths (dot-joined) whose removal changes nothing. */
  readonly inert: string[];
  /** How many values were searched, proven by a marker, and rendered one by one. */
  readonly stats: { readonly searched: number; readonly byMarker: number; readonly byRemoval: number };
}

/** The inert values of one release (empty when its baseline render fails: that is reported elsewhere). */
export async function inertValues(bin: Binaries, release: RenderRequest): Promise<InertSearch> {
  // The chart's crds/ folders are copied into the output as they are (Helm never templates them):
  // no value can change them, so the search renders without them (megabytes less per render).
  const request: RenderRequest = { ...release, includeCrds: false };
  // The baseline is the release's own render (the render tests' and the cached one) without its
  // crds/ documents: the same text as a render without them, so no extra helm run.
  const full = await render(bin, release);
  if (!full.ok) return { inert: [], stats: { searched: 0, byMarker: 0, byRemoval: 0 } };
  const baseline = { ok: true, digest: textDigest(withoutCrdFolders(full.text)) };
  const defaults = chartDefaults(request.chart);
  const candidates = leaves(request.values).filter((p) => p.length > 0 && !deepEqual(at(request.values, p), at(defaults, p)));
  const proven = new Set<number>();

  const markPass = async (indexes: number[]): Promise<void> => {
    if (indexes.length === 0) return;
    let values = request.values;
    for (const i of indexes) values = setAt(values, candidates[i], marked(at(request.values, candidates[i]), i));
    const result = await render(bin, { ...request, values });
    if (result.ok) {
      const text = searchable(result.text);
      for (const i of indexes) if (seen(text, i)) proven.add(i);
    } else if (indexes.length > 1) {
      // A chart that refuses a marked value often names it ("unsupported driver kind:
      // \"modern_ebpfzqm0q\""): those values are left to the removal renders and the others marked
      // again at once, instead of halving (about ten renders for one refused value of falco's 33).
      const named = indexes.filter((i) => seen(result.error, i));
      if (named.length > 0 && named.length < indexes.length) return markPass(indexes.filter((i) => !named.includes(i)));
      const half = Math.ceil(indexes.length / 2);
      await Promise.all([markPass(indexes.slice(0, half)), markPass(indexes.slice(half))]);
    }
  };
  await markPass(candidates.map((_, i) => i).filter((i) => markable(at(request.values, candidates[i]))));

  const rest = candidates.map((_, i) => i).filter((i) => !proven.has(i));
  const inert = (
    await Promise.all(
      rest.map(async (i) => {
        const result = await renderDigest(bin, { ...request, values: setAt(request.values, candidates[i], undefined) });
        return result.ok && result.digest === baseline.digest ? candidates[i].join('.') : undefined;
      }),
    )
  ).filter((p): p is string => p !== undefined);
  return { inert, stats: { searched: candidates.length, byMarker: proven.size, byRemoval: rest.length } };
}
