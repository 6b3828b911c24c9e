/**
 * Scratch folders for tests, removed when their test file ends (`afterAll` in
 * __tests__/setup-after-env.ts). A run of `npm test` used to leave hundreds of folders in the
 * system's temporary directory: copies of the project, Terraform working directories, synthesized
 * stacks, and an output folder for every `Testing.app()` (cdktf makes one even where nothing is
 * written), hundreds of megabytes per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/** A new, empty folder in the system's temporary directory, removed after this test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes `dir` (made elsewhere: cdktf's Testing helpers) when this test file ends. */
export function removeAfterThisFile(dir: string): void {
  created.push(dir);
}

/** Removes every folder scratchDir made (or removeAfterThisFile was given) in this test file. */
export function removeScratchDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
