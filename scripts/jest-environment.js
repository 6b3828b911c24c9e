/**
 * Jest's node environment, plus one thing: when a test file ends, after every hook of the file
 * has run, the folders its tests made in the system's temporary directory are removed
 * (`__tests__/scratch.ts` records them on the file's global object). Removing them in an `afterAll`
 * hook instead would run before the file's own top-level `afterAll` hooks, which may still read them.
 */
const { rmSync } = require('node:fs');
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

/** The global where __tests__/scratch.ts lists the folders to remove (keep the two in step). */
const SCRATCH_DIRS = '__torontoAiScratchDirs';

class ScratchCleaningEnvironment extends NodeEnvironment {
  async teardown() {
    for (const dir of this.global?.[SCRATCH_DIRS] ?? []) rmSync(dir, { recursive: true, force: true });
    await super.teardown();
  }
}

module.exports = ScratchCleaningEnvironment;
