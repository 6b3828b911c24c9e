/**
 * Velero in the platform stack (BAK-2): cluster resources, secrets and volumes backed up on the
 * definition's schedule into the backup bucket's `velero/` prefix, through the workload role the
 * cloud stack created for the `velero/velero` service account (./cloud.ts, ./contract.ts).
 */
import { Velero } from '../../constructs/backup/velero';
import { PlatformContext } from '../context';
import { VELERO } from './contract';

export function addVelero(ctx: PlatformContext): Velero {
  const { env } = ctx;
  const placement = ctx.placement('system');
  return new Velero(ctx.scope, 'velero', {
    namespace: ctx.namespaces.name(VELERO.namespace),
    serviceAccount: VELERO.serviceAccount,
    bucketName: ctx.cloud.backupBucketName,
    prefix: VELERO.prefix.segment,
    region: ctx.cloud.region,
    kmsKeyArn: ctx.cloud.backupsKeyArn,
    schedule: env.backup.velero.schedule,
    ttlHours: env.backup.velero.ttlHours,
    nodeSelector: placement.nodeSelector,
    tolerations: placement.tolerations,
  });
}
