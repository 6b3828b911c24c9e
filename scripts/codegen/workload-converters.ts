/**
 * Generates constructs/kubernetes/workload-converters.generated.ts: what the Kubernetes provider's
 * four workload classes (Deployment, DaemonSet, Job, CronJob) do when they write their
 * configuration into Terraform JSON, as a table: for every block, each Terraform attribute in the
 * provider's order, the configuration field it comes from and how it is mapped (a value, a list
 * of values, a map, a nested block, a list of blocks). Blocks of the same shape (the pod template
 * the four share) are kept once.
 *
 * Why: the provider implements this with one generated function per block, about 19 MB of
 * JavaScript for the four workloads (`index-structs/structs0.js` and `structs400.js` of each),
 * which every process that loads the program compiled: about 0.35 s of its 1 s start-up. The
 * table is about 60 KB and `constructs/kubernetes/workloads.ts` interprets it with cdktf's own
 * mappers (`listMapper`, `hashMapper`). `__tests__/determinism.test.ts` synthesizes every
 * environment with the provider's own classes and proves the output byte-identical.
 *
 * The generator reads the provider's compiled JavaScript and refuses any mapping it does not know,
 * so an upgrade that changes the code's shape fails here instead of writing something different.
 *
 * Run: `npm run codegen` after upgrading @cdktf/provider-kubernetes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const PROVIDER = dirname(require.resolve('@cdktf/provider-kubernetes/package.json', { paths: [root] }));
const RESOURCES = [
  { module: 'deployment-v1', name: 'DeploymentV1' },
  { module: 'daemon-set-v1', name: 'DaemonSetV1' },
  { module: 'job-v1', name: 'JobV1' },
  { module: 'cron-job-v1', name: 'CronJobV1' },
];

/** How a field is mapped: `s` a value, `sl` a list of values, `sm` a map of values, `b` a block, `bl` a list of blocks. */
type Kind = 's' | 'sl' | 'sm' | 'b' | 'bl';
/** [Terraform attribute, configuration field, kind, block index (b and bl)] */
type Field = [string, string, Kind] | [string, string, Kind, number];

const SCALAR = '(?:stringToTerraform|numberToTerraform|booleanToTerraform|anyToTerraform)';
const FN = '(?:\\(0, )?(?:[a-z0-9_]+\\.)?([A-Za-z0-9]+ToTerraform)\\)?';
const PATTERNS: Array<[RegExp, Kind]> = [
  [new RegExp(`^cdktf\\.${SCALAR}\\((?:struct|this)\\.(\\w+)\\)$`), 's'],
  [new RegExp(`^cdktf\\.listMapper\\(cdktf\\.${SCALAR}, false\\)\\((?:struct|this)\\.(\\w+)\\)$`), 'sl'],
  [new RegExp(`^cdktf\\.hashMapper\\(cdktf\\.${SCALAR}\\)\\((?:struct|this)\\.(\\w+)\\)$`), 'sm'],
  [new RegExp(`^${FN}\\((?:struct|this)\\.(\\w+?)(?:\\.internalValue)?\\)$`), 'b'],
  [new RegExp(`^cdktf\\.listMapper\\(${FN}, true\\)\\((?:struct|this)\\.(\\w+?)(?:\\.internalValue)?\\)$`), 'bl'],
];

interface RawField {
  readonly tf: string;
  readonly key: string;
  readonly kind: Kind;
  readonly fn?: string;
}

/** The entries of a returned object literal (`return { a: mapper(struct.b), ... };`), parsed. */
function parseReturn(body: string, where: string): RawField[] {
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^([a-z0-9_]+): (.*),$/.exec(line);
      if (!m) throw new Error(`${where}: cannot read "${line}"`);
      for (const [pattern, kind] of PATTERNS) {
        const p = pattern.exec(m[2]);
        if (!p) continue;
        const [fn, field] = kind === 'b' || kind === 'bl' ? [p[1], p[2]] : [undefined, p[1]];
        return { tf: m[1], key: field.replace(/^_/, ''), kind, fn };
      }
      throw new Error(`${where}: unknown mapping "${m[2]}" of ${m[1]}`);
    });
}

/** The generated file's text, from the installed provider. */
export function generateWorkloadConverters(): string {
  const functions = new Map<string, RawField[]>();
  const resources: Record<string, { type: string; generator: Record<string, string>; fields: RawField[] }> = {};
  for (const r of RESOURCES) {
    const dir = join(PROVIDER, 'lib', r.module);
    for (const file of readdirSync(join(dir, 'index-structs')).filter((f) => /^structs\d+\.js$/.test(f))) {
      const text = readFileSync(join(dir, 'index-structs', file), 'utf8');
      for (const m of text.matchAll(/^function (\w+ToTerraform)\(struct\) \{\n([\s\S]*?)^\}$/gm)) {
        const ret = /^ {4}return \{\n([\s\S]*?)^ {4}\};$/m.exec(m[2]);
        if (!ret) throw new Error(`${r.module}/${file}: ${m[1]} has no object literal to return`);
        if (!m[2].includes('cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)') || !m[2].includes('cdktf.isComplexElement(struct)')) {
          throw new Error(`${r.module}/${file}: ${m[1]} does not start with the usual checks`);
        }
        functions.set(m[1], parseReturn(ret[1], `${r.module}/${file} ${m[1]}`));
      }
    }
    const index = readFileSync(join(dir, 'index.js'), 'utf8');
    const attrs = /^ {4}synthesizeAttributes\(\) \{\n {8}return \{\n([\s\S]*?)^ {8}\};\n {4}\}$/m.exec(index);
    const type = /terraformResourceType: '(\w+)'/.exec(index);
    const generator = /terraformGeneratorMetadata: \{\s*providerName: '([^']+)',\s*providerVersion: '([^']+)',\s*providerVersionConstraint: '([^']+)'\s*\}/.exec(index);
    if (!attrs || !type || !generator) throw new Error(`${r.module}/index.js: the class is not in the expected shape`);
    resources[r.name] = {
      type: type[1],
      generator: { providerName: generator[1], providerVersion: generator[2], providerVersionConstraint: generator[3] },
      fields: parseReturn(attrs[1], `${r.module}/index.js synthesizeAttributes`),
    };
  }
  // Blocks by shape: a block's shape is its fields with the shapes of its nested blocks.
  const blocks: Field[][] = [];
  const byShape = new Map<string, number>();
  const indexOf = new Map<string, number>();
  const resolve = (fn: string, seen: string[] = []): number => {
    const known = indexOf.get(fn);
    if (known !== undefined) return known;
    if (seen.includes(fn)) throw new Error(`recursive block ${fn}`);
    const raw = functions.get(fn);
    if (!raw) throw new Error(`no function ${fn}`);
    const fields = convert(raw, [...seen, fn]);
    const shape = JSON.stringify(fields);
    let i = byShape.get(shape);
    if (i === undefined) {
      i = blocks.push(fields) - 1;
      byShape.set(shape, i);
    }
    indexOf.set(fn, i);
    return i;
  };
  const convert = (raw: RawField[], seen: string[] = []): Field[] => raw.map((f) => (f.fn ? [f.tf, f.key, f.kind, resolve(f.fn, seen)] : [f.tf, f.key, f.kind]));
  const table = {
    provider: JSON.parse(readFileSync(join(PROVIDER, 'package.json'), 'utf8')).version as string,
    resources: Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, { type: r.type, generator: r.generator, fields: convert(r.fields) }])),
    blocks,
  };
  const json = JSON.stringify(table);
  return [
    '// Generated by scripts/codegen/workload-converters.ts (`npm run codegen`) from',
    `// @cdktf/provider-kubernetes ${table.provider}: do not edit. See constructs/kubernetes/workloads.ts.`,
    '/* eslint-disable */',
    `export const WORKLOAD_CONVERTERS = ${JSON.stringify(json)};`,
    '',
  ].join('\n');
}

export const WORKLOAD_CONVERTERS_FILE = join(root, 'constructs', 'kubernetes', 'workload-converters.generated.ts');

if (require.main === module) {
  writeFileSync(WORKLOAD_CONVERTERS_FILE, generateWorkloadConverters());
  process.stdout.write(`wrote ${WORKLOAD_CONVERTERS_FILE}\n`);
}
