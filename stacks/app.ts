import { App } from 'cdktf';
import { Environment } from '../environments/schema';
import { selectEnvironments, validateEnvironments } from '../environments';
import { CloudStack } from './cloud-stack';
import { PlatformStack } from './platform-stack';
import { applyPolicies } from '../constructs/policy/aspect';

export interface EnvironmentStacks {
  readonly cloud: CloudStack;
  readonly platform: PlatformStack;
}

/** Builds the two stacks of each (already validated) environment into `app`. */
export function buildStacks(app: App, environments: readonly Environment[]): Record<string, EnvironmentStacks> {
  const result: Record<string, EnvironmentStacks> = {};
  for (const env of environments) {
    const cloud = new CloudStack(app, env);
    const platform = new PlatformStack(app, env, cloud.outputs);
    platform.addDependency(cloud);
    applyPolicies(cloud);
    applyPolicies(platform);
    result[env.name] = { cloud, platform };
  }
  return result;
}

export interface SynthesizeOptions {
  /** Raw definitions, validated here before anything else happens. */
  readonly definitions: readonly unknown[];
  /** Comma-separated environment names (the ENVIRONMENTS variable); empty means all. */
  readonly selection?: string;
  /** Output directory; default: cdktf's (CDKTF_OUTDIR or cdktf.out). */
  readonly outdir?: string;
}

/**
 * The whole run: validate every definition (all problems at once, DefinitionError), select,
 * build, synthesize. Nothing is written unless every definition is valid.
 */
export function synthesizeApp(options: SynthesizeOptions): App {
  const app = buildApp(options);
  app.synth();
  return app;
}

/**
 * Validates, selects and builds the construct tree without writing anything; `app.synth()`
 * writes. Throws DefinitionError (every problem at once) before any construct exists.
 */
export function buildApp(options: SynthesizeOptions): App {
  const environments = selectEnvironments(validateEnvironments(options.definitions), options.selection);
  const app = new App(options.outdir ? { outdir: options.outdir } : undefined);
  buildStacks(app, environments);
  return app;
}
