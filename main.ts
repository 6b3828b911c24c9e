import { DEFINITIONS, DefinitionError } from './environments';
import { synthesizeApp } from './stacks/app';
import { skipTokenCreationStacks } from './stacks/token-traces';

/**
 * The app: validate every definition, build the stacks, synth. `typeCheck` is the type check of
 * this build while scripts/app.js (the cdktf app command) is still running it: nothing is built
 * or written before it has passed. Run directly (`node dist/main.js`), there is none to wait for.
 */
export function main(typeCheck: Promise<void> = Promise.resolve()): Promise<void> {
  return typeCheck.then(() => {
    if (process.env.TORONTO_AI_TOKEN_STACKS !== '1') skipTokenCreationStacks();
    try {
      synthesizeApp({ definitions: DEFINITIONS, selection: process.env.ENVIRONMENTS });
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
  });
}

if (require.main === module) void main();
