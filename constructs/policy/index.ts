/** The policy pack: rules, the Aspect that runs them at synth, suppressions and the tier marker. */
export * from './types';
export { evaluate } from './engine';
export { applyPolicies, policyReportOf, SUPPRESSIONS_KEY } from './aspect';
export { suppress, suppressionsUnder } from './suppress';
export { setPolicyTier, policyTierOf } from './tier';
export { POLICY_RULES } from './rules';
export { evaluateRendered } from './rendered';
export { evaluateOperated, operatedPods } from './operated';
