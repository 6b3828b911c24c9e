import { DEFINITIONS, DefinitionError } from './environments';
import { synthesizeApp } from './stacks/app';

/**
 * The type check of this build while scripts/app.js is still running it (see that file): the app
 * starts only once it has passed, so a type error never leaves anything written.
 */
const typeCheck = (globalThis as { torontoAiTypeCheck?: Promise<void> }).torontoAiTypeCheck ?? Promise.resolve();

void typeCheck.then(() => {
  try {
    synthesizeApp({ definitions: DEFINITIONS, selection: process.env.ENVIRONMENTS });
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
});
