/**
 * Runs in every test file before its code (jest `setupFilesAfterEnv`): cdktf's `Testing.app()`
 * makes an output folder in the system's temporary directory unless given one, and
 * `Testing.fullSynth` always does; both are recorded to be removed when the file ends, with every
 * folder of scratchDir (__tests__/scratch.ts, scripts/jest-environment.js).
 */
import { App, TerraformStack, Testing, TestingAppConfig } from 'cdktf';
import { removeAfterThisFile } from './scratch';

const testingApp = Testing.app.bind(Testing);
Testing.app = (options: TestingAppConfig = {}): App => {
  const app = testingApp(options);
  if (options.outdir === undefined) removeAfterThisFile(app.outdir);
  return app;
};
const fullSynth = Testing.fullSynth.bind(Testing);
Testing.fullSynth = (stack: TerraformStack): string => {
  const outdir = fullSynth(stack);
  removeAfterThisFile(outdir);
  return outdir;
};
