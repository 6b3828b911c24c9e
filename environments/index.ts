/**
 * Validates environment definitions and turns zod issues into one readable error:
 * `<environment>.<field path>: <rule broken>` per line, every problem of every environment at once.
 */
import { ZodIssue } from 'zod';
import { Environment, EnvironmentInput, environmentSchema } from './schema';
import { development } from './development';
import { testing } from './testing';
import { staging } from './staging';
import { production } from './production';
import { checkCicdAcross } from './sections/cicd';

export * from './schema';
export * from './catalog';

/** The definitions this repository ships, in promotion order. */
export const DEFINITIONS: readonly EnvironmentInput[] = [development, testing, staging, production];

export class DefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `${problems.length} problem(s) in the environment definitions; nothing was synthesized:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'DefinitionError';
  }
}

function describe(envName: string, issue: ZodIssue): string {
  const path = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    message = issue.received === 'undefined' ? `is required (${issue.expected})` : `must be ${issue.expected}, got ${issue.received}`;
  } else if (issue.code === 'unrecognized_keys') {
    message = `unknown field(s) ${issue.keys.join(', ')}; check the spelling against environments/schema.ts`;
  } else if (issue.code === 'too_small' && issue.type === 'number') {
    message = `must be >= ${String(issue.minimum)}`;
  } else if (issue.code === 'too_big' && issue.type === 'number') {
    message = `must be <= ${String(issue.maximum)}`;
  }
  return `${envName}${path}: ${message}`;
}

/**
 * Validates every definition and returns them parsed (defaults applied), or throws one
 * DefinitionError listing every problem. Names must be unique.
 */
export function validateEnvironments(inputs: readonly unknown[]): Environment[] {
  const problems: string[] = [];
  const parsed: Environment[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const rawName = (input as { name?: unknown } | undefined)?.name;
    const envName = typeof rawName === 'string' && rawName !== '' ? rawName : `definition[${index}]`;
    const result = environmentSchema.safeParse(input);
    if (!result.success) {
      problems.push(...result.error.issues.map((i) => describe(envName, i)));
      return;
    }
    if (seen.has(result.data.name)) {
      problems.push(`${envName}.name: defined twice; environment names must be unique`);
    }
    seen.add(result.data.name);
    parsed.push(result.data);
  });
  // `cicd.deploy.after` may name any environment of the registry, or of the definitions given.
  const known = [...DEFINITIONS, ...inputs].map((input) => (input as { name?: unknown } | undefined)?.name);
  problems.push(...checkCicdAcross(parsed, [...new Set(known.filter((n): n is string => typeof n === 'string'))]));
  if (problems.length > 0) {
    throw new DefinitionError(problems);
  }
  return parsed;
}

/**
 * Picks the environments named in a comma-separated selection (the ENVIRONMENTS variable).
 * Empty or undefined selects all of them.
 */
export function selectEnvironments(all: readonly Environment[], selection: string | undefined): Environment[] {
  const wanted = (selection ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (wanted.length === 0) return [...all];
  const known = all.map((e) => e.name);
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) {
    throw new DefinitionError([
      `ENVIRONMENTS: unknown environment(s) ${unknown.join(', ')}; known: ${known.join(', ')}`,
    ]);
  }
  return all.filter((e) => wanted.includes(e.name));
}
