/**
 * Validates environment definitions and turns zod issues into one readable error:
 * `<environment>.<field path>: <rule broken>` per line, every problem of every environment at once.
 */
import { z } from 'zod/v4';
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

/** A value's type in the words of the messages (`undefined`, `string`, `array`, `null`, ...). */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'nan' : 'number';
  return typeof value;
}

/** An enum's options as the messages list them: `'a' | 'b'`. */
function options(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(' | ');
}

/** What an issue expected, as `is required (...)` and `must be ...` name it. */
function expectedOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return options(issue.values);
  if (issue.code !== 'invalid_type') return 'a value';
  return issue.expected === 'int' ? 'integer' : issue.expected === 'record' ? 'object' : issue.expected;
}

/** True when a value given for an enum or literal is not even of the options' type (zod 3 said `must be ..., got <type>`). */
function wrongType(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_value' && issue.input !== undefined && issue.values.every((v) => typeof v !== typeof issue.input);
}

/**
 * zod's texts for the issues whose field sets no message of its own (a field's message wins),
 * worded as they were before zod 4: a refused enum or literal names the value it got, a
 * discriminated union the discriminators it knows, sizes say what they count.
 */
const defaultMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_value' && issue.input !== undefined) {
    if (issue.values.length === 1) return `Invalid literal value, expected ${JSON.stringify(issue.values[0])}`;
    return `Invalid enum value. Expected ${options(issue.values)}, received '${String(issue.input)}'`;
  }
  if (issue.code === 'invalid_union' && issue.note === 'No matching discriminator' && issue.inst) {
    const union = issue.inst as unknown as z.ZodDiscriminatedUnion;
    const known = union._zod.propValues?.[union._zod.def.discriminator];
    if (known) return `Invalid discriminator value. Expected ${options([...known])}`;
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && (issue.origin === 'string' || issue.origin === 'array')) {
    const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
    const how = issue.exact ? 'exactly' : issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'over') : issue.inclusive ? 'at most' : 'under';
    return `${issue.origin === 'string' ? 'String' : 'Array'} must contain ${how} ${String(bound)} ${issue.origin === 'string' ? 'character(s)' : 'element(s)'}`;
  }
  return undefined;
};

function describe(envName: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
  let message = issue.message;
  const missing = issue.input === undefined;
  if (issue.code === 'invalid_type' || (issue.code === 'invalid_value' && (missing || wrongType(issue)))) {
    const got = issue.code === 'invalid_type' && issue.expected === 'int' && typeof issue.input === 'number' ? 'float' : typeOf(issue.input);
    message = missing ? `is required (${expectedOf(issue)})` : `must be ${expectedOf(issue)}, got ${got}`;
  } else if (issue.code === 'unrecognized_keys') {
    message = `unknown field(s) ${issue.keys.join(', ')}; check the spelling against environments/schema.ts`;
  } else if (issue.code === 'invalid_key') {
    // A record's key that breaks its rule: the key's own message.
    message = issue.issues.map((i) => i.message).join('; ');
  } else if (issue.code === 'too_small' && issue.origin === 'number') {
    message = `must be >= ${String(issue.minimum)}`;
  } else if (issue.code === 'too_big' && issue.origin === 'number') {
    message = `must be <= ${String(issue.maximum)}`;
  }
  return `${envName}${path}: ${message}`;
}

/**
 * The issues worth reporting: a value of the wrong type is reported once, as its type (zod 4
 * still runs a field's size checks on it, e.g. a string's minimum length on an array).
 */
function reported(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  // A fraction given for a whole number is still a number: its bounds are still worth reporting.
  const mistyped = new Set(issues.filter((i) => (i.code === 'invalid_type' && i.expected !== 'int') || wrongType(i)).map((i) => i.path.join('.')));
  return issues.filter((i) => i.code === 'invalid_type' || wrongType(i) || !mistyped.has(i.path.join('.')));
}

/** The problems of one definition: its field rules, then every cross-field rule whose fields parsed. */
function definitionProblems(input: unknown, envName: string): { problems: string[]; parsed?: Environment } {
  const problems: string[] = [];
  const report = (path: (string | number)[], message: string) =>
    problems.push(`${envName}${path.length > 0 ? `.${path.join('.')}` : ''}: ${message}`);
  const result = environmentObjectSchema.safeParse(input, { reportInput: true, error: defaultMessages });
  const issues = result.success ? [] : result.error.issues;
  problems.push(...reported(issues).map((i) => describe(envName, i)));
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
