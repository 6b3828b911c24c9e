/**
 * Deploys from CI without stored keys: for every environment of the registry, the cloud stack's
 * deploy role trusts only GitHub's OIDC provider, only the definition's repository, only the
 * GitHub environment of the same name, only the sts.amazonaws.com audience; its permissions are
 * scoped and carry the explicit denies; bad `cicd` settings are refused.
 */
import { DEFINITIONS, Environment, validateEnvironments } from '../environments';
import { GITHUB_OIDC_HOST } from '../environments/sections/cicd';
import { namesFor } from '../features/naming';
import { Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SfnActivity } from '@cdktf/provider-aws/lib/sfn-activity';
import { GithubDeployRole, serviceOf } from '../constructs/cicd/github-deploy-role';
import { definition, definitionProblems, Json, problemsOfInputs, resourceAt, resources, stacksFor, synth, shipped } from './helpers';

const ENVS: Environment[] = validateEnvironments(DEFINITIONS);
const names = ENVS.map((e) => e.name);

function deployParts(env: Environment) {
  const json = shipped(env.name).cloud;
  const role = resourceAt(json, 'aws_iam_role', '/github-deploy/role');
  const policy = resourceAt(json, 'aws_iam_role_policy', '/github-deploy/policy');
  return {
    json,
    role,
    trust: JSON.parse(role.assume_role_policy) as Json,
    statements: JSON.parse(policy.policy).Statement as Json[],
    policy,
  };
}

function statement(statements: Json[], sid: string): Json {
  const found = statements.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}: ${statements.map((s) => s.Sid).join(', ')}`);
  return found;
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

describe.each(names)('deploy role of %s', (name) => {
  const env = ENVS.find((e) => e.name === name)!;

  test('trusts only the repository and GitHub environment of the definition, audience sts.amazonaws.com', () => {
    const { trust, json, role } = deployParts(env);
    expect(trust.Statement).toHaveLength(1);
    const [s] = trust.Statement;
    expect(s.Effect).toBe('Allow');
    expect(s.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(Object.keys(s.Condition)).toEqual(['StringEquals']);
    expect(s.Condition.StringEquals).toEqual({
      [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
      [`${GITHUB_OIDC_HOST}:sub`]: `repo:${env.cicd.github.owner}/${env.cicd.github.repository}:environment:${env.name}`,
    });
    // The federated principal is GitHub's provider, created here unless the definition names one.
    const provider = resources(json, 'aws_iam_openid_connect_provider').find((p) => p.url === `https://${GITHUB_OIDC_HOST}`);
    if (env.cicd.github.oidcProviderArn) {
      expect(provider).toBeUndefined();
      expect(s.Principal).toEqual({ Federated: env.cicd.github.oidcProviderArn });
    } else {
      expect(provider!.client_id_list).toEqual(['sts.amazonaws.com']);
      expect(s.Principal).toEqual({ Federated: `\${aws_iam_openid_connect_provider.${provider!.__name}.arn}` });
    }
    expect(role.name).toBe(`${namesFor(env).prefix}-github-deploy`);
  });

  test('is not AdministratorAccess: no "*" action, every Allow scoped to a service, IAM and S3 to the environment', () => {
    const { json, statements, role } = deployParts(env);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    for (const s of allows) {
      for (const a of asList(s.Action)) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z*]+$/);
      expect(s.NotAction).toBeUndefined();
    }
    const attachments = resources(json, 'aws_iam_role_policy_attachment').filter((a) => String(a.role).includes(role.__name));
    expect(attachments).toEqual([]);
    const prefix = namesFor(env).prefix;
    const account = env.aws.allowedAccountIds[0];
    const iam = statement(statements, 'IamOfThisEnvironmentOnly');
    for (const r of asList(iam.Resource)) {
      expect(r.startsWith(`arn:aws:iam::${account}:`)).toBe(true);
      expect(r).toMatch(new RegExp(`(role|policy|instance-profile)/${prefix}-\\*$|oidc-provider/`));
    }
    expect(asList(statement(statements, 'BucketsOfThisEnvironmentOnly').Resource)).toEqual([`arn:aws:s3:::${prefix}-*`, `arn:aws:s3:::${prefix}-*/*`]);
    // No Allow grants iam:* or s3:* on "*".
    for (const s of allows.filter((x) => asList(x.Resource).includes('*'))) {
      expect(asList(s.Action).filter((a) => a === 'iam:*' || a === 's3:*')).toEqual([]);
    }
  });

  test('may manage exactly the services of the resource types its stack holds', () => {
    const { json, statements } = deployParts(env);
    const expected = new Set(Object.keys(json.resource).map((t) => serviceOf(t)!));
    expected.delete('iam');
    expected.delete('s3');
    const granted = asList(statement(statements, 'ManageTheServicesOfThisStack').Action).map((a) => a.replace(/:\*$/, ''));
    expect(granted.sort()).toEqual([...expected].sort());
  });

  test('denies IAM users and keys, Organizations and billing, changing itself; denies losing the state', () => {
    const { statements, role } = deployParts(env);
    const denied = (sid: string) => statement(statements, sid);
    expect(denied('NeverIamUsersOrCredentials')).toMatchObject({ Effect: 'Deny', Resource: '*' });
    expect(asList(denied('NeverIamUsersOrCredentials').Action)).toEqual(expect.arrayContaining(['iam:*User*', 'iam:*AccessKey*']));
    expect(asList(denied('NeverOrganizationsAccountOrBilling').Action)).toEqual(expect.arrayContaining(['organizations:*', 'account:*', 'aws-portal:*', 'billing:*']));
    expect(denied('NeverItsOwnTrustOrPermissions')).toMatchObject({
      Effect: 'Deny',
      Resource: `arn:aws:iam::${env.aws.allowedAccountIds[0]}:role/${role.name}`,
    });
    expect(asList(denied('NeverItsOwnTrustOrPermissions').Action)).toEqual(expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']));
    expect(denied('NeverAdministratorPolicies').Condition.ArnLike['iam:PolicyARN']).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    if (env.stateBackend.type === 's3') {
      const bucket = `arn:aws:s3:::${env.stateBackend.bucket}`;
      const s = denied('NeverLoseOrExposeTheState');
      expect(s.Effect).toBe('Deny');
      expect(asList(s.Resource)).toEqual([bucket, `${bucket}/*`]);
      expect(asList(s.Action)).toEqual(expect.arrayContaining(['s3:DeleteBucket', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:DeleteObjectVersion']));
      expect(denied('NeverDisableTheStateKey').Resource).toEqual(['${aws_kms_key.terraform_state_key.arn}']);
    } else {
      expect(statements.find((x) => x.Sid === 'NeverLoseOrExposeTheState')).toBeUndefined();
    }
  });

  test('reads and writes only its state objects and S3-native lock files, with the state key', () => {
    const { statements } = deployParts(env);
    if (env.stateBackend.type !== 's3') {
      expect(statements.find((s) => s.Sid === 'TerraformStateAndLockObjects')).toBeUndefined();
      return;
    }
    const objects = `arn:aws:s3:::${env.stateBackend.bucket}/${env.stateBackend.keyPrefix}`;
    expect(asList(statement(statements, 'TerraformStateAndLockObjects').Resource)).toEqual([`${objects}/*.tfstate`, `${objects}/*.tfstate.tflock`]);
    expect(statement(statements, 'TerraformLockRelease')).toMatchObject({ Action: 's3:DeleteObject', Resource: `${objects}/*.tfstate.tflock` });
    expect(asList(statement(statements, 'TerraformStateKey').Resource)).toContain('${aws_kms_key.terraform_state_key.arn}');
    // Every allowed action on the state bucket itself is a read, a tag or logging (no Put*Policy, no Delete*).
    const bucketActions = asList(statement(statements, 'TerraformStateBucketReadAndTags').Action);
    expect(bucketActions.filter((a) => !/^s3:(Get\*|ListBucket|PutBucketTagging|PutBucketLogging)$/.test(a))).toEqual([]);
  });

  test('can reach the cluster for the platform stack: cluster-admin access entry and a runner security group on 443', () => {
    const { json, role } = deployParts(env);
    const entry = resourceAt(json, 'aws_eks_access_entry', '/github-deploy/cluster-access');
    expect(entry.principal_arn).toBe(`\${aws_iam_role.${role.__name}.arn}`);
    const association = resourceAt(json, 'aws_eks_access_policy_association', '/github-deploy/cluster-admin');
    expect(association.policy_arn).toBe('arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy');
    const runner = resourceAt(json, 'aws_security_group', '/github-deploy/runner');
    const ingress = resourceAt(json, 'aws_vpc_security_group_ingress_rule', '/github-deploy/api-from-runner');
    expect(ingress).toMatchObject({ from_port: 443, to_port: 443, ip_protocol: 'tcp', referenced_security_group_id: `\${aws_security_group.${runner.__name}.id}` });
    expect(String(ingress.security_group_id)).toMatch(/aws_eks_cluster\..*vpc_config\[0\]\.cluster_security_group_id/);
    expect(json.output.github_deploy_role_arn.value).toBe(`\${aws_iam_role.${role.__name}.arn}`);
  });
});

describe('a definition naming an existing GitHub OIDC provider', () => {
  test('uses it: no provider is created, the trust names the given ARN', () => {
    const arn = `arn:aws:iam::111122223333:oidc-provider/${GITHUB_OIDC_HOST}`;
    const json = synth(stacksFor('development', (d) => (d.cicd.github.oidcProviderArn = arn)).cloud);
    expect(resources(json, 'aws_iam_openid_connect_provider').filter((p) => p.url === `https://${GITHUB_OIDC_HOST}`)).toEqual([]);
    const role = resourceAt(json, 'aws_iam_role', '/github-deploy/role');
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Federated: arn });
  });
});

describe('bad cicd settings are refused with <env>.<field>: <rule>', () => {
  test.each([
    ['owner with a leading dash', (d: any) => (d.cicd.github.owner = '-toronto'), /^staging\.cicd\.github\.owner: must be a GitHub owner name/],
    ['owner with a slash', (d: any) => (d.cicd.github.owner = 'toronto/ai'), /^staging\.cicd\.github\.owner: must be a GitHub owner name/],
    ['owner too long', (d: any) => (d.cicd.github.owner = 'a'.repeat(40)), /^staging\.cicd\.github\.owner: /],
    ['repository with a space', (d: any) => (d.cicd.github.repository = 'team agent'), /^staging\.cicd\.github\.repository: must be a GitHub repository name/],
    ['repository ..', (d: any) => (d.cicd.github.repository = '..'), /^staging\.cicd\.github\.repository: /],
    ['missing repository', (d: any) => delete d.cicd.github.repository, /^staging\.cicd\.github\.repository: is required/],
    ['provider ARN of another issuer', (d: any) => (d.cicd.github.oidcProviderArn = 'arn:aws:iam::333344445555:oidc-provider/example.com'), /^staging\.cicd\.github\.oidcProviderArn: must be the ARN of the token\.actions\.githubusercontent\.com OIDC provider/],
    ['provider ARN in another account', (d: any) => (d.cicd.github.oidcProviderArn = `arn:aws:iam::999999999999:oidc-provider/${GITHUB_OIDC_HOST}`), /^staging\.cicd\.github\.oidcProviderArn: .* is in account 999999999999, which is not one of aws\.allowedAccountIds/],
    ['no runner label', (d: any) => (d.cicd.deploy.runnerLabels = []), /^staging\.cicd\.deploy\.runnerLabels: name at least one label/],
    ['unknown trigger', (d: any) => (d.cicd.deploy.trigger = 'nightly'), /^staging\.cicd\.deploy\.trigger: /],
  ])('%s', (_what, mutate, expected) => {
    expect(definitionProblems('staging', mutate)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  test('production without required reviewers, or deployed by a push alone', () => {
    expect(definitionProblems('production', (d) => (d.cicd.deploy.requiredReviewers = false))).toEqual([
      'production.cicd.deploy.requiredReviewers: production deploys must wait for a required reviewer (GitHub environment protection): set true',
    ]);
    expect(definitionProblems('production', (d) => (d.cicd.deploy.trigger = 'push-to-main'))).toEqual([
      'production.cicd.deploy.trigger: production is never deployed by a push alone: set "manual" (with "after" for promotion)',
    ]);
  });

  test('"after" must name another defined environment, without a cycle', () => {
    const bad = DEFINITIONS.map((d) => definition(d.name, (x) => x.name === 'production' && (x.cicd.deploy.after = 'qa')));
    expect(problemsOfInputs(bad)).toEqual([`production.cicd.deploy.after: qa is not a defined environment (${names.join(', ')})`]);
    expect(problemsOfInputs([definition('production')])).toEqual([]);
    const cycle = DEFINITIONS.map((d) => definition(d.name, (x) => x.name === 'staging' && (x.cicd.deploy.after = 'production')));
    expect(problemsOfInputs(cycle)).toEqual(
      expect.arrayContaining([
        'staging.cicd.deploy.after: the "after" chain leads back to staging',
        'production.cicd.deploy.after: the "after" chain leads back to production',
      ]),
    );
  });

  test('two environments in one account cannot both create the GitHub OIDC provider', () => {
    const shared = [
      definition('development'),
      definition('testing', (d) => {
        d.aws.allowedAccountIds = ['111122223333'];
        d.cluster.adminPrincipalArns = ['arn:aws:iam::111122223333:role/platform-admins'];
      }),
    ];
    const problems = problemsOfInputs(shared);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^testing\.cicd\.github\.oidcProviderArn: development already creates the GitHub OIDC provider of account 111122223333/)]));
    shared[1] = definition('testing', (d) => {
      d.aws.allowedAccountIds = ['111122223333'];
      d.cluster.adminPrincipalArns = ['arn:aws:iam::111122223333:role/platform-admins'];
      d.cicd.github.oidcProviderArn = `arn:aws:iam::111122223333:oidc-provider/${GITHUB_OIDC_HOST}`;
    });
    expect(problemsOfInputs(shared).filter((p) => p.includes('cicd'))).toEqual([]);
  });
});

describe('the deploy role follows the stack it lives in', () => {
  test('a resource type of a service the role does not know fails the synth, naming it', () => {
    const build = (withUnknown: boolean) => {
      const stack = new TerraformStack(Testing.app(), 'probe');
      new AwsProvider(stack, 'aws', { region: 'ca-central-1' });
      new GithubDeployRole(stack, 'deploy', {
        namePrefix: 'probe',
        accountId: '111122223333',
        region: 'ca-central-1',
        repository: { owner: 'o', name: 'r' },
        githubEnvironment: 'probe',
      });
      if (withUnknown) new SfnActivity(stack, 'activity', { name: 'probe' });
      return stack;
    };
    const policy = JSON.parse(
      Object.values((JSON.parse(Testing.synth(build(false))) as Json).resource.aws_iam_role_policy as Record<string, Json>)[0].policy,
    );
    // Only IAM resources in the stack: no service-wide statement at all (an empty Action list is invalid IAM).
    expect(policy.Statement.map((s: Json) => s.Sid)).not.toContain('ManageTheServicesOfThisStack');
    expect(policy.Statement.find((s: Json) => s.Sid === 'IamOfThisEnvironmentOnly')).toBeDefined();
    expect(() => Testing.synth(build(true))).toThrow(/does not know which IAM service manages aws_sfn_activity/);
  });

  test('maps resource types to services by prefix, longest first', () => {
    expect(serviceOf('aws_cloudwatch_log_group')).toBe('logs');
    expect(serviceOf('aws_cloudwatch_metric_alarm')).toBe('cloudwatch');
    expect(serviceOf('aws_lb_target_group')).toBe('elasticloadbalancing');
    expect(serviceOf('aws_route53_record')).toBe('route53');
    expect(serviceOf('aws_route_table')).toBe('ec2');
    expect(serviceOf('aws_vpc_security_group_ingress_rule')).toBe('ec2');
    expect(serviceOf('aws_sqs_queue')).toBe('sqs');
    expect(serviceOf('aws_sesv2_email_identity')).toBe('ses');
    expect(serviceOf('aws_ecr_lifecycle_policy')).toBe('ecr');
    expect(serviceOf('aws_sfn_activity')).toBeUndefined();
  });
});
