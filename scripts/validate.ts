/**
 * `npm run validate`: synthesize every environment, then check each stack without cloud
 * credentials: real `terraform init`, `validate` and an offline `plan` wherever the providers can
 * be installed (cloud stacks: the aws provider, from TF_CLI_CONFIG_FILE or a provider mirror),
 * synth-level checks where they cannot (said plainly in the output). A stack that reads another
 * stack's state (the platform stacks) gets `init` and `validate` but no plan: the state it reads
 * needs credentials.
 *
 * Options: `--skip-synth` reuses cdktf.out; `--stacks a,b` limits the check.
 * Environment: TF_PROVIDER_MIRROR (mirror directory), VALIDATE_USE_REGISTRY=1 (allow the registry).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkStacks, summarize } from './terraform-check';

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const args = process.argv.slice(2);
  const outdir = join(root, 'cdktf.out');
  if (!args.includes('--skip-synth')) {
    const synth = spawnSync(process.execPath, [join(root, 'scripts', 'app.js')], { cwd: root, stdio: 'inherit' });
    if (synth.status !== 0) process.exit(synth.status ?? 1);
  }
  const stacksArg = args.indexOf('--stacks');
  const stacks = stacksArg >= 0 ? args[stacksArg + 1].split(',') : undefined;
  const started = Date.now();
  const results = await checkStacks({ outdir, stacks, useRegistry: process.env.VALIDATE_USE_REGISTRY === '1' });
  process.stdout.write(`${summarize(results)}\n`);
  const failed = results.filter((r) => !r.ok);
  const byTerraform = results.filter((r) => r.mode === 'terraform');
  const planned = byTerraform.filter((r) => !r.planSkipped).length;
  process.stdout.write(
    `\n${results.length - failed.length}/${results.length} stacks ok (${planned} validated and planned by Terraform, ${byTerraform.length - planned} validated by Terraform without a plan, ${results.length - byTerraform.length} at synth level) in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
  );
  if (failed.length > 0) process.exit(1);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
