/**
 * CI and CD as the team runs them. ci.yml runs what the README tells users to run, validates every
 * stack with the registry's providers and posts the reviewer diff, with no way to deploy. deploy.yml
 * has one job per environment of the registry, matching its definition: GitHub environment,
 * concurrency, trigger and approval gates, runner, role and region; the plan goes to the job
 * summary before the apply. Every third-party action is pinned to a commit SHA. The README's CI/CD
 * section names what the workflows do.
 */
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { load } from 'js-yaml';
import { DEFINITIONS, Environment, PRODUCTION_LIKE_TIERS, validateEnvironments } from '../environments';
import { namesFor } from '../features/naming';

type Json = Record<string, any>;
const ROOT = join(__dirname, '..', '..');
const WORKFLOW_DIR = join(ROOT, '.github', 'workflows');
const read = (file: string) => readFileSync(join(WORKFLOW_DIR, file), 'utf8');
const ci = load(read('ci.yml')) as Json;
const deploy = load(read('deploy.yml')) as Json;
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ENVS: Environment[] = validateEnvironments(DEFINITIONS);

const stepsOf = (job: Json): Json[] => job.steps;
const runsOf = (job: Json): string[] => stepsOf(job).filter((s) => typeof s.run === 'string').map((s) => s.run as string);
const hasLine = (job: Json, command: string) => runsOf(job).some((r) => r.split('\n').some((l) => l.trim() === command));
const usesIndex = (job: Json, action: string) => stepsOf(job).findIndex((s) => String(s.uses ?? '').startsWith(`${action}@`));

/** The README section between `## CI/CD` and the next `## ` heading. */
function readmeSection(): string {
  const start = readme.indexOf('\n## CI/CD');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('ci.yml', () => {
  const check = ci.jobs.check;
  const review = ci.jobs.review;

  test('runs on pushes to main and on pull requests, with no permissions by default', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push.branches).toEqual(['main']);
    expect(ci.permissions).toEqual({});
  });

  test.each(['npm ci', 'npm test', 'npm run validate', 'npm run typecheck', 'npm run policy'])('the check job runs `%s`', (command) => {
    expect(hasLine(check, command)).toBe(true);
  });

  test('installs before it checks, and checks before it validates', () => {
    const index = (command: string) => runsOf(check).findIndex((r) => r.trim() === command);
    expect(index('npm ci')).toBeGreaterThanOrEqual(0);
    expect(index('npm ci')).toBeLessThan(index('npm run typecheck'));
    expect(index('npm run typecheck')).toBeLessThan(index('npm test'));
    expect(index('npm test')).toBeLessThan(index('npm run validate'));
  });

  test('validates every stack with the providers from the Terraform registry, after setting up Terraform (no wrapper)', () => {
    const steps = stepsOf(check);
    const validate = steps.find((s) => s.run === 'npm run validate')!;
    expect(validate.env.VALIDATE_USE_REGISTRY).toBe('1');
    const tf = usesIndex(check, 'hashicorp/setup-terraform');
    expect(tf).toBeGreaterThanOrEqual(0);
    expect(steps[tf].with.terraform_wrapper).toBe(false);
    expect(tf).toBeLessThan(steps.indexOf(validate));
  });

  test("every README command CI must run (install, tests, validation) is run, and exists in package.json", () => {
    const found = new Set<string>();
    for (const m of readme.matchAll(/npm (ci|test|run [a-z:-]+)/g)) found.add(`npm ${m[1]}`);
    const ciCommands = [...found].filter((c) => /^npm (ci|test|run (validate|typecheck))$/.test(c));
    expect(ciCommands).toEqual(expect.arrayContaining(['npm ci', 'npm test', 'npm run validate']));
    for (const c of ciCommands) {
      expect(runsOf(check).some((r) => r.includes(c))).toBe(true);
      const script = c.replace(/^npm (run )?/, '');
      if (script !== 'ci') expect(packageJson.scripts[script]).toBeDefined();
    }
  });

  test('on pull requests only, runs the reviewer diff against the base commit and posts it as a comment', () => {
    expect(review.if).toBe("github.event_name == 'pull_request'");
    const diff = stepsOf(review).find((s) => s.id === 'review')!;
    expect(diff.run).toContain('npm run diff -- --base "${BASE_SHA}" --out review-diff.md');
    expect(diff.env.BASE_SHA).toBe('${{ github.event.pull_request.base.sha }}');
    const post = stepsOf(review)[usesIndex(review, 'actions/github-script')];
    expect(post.with.script).toContain("readFileSync('review-diff.md'");
    expect(post.with.script).toContain('createComment');
    expect(stepsOf(review)[0].with['fetch-depth']).toBe(0);
  });

  test('least privilege per job: only the review job may write (pull-request comments); no job can request an OIDC token', () => {
    expect(check.permissions).toEqual({ contents: 'read' });
    expect(review.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const job of Object.values(ci.jobs) as Json[]) {
      expect(job.permissions['id-token']).toBeUndefined();
      expect(job.environment).toBeUndefined();
    }
  });

  test('the diff script the workflow calls is the reviewer diff', () => {
    expect(packageJson.scripts.diff).toContain('dist/scripts/review-diff.js');
    expect(packageJson.scripts.plan).toMatch(/^(CHECKPOINT_DISABLE=1 )?cdktf diff$/);
  });
});

describe('deploy.yml', () => {
  const jobs = deploy.jobs as Record<string, Json>;

  test('runs after CI on main and by hand, never on pull requests; no permissions by default', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
    expect(deploy.on.workflow_run).toEqual({ workflows: [ci.name], types: ['completed'], branches: ['main'] });
    expect(deploy.permissions).toEqual({});
  });

  test('has exactly one job per environment of the registry, and the manual choice lists them all', () => {
    expect(Object.keys(jobs).sort()).toEqual(ENVS.map((e) => e.name).sort());
    expect(deploy.on.workflow_dispatch.inputs.environment.options).toEqual(ENVS.map((e) => e.name));
  });

  describe.each(ENVS.map((e) => [e.name, e] as const))('job %s', (name, env) => {
    const job = jobs[name];
    const condition = String(job.if).replace(/\s+/g, ' ');

    test('runs in the GitHub environment of the same name, one deploy at a time, never cancelled', () => {
      expect(job.environment).toBe(name);
      expect(job.concurrency).toEqual({ group: `deploy-${name}`, 'cancel-in-progress': false });
    });

    test('is the only kind of job that may request an OIDC token, and may do nothing else', () => {
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    });

    test('runs on the self-hosted runner inside the VPC that the definition names', () => {
      expect(job['runs-on']).toEqual(['self-hosted', ...env.cicd.deploy.runnerLabels]);
    });

    test("assumes the environment's deploy role (the cloud stack's role name, account and region)", () => {
      const step = stepsOf(job)[usesIndex(job, 'aws-actions/configure-aws-credentials')];
      expect(step.with['role-to-assume']).toBe(`arn:aws:iam::${env.aws.allowedAccountIds[0]}:role/${namesFor(env).prefix}-github-deploy`);
      expect(step.with['aws-region']).toBe(env.aws.region);
      expect(step.with['aws-access-key-id']).toBeUndefined();
    });

    test('trigger matches the definition: by hand always; after CI on a push to main, or after the named environment', () => {
      const dispatch = `(github.event_name == 'workflow_dispatch' && inputs.environment == '${name}'`;
      expect(condition).toContain(dispatch);
      const onMain = "github.event_name == 'workflow_run' && github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push'";
      expect(condition.includes(onMain)).toBe(env.cicd.deploy.trigger === 'push-to-main');
      if (env.cicd.deploy.trigger === 'push-to-main') {
        expect(condition).toContain('github.event.workflow_run.head_repository.full_name == github.repository');
      }
      const after = env.cicd.deploy.after;
      if (after) {
        expect(job.needs).toBe(after);
        expect(condition).toContain(`(github.event_name == 'workflow_run' && needs.${after}.result == 'success')`);
        expect(condition.startsWith('!cancelled() && (')).toBe(true);
      } else {
        expect(job.needs).toBeUndefined();
      }
      if (env.cicd.deploy.trigger === 'manual' && !after) expect(condition).not.toContain('workflow_run');
    });

    test('production-like environments deploy only from main', () => {
      const mainOnly = condition.includes(`inputs.environment == '${name}' && github.ref == 'refs/heads/main')`);
      expect(mainOnly).toBe(PRODUCTION_LIKE_TIERS.includes(env.tier));
    });

    test('checks out the commit CI tested, assumes the role, writes the plan to the job summary, then deploys both stacks', () => {
      expect(job.env.ENVIRONMENTS).toBe(name);
      const steps = stepsOf(job);
      expect(steps[usesIndex(job, 'actions/checkout')].with.ref).toBe('${{ github.event.workflow_run.head_sha || github.sha }}');
      const credentials = usesIndex(job, 'aws-actions/configure-aws-credentials');
      const plan = steps.findIndex((s) => /npx cdktf diff "\$\{stack\}"/.test(String(s.run)));
      const apply = steps.findIndex((s) => s.run === 'npx cdktf deploy "${ENVIRONMENTS}" "${ENVIRONMENTS}-platform" --auto-approve');
      expect(steps[plan].run).toContain('for stack in "${ENVIRONMENTS}" "${ENVIRONMENTS}-platform"; do');
      expect(steps[plan].run).toContain('>> "$GITHUB_STEP_SUMMARY"');
      expect(usesIndex(job, 'hashicorp/setup-terraform')).toBeLessThan(plan);
      expect(steps.findIndex((s) => s.run === 'npm ci')).toBeLessThan(plan);
      expect(credentials).toBeGreaterThanOrEqual(0);
      expect(credentials).toBeLessThan(plan);
      expect(plan).toBeLessThan(apply);
      expect(apply).toBe(steps.length - 1);
    });
  });

  test('every "after" names an environment of the registry that the workflow deploys first', () => {
    for (const env of ENVS.filter((e) => e.cicd.deploy.after)) {
      expect(jobs[env.cicd.deploy.after!]).toBeDefined();
    }
  });
});

describe('every workflow', () => {
  const files = readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f));

  test.each(files)('%s pins every third-party action to a full commit SHA, with its version in a comment', (file) => {
    const lines = read(file).split('\n').filter((l) => /^\s*(-\s*)?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const ref = /uses:\s*(\S+)/.exec(line)![1];
      if (ref.startsWith('./')) continue;
      expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  test.each(files)('%s pins each action at one SHA, the same in every workflow and in its header comment', (file) => {
    const text = read(file);
    for (const m of text.matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[\d.]+)/g)) {
      const [, action, sha, version] = m;
      expect(text).toMatch(new RegExp(`#\\s+${action.replace('/', '\\/')}\\s+${version.replace(/\./g, '\\.')}\\s+${sha}`));
      for (const other of files) {
        for (const o of read(other).matchAll(new RegExp(`uses: ${action.replace('/', '\\/')}@([0-9a-f]{40}) # (v[\\d.]+)`, 'g'))) {
          expect([o[1], o[2]]).toEqual([sha, version]);
        }
      }
    }
  });
});

describe("README's CI/CD section", () => {
  test('names both workflows, their triggers and the commands they run', () => {
    const section = readmeSection();
    expect(section).toContain('.github/workflows/ci.yml');
    expect(section).toContain('.github/workflows/deploy.yml');
    for (const command of [...new Set(section.match(/`(npm (?:ci|test|run [a-z:-]+)|npx cdktf (?:diff|deploy))[^`]*`/g) ?? [])]) {
      const bare = /`(npm (?:ci|test|run [a-z:-]+)|npx cdktf (?:diff|deploy))/.exec(command)![1];
      expect([read('ci.yml'), read('deploy.yml')].some((w) => w.includes(bare))).toBe(true);
    }
    for (const named of ['npm ci', 'npm run typecheck', 'npm run policy', 'npm test', 'VALIDATE_USE_REGISTRY=1 npm run validate', 'npm run diff -- --base', 'npx cdktf diff', 'npx cdktf deploy', 'GITHUB_STEP_SUMMARY', 'workflow_dispatch', 'workflow_run', 'id-token: write', 'cancel-in-progress: false']) {
      expect(section).toContain(named);
    }
  });

  test("lists every environment's GitHub environment, trigger, reviewers and runner as the definitions say", () => {
    const section = readmeSection();
    for (const env of ENVS) {
      const row = section.split('\n').find((l) => l.startsWith(`| \`${env.name}\` |`));
      expect(row).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      const trigger = env.cicd.deploy.trigger === 'push-to-main' ? 'push to main (after CI)' : 'by hand';
      const after = env.cicd.deploy.after ? `, after \`${env.cicd.deploy.after}\`` : '';
      expect(cells[2]).toBe(`${trigger}${after}`);
      expect(cells[3]).toBe(env.cicd.deploy.requiredReviewers ? 'required' : 'none');
      expect(cells[4]).toBe(PRODUCTION_LIKE_TIERS.includes(env.tier) ? '`main` only' : 'any');
      expect(cells[5]).toBe(['self-hosted', ...env.cicd.deploy.runnerLabels].map((l) => `\`${l}\``).join(', '));
      expect(cells[6]).toBe(`\`${namesFor(env).prefix}-github-deploy\``);
    }
  });
});
