/**
 * `npm run policy [-- --rules]`: runs the policy pack on every stack of every environment and prints a Markdown
 * report: findings (what `cdktf synth` would fail on) and suppressions with their reasons. Exit
 * code 1 when there is a finding. Does not write cdktf.out. `--rules` prints the rule table with
 * the nearest checkov and cdk-nag rules (the README's table).
 *
 * `cdktf` and `../stacks/app` (every construct and provider class: about a second of CPU to load)
 * are loaded only by `policyReports`, which builds the stacks; `--rules` never needs them.
 */
import type { TerraformStack } from 'cdktf';
import { DEFINITIONS, validateEnvironments } from '../environments';
import { POLICY_RULES, PolicyReport, evaluate, policyTierOf, suppressionsUnder } from '../constructs/policy';
import { withScratchFolder } from './scratch-folder';

/** cdktf, loaded by `policyReports` (see above). */
const cdktf = () => require('cdktf') as typeof import('cdktf');
/** The program's stacks, loaded by `policyReports` (see above). */
const program = () => require('../stacks/app') as typeof import('../stacks/app');

/** Policy reports of every stack of the shipped definitions (the aspect's own evaluation). */
export function policyReports(): PolicyReport[] {
  // Nothing is synthesized, but a cdktf App makes its output folder: a temporary one, removed.
  return withScratchFolder('policy-report-', (outdir) => {
    const { Testing, TerraformStack: Stack } = cdktf();
    const app = Testing.app({ outdir });
    program().buildStacks(app, validateEnvironments(DEFINITIONS));
    return app.node.children
      .filter((c): c is TerraformStack => Stack.isStack(c))
      .map((stack) =>
        evaluate(stack.toTerraform(), {
          stack: stack.node.id,
          tier: policyTierOf(stack),
          rules: POLICY_RULES,
          suppressions: suppressionsUnder(stack),
        }),
      );
  });
}

export function renderPolicyReport(reports: readonly PolicyReport[]): string {
  const lines = [`## Policy report (${POLICY_RULES.length} rules)`, ''];
  lines.push('| stack | tier | resources | findings | suppressed |', '|---|---|---|---|---|');
  for (const r of reports) lines.push(`| ${r.stack} | ${r.tier} | ${r.resources} | ${r.findings.length} | ${r.suppressed.length} |`);
  const findings = reports.flatMap((r) => r.findings);
  if (findings.length > 0) {
    lines.push('', '### Findings', '', '| rule | construct | problem |', '|---|---|---|');
    for (const f of findings) lines.push(`| ${f.ruleId} | \`${f.path}\` | ${f.reason.replace(/\|/g, '\\|')} |`);
  }
  const suppressed = reports.flatMap((r) => r.suppressed);
  if (suppressed.length > 0) {
    lines.push('', '### Suppressions', '', '| rule | construct | reason |', '|---|---|---|');
    for (const s of suppressed) lines.push(`| ${s.ruleId} | \`${s.path}\` | ${s.suppression.reason.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

/** The rule table of the README: id, what it checks, nearest checkov and cdk-nag rules. */
export function renderRuleTable(): string {
  const lines = ['| rule | checks | checkov | cdk-nag |', '|---|---|---|---|'];
  for (const r of POLICY_RULES) {
    lines.push(`| ${r.id} | ${r.title} | ${r.references.checkov.join(', ') || '—'} | ${r.references.cdkNag.join(', ') || '—'} |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  if (process.argv.includes('--rules')) {
    process.stdout.write(`${renderRuleTable()}\n`);
    process.exit(0);
  }
  const reports = policyReports();
  process.stdout.write(`${renderPolicyReport(reports)}\n`);
  process.exit(reports.some((r) => r.findings.length > 0) ? 1 : 0);
}
