/**
 * Values that change nothing. A value the program sets is inert when rendering the release
 * without it gives exactly the same output: the chart ignores it (velero 12.1.0 and `kubectl.*`)
 * or it restates what the chart would do anyway. Rendering once per value is too slow for a test
 * suite, so the search is in two steps:
 *
 * 1. one marker render: every string, integer and `true` value that differs from the chart's
 *    default gets a unique marker (`...zqm12q`, `864012`, `{zqm12q: true}`); a marker found in the
 *    output (or in a base64 value of it, decoded: Secret data) proves its value is used. A `true`
 *    is proven only by a render that, markers put back, is the baseline itself (same branches).
 *    A render the markers break (a chart validating an enum, a values schema) is marked again
 *    without the values its error names, or else split in halves, until it passes.
 * 2. only the values still unproven (`false`, values transformed by the chart, markers lost in a
 *    branch) are rendered once each without the value: with only the templates that name it
 *    (prune.ts: a difference there is a difference in the full render), all of them in one helm
 *    run (render.ts renderBatch, beside a copy that must give the baseline), and where that shows
 *    none, in full and compared with the baseline (by the SHA-256 of the output: renderDigest
 *    keeps no text). Only a full render of its own finds a value inert.
 *
 * A chart with random or time functions (a generated password, certificate or token) is rendered
 * twice for its baseline, and the lines that differ are masked in every comparison: compared as
 * they were, every render of such a release differed, so none of its values could be found inert.
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
import { PrunedChart, indexTemplates, prunedChart, selectTemplates, TemplateIndex } from './prune';
import { documentSetOf, normalized, normalizedDocuments, NO_VARIANCE, render, renderBatch, renderDigest, renderDocumentSet, RenderRequest, textDigest, Variance, varianceBetween, withoutCrdFolders } from './render';
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

/** A deep copy of `values` with the value at `path` set (or, for `undefined`, removed). */
export function setAt(values: Json, path: readonly string[], value: unknown): Json {
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
/**
 * Marker numbers stay below a million: Helm's values are float64, and Go prints a float64 of a
 * million or more in exponent form (`replicas: {{ .Values.replicas }}` gave `8.6420012e+07`, where
 * the marker was not found). A marker number that the baseline already holds proves nothing.
 */
const NUMBER_MARK = (i: number) => 864000 + i;
const NUMBER_MARKS = 1000;

/**
 * The marked form of a value: a string gets the marker appended, an integer becomes the marker
 * number, and `true` becomes a one-key map `{<marker>: true}`, which every template test treats as
 * true (a non-empty map) and which prints the marker where the value is printed. A boolean's
 * marker proves it only in a render that, with every marker put back (restoredText), is the
 * baseline itself: the chart took the same branches (a `kindIs "bool"` or a schema would not).
 * `false` cannot be marked (no false value can carry a marker).
 */
function marked(value: unknown, i: number): unknown {
  // A text of several lines is often YAML the chart writes into its own (`tpl ... | nindent 6`): a
  // marker appended to its last line broke the document (vault's webhook objectSelector), so it
  // gets the marker as a comment line of its own.
  if (typeof value === 'string' && value.includes('\n')) return value.endsWith('\n') ? `${value}# ${MARK(i)}\n` : `${value}\n# ${MARK(i)}`;
  if (typeof value === 'string') return `${value}${MARK(i)}`;
  if (typeof value === 'number' && Number.isInteger(value) && i < NUMBER_MARKS) return NUMBER_MARK(i);
  if (value === true) return { [MARK(i)]: true };
  if (Array.isArray(value)) return value.map((v) => marked(v, i));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, marked(v, i)]));
  return value;
}

function markable(value: unknown, i: number): boolean {
  if (typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isInteger(value) && i < NUMBER_MARKS;
  if (value === true) return true;
  if (Array.isArray(value)) return value.some((v) => markable(v, i));
  if (isObject(value)) return Object.values(value).some((v) => markable(v, i));
  return false;
}

/**
 * A marked render with every marker put back: a `true` printed as its map (YAML block, JSON,
 * JSON inside a string, Go's `map[...]`) becomes `true` again, string markers are removed and
 * marker numbers become the values they replaced. Forms not listed stay, so the text then differs
 * from the baseline and no boolean is proven by that render.
 */
export function restoredText(text: string, numbers: ReadonlyMap<number, number>): string {
  return text
    .replace(/:\n[ ]+zqm\d+q: true(?=\n|$)/g, ': true')
    .replace(/\{"zqm\d+q":true\}/g, 'true')
    .replace(/\{\\"zqm\d+q\\":true\}/g, 'true')
    .replace(/map\[zqm\d+q:true\]/g, 'true')
    .replace(/\n[ ]*# zqm\d+q(?=\n|$)/g, '')
    .replace(/zqm\d+q/g, '')
    .replace(/(?<![0-9])864(\d{3})(?![0-9])/g, (m, i: string) => String(numbers.get(Number(i)) ?? m));
}

/**
 * Functions whose output differs from one render to the next (Sprig's random, key and time
 * functions, bcrypt and AES with their random salts): a chart whose templates or values name one
 * is rendered twice for its baseline, and what differs is masked (render.ts varianceBetween).
 */
const VARYING_FUNCTIONS =
  /\b(rand(AlphaNum|Alpha|Numeric|Ascii|Int|Bytes)|uuidv4|gen(CA|CAWithKey|PrivateKey|SelfSignedCert|SelfSignedCertWithKey|SignedCert|SignedCertWithKey)|now|unixEpoch|dateModify|ago|htpasswd|bcrypt|encryptAES|shuffle)\b/;

/**
 * Whether a chart's templates call `tpl` so often that a batch costs more than runs of their own:
 * each `tpl` call copies the run's whole template set, which in a batch holds every copy's
 * templates, so the cost grows with the square of the copies. kube-prometheus-stack (414 calls in
 * its templates) took 0.55 s of CPU alone, 0.5 s per copy in batches of 2 to 4, 0.6 s in 8 and
 * 0.9 s in 16; vault (46 calls) 0.11 s alone and 0.05 s per copy in 16.
 */
export function tplHeavy(chart: ChartSource): boolean {
  let calls = 0;
  for (const [name, data] of chart.files) if (/(^|\/)templates\//.test(name)) calls += data.toString('utf8').match(/\btpl\b/g)?.length ?? 0;
  return calls > 100;
}

/** Whether a release's templates (or its values, through `tpl`) call a function whose output varies. */
export function mayVary(chart: ChartSource, values: unknown): boolean {
  if (VARYING_FUNCTIONS.test(JSON.stringify(values))) return true;
  for (const [name, data] of chart.files) {
    if (/(^|\/)templates\//.test(name) && VARYING_FUNCTIONS.test(data.toString('utf8'))) return true;
  }
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

function seenNumber(text: string, i: number): boolean {
  return new RegExp(`(^|[^0-9])${NUMBER_MARK(i)}([^0-9]|$)`).test(text);
}

/** Whether marker i is in the text; a marker number counts only where `baseline` does not hold it. */
function seen(text: string, i: number, baseline = ''): boolean {
  return text.includes(MARK(i)) || (seenNumber(text, i) && !seenNumber(baseline, i));
}

export interface InertSearch {
  /** Paths (dot-joined) whose removal changes nothing. */
  readonly inert: string[];
  /**
   * How many values were searched, proven by a marker, rendered without (byRemoval), and of those
   * proven by the batch render or by a pruned render of their own.
   */
  readonly stats: { readonly searched: number; readonly byMarker: number; readonly byRemoval: number; readonly byBatchRender: number; readonly byPrunedRender: number };
  /** The values rendered without (dot-joined): those no marker proved. */
  readonly removed: string[];
  /**
   * The batch render: `none` (nothing to batch), `used`, `failed` (helm refused the run: every
   * value then had a render of its own), or `differs` (the copy with the release's own values did
   * not give the baseline, so the batch proved nothing).
   */
  readonly batch: 'none' | 'used' | 'failed' | 'differs';
  /** The values the batch render proved (dot-joined), each with whether its copy was a pruned chart. */
  readonly provenByBatch: ReadonlyArray<{ readonly path: string; readonly pruned: boolean }>;
  /** The pruned charts whose render (alone or in the batch) proved a value (prune.ts), each once. */
  readonly prunedCharts: PrunedChart[];
  /** The lines masked in every comparison (render.ts varianceBetween). */
  readonly variance: Variance;
}

/** The inert values of one release (empty when its baseline render fails: that is reported elsewhere). */
export async function inertValues(bin: Binaries, release: RenderRequest): Promise<InertSearch> {
  // The chart's crds/ folders are copied into the output as they are (Helm never templates them):
  // no value can change them, so the search renders without them (megabytes less per render).
  const request: RenderRequest = { ...release, includeCrds: false };
  // The baseline is the release's own render (the render tests' and the cached one) without its
  // crds/ documents: the same text as a render without them, so no extra helm run.
  const full = await render(bin, release);
  if (!full.ok) return { inert: [], stats: { searched: 0, byMarker: 0, byRemoval: 0, byBatchRender: 0, byPrunedRender: 0 }, removed: [], batch: 'none', provenByBatch: [], prunedCharts: [], variance: NO_VARIANCE };
  const baselineText = withoutCrdFolders(full.text);
  // A chart with random or time functions prints something new every time: compared as they are,
  // every removal render would differ and no value could ever be found inert. Its baseline is
  // rendered a second time (the render without crds/, another helm run than the cached full one),
  // and the lines that differ are masked in every comparison.
  let variance: Variance = NO_VARIANCE;
  if (mayVary(request.chart, request.values)) {
    const second = await render(bin, request);
    if (!second.ok) throw new Error(`${request.release}: the render without crds/ failed where the full render passed: ${second.error}`);
    variance = varianceBetween(baselineText, second.text);
  }
  const baseline = normalized(baselineText, variance);
  const baselineDigest = textDigest(baseline);
  const searchableBaseline = searchable(baselineText);
  const defaults = chartDefaults(request.chart);
  const candidates = leaves(request.values).filter((p) => p.length > 0 && !deepEqual(at(request.values, p), at(defaults, p)));
  const proven = new Set<number>();
  /** Values whose marker the chart refused by name: left to the removal renders. */
  const refusedMarks = new Set<number>();
  const isTrue = (i: number) => at(request.values, candidates[i]) === true;

  const markPass = async (indexes: number[]): Promise<void> => {
    if (indexes.length === 0) return;
    let values = request.values;
    const numbers = new Map<number, number>();
    for (const i of indexes) {
      const value = at(request.values, candidates[i]);
      if (typeof value === 'number') numbers.set(i, value);
      values = setAt(values, candidates[i], marked(value, i));
    }
    const result = await render(bin, { ...request, values });
    if (result.ok) {
      const text = searchable(result.text);
      const sameBranches = indexes.some(isTrue) && normalized(restoredText(result.text, numbers), variance) === baseline;
      for (const i of indexes) if (seen(text, i, searchableBaseline) && (sameBranches || !isTrue(i))) proven.add(i);
    } else if (indexes.length > 1) {
      // A chart that refuses a marked value often names it: by its marker ("unsupported driver
      // kind: \"modern_ebpfzqm0q\""), or a values schema by its path or one below it, as the chart
      // or a sub-chart sees it ("at '/configuration/backupStorageLocation/0/default'"). Those
      // values are left to the removal renders and the others marked again at once, instead of
      // halving (about ten renders for one refused value of falco's 33).
      const refused = [...result.error.matchAll(/at '(\/[^']*)'/g)].map((m) => m[1]);
      const under = (pointer: string) => refused.some((r) => r === pointer || r.startsWith(`${pointer}/`));
      const named = indexes.filter((i) => seen(result.error, i) || under(['', ...candidates[i]].join('/')) || (candidates[i].length > 1 && under(['', ...candidates[i].slice(1)].join('/'))));
      for (const i of named) refusedMarks.add(i);
      if (named.length > 0 && named.length < indexes.length) return markPass(indexes.filter((i) => !named.includes(i)));
      const half = Math.ceil(indexes.length / 2);
      await Promise.all([markPass(indexes.slice(0, half)), markPass(indexes.slice(half))]);
    }
  };
  await markPass(candidates.map((_, i) => i).filter((i) => markable(at(request.values, candidates[i]), i)));
  // A render that also marks strings and numbers rarely comes back as the baseline (a marker
  // inside a Secret's base64 data, a string the chart compares): where it did not, the `true`
  // values still unproven are marked alone, once, when that can save more than one render.
  const truths = candidates.map((_, i) => i).filter((i) => isTrue(i) && !proven.has(i) && !refusedMarks.has(i));
  if (truths.length > 1) await markPass(truths);

  const rest = candidates.map((_, i) => i).filter((i) => !proven.has(i));
  let index: TemplateIndex | undefined;
  let baselineDocs: ReturnType<typeof normalizedDocuments> | undefined;
  const prunedCharts = new Map<string, PrunedChart>();
  /** The chart with only the templates naming value i (prune.ts), where that leaves any out. */
  const prunedFor = (i: number): PrunedChart | undefined => {
    index ??= indexTemplates(request.chart, JSON.stringify(request.values));
    const keep = selectTemplates(index, candidates[i]);
    return keep === undefined || keep.length === index.removable.size ? undefined : prunedChart(request.chart, index, keep);
  };
  /** The digest of the baseline's documents (of a pruned chart's templates only, when given). */
  const expected = (pruned?: PrunedChart): string => {
    baselineDocs ??= normalizedDocuments(baselineText, variance);
    return textDigest(documentSetOf(baselineDocs, pruned?.sources));
  };

  // One batch render (render.ts renderBatch) of every value still unproven, each removed in a copy
  // of its own (pruned where it can be), beside a copy with the release's own values, which must
  // give the baseline: otherwise the batch proves nothing. A copy whose documents differ from the
  // baseline's proves its value; the others go on to the renders below, as does every value of a
  // batch that failed (a removal the chart refuses fails the whole run). Values under `global` (a
  // sub-chart sees its parent's globals) and null values (Helm's null handling differs between a
  // chart and a sub-chart in some versions) are not batched, nor the values of a chart that calls
  // `tpl` heavily (tplHeavy: there a batch costs more than runs of their own).
  const byBatchRender = new Map<number, boolean>();
  const triedInBatch = new Set<number>();
  const batched = tplHeavy(request.chart) ? [] : rest.filter((i) => candidates[i][0] !== 'global' && at(request.values, candidates[i]) !== null);
  let batch: InertSearch['batch'] = 'none';
  if (batched.length > 0) {
    const variants = batched.map((i) => ({ i, pruned: prunedFor(i) }));
    const copies = [
      { chart: request.chart, values: request.values },
      ...variants.map(({ i, pruned }) => ({ chart: pruned?.chart ?? request.chart, values: setAt(request.values, candidates[i], undefined) })),
    ];
    const result = await renderBatch(bin, request, copies, variance);
    batch = !result.ok ? 'failed' : result.digests[0] !== expected() ? 'differs' : 'used';
    if (result.ok && batch === 'used') {
      variants.forEach(({ i, pruned }, k) => {
        const digest = result.digests[k + 1];
        if (digest === null) return;
        triedInBatch.add(i);
        if (digest === expected(pruned)) return;
        byBatchRender.set(i, pruned !== undefined);
        if (pruned) prunedCharts.set(pruned.chart.digest, pruned);
      });
    }
  }

  /** Whether a render of only the templates naming the value shows that removing it changes them. */
  const prunedWitness = async (i: number, without: Json): Promise<boolean> => {
    const pruned = prunedFor(i);
    if (pruned === undefined) return false;
    const result = await renderDocumentSet(bin, { ...request, chart: pruned.chart, values: without }, variance);
    if (!result.ok || result.digest === expected(pruned)) return false;
    prunedCharts.set(pruned.chart.digest, pruned);
    return true;
  };
  let byPrunedRender = 0;
  const inert = (
    await Promise.all(
      rest.map(async (i) => {
        if (byBatchRender.has(i)) return undefined;
        const without = setAt(request.values, candidates[i], undefined);
        // A pruned copy already rendered in the batch is not rendered again alone.
        if (!triedInBatch.has(i) && (await prunedWitness(i, without))) {
          byPrunedRender++;
          return undefined;
        }
        const result = await renderDigest(bin, { ...request, values: without }, variance);
        return result.ok && result.digest === baselineDigest ? candidates[i].join('.') : undefined;
      }),
    )
  ).filter((p): p is string => p !== undefined);
  return {
    inert,
    stats: { searched: candidates.length, byMarker: proven.size, byRemoval: rest.length, byBatchRender: byBatchRender.size, byPrunedRender },
    removed: rest.map((i) => candidates[i].join('.')),
    batch,
    provenByBatch: [...byBatchRender].map(([i, pruned]) => ({ path: candidates[i].join('.'), pruned })),
    prunedCharts: [...prunedCharts.values()],
    variance,
  };
}
