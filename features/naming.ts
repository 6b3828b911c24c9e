import { Environment } from '../environments/schema';
import { namePrefix } from '../environments/names';

/** Names derived from a definition, computed in one place so every stack agrees. */
export function namesFor(env: Environment) {
  // The prefix and the length limits of every name derived from it: environments/names.ts.
  const prefix = namePrefix(env.name);
  return {
    prefix,
    cloudStack: env.name,
    platformStack: `${env.name}-platform`,
    clusterName: prefix,
    /** BAK-1 backup bucket (globally unique: account id suffix). */
    backupBucket: `${prefix}-backups-${env.aws.allowedAccountIds[0]}`,
    /** Access logs of the backup bucket (and other buckets of the environment). */
    accessLogBucket: `${prefix}-access-logs-${env.aws.allowedAccountIds[0]}`,
    /** The application's files (features/services/cloud.ts); its offsite replica appends the replica region. */
    filesBucket: `${prefix}-files-${env.aws.allowedAccountIds[0]}`,
    /** The AI service's model store (features/services/cloud.ts). */
    modelStoreBucket: `${prefix}-models-${env.aws.allowedAccountIds[0]}`,
  };
}

/** OPS-4 tags on every AWS resource (provider default tags). */
export function tagsFor(env: Environment): Record<string, string> {
  return {
    Environment: env.name,
    Tier: env.tier,
    Project: env.tags.project,
    Owner: env.tags.owner,
    ManagedBy: 'cdktf',
    ...(env.tags.costCenter ? { CostCenter: env.tags.costCenter } : {}),
  };
}
