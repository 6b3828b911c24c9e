/**
 * The on-disk cache of the shipped environments' synthesized JSON (./synth-cache.ts): it returns
 * what a fresh synth returns, it is invalidated by any change to the compiled program, a chart,
 * the lock file or a cdktf variable, and a damaged entry is synthesized again.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey, cachedShipped, keyFiles, SYNTH_CACHE_DIR } from './synth-cache';
import { shipped, stacksFor, synth } from './helpers';
import { scratchDir } from './scratch';

const DIST = join(__dirname, '..');
const ROOT = join(DIST, '..');

describe('the cache key', () => {
  /** A copy of what the key reads: the compiled program, charts/ and package-lock.json. */
  function tree(): { dist: string; root: string } {
    const root = scratchDir('synth-key-');
    const dist = join(root, 'dist');
    for (const d of ['environments', 'constructs', 'features', 'stacks']) cpSync(join(DIST, d), join(dist, d), { recursive: true });
    for (const f of ['main.js', '__tests__/synth-cache.js', '__tests__/helpers.js']) {
      mkdirSync(join(dist, f, '..'), { recursive: true });
      cpSync(join(DIST, f), join(dist, f));
    }
    cpSync(join(ROOT, 'charts'), join(root, 'charts'), { recursive: true });
    cpSync(join(ROOT, 'package-lock.json'), join(root, 'package-lock.json'));
    return { dist, root };
  }

  test('covers the compiled program, the helpers, every chart file and the lock file', () => {
    const files = keyFiles(DIST, ROOT).map((f) => f.slice(ROOT.length + 1));
    expect(files).toEqual(expect.arrayContaining(['dist/main.js', 'dist/stacks/app.js', 'dist/__tests__/helpers.js', 'dist/__tests__/synth-cache.js', 'package-lock.json']));
    expect(files.some((f) => f.startsWith('dist/environments/'))).toBe(true);
    expect(files.some((f) => f.startsWith('dist/features/'))).toBe(true);
    expect(files.some((f) => f.startsWith('dist/constructs/'))).toBe(true);
    expect(files.some((f) => f.startsWith('charts/'))).toBe(true);
  });

  test('is stable while nothing changes, and changes with any input', () => {
    const { dist, root } = tree();
    const env = { PATH: '/bin' };
    const base = cacheKey(dist, root, env);
    expect(cacheKey(dist, root, env)).toBe(base);
    // Variables cdktf or the program read, not others.
    expect(cacheKey(dist, root, { ...env, HOME: '/elsewhere' })).toBe(base);
    expect(cacheKey(dist, root, { ...env, CDKTF_CONTEXT_JSON: '{}' })).not.toBe(base);
    expect(cacheKey(dist, root, { ...env, TORONTO_AI_TOKEN_STACKS: '1' })).not.toBe(base);

    const keys = new Set([base]);
    const change = (file: string) => {
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n// changed\n`);
      const key = cacheKey(dist, root, env);
      expect(keys.has(key)).toBe(false);
      keys.add(key);
    };
    change(join(dist, 'environments', 'production.js'));
    change(join(dist, 'features', 'flows.js'));
    change(join(dist, 'stacks', 'app.js'));
    change(join(dist, '__tests__', 'helpers.js'));
    change(join(root, 'package-lock.json'));
    const chart = readdirSync(join(root, 'charts'), { recursive: true, withFileTypes: true }).find((e) => e.isFile())!;
    change(join(chart.parentPath, chart.name));
    // A new compiled module counts too.
    writeFileSync(join(dist, 'constructs', 'added.js'), 'module.exports = {};\n');
    expect(keys.has(cacheKey(dist, root, env))).toBe(false);
  });
});

describe('the cache', () => {
  test('an entry is filled once, then read from disk by another module instance; a damaged entry is filled again', () => {
    const dir = scratchDir('synth-cache-');
    let fills = 0;
    const fill = () => {
      fills++;
      return { cloud: { n: fills }, platform: { resource: {} } };
    };
    expect(cachedShipped('development', fill, dir)).toEqual({ cloud: { n: 1 }, platform: { resource: {} } });
    const [key] = readdirSync(dir);
    const entry = join(dir, key, 'development.json');
    expect(JSON.parse(readFileSync(entry, 'utf8'))).toEqual({ cloud: { n: 1 }, platform: { resource: {} } });
    // No temporary file is left beside the entry.
    expect(readdirSync(join(dir, key))).toEqual(['development.json']);

    // A fresh registry is what another test file (or worker) sees: no memory of this one.
    jest.isolateModules(() => {
      const other = require('./synth-cache') as typeof import('./synth-cache');
      expect(other.cachedShipped('development', fill, dir)).toEqual({ cloud: { n: 1 }, platform: { resource: {} } });
      expect(fills).toBe(1);
    });
    writeFileSync(entry, '{"cloud": {"n": 1}, "platf');
    jest.isolateModules(() => {
      const other = require('./synth-cache') as typeof import('./synth-cache');
      expect(other.cachedShipped('development', fill, dir)).toEqual({ cloud: { n: 2 }, platform: { resource: {} } });
      expect(fills).toBe(2);
    });
  });

  test('what it holds is what a fresh synth of the unmodified definition writes', () => {
    const cached = shipped('development');
    const entry = join(SYNTH_CACHE_DIR, cacheKey(), 'development.json');
    expect(existsSync(entry)).toBe(true);
    expect(JSON.parse(readFileSync(entry, 'utf8'))).toEqual(cached);
    // Built and synthesized here, in a new app: the same JSON, byte for byte once serialized.
    const fresh = stacksFor('development', () => undefined);
    expect(JSON.stringify(synth(fresh.cloud))).toBe(JSON.stringify(cached.cloud));
    expect(JSON.stringify(synth(fresh.platform))).toBe(JSON.stringify(cached.platform));
  });
});
