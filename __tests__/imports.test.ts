/** Deep provider imports only: the barrels cost seconds and hundreds of MB on every synth and test. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { barrelImports } from '../scripts/import-rules';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (['node_modules', 'dist', 'cdktf.out', '.git', '.validate'].includes(name)) return [];
    if (statSync(p).isDirectory()) return sources(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

test('no source file imports a provider barrel', () => {
  const offenders = sources(root).flatMap((file) =>
    barrelImports(readFileSync(file, 'utf8')).map((line) => `${relative(root, file)}: ${line}`),
  );
  expect(offenders).toEqual([]);
});

// Built from parts so that this file itself holds no barrel import for the scan above to find.
const P = '@cdktf/provider-';
test.each([
  [`import { Vpc } from '${P}aws';`, 1],
  [`import * as aws from "${P}aws";`, 1],
  [`import { Release } from '${P}helm'`, 1],
  [`const k = require('${P}kubernetes');`, 1],
  [`import { Vpc } from '${P}aws/lib/vpc';`, 0],
  [`import { Vpc } from '${P}aws/lib';`, 1],
])('the rule flags %s %i time(s)', (line, count) => {
  expect(barrelImports(line)).toHaveLength(count);
});

/** ARCHITECTURE layering: environments -> constructs -> features -> stacks -> main.ts, one direction. */
const LAYERS = ['environments', 'constructs', 'features', 'stacks'] as const;

function importedLayers(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const layer = relative(root, file).split(/[\\/]/)[0];
  return [...source.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)]
    .map((m) => relative(root, join(file, '..', m[1])).split(/[\\/]/)[0])
    .filter((target) => target !== layer);
}

test.each(LAYERS.map((l, i) => [l, LAYERS.slice(i + 1)] as const))('%s imports no later layer (%s)', (layer, later) => {
  const offenders = sources(join(root, layer)).flatMap((file) =>
    importedLayers(file)
      .filter((target) => (later as readonly string[]).includes(target) || target === 'main.ts')
      .map((target) => `${relative(root, file)} -> ${target}`),
  );
  expect(offenders).toEqual([]);
});

test('the layering check sees an upward import', () => {
  expect(importedLayers(join(root, 'features', 'context.ts'))).toContain('constructs');
});
