/** The policy pack: rules, the Aspect that runs them at synth, suppressions and the tier marker. */
export * from './types';
export { evaluate, formatFinding, resourcesOf, contextOf } from './engine';
export { PolicyAspect, applyPolicies, policyReportOf, SUPPRESSIONS_KEY } from './aspect';
export { suppress, suppressRendered, suppressionsUnder, SUPPRESSION_METADATA } from './suppress';
export { setPolicyTier, policyTierOf, TIER_METADATA } from './tier';
export { POLICY_RULES } from './rules';
export { evaluateRendered, renderedAsResource, renderedPath, RENDERED_KIND_TYPES } from './rendered';
export { evaluateOperated, operatedPods, OPERATED_KINDS, OPERATED_RULES } from './operated';
