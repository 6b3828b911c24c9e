/**
 * Runs in every test file after jest's globals exist (jest `setupFilesAfterEnv`): what a test file
 * leaves in the system's temporary directory is removed when it ends. cdktf's `Testing.app()`
 * makes an output folder there unless given one, and `Testing.fullSynth` always does; both are
 * recorded here, with every folder of scratchDir.
 */
import { App, TerraformStack, Testing, TestingAppConfig } from 'cdktf';
import { removeAfterThisFile, removeScratchDirs } from './scratch';

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

afterAll(removeScratchDirs);
