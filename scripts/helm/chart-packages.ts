/**
 * Where the render tests find each pinned chart package. The workplace's `../shared/helm-charts/`
 * (packaged from each chart's source repository at its release tag, see its SOURCES.md) is used
 * when present; otherwise (a user's clone) `helm pull` fetches the package from the chart's own
 * repository into node_modules/.cache/helm-render/charts/. Either way the package must match the
 * sha256 recorded in charts/helm-chart-checksums.txt, so what is rendered is what was reviewed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { tgzFiles } from './archive';
import { CACHE_DIR } from './binaries';

const run = promisify(execFile);

/** The repository root (this file runs from dist/scripts/helm/). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const SHARED_HELM_CHARTS = join(REPO_ROOT, '..', 'shared', 'helm-charts');
export const CHECKSUMS_FILE = join(REPO_ROOT, 'charts', 'helm-chart-checksums.txt');

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `<sha256>  <file>` lines of charts/helm-chart-checksums.txt, by file name. */
export function pinnedChecksums(file = CHECKSUMS_FILE): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+(\S+)$/.exec(line.trim());
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

/** A chart to render: a verified package file or a local chart folder, with its files. */
export interface ChartSource {
  /** Path handed to `helm template`. */
  readonly path: string;
  /** Content digest (package sha256, or a hash over a local chart's files) for the render cache. */
  readonly digest: string;
  /** The chart's files, relative to the chart root (sub-charts under charts/<name>/). */
  readonly files: ReadonlyMap<string, Buffer>;
}

const sources = new Map<string, Promise<ChartSource>>();

function packageSource(path: string, bytes: Buffer): ChartSource {
  const files = new Map<string, Buffer>();
  for (const [name, data] of tgzFiles(bytes)) files.set(name.split('/').slice(1).join('/'), data);
  return { path, digest: sha256(bytes), files };
}

/** Where repositoryChart looks for packages; the defaults are the repository's (tests point them elsewhere). */
export interface ChartLocations {
  /** Folder of pre-packaged charts, used when it holds the file. @default SHARED_HELM_CHARTS */
  readonly sharedDir?: string;
  /** Where `helm pull` puts packages fetched from their repository. @default <CACHE_DIR>/charts */
  readonly cacheDir?: string;
  /** The checksum list. @default CHECKSUMS_FILE */
  readonly checksumsFile?: string;
}

/**
 * A pinned chart from a repository (https index or oci registry), verified against its checksum:
 * the package from `sharedDir` when there, else from the cache, else `helm pull`ed into the cache.
 * A package whose sha256 differs from the list is refused (and a pulled one removed from the
 * cache, so the next run pulls again rather than trusting it).
 */
export function repositoryChart(chart: string, version: string, repository: string, helm: string, env: NodeJS.ProcessEnv, locations: ChartLocations = {}): Promise<ChartSource> {
  const sharedDir = locations.sharedDir ?? SHARED_HELM_CHARTS;
  const cacheDir = locations.cacheDir ?? join(CACHE_DIR, 'charts');
  const checksumsFile = locations.checksumsFile ?? CHECKSUMS_FILE;
  const file = `${chart}-${version}.tgz`;
  const key = `${repository}|${file}|${sharedDir}|${cacheDir}|${checksumsFile}`;
  if (!sources.has(key)) {
    sources.set(
      key,
      (async () => {
        const expected = pinnedChecksums(checksumsFile).get(file);
        if (!expected) throw new Error(`${file}: no sha256 in ${relative(REPO_ROOT, checksumsFile)}; add one for every pinned chart`);
        let path = join(sharedDir, file);
        let pulled = false;
        if (!existsSync(path)) {
          path = join(cacheDir, file);
          if (!existsSync(path)) {
            mkdirSync(cacheDir, { recursive: true });
            const args = repository.startsWith('oci://')
              ? ['pull', `${repository.replace(/\/$/, '')}/${chart}`, '--version', version, '-d', cacheDir]
              : ['pull', chart, '--repo', repository, '--version', version, '-d', cacheDir];
            try {
              await run(helm, args, { env, timeout: 120_000 });
            } catch (e) {
              throw new Error(`${file}: not in ${sharedDir} and \`helm ${args.join(' ')}\` failed: ${(e as Error).message}`);
            }
            pulled = true;
          }
        }
        const bytes = readFileSync(path);
        const actual = sha256(bytes);
        if (actual !== expected) {
          if (path.startsWith(cacheDir)) rmSync(path, { force: true });
          throw new Error(
            `${path}: sha256 ${actual} differs from the pinned ${expected} (${relative(REPO_ROOT, checksumsFile)}); refusing to render an unreviewed package` +
              (path.startsWith(cacheDir) ? ` (${pulled ? 'pulled from' : 'cached from'} ${repository}; removed from the cache)` : ''),
          );
        }
        return packageSource(path, bytes);
      })(),
    );
  }
  return sources.get(key)!;
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [relative(base, full)];
  });
}

/** One of the program's own charts (a folder, e.g. the copy in a synthesized stack's assets). */
export function localChart(dir: string): Promise<ChartSource> {
  if (!sources.has(dir)) {
    const files = new Map<string, Buffer>();
    const hash = createHash('sha256');
    for (const f of walk(dir).sort()) {
      const data = readFileSync(join(dir, f));
      files.set(f, data);
      hash.update(f).update('\0').update(data);
    }
    sources.set(dir, Promise.resolve({ path: dir, digest: hash.digest('hex'), files }));
  }
  return sources.get(dir)!;
}
