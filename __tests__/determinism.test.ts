/**
 * OPS-1/OPS-3: two synths of the same sources are byte-identical (reviewers diff synthesized
 * output; noise would hide real changes), and the policy pack does not alter what is written.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { join, relative } from 'path';
import { Lazy, TerraformStack, Testing } from 'cdktf';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { buildStacks, synthesizeApp } from '../stacks/app';
import { CloudStack } from '../stacks/cloud-stack';
import { dropUnsetAttributes, keepUnsetAttributes, withoutUndefined } from '../stacks/unset-attributes';
import { SUPPRESSIONS_KEY } from '../constructs/policy';
import { useProviderWorkloadClasses } from '../constructs/kubernetes/workloads';
import { generateWorkloadConverters, WORKLOAD_CONVERTERS_FILE } from '../scripts/codegen/workload-converters';
import { scratchDir } from './scratch';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

describe('deterministic synth', () => {
  const dirs: string[] = [];
  const previous = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;

  beforeAll(() => {
    // Determinism is independent of the policy status of the tree being edited: write even when
    // the policy pack reports findings (policy.test.ts fails on those).
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = 'true';
    // The second synth is cdktf's own: it runs cdktf's prepareStack on the cloud stacks too
    // (CloudStack skips its preparing resolve: a cloud stack reads no other stack) and resolves
    // every resource with its unset attributes (stacks/unset-attributes.ts drops them first), so
    // byte-identical output also proves that neither shortcut changes anything. Its workloads are
    // the provider's own classes, so it also proves the converter table
    // (constructs/kubernetes/workloads.ts) writes what they write.
    for (let i = 0; i < 2; i++) {
      const dir = scratchDir(`determinism-${i}-`);
      const own = Object.getOwnPropertyDescriptor(CloudStack.prototype, 'prepareStack')!;
      if (i === 1) {
        Object.defineProperty(CloudStack.prototype, 'prepareStack', { ...own, value: TerraformStack.prototype.prepareStack });
        keepUnsetAttributes();
        useProviderWorkloadClasses(true);
      }
      try {
        synthesizeApp({ definitions: DEFINITIONS, outdir: dir });
      } finally {
        Object.defineProperty(CloudStack.prototype, 'prepareStack', own);
        dropUnsetAttributes();
        useProviderWorkloadClasses(false);
      }
      dirs.push(dir);
    }
  });

  test('resources leave out unset attributes, and only those (tokens and literal resolvables kept whole)', () => {
    const token = { resolve: () => 'x', extra: undefined };
    const lazy = Lazy.stringValue({ produce: () => 'y' });
    expect(withoutUndefined({ a: undefined, b: [1, undefined, { c: undefined, d: null }], e: token, f: lazy, g: '' })).toEqual({ b: [1, { d: null }], e: token, f: lazy, g: '' });
    expect(withoutUndefined({ e: token }).e).toBe(token);
  });

  test('the workload converter table is what `npm run codegen` writes from the installed provider', () => {
    expect(readFileSync(WORKLOAD_CONVERTERS_FILE, 'utf8')).toBe(generateWorkloadConverters());
  });

  test('CloudStack skips only the preparing resolve of cdktf\'s prepareStack (the second synth above ran it)', () => {
    expect(Object.prototype.hasOwnProperty.call(CloudStack.prototype, 'prepareStack')).toBe(true);
    expect(CloudStack.prototype.prepareStack).not.toBe(TerraformStack.prototype.prepareStack);
  });

  afterAll(() => {
    if (previous === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = previous;
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('GIVEN the same sources WHEN synthesized twice THEN the same files are written', () => {
    const [a, b] = dirs.map(filesUnder);
    expect(a).toEqual(b);
    expect(a).toEqual(expect.arrayContaining(['manifest.json', ...DEFINITIONS.flatMap((d) => [`stacks/${d.name}/cdk.tf.json`, `stacks/${d.name}-platform/cdk.tf.json`])]));
  });

  test('GIVEN the same sources WHEN synthesized twice THEN every file is byte-identical', () => {
    const different = filesUnder(dirs[0]).filter((f) => !readFileSync(join(dirs[0], f)).equals(readFileSync(join(dirs[1], f))));
    expect(different).toEqual([]);
  });

  test('the synthesized configuration holds no absolute path of the machine that wrote it', () => {
    const offending = filesUnder(dirs[0]).filter((f) => {
      const text = readFileSync(join(dirs[0], f), 'utf8');
      return text.includes(dirs[0]) || text.includes(join(__dirname, '..', '..'));
    });
    expect(offending).toEqual([]);
  });

  test('the policy pack changes nothing it writes but its suppression notes (the stack JSON equals an unchecked resolve)', () => {
    const app = Testing.app();
    buildStacks(app, validateEnvironments(DEFINITIONS));
    const stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c));
    stacks.forEach((s) => s.prepareStack()); // what App.synth does first: registers cross-stack references
    for (const stack of stacks) {
      const written = JSON.parse(readFileSync(join(dirs[0], 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
      const fresh = JSON.parse(JSON.stringify(stack.toTerraform()));
      // The pack's only addition: the suppression notes in the `//` comment block of a resource.
      for (const byName of Object.values<Record<string, any>>(written.resource ?? {})) {
        for (const r of Object.values<Record<string, any>>(byName)) delete r['//']?.[SUPPRESSIONS_KEY];
      }
      expect(written.resource).toEqual(fresh.resource);
    }
  });
});
