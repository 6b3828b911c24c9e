/**
 * The `helm pull` fallback of scripts/helm/chart-packages.ts, offline: a chart repository served by
 * a local HTTP server (a `helm repo index` folder), no shared package folder. A package whose
 * sha256 differs from the checksum list is refused with a clear message and not kept; a matching
 * one is cached, used for rendering, and read from the cache when the repository is gone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { binaries } from '../scripts/helm/binaries';
import { repositoryChart, sha256 } from '../scripts/helm/chart-packages';
import { helmEnv, parseRender, render } from '../scripts/helm/render';
import { scratchDir } from './scratch';

jest.setTimeout(120_000);

const work = scratchDir('helm-pull-');
const repoDir = join(work, 'repository');
const cacheDir = join(work, 'cache');
const noShared = join(work, 'shared-absent');
const helm = () => binaries().helm;
const env = () => ({
  ...helmEnv(),
  HELM_CACHE_HOME: join(work, 'helm-cache'),
  HELM_CONFIG_HOME: join(work, 'helm-config'),
  HELM_DATA_HOME: join(work, 'helm-data'),
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
});
const requests: string[] = [];
let server: Server;
let repository: string;
let digest: string;

function checksums(name: string, sha: string): string {
  const file = join(work, `${name}.txt`);
  writeFileSync(file, `# test list\n${sha}  demo-0.1.0.tgz\n`);
  return file;
}

beforeAll(async () => {
  const chart = join(work, 'src', 'demo');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\ntype: application\n');
  writeFileSync(join(chart, 'values.yaml'), 'greeting: hello\n');
  writeFileSync(join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  greeting: {{ .Values.greeting | quote }}\n');
  mkdirSync(repoDir);
  execFileSync(helm(), ['package', chart, '-d', repoDir], { env: env() });
  execFileSync(helm(), ['repo', 'index', repoDir], { env: env() });
  digest = sha256(readFileSync(join(repoDir, 'demo-0.1.0.tgz')));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const file = join(repoDir, (req.url ?? '/').split('?')[0].replace(/^\/+/, ''));
    if (!file.startsWith(repoDir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  repository = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  if (server.listening) await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('helm pull fallback (no shared package folder)', () => {
  test('a pulled package whose sha256 differs from the list is refused, named, and not kept in the cache', async () => {
    const wrong = '0'.repeat(64);
    const attempt = repositoryChart('demo', '0.1.0', repository, helm(), env(), { sharedDir: noShared, cacheDir, checksumsFile: checksums('wrong', wrong) });
    await expect(attempt).rejects.toThrow(
      new RegExp(`demo-0\\.1\\.0\\.tgz: sha256 ${digest} differs from the pinned ${wrong} .*refusing to render an unreviewed package \\(pulled from ${repository.replace(/[.]/g, '\\.')}; removed from the cache\\)`),
    );
    expect(requests).toContain('/demo-0.1.0.tgz');
    expect(existsSync(join(cacheDir, 'demo-0.1.0.tgz'))).toBe(false);
  });

  test('a matching package is pulled into the cache and rendered from there', async () => {
    const before = requests.length;
    const source = await repositoryChart('demo', '0.1.0', repository, helm(), env(), { sharedDir: noShared, cacheDir, checksumsFile: checksums('right', digest) });
    expect(requests.slice(before)).toContain('/demo-0.1.0.tgz');
    expect(source.path).toBe(join(cacheDir, 'demo-0.1.0.tgz'));
    expect(readdirSync(cacheDir)).toEqual(['demo-0.1.0.tgz']);
    expect(source.digest).toBe(digest);
    expect([...source.files.keys()].sort()).toEqual(['Chart.yaml', 'templates/cm.yaml', 'values.yaml']);
    const result = await render(binaries(), {
      release: 'demo', namespace: 'x', chart: source, values: { greeting: 'from the cache' }, kubeVersion: '1.33', apiVersions: [], includeCrds: false,
    });
    expect(result.ok).toBe(true);
    expect(parseRender((result as { text: string }).text).map((o) => o.object.data)).toEqual([{ greeting: 'from the cache' }]);
  });

  test('with the repository gone, the cached package is used (no network)', async () => {
    await new Promise((resolve) => server.close(resolve));
    const before = requests.length;
    // another shared folder (also without the package): a fresh lookup, not the memoized one
    const source = await repositoryChart('demo', '0.1.0', repository, helm(), env(), { sharedDir: join(work, 'shared-absent-2'), cacheDir, checksumsFile: checksums('right', digest) });
    expect(source.path).toBe(join(cacheDir, 'demo-0.1.0.tgz'));
    expect(requests.length).toBe(before);
    // a cached package that was tampered with is refused as well
    writeFileSync(join(cacheDir, 'demo-0.1.0.tgz'), Buffer.concat([readFileSync(join(repoDir, 'demo-0.1.0.tgz')), Buffer.from([0])]));
    await expect(
      repositoryChart('demo', '0.1.0', repository, helm(), env(), { sharedDir: join(work, 'shared-absent-3'), cacheDir, checksumsFile: checksums('right', digest) }),
    ).rejects.toThrow(/refusing to render an unreviewed package \(cached from/);
  });

  test('the shared folder wins when it holds the package; nothing pinned or reachable is a clear error', async () => {
    const shared = join(work, 'shared');
    mkdirSync(shared);
    writeFileSync(join(shared, 'demo-0.1.0.tgz'), readFileSync(join(repoDir, 'demo-0.1.0.tgz')));
    const source = await repositoryChart('demo', '0.1.0', 'http://127.0.0.1:9/unused/', helm(), env(), { sharedDir: shared, cacheDir: join(work, 'cache-2'), checksumsFile: checksums('right', digest) });
    expect(source.path).toBe(join(shared, 'demo-0.1.0.tgz'));
    expect(existsSync(join(work, 'cache-2'))).toBe(false);
    await expect(
      repositoryChart('demo', '0.1.0', repository, helm(), env(), { sharedDir: noShared, cacheDir: join(work, 'cache-3'), checksumsFile: checksums('right', digest) }),
    ).rejects.toThrow(/demo-0\.1\.0\.tgz: not in .*shared-absent and `helm pull demo --repo http:\/\/127\.0\.0\.1:\d+\/ --version 0\.1\.0 -d .*cache-3` failed/);
    await expect(repositoryChart('other', '1.0.0', repository, helm(), env(), { sharedDir: noShared, cacheDir, checksumsFile: checksums('right', digest) })).rejects.toThrow(
      /other-1\.0\.0\.tgz: no sha256 in .*right\.txt; add one for every pinned chart/,
    );
  });
});
