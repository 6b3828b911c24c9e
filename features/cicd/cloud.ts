/**
 * CI/CD in the cloud stack: GitHub's OIDC provider (or the existing one the definition names) and
 * the deploy role that only this environment's GitHub environment of the definition's repository
 * can assume, with cluster access for the platform stack and the state bucket it needs.
 */
import { TerraformOutput } from 'cdktf';
import { GithubDeployRole } from '../../constructs/cicd/github-deploy-role';
import { CloudContext } from '../context';
import type { Backups } from '../backups/cloud';

export function addCicd(ctx: CloudContext, backups: Backups): GithubDeployRole {
  const { env, names } = ctx;
  const backend = env.stateBackend;
  const stateKey = backups.stateBucket?.keyArn;
  const deploy = new GithubDeployRole(ctx.scope, 'github-deploy', {
    namePrefix: names.prefix,
    accountId: ctx.accountId,
    region: env.aws.region,
    repository: { owner: env.cicd.github.owner, name: env.cicd.github.repository },
    githubEnvironment: env.name,
    existingOidcProviderArn: env.cicd.github.oidcProviderArn,
    state:
      backend.type === 's3'
        ? {
            bucketName: backend.bucket,
            keyPrefix: backend.keyPrefix,
            kmsKeyArns: [...(stateKey ? [stateKey] : []), ...(backend.kmsKeyArn ? [backend.kmsKeyArn] : [])],
          }
        : undefined,
    cluster: { name: ctx.cluster.name, securityGroupId: ctx.cluster.clusterSecurityGroupId, vpcId: ctx.network.vpcId },
  });
  new TerraformOutput(ctx.scope, 'github_deploy_role_arn', {
    value: deploy.roleArn,
    description: `Role the deploy workflow assumes in GitHub environment ${env.name} (set it as the environment variable AWS_DEPLOY_ROLE_ARN)`,
  });
  if (deploy.runnerSecurityGroup) {
    new TerraformOutput(ctx.scope, 'deploy_runner_security_group_id', {
      value: deploy.runnerSecurityGroup.id,
      description: `Security group of the self-hosted runner (labels ${env.cicd.deploy.runnerLabels.join(', ')}) that deploys ${names.platformStack}`,
    });
  }
  return deploy;
}
