/**
 * The `audit` section of an environment definition (SEC-1, issue 13): where the account's
 * management events are recorded. The key alarm (features/backups/key-protection.ts) matches
 * EventBridge's "AWS API Call via CloudTrail" events, which exist only where a trail records them.
 *
 * Field rules live on the fields; the rules across fields live in `checkAudit`, called by
 * `checkDefinition` in ../schema.ts (`<env>.audit.<field>: <rule>`).
 */
import { z } from 'zod/v4';
import { PRODUCTION_LIKE_TIERS, Tier } from '../catalog';

/** Days a production-like environment keeps its trail's log files, at least (a year of audit history). */
export const MIN_PRODUCTION_TRAIL_RETENTION_DAYS = 365;

export const auditSchema = z
  .object({
    /**
     * `create`: the cloud stack creates a multi-region trail of the account's management events
     * (log-file validation, KMS-encrypted, to its own secure bucket). `organization`: the
     * organisation's trail already records this account in every region; nothing is created
     * (the README names it as the prerequisite).
     */
    cloudTrail: z.enum(['create', 'organization']),
    /** Days the trail's log files are kept in its bucket (`create` only). */
    trailRetentionDays: z.number().int().min(90, 'keep log files at least 90 days').max(3653).optional(),
  })
  .strict();

export type Audit = z.output<typeof auditSchema>;

type Report = (path: (string | number)[], message: string) => void;

/** Cross-field rules of the audit section. */
export function checkAudit(tier: Tier, audit: Audit, report: Report): void {
  if (audit.cloudTrail === 'create' && audit.trailRetentionDays === undefined) {
    report(['audit', 'trailRetentionDays'], "required when cloudTrail is 'create' (days the trail's log files are kept)");
  }
  if (audit.cloudTrail === 'organization' && audit.trailRetentionDays !== undefined) {
    report(['audit', 'trailRetentionDays'], "only with cloudTrail 'create' (the organisation's trail keeps its own log files): remove it");
  }
  if (audit.cloudTrail === 'create' && PRODUCTION_LIKE_TIERS.includes(tier) && (audit.trailRetentionDays ?? 0) < MIN_PRODUCTION_TRAIL_RETENTION_DAYS) {
    report(['audit', 'trailRetentionDays'], `${tier} keeps its trail's log files at least ${MIN_PRODUCTION_TRAIL_RETENTION_DAYS} days`);
  }
}
