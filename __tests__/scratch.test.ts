/**
 * What a test file puts in the system's temporary directory is removed when the file ends
 * (__tests__/scratch.ts, __tests__/setup-after-env.ts, scripts/jest-environment.js).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { scratchDir } from './scratch';

// The environment is plain JavaScript that jest loads by path (jest.config.js); this file runs from dist/__tests__/.
const Environment = require(join(__dirname, '..', '..', 'scripts', 'jest-environment.js'));

test('the folders of scratchDir and of cdktf\'s Testing.app()/fullSynth are listed for removal', () => {
  const listed = (): string[] => (globalThis as unknown as Record<string, string[]>).__torontoAiScratchDirs;
  const dir = scratchDir('scratch-test-');
  const app = Testing.app();
  const given = scratchDir('scratch-given-');
  const withOutdir = Testing.app({ outdir: join(given, 'out') });
  expect(listed()).toEqual(expect.arrayContaining([dir, app.outdir, given]));
  // An output folder the test chose is removed with the folder it is in, not listed on its own.
  expect(listed()).not.toContain(withOutdir.outdir);
});

test('the environment removes the listed folders at its teardown, after every hook of the file', async () => {
  const env = new Environment({ globalConfig: {}, projectConfig: { testEnvironmentOptions: {} } }, { console, docblockPragmas: {}, testPath: __filename });
  await env.setup();
  const dir = scratchDir('scratch-teardown-');
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'file'), 'x');
  env.global.__torontoAiScratchDirs = [dir];
  await env.teardown();
  expect(existsSync(dir)).toBe(false);
});
