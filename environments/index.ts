/**
 * Validates environment definitions and turns zod issues into one readable error:
 * `<environment>.<field path>: <rule broken>` per line, every problem of every environment at once.
 */
import { ZodIssue } from 'zod';
import { bestEffortParse, checkDefinition, Environment, EnvironmentInput, environmentObjectSchema } from './schema';
import { cidrsOverlap, parseCidr } from './cidr';
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

/** The problems of one definition: its field rules, then every cross-field rule whose fields parsed. */
function definitionProblems(input: unknown, envName: string): { problems: string[]; parsed?: Environment } {
  const problems: string[] = [];
  const report = (path: (string | number)[], message: string) =>
    problems.push(`${envName}${path.length > 0 ? `.${path.join('.')}` : ''}: ${message}`);
  const result = environmentObjectSchema.safeParse(input);
  const issues = result.success ? [] : result.error.issues;
  problems.push(...issues.map((i) => describe(envName, i)));
  // An unknown key does not make the known fields beside it unreadable.
  const failed = issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => i.path.join('.'));
  const value = result.success ? result.data : (bestEffortParse(environmentObjectSchema, input) as Environment);
  if (value !== null && typeof value === 'object') checkDefinition(value, failed, report);
  return problems.length === 0 && result.success ? { problems, parsed: result.data } : { problems };
}

/** Rules across environments: unique names, VPC ranges that never overlap (peering and VPN routes). */
function crossEnvironmentProblems(inputs: readonly unknown[], names: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const vpcs: { env: string; cidr: string }[] = [];
  inputs.forEach((input, index) => {
    const envName = names[index];
    const raw = input as { name?: unknown; network?: { vpcCidr?: unknown } } | undefined;
    if (typeof raw?.name === 'string') {
      if (seen.has(raw.name)) problems.push(`${envName}.name: defined twice; environment names must be unique`);
      seen.add(raw.name);
    }
    const cidr = raw?.network?.vpcCidr;
    if (typeof cidr === 'string' && parseCidr(cidr)) {
      const clash = vpcs.find((v) => cidrsOverlap(v.cidr, cidr));
      if (clash) {
        problems.push(`${envName}.network.vpcCidr: ${cidr} overlaps the VPC CIDR of ${clash.env} (${clash.cidr}); peering and VPN routes between environments would collide: give each environment its own range`);
      } else {
        vpcs.push({ env: envName, cidr });
      }
    }
  });
  return problems;
}

/**
 * Validates every definition and returns them parsed (defaults applied), or throws one
 * DefinitionError listing every problem of every environment: field rules, cross-field rules
 * (those whose fields parsed) and the rules across environments.
 */
export function validateEnvironments(inputs: readonly unknown[]): Environment[] {
  const names = inputs.map((input, index) => {
    const rawName = (input as { name?: unknown } | undefined)?.name;
    return typeof rawName === 'string' && rawName !== '' ? rawName : `definition[${index}]`;
  });
  const problems: string[] = [];
  const parsed: Environment[] = [];
  inputs.forEach((input, index) => {
    const result = definitionProblems(input, names[index]);
    problems.push(...result.problems);
    if (result.parsed) parsed.push(result.parsed);
  });
  problems.push(...crossEnvironmentProblems(inputs, names));
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
