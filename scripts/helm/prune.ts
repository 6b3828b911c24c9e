/**
 * Pruned renders: a cheap witness that a value changes a release's output.
 *
 * The inert-value search renders a release once without each value no marker proved (mostly
 * `false` values). A render of kube-prometheus-stack costs 0.45 s, half of it default rules and
 * dashboards that most of its values never reach. A pruned render keeps only the templates that
 * name the value (or include a named template that does), with every non-template file, every
 * partial and every file that defines a named template:
 *
 *   If the kept templates' documents, rendered without the value, differ from the same templates'
 *   documents in the release's full baseline, the full render without the value differs too.
 *
 * That holds because a template's output depends only on the values, the chart's files, the
 * release and the named templates it calls, never on which other templates exist, with one
 * exception: a template that mutates shared state (Sprig's `set`, `unset`, `merge`,
 * `mergeOverwrite` on `.Values`, `.` or a variable bound to them) changes what templates rendered
 * after it see. So a template is removed only when neither it nor any named template it calls
 * (transitively) mutates anything but a map it made itself (`dict`, `deepCopy`, ...), and it calls
 * no template by a computed name. A pruned render that fails (a kept template including a removed
 * one by its file name) or shows no difference proves nothing: the value is then rendered in full,
 * as before. Only a full render can find a value inert.
 *
 * `__tests__/helm-inert.test.ts` renders every pruned chart the search uses for production with the
 * release's own values and checks that it gives exactly the baseline's documents of those
 * templates.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { CACHE_DIR } from './binaries';
import { ChartSource } from './chart-packages';

/** Sprig's functions that change their first argument in place. */
const MUTATING = /\b(set|unset|merge|mergeOverwrite|mustMerge|mustMergeOverwrite)\s+(\S+)/g;
/** First arguments that are a map the template made itself: changing it changes nothing shared. */
const FRESH = /^\(?(dict|list|deepCopy|mustDeepCopy|fromYaml|fromJson|(merge|mergeOverwrite|mustMerge|mustMergeOverwrite)\s+\(dict\b)/;
const BLOCK_OPENERS = /^(if|range|with|define|block)\b/;

interface ParsedFile {
  /** Actions outside any define, and the body of each define, in order. */
  readonly topLevel: string[];
  readonly defines: Map<string, string[]>;
}

/** The actions (`{{ ... }}`, comments removed) of a template file, split by the defines they are in. */
export function parseTemplate(text: string): ParsedFile {
  const topLevel: string[] = [];
  const defines = new Map<string, string[]>();
  // Each open block, and the define it belongs to (undefined at top level).
  const stack: Array<string | undefined> = [];
  for (const m of text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
    const action = m[1].trim();
    if (action.startsWith('/*')) continue;
    const current = stack[stack.length - 1];
    const define = /^(?:define|block)\s+"([^"]+)"/.exec(action);
    if (define) {
      defines.set(define[1], defines.get(define[1]) ?? []);
      stack.push(define[1]);
      continue;
    }
    if (/^end\b/.test(action)) {
      stack.pop();
      continue;
    }
    if (BLOCK_OPENERS.test(action)) stack.push(current);
    if (current === undefined) topLevel.push(action);
    else defines.get(current)!.push(action);
  }
  return { topLevel, defines };
}

/**
 * Whether these actions may change shared state: a mutating call whose first argument is not a map
 * they made (a `$variable` counts as theirs only when every assignment to it in the file is one).
 */
export function mutatesShared(actions: readonly string[], fileText: string): boolean {
  for (const action of actions) {
    for (const m of action.matchAll(MUTATING)) {
      const target = m[2];
      if (FRESH.test(target)) continue;
      const variable = /^\$[A-Za-z_][A-Za-z0-9_]*$/.exec(target)?.[0];
      if (variable === undefined) return true;
      const assignments = [...fileText.matchAll(new RegExp(`\\${variable}\\s*:?=\\s*([^}]*?)-?\\}\\}`, 'g'))].map((a) => a[1].trim());
      if (assignments.length === 0 || assignments.some((rhs) => !FRESH.test(rhs) && !/\|\s*(mustDeepCopy|deepCopy)\s*$/.test(rhs))) return true;
    }
  }
  return false;
}

/** A template file's chart level: `''` or `charts/<name>/` (nested as deep as sub-charts go). */
function levelOf(file: string): string {
  return /^((?:charts\/[^/]+\/)*)templates\//.exec(file)?.[1] ?? '';
}

/**
 * What actions call: named templates, template files by path (`include (print $.Template.BasePath
 * "/configmap.yaml")`, the checksum idiom, resolved against `level`), and whether any call's name
 * is computed otherwise.
 */
function calls(actions: readonly string[], level: string): { named: string[]; files: string[]; computed: boolean } {
  const named: string[] = [];
  const files: string[] = [];
  let computed = false;
  for (const action of actions) {
    for (const m of action.matchAll(/\b(?:include|template)\s+(\([^)]*\)|\S+)/g)) {
      const quoted = /^"([^"]+)"$/.exec(m[1]);
      const byPath = /^\(print\s+\$?\.Template\.BasePath\s+"(\/[^"]+)"\)$/.exec(m[1]);
      if (quoted) named.push(quoted[1]);
      else if (byPath) files.push(`${level}templates${byPath[1]}`);
      else computed = true;
    }
  }
  return { named, files, computed };
}

/** A release's template files, which of them a pruned render may leave out, and what names what. */
export interface TemplateIndex {
  /** Template files (path in the chart, sub-charts under `charts/<name>/`), with their text. */
  readonly templates: ReadonlyMap<string, string>;
  /** Templates that may be left out of a pruned render. */
  readonly removable: ReadonlySet<string>;
  /** Named templates each template calls, transitively, with their bodies' text. */
  readonly reaches: ReadonlyMap<string, string>;
  /** Template files each template includes by path (directly or through named templates): kept with it. */
  readonly includesFiles: ReadonlyMap<string, readonly string[]>;
}

/** A file of a chart's (or a sub-chart's) templates/ folder. */
function isTemplate(path: string): boolean {
  return /^(charts\/[^/]+\/)*templates\//.test(path);
}

const indexes = new Map<string, TemplateIndex>();

/**
 * Indexes a chart's templates for pruning (memoized); `valuesText` is the release's values: a
 * `tpl` of a value holding template code that mutates could mutate shared state.
 */
export function indexTemplates(chart: ChartSource, valuesText: string): TemplateIndex {
  const valueActions = [...valuesText.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)].map((m) => m[1].trim());
  const valuesMutate = mutatesShared(valueActions, valuesText) || valueActions.some((a) => /\b(include|template|tpl)\b/.test(a));
  const key = `${chart.digest}\0${valuesMutate}`;
  if (!indexes.has(key)) indexes.set(key, buildIndex(chart, valuesMutate));
  return indexes.get(key)!;
}

function buildIndex(chart: ChartSource, valuesMutate: boolean): TemplateIndex {
  const templates = new Map<string, string>();
  const parsed = new Map<string, ParsedFile>();
  for (const [path, data] of chart.files) {
    if (!isTemplate(path)) continue;
    const text = data.toString('utf8');
    templates.set(path, text);
    parsed.set(path, parseTemplate(text));
  }
  // Every named template: its body, what it calls, whether it mutates by itself.
  // A name defined twice (a sub-chart's helper of the same name) counts with every definition.
  const defines = new Map<string, { body: string[]; files: string[]; calls: ReturnType<typeof calls> }>();
  for (const [file, p] of parsed) {
    for (const [name, body] of p.defines) {
      const own = calls(body, levelOf(file));
      const d = defines.get(name);
      defines.set(
        name,
        d === undefined
          ? { body, files: [file], calls: own }
          : { body: [...d.body, ...body], files: [...d.files, file], calls: { named: [...d.calls.named, ...own.named], files: [...d.calls.files, ...own.files], computed: d.calls.computed || own.computed } },
      );
    }
  }
  // A define is unsafe when anything in its file mutates shared state (not only its own body: a
  // comment or string that confuses the action parser cannot move a mutation out of sight).
  const unsafeFiles = new Set([...parsed].filter(([file, p]) => mutatesShared([...p.topLevel, ...[...p.defines.values()].flat()], templates.get(file)!)).map(([file]) => file));
  const unsafeDefines = new Set<string>();
  for (const [name, d] of defines) {
    if (d.files.some((f) => unsafeFiles.has(f))) unsafeDefines.add(name);
  }
  const closure = (start: readonly string[]): Set<string> => {
    const seen = new Set<string>();
    const todo = [...start];
    while (todo.length > 0) {
      const name = todo.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      todo.push(...(defines.get(name)?.calls.named ?? []));
    }
    return seen;
  };
  // Unsafe spreads to every define that calls an unsafe one.
  for (const name of defines.keys()) if ([...closure([name])].some((n) => unsafeDefines.has(n))) unsafeDefines.add(name);

  const removable = new Set<string>();
  const reaches = new Map<string, string>();
  const includesFiles = new Map<string, string[]>();
  for (const [file, p] of parsed) {
    const own = calls(p.topLevel, levelOf(file));
    const reached = closure(own.named);
    const computed = own.computed || [...reached].some((n) => defines.get(n)?.calls.computed);
    reaches.set(file, [...reached].map((n) => (defines.get(n)?.body ?? []).join('\n')).join('\n'));
    includesFiles.set(file, [...own.files, ...[...reached].flatMap((n) => defines.get(n)?.calls.files ?? [])]);
    const base = file.split('/').pop()!;
    if (base.startsWith('_') || p.defines.size > 0 || /^NOTES\.txt$/.test(base)) continue;
    if (unsafeFiles.has(file) || [...reached].some((n) => unsafeDefines.has(n))) continue;
    // A name computed at render time could be an unsafe named template (a removed file it names
    // instead fails the render: no witness, never a wrong one).
    if (computed && unsafeDefines.size > 0) continue;
    // A `tpl` evaluates text as a template: values holding template code that mutates could.
    if (valuesMutate && /\btpl\b/.test(templates.get(file)!)) continue;
    removable.add(file);
  }
  return { templates, removable, reaches, includesFiles };
}

/**
 * The templates a pruned render for the value at `path` keeps, of the removable ones: those that
 * name one of the path's keys, directly or in a named template they call, for the key named by the
 * fewest templates. Undefined when no template names any of its keys.
 */
export function selectTemplates(index: TemplateIndex, path: readonly string[]): string[] | undefined {
  let best: string[] | undefined;
  for (const key of new Set(path.filter((k) => !/^\d+$/.test(k)))) {
    const naming = [...index.removable].filter((f) => index.templates.get(f)!.includes(key) || index.reaches.get(f)!.includes(key));
    if (naming.length > 0 && (best === undefined || naming.length < best.length)) best = naming;
  }
  return best?.sort();
}

/** The chart's name (as the `# Source:` lines of its render begin) and version, from its Chart.yaml. */
export function chartMetadata(chart: ChartSource): { readonly name: string; readonly version: string } {
  const meta = load(chart.files.get('Chart.yaml')?.toString('utf8') ?? '') as { name?: unknown; version?: unknown } | undefined;
  if (typeof meta?.name !== 'string') throw new Error(`${chart.path}: Chart.yaml has no name`);
  return { name: meta.name, version: String(meta.version ?? '') };
}

/** A pruned chart on disk, and the `# Source:` of each template it renders. */
export interface PrunedChart {
  readonly chart: ChartSource;
  readonly sources: ReadonlySet<string>;
}

/**
 * The chart without the removable templates not in `keep`, written once under the render cache
 * (`pruned/<key>/`, keyed by the chart's digest and what is kept). The charts' crds/ folders are
 * left out too (never templated; the search renders without them) unless a template reads files.
 */
export function prunedChart(chart: ChartSource, index: TemplateIndex, keep: readonly string[]): PrunedChart {
  // What is kept, with every file a kept template includes by path.
  const kept = new Set([...keep, ...[...index.templates.keys()].filter((f) => !index.removable.has(f))]);
  for (const file of kept) for (const dep of index.includesFiles.get(file) ?? []) kept.add(dep);
  const readsFiles = [...index.templates.values()].some((t) => t.includes('.Files'));
  const files = new Map<string, Buffer>();
  for (const [path, data] of chart.files) {
    if (index.removable.has(path) && !kept.has(path)) continue;
    if (!readsFiles && /^(charts\/[^/]+\/)*crds\//.test(path)) continue;
    files.set(path, data);
  }
  const key = createHash('sha256').update(`${chart.digest}\0${[...files.keys()].sort().join('\n')}`).digest('hex');
  const { name } = chartMetadata(chart);
  const dir = join(CACHE_DIR, 'pruned', key, name);
  if (existsSync(dir)) {
    // Used now: the render cache's sweep keeps it (render.ts sweepCache).
    const now = new Date();
    utimesSync(join(CACHE_DIR, 'pruned', key), now, now);
  } else {
    const tmp = join(CACHE_DIR, 'pruned', `${key}.${process.pid}.tmp`);
    rmSync(tmp, { recursive: true, force: true });
    for (const [path, data] of files) {
      mkdirSync(dirname(join(tmp, name, path)), { recursive: true });
      writeFileSync(join(tmp, name, path), data);
    }
    try {
      renameSync(tmp, join(CACHE_DIR, 'pruned', key));
    } catch {
      // another worker wrote the same chart first
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const sources = new Set([...files.keys()].filter(isTemplate).map((p) => `${name}/${p}`));
  return { chart: { path: dir, digest: key, files }, sources };
}
