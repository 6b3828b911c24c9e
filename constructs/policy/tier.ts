import { IConstruct } from 'constructs';
import { PolicyTier } from './types';

/** Metadata type recording a stack's environment tier for tier-dependent policy rules. */
export const TIER_METADATA = 'toronto-ai.io/tier';

/** Records the environment tier on a stack (one line in each stack's constructor). */
export function setPolicyTier(stack: IConstruct, tier: PolicyTier): void {
  stack.node.addMetadata(TIER_METADATA, tier);
}

/**
 * The tier recorded on a stack. A stack without one is checked as `production`: the strictest
 * reading, so forgetting the marker can only add findings, never hide them.
 */
export function policyTierOf(stack: IConstruct): PolicyTier {
  const entry = stack.node.metadata.find((m) => m.type === TIER_METADATA);
  return (entry?.data as PolicyTier | undefined) ?? 'production';
}
