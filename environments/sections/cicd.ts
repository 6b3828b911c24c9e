/**
 * The `cicd` section of an environment definition: which GitHub repository may deploy the
 * environment from CI (through GitHub's OIDC identity provider, no stored keys), when the deploy
 * workflow deploys it, whether a person must approve each deploy, and the self-hosted runner that
 * reaches the private EKS API endpoint for the platform stack.
 *
 * The GitHub environment a deploy job runs in is named like the definition (`staging`, ...): the
 * deploy role trusts exactly `repo:<owner>/<repository>:environment:<name>`.
 */
import { z } from 'zod/v4';
import { Tier } from '../catalog';

/** GitHub user or organisation name: letters, digits and single dashes, no leading/trailing dash, <= 39 chars. */
export const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** GitHub repository name: letters, digits, `.`, `_`, `-`, <= 100 chars, not `.` or `..`. */
export const GITHUB_REPOSITORY = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
/** The host of GitHub's OIDC token issuer (the identity provider's URL without the scheme). */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

const runnerLabel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be a runner label (letters, digits, ., _, -)')
  .refine((v) => v !== 'self-hosted', { message: "'self-hosted' is added by the workflow; list only the labels that pick this environment's runner" });

export const cicdSchema = z
  .object({
    github: z
      .object({
        /** Owner (user or organisation) of the repository that deploys this environment. */
        owner: z.string().regex(GITHUB_OWNER, 'must be a GitHub owner name (letters, digits and single dashes, at most 39 characters, no leading or trailing dash)'),
        /** Name of the repository (without the owner). */
        repository: z.string().regex(GITHUB_REPOSITORY, 'must be a GitHub repository name (letters, digits, ., _ and -, at most 100 characters)'),
        /**
         * ARN of a GitHub OIDC identity provider that already exists in the account (only one per
         * account can exist). Left out: the cloud stack creates it.
         */
        oidcProviderArn: z
          .string()
          .regex(/^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, `must be the ARN of the ${GITHUB_OIDC_HOST} OIDC provider (arn:aws:iam::<account>:oidc-provider/${GITHUB_OIDC_HOST})`)
          .optional(),
      })
      .strict(),
    deploy: z
      .object({
        /**
         * When .github/workflows/deploy.yml deploys this environment by itself: `push-to-main` on every
         * push to main (a merged pull request); `manual` only when started by hand (workflow_dispatch)
         * or after the environment named in `after`.
         */
        trigger: z.enum(['push-to-main', 'manual']),
        /** Promotion: also deploy right after this environment's deploy succeeded in the same run. */
        after: z.string().optional(),
        /**
         * GitHub environment protection: each deploy waits until a required reviewer approves it
         * (configured on GitHub, see README "CI/CD"). Production-like tiers: true.
         */
        requiredReviewers: z.boolean(),
        /**
         * Labels of the self-hosted runner inside this environment's VPC that deploys the platform
         * stack through the private API endpoint (the workflow adds `self-hosted`).
         */
        runnerLabels: z.array(runnerLabel).min(1, 'name at least one label of the runner inside the VPC'),
      })
      .strict(),
  })
  .strict();

export type Cicd = z.output<typeof cicdSchema>;

/** Rules of one definition that depend on its tier or name. */
export function checkCicd(
  name: string,
  tier: Tier,
  accountIds: readonly string[],
  cicd: Cicd,
  report: (path: (string | number)[], message: string) => void,
): void {
  if (tier === 'production' && !cicd.deploy.requiredReviewers) {
    report(['cicd', 'deploy', 'requiredReviewers'], 'production deploys must wait for a required reviewer (GitHub environment protection): set true');
  }
  if (tier === 'production' && cicd.deploy.trigger === 'push-to-main') {
    report(['cicd', 'deploy', 'trigger'], 'production is never deployed by a push alone: set "manual" (with "after" for promotion)');
  }
  if (cicd.deploy.after === name) {
    report(['cicd', 'deploy', 'after'], 'an environment cannot be deployed after itself');
  }
  const arn = cicd.github.oidcProviderArn;
  if (arn !== undefined) {
    const account = arn.split(':')[4];
    if (!accountIds.includes(account)) {
      report(['cicd', 'github', 'oidcProviderArn'], `${arn} is in account ${account}, which is not one of aws.allowedAccountIds`);
    }
  }
}

/**
 * Rules across definitions: `after` names a defined environment (and no cycle), and at most one
 * definition per account creates the GitHub OIDC provider (an account holds only one per URL).
 */
export function checkCicdAcross(
  defs: readonly { name: string; aws: { allowedAccountIds: readonly string[] }; cicd: Cicd }[],
  /** Names `after` may use: the registry's and every definition given (valid or not). */
  allNames: readonly string[] = defs.map((d) => d.name),
): string[] {
  const problems: string[] = [];
  const names = [...allNames];
  for (const d of defs) {
    const after = d.cicd.deploy.after;
    if (after !== undefined && after !== d.name && !names.includes(after)) {
      problems.push(`${d.name}.cicd.deploy.after: ${after} is not a defined environment (${names.join(', ')})`);
    }
    const seen = new Set<string>([d.name]);
    let next = after;
    while (next !== undefined && next !== d.name) {
      if (seen.has(next)) break;
      seen.add(next);
      next = defs.find((x) => x.name === next)?.cicd.deploy.after;
    }
    if (next === d.name && after !== d.name) {
      problems.push(`${d.name}.cicd.deploy.after: the "after" chain leads back to ${d.name}`);
    }
  }
  const creators = new Map<string, string>();
  for (const d of defs) {
    if (d.cicd.github.oidcProviderArn !== undefined) continue;
    const account = d.aws.allowedAccountIds[0];
    const first = creators.get(account);
    // (The same name twice is reported as a duplicate name, not here.)
    if (first !== undefined && first !== d.name) {
      problems.push(`${d.name}.cicd.github.oidcProviderArn: ${first} already creates the GitHub OIDC provider of account ${account}; set this to its ARN (arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST})`);
    } else {
      creators.set(account, d.name);
    }
  }
  return problems;
}
