import { DEFINITIONS, DefinitionError } from './environments';
import { synthesizeApp } from './stacks/app';

try {
  synthesizeApp({ definitions: DEFINITIONS, selection: process.env.ENVIRONMENTS });
} catch (error) {
  if (!(error instanceof DefinitionError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
