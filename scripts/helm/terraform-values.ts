/**
 * The values Terraform would hand Helm for one synthesized `helm_release`: every `values` string
 * with its interpolations resolved (literals of the same stack; type-plausible stand-ins for what
 * only exists at apply time, such as another stack's outputs), merged in order, plus the `set`,
 * `set_list` and `set_sensitive` entries as Helm flags.
 */
import { load } from 'js-yaml';

export type Json = { [key: string]: any };

/** What a reference resolved to, and whether it is a stand-in for an apply-time value. */
interface Resolved {
  readonly value: unknown;
  readonly standIn: boolean;
}

const ACCOUNT = '123456789012';
/** Resource types whose attributes cross stacks, longest first so prefixes do not shadow them. */
const KNOWN_TYPES = [
  'aws_lb_target_group', 'aws_security_group', 'aws_elasticache_replication_group', 'aws_sns_topic', 'aws_s3_bucket',
  'aws_iam_role', 'aws_kms_key', 'aws_eks_cluster', 'aws_subnet', 'aws_vpc', 'aws_lb',
];
const REGION = 'ca-central-1';

/** A plausible value for an attribute that exists only at apply time (ARN, id, name, endpoint). */
export function standInFor(reference: string): string {
  const tail = reference.split('.').pop() ?? reference;
  const tag = tail.replace(/[^a-zA-Z0-9]/g, '').toLowerCase().slice(-24) || 'value';
  // cross-stack outputs are named `cross-stack-output-<resource type><construct path><attribute>`
  const type = KNOWN_TYPES.find((t) => reference.includes(`-${t}`) || reference.includes(`${t}.`)) ?? '';
  if (/arn$/i.test(tail)) {
    if (type === 'aws_s3_bucket') return `arn:aws:s3:::stand-in-${tag}`;
    if (type === 'aws_iam_role' || type === '') return `arn:aws:iam::${ACCOUNT}:role/stand-in-${tag}`;
    if (type === 'aws_lb_target_group') return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/stand-in/0123456789abcdef`;
    if (type === 'aws_kms_key') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`;
    return `arn:aws:${type.split('_')[1]}:${REGION}:${ACCOUNT}:stand-in/${tag}`;
  }
  if (/(^|[^a-z])id$/i.test(tail) && type) {
    const prefix = ({ aws_vpc: 'vpc', aws_subnet: 'subnet', aws_security_group: 'sg' } as Record<string, string>)[type];
    if (prefix) return `${prefix}-0123456789abcdef0`;
  }
  if (/(endpoint|host|address|dns)/i.test(tail)) return `stand-in-${tag}.internal.example`;
  return `stand-in-${tag}`;
}

/** Walks `${type.name.a[0].b}` style paths through a block (objects or one-element lists). */
function walk(node: unknown, path: string): unknown {
  let current = node;
  for (const part of path.split('.').filter(Boolean)) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    current = current && typeof current === 'object' ? (current as Json)[m[1]] : undefined;
    for (const idx of m[2].match(/\d+/g) ?? []) {
      if (Array.isArray(current)) current = current[Number(idx)];
      else if (Number(idx) !== 0) current = undefined; // a single block written as an object
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** Resolves one interpolation expression against the stack. */
export function resolveExpression(expression: string, stack: Json, depth = 0): Resolved {
  const expr = expression.trim();
  if (depth > 10) throw new Error(`\${${expr}}: reference cycle`);
  if (expr.startsWith('data.terraform_remote_state.')) return { value: standInFor(expr), standIn: true };
  const parts = /^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.?(.*)$/.exec(expr);
  if (!parts || /[()\s"+*?:]/.test(expr)) {
    throw new Error(`\${${expr}}: only plain references can be resolved for rendering (no functions or operators)`);
  }
  const [, data, type, name, rest] = parts;
  if (!data && type === 'var') return { value: stack.variable?.[name]?.default ?? standInFor(expr), standIn: stack.variable?.[name]?.default === undefined };
  if (!data && type === 'local') return { value: stack.locals?.[name] ?? standInFor(expr), standIn: stack.locals?.[name] === undefined };
  const block = (data ? stack.data : stack.resource)?.[type]?.[name];
  if (!block) throw new Error(`\${${expr}}: no ${data ? 'data source' : 'resource'} ${type}.${name} in the stack`);
  const value = walk(block, rest);
  if (value === undefined || (value !== null && typeof value === 'object')) return { value: standInFor(expr), standIn: true };
  if (typeof value === 'string' && value.includes('${')) return resolveTemplate(value, stack, depth + 1);
  return { value, standIn: false };
}

/**
 * A Terraform string template with every `${...}` replaced by its literal (`$${` and `%%{` are
 * Terraform's escapes for a literal `${` and `%{`). `escape` encodes inserted text (JSON strings).
 */
export function resolveTemplate(text: string, stack: Json, depth = 0, escape: (s: string) => string = (s) => s): Resolved {
  let standIn = false;
  if (/(^|[^%])%\{/.test(text.replace(/%%\{/g, ''))) throw new Error(`template directives (%{...}) are not supported in Helm values: ${text.slice(0, 80)}`);
  const value = text.replace(/\$\$\{|%%\{|\$\{([^{}]*)\}/g, (match, expr: string | undefined) => {
    if (match === '$${') return '${';
    if (match === '%%{') return '%{';
    const r = resolveExpression(expr!, stack, depth);
    standIn ||= r.standIn;
    return escape(String(r.value));
  });
  return { value, standIn };
}

/** One `--set`-style flag the provider passes (set / set_list / set_sensitive). */
export interface SetFlag {
  readonly flag: '--set' | '--set-string' | '--set-json';
  readonly name: string;
  readonly value: string;
}

export interface TerraformValues {
  /** The merged values documents (what `-f` would receive, in order). */
  readonly values: Json;
  readonly sets: readonly SetFlag[];
  /** References replaced by stand-ins (apply-time values). */
  readonly standIns: boolean;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's coalescing of two values documents: maps merge key by key, anything else replaces. */
export function mergeValues(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? mergeValues(out[k], v) : v;
  return out;
}

/** The values of a synthesized helm_release, as Terraform would pass them. */
export function terraformValues(release: Json, stack: Json): TerraformValues {
  let values: Json = {};
  let standIns = false;
  for (const doc of release.values ?? []) {
    const json = String(doc).trim().startsWith('{');
    const r = resolveTemplate(String(doc), stack, 0, json ? (s) => JSON.stringify(s).slice(1, -1) : (s) => s);
    standIns ||= r.standIn;
    const parsed = load(String(r.value));
    if (parsed !== null && parsed !== undefined && !isObject(parsed)) throw new Error('a values document must be a map');
    values = mergeValues(values, (parsed as Json) ?? {});
  }
  const sets: SetFlag[] = [];
  for (const [key, flag] of [['set', undefined], ['set_sensitive', undefined], ['set_list', '--set-json']] as const) {
    for (const s of Array.isArray(release[key]) ? release[key] : release[key] ? [release[key]] : []) {
      const r = key === 'set_list'
        ? { value: JSON.stringify((s.value ?? []).map((v: string) => resolveTemplate(String(v), stack).value)), standIn: false }
        : resolveTemplate(String(s.value), stack);
      standIns ||= r.standIn;
      sets.push({ flag: flag ?? (s.type === 'string' ? '--set-string' : '--set'), name: String(s.name), value: String(r.value) });
    }
  }
  return { values, sets, standIns };
}
