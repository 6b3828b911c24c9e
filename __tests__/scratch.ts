/**
 * Scratch folders for tests, removed when their test file ends, after every hook of the file
 * (scripts/jest-environment.js). A run of `npm test` used to leave hundreds of folders in the
 * system's temporary directory: copies of the project, Terraform working directories, synthesized
 * stacks, and an output folder for every `Testing.app()` (cdktf makes one even where nothing is
 * written), hundreds of megabytes per run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The test file's global list of folders to remove; scripts/jest-environment.js reads it by this name. */
const SCRATCH_DIRS = '__torontoAiScratchDirs';

function created(): string[] {
  const g = globalThis as unknown as Record<string, string[] | undefined>;
  return (g[SCRATCH_DIRS] ??= []);
}

/** A new, empty folder in the system's temporary directory, removed after this test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created().push(dir);
  return dir;
}

/** Removes `dir` (made elsewhere: cdktf's Testing helpers) when this test file ends. */
export function removeAfterThisFile(dir: string): void {
  created().push(dir);
}
