/** Small helpers for reading synthesized configuration (blocks may be objects or lists). */
import { Json, RuleContext } from './types';

/** A block as a list: cdktf writes single blocks as objects and repeated blocks as arrays. */
export function blocks(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== null && typeof v === 'object');
}

/** The first block, or an empty object. */
export function block(value: unknown): Json {
  return blocks(value)[0] ?? {};
}

/** Terraform booleans arrive as `true` or `"true"` depending on the argument's schema type. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A Terraform interpolation (`${...}`): a value computed at apply time, never a literal. */
export function isReference(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

export function asList<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** A policy document from a JSON string or a `${data.aws_iam_policy_document.x.json}` reference. */
export interface PolicyStatementView {
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly principals: unknown;
  readonly condition: Json;
}

export function policyStatements(policy: unknown, context: RuleContext): PolicyStatementView[] | undefined {
  if (typeof policy !== 'string') return undefined;
  const ref = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy);
  if (ref) {
    const doc = context.data.aws_iam_policy_document?.[ref[1]];
    if (!doc) return undefined;
    return blocks(doc.statement).map((s) => ({
      effect: s.effect ?? 'Allow',
      actions: asList<string>(s.actions),
      notActions: asList<string>(s.not_actions),
      resources: asList<string>(s.resources),
      principals: s.principals,
      condition: Object.fromEntries(
        blocks(s.condition).map((c) => [c.test, { [c.variable]: asList(c.values).map(String) }]),
      ),
    }));
  }
  if (isReference(policy) && !policy.trim().startsWith('{')) return undefined;
  let parsed: Json;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return undefined;
  }
  return asList<Json>(parsed.Statement).map((s) => ({
    effect: s.Effect,
    actions: asList<string>(s.Action),
    notActions: asList<string>(s.NotAction),
    resources: asList<string>(s.Resource),
    principals: s.Principal,
    condition: s.Condition ?? {},
  }));
}

/** Whether a condition block asserts `<key> = <value>` under operator `op` (case-insensitive key). */
export function hasCondition(condition: Json, op: string, key: string, value: string): boolean {
  const block = condition?.[op];
  if (!block || typeof block !== 'object') return false;
  return Object.entries(block).some(
    ([k, v]) => k.toLowerCase() === key.toLowerCase() && asList(v).map((x) => String(x).toLowerCase()).includes(value),
  );
}
