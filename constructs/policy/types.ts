/**
 * The policy pack's vocabulary. A rule is a pure function over one synthesized resource (its
 * Terraform type and resolved configuration, as `cdktf synth` writes it) plus a read-only view of
 * the rest of its stack; it returns compliant, non-compliant (with a reason) or not applicable.
 */

/** Environment tier recorded on a stack (see ./tier.ts); decides tier-dependent rules. */
export type PolicyTier = 'development' | 'testing' | 'staging' | 'production';

/** Tiers where state must survive an ordinary apply/destroy (BAK-4) and exposure rules tighten. */
export const PROTECTED_TIERS: readonly PolicyTier[] = ['staging', 'production'];

export type Json = { [key: string]: any };

/** One resource of the synthesized Terraform JSON. */
export interface SynthResource {
  /** Terraform resource type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Logical name in the synthesized JSON (cdktf's unique id). */
  readonly name: string;
  /** `type.name`, as Terraform and `cdktf diff` print it. */
  readonly address: string;
  /** Construct path, e.g. `production/network/vpc`. */
  readonly path: string;
  /** Resolved configuration without cdktf's `//` metadata (references stay `${type.name.attr}`). */
  readonly config: Json;
}

/** What a rule may read besides the resource itself. */
export interface RuleContext {
  readonly tier: PolicyTier;
  /** Every resource of the stack. */
  readonly resources: readonly SynthResource[];
  /** Data sources of the stack (`data.<type>.<name>` blocks), e.g. aws_iam_policy_document. */
  readonly data: Json;
  /** Resources of one type. */
  byType(type: string): readonly SynthResource[];
  /**
   * Resources of `type` whose `attribute` refers to `target` (an interpolation of its address, or
   * one of `literals`, e.g. the target's literal bucket name).
   */
  referencing(type: string, attribute: string, target: SynthResource, literals?: readonly unknown[]): readonly SynthResource[];
}

export type RuleResult =
  | { readonly status: 'compliant' }
  | { readonly status: 'not-applicable' }
  | { readonly status: 'non-compliant'; readonly reason: string };

export const COMPLIANT: RuleResult = { status: 'compliant' };
export const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };
export function nonCompliant(reason: string): RuleResult {
  return { status: 'non-compliant', reason };
}
/** Compliant when `problems` is empty, otherwise non-compliant listing them. */
export function fromProblems(problems: readonly string[]): RuleResult {
  return problems.length === 0 ? COMPLIANT : nonCompliant(problems.join('; '));
}

/** A rule of the pack (one per file under ./rules). */
export interface PolicyRule {
  /** Stable id, `TAI-<AREA>-<n>`; suppressions and the README name rules by it. */
  readonly id: string;
  /** One line: what compliant configuration looks like. */
  readonly title: string;
  /** Why the rule exists and how to comply. */
  readonly explanation: string;
  /** The nearest public rules (checkov ids, cdk-nag ids) for reviewers who know those packs. */
  readonly references: { readonly checkov: readonly string[]; readonly cdkNag: readonly string[] };
  /** Resource types the rule looks at; every other type is not applicable. `*` means all. */
  readonly resourceTypes: readonly string[] | '*';
  readonly check: (resource: SynthResource, context: RuleContext) => RuleResult;
}

/** One non-compliant resource. */
export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly path: string;
  readonly address: string;
  readonly reason: string;
}

/** A deliberate, reviewed exception recorded next to the resource (./suppress.ts). */
export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Construct path of the node the suppression is attached to (covers its subtree). */
  readonly path: string;
}

export interface SuppressedFinding extends Finding {
  readonly suppression: Suppression;
}

export interface PolicyReport {
  readonly stack: string;
  readonly tier: PolicyTier;
  readonly rules: number;
  readonly resources: number;
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
}
