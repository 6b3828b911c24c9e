import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { DEFINITIONS, DefinitionError } from './environments';
import { synthesizeApp } from './stacks/app';
import { installSynthShortcuts } from './stacks/synth-shortcuts';

/**
 * Moves what a synth wrote into `staging` over the output folder: `manifest.json` and, per stack,
 * `cdk.tf.json` and `assets/` (replaced whole). Everything else in the output folder (Terraform's
 * `.terraform/`, lock files, plans) stays: it is not the synth's to replace.
 */
export function publishSynth(staging: string, outdir: string): void {
  mkdirSync(join(outdir, 'stacks'), { recursive: true });
  const stacks = join(staging, 'stacks');
  for (const stack of existsSync(stacks) ? readdirSync(stacks) : []) {
    const target = join(outdir, 'stacks', stack);
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(join(stacks, stack))) {
      rmSync(join(target, entry), { recursive: true, force: true });
      renameSync(join(stacks, stack, entry), join(target, entry));
    }
  }
  for (const entry of readdirSync(staging)) {
    if (entry === 'stacks') continue;
    rmSync(join(outdir, entry), { recursive: true, force: true });
    renameSync(join(staging, entry), join(outdir, entry));
  }
  rmSync(staging, { recursive: true, force: true });
}

/**
 * The app: validate every definition, build the stacks, synth. `typeCheck` is the type check of
 * this build while scripts/app.js (the cdktf app command) is still running it in a child process;
 * meanwhile the program is built and synthesized into a staging folder beside the output folder
 * (`<outdir>.staging`), and only once the check has passed is it moved into the output folder, so
 * a type error still leaves nothing written (app.js exits, and the staging folder is removed on
 * exit). A definition error found meanwhile is reported only after the check, as before. Run
 * directly (`node dist/main.js`), there is no check to wait for.
 */
export function main(typeCheck: Promise<void> = Promise.resolve()): Promise<void> {
  installSynthShortcuts();
  const outdir = resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const staging = `${outdir}.staging`;
  const cleanup = () => rmSync(staging, { recursive: true, force: true });
  cleanup();
  process.on('exit', cleanup);
  let failure: unknown;
  try {
    synthesizeApp({ definitions: DEFINITIONS, selection: process.env.ENVIRONMENTS, outdir: staging });
  } catch (error) {
    failure = error;
  }
  return typeCheck.then(() => {
    if (failure !== undefined) {
      if (!(failure instanceof DefinitionError)) throw failure;
      process.stderr.write(`${failure.message}\n`);
      process.exit(1);
    }
    publishSynth(staging, outdir);
    process.removeListener('exit', cleanup);
  });
}

if (require.main === module) void main();
