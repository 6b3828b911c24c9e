/**
 * OPS-1/OPS-3: two synths of the same sources are byte-identical (reviewers diff synthesized
 * output; noise would hide real changes), and the policy pack does not alter what is written.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { join, relative } from 'path';
import { inspect } from 'util';
import { DefaultTokenResolver, Fn, IResolveContext, Lazy, StringConcat, TerraformIterator, TerraformStack, TerraformVariable, Testing, Token, Tokenization } from 'cdktf';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { buildStacks, synthesizeApp } from '../stacks/app';
import { CloudStack } from '../stacks/cloud-stack';
import { plainResolveApplies, resolvePlainDataFast, resolveWithCdktf } from '../stacks/plain-resolve';
import { SUPPRESSIONS_KEY } from '../constructs/policy';
import { useProviderWorkloadClasses } from '../constructs/kubernetes/workloads';
import { generateWorkloadConverters, WORKLOAD_CONVERTERS_FILE } from '../scripts/codegen/workload-converters';
import { scratchDir } from './scratch';
import { SYNTH_CACHE_DIR, synthesizedApp } from './synth-cache';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (relative(dir, p) !== 'suite-index.json') out.push(relative(dir, p)); // the synth cache's index beside its synth
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
    // (CloudStack skips its preparing resolve: a cloud stack reads no other stack), and resolves
    // with cdktf's own resolve (stacks/plain-resolve.ts copies token-free data itself), so
    // byte-identical output also proves that none of the shortcuts changes anything. Its workloads are
    // the provider's own classes, so it also proves the converter table
    // (constructs/kubernetes/workloads.ts) writes what they write.
    // The first synth is the run's whole-app synth, with every shortcut (./synth-cache.ts
    // `synthesizedApp`: main.ts's App, kept for every test file), when the policy pack lets it be
    // written; otherwise one of this file's own.
    let first: string | undefined;
    try {
      first = synthesizedApp().outdir;
    } catch {
      first = undefined;
    }
    if (first) dirs.push(first);
    for (let i = first ? 1 : 0; i < 2; i++) {
      const dir = scratchDir(`determinism-${i}-`);
      const own = Object.getOwnPropertyDescriptor(CloudStack.prototype, 'prepareStack')!;
      if (i === 1) {
        Object.defineProperty(CloudStack.prototype, 'prepareStack', { ...own, value: TerraformStack.prototype.prepareStack });
        resolveWithCdktf();
        useProviderWorkloadClasses(true);
      }
      try {
        synthesizeApp({ definitions: DEFINITIONS, outdir: dir });
      } finally {
        Object.defineProperty(CloudStack.prototype, 'prepareStack', own);
        resolvePlainDataFast();
        useProviderWorkloadClasses(false);
      }
      dirs.push(dir);
    }
  });

  test('the plain-data resolve returns and throws what cdktf\'s own does, tokens, contexts and evaluation order included', () => {
    expect(plainResolveApplies()).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const resolveModule = require('cdktf/lib/tokens/private/resolve') as { resolve: (obj: unknown, options: object) => unknown };
    const stack = new TerraformStack(Testing.app(), 'resolve-cases');
    const variable = new TerraformVariable(stack, 'names', { type: 'list(string)' });
    const log: string[] = [];
    const lazy = (name: string, value: unknown) => Lazy.anyValue({ produce: (context: IResolveContext) => (log.push(`${name}:${context.preparing}:${context.suppressBraces}:${context.iteratorContext}`), value) });
    const nested = (depth: number, leaf: unknown, asArray: boolean) => {
      let value = leaf;
      for (let i = 0; i < depth; i++) value = asArray ? [value] : { k: value };
      return value;
    };
    const numberToken = Token.asNumber(lazy('n', 7));
    const cases: Record<string, () => unknown> = {
      plain: () => ({ a: 1, b: 'x', c: [1, 'y', undefined, null, true, -0, NaN, Infinity, -Infinity, -1e300, 1e300], d: undefined, e: {}, f: [], g: { h: { i: '' } } }),
      'number-like strings': () => ({ '1e5': '1e5', 'a-e2e': 'model-sync-0e9e83ad', x: ['+e+', '|e|', '.eE', 'e1', '1e'] }),
      'escapes without tokens': () => ({ s: '${not.a.token} ${TfToken', t: ['}{', '${'] }),
      'string tokens': () => ({ s: Token.asString(lazy('s', 'v')), t: `a-${Token.asString(lazy('t', 'w'))}-\${escaped}-b`, u: [Token.asString(lazy('u', { deep: [1, undefined] }))] }),
      'number tokens': () => ({ n: numberToken, m: [1, numberToken], s: `size-${numberToken}`, [`${numberToken}`]: 1 }),
      'list tokens': () => ({ l: Token.asList(lazy('l', ['a', 'b'])), n: Token.asNumberList(lazy('nl', [1, 2])), v: variable.listValue }),
      'list token with another element': () => ({ l: [...Token.asList(lazy('l', ['a'])), 'x'] }),
      'number list token with another element': () => ({ l: [...Token.asNumberList(lazy('nl', [1])), 2] }),
      'map tokens': () => ({ m: Token.asStringMap(lazy('m', { a: 'b' })), n: Token.asNumberMap(lazy('nm', { a: 1 })), a: Token.asAnyMap(lazy('am', { a: [undefined, 'c'] })) }),
      'map token with another key': () => ({ m: { ...Token.asStringMap(lazy('m', { a: 'b' })), x: 'y' } }),
      'map token value as a string': () => ({ s: ['String Map Token Value'] }),
      'any map token value as a string': () => ({ s: 'Any Map Token Value' }),
      'map token value as a number': () => ({ n: [-123456789] }),
      'literal resolvables and post-processors': () => ({
        r: { resolve: (context: IResolveContext) => { context.registerPostProcessor({ postProcess: (x) => ({ processed: x }) }); return { inner: [lazy('r', 'v'), undefined] }; } },
        q: [{ resolve: () => undefined }, { resolve: () => null }],
      }),
      'terraform functions and references': () => ({ j: Fn.join(',', [Token.asString(lazy('j', 'x')), variable.stringValue]), v: variable.listValue, e: `\${${variable.stringValue}}` }),
      'dynamic blocks': () => {
        const iterator = TerraformIterator.fromList(variable.listValue);
        return { block: iterator.dynamic({ name: iterator.value, tags: { k: iterator.key, l: lazy('d', 'x') } }) };
      },
      'token keys': () => ({ [Token.asString(lazy('key', 'k'))]: 'v', plain: 'w' }),
      'key resolving to a number': () => ({ [Token.asString(lazy('key', 5))]: 'v' }),
      'number-token key resolving to a number': () => ({ [`${numberToken}`]: 'v' }),
      'functions': () => ({ f: [() => 1] }),
      'constructs': () => ({ s: stack }),
      'construct-shaped data': () => ({ c: { _children: {}, _metadata: [] } }),
      'other objects': () => ({ d: new Date(0), c: new (class { x = 1; y = undefined; z = lazy('c', 2); })(), n: Object.assign(Object.create(null), { a: undefined, b: lazy('b', 'x') }) }),
      'sparse arrays': () => ({ s: [1, , 3] }), // eslint-disable-line no-sparse-arrays
      ...Object.fromEntries([198, 199, 200, 201, 202].flatMap((depth) => [
        [`${depth} objects deep`, () => nested(depth, 'leaf', false)],
        [`${depth} arrays deep`, () => nested(depth, 'leaf', true)],
        [`${depth} objects deep to an undefined`, () => nested(depth, undefined, false)],
        [`${depth} objects deep to a token`, () => nested(depth, lazy('deep', 'x'), false)],
      ])),
      'a lone string token': () => Token.asString(lazy('s', 'v')),
      'a lone number token': () => numberToken,
      'a lone list token': () => Token.asList(lazy('l', ['a'])),
      'a lone value': () => 'x',
    };
    const outcome = (value: unknown, how: (value: unknown) => unknown) => {
      log.length = 0;
      let result: string;
      try {
        result = inspect(how(value), { depth: Infinity });
      } catch (error) {
        result = `throws ${(error as Error).message}`;
      }
      return { result, log: [...log] };
    };
    const hows: Record<string, (value: unknown) => unknown> = {
      resolving: (value) => Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) }),
      preparing: (value) => Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()), preparing: true }),
      'with a prefix and a previous context': (value) => resolveModule.resolve(value, {
        scope: stack, resolver: new DefaultTokenResolver(new StringConcat()), prefix: ['a', 'b'],
        previousContext: { suppressBraces: true, iteratorContext: 'FOR_EXPRESSION', ignoreEscapes: true, warnEscapes: false },
      }),
    };
    try {
      for (const [name, how] of Object.entries(hows)) {
        for (const [label, make] of Object.entries(cases)) {
          const value = make(); // one value for both (a new one would hold new token numbers)
          resolvePlainDataFast();
          const fast = outcome(value, how);
          resolveWithCdktf();
          expect({ case: `${label}, ${name}`, ...fast }).toEqual({ case: `${label}, ${name}`, ...outcome(value, how) });
        }
      }
    } finally {
      resolvePlainDataFast();
    }
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
    for (const d of dirs.slice(1)) rmSync(d, { recursive: true, force: true });
    if (dirs[0] && !dirs[0].startsWith(SYNTH_CACHE_DIR)) rmSync(dirs[0], { recursive: true, force: true });
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
