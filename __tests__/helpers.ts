/**
 * Shared test helpers: build definitions, synthesize stacks, and query the synthesized JSON.
 *
 * `cdktf` and `../stacks/app` are loaded only by the functions that build or synthesize
 * (`stacksFor`, `synth`, `refusedBeforeWriting`, and `shipped` on a cache miss): loading the
 * program (every construct and provider class it uses) costs about a second of CPU, which a test
 * file that only reads the cached JSON of `shipped` or only validates definitions never needs.
 * A lazy `require('cdktf')` returns the module object that ./setup-after-env.ts patched (jest
 * loads the setup files and the test file in one module registry), so the output folders of
 * `Testing.app()` and `Testing.fullSynth` are still recorded for removal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, TerraformStack } from 'cdktf';
import { EnvironmentInput, DEFINITIONS, DefinitionError, validateEnvironments, Environment } from '../environments';
import type { EnvironmentStacks } from '../stacks/app';
import { cachedShipped, ShippedJson, synthesizedApp } from './synth-cache';
import { scratchDir } from './scratch';
import { readStack } from '../scripts/terraform-check';

/** cdktf, loaded at first use (see above). */
const cdktf = () => require('cdktf') as typeof import('cdktf');
/** The program's stacks, loaded at first use (see above). */
const program = () => require('../stacks/app') as typeof import('../stacks/app');

export type Json = Record<string, any>;

/** A deep copy of a shipped definition, changed by `mutate` (for bad-input tests). */
export function definition(name: string, mutate?: (d: any) => void): EnvironmentInput {
  const found = DEFINITIONS.find((d) => d.name === name);
  if (!found) throw new Error(`no definition ${name}`);
  const copy = JSON.parse(JSON.stringify(found));
  mutate?.(copy);
  return copy;
}

export function environment(name: string, mutate?: (d: any) => void): Environment {
  return validateEnvironments([definition(name, mutate)])[0];
}

const cache = new Map<string, { app: App; stacks: EnvironmentStacks }>();

/** Builds both stacks of an environment into a test app (cached per name when unmodified). */
export function stacksFor(name: string, mutate?: (d: any) => void): EnvironmentStacks {
  if (!mutate && cache.has(name)) return cache.get(name)!.stacks;
  // cdktf's own version in the metadata, as `cdktf synth` writes it (Testing.app stubs it by default).
  const app = cdktf().Testing.app({ stubVersion: false });
  const stacks = program().buildStacks(app, [environment(name, mutate)])[name];
  if (!mutate) cache.set(name, { app, stacks });
  return stacks;
}

const synthCache = new WeakMap<TerraformStack, Json>();

/**
 * The synthesized Terraform JSON of a stack, exactly as `cdktf synth` writes it (metadata,
 * cross-stack references and outputs included): its whole app is synthesized as `App.synth` does
 * (every stack prepared, which registers the cross-stack references and outputs, then written and
 * validated), once, and every stack of it cached. (`Testing.fullSynth` writes the one stack without
 * preparing any: a platform stack then named the cloud stack's resources directly, and the cloud
 * stack had none of the outputs the platform stack reads.)
 */
export function synth(stack: TerraformStack): Json {
  const cached = synthCache.get(stack);
  if (cached) return cached;
  const { App, TerraformStack: Stack } = cdktf();
  const app = stack.node.root;
  if (!App.isApp(app)) throw new Error(`synth: ${stack.node.path} is not in a cdktf App`);
  app.synth();
  for (const child of app.node.children) {
    if (child instanceof Stack) {
      const file = join(app.outdir, 'stacks', child.node.id, 'cdk.tf.json');
      if (existsSync(file)) synthCache.set(child, JSON.parse(readFileSync(file, 'utf8')));
    }
  }
  return synthCache.get(stack)!;
}

/**
 * The synthesized JSON of both stacks of a shipped, unmodified environment: the same as
 * `synth(stacksFor(name).cloud)` and `synth(stacksFor(name).platform)`, read from the whole-app
 * synth that the run keeps on disk for every test file (./synth-cache.ts `synthesizedApp`, keyed by
 * the compiled program; the render tests read the same one). For tests that only read the JSON; a
 * test that needs the constructs uses `stacksFor`.
 */
export function shipped(name: string): ShippedJson {
  return cachedShipped(name, () => {
    const { outdir, index } = synthesizedApp();
    const found = index.envs.find((e) => e.env === name);
    if (!found) throw new Error(`no environment ${name} in the whole-app synth`);
    return { cloud: readStack<Json>(outdir, found.cloud), platform: readStack<Json>(outdir, found.platform) };
  });
}

/** All resources of a type: `[{ name, ...config }]`. */
export function resources(json: Json, type: string): Json[] {
  return Object.entries(json.resource?.[type] ?? {}).map(([name, config]) => ({ __name: name, ...(config as Json) }));
}

/** The one resource of a type whose construct path ends with `pathSuffix`. */
export function resourceAt(json: Json, type: string, pathSuffix: string): Json {
  const found = resources(json, type).filter((r) => String(r['//']?.metadata?.path ?? '').endsWith(pathSuffix));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} at *${pathSuffix}, found ${found.length}: ${resources(json, type).map((r) => r['//']?.metadata?.path).join(', ')}`);
  }
  return found[0];
}

/** The Terraform address (`type.name`) of a resource returned by `resources`/`resourceAt`. */
export function address(type: string, r: Json): string {
  return `${type}.${r.__name}`;
}

/** Every problem validation reports for these raw definitions (empty when they are valid). */
export function problemsOfInputs(inputs: readonly unknown[]): string[] {
  try {
    validateEnvironments(inputs);
  } catch (e) {
    if (e instanceof DefinitionError) return [...e.problems];
    throw e;
  }
  return [];
}

/** The problems of a shipped definition changed by `mutate`. */
export function definitionProblems(name: string, mutate: (d: any) => void): string[] {
  return problemsOfInputs([definition(name, mutate)]);
}

/**
 * Runs the whole app on these raw definitions into a fresh output directory and returns the
 * problems it refused them with; fails when anything was written (or when nothing was refused).
 */
export function refusedBeforeWriting(inputs: readonly unknown[]): string[] {
  const outdir = join(scratchDir('refused-'), 'out');
  let problems: string[] | undefined;
  try {
    program().synthesizeApp({ definitions: inputs, outdir });
  } catch (e) {
    if (!(e instanceof DefinitionError)) throw e;
    problems = [...e.problems];
  }
  if (problems === undefined) throw new Error('the definitions were accepted');
  if (existsSync(outdir)) throw new Error(`${outdir} was written although the definitions were refused`);
  return problems;
}
