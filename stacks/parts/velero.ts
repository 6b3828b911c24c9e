/**
 * Velero in the platform stack (BAK-2): cluster resources, secrets and volumes backed up on the
 * definition's schedule into the backup bucket's `velero/` prefix, through the workload role the
 * cloud stack created for the `velero/velero` service account (stacks/parts/backups.ts).
 */
import { Environment } from '../../environments/schema';
import { Velero } from '../../constructs/backup/velero';
import type { PlatformStack } from '../platform-stack';
import { VELERO_NAMESPACE, VELERO_PREFIX, VELERO_SERVICE_ACCOUNT } from './backups';

export function addVelero(stack: PlatformStack, env: Environment): Velero {
  const placement = stack.placement('system');
  return new Velero(stack, 'velero', {
    namespace: stack.namespaces.name(VELERO_NAMESPACE),
    serviceAccount: VELERO_SERVICE_ACCOUNT,
    bucketName: stack.cloud.backupBucketName,
    prefix: VELERO_PREFIX,
    region: stack.cloud.region,
    kmsKeyArn: stack.cloud.backupsKeyArn,
    schedule: env.backup.velero.schedule,
    ttlHours: env.backup.velero.ttlHours,
    nodeSelector: placement.nodeSelector,
    tolerations: placement.tolerations,
  });
}
