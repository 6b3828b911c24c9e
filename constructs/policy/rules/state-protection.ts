import { NOT_APPLICABLE, PROTECTED_TIERS, PolicyRule, fromProblems } from '../types';
import { block, isTrue } from '../util';
import { isStateHoldingResource } from '../state-holding';

/** TAI-DATA-1: prevent_destroy on state in staging and production. */
export const stateProtection: PolicyRule = {
  id: 'TAI-DATA-1',
  title: 'State-holding resources have prevent_destroy in staging and production',
  explanation:
    'In staging and production (the tier recorded on the stack), every state-holding resource ' +
    '(buckets, keys, clusters, log groups, databases, caches, volumes, vaults, secrets, Helm releases ' +
    'whose values put data on a volume, the namespaces that hold data) has ' +
    'lifecycle.prevent_destroy = true, set with protectFromDestroy(resource, env.protectState), so ' +
    'an ordinary apply or destroy cannot delete it (BAK-4), and no force_destroy, ' +
    'skip_final_snapshot or deletion_protection = false lets the data go with it. Removing the ' +
    'protection is a reviewed change.',
  references: {
    checkov: ['CKV_AWS_150 (LB)', 'CKV_AWS_293 (RDS)', 'CKV_AWS_139 (RDS cluster)', 'CKV_AWS_28 (DynamoDB backup)'],
    cdkNag: ['AwsSolutions-RDS10', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled'],
  },
  resourceTypes: '*',
  check(resource, context) {
    if (!isStateHoldingResource(resource.type, resource.config) || !PROTECTED_TIERS.includes(context.tier)) return NOT_APPLICABLE;
    const c = resource.config;
    const problems: string[] = [];
    if (!isTrue(block(c.lifecycle).prevent_destroy)) problems.push(`no lifecycle.prevent_destroy in ${context.tier} (use protectFromDestroy)`);
    // Settings that let the provider delete the data even when the resource itself is kept.
    if (isTrue(c.force_destroy)) problems.push('force_destroy is true (deletes every object on destroy)');
    if (isTrue(c.skip_final_snapshot)) problems.push('skip_final_snapshot is true');
    if (c.deletion_protection === false || c.deletion_protection === 'false') problems.push('deletion_protection is false');
    return fromProblems(problems);
  },
};
