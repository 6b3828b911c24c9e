import { DEFINITIONS, DefinitionError } from './environments';
import { synthesizeApp } from './stacks/app';

/**
 * The app: validate every definition, build the stacks, synth. `typeCheck` is the type check of
 * this build while scripts/app.js (the cdktf app command) is still running it: nothing is built
 * or written before it has passed. Run directly (`node dist/main.js`), there is none to wait for.
 */
export function main(typeCheck: Promise<void> = Promise.resolve()): Promise<void> {
  return typeCheck.then(() => {
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
