/**
 * A folder in the system's temporary directory for the length of one call, removed afterwards
 * whatever happens: where the tools (`npm run completeness`, `recovery-table`, `policy`,
 * `diagram`) synthesize, or where a cdktf App they only build makes its output folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function withScratchFolder<T>(prefix: string, use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
