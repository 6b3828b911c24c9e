/**
 * The build's type checker (scripts/type-checker.js, plain JavaScript because the app command
 * needs it before anything is compiled), typed for the compiled scripts and tests that run it.
 */
import { join } from 'node:path';

export interface TypeChecker {
  /** The executable: the native binary, or node for TypeScript 5.9's tsc. */
  readonly command: string;
  /** Arguments before the caller's own (tsc's script for 5.9). */
  readonly args: string[];
  /** TypeScript 7's native compiler. */
  readonly native: boolean;
  /** Why the native compiler is not used, when it is not. */
  readonly note?: string;
}

// dist/scripts/ -> the repository's scripts/
export const { typeChecker } = require(join(__dirname, '..', '..', 'scripts', 'type-checker.js')) as { typeChecker: (root: string) => TypeChecker };
