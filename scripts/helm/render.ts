/**
 * `helm template` with a process pool (one process per core) and a content-addressed cache: a render is keyed by the
 * chart's digest (not its path), the values, the flags and the helm build, and kept in
 * node_modules/.cache/helm-render/renders/, so an unchanged release is never rendered twice; the
 * parsed objects of a render are kept beside it (parsed/, keyed by the render's text). Entries
 * unused for three days are swept (sweepCache), at most twice a day.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { Binaries, CACHE_DIR, LAYER_VERSION } from './binaries';
import { ChartSource, sha256 } from './chart-packages';
import { chartMetadata } from './prune';
import { Json, SetFlag } from './terraform-values';

export interface RenderRequest {
  readonly release: string;
  readonly namespace: string;
  readonly chart: ChartSource;
  readonly values: Json;
  readonly sets?: readonly SetFlag[];
  /** e.g. `1.35` */
  readonly kubeVersion: string;
  /** Extra API versions (`group/version` and `group/version/Kind`) beyond the built-in ones. */
  readonly apiVersions: readonly string[];
  readonly includeCrds: boolean;
}

/** One rendered object and the template it came from. */
export interface RenderedObject {
  readonly source: string;
  readonly object: Json;
}

export type RenderResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/** The environment helm runs in: its own cache and config under the repository's cache dir. */
export function helmEnv(): NodeJS.ProcessEnv {
  const home = join(CACHE_DIR, 'helm-home');
  return {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    HTTPS_PROXY: process.env.HTTPS_PROXY,
    HTTP_PROXY: process.env.HTTP_PROXY,
    NO_PROXY: process.env.NO_PROXY,
    // One render lives a fraction of a second: Go's garbage collector only costs it time (about a
    // fifth of helm's CPU per render, measured on kube-prometheus-stack and falco); the largest
    // render peaks near 200 MB without it.
    GOGC: 'off',
  };
}

// As many helm processes at once as there are cores, in each process that renders: jest's two
// workers each ran at most half before, so the inert-value search, when it ran alone at the end of
// a run, used one core of two for minutes. Two workers rendering at once oversubscribe the cores
// by two processes, which costs little (a render is CPU-bound and lives a fraction of a second).
const limit = Math.max(1, cpus().length);
let active = 0;
const queue: Array<() => void> = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= limit) await new Promise<void>((r) => queue.push(r));
  active++;
  try {
    return await fn();
  } finally {
    active--;
    queue.shift()?.();
  }
}

/** What a run of helm gave: its output (or only the output's SHA-256, see renderDigest), or its error. */
type ExecResult = { readonly ok: true; readonly text: string } | { readonly ok: true; readonly digest: string } | { readonly ok: false; readonly error: string };

function exec(binary: string, args: string[], stdin: string, digestOnly: boolean): Promise<ExecResult> {
  return slot(
    () =>
      new Promise((resolve) => {
        const child = spawn(binary, args, { env: helmEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const hash = createHash('sha256');
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => (digestOnly ? hash.update(d) : out.push(d)));
        child.stderr.on('data', (d) => err.push(d));
        child.on('error', (e) => resolve({ ok: false, error: e.message }));
        child.on('close', (code) => {
          if (code !== 0) resolve({ ok: false, error: Buffer.concat(err).toString('utf8').trim() });
          else if (digestOnly) resolve({ ok: true, digest: hash.digest('hex') });
          else resolve({ ok: true, text: Buffer.concat(out).toString('utf8') });
        });
        child.stdin.end(stdin);
      }),
  );
}

export function templateArgs(req: RenderRequest): string[] {
  const args = ['template', req.release, req.chart.path, '--namespace', req.namespace, '--kube-version', req.kubeVersion, '--skip-tests', '-f', '-'];
  if (req.includeCrds) args.push('--include-crds');
  for (const v of [...req.apiVersions].sort()) args.push('--api-versions', v);
  for (const s of req.sets ?? []) args.push(s.flag, `${s.name}=${s.value}`);
  return args;
}

const memo = new Map<string, Promise<RenderResult>>();
const digestMemo = new Map<string, Promise<RenderDigest>>();
const docsetMemo = new Map<string, Promise<RenderDigest>>();
const batchMemo = new Map<string, Promise<BatchDigests>>();

/**
 * The cache key of a render: the helm build, the chart's content digest, every flag and the values.
 * The chart is named by its digest only, not by its path: the program's own charts are read from
 * each synth's (temporary) output folder, and keyed by path they were rendered again by every test
 * file and every run.
 */
export function renderKey(req: RenderRequest): string {
  const [, release, , ...flags] = templateArgs(req);
  return sha256(JSON.stringify([LAYER_VERSION, req.chart.digest, release, flags, JSON.stringify(req.values)]));
}

/** Cache entries not used for this long are removed (a use touches the entry). */
export const CACHE_UNUSED_MS = 3 * 24 * 3600 * 1000;
/** The cache is swept at most this often (a marker file's age says when it last was). */
export const CACHE_SWEEP_EVERY_MS = 12 * 3600 * 1000;

/**
 * Removes the renders, parses and pruned charts of `dir` not used for CACHE_UNUSED_MS, at most once every
 * CACHE_SWEEP_EVERY_MS (the marker `.swept`): a render's key changes with every change to a
 * chart, its values or helm, so without a sweep the cache only grows (gigabytes in a week of work).
 * Returns how many entries were removed.
 */
export function sweepCache(dir: string = CACHE_DIR, now: number = Date.now()): number {
  const marker = join(dir, '.swept');
  if (existsSync(marker) && now - statSync(marker).mtimeMs < CACHE_SWEEP_EVERY_MS) return 0;
  const list = (folder: string) => (existsSync(folder) ? readdirSync(folder).map((name) => join(folder, name)) : []);
  // Each entry: a file under <kind>/<prefix>/, or a pruned chart's folder (prune.ts), touched when used.
  const entries = [...['renders', 'digests', 'docsets', 'batches', 'parsed'].flatMap((kind) => list(join(dir, kind)).flatMap(list)), ...list(join(dir, 'pruned'))];
  let removed = 0;
  for (const entry of entries) {
    try {
      if (now - statSync(entry).mtimeMs > CACHE_UNUSED_MS) {
        rmSync(entry, { recursive: true, force: true });
        removed++;
      }
    } catch {
      // removed meanwhile by another worker's sweep
    }
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(marker, '');
  utimesSync(marker, new Date(now), new Date(now));
  return removed;
}

/** Marks a cache entry as used now, so the sweep keeps it. */
function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // swept meanwhile: it is written again next time
  }
}

let swept = false;

/** A cached helm run: the result of `run` kept on disk under `kind/<key>.json` and in memory. */
function cached<T>(memoOf: Map<string, Promise<T>>, kind: string, key: string, run: () => Promise<T>): Promise<T> {
  if (!swept) {
    swept = true;
    sweepCache();
  }
  if (!memoOf.has(key)) {
    memoOf.set(
      key,
      (async () => {
        const dir = join(CACHE_DIR, kind, key.slice(0, 2));
        const file = join(dir, `${key}.json`);
        if (existsSync(file)) {
          touch(file);
          return JSON.parse(readFileSync(file, 'utf8')) as T;
        }
        const result = await run();
        mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(result));
        renameSync(tmp, file);
        return result;
      })(),
    );
  }
  return memoOf.get(key)!;
}

/** Renders one release (cached on disk and in memory). */
export function render(bin: Binaries, req: RenderRequest): Promise<RenderResult> {
  return cached(memo, 'renders', renderKey(req), async () => (await exec(bin.helm, templateArgs(req), JSON.stringify(req.values), false)) as RenderResult);
}

/** The SHA-256 of a render's output, or its error: what a comparison needs, without keeping the output. */
export type RenderDigest = { readonly ok: true; readonly digest: string } | { readonly ok: false; readonly error: string };

/** The SHA-256 of the text `render` gives for the same request. */
export function textDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The text of a render without the documents of the charts' crds/ folders: what the same render
 * without `--include-crds` prints. Helm prints each file of a crds/ folder (the chart's and its
 * sub-charts', `<chart>/crds/<file>` or `<chart>/charts/<sub>/crds/<file>`) as one document,
 * `---` then `# Source: <path>`, before the templates; a template under `templates/crds/` is a
 * template and is kept. `helm-inert.test.ts` compares the two on charts with crds/ folders.
 */
export function withoutCrdFolders(text: string): string {
  return documents(text)
    .filter(({ source }) => source === '' || !/(^|\/)crds\/[^/]+$/.test(source) || source.includes('/templates/'))
    .map((d) => d.text)
    .join('');
}

/** A render's documents as helm prints them (`---`, `# Source: <template>`), each with its template ('' before the first). */
function documents(text: string): Array<{ source: string; text: string }> {
  return text.split(/(?=^---\n# Source: )/m).map((doc) => ({ source: /^---\n# Source: (.*)$/m.exec(doc)?.[1] ?? '', text: doc }));
}

/**
 * What differs between two renders of the same request: the output of a chart's random and
 * time functions (grafana's generated admin password and the checksum of its Secret, a webhook's
 * generated CA and certificate, generated tokens). Each such line is `<indent><key>: <value>`; it
 * is kept as its template (`# Source:`), indent and key, and `normalized` replaces the value of
 * every line of that template with that indent and key. `id` names the variance in cache keys.
 */
export interface Variance {
  readonly id: string;
  /** `<source>\0<indent and key, through ": ">` of every line that varies. */
  readonly lines: ReadonlySet<string>;
}

/** No line varies (a chart without random or time functions). */
export const NO_VARIANCE: Variance = { id: 'none', lines: new Set() };

const KEYED_LINE = /^(\s*(?:- )?[^\s:#-][^:]*: )/;

/**
 * The variance between two renders of the same request; throws where they differ in anything but
 * the values of keyed lines (then no comparison of renders can be trusted, and the search says so).
 */
export function varianceBetween(a: string, b: string): Variance {
  const lined = (text: string) => documents(text).map((d) => ({ source: d.source, lines: d.text.split('\n') }));
  const docsA = lined(a);
  const docsB = lined(b);
  const fail = (why: string): never => {
    throw new Error(`two renders of the same request differ ${why}: the chart's output varies in a way the inert-value search cannot mask`);
  };
  if (docsA.length !== docsB.length) fail(`in their documents (${docsA.length} and ${docsB.length})`);
  const lines = new Set<string>();
  docsA.forEach((da, d) => {
    const db = docsB[d];
    if (da.source !== db.source || da.lines.length !== db.lines.length) fail(`in ${da.source || 'the text before the first template'}`);
    da.lines.forEach((line, i) => {
      if (line === db.lines[i]) return;
      const key = KEYED_LINE.exec(line)?.[1];
      if (key === undefined || !db.lines[i].startsWith(key)) fail(`in ${da.source}, line ${i + 1}, which is not a keyed value`);
      lines.add(`${da.source}\0${key}`);
    });
  });
  return lines.size === 0 ? NO_VARIANCE : { id: sha256([...lines].sort().join('\n')), lines };
}

/** One document's text with the value of every varying line replaced by `<varies>`. */
function normalizedDocument({ source, text }: { source: string; text: string }, variance: Variance): string {
  if (variance.lines.size === 0) return text;
  return text
    .split('\n')
    .map((line) => {
      const key = KEYED_LINE.exec(line)?.[1];
      return key !== undefined && variance.lines.has(`${source}\0${key}`) ? `${key}<varies>` : line;
    })
    .join('\n');
}

/** The text with the value of every varying line replaced by `<varies>`. */
export function normalized(text: string, variance: Variance): string {
  if (variance.lines.size === 0) return text;
  return documents(text)
    .map((doc) => normalizedDocument(doc, variance))
    .join('');
}

/**
 * renderDigest(req) is render(req) with only the output's SHA-256 kept: the inert-value search
 * renders each release once per value and only compares the outputs, which are megabytes for a
 * chart with CRDs. Without a variance the output is streamed into the hash, never buffered; with
 * one, the digest is of the normalized text. Cached like render, under `digests/`.
 */
export function renderDigest(bin: Binaries, req: RenderRequest, variance: Variance = NO_VARIANCE): Promise<RenderDigest> {
  const key = variance.lines.size === 0 ? renderKey(req) : sha256(`${renderKey(req)}\0${variance.id}`);
  return cached(digestMemo, 'digests', key, async () => {
    if (variance.lines.size === 0) return (await exec(bin.helm, templateArgs(req), JSON.stringify(req.values), true)) as RenderDigest;
    const result = (await exec(bin.helm, templateArgs(req), JSON.stringify(req.values), false)) as RenderResult;
    return result.ok ? { ok: true, digest: textDigest(normalized(result.text, variance)) } : result;
  });
}

/**
 * A render's documents, normalized and sorted (each ending in a newline), of the templates in
 * `sources` only when given: what a pruned render (prune.ts) is compared by, whatever order helm
 * printed them in. The text before the first template's document is left out.
 */
export function documentSet(text: string, variance: Variance, sources?: ReadonlySet<string>): string {
  return documentSetOf(normalizedDocuments(text, variance), sources);
}

/** A render's documents, normalized, each ending in a newline (the text before the first left out). */
export function normalizedDocuments(text: string, variance: Variance): Array<{ source: string; text: string }> {
  return documents(text)
    .filter(({ source }) => source !== '')
    .map((doc) => {
      const normal = normalizedDocument(doc, variance);
      return { source: doc.source, text: normal.endsWith('\n') ? normal : `${normal}\n` };
    });
}

/** documentSet of documents already normalized (normalizedDocuments). */
export function documentSetOf(docs: ReadonlyArray<{ source: string; text: string }>, sources?: ReadonlySet<string>): string {
  return docs
    .filter(({ source }) => sources === undefined || sources.has(source))
    .map((d) => d.text)
    .sort()
    .join('');
}

/** One copy in a batch render (renderBatch): a chart and the values it gets. */
export interface BatchCopy {
  readonly chart: ChartSource;
  readonly values: Json;
}

/**
 * Each copy's documentSet digest (`null` for a copy whose documents name another copy's
 * path: its output depends on where it sits, and it proves nothing), or the run's error.
 */
export type BatchDigests = { readonly ok: true; readonly digests: ReadonlyArray<string | null> } | { readonly ok: false; readonly error: string };

/** The umbrella chart of a batch render; copy i sits at `charts/w<i>/charts/<its chart>`. */
const UMBRELLA = 'zqbatch';
const WRAPPER = (i: number) => `w${String(i).padStart(3, '0')}`;
/** Names the umbrella's layout in the cache key: a change to how copies are laid out renders every batch again. */
const BATCH_LAYOUT = 'batch-2';

/**
 * Renders several copies of one release in one helm run, and gives each copy's documentSet digest,
 * normalized with `variance` as renderDocumentSet would give it for a run of that copy alone.
 *
 * Why: the inert-value search renders a release once per value no marker proved, a few hundred
 * runs, and starting helm (Go's initialisation) costs about 75 ms of CPU each time, more than most
 * pruned renders themselves. One run renders them all.
 *
 * How: an umbrella chart whose sub-chart `w<i>` (a chart of its own, with no template) holds copy
 * i as its sub-chart, unrenamed: every copy keeps its own `.Chart` (a chart that names itself, as
 * every `fullname` helper does, names itself as in a run of its own), its own `.Values` (the
 * umbrella's values are `{w<i>: {<chart name>: <values>}}`), the release's name, namespace and
 * capabilities. Named templates are shared by all charts of a run, but every copy defines the
 * same ones (the same chart, or a pruned copy that keeps every named template). What differs is
 * where a copy sits: its documents' `# Source:` and `.Template.Name` begin with
 * `zqbatch/charts/w<i>/charts/`, which is removed from its documents' text. A document that still
 * names the umbrella after that (a copy printing another copy's path) makes its copy's digest
 * `null`. The caller checks the rest: a copy of the release with its own values must give
 * the release's own baseline (inert.ts does, in every batch), so anything a sub-chart sees
 * differently (Helm's globals, values coalescing) shows there first.
 *
 * `--set` flags of the release apply to every copy (prefixed with the copy's path). Cached like
 * render, under `batches/`.
 */
export function renderBatch(bin: Binaries, req: RenderRequest, copies: readonly BatchCopy[], variance: Variance = NO_VARIANCE): Promise<BatchDigests> {
  const key = sha256(
    JSON.stringify([LAYER_VERSION, BATCH_LAYOUT, templateArgs({ ...req, chart: { path: UMBRELLA, digest: '', files: new Map() }, includeCrds: false, sets: [] }), req.sets ?? [], variance.id, copies.map((c) => [c.chart.digest, JSON.stringify(c.values)])]),
  );
  return cached(batchMemo, 'batches', key, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helm-batch-'));
    try {
      const umbrella = join(dir, UMBRELLA);
      mkdirSync(join(umbrella, 'charts'), { recursive: true });
      // Each level lists its sub-charts as dependencies: Helm evaluates the conditions of a chart's
      // own dependencies (cloudnative-pg's `cluster`, disabled by a value) only below charts that
      // list theirs, so without the lists a disabled sub-chart of a copy was rendered.
      const dependencies = (list: Array<{ name: string; version: string }>) =>
        `dependencies:\n${list.map((d) => `  - name: ${JSON.stringify(d.name)}\n    version: ${JSON.stringify(d.version)}\n`).join('')}`;
      writeFileSync(
        join(umbrella, 'Chart.yaml'),
        `apiVersion: v2\nname: ${UMBRELLA}\nversion: 0.0.0\n${dependencies(copies.map((_, i) => ({ name: WRAPPER(i), version: '0.0.0' })))}`,
      );
      const values: Json = {};
      const sets: SetFlag[] = [];
      copies.forEach((copy, i) => {
        const wrapper = join(umbrella, 'charts', WRAPPER(i));
        mkdirSync(join(wrapper, 'charts'), { recursive: true });
        const { name, version } = chartMetadata(copy.chart);
        writeFileSync(join(wrapper, 'Chart.yaml'), `apiVersion: v2\nname: ${WRAPPER(i)}\nversion: 0.0.0\n${dependencies([{ name, version }])}`);
        // A packaged chart must keep its .tgz name to be loaded as one; a folder's name is not read.
        symlinkSync(copy.chart.path, join(wrapper, 'charts', copy.chart.path.endsWith('.tgz') ? basename(copy.chart.path) : name));
        values[WRAPPER(i)] = { [name]: copy.values };
        for (const s of req.sets ?? []) sets.push({ ...s, name: `${WRAPPER(i)}.${name}.${s.name}` });
      });
      const args = templateArgs({ ...req, chart: { path: umbrella, digest: '', files: new Map() }, includeCrds: false, sets });
      const result = (await exec(bin.helm, args, JSON.stringify(values), false)) as RenderResult;
      if (!result.ok) return result;
      const perCopy: Array<Array<{ source: string; text: string }>> = copies.map(() => []);
      const tainted = new Set<number>();
      for (const doc of documents(result.text)) {
        if (doc.source === '') continue;
        const m = /^zqbatch\/charts\/w(\d{3})\/charts\/(.+)$/.exec(doc.source);
        if (!m || Number(m[1]) >= copies.length) return { ok: false, error: `batch render: a document from outside every copy (${doc.source})` };
        const i = Number(m[1]);
        const text = doc.text.split(`${UMBRELLA}/charts/${WRAPPER(i)}/charts/`).join('');
        if (text.includes(`${UMBRELLA}/`)) tainted.add(i);
        const normal = normalizedDocument({ source: m[2], text }, variance);
        perCopy[i].push({ source: m[2], text: normal.endsWith('\n') ? normal : `${normal}\n` });
      }
      return { ok: true, digests: perCopy.map((docs, i) => (tainted.has(i) ? null : textDigest(documentSetOf(docs)))) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** The SHA-256 of a render's documentSet (cached like render, under `docsets/`). */
export function renderDocumentSet(bin: Binaries, req: RenderRequest, variance: Variance = NO_VARIANCE): Promise<RenderDigest> {
  return cached(docsetMemo, 'docsets', sha256(`${renderKey(req)}\0docset\0${variance.id}`), async () => {
    const result = (await exec(bin.helm, templateArgs(req), JSON.stringify(req.values), false)) as RenderResult;
    return result.ok ? { ok: true, digest: textDigest(documentSet(result.text, variance)) } : result;
  });
}

/**
 * The objects of a render, each with the template (`# Source:`) it came from. A document that is
 * not valid YAML (duplicate keys included: the API server's strict decoding refuses them) throws.
 */
export function parseRender(text: string): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const doc of text.split(/^---\s*$/m)) {
    const source = /^# Source: (.*)$/m.exec(doc)?.[1] ?? '?';
    let objects: unknown[];
    try {
      objects = loadAll(doc);
    } catch (e) {
      throw new Error(`${source}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const object of objects) {
      if (object && typeof object === 'object' && !Array.isArray(object)) out.push({ source, object: object as Json });
    }
  }
  return out;
}

/** Whether a parsed value survives JSON unchanged (js-yaml can also give Dates, Buffers, non-finite numbers). */
export function plainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(plainJson);
  if (typeof v === 'object') return Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(plainJson);
  return false;
}

const YAML_VERSION = (JSON.parse(readFileSync(require.resolve('js-yaml/package.json'), 'utf8')) as { version: string }).version;

/** Where the parse of a render is kept: keyed by the render's text and the YAML parser's version. */
export function parsedFile(text: string): string {
  const key = sha256(`js-yaml ${YAML_VERSION}\0${text}`);
  return join(CACHE_DIR, 'parsed', key.slice(0, 2), `${key}.json`);
}

/**
 * parseRender, with a failure as an error message instead of an exception. Parsing the YAML of
 * every release was seconds per test file: the result is kept on disk beside the render cache (as
 * JSON, which reads several times faster) when JSON holds it exactly, and read from there.
 */
export function parseResult(result: RenderResult): { objects: RenderedObject[]; error?: string } {
  if (!result.ok) return { objects: [], error: result.error };
  const file = parsedFile(result.text);
  if (existsSync(file)) {
    try {
      touch(file);
      return JSON.parse(readFileSync(file, 'utf8')) as { objects: RenderedObject[]; error?: string };
    } catch {
      // damaged: parsed again below
    }
  }
  let parsed: { objects: RenderedObject[]; error?: string };
  try {
    parsed = { objects: parseRender(result.text) };
  } catch (e) {
    parsed = { objects: [], error: (e as Error).message };
  }
  if (plainJson(parsed)) {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(parsed));
    renameSync(tmp, file);
  }
  return parsed;
}
