/**
 * The CI workflow runs what the README tells users to run (npm ci, npm test, npm run validate),
 * with Terraform installed, and posts the reviewer diff on pull requests.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { load } from 'js-yaml';

const ROOT = join(__dirname, '..', '..');
const workflow = load(readFileSync(join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8')) as Record<string, any>;
const job = workflow.jobs.check;
const steps: Array<Record<string, any>> = job.steps;
const runs = steps.filter((s) => typeof s.run === 'string').map((s) => s.run as string);
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The npm commands shown in the README's shell blocks and command table. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const found = new Set<string>();
  for (const m of readme.matchAll(/npm (ci|test|run [a-z:-]+)/g)) found.add(`npm ${m[1]}`);
  return [...found];
}

describe('CI workflow', () => {
  test('runs on pushes to main and on pull requests', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push.branches).toEqual(['main']);
  });

  test.each(['npm ci', 'npm test', 'npm run validate', 'npm run typecheck', 'npm run policy'])('runs `%s`', (command) => {
    expect(runs.some((r) => r.split('\n').some((line) => line.trim() === command))).toBe(true);
  });

  test('installs before it checks, and checks before it validates', () => {
    const index = (command: string) => runs.findIndex((r) => r.trim() === command);
    expect(index('npm ci')).toBeLessThan(index('npm run typecheck'));
    expect(index('npm run typecheck')).toBeLessThan(index('npm test'));
    expect(index('npm test')).toBeLessThan(index('npm run validate'));
  });

  test("every README command CI must run (install, tests, validation) is run, and exists in package.json", () => {
    const ciCommands = readmeCommands().filter((c) => /^npm (ci|test|run (validate|typecheck))$/.test(c));
    expect(ciCommands).toEqual(expect.arrayContaining(['npm ci', 'npm test', 'npm run validate']));
    for (const c of ciCommands) {
      expect(runs.some((r) => r.includes(c))).toBe(true);
      const script = c.replace(/^npm (run )?/, '');
      if (script !== 'ci') expect(packageJson.scripts[script]).toBeDefined();
    }
  });

  test('sets up Terraform (without the stdout wrapper) before validating', () => {
    const tf = steps.findIndex((s) => String(s.uses ?? '').startsWith('hashicorp/setup-terraform@'));
    expect(tf).toBeGreaterThanOrEqual(0);
    expect(steps[tf].with.terraform_wrapper).toBe(false);
    expect(tf).toBeLessThan(steps.findIndex((s) => s.run === 'npm run validate'));
  });

  test('on pull requests, runs the reviewer diff against the base branch and posts it as a comment', () => {
    const diff = steps.find((s) => s.id === 'review')!;
    expect(diff.if).toContain("github.event_name == 'pull_request'");
    expect(diff.run).toContain('npm run --silent diff -- --base "origin/${BASE_REF}" --out review-diff.md');
    expect(diff.env.BASE_REF).toBe('${{ github.base_ref }}');
    const post = steps.find((s) => String(s.uses ?? '').startsWith('actions/github-script@'))!;
    expect(post.with.script).toContain("readFileSync('review-diff.md'");
    expect(post.with.script).toContain('createComment');
    expect(job.permissions['pull-requests']).toBe('write');
    expect(steps[0].with['fetch-depth']).toBe(0);
  });

  test('the diff script the workflow calls is the reviewer diff', () => {
    expect(packageJson.scripts.diff).toContain('dist/scripts/review-diff.js');
    expect(packageJson.scripts.plan).toMatch(/^(CHECKPOINT_DISABLE=1 )?cdktf diff$/);
  });
});
